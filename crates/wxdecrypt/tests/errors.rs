//! The error messages: every variant's `Display` pinned word for word, the
//! errors the public API gives for common mistakes, and no secret (session
//! key, plaintext, phone number) in any `Debug` or `Display`.

use wxdecrypt::{
    Damage, EncryptedData, Error, Field, InputParser, Iv, PhoneNumber, SessionKey, Stage, UnixTime,
    UserInfo, Validation,
};
use wxdecrypt_testkit::encrypt::b64;
use wxdecrypt_testkit::vectors::{entry, real_world, text};

// ---------------------------------------------------------------------------
// Display, pinned
// ---------------------------------------------------------------------------

#[test]
fn field_names_are_spelled_as_in_wechats_server_api() {
    assert_eq!(Field::SessionKey.to_string(), "session_key");
    assert_eq!(Field::Iv.to_string(), "iv");
    assert_eq!(Field::EncryptedData.to_string(), "encrypted_data");
    assert_eq!(Field::SessionKey.as_str(), "session_key");
    assert_eq!(Field::Iv.as_str(), "iv");
    assert_eq!(Field::EncryptedData.as_str(), "encrypted_data");
}

#[test]
fn empty_says_which_field_is_empty() {
    assert_eq!(
        Error::Empty {
            field: Field::SessionKey
        }
        .to_string(),
        "session_key is empty"
    );
    assert_eq!(Error::Empty { field: Field::Iv }.to_string(), "iv is empty");
    assert_eq!(
        Error::Empty {
            field: Field::EncryptedData
        }
        .to_string(),
        "encrypted_data is empty"
    );
}

#[test]
fn too_large_gives_the_length_and_the_limit() {
    let err = Error::TooLarge {
        field: Field::EncryptedData,
        len: 70_000,
        max: 65_536,
    };
    assert_eq!(
        err.to_string(),
        "encrypted_data is too large: 70000 base64 characters, the limit is 65536"
    );
}

#[test]
fn space_in_base64_explains_the_lost_plus_with_and_without_a_position() {
    let located = Error::SpaceInBase64 {
        field: Field::EncryptedData,
        position: Some(15),
    };
    assert_eq!(
        located.to_string(),
        "encrypted_data contains a space at byte 15: a `+` was probably turned into a space \
         by URL or form decoding (send it as a JSON body, or use the lenient base64 mode)"
    );
    let unlocated = Error::SpaceInBase64 {
        field: Field::SessionKey,
        position: None,
    };
    assert_eq!(
        unlocated.to_string(),
        "session_key contains a space: a `+` was probably turned into a space \
         by URL or form decoding (send it as a JSON body, or use the lenient base64 mode)"
    );
}

#[test]
fn invalid_base64_gives_the_position_only_when_known() {
    assert_eq!(
        Error::InvalidBase64 {
            field: Field::Iv,
            position: Some(3)
        }
        .to_string(),
        "iv is not valid base64 (bad character at byte 3)"
    );
    assert_eq!(
        Error::InvalidBase64 {
            field: Field::SessionKey,
            position: None
        }
        .to_string(),
        "session_key is not valid base64"
    );
}

#[test]
fn wrong_length_suggests_double_or_missing_decoding() {
    assert_eq!(
        Error::WrongLength {
            field: Field::Iv,
            len: 12
        }
        .to_string(),
        "iv must decode to 16 bytes, got 12 \
         (24 base64 characters expected: was it base64-decoded twice, or not at all?)"
    );
    assert_eq!(
        Error::WrongLength {
            field: Field::SessionKey,
            len: 24
        }
        .to_string(),
        "session_key must decode to 16 bytes, got 24 \
         (24 base64 characters expected: was it base64-decoded twice, or not at all?)"
    );
}

#[test]
fn not_block_aligned_gives_the_decoded_length() {
    assert_eq!(
        Error::NotBlockAligned { len: 3 }.to_string(),
        "encrypted_data must decode to a multiple of 16 bytes, got 3 \
         (was it truncated, or base64-decoded twice?)"
    );
}

