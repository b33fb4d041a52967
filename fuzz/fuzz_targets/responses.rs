//! Server API responses and requests: every response parser returns without
//! panicking; a phone number is returned only when an independent reading
//! (`serde_json` plus the duplicate-key and depth check) finds a success code
//! and the same non-empty, consistent phone fields, and, with a validation,
//! a watermark it accepts; a `code2session` success has a non-empty openid
//! and a `session_key` that the `base64` crate decodes to 16 bytes. The
//! request builders keep any text inside one percent-encoded value or one
//! JSON string.
//!
//! Input: the response text (also used as the token and code of requests).
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use wxdecrypt::api::{
    AccessToken, ApiError, HttpRequest, PhoneResponse, PhoneResponseParser, ResponseKind,
    parse_code2session,
};
use wxdecrypt::{PhoneNumber, UnixTime, Validation};
use wxdecrypt_fuzz::{APPID, reference_country_code, watermark_ok};
use wxdecrypt_testkit::reference::object as reference_object;

/// The clock of the checked parse: ten seconds after the watermark of
/// WeChat's sample response (tests/vectors/responses/).
const NOW: u64 = 1_637_744_284;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let reference = reference_object(text);
    let validation = Validation::new(APPID);
    let now = UnixTime::from_secs(NOW);

    let unchecked = PhoneResponseParser::without_watermark_check().parse_at(text, now);
    let checked = PhoneResponseParser::new(&validation).parse_at(text, now);
    for result in [&unchecked, &checked] {
        match result {
            Ok(parsed) => agrees(parsed, reference.as_ref()),
            Err(error) => error_is_clean(error),
        }
    }
    if let Ok(parsed) = &checked {
        // A checked success is an unchecked success with the same number.
        let plain = unchecked.as_ref().expect("checked ok, unchecked refused");
        assert_eq!(plain.phone.payload, parsed.phone.payload);
        let container = container(reference.as_ref().expect("agreed"), parsed.kind);
        match parsed.phone.watermark {
            Some(mark) => {
                assert!(
                    watermark_ok(container, APPID, NOW),
                    "bad watermark accepted"
                );
                let stamp = container["watermark"]["timestamp"].as_u64();
                assert_eq!(stamp, Some(mark.timestamp.as_secs()));
            }
            None => panic!("a checked success without a watermark"),
        }
    }
    for kind in [
        ResponseKind::GetUserPhoneNumber,
        ResponseKind::CloudCall,
        ResponseKind::Authing,
    ] {
        let expected = PhoneResponseParser::without_watermark_check()
            .expect(kind)
            .parse_at(text, now);
        match (&expected, &unchecked) {
            (Ok(one), Ok(any)) => assert_eq!(one, any),
            (Ok(_), Err(_)) => panic!("expect({kind}) accepted what parse refused"),
            (Err(_), Ok(any)) => assert_ne!(any.kind, kind),
            (Err(_), Err(_)) => {}
        }
    }

    match parse_code2session(text) {
        Ok(session) => {
            let object = reference.as_ref().expect("code2session: reference refused");
            assert!(!session.openid.is_empty());
            assert_eq!(
                object.get("openid").and_then(Value::as_str),
                Some(&*session.openid)
            );
            let code = object.get("errcode");
            assert!(code.is_none() || code.and_then(Value::as_i64) == Some(0));
            let key = object
                .get("session_key")
                .and_then(Value::as_str)
                .expect("key");
            let decoded = base64::engine::general_purpose::STANDARD.decode(key);
            assert_eq!(decoded.map(|k| k.len()).ok(), Some(16), "bad key accepted");
        }
        Err(error) => error_is_clean(&error),
    }

    requests(text);
});

/// The phone data's object in the reference reading, for a response kind.
fn container(object: &Map<String, Value>, kind: ResponseKind) -> &Map<String, Value> {
    let name = match kind {
        ResponseKind::GetUserPhoneNumber => "phone_info",
        ResponseKind::CloudCall => "phoneInfo",
        _ => "data",
    };
    object
        .get(name)
        .and_then(Value::as_object)
        .expect("phone data is an object")
}

/// An accepted response is a success the reference reads the same way.
fn agrees(parsed: &PhoneResponse, reference: Option<&Map<String, Value>>) {
    let object = reference.expect("phone: accepted a response the reference refuses");
    let (code_name, success) = match parsed.kind {
        ResponseKind::GetUserPhoneNumber => ("errcode", 0),
        ResponseKind::CloudCall => ("errCode", 0),
        _ => ("statusCode", 200),
    };
    assert_eq!(object.get(code_name).and_then(Value::as_i64), Some(success));
    let data = container(object, parsed.kind);
    let phone: &PhoneNumber = &parsed.phone.payload;
    let text = |name: &str| data.get(name).and_then(Value::as_str);
    assert_eq!(text("phoneNumber"), Some(phone.phone_number()));
    assert_eq!(text("purePhoneNumber"), Some(phone.pure_phone_number()));
    let country = data.get("countryCode").and_then(reference_country_code);
    assert_eq!(country.as_deref(), Some(phone.country_code()));
    let pure = phone.pure_phone_number();
    assert!(!pure.is_empty() && pure.bytes().all(|b| b.is_ascii_digit()));
    let digits: String = phone
        .phone_number()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    assert!(digits.ends_with(pure), "inconsistent number accepted");
}

/// Text copied from a response into an error is bounded and clean.
fn error_is_clean(error: &ApiError) {
    let copied: Vec<&str> = match error {
        ApiError::WeChat { message, .. } => vec![message],
        ApiError::Authing {
            message,
            request_id,
            ..
        } => [Some(message.as_str()), request_id.as_deref()]
            .into_iter()
            .flatten()
            .collect(),
        _ => Vec::new(),
    };
    for text in copied {
        assert!(text.chars().count() <= 201, "message not cut");
        assert!(
            !text.chars().any(char::is_control),
            "control character kept"
        );
    }
    let _ = error.to_string();
}

/// The text as a token and as a code: one percent-encoded value, one JSON
/// string.
fn requests(text: &str) {
    let Ok(token) = AccessToken::new(text) else {
        return;
    };
    let Ok(request) = HttpRequest::get_user_phone_number(&token, text) else {
        return;
    };
    let (_, value) = request
        .url()
        .split_once("?access_token=")
        .expect("the query");
    assert!(
        value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
        "token not encoded"
    );
    let body: Value = serde_json::from_str(request.body().expect("a body")).expect("JSON body");
    let body = body.as_object().expect("an object");
    assert_eq!(body.len(), 1);
    assert_eq!(body["code"].as_str(), Some(text));
    let debug = format!("{request:?}");
    assert!(debug.contains("access_token=[redacted]"));
}
