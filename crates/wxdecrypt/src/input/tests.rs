//! The input parser's tests: strict parsing and its error messages, the
//! lenient repair, and the fixed-size codecs checked against the `base64`
//! and `base64ct` crates.

use super::*;
use crate::error::Damage;

const KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
const IV: &str = "r7BXXKkLb8qrSNn05n0qiA==";
/// WxJava issue 666: real encryptedData after a form decode turned its
/// three `+` into spaces, and the same text intact.
const AS_REPORTED: &str = "SoMlHIchlE03nBR c2FSwJKI8v/cOpON1Bf/lzxRu kLZpwOOUhMDss0WtFFKZ EIDkt1/oLz7KqiqxFCPBdksiMEQQuB/ZVDbnXKRDSYldLb5fZItJVX0dLSOs2rPIebW2RqNmeiSV/RFC2Gy8Rt4SLS3lOz1VtOOBfQX1XA3ke9cUV3xP60p1HjEhlptTbIfSNSi4lmDY5vKf7Hcc51w==";
const INTACT: &str = "SoMlHIchlE03nBR+c2FSwJKI8v/cOpON1Bf/lzxRu+kLZpwOOUhMDss0WtFFKZ+EIDkt1/oLz7KqiqxFCPBdksiMEQQuB/ZVDbnXKRDSYldLb5fZItJVX0dLSOs2rPIebW2RqNmeiSV/RFC2Gy8Rt4SLS3lOz1VtOOBfQX1XA3ke9cUV3xP60p1HjEhlptTbIfSNSi4lmDY5vKf7Hcc51w==";

fn lenient() -> InputParser {
    InputParser::new().lenient()
}

#[test]
fn official_key_and_iv_decode_to_their_bytes() {
    let key = SessionKey::from_base64(KEY).unwrap();
    assert_eq!(
        key.expose(),
        &[
            0xb6, 0x28, 0xa1, 0xb4, 0xd7, 0x33, 0x7f, 0x9b, 0xfa, 0x00, 0xa4, 0x72, 0x8f, 0x01,
            0x14, 0x85
        ]
    );
    let iv = Iv::from_base64(IV).unwrap();
    assert_eq!(iv.as_bytes()[..4], [0xaf, 0xb0, 0x57, 0x5c]);
}

#[test]
fn session_key_debug_is_redacted() {
    let key = SessionKey::from_base64(KEY).unwrap();
    assert_eq!(format!("{key:?}"), "SessionKey([redacted])");
}

#[test]
fn raw_sixteen_byte_iv_is_reported_as_wrong_length() {
    // 16 characters of text: the iv was used without base64-decoding.
    assert_eq!(
        Iv::from_base64("0123456789abcdef").unwrap_err(),
        Error::WrongLength {
            field: Field::Iv,
            len: 12
        }
    );
}

#[test]
fn unpadded_24_characters_are_reported_as_18_bytes() {
    assert_eq!(
        Iv::from_base64("r7BXXKkLb8qrSNn05n0qiAAA").unwrap_err(),
        Error::WrongLength {
            field: Field::Iv,
            len: 18
        }
    );
}

#[test]
fn double_encoded_key_is_reported_as_wrong_length() {
    // base64 of the base64 text: 24 bytes once decoded.
    assert_eq!(
        SessionKey::from_base64("dGlpaHROY3pmNXY2QUtSeWp3RVVoUT09").unwrap_err(),
        Error::WrongLength {
            field: Field::SessionKey,
            len: 24
        }
    );
}

#[test]
fn space_in_iv_gets_the_plus_hint_with_position() {
    assert_eq!(
        Iv::from_base64("r7BXXKkLb8qrSNn05n0qiA ==").unwrap_err(),
        Error::SpaceInBase64 {
            field: Field::Iv,
            position: Some(22)
        }
    );
}

#[test]
fn space_in_key_gets_the_plus_hint_without_position() {
    assert_eq!(
        SessionKey::from_base64("lyY4HPQbaOYzZdG JcYK9w==").unwrap_err(),
        Error::SpaceInBase64 {
            field: Field::SessionKey,
            position: None
        }
    );
}

