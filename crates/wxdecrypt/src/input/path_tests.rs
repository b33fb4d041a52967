//! The parser's two paths agree: the inlined first path that
//! `session_key`, `iv` and `encrypted_data` try (canonical or strict text)
//! gives what the general path gives (the shared checks, the lenient repair
//! and the error explanations), in strict and in lenient mode, on valid
//! text, on every one-character edit of it, and on random text.

use proptest::prelude::*;

use super::{EncryptedData, InputParser};
use crate::error::Error;

const KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
const IV: &str = "r7BXXKkLb8qrSNn05n0qiA==";
/// 160 bytes of `encryptedData` (WxJava issue 666's, intact).
const DATA: &str = "SoMlHIchlE03nBR+c2FSwJKI8v/cOpON1Bf/lzxRu+kLZpwOOUhMDss0WtFFKZ+EIDkt1/oLz7KqiqxFCPBdksiMEQQuB/ZVDbnXKRDSYldLb5fZItJVX0dLSOs2rPIebW2RqNmeiSV/RFC2Gy8Rt4SLS3lOz1VtOOBfQX1XA3ke9cUV3xP60p1HjEhlptTbIfSNSi4lmDY5vKf7Hcc51w==";

fn parsers() -> [InputParser; 2] {
    [InputParser::new(), InputParser::new().lenient()]
}

/// The key's bytes or its error (a `SessionKey` is not comparable).
fn key_bytes(result: Result<super::SessionKey, Error>) -> Result<[u8; 16], Error> {
    result.map(|key| *key.expose())
}

fn assert_paths_agree(parser: InputParser, text: &str) {
    assert_eq!(
        key_bytes(parser.session_key(text)),
        key_bytes(parser.session_key_general(text)),
        "key {text:?}, lenient {}",
        parser.is_lenient()
    );
    assert_eq!(
        parser.iv(text),
        parser.iv_general(text),
        "iv {text:?}, lenient {}",
        parser.is_lenient()
    );
    assert_eq!(
        parser.encrypted_data(text),
        parser.encrypted_data_general(text),
        "data {text:?}, lenient {}",
        parser.is_lenient()
    );
}

/// Each character replaced, in turn, by characters that test every check:
/// outside the alphabet, a space (the lenient repair's `+`), the URL-safe
/// alphabet, an early `=`, and valid characters that break trailing bits.
fn one_character_edits(text: &str) -> impl Iterator<Item = String> + '_ {
    (0..text.len()).flat_map(move |at| {
        ["!", " ", "-", "_", "=", "A", "B", "/", "\n", "é"]
            .into_iter()
            .map(move |c| format!("{}{c}{}", &text[..at], &text[at + 1..]))
    })
}

#[test]
fn on_valid_text_and_every_one_character_edit() {
    for parser in parsers() {
        for text in [KEY, IV, DATA] {
            assert_paths_agree(parser, text);
            for edited in one_character_edits(text) {
                assert_paths_agree(parser, &edited);
            }
        }
    }
}

#[test]
fn on_lengths_around_the_expected_ones() {
    for parser in parsers() {
        for text in [KEY, IV, DATA] {
            for len in 0..=text.len() + 8 {
                let cut: String = text.chars().cycle().take(len).collect();
                assert_paths_agree(parser, &cut);
            }
        }
    }
}

/// The size limit on `encryptedData` at its exact value, either side.
#[test]
fn at_the_size_limit() {
    for max in [DATA.len() - 4, DATA.len() - 1, DATA.len(), DATA.len() + 4] {
        for parser in parsers() {
            let parser = parser.with_max_encrypted_data_len(max);
            assert_paths_agree(parser, DATA);
            let ok = parser.encrypted_data(DATA).is_ok();
            assert_eq!(ok, DATA.len() <= max, "max {max}");
        }
    }
    // The first path's own verdict, next to the general path's: strict
    // text exactly at the limit is taken as it is.
    let exact = InputParser::new().with_max_encrypted_data_len(DATA.len());
    assert_eq!(
        exact.encrypted_data(DATA).map(|data| data.decoded_len()),
        Ok(160)
    );
}

#[test]
fn on_empty_text() {
    for parser in parsers() {
        assert_paths_agree(parser, "");
        assert!(matches!(
            parser.encrypted_data(""),
            Err(Error::Empty { .. })
        ));
        assert_eq!(
            EncryptedData::from_base64("").unwrap_err(),
            parser.encrypted_data_general("").unwrap_err()
        );
    }
}

proptest! {
    #[test]
    fn on_random_text_near_the_alphabet(
        text in proptest::collection::vec(
            prop_oneof![
                16 => proptest::sample::select(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".to_vec()
                ),
                2 => Just(b'='),
                1 => Just(b' '),
                1 => Just(b'-'),
                1 => Just(b'%'),
                1 => Just(b'\n'),
            ],
            0..80,
        )
    ) {
        let text = String::from_utf8(text).unwrap();
        for parser in parsers() {
            assert_paths_agree(parser, &text);
        }
    }
}
