//! Arbitrary plaintext with valid padding, through parsing and validation:
//! accepted only when it is a well-formed payload, as an independent
//! reading (serde_json plus duplicate-key, depth and watermark checks)
//! judges it; raw and phone payloads are also accepted whenever that
//! reading accepts them.
//!
//! The same plaintext with its padding made wrong (each way of it, chosen by
//! the input) must give exactly `Error::Decryption` from every entry point,
//! whatever the text before it would earn: no policy error and no success
//! may tell a wrong padding from a right one.
//!
//! Input: `appid\nnow\nplaintext..`, where `now` is decimal Unix seconds; the
//! plaintext is encrypted under a fixed key and iv.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use wxdecrypt::{
    Error, GroupEnterInfo, Iv, PhoneNumber, SessionKey, ShareInfo, Stage, UnixTime, UserInfo,
    Validation, WeRunData,
};
use wxdecrypt_fuzz::{decimal, fields, reference_country_code, watermark_ok};
use wxdecrypt_testkit::encrypt::{b64, encrypt, encrypt_blocks, pkcs7};
use wxdecrypt_testkit::reference::object as reference_object;

const KEY: [u8; 16] = *b"fuzz-session-key";
const IV: [u8; 16] = *b"fuzz-initial-vec";

fuzz_target!(|data: &[u8]| {
    let Some([appid, now, plaintext]) = fields::<3>(data) else {
        return;
    };
    let (Ok(appid), Some(now)) = (std::str::from_utf8(appid), decimal(now)) else {
        return;
    };
    if appid.is_empty() {
        return;
    }
    let data_text = b64(&encrypt(&KEY, &IV, plaintext));
    let Ok(data) = wxdecrypt::EncryptedData::from_base64(&data_text) else {
        return; // over the size limit
    };
    let key = SessionKey::from_bytes(KEY);
    let iv = Iv::from_bytes(IV);
    let validation = Validation::new(appid);
    let clock = UnixTime::from_secs(now);

    let reference = std::str::from_utf8(plaintext)
        .ok()
        .and_then(reference_object);
    // Whether the reading accepts the watermark under the default policy.
    let watermark_ok = reference
        .as_ref()
        .is_some_and(|object| watermark_ok(object, appid, now));

    let raw = wxdecrypt::decrypt_raw_at(&key, &iv, &data, &validation, clock);
    match &raw {
        Ok(decrypted) => {
            assert!(
                watermark_ok,
                "raw: accepted a payload the reference refuses"
            );
            assert_eq!(decrypted.payload.as_str().as_bytes(), plaintext);
        }
        Err(error) => {
            assert!(
                !watermark_ok,
                "raw: refused a well-formed payload with {error:?}"
            );
            expect_clean(error, reference.is_some());
        }
    }

    let phone = wxdecrypt::decrypt_at::<PhoneNumber>(&key, &iv, &data, &validation, clock);
    let expected_phone = reference.as_ref().and_then(reference_phone);
    match &phone {
        Ok(decrypted) => {
            assert!(
                watermark_ok,
                "phone: accepted a payload the reference refuses"
            );
            let (shown, pure, code) = expected_phone.expect("phone: accepted an invalid phone");
            assert_eq!(decrypted.payload.phone_number(), shown);
            assert_eq!(decrypted.payload.pure_phone_number(), pure);
            assert_eq!(decrypted.payload.country_code(), code);
        }
        Err(error) => {
            assert!(
                !(watermark_ok && expected_phone.is_some()),
                "phone: refused a valid phone payload with {error:?}"
            );
            expect_clean(error, reference.is_some());
        }
    }

    let value = wxdecrypt::decrypt_at::<Value>(&key, &iv, &data, &validation, clock);
    if let Ok(decrypted) = &value {
        let object = reference
            .as_ref()
            .expect("value: accepted a malformed payload");
        assert_eq!(&decrypted.payload, &Value::Object(object.clone()));
    }

    // The other payload types: accepted only on a well-formed payload, and
    // the fields they return are the reference's.
    if let Ok(decrypted) = wxdecrypt::decrypt_at::<UserInfo>(&key, &iv, &data, &validation, clock) {
        assert!(watermark_ok);
        let object = reference
            .as_ref()
            .expect("user info: accepted a malformed payload");
        assert_eq!(
            object.get("nickName").and_then(Value::as_str),
            Some(decrypted.payload.nick_name())
        );
        assert_eq!(
            object.get("openId").and_then(Value::as_str),
            decrypted.payload.open_id()
        );
    }
    if let Ok(decrypted) = wxdecrypt::decrypt_at::<WeRunData>(&key, &iv, &data, &validation, clock)
    {
        assert!(watermark_ok);
        let object = reference
            .as_ref()
            .expect("werun: accepted a malformed payload");
        let list = object
            .get("stepInfoList")
            .and_then(Value::as_array)
            .expect("werun list");
        assert_eq!(list.len(), decrypted.payload.step_info_list.len());
        for (item, step) in list.iter().zip(&decrypted.payload.step_info_list) {
            assert_eq!(item.get("step").and_then(Value::as_u64), Some(step.step));
            assert_eq!(
                item.get("timestamp").and_then(Value::as_u64),
                Some(step.timestamp)
            );
        }
    }
    if let Ok(decrypted) = wxdecrypt::decrypt_at::<ShareInfo>(&key, &iv, &data, &validation, clock)
    {
        assert!(watermark_ok);
        let object = reference
            .as_ref()
            .expect("share: accepted a malformed payload");
        assert_eq!(
            object.get("openGId").and_then(Value::as_str),
            Some(decrypted.payload.open_gid.as_str())
        );
    }
    if wxdecrypt::decrypt_at::<GroupEnterInfo>(&key, &iv, &data, &validation, clock).is_ok() {
        assert!(
            watermark_ok,
            "group: accepted a payload the reference refuses"
        );
    }

    // The same plaintext with a wrong padding.
    let bad_text = b64(&encrypt_blocks(&KEY, &IV, &wrong_padding(plaintext)));
    let Ok(bad) = wxdecrypt::EncryptedData::from_base64(&bad_text) else {
        return;
    };
    let results = [
        wxdecrypt::decrypt_raw_at(&key, &iv, &bad, &validation, clock).map(drop),
        wxdecrypt::decrypt_at::<PhoneNumber>(&key, &iv, &bad, &validation, clock).map(drop),
        wxdecrypt::decrypt_at::<UserInfo>(&key, &iv, &bad, &validation, clock).map(drop),
        wxdecrypt::decrypt_at::<Value>(&key, &iv, &bad, &validation, clock).map(drop),
        wxdecrypt::decrypt_at::<WeRunData>(&key, &iv, &bad, &validation, clock).map(drop),
    ];
    for result in results {
        assert_eq!(
            result,
            Err(Error::Decryption),
            "a wrong padding answered otherwise"
        );
    }
});