#[test]
fn invalid_key_character_is_not_located() {
    assert_eq!(
        SessionKey::from_base64("tiihtNczf5v6AKRyjwEUh!==").unwrap_err(),
        Error::InvalidBase64 {
            field: Field::SessionKey,
            position: None
        }
    );
}

#[test]
fn non_canonical_trailing_bits_are_rejected_strictly() {
    // "hR" and "hQ" decode to the same byte; only "hQ" is canonical.
    assert!(SessionKey::from_base64("tiihtNczf5v6AKRyjwEUhR==").is_err());
    assert!(matches!(
        Iv::from_base64("r7BXXKkLb8qrSNn05n0qiB=="),
        Err(Error::InvalidBase64 {
            field: Field::Iv,
            ..
        })
    ));
}

#[test]
fn missing_padding_is_rejected_strictly_and_repaired_leniently() {
    assert!(Iv::from_base64("r7BXXKkLb8qrSNn05n0qiA").is_err());
    assert_eq!(
        lenient().iv("r7BXXKkLb8qrSNn05n0qiA").unwrap(),
        Iv::from_base64(IV).unwrap()
    );
}

/// The lenient mode restores lost padding with as many `=` as the length
/// needs: two after 22 characters (16 bytes), one after 43 (32 bytes).
#[test]
fn lost_padding_is_restored_with_one_or_two_equals_signs() {
    let two = "A".repeat(22);
    assert_eq!(
        lenient().encrypted_data(&two).unwrap().as_base64(),
        format!("{two}==")
    );
    let one = "A".repeat(43);
    let data = lenient().encrypted_data(&one).unwrap();
    assert_eq!(data.as_base64(), format!("{one}="));
    assert_eq!(data.decoded_len(), 32);
}

#[test]
fn encrypted_data_shape_is_checked_before_decoding() {
    assert_eq!(
        EncryptedData::from_base64("AAAA").unwrap_err(),
        Error::NotBlockAligned { len: 3 }
    );
    assert_eq!(
        EncryptedData::from_base64("AAAAA").unwrap_err(),
        Error::DamagedBase64 {
            field: Field::EncryptedData,
            damage: Damage::MissingPadding,
            position: None
        }
    );
    assert_eq!(
        EncryptedData::from_base64("AAAA!").unwrap_err(),
        Error::InvalidBase64 {
            field: Field::EncryptedData,
            position: None
        }
    );
    let ok = EncryptedData::from_base64(INTACT).unwrap();
    assert_eq!(ok.decoded_len(), 160);
}

#[test]
fn oversized_encrypted_data_is_refused_before_decoding() {
    let huge = "!".repeat(InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN + 1);
    assert_eq!(
        EncryptedData::from_base64(&huge).unwrap_err(),
        Error::TooLarge {
            field: Field::EncryptedData,
            len: InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN + 1,
            max: InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN
        }
    );
    let small = InputParser::new().with_max_encrypted_data_len(100);
    assert!(matches!(
        small.encrypted_data(INTACT),
        Err(Error::TooLarge { max: 100, .. })
    ));
    assert!(matches!(
        Iv::from_base64(&"A".repeat(1000)),
        Err(Error::TooLarge {
            field: Field::Iv,
            ..
        })
    ));
}

