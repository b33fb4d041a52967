//! What an independent review found unchecked in typed fields and input
//! messages, checked through the public API: `Gender` codes past 2, a
//! watermark appid that is no appid (neither in the field nor in Display or
//! Debug), a session key with whitespace around it (not blamed on a lost
//! `+`, and repaired by the lenient mode), an iv written in hex.

use wxdecrypt::{
    Damage, EncryptedData, Error, Field, InputParser, Iv, SessionKey, UnixTime, UserInfo,
    Validation,
};
use wxdecrypt_testkit::encrypt::{b64, encrypt, unb64_16};

const APPID: &str = "wx4f4bc4dec97d474b";
const KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
const IV: &str = "r7BXXKkLb8qrSNn05n0qiA==";
const NOW: u64 = 1_700_000_000;

/// Encrypts `plaintext` under the test key and iv and decrypts it as `T`.
fn decrypt_as<T: serde::de::DeserializeOwned>(plaintext: &str) -> Result<T, Error> {
    let data = b64(&encrypt(
        &unb64_16(KEY),
        &unb64_16(IV),
        plaintext.as_bytes(),
    ));
    let key = SessionKey::from_base64(KEY)?;
    let iv = Iv::from_base64(IV)?;
    let data = EncryptedData::from_base64(&data)?;
    let validation = Validation::new(APPID);
    wxdecrypt::decrypt_at::<T>(&key, &iv, &data, &validation, UnixTime::from_secs(NOW))
        .map(|d| d.payload)
}

fn user_info(gender: &str) -> String {
    format!(
        r#"{{"openId":"oWxDec0TestOpenIdAAAAAAAAAAA","nickName":"Lily","gender":{gender},"language":"zh_CN","city":"","province":"","country":"","avatarUrl":"","watermark":{{"timestamp":{NOW},"appid":"{APPID}"}}}}"#
    )
}

#[test]
fn gender_codes_past_2_are_the_opaque_error() {
    // The three that WeChat defines decrypt...
    for code in 0..=2u8 {
        let info: UserInfo = decrypt_as(&user_info(&code.to_string())).unwrap();
        assert_eq!(info.gender().code(), code);
    }
    // ...and no other number does: past 2, the largest u8, past u8, negative,
    // fractional.
    for code in ["3", "255", "256", "-1", "1.5", "65537"] {
        assert_eq!(
            decrypt_as::<UserInfo>(&user_info(code)).unwrap_err(),
            Error::Decryption,
            "gender {code}"
        );
    }
}

/// A phone payload whose watermark names `appid`, escaped as JSON.
fn phone_with_appid(appid: &str) -> String {
    let appid = serde_json::to_string(appid).unwrap();
    format!(
        r#"{{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86","watermark":{{"timestamp":{NOW},"appid":{appid}}}}}"#
    )
}

#[test]
fn a_watermark_appid_that_is_no_appid_leaves_no_text_in_the_error() {
    let hostile = [
        "<img src=x onerror=alert(1)>",
        "wx\r\nX-Forged: header",
        "wx4f4bc4dec97d474b\u{0}",
        "wx\u{202e}reversed",
        "小程序",
    ];
    for appid in hostile {
        let err = decrypt_as::<wxdecrypt::PhoneNumber>(&phone_with_appid(appid)).unwrap_err();
        let Error::AppIdMismatch { expected, found } = &err else {
            panic!("{appid:?}: {err:?}");
        };
        assert_eq!((expected.as_str(), found.as_str()), (APPID, ""));
        let display = err.to_string();
        let debug = format!("{err:?}");
        assert_eq!(
            display,
            format!(
                "the watermark's appid is empty or not an appid (characters no appid has), \
                 so it cannot match the expected appid \"{APPID}\" \
                 (the data is not a payload made for this mini program)"
            )
        );
        for shown in [&display, &debug] {
            for piece in ["img", "onerror", "Forged", "reversed", "小程序", "\\u{0}"] {
                assert!(!shown.contains(piece), "{piece:?} in {shown}");
            }
        }
    }
    // An appid from another mini program is still quoted.
    let err =
        decrypt_as::<wxdecrypt::PhoneNumber>(&phone_with_appid("wxdaa2ab9ef87b5497")).unwrap_err();
    assert_eq!(
        err,
        Error::AppIdMismatch {
            expected: APPID.into(),
            found: "wxdaa2ab9ef87b5497".into()
        }
    );
    assert!(err.to_string().contains("\"wxdaa2ab9ef87b5497\""), "{err}");
}

