//! The offline diagnosis on arbitrary input: never a panic, no key text in
//! its report, and a verdict that agrees with the production path.
//!
//! Input: a mode byte, then either `key\niv\nencryptedData\nappid` (mode
//! even: arbitrary texts) or `appid\nnow\nplaintext` (mode odd: a plaintext
//! encrypted under a fixed key and iv, so that most runs reach the
//! plaintext, payload and watermark stages).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxdecrypt::diagnose::{DiagnoseInput, DiagnoseOptions};
use wxdecrypt::{EncryptedData, Iv, SessionKey, Stage, UnixTime, Validation};
use wxdecrypt_fuzz::{decimal, fields, text_fields};
use wxdecrypt_testkit::encrypt::{b64, encrypt};

const KEY: [u8; 16] = *b"fuzz-session-key";
const IV: [u8; 16] = *b"fuzz-initial-vec";

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        let Some([key, iv, encrypted, appid]) = text_fields::<4>(rest) else {
            return;
        };
        check(
            key,
            iv,
            encrypted,
            appid,
            u64::from(mode) * 10_000_000,
            true,
        );
    } else {
        let Some([appid, now, plaintext]) = fields::<3>(rest) else {
            return;
        };
        let (Ok(appid), Some(now)) = (std::str::from_utf8(appid), decimal(now)) else {
            return;
        };
        let data = b64(&encrypt(&KEY, &IV, plaintext));
        // The plaintext is the fuzzer's: it may quote the fixed key's text, which
        // the report then shows as a value (an appid, say): no key check here.
        check(&b64(&KEY), &b64(&IV), &data, appid, now, false);
    }
});

/// Diagnoses the inputs and compares the verdict with `decrypt_raw_at`
/// under the same validation; with `check_key`, the report must not show
/// the key text.
fn check(key: &str, iv: &str, encrypted: &str, appid: &str, now: u64, check_key: bool) {
    let validation = Validation::new(appid);
    let options = DiagnoseOptions::new(validation.clone());
    let input = DiagnoseInput {
        session_key: key,
        iv,
        encrypted_data: encrypted,
    };
    let now = UnixTime::from_secs(now);
    let diagnosis = wxdecrypt::diagnose::diagnose_at(&input, &options, now);
    let report = format!("{diagnosis}\n{diagnosis:?}\n{input:?}");
    // The appid may be shown, as it is or escaped as `{:?}` escapes it: its
    // occurrences are taken out first.
    let escaped = format!("{appid:?}");
    let escaped = &escaped[1..escaped.len() - 1];
    let report = if appid.is_empty() {
        report
    } else {
        report.replace(escaped, "").replace(appid, "")
    };
    let looks_like_key = check_key
        && key.len() >= 16
        && !key.contains(' ')
        && key
            .bytes()
            .any(|b| b.is_ascii_digit() || b == b'+' || b == b'/');
    if looks_like_key {
        assert!(
            !report.contains(key),
            "the diagnosis shows the key {key:?}:\n{report}"
        );
    }
    // The verdict agrees with production: valid exactly when the strict
    // path accepts the inputs as some payload, and never when it refuses
    // them.
    let production = match (
        SessionKey::from_base64(key),
        Iv::from_base64(iv),
        EncryptedData::from_base64(encrypted),
    ) {
        (Ok(k), Ok(i), Ok(d)) => wxdecrypt::decrypt_raw_at(&k, &i, &d, &validation, now),
        (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => Err(e),
    };
    if diagnosis.is_valid() {
        assert!(
            production.is_ok(),
            "diagnosed valid, production refuses: {:?}",
            production.err()
        );
    }
    if let Err(error) = &production {
        assert!(!diagnosis.is_valid(), "production refuses with {error:?}");
        // Input errors are decided the same way on both paths, both ways.
        if error.stage() == Stage::Input {
            assert_eq!(diagnosis.stage(), Some(Stage::Input), "{diagnosis}");
        }
    }
    if diagnosis.stage() == Some(Stage::Input) {
        assert!(
            production
                .as_ref()
                .is_err_and(|e| e.stage() == Stage::Input),
            "diagnosed an input error, production gives {:?}",
            production.as_ref().err()
        );
    }
}