/// The caps at their exact values: the largest text accepted and the
/// shortest refused, in strict and lenient mode.
#[test]
fn size_caps_hold_at_their_exact_values() {
    let max = InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN;
    assert_eq!(max, 65_536);
    for parser in [InputParser::new(), lenient()] {
        // 65,536 characters of `A` decode to 49,152 bytes: whole blocks.
        let largest = "A".repeat(max);
        let data = parser
            .encrypted_data(&largest)
            .expect("the cap itself is accepted");
        assert_eq!(data.decoded_len(), 49_152);
        for len in [max + 1, max + 4] {
            assert_eq!(
                parser.encrypted_data(&"A".repeat(len)).unwrap_err(),
                Error::TooLarge {
                    field: Field::EncryptedData,
                    len,
                    max
                },
                "{len}"
            );
        }
        // A limit of the caller's: 64 accepted, 65 refused.
        let small = parser.with_max_encrypted_data_len(64);
        assert!(small.encrypted_data(&"A".repeat(64)).is_ok());
        assert!(matches!(
            small.encrypted_data(&"A".repeat(65)),
            Err(Error::TooLarge {
                len: 65,
                max: 64,
                ..
            })
        ));
        // Key and iv text: 256 characters get past the cap (and fail for
        // their length), 257 are refused by it.
        for field in [Field::SessionKey, Field::Iv] {
            let parse = |text: &str| match field {
                Field::SessionKey => parser.session_key(text).map(|_| ()),
                _ => parser.iv(text).map(|_| ()),
            };
            let at_cap = parse(&"A".repeat(256)).unwrap_err();
            assert!(
                !matches!(at_cap, Error::TooLarge { .. }),
                "{field:?}: {at_cap:?}"
            );
            assert_eq!(
                parse(&"A".repeat(257)).unwrap_err(),
                Error::TooLarge {
                    field,
                    len: 257,
                    max: 256
                },
                "{field:?}"
            );
        }
    }
}

#[test]
fn space_in_encrypted_data_is_reported_when_decoding() {
    let data = EncryptedData::from_base64(AS_REPORTED).unwrap();
    let mut out = vec![0; data.decoded_len()];
    assert_eq!(
        data.decode_into(&mut out).unwrap_err(),
        Error::SpaceInBase64 {
            field: Field::EncryptedData,
            position: Some(15)
        }
    );
}

#[test]
fn lenient_mode_repairs_wxjava_issue_666() {
    let repaired = lenient().encrypted_data(AS_REPORTED).unwrap();
    assert_eq!(repaired.as_base64(), INTACT);
}

#[test]
fn lenient_mode_leaves_valid_text_borrowed_and_unchanged() {
    let data = lenient().encrypted_data(INTACT).unwrap();
    assert!(matches!(data.text, Cow::Borrowed(_)));
    assert_eq!(data, EncryptedData::from_base64(INTACT).unwrap());
}

#[test]
fn lenient_mode_undoes_url_escapes_and_url_safe_alphabet() {
    let escaped = INTACT
        .replace('+', "%2B")
        .replacen('/', "%2f", 1)
        .replace('/', "%2F")
        .replace('=', "%3D");
    assert_eq!(
        lenient().encrypted_data(&escaped).unwrap().as_base64(),
        INTACT
    );
    let url_safe = INTACT.replace('+', "-").replace('/', "_").replace('=', "");
    assert_eq!(
        lenient().encrypted_data(&url_safe).unwrap().as_base64(),
        INTACT
    );
}

#[test]
fn lenient_mode_drops_line_wrapping_including_indentation() {
    let mut wrapped = String::new();
    for line in INTACT.as_bytes().chunks(40) {
        wrapped.push_str(std::str::from_utf8(line).unwrap());
        wrapped.push_str("\r\n    ");
    }
    assert_eq!(
        lenient().encrypted_data(&wrapped).unwrap().as_base64(),
        INTACT
    );
}

#[test]
fn lenient_mode_uses_the_length_when_spaces_are_wrapping() {
    // Spaces only (no line break) that are wrapping, not lost `+` signs:
    // read as `+` they would give a length that is not whole blocks.
    let spaced = format!("{} {}", &INTACT[..100], &INTACT[100..]);
    assert_eq!(
        lenient().encrypted_data(&spaced).unwrap().as_base64(),
        INTACT
    );
}

#[test]
fn lenient_mode_repairs_key_and_iv_spaces() {
    let key = lenient().session_key("lyY4HPQbaOYzZdG JcYK9w==").unwrap();
    assert_eq!(
        key.expose(),
        SessionKey::from_base64("lyY4HPQbaOYzZdG+JcYK9w==")
            .unwrap()
            .expose()
    );
    assert_eq!(
        lenient().iv("Cds8j3VYoGvnTp1BrjXdJg").unwrap(),
        Iv::from_base64("Cds8j3VYoGvnTp1BrjXdJg==").unwrap()
    );
}