#[test]
fn a_key_with_whitespace_around_it_is_not_blamed_on_a_lost_plus() {
    // The key holds no `+` at all, and one that holds one keeps it.
    for key in [KEY, "lyY4HPQbaOYzZdG+JcYK9w=="] {
        for pasted in [
            format!("{key} "),
            format!(" {key}"),
            format!("{key}\n"),
            format!("\t{key}  "),
        ] {
            let err = SessionKey::from_base64(&pasted).unwrap_err();
            assert_eq!(
                err,
                Error::DamagedBase64 {
                    field: Field::SessionKey,
                    damage: Damage::SurroundingWhitespace,
                    position: None,
                },
                "{pasted:?}"
            );
            let message = err.to_string();
            assert!(!message.contains("turned into a space"), "{message}");
            assert!(message.contains("before or after"), "{message}");
            // The lenient mode repairs it to the same key.
            let repaired = InputParser::new().lenient().session_key(&pasted);
            assert!(repaired.is_ok(), "{pasted:?}: {repaired:?}");
        }
    }
    // A `+` that became a space at either end of encryptedData still gets
    // the `+` hint: the text is then one short of a base64 length.
    let lost_plus = format!(" {}", "A".repeat(43));
    assert_eq!(
        EncryptedData::from_base64(&lost_plus).unwrap_err(),
        Error::SpaceInBase64 {
            field: Field::EncryptedData,
            position: Some(0)
        }
    );
    // A space inside the key is still the `+` lost to form decoding.
    assert_eq!(
        SessionKey::from_base64("lyY4HPQbaOYzZdG JcYK9w==").unwrap_err(),
        Error::SpaceInBase64 {
            field: Field::SessionKey,
            position: None
        }
    );
}

#[test]
fn whitespace_around_public_text_is_located() {
    assert_eq!(
        Iv::from_base64(&format!("{IV}  ")).unwrap_err(),
        Error::DamagedBase64 {
            field: Field::Iv,
            damage: Damage::SurroundingWhitespace,
            position: Some(24),
        }
    );
    assert_eq!(
        InputParser::new()
            .lenient()
            .iv(&format!("\n{IV}\n"))
            .unwrap(),
        Iv::from_base64(IV).unwrap()
    );
}

#[test]
fn an_iv_in_hex_is_named_as_hex() {
    let hex: String = unb64_16(IV)
        .iter()
        .flat_map(|b| [b >> 4, b & 15])
        .map(|n| char::from_digit(u32::from(n), 16).unwrap())
        .collect();
    for text in [hex.clone(), hex.to_uppercase()] {
        for parser in [InputParser::new(), InputParser::new().lenient()] {
            let err = parser.iv(&text).unwrap_err();
            assert_eq!(
                err,
                Error::DamagedBase64 {
                    field: Field::Iv,
                    damage: Damage::Hex,
                    position: None,
                },
                "{text}"
            );
            let message = err.to_string();
            assert!(message.contains("hexadecimal"), "{message}");
            assert!(!message.contains("lenient"), "{message}");
        }
    }
    // 32 characters that are not all hex digits stay a length error.
    let not_hex = format!("{}g", &hex[..31]);
    assert_eq!(
        Iv::from_base64(&not_hex).unwrap_err(),
        Error::WrongLength {
            field: Field::Iv,
            len: 24
        }
    );
    // 31 or 33 hex digits are not an iv in hex either.
    assert!(matches!(
        Iv::from_base64(&hex[..31]).unwrap_err(),
        Error::DamagedBase64 {
            damage: Damage::MissingPadding,
            ..
        } | Error::WrongLength { .. }
            | Error::InvalidBase64 { .. }
    ));
    assert!(!matches!(
        Iv::from_base64(&format!("{hex}0")).unwrap_err(),
        Error::DamagedBase64 {
            damage: Damage::Hex,
            ..
        }
    ));
    // The session key's text is not inspected for hex: a key in hex gets
    // the length error, as before.
    assert_eq!(
        SessionKey::from_base64(&hex).unwrap_err(),
        Error::WrongLength {
            field: Field::SessionKey,
            len: 24
        }
    );
}

#[test]
fn whitespace_inside_as_well_as_around_is_the_plus_hint() {
    // A space inside means a `+` may be lost: the `+` hint, even with
    // whitespace at the ends too.
    for text in [
        format!(" {}", "lyY4HPQbaOYzZdG JcYK9w=="),
        format!("{} ", "lyY4HPQbaOYzZdG JcYK9w=="),
    ] {
        assert_eq!(
            SessionKey::from_base64(&text).unwrap_err(),
            Error::SpaceInBase64 {
                field: Field::SessionKey,
                position: None
            },
            "{text:?}"
        );
    }
    // A line break inside and one at the end: wrapped text, not pasted.
    assert_eq!(
        Iv::from_base64("r7BXXKkLb8qr\nSNn05n0qiA==\n").unwrap_err(),
        Error::DamagedBase64 {
            field: Field::Iv,
            damage: Damage::LineBreak,
            position: Some(12),
        }
    );
}