#[test]
fn candidate_key_count_says_how_many_keys_to_pass() {
    assert_eq!(
        Error::CandidateKeyCount { count: 0, max: 4 }.to_string(),
        "no candidate session_key was given: pass the current one \
         (and up to 3 previous ones)"
    );
    assert_eq!(
        Error::CandidateKeyCount { count: 5, max: 4 }.to_string(),
        "5 candidate session keys were given, at most 4 are tried \
         (the current one and the one before it are enough for the wx.login race)"
    );
}

#[test]
fn decryption_names_the_late_wx_login_first() {
    let message = Error::Decryption.to_string();
    assert_eq!(
        message,
        "decryption failed: the data is not a valid payload under this session_key and iv \
         (most often the session_key was replaced by a later wx.login; \
         otherwise the iv belongs to other data or the data was altered)"
    );
    assert!(message.contains("wx.login"));
    let cause = message.find("wx.login").unwrap();
    assert!(
        cause < message.find("iv belongs").unwrap(),
        "wx.login comes first"
    );
}

#[test]
fn missing_watermark_points_to_the_opt_out() {
    assert_eq!(
        Error::MissingWatermark.to_string(),
        "the payload has no watermark; this validation requires one \
         (use accept_missing_watermark for payloads that carry none)"
    );
}

#[test]
fn appid_mismatch_quotes_both_appids() {
    let err = Error::AppIdMismatch {
        expected: "wx4f4bc4dec97d474b".into(),
        found: "wxdaa2ab9ef87b5497".into(),
    };
    assert_eq!(
        err.to_string(),
        "watermark appid \"wxdaa2ab9ef87b5497\" does not match the expected appid \
         \"wx4f4bc4dec97d474b\" (the data was made for another mini program)"
    );
}