/// Where a space could be a lost `+` or a line wrap, the decoded length
/// that the field needs decides, for each field's own rule.
#[test]
fn the_expected_length_decides_what_a_space_was() {
    // The iv: as a `+`, 24 characters and 16 bytes; removed, 23.
    assert_eq!(
        lenient().iv("r7BXXKkLb8qr Nn05n0qiA==").unwrap(),
        Iv::from_base64("r7BXXKkLb8qr+Nn05n0qiA==").unwrap()
    );
    // encryptedData wrapped with a space: as a `+`, 23 characters and 17
    // bytes; removed, 22 characters and 16 bytes, a block.
    let wrapped = format!("{} {}", "A".repeat(11), "A".repeat(11));
    assert_eq!(
        lenient().encrypted_data(&wrapped).unwrap().decoded_len(),
        16
    );
    // A reading that decodes to nothing is never taken: two spaces are
    // `++` (1 byte), not the empty text (0 bytes, a multiple of 16).
    assert_eq!(
        lenient().encrypted_data("  ").unwrap_err(),
        Error::NotBlockAligned { len: 1 }
    );
    // And a lost `+` in encryptedData: removed, 63 characters.
    let lost = format!("{} {}", "A".repeat(32), "A".repeat(31));
    assert_eq!(
        lenient().encrypted_data(&lost).unwrap().as_base64(),
        format!("{}+{}", "A".repeat(32), "A".repeat(31))
    );
}

/// In text wrapped over lines, spaces are first taken for indentation and
/// dropped; when that reading does not give the field's length and reading
/// them as lost `+` does, the `+` reading wins. For a key and an iv (16
/// bytes): dropped, the two spaces leave 20 characters (15 bytes).
#[test]
fn in_wrapped_text_the_expected_length_can_make_spaces_lost_plus_signs() {
    assert_eq!(
        lenient().iv("r7BXXKkL 8qrS\nNn05n qiA==").unwrap(),
        Iv::from_base64("r7BXXKkL+8qrSNn05n+qiA==").unwrap()
    );
    let key = lenient().session_key("lyY4HPQb OYzZ\ndG JcYK9w==").unwrap();
    assert_eq!(
        key.expose(),
        SessionKey::from_base64("lyY4HPQb+OYzZdG+JcYK9w==")
            .unwrap()
            .expose()
    );
}

/// When both readings of the spaces give whole blocks, the length cannot
/// decide and the text does: in one-line text a space is a lost `+`, in
/// text wrapped over lines it is indentation. 128 characters and 64
/// spaces: as `+`, 192 characters (144 bytes, 9 blocks); dropped, 128
/// characters (96 bytes, 6 blocks).
#[test]
fn when_the_length_cannot_decide_line_breaks_do() {
    let one_line = "AA ".repeat(64);
    assert_eq!(
        lenient().encrypted_data(&one_line).unwrap().decoded_len(),
        144
    );
    let wrapped = format!("{}\n{}", "AA ".repeat(32), "AA ".repeat(32));
    assert_eq!(
        lenient().encrypted_data(&wrapped).unwrap().decoded_len(),
        96
    );
}

/// A text that fails decoding although its shape is right is located at
/// the first character outside the alphabet (a `=` before the final
/// padding is one), or else at the last data character, whose trailing
/// bits are not zero.
#[test]
fn a_text_that_fails_decoding_is_located_at_its_first_bad_character() {
    let decode = |text: &str| {
        let data = EncryptedData::from_base64(text).unwrap();
        data.decode_into(&mut vec![0; data.decoded_len()])
            .unwrap_err()
    };
    let at = |position| Error::InvalidBase64 {
        field: Field::EncryptedData,
        position: Some(position),
    };
    assert_eq!(decode("AAAAA!AAAAAAAAAAAAAAAA=="), at(5));
    assert_eq!(decode("AAAA=AAAAAAAAAAAAAAAAA=="), at(4));
    assert_eq!(decode("AAAAAAAAAAAAAAAAAAAAAB=="), at(21));
    assert_eq!(
        Iv::from_base64("r7BXXKkLb8qrSNn05n0qiB==").unwrap_err(),
        Error::InvalidBase64 {
            field: Field::Iv,
            position: Some(21)
        }
    );
}

