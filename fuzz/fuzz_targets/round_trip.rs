//! Round trip: a payload encrypted under a known key and iv, then decrypted,
//! comes back exactly, or is refused with a clean error exactly when an
//! independent reading (serde_json plus a duplicate-key and depth check)
//! refuses it.
//!
//! Input: `key[16] iv[16] mode[1] payload..`. With an even mode byte the
//! payload bytes are the plaintext as they are; with an odd one they are
//! cut into the fields of a phone payload with a valid watermark, written
//! out by serde_json (compact or pretty), so that most runs reach the typed
//! path and must be accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use wxdecrypt::{EncryptedData, Error, Iv, PhoneNumber, SessionKey, UnixTime, Validation};
use wxdecrypt_fuzz::APPID;
use wxdecrypt_testkit::encrypt::{b64, encrypt};
use wxdecrypt_testkit::reference::object as reference_object;

/// The clock of every check; the phone payloads' watermark is 100 s old.
const NOW: u64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    if data.len() < 33 {
        return;
    }
    let key: [u8; 16] = data[..16].try_into().expect("16 bytes");
    let iv: [u8; 16] = data[16..32].try_into().expect("16 bytes");
    let mode = data[32];
    let payload = &data[33..];
    if mode & 1 == 0 {
        raw(&key, &iv, payload);
    } else {
        phone(&key, &iv, mode, payload);
    }
});

/// Decrypts `plaintext` as raw text under a validation that takes a missing
/// watermark and any age.
fn raw(key: &[u8; 16], iv: &[u8; 16], plaintext: &[u8]) {
    let validation = Validation::new(APPID)
        .accept_missing_watermark()
        .without_max_age();
    let Some(result) = run(key, iv, plaintext, |k, i, d| {
        wxdecrypt::decrypt_raw_at(k, i, d, &validation, UnixTime::from_secs(u64::MAX))
    }) else {
        return;
    };
    let reference = std::str::from_utf8(plaintext)
        .ok()
        .and_then(reference_object);
    match (result, reference) {
        (Ok(decrypted), Some(object)) => {
            assert_eq!(
                decrypted.payload.as_str().as_bytes(),
                plaintext,
                "round trip changed the text"
            );
            // Accepted with a watermark only if it names our appid.
            if let Some(mark) = object.get("watermark") {
                assert_eq!(mark.get("appid").and_then(Value::as_str), Some(APPID));
                assert!(mark.get("timestamp").and_then(Value::as_u64).is_some());
                assert!(decrypted.watermark.is_some());
            } else {
                assert!(decrypted.watermark.is_none());
            }
        }
        (Ok(_), None) => panic!("accepted a plaintext that the reference refuses"),
        (Err(Error::Decryption), None) => {}
        (Err(error), Some(object)) => {
            // Only the watermark may make a well-formed object fail.
            let mark = object
                .get("watermark")
                .expect("refused a well-formed object without a watermark");
            let good_shape = mark.get("appid").is_some_and(Value::is_string)
                && mark.get("timestamp").is_some_and(Value::is_u64);
            if good_shape {
                assert!(
                    matches!(error, Error::AppIdMismatch { .. }),
                    "a well-formed watermark refused with {error:?}"
                );
                assert_ne!(mark.get("appid").and_then(Value::as_str), Some(APPID));
            } else {
                assert!(matches!(error, Error::Decryption), "{error:?}");
            }
        }
        (Err(error), None) => panic!("a malformed plaintext gave {error:?}, not Error::Decryption"),
    }
}