/// `plaintext` padded, then the padding made wrong in a way the plaintext's
/// length picks: a last byte of 0, a last byte above 16, or (for pads of 2
/// bytes or more) another pad byte changed.
fn wrong_padding(plaintext: &[u8]) -> Vec<u8> {
    let mut padded = pkcs7(plaintext);
    let last = padded.len() - 1;
    let pad = usize::from(padded[last]);
    let choice = plaintext.len() % 3;
    if choice == 0 {
        padded[last] = 0;
    } else if choice == 1 || pad < 2 {
        padded[last] = 17 + u8::try_from(plaintext.len() % 239).unwrap_or(0);
    } else {
        padded[last - 1 - plaintext.len() % (pad - 1)] ^= 0x40;
    }
    padded
}

/// A refusal is `Error::Decryption` for a malformed payload, and a policy
/// error (appid, age, missing watermark) or `Error::Decryption` (wrong shape,
/// malformed watermark) for a well-formed one.
fn expect_clean(error: &Error, well_formed: bool) {
    if well_formed {
        assert!(
            matches!(error.stage(), Stage::Policy) || matches!(error, Error::Decryption),
            "{error:?}"
        );
    } else {
        assert!(
            matches!(error, Error::Decryption),
            "a malformed payload gave {error:?}"
        );
    }
}

/// The reference phone fields: `(phoneNumber, purePhoneNumber, country
/// code)` when they obey the phone rule (see round_trip.rs).
fn reference_phone(object: &serde_json::Map<String, Value>) -> Option<(String, String, String)> {
    let shown = object.get("phoneNumber")?.as_str()?;
    let pure = object.get("purePhoneNumber")?.as_str()?;
    let code = reference_country_code(object.get("countryCode")?)?;
    let code_ok = match object.get("countryCode")? {
        Value::String(_) => {
            (1..=4).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())
        }
        _ => code.parse::<u64>().is_ok_and(|n| (1..10_000).contains(&n)),
    };
    let pure_ok = (1..=20).contains(&pure.len()) && pure.bytes().all(|b| b.is_ascii_digit());
    let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
    let rest = shown.strip_prefix('+').unwrap_or(shown);
    let shown_ok = shown.len() <= 32
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || " -()".contains(c));
    (code_ok && pure_ok && shown_ok && digits.ends_with(pure))
        .then(|| (shown.to_owned(), pure.to_owned(), code))
}