#[test]
fn the_parser_reports_its_settings() {
    let parser = InputParser::new();
    assert!(!parser.is_lenient());
    assert!(parser.lenient().is_lenient());
    assert_eq!(parser.max_encrypted_data_len(), 65_536);
    assert_eq!(
        parser
            .with_max_encrypted_data_len(100)
            .max_encrypted_data_len(),
        100
    );
    assert_eq!(InputParser::default(), parser);
}

#[test]
fn lenient_mode_rejects_other_percent_escapes_and_non_ascii() {
    assert_eq!(
        lenient().encrypted_data("%41AAA").unwrap_err(),
        Error::InvalidBase64 {
            field: Field::EncryptedData,
            position: Some(0)
        }
    );
    assert!(lenient().iv("r7BXXKkLb8qrSNn05n0qiA%").is_err());
    assert_eq!(
        lenient().iv("r7BXXKkLb8qrSNn05n0qiAé").unwrap_err(),
        Error::InvalidBase64 {
            field: Field::Iv,
            position: Some(22)
        }
    );
}

#[test]
fn lenient_mode_rejects_impossible_lengths() {
    assert!(lenient().encrypted_data("A").is_err());
    assert!(lenient().encrypted_data("AAAAA").is_err());
}

/// The value of `c` as the word-at-a-time decoder computes it (-1 outside
/// the alphabet), checked to be the same in all 8 bytes of a word.
fn sextet(c: u8) -> i16 {
    let (values, valid) = super::codec::sextets(0x0101_0101_0101_0101 * u64::from(c));
    let lanes = |word: u64| word.to_le_bytes();
    let value = i16::from(lanes(values)[0]);
    let valid_lanes = lanes(valid);
    for (lane, (&v, &ok)) in lanes(values).iter().zip(&valid_lanes).enumerate() {
        assert!(
            ok == 0 || ok == 0x80,
            "byte {c}: flag {ok:#x} in lane {lane}"
        );
        assert_eq!(ok, valid_lanes[0], "byte {c}: lane {lane}");
        if ok != 0 {
            assert_eq!(i16::from(v), value, "byte {c}: lane {lane}");
        }
    }
    if valid_lanes[0] == 0x80 { value } else { -1 }
}

/// The fixed-size iv decoder agrees with the base64 crate's strict
/// decoder on every input: same bytes when both accept, and it accepts
/// exactly what strict decoding of 16 bytes accepts.
mod decode_16_public_agrees_with_the_base64_crate {
    use base64::Engine as _;
    use proptest::prelude::*;

    use crate::input::codec::decode_16_public;

    fn reference(text: &[u8]) -> Option<[u8; 16]> {
        let mut out = [0u8; 16];
        match base64::engine::general_purpose::STANDARD.decode_slice(text, &mut out) {
            Ok(16) if text.len() == 24 => Some(out),
            _ => None,
        }
    }

    proptest! {
        #[test]
        fn on_encodings_of_random_bytes(bytes in any::<[u8; 16]>()) {
            let text = base64::engine::general_purpose::STANDARD.encode(bytes);
            prop_assert_eq!(decode_16_public(text.as_bytes()), Some(bytes));
        }

        #[test]
        fn on_random_text_near_the_alphabet(
            text in proptest::collection::vec(
                prop_oneof![
                    8 => proptest::sample::select(
                        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".to_vec()
                    ),
                    1 => Just(b'='),
                    1 => any::<u8>(),
                ],
                22..=26,
            )
        ) {
            let mut padded = text.clone();
            if padded.len() >= 24 {
                padded.truncate(22);
                padded.extend_from_slice(b"==");
            }
            for candidate in [&text, &padded] {
                prop_assert_eq!(decode_16_public(candidate), reference(candidate));
            }
        }
    }

