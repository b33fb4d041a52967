//! The offline diagnosis: real vectors, and cases made with the test-only
//! encryptor of `wxdecrypt-testkit` (Python-independent AES from the `aes`/`cbc` crates,
//! never the crate under test).

use std::fmt::Write as _;

use aes::Aes128;
use cbc::cipher::{BlockModeDecrypt as _, InOutBuf, KeyIvInit as _};
use serde_json::Value;
use wxdecrypt::diagnose::{
    DiagnoseInput, DiagnoseOptions, Diagnosis, Finding, JsonProblem, LengthHint, PayloadKind,
    diagnose_at,
};
use wxdecrypt::{Damage, EncryptedData, Error, Field, Iv, SessionKey, Stage, UnixTime, Validation};

use wxdecrypt_testkit::encrypt::{b64, encrypt, unb64, unb64_16};
use wxdecrypt_testkit::vectors::{self, entry, generated, real_world, section, text};

/// The appid of `WeChat`'s official sample (`official-wxbizdatacrypt-userinfo`).
const OFFICIAL_APPID: &str = "wx4f4bc4dec97d474b";
/// The appid of the go-pay phone vector (`gopay-phone`).
const GOPAY_APPID: &str = "wxdaa2ab9ef87b5497";
/// Every `generated.json` payload's watermark time.
const GENERATED_TIME: u64 = 1_700_000_000;

/// The three texts of a vector entry.
fn input_of(entry: &Value) -> DiagnoseInput<'_> {
    DiagnoseInput {
        session_key: text(entry, "session_key"),
        iv: text(entry, "iv"),
        encrypted_data: text(entry, "encrypted_data"),
    }
}

/// A real-world `decrypts` entry.
fn real(id: &str) -> Value {
    entry(&real_world(), "decrypts", id).clone()
}

/// The entry's watermark time, as the clock.
fn made_at(entry: &Value) -> UnixTime {
    UnixTime::from_secs(entry["watermark_timestamp"].as_u64().expect("a timestamp"))
}

/// The kind named by a vector's `kind` field.
fn kind_of(entry: &Value) -> PayloadKind {
    match text(entry, "kind") {
        "phone" => PayloadKind::PhoneNumber,
        "user_info" => PayloadKind::UserInfo,
        "werun" => PayloadKind::WeRunData,
        "share_info" => PayloadKind::ShareInfo,
        "group_enter_info" => PayloadKind::GroupEnterInfo,
        other => panic!("no payload kind {other}"),
    }
}

/// Diagnoses `plaintext` encrypted under the go-pay vector's key and iv.
fn diagnose_plaintext(plaintext: &str, options: &DiagnoseOptions) -> Diagnosis {
    let gopay = real("gopay-phone");
    let data = b64(&encrypt(
        &unb64_16(text(&gopay, "session_key")),
        &unb64_16(text(&gopay, "iv")),
        plaintext.as_bytes(),
    ));
    let input = DiagnoseInput {
        encrypted_data: &data,
        ..input_of(&gopay)
    };
    diagnose_at(&input, options, UnixTime::from_secs(GENERATED_TIME))
}

/// Lowercase hex, two digits a byte.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Asserts that the diagnosis's text contains `words`.
#[track_caller]
fn assert_shows(diagnosis: &Diagnosis, words: &str) {
    let shown = diagnosis.to_string();
    assert!(shown.contains(words), "{words:?} not in:\n{shown}");
}

/// The step of decryption a finding names, as the report's first line
/// words it (finer than its production [`Stage`]).
fn step(finding: &Finding) -> &'static str {
    match finding {
        Finding::Input { .. }
        | Finding::EncodedTwice {
            reaches_cipher: false,
            ..
        } => "reading the inputs (base64, lengths)",
        Finding::EncodedTwice {
            reaches_cipher: true,
            ..
        }
        | Finding::KeyWrongOrStale { .. }
        | Finding::Truncated => "decrypting (AES-128-CBC, PKCS#7 padding)",
        Finding::IvWrong { .. } | Finding::NotUtf8 | Finding::MalformedJson { .. } => {
            "reading the plaintext (UTF-8, JSON)"
        }
        Finding::UnexpectedShape { .. } => "recognising the payload",
        Finding::Policy { .. } => "checking the watermark (appid, time)",
        Finding::Valid { .. } => "all checks passed",
        other => panic!("a finding of no known step: {other:?}"),
    }
}

/// Asserts the production stage of the diagnosis and the step of decryption
/// that its finding and its report's first line name.
#[track_caller]
fn assert_step(diagnosis: &Diagnosis, stage: Option<Stage>, words: &str) {
    assert_eq!(diagnosis.stage(), stage, "{diagnosis}");
    assert_eq!(step(diagnosis.finding()), words, "{diagnosis}");
    let verdict = if stage.is_some() { ": failed" } else { "" };
    let first = format!("stage:   {words}{verdict}\n");
    assert!(
        diagnosis.to_string().starts_with(&first),
        "{first:?} does not open:\n{diagnosis}"
    );
}

const INPUT: &str = "reading the inputs (base64, lengths)";
const CIPHER: &str = "decrypting (AES-128-CBC, PKCS#7 padding)";
const PLAINTEXT: &str = "reading the plaintext (UTF-8, JSON)";
const PAYLOAD: &str = "recognising the payload";
const WATERMARK: &str = "checking the watermark (appid, time)";
const PASSED: &str = "all checks passed";

