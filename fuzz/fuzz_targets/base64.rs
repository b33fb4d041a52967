//! Base64: strict and lenient decoding never panic; strict decoding accepts
//! exactly what the `base64` crate's standard engine accepts (at the right
//! length) and gives the same bytes; lenient decoding gives the same result
//! as strict wherever strict accepts, and only ever yields text that strict
//! decoding accepts.
//!
//! `encryptedData` is fuzzed twice: as given, and cut or repeated to a
//! length that decodes to whole AES blocks (24, 44, 64... characters, the
//! selector choosing how many and whether the padding is put in), so that
//! most inputs reach the decoder. There the library's split decoder (its
//! own front quads, the crate's blocks) is checked against the crate on the
//! whole text, bytes and verdict, by an assertion compiled in for fuzzing.
//!
//! Input: one selector byte (key, iv, encryptedData, block-aligned
//! encryptedData) and the text.
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use wxdecrypt::{EncryptedData, InputParser, Iv, SessionKey, Stage, UnixTime, Validation};
use wxdecrypt_fuzz::APPID;
use wxdecrypt_testkit::encrypt::{b64, encrypt};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let reference = base64::engine::general_purpose::STANDARD.decode(text).ok();
    let lenient = InputParser::new().lenient();
    match selector % 4 {
        0 => {
            let strict = SessionKey::from_base64(text);
            let repaired = lenient.session_key(text);
            let expected: Option<[u8; 16]> = reference.and_then(|bytes| bytes.try_into().ok());
            assert_eq!(
                strict.is_ok(),
                expected.is_some(),
                "key acceptance differs from base64"
            );
            if let Some(bytes) = expected {
                assert!(
                    same_key(&strict.expect("accepted"), bytes),
                    "strict key bytes differ"
                );
                let repaired = repaired.expect("lenient refused a key that strict accepts");
                assert!(same_key(&repaired, bytes), "lenient key bytes differ");
            }
        }
        1 => {
            let strict = Iv::from_base64(text);
            let repaired = lenient.iv(text);
            let expected: Option<[u8; 16]> = reference.and_then(|bytes| bytes.try_into().ok());
            assert_eq!(strict.as_ref().ok().map(Iv::as_bytes), expected.as_ref());
            if strict.is_ok() {
                assert_eq!(repaired.ok(), strict.ok(), "lenient iv differs from strict");
            }
        }
        3 => {
            // 16 to 512 bytes' worth of characters, from the text repeated.
            let blocks = 1 + usize::from(selector >> 2 & 0x1f);
            let len = (16 * blocks).div_ceil(3) * 4;
            let mut bytes: Vec<u8> = text.bytes().cycle().take(len).collect();
            if bytes.len() < len {
                return;
            }
            if selector & 0x80 != 0 {
                let padding = len / 4 * 3 - 16 * blocks;
                for b in bytes.iter_mut().rev().take(padding) {
                    *b = b'=';
                }
            }
            let Ok(text) = String::from_utf8(bytes) else {
                return;
            };
            let expected = base64::engine::general_purpose::STANDARD
                .decode(&text)
                .ok()
                .filter(|bytes| bytes.len() == 16 * blocks);
            let strict = EncryptedData::from_base64(&text);
            assert_eq!(
                strict.as_ref().is_ok_and(decodes),
                expected.is_some(),
                "block-aligned data acceptance differs from base64"
            );
        }
        _ => {
            // `EncryptedData` checks the length and alignment when it is
            // made and decodes when it is decrypted: both count here.
            let strict = EncryptedData::from_base64(text);
            let repaired = lenient.encrypted_data(text);
            let expected = reference.filter(|bytes| {
                !bytes.is_empty()
                    && bytes.len() % 16 == 0
                    && text.len() <= InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN
            });
            let strict_ok = strict.as_ref().is_ok_and(decodes);
            assert_eq!(
                strict_ok,
                expected.is_some(),
                "data acceptance differs from base64"
            );
            if let (Ok(strict), Some(bytes)) = (&strict, &expected) {
                assert_eq!(strict.decoded_len(), bytes.len());
                let repaired = repaired
                    .as_ref()
                    .expect("lenient refused data that strict accepts");
                assert_eq!(repaired.as_base64(), strict.as_base64());
            }
            // Lenient repairs yield text that strict parsing takes as it is
            // (characters that no repair explains fail later, at decoding).
            if let Ok(repaired) = &repaired {
                let again = EncryptedData::from_base64(repaired.as_base64())
                    .expect("lenient output is strict input");
                assert_eq!(again.decoded_len(), repaired.decoded_len());
                assert_eq!(decodes(&again), decodes(repaired));
            }
        }
    }
});

/// Whether `data` gets past base64 decoding (any later failure is fine).
fn decodes(data: &EncryptedData<'_>) -> bool {
    let validation = Validation::new(APPID);
    let key = SessionKey::from_bytes([0; 16]);
    wxdecrypt::decrypt_raw_at(
        &key,
        &Iv::from_bytes([0; 16]),
        data,
        &validation,
        UnixTime::from_secs(0),
    )
    .map_or_else(|error| error.stage() != Stage::Input, |_| true)
}

/// Whether `key` holds `bytes`: a payload encrypted under `bytes` decrypts
/// under `key`. (The crate never exposes a key's bytes.)
fn same_key(key: &SessionKey, bytes: [u8; 16]) -> bool {
    let iv = [7u8; 16];
    let ciphertext = b64(&encrypt(&bytes, &iv, br#"{"probe":true}"#));
    let Ok(data) = EncryptedData::from_base64(&ciphertext) else {
        return false;
    };
    let validation = Validation::new(APPID).accept_missing_watermark();
    wxdecrypt::decrypt_raw_at(
        key,
        &Iv::from_bytes(iv),
        &data,
        &validation,
        UnixTime::from_secs(0),
    )
    .is_ok()
}
