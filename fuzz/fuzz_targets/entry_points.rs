//! Every public entry point on arbitrary input: never a panic, and every
//! error's message stays free of the session key.
//!
//! Input: either an `--input` file of the CLI (anything starting with `{`),
//! which goes through the CLI's own parser and then through decryption as
//! the CLI would run it; or newline-separated fields
//! `flags\nsession_key\niv\nencryptedData\nappid`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxdecrypt::{
    EncryptedData, Error, GroupEnterInfo, InputParser, Iv, PhoneNumber, SessionKey, ShareInfo,
    UnixTime, UserInfo, Validation, WeRunData,
};
use wxdecrypt_cli::input as cli_input;

fuzz_target!(|data: &[u8]| {
    if data.first() == Some(&b'{') {
        // `check-signature --input` shares the parser; only its verdict here.
        if let Ok(file) = cli_input::parse_signature(data)
            && let Ok(key) = SessionKey::from_base64(&file.session_key)
        {
            let _ = wxdecrypt::verify_raw_data(&key, &file.raw_data, &file.signature);
        }
        if let Ok(file) = cli_input::parse(data) {
            let flags = file.appid.len() as u8;
            run(
                flags,
                &file.session_key,
                &file.iv,
                &file.encrypted_data,
                &file.appid,
            );
        }
        return;
    }
    let Some([flags, key, iv, encrypted, appid]) = wxdecrypt_fuzz::fields::<5>(data) else {
        return;
    };
    let (Ok(key), Ok(iv), Ok(encrypted), Ok(appid)) = (
        std::str::from_utf8(key),
        std::str::from_utf8(iv),
        std::str::from_utf8(encrypted),
        std::str::from_utf8(appid),
    ) else {
        return;
    };
    run(
        flags.first().copied().unwrap_or(0),
        key,
        iv,
        encrypted,
        appid,
    );
});

/// Parses the three inputs with the parser `flags` picks and decrypts them
/// as every payload type the crate has.
fn run(flags: u8, key_text: &str, iv_text: &str, data_text: &str, appid: &str) {
    // The plain constructors are the strict parser.
    let strict = (
        SessionKey::from_base64(key_text),
        Iv::from_base64(iv_text),
        EncryptedData::from_base64(data_text),
    );
    let parser = if flags & 1 == 0 {
        InputParser::new()
    } else {
        InputParser::new().lenient()
    };
    let parser = parser.with_max_encrypted_data_len(usize::from(flags >> 4) * 512 + 64);
    let key = parser.session_key(key_text);
    let iv = parser.iv(iv_text);
    let data = parser.encrypted_data(data_text);
    for error in [key.as_ref().err(), strict.0.as_ref().err()]
        .into_iter()
        .flatten()
    {
        assert_key_not_shown(error, key_text, appid);
    }
    if flags & 1 == 0 {
        assert_eq!(key.is_ok(), strict.0.is_ok());
        assert_eq!(iv.as_ref().ok(), strict.1.as_ref().ok());
    }
    let (Ok(key), Ok(iv), Ok(data)) = (key, iv, data) else {
        return;
    };
    let mut validation = Validation::new(appid);
    if flags & 2 != 0 {
        validation = validation.accept_missing_watermark();
    }
    if flags & 4 != 0 {
        validation = validation.without_max_age();
    }
    let now = UnixTime::from_secs(u64::from(flags) * 100_000_000);
    let results: [Option<Error>; 7] = [
        wxdecrypt::decrypt_at::<PhoneNumber>(&key, &iv, &data, &validation, now).err(),
        wxdecrypt::decrypt_at::<UserInfo>(&key, &iv, &data, &validation, now).err(),
        wxdecrypt::decrypt_at::<WeRunData>(&key, &iv, &data, &validation, now).err(),
        wxdecrypt::decrypt_at::<ShareInfo>(&key, &iv, &data, &validation, now).err(),
        wxdecrypt::decrypt_at::<GroupEnterInfo>(&key, &iv, &data, &validation, now).err(),
        wxdecrypt::decrypt_at::<serde_json::Value>(&key, &iv, &data, &validation, now).err(),
        wxdecrypt::decrypt_raw_at(&key, &iv, &data, &validation, now).err(),
    ];
    for error in results.iter().flatten() {
        assert_key_not_shown(error, key_text, appid);
        // Every error sorts into a stage, and its message is one line.
        let _ = error.stage();
        assert!(!error.to_string().contains('\n'));
    }
}

/// No error message may contain the key's text. Checked only for text that
/// looks like a key (16 characters or more, no space, a digit, `+` or `/`),
/// so that a key spelled like a word of a message is not a false alarm; and
/// `AppIdMismatch`, which shows the appid by design, is not held to it when
/// the fuzzer put the key text into the appid.
fn assert_key_not_shown(error: &Error, key_text: &str, appid: &str) {
    let looks_like_key = key_text.len() >= 16
        && !key_text.contains(' ')
        && key_text
            .bytes()
            .any(|b| b.is_ascii_digit() || b == b'+' || b == b'/');
    // (Escaped as `{:?}` escapes it, an appid may spell the key too: a tab
    // followed by `iiht...` is shown as `\\tiiht...`.)
    let shows_appid = matches!(error, Error::AppIdMismatch { .. })
        && (appid.contains(key_text) || format!("{appid:?}").contains(key_text));
    if looks_like_key && !shows_appid {
        assert!(
            !error.to_string().contains(key_text),
            "an error message shows the session key: {error:?}"
        );
        assert!(
            !format!("{error:?}").contains(key_text),
            "an error's Debug shows the session key"
        );
    }
}