/// Diagnoses the go-pay phone vector with one field replaced, against its
/// appid at the time it was made.
fn gopay_with(field: Field, value: &str) -> Diagnosis {
    let gopay = real("gopay-phone");
    let input = with_field(input_of(&gopay), field, value);
    diagnose_at(&input, &gopay_options(), made_at(&gopay))
}

fn gopay_options() -> DiagnoseOptions {
    DiagnoseOptions::new(Validation::new(GOPAY_APPID))
}

/// A phone payload laid out as in `WeChat`'s getPhoneNumber doc
/// (seeds/004), with the go-pay appid and `GENERATED_TIME`.
const PHONE: &str = r#"{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86","watermark":{"appid":"wxdaa2ab9ef87b5497","timestamp":1700000000}}"#;

// ----- Real vectors -----

#[test]
fn real_payloads_with_a_watermark_are_valid_for_their_kind_and_appid() {
    let file = real_world();
    let mut checked = 0;
    for entry in section(&file, "decrypts") {
        let Some(timestamp) = entry["watermark_timestamp"].as_u64() else {
            continue;
        };
        let appid = text(entry, "appid");
        let options = DiagnoseOptions::new(Validation::new(appid));
        let diagnosis = diagnose_at(&input_of(entry), &options, made_at(entry));
        let Finding::Valid {
            kind,
            watermark: Some(mark),
            appid: Some(found),
            appid_checked: true,
        } = diagnosis.finding()
        else {
            panic!("{}: {diagnosis}", entry["id"]);
        };
        assert_eq!(*kind, kind_of(entry), "{}", entry["id"]);
        assert_eq!(found, appid);
        assert_eq!(mark.timestamp.as_secs(), timestamp);
        assert_step(&diagnosis, None, PASSED);
        assert!(diagnosis.is_valid());
        assert_eq!(diagnosis.after_repair(), None);
        checked += 1;
    }
    assert_eq!(checked, 4, "official, go-pay, Senparc, WxJava");
}

#[test]
fn the_bundled_official_sample_file_is_valid_user_info() {
    let sample: Value = serde_json::from_str(vectors::OFFICIAL_SAMPLE).expect("JSON");
    let options = DiagnoseOptions::new(Validation::new(text(&sample, "appid")));
    // The sample's watermark time, from real-world.json.
    let diagnosis = diagnose_at(
        &input_of(&sample),
        &options,
        UnixTime::from_secs(1_477_314_187),
    );
    assert!(
        matches!(
            diagnosis.finding(),
            Finding::Valid {
                kind: PayloadKind::UserInfo,
                appid_checked: true,
                ..
            }
        ),
        "{diagnosis}"
    );
}

#[test]
fn without_an_appid_the_watermark_appid_is_reported_not_checked() {
    let gopay = real("gopay-phone");
    let diagnosis = diagnose_at(
        &input_of(&gopay),
        &DiagnoseOptions::without_appid(),
        made_at(&gopay),
    );
    let Finding::Valid {
        watermark: Some(_),
        appid: Some(found),
        appid_checked: false,
        ..
    } = diagnosis.finding()
    else {
        panic!("{diagnosis}");
    };
    assert_eq!(found, GOPAY_APPID);
    assert_shows(&diagnosis, "the appid was not checked: none was given");
    assert_shows(
        &diagnosis,
        "in production: decrypt::<PhoneNumber> accepts it if the Validation names this appid",
    );
}

#[test]
fn payloads_without_a_watermark_are_named_by_kind() {
    // The three synthetic real-world vectors carry no watermark.
    let file = real_world();
    let mut checked = 0;
    for entry in section(&file, "decrypts") {
        if !entry["watermark_timestamp"].is_null() {
            continue;
        }
        let now = UnixTime::from_secs(GENERATED_TIME);
        let diagnosis = diagnose_at(&input_of(entry), &DiagnoseOptions::without_appid(), now);
        assert_eq!(
            diagnosis.finding(),
            &Finding::Policy {
                kind: kind_of(entry),
                error: Error::MissingWatermark,
            },
            "{}",
            entry["id"]
        );
        assert_step(&diagnosis, Some(Stage::Policy), WATERMARK);
        let accepted =
            DiagnoseOptions::new(Validation::new("").accept_missing_watermark()).unchecked_appid();
        let diagnosis = diagnose_at(&input_of(entry), &accepted, now);
        assert_eq!(
            diagnosis.finding(),
            &Finding::Valid {
                kind: kind_of(entry),
                watermark: None,
                appid: None,
                appid_checked: false
            }
        );
        checked += 1;
    }
    assert_eq!(checked, 3);
}

#[test]
fn real_inputs_with_a_wrong_or_stale_key_are_diagnosed_as_the_key() {
    let file = real_world();
    for entry in section(&file, "does_not_decrypt") {
        let diagnosis = diagnose_at(
            &input_of(entry),
            &DiagnoseOptions::without_appid(),
            UnixTime::from_secs(GENERATED_TIME),
        );
        assert_eq!(
            diagnosis.finding(),
            &Finding::KeyWrongOrStale {
                single_block: false,
                padding_passed: false
            },
            "{}",
            entry["id"]
        );
        assert_step(&diagnosis, Some(Stage::Decryption), CIPHER);
        for words in ["wx.login", "sha1(rawData + session_key)", "padding oracle"] {
            assert_shows(&diagnosis, words);
        }
    }
}