/// Builds a phone payload from `bytes`, encrypts it, and checks that it
/// decrypts to the same fields when they satisfy the phone rule.
fn phone(key: &[u8; 16], iv: &[u8; 16], mode: u8, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let mut parts = text.splitn(3, '\u{1}');
    let shown = parts.next().unwrap_or_default();
    let pure = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    let country: Value = if mode & 2 == 0 {
        Value::String(code.to_owned())
    } else {
        code.parse::<u64>()
            .map_or_else(|_| Value::String(code.to_owned()), Value::from)
    };
    let document = json!({
        "phoneNumber": shown,
        "purePhoneNumber": pure,
        "countryCode": country,
        "watermark": { "timestamp": NOW - 100, "appid": APPID },
    });
    let plaintext = if mode & 4 == 0 {
        serde_json::to_string(&document)
    } else {
        serde_json::to_string_pretty(&document)
    }
    .expect("serde_json writes a Value");
    let validation = Validation::new(APPID);
    let Some(result) = run(key, iv, plaintext.as_bytes(), |k, i, d| {
        wxdecrypt::decrypt_at::<PhoneNumber>(k, i, d, &validation, UnixTime::from_secs(NOW))
    }) else {
        return;
    };
    let expected = reference_phone(shown, pure, &country);
    match (result, expected) {
        (Ok(decrypted), Some(code)) => {
            let phone = decrypted.payload;
            assert_eq!(phone.phone_number(), shown);
            assert_eq!(phone.pure_phone_number(), pure);
            assert_eq!(phone.country_code(), code);
            assert_eq!(
                decrypted.watermark.map(|w| w.timestamp.as_secs()),
                Some(NOW - 100)
            );
        }
        (Err(Error::Decryption), None) => {}
        (result, expected) => panic!(
            "phone payload: got {:?}, the reference expected {}",
            result.map(|d| d.payload),
            if expected.is_some() {
                "acceptance"
            } else {
                "Error::Decryption"
            }
        ),
    }
}

/// The phone rule, written out independently: `purePhoneNumber` is 1 to 20
/// ASCII digits, `phoneNumber` is at most 32 characters of digits, spaces,
/// `-`, parentheses and one leading `+`, its digits end with the pure
/// number, and the country
/// code is 1 to 4 digits (a string, optionally with `+`, or a number from 1
/// to 9999). Returns the normalised country code.
fn reference_phone(shown: &str, pure: &str, country: &Value) -> Option<String> {
    let pure_ok = (1..=20).contains(&pure.len()) && pure.bytes().all(|b| b.is_ascii_digit());
    let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
    let code = match country {
        Value::String(text) => {
            let digits = text.strip_prefix('+').unwrap_or(text);
            ((1..=4).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.to_owned())
        }
        Value::Number(number) => number
            .as_u64()
            .filter(|n| (1..10_000).contains(n))
            .map(|n| n.to_string()),
        _ => None,
    }?;
    (pure_ok && shown_ok(shown) && digits.ends_with(pure)).then_some(code)
}

/// Whether `phoneNumber` is written as a phone number is (see above).
fn shown_ok(shown: &str) -> bool {
    let rest = shown.strip_prefix('+').unwrap_or(shown);
    shown.len() <= 32
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || " -()".contains(c))
}

/// Encrypts, base64-encodes and parses the inputs strictly, then runs
/// `decrypt` on them; `None` when the ciphertext is over the size limit
/// (only with a `-max_len` far above real payloads).
fn run<R>(
    key: &[u8; 16],
    iv: &[u8; 16],
    plaintext: &[u8],
    decrypt: impl FnOnce(&SessionKey, &Iv, &EncryptedData<'_>) -> Result<R, Error>,
) -> Option<Result<R, Error>> {
    let key_text = b64(key);
    let iv_text = b64(iv);
    let data_text = b64(&encrypt(key, iv, plaintext));
    let key = SessionKey::from_base64(&key_text).expect("a valid key");
    let iv = Iv::from_base64(&iv_text).expect("a valid iv");
    match EncryptedData::from_base64(&data_text) {
        Ok(data) => Some(decrypt(&key, &iv, &data)),
        // Only the size limit may refuse what was encrypted here.
        Err(error) => {
            assert!(matches!(error, Error::TooLarge { .. }), "{error:?}");
            None
        }
    }
}
