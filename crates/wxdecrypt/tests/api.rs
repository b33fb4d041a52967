//! The server APIs: request builders and response parsers for
//! `getuserphonenumber` (HTTPS and cloud call), Authing's
//! `get_wechat_miniprogram_phone` and `code2session`.
//!
//! The responses are in `tests/vectors/responses/`, whose README names the
//! seed document each one comes from. Expected URLs and bodies were computed
//! with Python's standard library, as each test says.

use proptest::prelude::*;
use wxdecrypt::api::{
    AccessToken, ApiError, AppSecret, Argument, AuthingConnection, DEFAULT_MAX_RESPONSE_LEN,
    HttpRequest, JsonProblem, Malformed, Method, PhoneResponse, PhoneResponseParser, RequestError,
    ResponseKind, parse_code2session,
};
use wxdecrypt::{EncryptedData, Error, Field, Iv, PhoneNumber, UnixTime, UserInfo, Validation};
use wxdecrypt_testkit::vectors;

/// A response from `tests/vectors/responses/`.
macro_rules! response {
    ($name:literal) => {
        include_str!(concat!("vectors/responses/", $name, ".json"))
    };
}

const WECHAT_OK: &str = response!("getuserphonenumber-ok");
const WECHAT_DOC_SAMPLE: &str = response!("getuserphonenumber-doc-sample");
const WECHAT_40029: &str = response!("getuserphonenumber-40029");
const WECHAT_BUSY: &str = response!("getuserphonenumber-busy");
const CLOUD_OK: &str = response!("cloud-call-ok");
const CLOUD_40029: &str = response!("cloud-call-40029");
const AUTHING_OK: &str = response!("authing-ok");
const AUTHING_DOC_SAMPLE: &str = response!("authing-doc-sample");
const AUTHING_DOC_SAMPLE_ZH: &str = response!("authing-doc-sample-zh");
const AUTHING_ERROR: &str = response!("authing-error");
const CODE2SESSION_OK: &str = response!("code2session-ok");
const CODE2SESSION_40029: &str = response!("code2session-40029");

/// Every response fixture.
const ALL: [&str; 12] = [
    WECHAT_OK,
    WECHAT_DOC_SAMPLE,
    WECHAT_40029,
    WECHAT_BUSY,
    CLOUD_OK,
    CLOUD_40029,
    AUTHING_OK,
    AUTHING_DOC_SAMPLE,
    AUTHING_DOC_SAMPLE_ZH,
    AUTHING_ERROR,
    CODE2SESSION_OK,
    CODE2SESSION_40029,
];

/// The appid in the fixtures' watermarks.
const APPID: &str = "wx4f4bc4dec97d474b";
/// The watermark time of WeChat's sample response (seed 003).
const T: u64 = 1_637_744_274;

fn now() -> UnixTime {
    UnixTime::from_secs(T + 10)
}

/// Parses with the default validation for [`APPID`], at [`now`].
fn parse(text: &str) -> Result<PhoneResponse, ApiError> {
    let validation = Validation::new(APPID);
    PhoneResponseParser::new(&validation).parse_at(text, now())
}

/// Parses with a validation that accepts a missing watermark.
fn parse_accepting_no_watermark(text: &str) -> Result<PhoneResponse, ApiError> {
    let validation = Validation::new(APPID).accept_missing_watermark();
    PhoneResponseParser::new(&validation).parse_at(text, now())
}

/// Parses without a watermark check.
fn parse_unchecked(text: &str) -> Result<PhoneResponse, ApiError> {
    PhoneResponseParser::without_watermark_check().parse_at(text, now())
}

fn malformed(kind: Malformed) -> Result<PhoneResponse, ApiError> {
    Err(ApiError::Malformed(kind))
}

/// The phone number of `getuserphonenumber-ok.json`, written out by hand.
fn sample_phone() -> (String, String, String) {
    ("13580006666".into(), "13580006666".into(), "86".into())
}

fn fields(phone: &PhoneNumber) -> (String, String, String) {
    (
        phone.phone_number().to_owned(),
        phone.pure_phone_number().to_owned(),
        phone.country_code().to_owned(),
    )
}

// ----- The shapes in the seed documents -----

#[test]
fn getuserphonenumber_doc_sample_with_placeholder_digits_is_refused() {
    // Seed 003's sample has "xxxxxx" where the digits go.
    assert_eq!(
        parse(WECHAT_DOC_SAMPLE),
        malformed(Malformed::Json(JsonProblem::Shape))
    );
    assert_eq!(
        parse_unchecked(WECHAT_DOC_SAMPLE),
        malformed(Malformed::Json(JsonProblem::Shape))
    );
}

#[test]
fn getuserphonenumber_response_gives_the_number_and_the_checked_watermark() {
    let parsed = parse(WECHAT_OK).unwrap();
    assert_eq!(parsed.kind, ResponseKind::GetUserPhoneNumber);
    assert_eq!(fields(&parsed.phone.payload), sample_phone());
    let watermark = parsed.phone.watermark.unwrap();
    assert_eq!(watermark.timestamp, UnixTime::from_secs(T));
}

#[test]
fn cloud_call_response_gives_the_same_number() {
    let parsed = parse(CLOUD_OK).unwrap();
    assert_eq!(parsed.kind, ResponseKind::CloudCall);
    assert_eq!(fields(&parsed.phone.payload), sample_phone());
    assert_eq!(
        parsed.phone.watermark.unwrap().timestamp,
        UnixTime::from_secs(T)
    );
    assert_eq!(parsed.phone, parse(WECHAT_OK).unwrap().phone);
}

#[test]
fn country_code_as_number_string_or_plus_string_gives_86() {
    // Seed 003's sample sends 86, its table says string; the legacy
    // payload (seed 004) sends "86".
    for written in ["86", "\"86\"", "\"+86\""] {
        let text = WECHAT_OK.replace(
            "\"countryCode\": 86",
            &format!("\"countryCode\": {written}"),
        );
        assert!(text.contains(&format!("\"countryCode\": {written},")));
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.phone.payload.country_code(), "86", "{written}");
    }
    for bad in [
        "86.0", "-86", "\"\"", "\"+\"", "\"8 6\"", "null", "true", "[86]",
    ] {
        let text = WECHAT_OK.replace("\"countryCode\": 86", &format!("\"countryCode\": {bad}"));
        assert_eq!(
            parse(&text),
            malformed(Malformed::Json(JsonProblem::Shape)),
            "{bad}"
        );
    }
}