#[test]
fn the_stale_key_diagnosis_reads_in_full() {
    let entry = entry(
        &real_world(),
        "does_not_decrypt",
        "weixinmpsdk-issue-1869-stale-session-key",
    )
    .clone();
    let diagnosis = diagnose_at(
        &input_of(&entry),
        &DiagnoseOptions::without_appid(),
        UnixTime::from_secs(GENERATED_TIME),
    );
    assert_eq!(
        diagnosis.to_string(),
        "stage:   decrypting (AES-128-CBC, PKCS#7 padding): failed\n\
         finding: the padding check fails and nothing decrypts to text: \
         this encryptedData was not encrypted with this session_key\n\
         cause:   most often a stale session_key: wx.login ran in the button's callback \
         (or after the tap), so code2session returned a new key that WeChat did not \
         encrypt with; otherwise the key belongs to another user or mini program\n\
         fix:     call wx.login before the user taps the button (or wx.checkSession in the \
         callback) and keep the key code2session returned for that login; a key can be \
         checked without decrypting: getUserInfo's signature must equal \
         sha1(rawData + session_key)\n\
         in production: Error::Decryption, opaque on purpose; never pass this diagnosis \
         (or anything that depends on it) to a client: it is a padding oracle"
    );
}

#[test]
fn generated_payloads_are_valid_for_every_kind() {
    let file = generated();
    let mut kinds = Vec::new();
    for entry in section(&file, "decrypts") {
        if text(entry, "kind") == "raw" {
            continue;
        }
        let options = DiagnoseOptions::new(Validation::new(text(entry, "appid")));
        let diagnosis = diagnose_at(&input_of(entry), &options, made_at(entry));
        match diagnosis.finding() {
            Finding::Valid {
                kind,
                watermark: Some(_),
                appid: Some(_),
                appid_checked: true,
            } if *kind == kind_of(entry) => kinds.push(*kind),
            _ => panic!("{}: {diagnosis}", entry["id"]),
        }
    }
    for kind in [
        PayloadKind::PhoneNumber,
        PayloadKind::UserInfo,
        PayloadKind::WeRunData,
        PayloadKind::ShareInfo,
        PayloadKind::GroupEnterInfo,
    ] {
        assert!(kinds.contains(&kind), "no valid {kind}");
    }
}

/// Every generated reject comes out as the stage its reason belongs to. Two
/// reasons put their defect in the first 16 bytes with the rest intact (a
/// BOM, a leading NUL): exactly what a wrong iv produces, so they read as
/// one; the finding says what was observed.
#[test]
fn generated_rejects_are_sorted_by_reason() {
    let file = generated();
    for entry in section(&file, "rejects") {
        let id = text(entry, "id");
        let options = DiagnoseOptions::new(Validation::new(OFFICIAL_APPID));
        let diagnosis = diagnose_at(
            &input_of(entry),
            &options,
            UnixTime::from_secs(GENERATED_TIME),
        );
        let finding = diagnosis.finding();
        let expected = match text(entry, "reason") {
            "bad_padding" if id.ends_with("wrong-session-key") => {
                matches!(finding, Finding::KeyWrongOrStale { .. })
            }
            // The plaintext is intact text up to a broken padding.
            "bad_padding" => finding == &Finding::Truncated,
            "bad_utf8" => finding == &Finding::NotUtf8,
            "not_an_object" => {
                finding
                    == &Finding::MalformedJson {
                        problem: JsonProblem::NotAnObject,
                    }
            }
            "duplicate_key" => {
                finding
                    == &Finding::MalformedJson {
                        problem: JsonProblem::DuplicateKey,
                    }
            }
            "deep_nesting" => {
                finding
                    == &Finding::MalformedJson {
                        problem: JsonProblem::TooDeep,
                    }
            }
            "wrong_type" | "missing_field" if id.contains("/watermark") => {
                finding
                    == &Finding::MalformedJson {
                        problem: JsonProblem::BadWatermark,
                    }
            }
            "wrong_type" | "missing_field" => {
                matches!(finding, Finding::UnexpectedShape { .. })
            }
            "bom" => matches!(finding, Finding::IvWrong { .. }),
            "nul_in_json" if id.ends_with("leading") => {
                matches!(finding, Finding::IvWrong { .. })
            }
            "bad_json" | "trailing_garbage" | "lone_surrogate" | "nul_in_json" => {
                finding
                    == &Finding::MalformedJson {
                        problem: JsonProblem::Syntax,
                    }
            }
            other => panic!("{id}: unknown reason {other}"),
        };
        assert!(expected, "{id}: {diagnosis}");
    }
}

#[test]
fn a_missing_member_is_named_with_the_kind_it_belongs_to() {
    let file = generated();
    let entry = entry(&file, "rejects", "missing_field/phone/purePhoneNumber");
    let options = DiagnoseOptions::new(Validation::new(OFFICIAL_APPID));
    let diagnosis = diagnose_at(
        &input_of(entry),
        &options,
        UnixTime::from_secs(GENERATED_TIME),
    );
    let Finding::UnexpectedShape {
        resembles,
        missing,
        members,
    } = diagnosis.finding()
    else {
        panic!("{diagnosis}");
    };
    assert_eq!(*resembles, Some(PayloadKind::PhoneNumber));
    assert_eq!(missing, &["purePhoneNumber"]);
    assert_eq!(members.shown(), ["phoneNumber", "countryCode", "watermark"]);
    assert_eq!(members.hidden(), 0);
    assert_shows(
        &diagnosis,
        "finding: a JSON object with phoneNumber, countryCode, watermark: closest to a \
             phone number (PhoneNumber) payload, which needs purePhoneNumber too",
    );
}

// ----- Transport damage -----