    /// Two bad characters at once, anywhere: the invalid flags must not
    /// cancel.
    #[test]
    fn every_pair_of_damaged_positions_matches_the_reference() {
        let base = *b"r7BXXKkLb8qrSNn05n0qiA==";
        for i in 0..24 {
            for j in i + 1..24 {
                for (a, b) in [(b'!', b'!'), (0x80, 0xff), (b'=', b'.'), (b'B', b'!')] {
                    let mut text = base;
                    text[i] = a;
                    text[j] = b;
                    assert_eq!(
                        decode_16_public(&text),
                        reference(&text),
                        "{a} at {i}, {b} at {j}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_last_character_is_checked_for_trailing_bits() {
        let base = *b"r7BXXKkLb8qrSNn05n0qiA==";
        for c in 0..=255u8 {
            let mut text = base;
            text[21] = c;
            assert_eq!(decode_16_public(&text), reference(&text), "last char {c}");
        }
    }
}

/// The constant-time key encoder gives back the canonical text: what
/// the base64 crate encodes, and exactly the text the key was parsed from.
mod session_key_to_base64_is_canonical {
    use base64::Engine as _;
    use proptest::prelude::*;

    use super::sextet;
    use crate::input::codec::{BASE64_16_LEN, base64_char};
    use crate::input::{InputParser, SessionKey};

    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    fn reencoded(text: &[u8]) -> Option<Vec<u8>> {
        let text = std::str::from_utf8(text).ok()?;
        let key = SessionKey::from_base64(text).ok()?;
        Some(key.to_base64().to_vec())
    }

    #[test]
    fn every_sextet_maps_to_its_alphabet_character() {
        for (v, &c) in (0u32..).zip(ALPHABET) {
            assert_eq!(base64_char(v), c, "value {v}");
            assert_eq!(sextet(c), i16::try_from(v).unwrap(), "value {v}");
        }
    }

    #[test]
    fn every_byte_value_at_every_position_is_accepted_only_in_canonical_form() {
        let base = *b"tiihtNczf5v6AKRyjwEUhQ==";
        let mut accepted = 0;
        for at in 0..BASE64_16_LEN {
            for c in 0..=255u8 {
                let mut text = base;
                text[at] = c;
                if let Some(again) = reencoded(&text) {
                    assert_eq!(again, text, "byte {c} at {at}");
                    accepted += 1;
                }
            }
        }
        // 64 characters at each of the first 21 positions, 4 at the last
        // one (two data bits, four zero bits), and only `=` at each of the
        // two padding positions.
        assert_eq!(accepted, 21 * 64 + 4 + 2);
    }

    #[test]
    fn a_key_repaired_by_the_lenient_mode_gives_the_undamaged_text() {
        let key = InputParser::new()
            .lenient()
            .session_key("lyY4HPQbaOYzZdG JcYK9w")
            .unwrap();
        assert_eq!(&key.to_base64()[..], b"lyY4HPQbaOYzZdG+JcYK9w==");
    }

    proptest! {
        #[test]
        fn on_random_keys(key in any::<[u8; 16]>()) {
            let expected = base64::engine::general_purpose::STANDARD.encode(key);
            let key = SessionKey::from_bytes(key);
            prop_assert_eq!(&key.to_base64()[..], expected.as_bytes());
        }

        #[test]
        fn on_random_canonical_text(picks in any::<[u8; 22]>()) {
            // 21 free characters, then one whose low 4 bits are zero.
            let mut text: Vec<u8> = picks[..21]
                .iter()
                .map(|&p| ALPHABET[usize::from(p % 64)])
                .collect();
            text.push(b"AQgw"[usize::from(picks[21] % 4)]);
            text.extend_from_slice(b"==");
            prop_assert_eq!(reencoded(&text), Some(text));
        }
    }
}

/// The constant-time key decoder agrees with `base64ct` (a general
/// constant-time decoder) and with the base64 crate on every input.
mod decode_16_constant_time_agrees_with_base64ct {
    use base64::Engine as _;
    use base64ct::Encoding as _;
    use proptest::prelude::*;

    use super::sextet;
    use crate::input::SessionKey;
    use crate::input::codec::{BASE64_16_LEN, decode_16_constant_time};

    fn ours(text: &[u8; BASE64_16_LEN]) -> Option<[u8; 16]> {
        let mut out = [0u8; 16];
        decode_16_constant_time(text, &mut out).then_some(out)
    }

    fn reference(text: &[u8; BASE64_16_LEN]) -> Option<[u8; 16]> {
        let mut out = [0u8; 16];
        let ct_len = base64ct::Base64::decode(text, &mut out).map(<[u8]>::len);
        let ct = (ct_len == Ok(16)).then_some(out);
        let mut out2 = [0u8; 16];
        let std = base64::engine::general_purpose::STANDARD
            .decode_slice(text, &mut out2)
            .ok()
            .filter(|&n| n == 16)
            .map(|_| out2);
        assert_eq!(ct, std, "the two references disagree on {text:?}");
        ct
    }

    #[test]
    fn every_byte_value_maps_like_the_alphabet() {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for c in 0..=255u8 {
            let expected = alphabet
                .iter()
                .position(|&a| a == c)
                .map_or(-1, |i| i16::try_from(i).unwrap());
            assert_eq!(sextet(c), expected, "byte {c}");
        }
    }

    #[test]
    fn every_byte_value_at_every_position_matches_the_references() {
        let base = *b"tiihtNczf5v6AKRyjwEUhQ==";
        for at in 0..BASE64_16_LEN {
            for c in 0..=255u8 {
                let mut text = base;
                text[at] = c;
                assert_eq!(ours(&text), reference(&text), "byte {c} at {at}");
            }
        }
    }

    /// Two problems at once, anywhere: a fold of the per-character flags
    /// with `^` instead of `|` would let an even number of them cancel.
    #[test]
    fn every_pair_of_damaged_positions_matches_the_references() {
        let base = *b"tiihtNczf5v6AKRyjwEUhQ==";
        // Outside the alphabet (ASCII and not), `=` early, and `B` and `A`,
        // valid characters that break the trailing bits or the padding.
        let bytes = [b'!', 0x80, 0xff, b'=', b'B', b'A', b'.'];
        for i in 0..BASE64_16_LEN {
            for j in i + 1..BASE64_16_LEN {
                for &a in &bytes {
                    for &b in &bytes {
                        let mut text = base;
                        text[i] = a;
                        text[j] = b;
                        assert_eq!(ours(&text), reference(&text), "{a} at {i}, {b} at {j}");
                    }
                }
            }
        }
    }

    #[test]
    fn two_bad_characters_are_refused() {
        for text in [
            b"!!AAAAAAAAAAAAAAAAAAAA==",
            b"!AAAAAAA!AAAAAAAAAAAAA==",
            b"AAAAAAAAAAAAAAAAAAAA!!==",
            b"AAAAAA!AAAAAAAAAAAAAAA!=",
        ] {
            assert_eq!(ours(text), None, "{}", String::from_utf8_lossy(text));
            let text = std::str::from_utf8(text).unwrap();
            assert!(SessionKey::from_base64(text).is_err(), "{text}");
        }
    }

    proptest! {
        #[test]
        fn on_encodings_of_random_keys(key in any::<[u8; 16]>()) {
            let text = base64::engine::general_purpose::STANDARD.encode(key);
            let text: [u8; BASE64_16_LEN] = text.as_bytes().try_into().unwrap();
            prop_assert_eq!(ours(&text), Some(key));
        }

        #[test]
        fn on_random_text(text in any::<[u8; BASE64_16_LEN]>()) {
            prop_assert_eq!(ours(&text), reference(&text));
        }
    }
}

/// Strict decoding of `encryptedData` accepts exactly what the base64
/// crate's strict engine accepts, with the same bytes.
mod encrypted_data_decoding_agrees_with_the_base64_crate {
    use base64::Engine as _;
    use proptest::prelude::*;

    use crate::Error;
    use crate::input::EncryptedData;

    fn ours(text: &str) -> Option<Vec<u8>> {
        let data = EncryptedData::from_base64(text).ok()?;
        let mut out = vec![0; data.decoded_len()];
        match data.decode_into(&mut out) {
            Ok(()) => Some(out),
            Err(
                Error::InvalidBase64 { .. }
                | Error::SpaceInBase64 { .. }
                | Error::DamagedBase64 { .. },
            ) => None,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    fn reference(text: &str) -> Option<Vec<u8>> {
        let out = base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?;
        (!out.is_empty() && out.len() % 16 == 0).then_some(out)
    }

    proptest! {
        #[test]
        fn on_encodings_of_random_blocks(blocks in proptest::collection::vec(any::<[u8; 16]>(), 1..40)) {
            let bytes = blocks.concat();
            let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
            prop_assert_eq!(ours(&text), Some(bytes));
        }

        #[test]
        fn on_damaged_encodings(
            blocks in proptest::collection::vec(any::<[u8; 16]>(), 1..8),
            at in any::<prop::sample::Index>(),
            byte in prop_oneof![Just(b'='), Just(b' '), Just(b'-'), any::<u8>().prop_filter("ascii", u8::is_ascii)],
        ) {
            let mut text = base64::engine::general_purpose::STANDARD.encode(blocks.concat()).into_bytes();
            let at = at.index(text.len());
            text[at] = byte;
            let text = String::from_utf8(text).unwrap();
            prop_assert_eq!(ours(&text), reference(&text));
        }
    }
}

#[test]
fn each_kind_of_transport_damage_is_named_with_its_position() {
    let cases = [
        ("r7BXXKkLb8qrSNn05n0qiA\n==", Damage::LineBreak, Some(22)),
        (
            "r7BXXKkLb8qrSNn05n0qiA%3D%3D",
            Damage::PercentEncoded,
            Some(22),
        ),
        ("r7BXX-kLb8qrSNn05n0qiA==", Damage::UrlSafeAlphabet, Some(5)),
        ("r7BXXKkLb8qrSNn05n0qiA", Damage::MissingPadding, None),
    ];
    for (text, damage, position) in cases {
        assert_eq!(
            Iv::from_base64(text).unwrap_err(),
            Error::DamagedBase64 {
                field: Field::Iv,
                damage,
                position
            },
            "{text:?}"
        );
        assert!(lenient().iv(text).is_ok(), "lenient mode repairs {text:?}");
    }
}

#[test]
fn damage_in_the_key_is_named_without_position() {
    assert_eq!(
        SessionKey::from_base64("tiihtNczf5v6AKRyjwEUhQ%3D%3D").unwrap_err(),
        Error::DamagedBase64 {
            field: Field::SessionKey,
            damage: Damage::PercentEncoded,
            position: None
        }
    );
    assert_eq!(
        SessionKey::from_base64("tiihtNczf5v6AKRyjwEUhQ").unwrap_err(),
        Error::DamagedBase64 {
            field: Field::SessionKey,
            damage: Damage::MissingPadding,
            position: None
        }
    );
}

#[test]
fn damage_in_encrypted_data_is_named_when_decoding() {
    let wrapped = format!("{}\n{}", &INTACT[..76], &INTACT[76..]);
    assert!(matches!(
        EncryptedData::from_base64(&wrapped),
        Err(Error::DamagedBase64 {
            damage: Damage::LineBreak,
            position: Some(76),
            ..
        })
    ));
    let url_safe = INTACT.replace('+', "-");
    let data = EncryptedData::from_base64(&url_safe).unwrap();
    let mut out = vec![0; data.decoded_len()];
    assert_eq!(
        data.decode_into(&mut out).unwrap_err(),
        Error::DamagedBase64 {
            field: Field::EncryptedData,
            damage: Damage::UrlSafeAlphabet,
            position: Some(15)
        }
    );
}