#[test]
fn when_neither_reading_of_a_space_fits_the_plus_reading_is_reported() {
    // 12 characters with a space: as `+` they decode to 9 bytes, without
    // the space to 8; neither is a key, and the `+` reading is the one
    // the error describes.
    assert_eq!(
        InputParser::new()
            .lenient()
            .session_key("AAAAAAAAAA A")
            .unwrap_err(),
        Error::WrongLength {
            field: Field::SessionKey,
            len: 9
        }
    );
    // When the `+` reading is not base64 at all (9 characters), the other
    // reading is taken even though it does not fit either (6 bytes).
    assert_eq!(
        InputParser::new().lenient().iv("AAAAAAAA ").unwrap_err(),
        Error::WrongLength {
            field: Field::Iv,
            len: 6
        }
    );
}

#[test]
fn after_the_lenient_repair_a_failed_repair_is_named_as_the_damage_it_is() {
    use wxdecrypt::diagnose::{DiagnoseInput, DiagnoseOptions, Finding, diagnose_at};
    // A key whose `+` became a space (the lenient mode repairs it) and an
    // iv with a `%` escape that is no base64 character (it does not): the
    // diagnosis after the repair names the iv's damage, with its position
    // (an iv is public), not a bare "invalid base64".
    let key = "lyY4HPQbaOYzZdG JcYK9w==";
    let iv = "r7BXXKkLb8qr%41Nn05n0qiA==";
    let input = DiagnoseInput {
        session_key: key,
        iv,
        encrypted_data: "AAAAAAAAAAAAAAAAAAAAAA==",
    };
    let options = DiagnoseOptions::new(Validation::new(APPID));
    let diagnosis = diagnose_at(&input, &options, UnixTime::from_secs(NOW));
    assert!(
        matches!(
            diagnosis.finding(),
            Finding::Input {
                error: Error::SpaceInBase64 {
                    field: Field::SessionKey,
                    ..
                },
                lenient_repairs: true,
                ..
            }
        ),
        "{:?}",
        diagnosis.finding()
    );
    let repaired = diagnosis
        .after_repair()
        .expect("a diagnosis after the repair");
    assert_eq!(
        repaired.finding(),
        &Finding::Input {
            error: Error::DamagedBase64 {
                field: Field::Iv,
                damage: Damage::PercentEncoded,
                position: Some(12),
            },
            lenient_repairs: false,
            hint: None,
        }
    );
    // The same with the key's text damaged the same way: no position.
    let input = DiagnoseInput {
        session_key: "lyY4HPQbaOYz%41G+JcYK9w==",
        iv: "r7BXXKkLb8qrSNn05n0 qiA==",
        encrypted_data: "AAAAAAAAAAAAAAAAAAAAAA==",
    };
    let diagnosis = diagnose_at(&input, &options, UnixTime::from_secs(NOW));
    let shown = format!("{:?}", diagnosis.finding());
    assert!(!shown.contains("Some("), "{shown}");
}

#[test]
fn invalid_base64_in_public_text_is_located_exactly() {
    // A `=` inside an iv of the right shape: the first character that is no
    // base64 digit.
    assert_eq!(
        Iv::from_base64("r7BX=KkLb8qrSNn05n0qiA==").unwrap_err(),
        Error::InvalidBase64 {
            field: Field::Iv,
            position: Some(4)
        }
    );
    // Non-zero trailing bits: the last character before the `==`.
    assert_eq!(
        Iv::from_base64("r7BXXKkLb8qrSNn05n0qiB==").unwrap_err(),
        Error::InvalidBase64 {
            field: Field::Iv,
            position: Some(21)
        }
    );
    // The same in encryptedData, found while decoding.
    let (key, iv) = (
        SessionKey::from_base64(KEY).unwrap(),
        Iv::from_base64(IV).unwrap(),
    );
    let validation = Validation::new(APPID);
    let now = UnixTime::from_secs(NOW);
    for (text, at) in [
        ("AAAAA!AAAAAAAAAAAAAAAA==", 5),
        ("AAAAAAAAAAAAAAAAAAAAAB==", 21),
    ] {
        let data = EncryptedData::from_base64(text).unwrap();
        assert_eq!(
            wxdecrypt::decrypt_raw_at(&key, &iv, &data, &validation, now).unwrap_err(),
            Error::InvalidBase64 {
                field: Field::EncryptedData,
                position: Some(at)
            },
            "{text}"
        );
    }
}