/// `field` with its text replaced.
fn with_field<'a>(input: DiagnoseInput<'a>, field: Field, value: &'a str) -> DiagnoseInput<'a> {
    match field {
        Field::SessionKey => DiagnoseInput {
            session_key: value,
            ..input
        },
        Field::Iv => DiagnoseInput { iv: value, ..input },
        _ => DiagnoseInput {
            encrypted_data: value,
            ..input
        },
    }
}

/// Asserts that the damaged input is named as `expected`, that the lenient
/// mode repairs it, and that the repaired input is valid.
fn assert_repaired(entry: &Value, field: Field, damaged: &str, expected: &Finding) {
    let input = with_field(input_of(entry), field, damaged);
    let options = DiagnoseOptions::new(Validation::new(text(entry, "appid")));
    let diagnosis = diagnose_at(&input, &options, made_at(entry));
    assert_eq!(diagnosis.finding(), expected, "{damaged:?}");
    assert_step(&diagnosis, Some(Stage::Input), INPUT);
    let repaired = diagnosis.after_repair().expect("a repaired diagnosis");
    assert!(repaired.is_valid(), "{repaired}");
    assert_shows(
        &diagnosis,
        "repair:  the lenient base64 mode repairs this field",
    );
    assert_shows(
        &diagnosis,
        "\nafter the lenient repair:\n  stage:   all checks passed\n",
    );
}

#[test]
fn plus_turned_into_space_in_transit_is_named_and_repairable() {
    // WxJava issue 666: the encryptedData as the reporter's server received it.
    let wxjava = real("wxjava-issue-666-plus-as-space-phone");
    assert_repaired(
        &wxjava,
        Field::EncryptedData,
        text(&wxjava, "encrypted_data_as_reported"),
        &Finding::Input {
            error: Error::SpaceInBase64 {
                field: Field::EncryptedData,
                position: Some(15),
            },
            lenient_repairs: true,
            hint: None,
        },
    );
    // The go-pay key holds a `+`; the space is named without its position.
    let gopay = real("gopay-phone");
    let key = text(&gopay, "session_key").replace('+', " ");
    assert_repaired(
        &gopay,
        Field::SessionKey,
        &key,
        &Finding::Input {
            error: Error::SpaceInBase64 {
                field: Field::SessionKey,
                position: None,
            },
            lenient_repairs: true,
            hint: None,
        },
    );
}

#[test]
fn other_transport_damage_is_named_and_repairable() {
    let official = real("official-wxbizdatacrypt-userinfo");
    let data = text(&official, "encrypted_data");
    let first_plus = data.find('+').expect("the sample holds a +");
    let first_special = data.find(['+', '/']).expect("and a /");
    let wrapped: String = data
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).expect("ASCII"))
        .collect::<Vec<_>>()
        .join("\n");
    let cases = [
        (
            data.replace('+', "%2B"),
            Damage::PercentEncoded,
            Some(first_plus),
        ),
        (
            data.replace('+', "-").replace('/', "_"),
            Damage::UrlSafeAlphabet,
            Some(first_special),
        ),
        (wrapped, Damage::LineBreak, Some(64)),
        (
            data.trim_end_matches('=').to_owned(),
            Damage::MissingPadding,
            None,
        ),
    ];
    for (damaged, damage, position) in cases {
        assert_repaired(
            &official,
            Field::EncryptedData,
            &damaged,
            &Finding::Input {
                error: Error::DamagedBase64 {
                    field: Field::EncryptedData,
                    damage,
                    position,
                },
                lenient_repairs: true,
                hint: None,
            },
        );
    }
}

#[test]
fn damage_the_lenient_mode_cannot_repair_has_no_repaired_diagnosis() {
    // `%41` is no escape of a base64 character.
    let diagnosis = gopay_with(Field::Iv, "Cds8j3VYoGvnTp1BrjXd%41==");
    assert_eq!(
        diagnosis.finding(),
        &Finding::Input {
            error: Error::DamagedBase64 {
                field: Field::Iv,
                damage: Damage::PercentEncoded,
                position: Some(20),
            },
            lenient_repairs: false,
            hint: None,
        }
    );
    assert_eq!(diagnosis.after_repair(), None);
    assert!(!diagnosis.to_string().contains("repair:"), "{diagnosis}");
}

#[test]
fn data_cut_to_a_column_size_is_reported_as_cut_not_as_lost_padding() {
    // 255 characters: a VARCHAR(255) column.
    let official = real("official-wxbizdatacrypt-userinfo");
    let cut = &text(&official, "encrypted_data")[..255];
    let input = DiagnoseInput {
        encrypted_data: cut,
        ..input_of(&official)
    };
    let diagnosis = diagnose_at(
        &input,
        &DiagnoseOptions::without_appid(),
        made_at(&official),
    );
    // 255 base64 characters hold 63 * 3 + 2 = 191 bytes.
    assert_eq!(
        diagnosis.finding(),
        &Finding::Input {
            error: Error::NotBlockAligned { len: 191 },
            lenient_repairs: false,
            hint: None,
        }
    );
    assert_shows(&diagnosis, "cut short");
}

// ----- Lengths -----

#[test]
fn a_key_encoded_twice_is_named() {
    let gopay = real("gopay-phone");
    let twice = b64(text(&gopay, "session_key").as_bytes());
    let diagnosis = gopay_with(Field::SessionKey, &twice);
    assert_eq!(
        diagnosis.finding(),
        &Finding::EncodedTwice {
            field: Field::SessionKey,
            reaches_cipher: false,
        }
    );
}