#[test]
fn authing_doc_samples_with_masked_digits_are_refused() {
    // Seeds 000/001/002 mask the middle digits: "188xxxx8888".
    for sample in [AUTHING_DOC_SAMPLE, AUTHING_DOC_SAMPLE_ZH] {
        assert_eq!(
            parse_unchecked(sample),
            malformed(Malformed::Json(JsonProblem::Shape))
        );
    }
}

#[test]
fn authing_response_has_no_watermark_so_it_needs_an_explicit_choice() {
    let parsed = parse_unchecked(AUTHING_OK).unwrap();
    assert_eq!(parsed.kind, ResponseKind::Authing);
    assert_eq!(
        fields(&parsed.phone.payload),
        ("+8618812348888".into(), "18812348888".into(), "86".into())
    );
    assert_eq!(parsed.phone.watermark, None);
    // A validation that requires a watermark refuses it ...
    assert_eq!(
        parse(AUTHING_OK),
        Err(ApiError::Watermark(Error::MissingWatermark))
    );
    // ... and one that accepts its absence does not.
    let parsed = parse_accepting_no_watermark(AUTHING_OK).unwrap();
    assert_eq!(parsed.phone.watermark, None);
    assert_eq!(parsed.phone.payload.pure_phone_number(), "18812348888");
}

#[test]
fn expect_accepts_its_kind_and_refuses_the_others() {
    let v = Validation::new(APPID);
    let cases = [
        (WECHAT_OK, ResponseKind::GetUserPhoneNumber),
        (CLOUD_OK, ResponseKind::CloudCall),
    ];
    for (text, kind) in cases {
        let parser = PhoneResponseParser::new(&v).expect(kind);
        assert_eq!(parser.parse_at(text, now()).unwrap().kind, kind);
    }
    let wechat_only = PhoneResponseParser::new(&v).expect(ResponseKind::GetUserPhoneNumber);
    assert_eq!(
        wechat_only.parse_at(CLOUD_OK, now()),
        malformed(Malformed::OtherKind {
            expected: ResponseKind::GetUserPhoneNumber,
            found: ResponseKind::CloudCall
        })
    );
    // Checked before the code: an Authing error is not read as such.
    assert_eq!(
        wechat_only.parse_at(AUTHING_ERROR, now()),
        malformed(Malformed::OtherKind {
            expected: ResponseKind::GetUserPhoneNumber,
            found: ResponseKind::Authing
        })
    );
    let authing = PhoneResponseParser::without_watermark_check().expect(ResponseKind::Authing);
    assert_eq!(
        authing.parse_at(AUTHING_OK, now()).unwrap().kind,
        ResponseKind::Authing
    );
    assert_eq!(
        authing.parse_at(WECHAT_OK, now()),
        malformed(Malformed::OtherKind {
            expected: ResponseKind::Authing,
            found: ResponseKind::GetUserPhoneNumber
        })
    );
}

#[test]
fn parse_reads_the_system_clock() {
    // The sample watermark is from 2021: too old for the system clock ...
    let v = Validation::new(APPID);
    assert!(matches!(
        PhoneResponseParser::new(&v).parse(WECHAT_OK),
        Err(ApiError::Watermark(Error::Expired { .. }))
    ));
    // ... and fine with no age limit.
    let any_age = Validation::new(APPID).without_max_age();
    assert!(PhoneResponseParser::new(&any_age).parse(WECHAT_OK).is_ok());
}

// ----- Errors the servers report -----