/// Decrypts the 16 KiB generated vector from `data_text`, read leniently.
fn big_vector_decrypts(data_text: &str) -> bool {
    use wxdecrypt_testkit::vectors;
    let file = vectors::generated();
    let e = vectors::entry(&file, "decrypts", "raw/16k");
    let key = SessionKey::from_base64(vectors::text(e, "session_key")).unwrap();
    let iv = Iv::from_base64(vectors::text(e, "iv")).unwrap();
    let Ok(data) = InputParser::new().lenient().encrypted_data(data_text) else {
        return false;
    };
    let validation = Validation::new(vectors::text(e, "appid"))
        .without_max_age()
        .accept_missing_watermark();
    wxdecrypt::decrypt_raw_at(&key, &iv, &data, &validation, UnixTime::from_secs(NOW)).is_ok()
}

#[test]
fn when_both_readings_of_the_spaces_fit_the_text_decides() {
    use wxdecrypt_testkit::vectors;
    let file = vectors::generated();
    let original = vectors::text(
        vectors::entry(&file, "decrypts", "raw/16k"),
        "encrypted_data",
    );
    assert!(big_vector_decrypts(original));
    // 64 `+` turned into spaces: dropping the 64 characters would also
    // leave whole blocks (48 bytes fewer), but a text that is not wrapped
    // reads its spaces as `+`.
    let mut spaced = original.to_owned();
    for _ in 0..64 {
        spaced = spaced.replacen('+', " ", 1);
    }
    assert_eq!(spaced.matches(' ').count(), 64);
    assert!(big_vector_decrypts(&spaced));
    // Wrapped text with 64 spaces of indentation: as `+` they would also
    // leave whole blocks (48 bytes more), but in wrapped text spaces are
    // layout, and dropped.
    let wrapped = format!(
        "{}\r\n{}{}",
        &original[..76],
        " ".repeat(64),
        &original[76..]
    );
    assert!(big_vector_decrypts(&wrapped));
}

#[test]
fn the_lenient_mode_restores_one_lost_padding_character() {
    use wxdecrypt_testkit::vectors;
    let file = vectors::generated();
    // 32 bytes of ciphertext: base64 that ends with one `=`.
    let e = vectors::entry(&file, "decrypts", "raw/len-17");
    let text = vectors::text(e, "encrypted_data");
    assert!(text.ends_with('=') && !text.ends_with("=="), "{text}");
    let unpadded = text.trim_end_matches('=');
    assert!(EncryptedData::from_base64(unpadded).is_err());
    let repaired = InputParser::new()
        .lenient()
        .encrypted_data(unpadded)
        .unwrap();
    assert_eq!(repaired.as_base64(), text);
}

#[test]
fn only_32_hex_digits_get_the_hex_hint_in_the_diagnosis() {
    use wxdecrypt::diagnose::{DiagnoseInput, DiagnoseOptions, Finding, LengthHint, diagnose_at};
    let options = DiagnoseOptions::new(Validation::new(APPID));
    let hint_for = |key: &str| {
        let input = DiagnoseInput {
            session_key: key,
            iv: IV,
            encrypted_data: "AAAAAAAAAAAAAAAAAAAAAA==",
        };
        match diagnose_at(&input, &options, UnixTime::from_secs(NOW)).finding() {
            Finding::Input {
                error: Error::WrongLength { len: 24, .. },
                hint,
                ..
            } => *hint,
            other => panic!("{key}: {other:?}"),
        }
    };
    assert_eq!(
        hint_for("b5b2b4b5cd737f9bfa00a4728f011485"),
        Some(LengthHint::Hex)
    );
    // 32 characters of base64 that are not all hex digits.
    assert_eq!(
        hint_for("lyY4HPQbaOYzZdG+JcYK9wlyY4HPQbaO"),
        Some(LengthHint::Unknown)
    );
}

#[test]
fn a_single_block_that_passes_the_padding_by_chance_is_named_single() {
    use wxdecrypt::diagnose::{DiagnoseInput, DiagnoseOptions, Finding, diagnose_at};
    use wxdecrypt_testkit::encrypt::encrypt_blocks;
    // One block whose plaintext, under this key, is 15 bytes that are no
    // text and a valid 1-byte padding: what a wrong key gives now and then.
    let mut block = [0xffu8; 16];
    block[15] = 1;
    for blocks in [1usize, 2] {
        let plain: Vec<u8> = block.repeat(blocks);
        let data = b64(&encrypt_blocks(&unb64_16(KEY), &unb64_16(IV), &plain));
        let input = DiagnoseInput {
            session_key: KEY,
            iv: IV,
            encrypted_data: &data,
        };
        let options = DiagnoseOptions::new(Validation::new(APPID));
        assert_eq!(
            diagnose_at(&input, &options, UnixTime::from_secs(NOW)).finding(),
            &Finding::KeyWrongOrStale {
                single_block: blocks == 1,
                padding_passed: true,
            },
            "{blocks} blocks"
        );
    }
}