#[test]
fn encrypted_data_encoded_twice_is_named_whether_or_not_it_is_block_aligned() {
    // Encoded twice, go-pay's 216 ciphertext characters decode to 216 bytes
    // and the official sample's 536 to 536: not whole blocks, an input error
    // in production. The WeRun vector's 128 decode to 128, eight whole
    // blocks: production decrypts them and answers Error::Decryption.
    for (id, reaches_cipher) in [
        ("gopay-phone", false),
        ("official-wxbizdatacrypt-userinfo", false),
        ("synthetic-werun", true),
    ] {
        let entry = real(id);
        let twice = b64(text(&entry, "encrypted_data").as_bytes());
        let input = DiagnoseInput {
            encrypted_data: &twice,
            ..input_of(&entry)
        };
        let now = UnixTime::from_secs(1_600_000_000);
        let diagnosis = diagnose_at(&input, &DiagnoseOptions::without_appid(), now);
        assert_eq!(
            diagnosis.finding(),
            &Finding::EncodedTwice {
                field: Field::EncryptedData,
                reaches_cipher,
            },
            "{id}"
        );
        let stage = diagnosis.stage();
        let expected = if reaches_cipher {
            Stage::Decryption
        } else {
            Stage::Input
        };
        assert_eq!(stage, Some(expected), "{id}");
        // What production says about the same inputs.
        let production = wxdecrypt::decrypt_raw_at(
            &SessionKey::from_base64(input.session_key).unwrap(),
            &Iv::from_base64(input.iv).unwrap(),
            &match EncryptedData::from_base64(input.encrypted_data) {
                Ok(data) => data,
                Err(error) => {
                    assert_eq!(error.stage(), expected, "{id}");
                    continue;
                }
            },
            &Validation::new("wx0000000000000000"),
            now,
        );
        assert_eq!(production.unwrap_err().stage(), expected, "{id}");
    }
}

#[test]
fn an_iv_given_as_raw_text_is_named_as_already_decoded() {
    let diagnosis = gopay_with(Field::Iv, "0123456789abcdef");
    assert_eq!(
        diagnosis.finding(),
        &Finding::Input {
            error: Error::WrongLength {
                field: Field::Iv,
                len: 12,
            },
            lenient_repairs: false,
            hint: Some(LengthHint::AlreadyDecoded),
        }
    );
    assert_shows(&diagnosis, "decoded once too often");
}

#[test]
fn a_hex_key_is_named_as_hex() {
    let gopay = real("gopay-phone");
    let hex = hex(&unb64_16(text(&gopay, "session_key")));
    let diagnosis = gopay_with(Field::SessionKey, &hex);
    assert_eq!(
        diagnosis.finding(),
        &Finding::Input {
            error: Error::WrongLength {
                field: Field::SessionKey,
                len: 24,
            },
            lenient_repairs: false,
            hint: Some(LengthHint::Hex),
        }
    );
}

#[test]
fn empty_and_oversized_fields_are_named() {
    let gopay = real("gopay-phone");
    let diagnosis = gopay_with(Field::Iv, "");
    assert_eq!(
        diagnosis.finding(),
        &Finding::Input {
            error: Error::Empty { field: Field::Iv },
            lenient_repairs: false,
            hint: None,
        }
    );
    let small = gopay_options().with_max_encrypted_data_len(100);
    let diagnosis = diagnose_at(&input_of(&gopay), &small, made_at(&gopay));
    assert_eq!(
        diagnosis.finding(),
        &Finding::Input {
            error: Error::TooLarge {
                field: Field::EncryptedData,
                len: 216,
                max: 100
            },
            lenient_repairs: false,
            hint: None,
        }
    );
}

// ----- Key and iv -----

#[test]
fn another_requests_iv_is_diagnosed_as_only_the_iv() {
    // Each vector's data with the other vector's iv.
    let gopay = real("gopay-phone");
    let official = real("official-wxbizdatacrypt-userinfo");
    for (entry, other, kind) in [
        (&gopay, &official, PayloadKind::PhoneNumber),
        (&official, &gopay, PayloadKind::UserInfo),
    ] {
        let input = DiagnoseInput {
            iv: text(other, "iv"),
            ..input_of(entry)
        };
        let diagnosis = diagnose_at(&input, &DiagnoseOptions::without_appid(), made_at(entry));
        assert_eq!(
            diagnosis.finding(),
            &Finding::IvWrong {
                resembles: Some(kind)
            },
            "{}",
            entry["id"]
        );
        assert_step(&diagnosis, Some(Stage::Decryption), PLAINTEXT);
        assert_shows(&diagnosis, "finding: only the iv is wrong");
    }
}

#[test]
fn every_one_byte_change_of_a_phone_ivs_is_diagnosed_as_only_the_iv() {
    // The first plaintext block of a phone payload is `{"phoneNumber":"`:
    // flipping a bit of iv byte i flips the same bit of plaintext byte i,
    // breaking the syntax or the first member's name.
    let gopay = real("gopay-phone");
    let iv = unb64_16(text(&gopay, "iv"));
    for at in 0..16 {
        let mut changed = iv;
        changed[at] ^= 0x01;
        let changed = b64(&changed);
        let diagnosis = gopay_with(Field::Iv, &changed);
        assert_eq!(
            diagnosis.finding(),
            &Finding::IvWrong {
                resembles: Some(PayloadKind::PhoneNumber)
            },
            "iv byte {at}"
        );
    }
}