#[test]
fn each_wechat_code_is_typed_in_both_shapes() {
    let cases = [
        (
            -1,
            ApiError::SystemBusy,
            "wechat error -1: the system is busy, retry later",
            true,
        ),
        (
            40029,
            ApiError::InvalidCode,
            "wechat error 40029: the code is invalid, expired or already used \
             (ask the mini program for a new one)",
            false,
        ),
        (
            45011,
            ApiError::RateLimited,
            "wechat error 45011: the API's rate limit was reached, retry later",
            true,
        ),
        (
            40013,
            ApiError::InvalidAppId,
            "wechat error 40013: the appid is invalid",
            false,
        ),
        (
            40001,
            ApiError::InvalidAccessToken,
            "wechat error 40001: the access_token is invalid (fetch a new one)",
            false,
        ),
        (
            42001,
            ApiError::ExpiredAccessToken,
            "wechat error 42001: the access_token has expired (fetch a new one)",
            false,
        ),
    ];
    for (code, expected, message, retryable) in cases {
        for text in [
            format!(r#"{{"errcode":{code},"errmsg":"some text"}}"#),
            format!(r#"{{"errCode":{code},"errMsg":"some text"}}"#),
        ] {
            let error = parse(&text).unwrap_err();
            assert_eq!(error, expected, "{text}");
            assert_eq!(error.code(), Some(code));
            assert_eq!(error.to_string(), message);
            assert_eq!(error.is_retryable(), retryable, "{code}");
        }
        // code2session reports the same codes the same way.
        let text = format!(r#"{{"errcode":{code},"errmsg":"x"}}"#);
        assert_eq!(parse_code2session(&text).unwrap_err(), expected);
    }
    assert_eq!(parse(WECHAT_40029).unwrap_err(), ApiError::InvalidCode);
    assert_eq!(parse(CLOUD_40029).unwrap_err(), ApiError::InvalidCode);
    assert_eq!(parse(WECHAT_BUSY).unwrap_err(), ApiError::SystemBusy);
    assert!(parse(WECHAT_BUSY).unwrap_err().is_retryable());
}

#[test]
fn unknown_code_keeps_its_number_and_a_cleaned_message() {
    // A line break, an escape sequence and a right-to-left override, all of
    // which could forge a log line, are dropped.
    let text = r#"{"errcode":40163,"errmsg":"code been used\n\u001b[2J\u202eok"}"#;
    let error = parse(text).unwrap_err();
    assert_eq!(
        error,
        ApiError::WeChat {
            code: 40163,
            message: "code been used[2Jok".into()
        }
    );
    assert_eq!(error.code(), Some(40163));
    assert!(!error.is_retryable());
    assert_eq!(
        error.to_string(),
        r#"wechat error 40163: "code been used[2Jok""#
    );
    // No message at all, or null.
    for text in [r#"{"errcode":87014}"#, r#"{"errcode":87014,"errmsg":null}"#] {
        assert_eq!(
            parse(text).unwrap_err(),
            ApiError::WeChat {
                code: 87014,
                message: String::new()
            }
        );
    }
}

#[test]
fn a_long_message_is_cut_to_200_characters() {
    let long = "错".repeat(5000);
    let text = format!(r#"{{"errCode":99999,"errMsg":"{long}"}}"#);
    let ApiError::WeChat { code, message } = parse(&text).unwrap_err() else {
        panic!("expected ApiError::WeChat");
    };
    assert_eq!(code, 99999);
    assert_eq!(message, format!("{}…", "错".repeat(200)));
}

#[test]
fn authing_error_envelope_is_typed() {
    let error = parse(AUTHING_ERROR).unwrap_err();
    assert_eq!(
        error,
        ApiError::Authing {
            status_code: 400,
            api_code: Some(2001),
            message: "code invalid".into(),
            request_id: Some("934108e5-9fbf-4d24-8da1-c330328abd6c".into()),
        }
    );
    assert_eq!(error.code(), Some(2001));
    assert!(!error.is_retryable());
    assert_eq!(
        error.to_string(),
        "authing error: statusCode 400, apiCode 2001, \
         requestId \"934108e5-9fbf-4d24-8da1-c330328abd6c\": \"code invalid\""
    );
    // Without an apiCode, the statusCode is the code.
    let error = parse_unchecked(r#"{"statusCode":500,"message":"busy"}"#).unwrap_err();
    assert_eq!(error.code(), Some(500));
    assert_eq!(error.to_string(), "authing error: statusCode 500: \"busy\"");
    // A non-zero apiCode is an error even with statusCode 200.
    let text = AUTHING_OK.replace(
        "\"statusCode\": 200,",
        "\"statusCode\": 200, \"apiCode\": 1,",
    );
    assert_ne!(text, AUTHING_OK);
    assert_eq!(parse_unchecked(&text).unwrap_err().code(), Some(1));
    // A long, dirty requestId is cut and cleaned.
    let text = format!(
        r#"{{"statusCode":400,"requestId":"{}\n"}}"#,
        "r".repeat(100)
    );
    let ApiError::Authing { request_id, .. } = parse_unchecked(&text).unwrap_err() else {
        panic!("expected ApiError::Authing");
    };
    assert_eq!(request_id, Some(format!("{}…", "r".repeat(64))));
}

#[test]
fn an_error_code_wins_over_any_phone_data() {
    let valid_phone = r#"{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86","watermark":{"timestamp":1637744274,"appid":"wx4f4bc4dec97d474b"}}"#;
    for data in [valid_phone, r#"{"phoneNumber":1}"#, "[]", "\"x\""] {
        let wechat = format!(r#"{{"errcode":40029,"errmsg":"x","phone_info":{data}}}"#);
        assert_eq!(parse(&wechat).unwrap_err(), ApiError::InvalidCode, "{data}");
        let cloud = format!(r#"{{"errCode":-1,"phoneInfo":{data}}}"#);
        assert_eq!(parse(&cloud).unwrap_err(), ApiError::SystemBusy, "{data}");
        let authing = format!(r#"{{"statusCode":403,"data":{data}}}"#);
        assert_eq!(parse_unchecked(&authing).unwrap_err().code(), Some(403));
    }
}

// ----- Malformed responses -----

#[test]
fn success_without_phone_data_is_an_error_never_ok() {
    let cases = [
        (r#"{"errcode":0,"errmsg":"ok"}"#, "phone_info"),
        (
            r#"{"errcode":0,"errmsg":"ok","phone_info":null}"#,
            "phone_info",
        ),
        (r#"{"errCode":0,"errMsg":"ok"}"#, "phoneInfo"),
        (r#"{"errCode":0,"phoneInfo":null}"#, "phoneInfo"),
        (r#"{"statusCode":200,"message":"ok"}"#, "data"),
        (r#"{"statusCode":200,"data":null}"#, "data"),
    ];
    for (text, field) in cases {
        assert_eq!(
            parse_unchecked(text),
            malformed(Malformed::MissingField(field)),
            "{text}"
        );
    }
}

#[test]
fn the_status_code_must_be_there_and_be_an_integer() {
    let without = WECHAT_OK.replace("\"errcode\": 0,", "");
    assert_ne!(without, WECHAT_OK);
    assert_eq!(
        parse(&without),
        malformed(Malformed::MissingField("errcode"))
    );
    let without = CLOUD_OK.replace("\"errCode\": 0,", "");
    assert_eq!(
        parse(&without),
        malformed(Malformed::MissingField("errCode"))
    );
    let without = AUTHING_OK.replace("\"statusCode\": 200,", "");
    assert_eq!(
        parse_unchecked(&without),
        malformed(Malformed::MissingField("statusCode"))
    );
    for bad in [
        "null",
        "\"0\"",
        "0.0",
        "false",
        "-0",
        "1e0",
        "9223372036854775808",
    ] {
        let text = WECHAT_OK.replace("\"errcode\": 0", &format!("\"errcode\": {bad}"));
        assert_eq!(
            parse(&text),
            malformed(Malformed::Json(JsonProblem::Shape)),
            "{bad}"
        );
    }
}

#[test]
fn empty_or_inconsistent_phone_fields_are_refused() {
    let replacements = [
        ("\"phoneNumber\": \"13580006666\"", "\"phoneNumber\": \"\""),
        (
            "\"purePhoneNumber\": \"13580006666\"",
            "\"purePhoneNumber\": \"\"",
        ),
        ("\"countryCode\": 86", "\"countryCode\": \"\""),
        (
            "\"phoneNumber\": \"13580006666\"",
            "\"phoneNumber\": \"13580006667\"",
        ),
        (
            "\"purePhoneNumber\": \"13580006666\"",
            "\"purePhoneNumber\": \"135 8000 6666\"",
        ),
        ("\"phoneNumber\": \"13580006666\",", ""),
        ("\"purePhoneNumber\": \"13580006666\",", ""),
        ("\"countryCode\": 86,", ""),
        (
            "\"phoneNumber\": \"13580006666\"",
            "\"phoneNumber\": 13580006666",
        ),
    ];
    for (from, to) in replacements {
        let text = WECHAT_OK.replacen(from, to, 1);
        assert_ne!(text, WECHAT_OK, "{from}");
        assert_eq!(
            parse(&text),
            malformed(Malformed::Json(JsonProblem::Shape)),
            "{to}"
        );
    }
    let empty = r#"{"errcode":0,"phone_info":{"watermark":{"timestamp":1637744274,"appid":"wx4f4bc4dec97d474b"}}}"#;
    assert_eq!(parse(empty), malformed(Malformed::Json(JsonProblem::Shape)));
    assert_eq!(
        parse_unchecked(r#"{"statusCode":200,"data":{}}"#),
        malformed(Malformed::Json(JsonProblem::Shape))
    );
    let authing = AUTHING_OK.replace("\"+8618812348888\"", "\"\"");
    assert_eq!(
        parse_unchecked(&authing),
        malformed(Malformed::Json(JsonProblem::Shape))
    );
}

#[test]
fn duplicate_keys_are_refused_at_every_depth() {
    // A success followed by an error code must not be read as a success.
    let text = WECHAT_OK.replacen('{', "{\"errcode\": 40029,", 1);
    assert_eq!(
        parse(&text),
        malformed(Malformed::Json(JsonProblem::DuplicateKey))
    );
    let text = r#"{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":86,"watermark":{"timestamp":1637744274,"appid":"wx4f4bc4dec97d474b"}},"errcode":40029}"#;
    assert_eq!(
        parse(text),
        malformed(Malformed::Json(JsonProblem::DuplicateKey))
    );
    let cases = [
        (
            "\"phoneNumber\"",
            "\"phoneNumber\": \"18812348888\", \"phoneNumber\"",
        ),
        ("\"appid\"", "\"appid\": \"wxdaa2ab9ef87b5497\", \"appid\""),
        ("\"errmsg\"", "\"errmsg\": \"a\", \"errmsg\""),
    ];
    for (from, to) in cases {
        let text = WECHAT_OK.replacen(from, to, 1);
        assert_eq!(
            parse(&text),
            malformed(Malformed::Json(JsonProblem::DuplicateKey)),
            "{to}"
        );
        assert_eq!(
            parse_unchecked(&text),
            malformed(Malformed::Json(JsonProblem::DuplicateKey))
        );
    }
    let text = CODE2SESSION_OK.replacen(
        "\"session_key\"",
        "\"session_key\":\"lyY4HPQbaOYzZdG+JcYK9w==\",\"session_key\"",
        1,
    );
    assert!(matches!(
        parse_code2session(&text),
        Err(ApiError::Malformed(Malformed::Json(
            JsonProblem::DuplicateKey
        )))
    ));
}

#[test]
fn fields_of_no_shape_or_of_two_shapes_are_refused() {
    for text in [
        "{}",
        r#"{"errcode":0,"errCode":0}"#,
        r#"{"errmsg":"ok","statusCode":200}"#,
        r#"{"phone_info":{},"phoneInfo":{}}"#,
        CODE2SESSION_OK,
    ] {
        assert_eq!(parse(text), malformed(Malformed::UnknownShape), "{text}");
    }
}

#[test]
fn oversize_response_is_refused_before_parsing() {
    // Garbage: refused for its size, not for its syntax.
    let huge = "x".repeat(DEFAULT_MAX_RESPONSE_LEN + 1);
    let too_large = ApiError::TooLarge {
        len: DEFAULT_MAX_RESPONSE_LEN + 1,
        max: DEFAULT_MAX_RESPONSE_LEN,
    };
    assert_eq!(parse(&huge).unwrap_err(), too_large);
    assert_eq!(parse_code2session(&huge).unwrap_err(), too_large);
    assert_eq!(
        too_large.to_string(),
        "the response is too large: 65537 bytes, the limit is 65536"
    );
    // At the limit exactly, it is parsed (and refused as garbage).
    let at_limit = &huge[1..];
    assert_eq!(
        parse(at_limit),
        malformed(Malformed::Json(JsonProblem::Syntax))
    );
    // A valid response padded with whitespace to just over the limit.
    let padded = format!("{WECHAT_OK}{}", " ".repeat(DEFAULT_MAX_RESPONSE_LEN));
    assert!(matches!(parse(&padded), Err(ApiError::TooLarge { .. })));
    let v = Validation::new(APPID);
    let small = PhoneResponseParser::new(&v).with_max_len(100);
    assert_eq!(
        small.parse_at(WECHAT_OK, now()).unwrap_err(),
        ApiError::TooLarge {
            len: WECHAT_OK.len(),
            max: 100
        }
    );
}

#[test]
fn garbage_is_named_and_never_ok() {
    let cases = [
        ("", Malformed::Json(JsonProblem::Syntax)),
        ("   ", Malformed::Json(JsonProblem::Syntax)),
        ("{", Malformed::Json(JsonProblem::Syntax)),
        ("}", Malformed::Json(JsonProblem::Syntax)),
        ("{'errcode':0}", Malformed::Json(JsonProblem::Syntax)),
        ("\u{feff}{}", Malformed::Json(JsonProblem::Syntax)),
        ("null", Malformed::Json(JsonProblem::NotAnObject)),
        ("[]", Malformed::Json(JsonProblem::NotAnObject)),
        ("\"ok\"", Malformed::Json(JsonProblem::NotAnObject)),
        ("0", Malformed::Json(JsonProblem::NotAnObject)),
        ("{} {}", Malformed::Json(JsonProblem::Syntax)),
        (
            "<html>502 Bad Gateway</html>",
            Malformed::Json(JsonProblem::Syntax),
        ),
    ];
    for (text, kind) in cases {
        assert_eq!(parse(text), malformed(kind), "{text:?}");
        assert!(
            matches!(parse_code2session(text), Err(ApiError::Malformed(k)) if k == kind),
            "{text:?}"
        );
    }
    let deep = format!(
        r#"{{"errcode":0,"x":{}{}}}"#,
        "[".repeat(100),
        "]".repeat(100)
    );
    assert_eq!(
        parse(&deep),
        malformed(Malformed::Json(JsonProblem::TooDeep))
    );
}

#[test]
fn every_truncation_of_every_response_is_an_error() {
    for full in ALL {
        let full = full.trim_end();
        for (cut, _) in full.char_indices() {
            let text = &full[..cut];
            assert!(parse_unchecked(text).is_err(), "{text:?}");
            assert!(parse_code2session(text).is_err(), "{text:?}");
        }
    }
}

/// What an `Ok` must always satisfy: non-empty, consistent phone data.
fn assert_consistent(phone: &PhoneNumber) {
    let pure = phone.pure_phone_number();
    assert!(!pure.is_empty() && pure.bytes().all(|b| b.is_ascii_digit()));
    let digits: String = phone
        .phone_number()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    assert!(digits.ends_with(pure));
    assert!(!phone.country_code().is_empty());
    assert!(phone.country_code().bytes().all(|b| b.is_ascii_digit()));
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        if let Ok(parsed) = parse_unchecked(&text) {
            assert_consistent(&parsed.phone.payload);
        }
        if let Ok(session) = parse_code2session(&text) {
            prop_assert!(!session.openid.is_empty());
        }
    }

    #[test]
    fn edited_responses_never_panic_and_ok_is_consistent(
        which in 0..ALL.len(),
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), prop::sample::select(&[
                "", "{", "}", "\"", ",", ":", "0", "-1", "null", "\"\"", "[", "]", "\\", "x",
                "\"errcode\":1,", "\"phone_info\":", "\u{0}", "é",
            ][..])),
            1..4,
        ),
    ) {
        let mut text = ALL[which].to_owned();
        for (at, insert) in edits {
            let mut cut = at.index(text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            // Replace one character (when there is one) with the insert.
            let end = text[cut..].chars().next().map_or(cut, |c| cut + c.len_utf8());
            text.replace_range(cut..end, insert);
        }
        for parsed in [parse(&text), parse_unchecked(&text)].into_iter().flatten() {
            assert_consistent(&parsed.phone.payload);
        }
        if let Ok(session) = parse_code2session(&text) {
            prop_assert!(!session.openid.is_empty());
        }
    }
}

// ----- The watermark -----

#[test]
fn watermark_of_another_mini_program_is_refused() {
    let other = Validation::new("wxdaa2ab9ef87b5497");
    for text in [WECHAT_OK, CLOUD_OK] {
        let error = PhoneResponseParser::new(&other)
            .parse_at(text, now())
            .unwrap_err();
        assert_eq!(
            error,
            ApiError::Watermark(Error::AppIdMismatch {
                expected: "wxdaa2ab9ef87b5497".into(),
                found: APPID.into()
            })
        );
        assert_eq!(error.code(), None);
        let message = error.to_string();
        assert!(
            message.starts_with("the phone data's watermark is refused: watermark appid"),
            "{message}"
        );
        assert!(!message.contains("13580006666"), "{message}");
        assert!(std::error::Error::source(&error).is_some());
    }
}

#[test]
fn old_and_future_watermarks_are_refused() {
    let v = Validation::new(APPID);
    let parser = PhoneResponseParser::new(&v);
    // One hour plus five minutes of leeway is the default limit.
    assert!(
        parser
            .parse_at(WECHAT_OK, UnixTime::from_secs(T + 3900))
            .is_ok()
    );
    assert_eq!(
        parser.parse_at(WECHAT_OK, UnixTime::from_secs(T + 3901)),
        Err(ApiError::Watermark(Error::Expired {
            timestamp: T,
            now: T + 3901,
            max_age: 3600
        }))
    );
    assert_eq!(
        parser.parse_at(CLOUD_OK, UnixTime::from_secs(T - 301)),
        Err(ApiError::Watermark(Error::FromFuture {
            timestamp: T,
            now: T - 301,
            leeway: 300
        }))
    );
}

#[test]
fn watermark_missing_from_phone_data_follows_the_validation() {
    let text = r#"{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":86}}"#;
    assert_eq!(
        parse(text),
        Err(ApiError::Watermark(Error::MissingWatermark))
    );
    let null = text.replace("86}", "86,\"watermark\":null}");
    assert_ne!(null, text);
    assert_eq!(
        parse(&null),
        Err(ApiError::Watermark(Error::MissingWatermark))
    );
    let parsed = parse_accepting_no_watermark(text).unwrap();
    assert_eq!(parsed.phone.watermark, None);
    assert_eq!(fields(&parsed.phone.payload), sample_phone());
    assert_eq!(parse_unchecked(text).unwrap().phone.watermark, None);
}

#[test]
fn without_a_check_the_watermark_is_not_returned_but_must_be_well_formed() {
    // Another appid and an old time pass, and no watermark is returned.
    let other = WECHAT_OK.replace(APPID, "wxdaa2ab9ef87b5497");
    let parsed = PhoneResponseParser::without_watermark_check()
        .parse_at(&other, UnixTime::from_secs(u64::MAX))
        .unwrap();
    assert_eq!(parsed.phone.watermark, None);
    assert_eq!(fields(&parsed.phone.payload), sample_phone());
    // A watermark of the wrong shape is still malformed.
    for (from, to) in [
        ("\"timestamp\": 1637744274", "\"timestamp\": \"1637744274\""),
        ("\"timestamp\": 1637744274", "\"timestamp\": -1"),
        ("\"appid\": \"wx4f4bc4dec97d474b\"", "\"appid\": 1"),
        ("\"timestamp\": 1637744274,", ""),
    ] {
        let text = WECHAT_OK.replace(from, to);
        assert_ne!(text, WECHAT_OK);
        assert_eq!(
            parse_unchecked(&text),
            malformed(Malformed::Json(JsonProblem::Shape)),
            "{to}"
        );
    }
}

// ----- Requests -----

/// The code in seed 003's curl example.
const SEED_CODE: &str = "e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144";

#[test]
fn getuserphonenumber_request_is_exact() {
    let token = AccessToken::new("ACCESS_TOKEN").unwrap();
    let request = HttpRequest::get_user_phone_number(&token, SEED_CODE).unwrap();
    assert_eq!(request.method(), Method::Post);
    assert_eq!(request.method().to_string(), "POST");
    assert_eq!(
        request.url(),
        "https://api.weixin.qq.com/wxa/business/getuserphonenumber?access_token=ACCESS_TOKEN"
    );
    assert_eq!(request.content_type(), Some("application/json"));
    assert_eq!(
        request.body(),
        Some(r#"{"code":"e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144"}"#)
    );
    // The same JSON value as the seed's curl body.
    let seed_body: serde_json::Value = serde_json::from_str(
        r#"{"code": "e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144"}"#,
    )
    .unwrap();
    let ours: serde_json::Value = serde_json::from_str(request.body().unwrap()).unwrap();
    assert_eq!(ours, seed_body);
}

#[test]
fn hostile_token_and_code_cannot_change_the_request() {
    let token = AccessToken::new("ACCESS_TOKEN&appid=evil#frag /é+%=").unwrap();
    let code = "e31\"},\"code\":\"x\\u0041é";
    let request = HttpRequest::get_user_phone_number(&token, code).unwrap();
    // python3: urllib.parse.quote('ACCESS_TOKEN&appid=evil#frag /é+%=', safe='-._~')
    assert_eq!(
        request.url(),
        "https://api.weixin.qq.com/wxa/business/getuserphonenumber\
         ?access_token=ACCESS_TOKEN%26appid%3Devil%23frag%20%2F%C3%A9%2B%25%3D"
    );
    // python3: json.dumps({"code": code}, ensure_ascii=False, separators=(',', ':'))
    assert_eq!(
        request.body(),
        Some(r#"{"code":"e31\"},\"code\":\"x\\u0041é"}"#)
    );
    let body: serde_json::Value = serde_json::from_str(request.body().unwrap()).unwrap();
    assert_eq!(body.as_object().unwrap().len(), 1);
    assert_eq!(body["code"], code);
}

#[test]
fn code2session_request_is_exact_and_encoded() {
    let secret = AppSecret::new("s3cr3t/+=").unwrap();
    let request = HttpRequest::code2session(APPID, &secret, "081aBc&js_code=x").unwrap();
    assert_eq!(request.method(), Method::Get);
    assert_eq!(request.method().as_str(), "GET");
    // python3: urllib.parse.quote(value, safe='-._~') for each value.
    assert_eq!(
        request.url(),
        "https://api.weixin.qq.com/sns/jscode2session?appid=wx4f4bc4dec97d474b\
         &secret=s3cr3t%2F%2B%3D&js_code=081aBc%26js_code%3Dx&grant_type=authorization_code"
    );
    assert_eq!(request.body(), None);
    assert_eq!(request.content_type(), None);
}

#[test]
fn authing_request_is_exact() {
    let connection = AuthingConnection::new("https://example.authing.cn/", "my-wxapp").unwrap();
    assert_eq!(connection.app_host(), "https://example.authing.cn");
    assert_eq!(connection.ext_idp_connidentifier(), "my-wxapp");
    let request = HttpRequest::authing_phone(&connection, "c0de").unwrap();
    assert_eq!(request.method(), Method::Post);
    assert_eq!(
        request.url(),
        "https://example.authing.cn/api/v3/get-wechat-miniprogram-phone"
    );
    assert_eq!(request.content_type(), Some("application/json"));
    // python3: json.dumps({"code": "c0de", "extIdpConnidentifier": "my-wxapp"},
    //                     separators=(',', ':'))
    assert_eq!(
        request.body(),
        Some(r#"{"code":"c0de","extIdpConnidentifier":"my-wxapp"}"#)
    );
    // A hostile connection identifier stays one JSON string.
    let connection = AuthingConnection::new("https://a.example", "a\",\"code\":\"b").unwrap();
    let request = HttpRequest::authing_phone(&connection, "c").unwrap();
    let body: serde_json::Value = serde_json::from_str(request.body().unwrap()).unwrap();
    assert_eq!(body["code"], "c");
    assert_eq!(body["extIdpConnidentifier"], "a\",\"code\":\"b");
}

#[test]
fn authing_host_must_be_an_https_url() {
    for host in [
        "http://example.authing.cn",
        "https://",
        "https:///",
        "https:///path",
        "example.authing.cn",
        "https://exa mple.cn",
        "https://example.cn?x=1",
        "https://example.cn#x",
        "ftp://example.cn",
    ] {
        assert_eq!(
            AuthingConnection::new(host, "my-wxapp"),
            Err(RequestError::InvalidHost),
            "{host}"
        );
    }
    assert_eq!(
        AuthingConnection::new("", "my-wxapp"),
        Err(RequestError::Empty {
            argument: Argument::AuthingHost
        })
    );
    assert_eq!(
        AuthingConnection::new("https://example.cn", ""),
        Err(RequestError::Empty {
            argument: Argument::ExtIdpConnidentifier
        })
    );
    assert!(AuthingConnection::new("https://auth.example.cn/tenant", "x").is_ok());
    assert_eq!(
        RequestError::InvalidHost.to_string(),
        "the Authing app host must be an https:// URL without whitespace, query or fragment"
    );
}

#[test]
fn request_arguments_are_checked_without_echoing_them() {
    let token = AccessToken::new("ACCESS_TOKEN").unwrap();
    let secret = AppSecret::new("secret").unwrap();
    let cases: [(Result<(), RequestError>, RequestError, &str); 9] = [
        (
            AccessToken::new("").map(drop),
            RequestError::Empty {
                argument: Argument::AccessToken,
            },
            "access_token is empty",
        ),
        (
            AccessToken::new("TOKEN\r\nHost: evil").map(drop),
            RequestError::ControlCharacter {
                argument: Argument::AccessToken,
            },
            "access_token contains a control character",
        ),
        (
            AccessToken::new(&"T".repeat(2049)).map(drop),
            RequestError::TooLong {
                argument: Argument::AccessToken,
                len: 2049,
                max: 2048,
            },
            "access_token is too long: 2049 bytes, the limit is 2048",
        ),
        (
            HttpRequest::get_user_phone_number(&token, "").map(drop),
            RequestError::Empty {
                argument: Argument::Code,
            },
            "code is empty",
        ),
        (
            HttpRequest::get_user_phone_number(&token, "CODE\u{7f}").map(drop),
            RequestError::ControlCharacter {
                argument: Argument::Code,
            },
            "code contains a control character",
        ),
        (
            HttpRequest::get_user_phone_number(&token, &"c".repeat(513)).map(drop),
            RequestError::TooLong {
                argument: Argument::Code,
                len: 513,
                max: 512,
            },
            "code is too long: 513 bytes, the limit is 512",
        ),
        (
            AppSecret::new("SECRET\u{85}").map(drop),
            RequestError::ControlCharacter {
                argument: Argument::AppSecret,
            },
            "secret contains a control character",
        ),
        (
            HttpRequest::code2session("", &secret, "CODE").map(drop),
            RequestError::Empty {
                argument: Argument::AppId,
            },
            "appid is empty",
        ),
        (
            HttpRequest::code2session(APPID, &secret, "CODE\n").map(drop),
            RequestError::ControlCharacter {
                argument: Argument::JsCode,
            },
            "js_code contains a control character",
        ),
    ];
    for (result, expected, message) in cases {
        assert_eq!(result, Err(expected));
        assert_eq!(expected.to_string(), message);
        for value in ["TOKEN", "CODE", "SECRET", "evil"] {
            assert!(!format!("{expected:?}").contains(value));
        }
    }
    // A code of exactly 512 bytes and a token of 2048 are fine.
    let long_token = AccessToken::new(&"T".repeat(2048)).unwrap();
    assert!(HttpRequest::get_user_phone_number(&long_token, &"c".repeat(512)).is_ok());
}

#[test]
fn request_debug_redacts_token_secret_and_codes() {
    let token = AccessToken::new("TOKEN-abc").unwrap();
    assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
    let request = HttpRequest::get_user_phone_number(&token, "CODE-xyz").unwrap();
    let debug = format!("{request:?}");
    assert_eq!(
        debug,
        "HttpRequest { method: Post, \
         url: \"https://api.weixin.qq.com/wxa/business/getuserphonenumber?access_token=[redacted]\", \
         content_type: Some(\"application/json\"), body: Some([redacted, 19 bytes]) }"
    );
    let secret = AppSecret::new("SECRET-abc").unwrap();
    assert_eq!(format!("{secret:?}"), "AppSecret([redacted])");
    let request = HttpRequest::code2session(APPID, &secret, "JSCODE-xyz").unwrap();
    let debug = format!("{request:?}");
    assert!(
        !debug.contains("SECRET") && !debug.contains("JSCODE"),
        "{debug}"
    );
    assert!(
        debug.contains(
            "?appid=wx4f4bc4dec97d474b&secret=[redacted]&js_code=[redacted]\
             &grant_type=authorization_code"
        ),
        "{debug}"
    );
    let connection = AuthingConnection::new("https://example.authing.cn", "my-wxapp").unwrap();
    let request = HttpRequest::authing_phone(&connection, "CODE-xyz").unwrap();
    let debug = format!("{request:?}");
    assert!(!debug.contains("CODE"), "{debug}");
    assert!(debug.contains("get-wechat-miniprogram-phone"), "{debug}");
}

// ----- code2session -----

#[test]
fn code2session_gives_a_key_that_decrypts_the_official_sample() {
    let session = parse_code2session(CODE2SESSION_OK).unwrap();
    assert_eq!(session.openid, "oGZUI0egBJY1zhBYw2KhdUfwVJJE");
    assert_eq!(
        session.unionid.as_deref(),
        Some("ocMvos6NjeKLIBqg5Mr9QjxrP1FA")
    );
    // The key is checked by what it does, not by looking at it.
    let vectors = vectors::real_world();
    let sample = vectors::entry(&vectors, "decrypts", "official-wxbizdatacrypt-userinfo");
    let iv = Iv::from_base64(vectors::text(sample, "iv")).unwrap();
    let data = EncryptedData::from_base64(vectors::text(sample, "encrypted_data")).unwrap();
    let user = wxdecrypt::decrypt_at::<UserInfo>(
        &session.session_key,
        &iv,
        &data,
        &Validation::new(APPID),
        UnixTime::from_secs(1_477_314_187),
    )
    .unwrap();
    assert_eq!(user.payload.nick_name(), "Band");
    assert_eq!(user.payload.open_id(), Some(session.openid.as_str()));
}

#[test]
fn code2session_with_an_escaped_slash_in_the_key_is_read() {
    // JSON may write `/` as `\/`; the key from real-world.json's Senparc
    // sample holds one.
    let text = r#"{"openid":"o1","session_key":"\/mGmINZAe+7k6kNz32wxSw=="}"#;
    let session = parse_code2session(text).unwrap();
    let vectors = vectors::real_world();
    let sample = vectors::entry(&vectors, "decrypts", "senparc-userinfo-cjk");
    assert_eq!(
        vectors::text(sample, "session_key"),
        "/mGmINZAe+7k6kNz32wxSw=="
    );
    let iv = Iv::from_base64(vectors::text(sample, "iv")).unwrap();
    let data = EncryptedData::from_base64(vectors::text(sample, "encrypted_data")).unwrap();
    let validation = Validation::new(vectors::text(sample, "appid")).without_max_age();
    let user =
        wxdecrypt::decrypt_at::<UserInfo>(&session.session_key, &iv, &data, &validation, now());
    assert!(user.is_ok(), "{user:?}");
}

#[test]
fn code2session_debug_shows_no_key_and_no_ids() {
    let session = parse_code2session(CODE2SESSION_OK).unwrap();
    assert_eq!(
        format!("{session:?}"),
        "Code2Session { openid: [redacted], session_key: SessionKey([redacted]), \
         unionid: Some([redacted]) }"
    );
    let without =
        parse_code2session(r#"{"openid":"o","session_key":"tiihtNczf5v6AKRyjwEUhQ=="}"#).unwrap();
    assert!(format!("{without:?}").ends_with("unionid: None }"));
}

#[test]
fn code2session_with_a_bad_key_is_a_typed_error_that_does_not_echo_it() {
    let cases = [
        // The sample key without its padding.
        (
            "tiihtNczf5v6AKRyjwEUhQ",
            Error::DamagedBase64 {
                field: Field::SessionKey,
                damage: wxdecrypt::Damage::MissingPadding,
                position: None,
            },
        ),
        // Base64 of the 15 bytes "sekretkey123456".
        (
            "c2VrcmV0a2V5MTIzNDU2",
            Error::WrongLength {
                field: Field::SessionKey,
                len: 15,
            },
        ),
        (
            "tiihtNczf5v6AKRyjwEUh!==",
            Error::InvalidBase64 {
                field: Field::SessionKey,
                position: None,
            },
        ),
    ];
    for (key, expected) in cases {
        let text = format!(r#"{{"openid":"o","session_key":"{key}"}}"#);
        let error = parse_code2session(&text).unwrap_err();
        assert_eq!(error, ApiError::SessionKey(expected), "{key}");
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(!shown.contains(key), "{shown}");
            assert!(!shown.contains(&key[..8]), "{shown}");
        }
        assert!(
            error.to_string().starts_with(
                "the session_key in the code2session response is refused: session_key"
            ),
            "{error}"
        );
    }
}

#[test]
fn code2session_errors_and_missing_fields() {
    assert_eq!(
        parse_code2session(CODE2SESSION_40029).unwrap_err(),
        ApiError::InvalidCode
    );
    // An error code wins over a session key in the same response.
    let text =
        r#"{"errcode":45011,"errmsg":"x","openid":"o","session_key":"tiihtNczf5v6AKRyjwEUhQ=="}"#;
    assert_eq!(parse_code2session(text).unwrap_err(), ApiError::RateLimited);
    // errcode 0 is a success, as is no errcode at all.
    let text =
        r#"{"errcode":0,"errmsg":"ok","openid":"o","session_key":"tiihtNczf5v6AKRyjwEUhQ=="}"#;
    assert!(parse_code2session(text).is_ok());
    let missing = |field| Err(ApiError::Malformed(Malformed::MissingField(field)));
    let cases = [
        (r#"{"session_key":"tiihtNczf5v6AKRyjwEUhQ=="}"#, "openid"),
        (
            r#"{"openid":"","session_key":"tiihtNczf5v6AKRyjwEUhQ=="}"#,
            "openid",
        ),
        (
            r#"{"openid":null,"session_key":"tiihtNczf5v6AKRyjwEUhQ=="}"#,
            "openid",
        ),
        (r#"{"openid":"o"}"#, "session_key"),
        (r#"{"openid":"o","session_key":""}"#, "session_key"),
        (r#"{"openid":"o","session_key":null}"#, "session_key"),
        (r#"{"errcode":0}"#, "openid"),
    ];
    for (text, field) in cases {
        assert_eq!(
            parse_code2session(text).map(|s| s.openid),
            missing(field),
            "{text}"
        );
    }
    for text in [
        r#"{"openid":"o","session_key":16}"#,
        r#"{"openid":1,"session_key":"tiihtNczf5v6AKRyjwEUhQ=="}"#,
        r#"{"openid":"o","session_key":"tiihtNczf5v6AKRyjwEUhQ==","unionid":2}"#,
        r#"{"errcode":"40029"}"#,
        r#"{"errcode":null,"openid":"o","session_key":"tiihtNczf5v6AKRyjwEUhQ=="}"#,
    ] {
        assert_eq!(
            parse_code2session(text).map(|s| s.openid),
            Err(ApiError::Malformed(Malformed::Json(JsonProblem::Shape))),
            "{text}"
        );
    }
    let text = r#"{"openid":"o","session_key":"tiihtNczf5v6AKRyjwEUhQ==","unionid":""}"#;
    assert_eq!(parse_code2session(text).unwrap().unionid, None);
}

// ----- Messages and types -----

#[test]
fn malformed_messages_are_pinned() {
    let cases = [
        (
            Malformed::Json(JsonProblem::Syntax),
            "malformed response: not JSON",
        ),
        (
            Malformed::Json(JsonProblem::NotAnObject),
            "malformed response: not a JSON object",
        ),
        (
            Malformed::Json(JsonProblem::DuplicateKey),
            "malformed response: a key appears twice in one object",
        ),
        (
            Malformed::Json(JsonProblem::TooDeep),
            "malformed response: nested too deeply",
        ),
        (
            Malformed::Json(JsonProblem::Shape),
            "malformed response: a field has the wrong type or an invalid value",
        ),
        (
            Malformed::UnknownShape,
            "malformed response: not a getuserphonenumber, cloud call or Authing response \
             (or fields of several)",
        ),
        (
            Malformed::OtherKind {
                expected: ResponseKind::Authing,
                found: ResponseKind::CloudCall,
            },
            "malformed response: a response of kind cloud call where Authing was expected",
        ),
        (
            Malformed::MissingField("phone_info"),
            "malformed response: phone_info is missing, null or empty",
        ),
    ];
    for (kind, message) in cases {
        let error = ApiError::Malformed(kind);
        assert_eq!(error.to_string(), message);
        assert_eq!(error.code(), None);
        assert!(!error.is_retryable());
        assert!(std::error::Error::source(&error).is_none());
    }
}

#[test]
fn api_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<ApiError>();
    check::<RequestError>();
    check::<HttpRequest>();
    check::<AccessToken>();
    check::<AppSecret>();
    check::<AuthingConnection>();
    check::<PhoneResponse>();
    check::<PhoneResponseParser<'static>>();
    check::<wxdecrypt::api::Code2Session>();
}