#[test]
fn appid_mismatch_escapes_a_hostile_appid() {
    let err = Error::AppIdMismatch {
        expected: "wx4f4bc4dec97d474b".into(),
        found: "wx\"\nforged log line".into(),
    };
    let message = err.to_string();
    assert!(!message.contains('\n'), "{message}");
    assert!(message.contains(r#""wx\"\nforged log line""#), "{message}");
}

#[test]
fn expired_gives_the_times_the_age_and_the_limit() {
    let err = Error::Expired {
        timestamp: 1_477_314_187,
        now: 1_477_318_088,
        max_age: 3600,
    };
    assert_eq!(
        err.to_string(),
        "watermark is too old: timestamp 1477314187 is 3901 s before now (1477318088), \
         the maximum age is 3600 s"
    );
}

#[test]
fn from_future_gives_the_times_the_distance_and_the_leeway() {
    let err = Error::FromFuture {
        timestamp: 1_477_314_488,
        now: 1_477_314_187,
        leeway: 300,
    };
    assert_eq!(
        err.to_string(),
        "watermark is from the future: timestamp 1477314488 is 301 s after now (1477314187), \
         the leeway is 300 s"
    );
}

#[test]
fn errors_are_std_errors_without_a_source() {
    let err: Box<dyn std::error::Error + Send + Sync> = Box::new(Error::Decryption);
    assert!(err.source().is_none());
    assert_eq!(err.to_string(), Error::Decryption.to_string());
}

// ---------------------------------------------------------------------------
// What the public API reports for common mistakes
// ---------------------------------------------------------------------------

#[test]
fn empty_inputs_are_named() {
    assert_eq!(
        SessionKey::from_base64("").unwrap_err(),
        Error::Empty {
            field: Field::SessionKey
        }
    );
    assert_eq!(
        Iv::from_base64("").unwrap_err(),
        Error::Empty { field: Field::Iv }
    );
    assert_eq!(
        EncryptedData::from_base64("").unwrap_err(),
        Error::Empty {
            field: Field::EncryptedData
        }
    );
}

#[test]
fn an_iv_used_without_base64_decoding_is_a_wrong_length() {
    // 16 raw characters are 12 bytes once decoded.
    assert_eq!(
        Iv::from_base64("0123456789abcdef").unwrap_err(),
        Error::WrongLength {
            field: Field::Iv,
            len: 12
        }
    );
}

#[test]
fn a_session_key_encoded_twice_is_a_wrong_length() {
    let file = real_world();
    let key = text(entry(&file, "decrypts", "gopay-phone"), "session_key");
    let twice = b64(key.as_bytes());
    assert_eq!(
        SessionKey::from_base64(&twice).unwrap_err(),
        Error::WrongLength {
            field: Field::SessionKey,
            len: key.len()
        }
    );
}

#[test]
fn oversized_encrypted_data_is_refused_with_its_length_and_the_limit() {
    let huge = "A".repeat(InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN + 4);
    assert_eq!(
        EncryptedData::from_base64(&huge).unwrap_err(),
        Error::TooLarge {
            field: Field::EncryptedData,
            len: InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN + 4,
            max: InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN
        }
    );
    let parser = InputParser::new().with_max_encrypted_data_len(64);
    assert_eq!(
        parser.encrypted_data(&"A".repeat(68)).unwrap_err(),
        Error::TooLarge {
            field: Field::EncryptedData,
            len: 68,
            max: 64
        }
    );
}

#[test]
fn encrypted_data_of_partial_blocks_is_not_block_aligned() {
    assert_eq!(
        EncryptedData::from_base64("AAAA").unwrap_err(),
        Error::NotBlockAligned { len: 3 }
    );
}

#[test]
fn policy_errors_come_from_decrypting_real_data() {
    let file = real_world();
    let e = entry(&file, "decrypts", "gopay-phone");
    let timestamp = e["watermark_timestamp"].as_u64().unwrap();
    let appid = text(e, "appid");
    let key = SessionKey::from_base64(text(e, "session_key")).unwrap();
    let iv = Iv::from_base64(text(e, "iv")).unwrap();
    let data = EncryptedData::from_base64(text(e, "encrypted_data")).unwrap();
    let at = |validation: &Validation, now: u64| {
        wxdecrypt::decrypt_at::<PhoneNumber>(&key, &iv, &data, validation, UnixTime::from_secs(now))
            .unwrap_err()
    };
    let limit = Validation::DEFAULT_MAX_AGE_SECS + Validation::DEFAULT_LEEWAY_SECS;
    assert_eq!(
        at(&Validation::new(appid), timestamp + limit + 1),
        Error::Expired {
            timestamp,
            now: timestamp + limit + 1,
            max_age: Validation::DEFAULT_MAX_AGE_SECS
        }
    );
    assert_eq!(
        at(
            &Validation::new(appid),
            timestamp - Validation::DEFAULT_LEEWAY_SECS - 1
        ),
        Error::FromFuture {
            timestamp,
            now: timestamp - Validation::DEFAULT_LEEWAY_SECS - 1,
            leeway: Validation::DEFAULT_LEEWAY_SECS
        }
    );
    assert_eq!(
        at(&Validation::new("wx4f4bc4dec97d474b"), timestamp),
        Error::AppIdMismatch {
            expected: "wx4f4bc4dec97d474b".into(),
            found: appid.into()
        }
    );
}

// ---------------------------------------------------------------------------
// No secrets in errors
// ---------------------------------------------------------------------------

/// Every 6-character window of `secret` (its base64 padding left out).
fn windows(secret: &str) -> Vec<&str> {
    let secret = secret.trim_end_matches('=');
    (0..=secret.len().saturating_sub(6))
        .map(|i| &secret[i..i + 6.min(secret.len())])
        .collect()
}

/// Asserts that neither the `Debug` nor the `Display` of `err` contains any
/// piece of any of `secrets`.
fn assert_no_secret(err: &Error, secrets: &[&str]) {
    for shown in [format!("{err}"), format!("{err:?}"), format!("{err:#?}")] {
        for secret in secrets {
            for piece in windows(secret) {
                assert!(
                    !shown.contains(piece),
                    "{shown:?} contains {piece:?} of a secret"
                );
            }
        }
    }
}

#[test]
fn a_wrong_key_error_shows_no_key_no_plaintext_and_no_phone_digits() {
    let file = real_world();
    let official = entry(&file, "decrypts", "official-wxbizdatacrypt-userinfo");
    let phone = entry(&file, "decrypts", "gopay-phone");
    let json: serde_json::Value = serde_json::from_str(text(phone, "plaintext")).unwrap();
    let user: serde_json::Value = serde_json::from_str(text(official, "plaintext")).unwrap();
    let secrets = [
        text(official, "session_key"),
        text(phone, "session_key"),
        json["phoneNumber"].as_str().unwrap(),
        json["purePhoneNumber"].as_str().unwrap(),
        user["openId"].as_str().unwrap(),
        user["unionId"].as_str().unwrap(),
        user["avatarUrl"].as_str().unwrap(),
    ];
    let now = UnixTime::from_secs(phone["watermark_timestamp"].as_u64().unwrap());
    // Each payload under the other's key.
    for (data_of, key_of) in [(phone, official), (official, phone)] {
        let key = SessionKey::from_base64(text(key_of, "session_key")).unwrap();
        let iv = Iv::from_base64(text(data_of, "iv")).unwrap();
        let data = EncryptedData::from_base64(text(data_of, "encrypted_data")).unwrap();
        let validation = Validation::new(text(data_of, "appid"));
        let typed = wxdecrypt::decrypt_at::<PhoneNumber>(&key, &iv, &data, &validation, now);
        let err = typed.unwrap_err();
        assert_eq!(err, Error::Decryption);
        assert_no_secret(&err, &secrets);
        let user = wxdecrypt::decrypt_at::<UserInfo>(&key, &iv, &data, &validation, now);
        assert_no_secret(&user.unwrap_err(), &secrets);
        let raw = wxdecrypt::decrypt_raw_at(&key, &iv, &data, &validation, now);
        assert_no_secret(&raw.unwrap_err(), &secrets);
    }
}

#[test]
fn policy_errors_on_a_phone_payload_show_no_phone_digits_and_no_key() {
    let file = real_world();
    let e = entry(&file, "decrypts", "gopay-phone");
    let json: serde_json::Value = serde_json::from_str(text(e, "plaintext")).unwrap();
    let secrets = [
        text(e, "session_key"),
        json["phoneNumber"].as_str().unwrap(),
    ];
    let key = SessionKey::from_base64(text(e, "session_key")).unwrap();
    let iv = Iv::from_base64(text(e, "iv")).unwrap();
    let data = EncryptedData::from_base64(text(e, "encrypted_data")).unwrap();
    let timestamp = e["watermark_timestamp"].as_u64().unwrap();
    for (validation, now) in [
        (Validation::new("wx4f4bc4dec97d474b"), timestamp),
        (Validation::new(text(e, "appid")), timestamp + 100_000),
        (Validation::new(text(e, "appid")), timestamp - 100_000),
    ] {
        let now = UnixTime::from_secs(now);
        let err =
            wxdecrypt::decrypt_at::<PhoneNumber>(&key, &iv, &data, &validation, now).unwrap_err();
        assert!(!matches!(err, Error::Decryption), "{err:?}");
        assert_no_secret(&err, &secrets);
    }
}

#[test]
fn session_key_parse_errors_never_show_or_locate_the_key() {
    let file = real_world();
    let key = text(entry(&file, "decrypts", "gopay-phone"), "session_key");
    let bad_char = key.replacen('Y', "!", 1);
    let space = key.replace('+', " ");
    let short = &key[..20];
    let percent = format!("{}%41", &key[..21]);
    let cases = [
        (InputParser::new(), bad_char.as_str()),
        (InputParser::new(), space.as_str()),
        (InputParser::new(), short),
        (InputParser::new().lenient(), bad_char.as_str()),
        (InputParser::new().lenient(), percent.as_str()),
    ];
    for (parser, text) in cases {
        let err = parser.session_key(text).unwrap_err();
        assert_no_secret(&err, &[key, text]);
        match err {
            Error::InvalidBase64 { field, position } | Error::SpaceInBase64 { field, position } => {
                assert_eq!(field, Field::SessionKey);
                assert_eq!(position, None, "the key's text is never located");
            }
            Error::WrongLength { field, .. } => assert_eq!(field, Field::SessionKey),
            other => panic!("{text:?}: unexpected {other:?}"),
        }
    }
}

#[test]
fn the_session_key_debug_output_is_redacted() {
    let file = real_world();
    let key_text = text(entry(&file, "decrypts", "gopay-phone"), "session_key");
    let key = SessionKey::from_base64(key_text).unwrap();
    let debug = format!("{key:?} {key:#?}");
    assert_eq!(format!("{key:?}"), "SessionKey([redacted])");
    for piece in windows(key_text) {
        assert!(!debug.contains(piece));
    }
}

#[test]
fn damaged_base64_names_the_damage_and_points_to_the_lenient_mode() {
    let cases = [
        (
            Damage::LineBreak,
            Some(76),
            "encrypted_data contains a line break or tab at byte 76: it was wrapped in transit \
             (remove the whitespace, or use the lenient base64 mode)",
        ),
        (
            Damage::PercentEncoded,
            Some(3),
            "encrypted_data is still URL-encoded: a `%` at byte 3 \
             (decode it once more, or use the lenient base64 mode)",
        ),
        (
            Damage::UrlSafeAlphabet,
            Some(5),
            "encrypted_data uses the URL-safe base64 alphabet: a `-` or `_` at byte 5 \
             (WeChat sends standard base64: map `-` to `+` and `_` to `/`, \
             or use the lenient base64 mode)",
        ),
        (
            Damage::MissingPadding,
            None,
            "encrypted_data has lost its `=` padding: its length is not a multiple of 4 \
             (restore it, or use the lenient base64 mode)",
        ),
    ];
    for (damage, position, message) in cases {
        let err = Error::DamagedBase64 {
            field: Field::EncryptedData,
            damage,
            position,
        };
        assert_eq!(err.to_string(), message);
    }
    let key = Error::DamagedBase64 {
        field: Field::SessionKey,
        damage: Damage::PercentEncoded,
        position: None,
    };
    assert_eq!(
        key.to_string(),
        "session_key is still URL-encoded: a `%` \
         (decode it once more, or use the lenient base64 mode)"
    );
}

#[test]
fn appid_mismatch_against_an_empty_expected_appid_says_none_is_configured() {
    let err = Error::AppIdMismatch {
        expected: String::new(),
        found: "wx4f4bc4dec97d474b".into(),
    };
    assert_eq!(
        err.to_string(),
        "no appid is configured in the validation, so no watermark can match \
         (give Validation::new your mini program's appid)"
    );
}

#[test]
fn every_variant_belongs_to_the_stage_a_server_expects() {
    let field = Field::Iv;
    let input = [
        Error::Empty { field },
        Error::TooLarge {
            field,
            len: 2,
            max: 1,
        },
        Error::SpaceInBase64 {
            field,
            position: None,
        },
        Error::DamagedBase64 {
            field,
            damage: Damage::LineBreak,
            position: None,
        },
        Error::InvalidBase64 {
            field,
            position: None,
        },
        Error::WrongLength { field, len: 12 },
        Error::NotBlockAligned { len: 3 },
        Error::CandidateKeyCount { count: 0, max: 4 },
    ];
    for err in input {
        assert_eq!(err.stage(), Stage::Input, "{err:?}");
    }
    assert_eq!(Error::Decryption.stage(), Stage::Decryption);
    let policy = [
        Error::MissingWatermark,
        Error::AppIdMismatch {
            expected: "a".into(),
            found: "b".into(),
        },
        Error::Expired {
            timestamp: 0,
            now: 1,
            max_age: 0,
        },
        Error::FromFuture {
            timestamp: 1,
            now: 0,
            leeway: 0,
        },
    ];
    for err in policy {
        assert_eq!(err.stage(), Stage::Policy, "{err:?}");
    }
}

#[test]
fn line_breaks_are_named_even_when_the_length_is_a_multiple_of_four() {
    // The official sample (536 characters) wrapped at 64 characters gains 8
    // line feeds: 544 characters, a multiple of 4 whose decoded length (406
    // bytes by the length alone) is no multiple of 16. The cause is the
    // line breaks, not the alignment.
    let file = real_world();
    let data = text(
        entry(&file, "decrypts", "official-wxbizdatacrypt-userinfo"),
        "encrypted_data",
    );
    let wrapped: Vec<&str> = data
        .as_bytes()
        .chunks(64)
        .map(|chunk| std::str::from_utf8(chunk).unwrap())
        .collect();
    let wrapped = wrapped.join("\n");
    assert_eq!(wrapped.len() % 4, 0);
    assert_eq!(
        EncryptedData::from_base64(&wrapped).unwrap_err(),
        Error::DamagedBase64 {
            field: Field::EncryptedData,
            damage: Damage::LineBreak,
            position: Some(64),
        }
    );
}