#[test]
fn another_users_key_is_diagnosed_as_the_key() {
    let official = real("official-wxbizdatacrypt-userinfo");
    let diagnosis = gopay_with(Field::SessionKey, text(&official, "session_key"));
    assert!(
        matches!(
            diagnosis.finding(),
            Finding::KeyWrongOrStale {
                single_block: false,
                ..
            }
        ),
        "{diagnosis}"
    );
}

/// The last plaintext byte of `data` under `key` (the iv does not enter the
/// last block of multi-block data), decrypted with the `cbc` crate directly.
fn last_plaintext_byte(key: &[u8; 16], data: &[u8]) -> u8 {
    let mut last_two = data[data.len() - 32..].to_vec();
    let mut decryptor = cbc::Decryptor::<Aes128>::new(key.into(), (&[0u8; 16]).into());
    let (blocks, _) = InOutBuf::from(&mut last_two[..]).into_chunks();
    decryptor.decrypt_blocks_inout(blocks);
    last_two[31]
}

#[test]
fn a_wrong_key_whose_padding_passes_by_chance_is_still_the_key() {
    let gopay = real("gopay-phone");
    let data = unb64(text(&gopay, "encrypted_data"));
    // The first key 0, 1, 2, ... (in its first byte) under which the last
    // byte decrypts to 1: a valid one-byte padding over random bytes.
    let key = (0u16..4096)
        .map(|n| {
            let mut key = [0u8; 16];
            key[..2].copy_from_slice(&n.to_be_bytes());
            key
        })
        .find(|key| last_plaintext_byte(key, &data) == 1)
        .expect("about 1 key in 256 qualifies");
    let key = b64(&key);
    let diagnosis = gopay_with(Field::SessionKey, &key);
    assert_eq!(
        diagnosis.finding(),
        &Finding::KeyWrongOrStale {
            single_block: false,
            padding_passed: true
        }
    );
}

#[test]
fn a_single_block_with_a_wrong_key_says_the_iv_could_be_the_cause_too() {
    // A 15-byte share payload: one block. The go-pay key with the official
    // sample's: the padding fails.
    let official = real("official-wxbizdatacrypt-userinfo");
    let gopay = real("gopay-phone");
    let data = b64(&encrypt(
        &unb64_16(text(&gopay, "session_key")),
        &unb64_16(text(&gopay, "iv")),
        br#"{"openGId":"x"}"#,
    ));
    let input = DiagnoseInput {
        session_key: text(&official, "session_key"),
        iv: text(&gopay, "iv"),
        encrypted_data: &data,
    };
    let diagnosis = diagnose_at(&input, &DiagnoseOptions::without_appid(), made_at(&gopay));
    let Finding::KeyWrongOrStale {
        single_block: true, ..
    } = diagnosis.finding()
    else {
        panic!("{diagnosis}");
    };
    assert_shows(&diagnosis, "a wrong iv gives the same result");
}

#[test]
fn data_cut_at_a_block_boundary_is_diagnosed_as_truncated() {
    let gopay = real("gopay-phone");
    let data = unb64(text(&gopay, "encrypted_data"));
    let cut = b64(&data[..data.len() - 32]);
    let diagnosis = gopay_with(Field::EncryptedData, &cut);
    assert_eq!(diagnosis.finding(), &Finding::Truncated);
    assert_step(&diagnosis, Some(Stage::Decryption), CIPHER);
}

// ----- Plaintext and payload -----

#[test]
fn a_plaintext_that_is_not_json_is_named() {
    let diagnosis = diagnose_plaintext(
        "phone=13580006666&country=86 (a form, not JSON)",
        &gopay_options(),
    );
    assert_eq!(
        diagnosis.finding(),
        &Finding::MalformedJson {
            problem: JsonProblem::Syntax
        }
    );
    assert_step(&diagnosis, Some(Stage::Decryption), PLAINTEXT);
}

#[test]
fn a_plaintext_with_bytes_that_are_not_utf8_is_named() {
    // The doc layout, with one byte of the pure number replaced by 0xff.
    let mut bytes = PHONE.as_bytes().to_vec();
    let at = PHONE.find("purePhoneNumber").expect("present") + 20;
    bytes[at] = 0xff;
    let gopay = real("gopay-phone");
    let data = b64(&encrypt(
        &unb64_16(text(&gopay, "session_key")),
        &unb64_16(text(&gopay, "iv")),
        &bytes,
    ));
    let input = DiagnoseInput {
        encrypted_data: &data,
        ..input_of(&gopay)
    };
    let diagnosis = diagnose_at(
        &input,
        &gopay_options(),
        UnixTime::from_secs(GENERATED_TIME),
    );
    assert_eq!(diagnosis.finding(), &Finding::NotUtf8);
}

#[test]
fn an_object_of_no_known_shape_lists_its_member_names_only() {
    let diagnosis = diagnose_plaintext(
        r#"{"orderId":"A-13580006666","amount":42,"watermark":{"appid":"wxdaa2ab9ef87b5497","timestamp":1700000000}}"#,
        &gopay_options(),
    );
    let Finding::UnexpectedShape {
        resembles: None,
        missing,
        members,
    } = diagnosis.finding()
    else {
        panic!("{diagnosis}");
    };
    assert!(missing.is_empty());
    assert_eq!(members.shown(), ["orderId", "amount", "watermark"]);
    assert_step(&diagnosis, Some(Stage::Decryption), PAYLOAD);
    assert!(
        !diagnosis.to_string().contains("13580006666"),
        "{diagnosis}"
    );
}

#[test]
fn member_names_that_are_not_plain_identifiers_are_counted_not_shown() {
    let diagnosis = diagnose_plaintext(
        r#"{"13580006666":1,"nick name":2,"ok":3}"#,
        &gopay_options(),
    );
    let Finding::UnexpectedShape { members, .. } = diagnosis.finding() else {
        panic!("{diagnosis}");
    };
    assert_eq!(members.shown(), ["ok"]);
    assert_eq!(members.hidden(), 2);
    assert_shows(&diagnosis, "ok and 2 more not shown");
}

#[test]
fn a_phone_payload_whose_numbers_disagree_resembles_a_phone_payload() {
    // purePhoneNumber must end phoneNumber (the crate's consistency rule).
    let diagnosis = diagnose_plaintext(
        r#"{"phoneNumber":"13580006666","purePhoneNumber":"13580007777","countryCode":"86","watermark":{"appid":"wxdaa2ab9ef87b5497","timestamp":1700000000}}"#,
        &gopay_options(),
    );
    assert!(
        matches!(
            diagnosis.finding(),
            Finding::UnexpectedShape {
                resembles: Some(PayloadKind::PhoneNumber),
                missing,
                ..
            } if missing.is_empty()
        ),
        "{diagnosis}"
    );
    assert_shows(
        &diagnosis,
        "but a value has the wrong type or breaks a rule",
    );
}

// ----- Watermark -----

#[test]
fn the_appid_of_another_mini_program_is_named_with_both_appids() {
    let official = real("official-wxbizdatacrypt-userinfo");
    let options = DiagnoseOptions::new(Validation::new(GOPAY_APPID));
    let diagnosis = diagnose_at(&input_of(&official), &options, made_at(&official));
    assert_eq!(
        diagnosis.finding(),
        &Finding::Policy {
            kind: PayloadKind::UserInfo,
            error: Error::AppIdMismatch {
                expected: GOPAY_APPID.to_owned(),
                found: OFFICIAL_APPID.to_owned()
            }
        }
    );
    assert_shows(
        &diagnosis,
        "\nfinding: a user info (UserInfo) payload: watermark appid \"wx4f4bc4dec97d474b\" \
         does not match the expected appid \"wxdaa2ab9ef87b5497\" \
         (the data was made for another mini program)\n",
    );
}

#[test]
fn an_empty_appid_matches_nothing_as_in_production() {
    let official = real("official-wxbizdatacrypt-userinfo");
    let options = DiagnoseOptions::new(Validation::new(""));
    let diagnosis = diagnose_at(&input_of(&official), &options, made_at(&official));
    assert!(
        matches!(
            diagnosis.finding(),
            Finding::Policy {
                kind: PayloadKind::UserInfo,
                error: Error::AppIdMismatch { expected, .. },
            } if expected.is_empty()
        ),
        "{diagnosis}"
    );
    assert_shows(
        &diagnosis,
        "\nfinding: a user info (UserInfo) payload: no appid is configured in the validation, \
         so no watermark can match (give Validation::new your mini program's appid)\n",
    );
}

#[test]
fn expiry_follows_the_production_rule_at_its_edge() {
    // Defaults: one hour plus five minutes of leeway.
    let official = real("official-wxbizdatacrypt-userinfo");
    let made = 1_477_314_187;
    let options = DiagnoseOptions::new(Validation::new(OFFICIAL_APPID));
    let at = |now: u64| diagnose_at(&input_of(&official), &options, UnixTime::from_secs(now));
    assert!(at(made + 3600 + 300).is_valid());
    assert_eq!(
        at(made + 3600 + 301).finding(),
        &Finding::Policy {
            kind: PayloadKind::UserInfo,
            error: Error::Expired {
                timestamp: made,
                now: made + 3901,
                max_age: 3600,
            }
        }
    );
    let shorter = DiagnoseOptions::new(
        Validation::new(OFFICIAL_APPID)
            .with_max_age(60)
            .with_leeway(0),
    );
    let diagnosis = diagnose_at(
        &input_of(&official),
        &shorter,
        UnixTime::from_secs(made + 61),
    );
    assert_shows(
        &diagnosis,
        "\nfinding: a user info (UserInfo) payload: watermark is too old: timestamp 1477314187 \
         is 61 s before now (1477314248), the maximum age is 60 s\n",
    );
    let forever = DiagnoseOptions::new(Validation::new(OFFICIAL_APPID).without_max_age());
    assert!(
        diagnose_at(
            &input_of(&official),
            &forever,
            UnixTime::from_secs(GENERATED_TIME)
        )
        .is_valid()
    );
}

#[test]
fn a_watermark_from_the_future_is_named() {
    let official = real("official-wxbizdatacrypt-userinfo");
    let made = 1_477_314_187;
    let options = DiagnoseOptions::new(Validation::new(OFFICIAL_APPID));
    let diagnosis = diagnose_at(
        &input_of(&official),
        &options,
        UnixTime::from_secs(made - 301),
    );
    assert_eq!(
        diagnosis.finding(),
        &Finding::Policy {
            kind: PayloadKind::UserInfo,
            error: Error::FromFuture {
                timestamp: made,
                now: made - 301,
                leeway: 300
            }
        }
    );
    assert_step(&diagnosis, Some(Stage::Policy), WATERMARK);
}

#[test]
fn a_made_phone_payload_without_a_watermark_is_named() {
    let diagnosis = diagnose_plaintext(
        r#"{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86"}"#,
        &gopay_options(),
    );
    assert_eq!(
        diagnosis.finding(),
        &Finding::Policy {
            kind: PayloadKind::PhoneNumber,
            error: Error::MissingWatermark,
        }
    );
    let valid = diagnose_plaintext(PHONE, &gopay_options());
    assert!(valid.is_valid(), "{valid}");
}

// ----- Nothing secret is shown -----

/// Every value that must never appear: session keys (as given, in hex, and
/// base64-encoded again) and the personal data in every plaintext.
fn secrets() -> Vec<String> {
    let mut secrets = Vec::new();
    for key in vectors::all_session_keys() {
        let bytes = unb64(&key);
        secrets.push(hex(&bytes));
        secrets.push(b64(key.as_bytes()));
        secrets.push(key);
    }
    for file in [real_world(), generated()] {
        for entry in section(&file, "decrypts") {
            let Some(plaintext) = entry["plaintext"].as_str() else {
                continue;
            };
            let Ok(Value::Object(payload)) = serde_json::from_str::<Value>(plaintext) else {
                continue;
            };
            for name in [
                "phoneNumber",
                "purePhoneNumber",
                "nickName",
                "openId",
                "unionId",
                "avatarUrl",
                "openGId",
            ] {
                if let Some(value) = payload.get(name).and_then(Value::as_str) {
                    secrets.push(value.to_owned());
                }
            }
        }
    }
    secrets.push("13580006666".to_owned());
    secrets.retain(|s| s.len() >= 4);
    secrets
}

/// Diagnoses of many kinds: valid, each policy failure, wrong key and iv,
/// damaged and mis-encoded inputs, for every real vector.
fn many_diagnoses() -> Vec<Diagnosis> {
    let file = real_world();
    let mut out = Vec::new();
    let entries: Vec<&Value> = section(&file, "decrypts")
        .iter()
        .chain(section(&file, "does_not_decrypt"))
        .collect();
    for entry in &entries {
        let input = input_of(entry);
        let now = entry["watermark_timestamp"]
            .as_u64()
            .map_or(UnixTime::from_secs(GENERATED_TIME), UnixTime::from_secs);
        let key = input.session_key;
        let twice = b64(key.as_bytes());
        let hex = hex(&unb64(key));
        let spaced = key.replace(['+', '/'], " ");
        let wrong_iv = b64(&[7u8; 16]);
        let variants = [
            input,
            DiagnoseInput {
                session_key: &twice,
                ..input
            },
            DiagnoseInput {
                session_key: &hex,
                ..input
            },
            DiagnoseInput {
                session_key: &spaced,
                ..input
            },
            DiagnoseInput {
                iv: &wrong_iv,
                ..input
            },
        ];
        for variant in variants {
            for options in [
                DiagnoseOptions::without_appid(),
                DiagnoseOptions::new(Validation::new("wxffffffffffffffff")),
                DiagnoseOptions::new(Validation::new("").without_max_age()).unchecked_appid(),
            ] {
                for now in [now, UnixTime::from_secs(0), UnixTime::from_secs(u64::MAX)] {
                    out.push(diagnose_at(&variant, &options, now));
                }
            }
        }
    }
    out
}

#[test]
fn no_diagnosis_shows_a_key_a_phone_number_or_a_profile_value() {
    let secrets = secrets();
    let diagnoses = many_diagnoses();
    let mut stages = std::collections::HashSet::new();
    let mut steps = std::collections::HashSet::new();
    for diagnosis in &diagnoses {
        stages.insert(diagnosis.stage());
        steps.insert(step(diagnosis.finding()));
        let verdict = if diagnosis.is_valid() { "" } else { ": failed" };
        let first = format!("stage:   {}{verdict}\n", step(diagnosis.finding()));
        assert!(diagnosis.to_string().starts_with(&first), "{diagnosis}");
        let shown = format!("{diagnosis}\n{diagnosis:?}\n{:?}", diagnosis.finding());
        for secret in &secrets {
            assert!(!shown.contains(secret.as_str()), "{secret:?} in {shown}");
        }
    }
    // The battery reaches every stage, and every step but the payload's.
    for stage in [
        Some(Stage::Input),
        Some(Stage::Decryption),
        Some(Stage::Policy),
        None,
    ] {
        assert!(stages.contains(&stage), "no diagnosis at {stage:?}");
    }
    for step in [INPUT, CIPHER, PLAINTEXT, WATERMARK, PASSED] {
        assert!(steps.contains(step), "no diagnosis at {step}");
    }
}

#[test]
fn the_input_debug_shows_lengths_only() {
    let gopay = real("gopay-phone");
    let shown = format!("{:?}", input_of(&gopay));
    assert_eq!(
        shown,
        "DiagnoseInput { session_key: [redacted], iv: [24 bytes], encrypted_data: [216 bytes] }"
    );
}

#[test]
fn hostile_inputs_do_not_panic() {
    let gopay = real("gopay-phone");
    let data = text(&gopay, "encrypted_data");
    let texts = [
        "",
        "=",
        "====",
        "\u{0}",
        "é",
        "%",
        "%2",
        " ",
        "\n",
        "AAAA",
        "AAAAAAAAAAAAAAAAAAAAAA==",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        data,
        &data[..data.len() - 1],
    ];
    for key in texts {
        for iv in texts {
            for encrypted_data in texts {
                let input = DiagnoseInput {
                    session_key: key,
                    iv,
                    encrypted_data,
                };
                let diagnosis = diagnose_at(
                    &input,
                    &DiagnoseOptions::without_appid(),
                    UnixTime::from_secs(0),
                );
                let _ = diagnosis.to_string();
            }
        }
    }
}
