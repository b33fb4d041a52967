//! The session helpers: the `rawData` SHA-1 signature, the HMAC-SHA256
//! session signature, `encrypted_msg_hash`, decryption with candidate keys,
//! and the phone number helpers, on the published vectors.
//!
//! Every expected digest below was computed outside the crate, with Python's
//! `hashlib` and `hmac` modules, as each comment says.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use wxdecrypt::api::{checksession_signature, encrypted_msg_hash, session_signature};
use wxdecrypt::{
    Decrypted, EncryptedData, Error, InputParser, Iv, MAX_CANDIDATE_KEYS, PhoneNumber, SessionKey,
    Stage, UnixTime, UserInfo, Validation, decrypt_at, decrypt_with_keys, decrypt_with_keys_at,
    verify_raw_data,
};
use wxdecrypt_testkit::encrypt::{b64, encrypt, unb64_16};
use wxdecrypt_testkit::vectors::{self, entry, generated, real_world, section, text};

fn key(text: &str) -> SessionKey {
    SessionKey::from_base64(text).expect("vector keys are valid")
}

/// The `signatures` entries of one kind.
fn signatures(kind: &str) -> Vec<Value> {
    let file = real_world();
    let found: Vec<Value> = section(&file, "signatures")
        .iter()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect();
    assert!(!found.is_empty(), "no {kind} signatures");
    found
}

/// Lower-case hex (test side).
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Decodes hex (test data only).
fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("test data is hex"))
        .collect()
}

// ---------------------------------------------------------------------------
// rawData + SHA-1
// ---------------------------------------------------------------------------

/// One `rawdata_sha1` vector: 0 is WeChat's documentation example, 1 is
/// `WeiXinMPSDK`'s non-ASCII case.
struct Signed {
    key: SessionKey,
    raw_data: String,
    signature: String,
}

fn signed(index: usize) -> Signed {
    let vector = &signatures("rawdata_sha1")[index];
    Signed {
        key: key(text(vector, "session_key")),
        raw_data: text(vector, "raw_data").to_owned(),
        signature: text(vector, "signature").to_owned(),
    }
}

/// Both `rawdata_sha1` vectors (WeChat's documentation example, and
/// `WeiXinMPSDK`'s non-ASCII case). Python agrees with the published
/// signatures: `hashlib.sha1((raw_data + session_key).encode()).hexdigest()`
/// gives `75e81ceda165f4ffa64f4068af58c64b8f54b88c` and
/// `2d65ebea7c7f500bfb874b71569a591047452d38`.
#[test]
fn published_raw_data_signatures_verify_in_either_case() {
    let python = [
        "75e81ceda165f4ffa64f4068af58c64b8f54b88c",
        "2d65ebea7c7f500bfb874b71569a591047452d38",
    ];
    let vectors = signatures("rawdata_sha1");
    assert_eq!(vectors.len(), python.len());
    for (vector, expected) in vectors.iter().zip(python) {
        let signature = text(vector, "signature");
        assert_eq!(signature, expected, "the vector file agrees with Python");
        assert_eq!(vector["matches"], true);
        let key = key(text(vector, "session_key"));
        let raw_data = text(vector, "raw_data");
        assert!(verify_raw_data(&key, raw_data, signature));
        assert!(verify_raw_data(&key, raw_data, &signature.to_uppercase()));
        let mixed: String = signature
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 2 == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        assert!(verify_raw_data(&key, raw_data, &mixed));
    }
}

#[test]
fn every_one_bit_change_of_the_signature_is_a_mismatch() {
    let example = signed(0);
    let digest = unhex(&example.signature);
    assert_eq!(digest.len(), 20);
    for bit in 0..160 {
        let mut flipped = digest.clone();
        flipped[bit / 8] ^= 0x80 >> (bit % 8);
        let signature = hex(&flipped);
        assert!(
            !verify_raw_data(&example.key, &example.raw_data, &signature),
            "bit {bit}"
        );
    }
}

#[test]
fn signatures_of_the_wrong_shape_are_mismatches_without_panicking() {
    let Signed {
        key,
        raw_data,
        signature: good,
    } = signed(0);
    let non_ascii = format!("{}\u{e9}", &good[..38]);
    let cases = [
        String::new(),
        good[..39].to_owned(),
        format!("{good}0"),
        good[..38].to_owned(),
        format!("{good}{good}"),
        format!(" {good}"),
        format!("{good}\n"),
        format!("g{}", &good[1..]),
        format!("{}z", &good[..39]),
        format!("-{}", &good[1..]),
        format!("0x{}", &good[2..]),
        non_ascii,
        "\u{e9}".repeat(20),
    ];
    for signature in &cases {
        assert!(
            !verify_raw_data(&key, &raw_data, signature),
            "{signature:?}"
        );
    }
}

/// The key is appended as its base64 text, after `rawData`. Computed with
/// Python for the documentation example:
/// `hashlib.sha1(raw_data.encode() + base64.b64decode(session_key)).hexdigest()`
/// and `hashlib.sha1((session_key + raw_data).encode()).hexdigest()`.
#[test]
fn signatures_over_the_key_bytes_or_in_the_other_order_do_not_verify() {
    let Signed { key, raw_data, .. } = signed(0);
    for signature in [
        "3911125118c76f5bc44eb67d58ac724d135f3361",
        "4eb1e81b60b8c9ab02813a68f1044f69eef494d4",
    ] {
        assert!(!verify_raw_data(&key, &raw_data, signature), "{signature}");
    }
}

#[test]
fn a_changed_raw_data_or_another_key_is_a_mismatch() {
    let Signed {
        key: right,
        raw_data,
        signature,
    } = signed(0);
    let altered = raw_data.replace("\"gender\":1", "\"gender\":2");
    assert_ne!(altered, raw_data);
    assert!(!verify_raw_data(&right, &altered, &signature));
    assert!(!verify_raw_data(
        &right,
        &format!("{raw_data} "),
        &signature
    ));
    assert!(!verify_raw_data(&right, "", &signature));
    let other = signed(1).key;
    assert!(!verify_raw_data(&other, &raw_data, &signature));
}

/// The key text a [`SessionKey`] rebuilds is the one WeChat signed with,
/// also when the lenient mode repaired a `+` lost to form decoding
/// (`WeiXinMPSDK`'s key holds a `+`).
#[test]
fn a_key_repaired_by_the_lenient_mode_still_verifies() {
    let vector = &signatures("rawdata_sha1")[1];
    let original = text(vector, "session_key");
    assert!(original.contains('+'));
    let damaged = original.replace('+', " ");
    assert!(SessionKey::from_base64(&damaged).is_err());
    let repaired = InputParser::new().lenient().session_key(&damaged).unwrap();
    assert!(verify_raw_data(
        &repaired,
        text(vector, "raw_data"),
        text(vector, "signature")
    ));
}

/// `WeiXinMPSDK` issue 1869: the stored key came from a later `wx.login`. The
/// signature check names the cause before any decryption (Python:
/// `hashlib.sha1((raw_data + session_key).encode()).hexdigest()` is
/// `ec00c9dcfb6aa56588575b285ddfc255989208f6`, not the signature sent).
#[test]
fn the_signature_tells_the_stale_key_of_issue_1869_from_damaged_data() {
    let file = real_world();
    let stale = entry(
        &file,
        "does_not_decrypt",
        "weixinmpsdk-issue-1869-stale-session-key",
    );
    assert_eq!(stale["signature_matches_session_key"], false);
    let stale_key = key(text(stale, "session_key"));
    assert!(!verify_raw_data(
        &stale_key,
        text(stale, "raw_data"),
        text(stale, "signature")
    ));
    // Sanity check of the Python figure: the digest under the stale key.
    assert!(verify_raw_data(
        &stale_key,
        text(stale, "raw_data"),
        "ec00c9dcfb6aa56588575b285ddfc255989208f6"
    ));
    let iv = Iv::from_base64(text(stale, "iv")).unwrap();
    let data = EncryptedData::from_base64(text(stale, "encrypted_data")).unwrap();
    let validation = Validation::new("wxfcb0a0031394a51c");
    let err = decrypt_at::<UserInfo>(&stale_key, &iv, &data, &validation, UnixTime::from_secs(0))
        .unwrap_err();
    assert_eq!(err, Error::Decryption);
}

// ---------------------------------------------------------------------------
// HMAC-SHA256 session signature
// ---------------------------------------------------------------------------

/// The example in WeChat's session signature tutorial; Python agrees:
/// `hmac.new(session_key.encode(), b'{"foo":"bar"}', hashlib.sha256).hexdigest()`.
#[test]
fn the_published_session_signature_is_reproduced() {
    let vectors = signatures("session_hmac_sha256");
    for vector in &vectors {
        let key = key(text(vector, "session_key"));
        let message = text(vector, "message");
        assert_eq!(
            session_signature(&key, message.as_bytes()),
            text(vector, "signature")
        );
        assert_eq!(
            text(vector, "signature"),
            "654571f79995b2ce1e149e53c0a33dc39c0a74090db514261454e8dbe432aa0b"
        );
    }
}

/// Computed with Python:
/// `hmac.new(session_key.encode(), message, hashlib.sha256).hexdigest()`.
#[test]
fn session_signatures_match_python_hmac() {
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "tiihtNczf5v6AKRyjwEUhQ==",
            br#"{"openid":"oGZUI0egBJY1zhBYw2KhdUfwVJJE"}"#,
            "eb5fe720d44b29604477c07fe398b33f4c109ccd744284b20fb6fd7b7b569582",
        ),
        // Bytes that are not UTF-8 are signed as they are.
        (
            "lyY4HPQbaOYzZdG+JcYK9w==",
            b"\x00\xff\x80\n",
            "8e31ed4cc83d97bac8539c6cdce96355276e57a164a5596171595687b88d816c",
        ),
        // Longer than a SHA-256 block (b'a' * 1000).
        (
            "jCdFs2HMx+A9Dr9lhMJKxA==",
            &[b'a'; 1000],
            "9222dbc6bcd0c6efb6ca517dc52798cf3007345f1b206977d1b1404e9c46ef33",
        ),
        (
            "tiihtNczf5v6AKRyjwEUhQ==",
            b"",
            "7154f9f8b4b76b92f541cbf0e37d48840fa06e5e42da92a6f80168a1516a4735",
        ),
    ];
    for (session_key, message, expected) in cases {
        assert_eq!(session_signature(&key(session_key), message), expected);
    }
}

/// `wxa/checksession` signs the empty message. Python:
/// `hmac.new(b"o0q0otL8aEzpcZL/FT9WsQ==", b"", hashlib.sha256).hexdigest()`
/// and the same with `b"tiihtNczf5v6AKRyjwEUhQ=="`.
#[test]
fn checksession_signs_the_empty_message() {
    let cases = [
        (
            "o0q0otL8aEzpcZL/FT9WsQ==",
            "46e043c5525c2d817c44be603d30837a808a1d930d038f6fdc3e62a201fed128",
        ),
        (
            "tiihtNczf5v6AKRyjwEUhQ==",
            "7154f9f8b4b76b92f541cbf0e37d48840fa06e5e42da92a6f80168a1516a4735",
        ),
    ];
    for (session_key, expected) in cases {
        let key = key(session_key);
        assert_eq!(checksession_signature(&key), expected);
        assert_eq!(session_signature(&key, b""), expected);
    }
}

#[test]
fn session_signatures_are_64_lower_case_hex_digits() {
    for session_key in vectors::all_session_keys() {
        let signature = checksession_signature(&key(&session_key));
        assert_eq!(signature.len(), 64);
        assert!(
            signature
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{signature}"
        );
    }
}

// ---------------------------------------------------------------------------
// encrypted_msg_hash
// ---------------------------------------------------------------------------

/// The example in WeChat's `checkEncryptedData` documentation: the hash of
/// the base64 text as shown. Python agrees:
/// `hashlib.sha256(text.encode()).hexdigest()`; hashing the decoded bytes
/// instead, `hashlib.sha256(base64.b64decode(text)).hexdigest()`, gives
/// `c773ee0b…`, which is not what WeChat shows.
#[test]
fn encrypted_msg_hash_reproduces_wechats_example() {
    let text = "hsSuSUsePBqSQw2rYMtf9Nvha603xX8f2BMQBcYRoJiMNwOqt/UEhrqekebG5ar0LFNAm5MD4Uz6zorRwiXJ\
                wbySJ/FEJHav4NsobBIU1PwdjbJWVQLFy7+YFkHB32OnQXWMh6ugW7Dyk2KS5BXp1f5lniKPp1KNLyNLlFl\
                NZ2mgJCJmWvHj5AI7BLpWwoRvqRyZvVXo+9FsWqvBdxmAPA==";
    let data = EncryptedData::from_base64(text).unwrap();
    assert_eq!(
        encrypted_msg_hash(&data),
        "657edd868c9715a9bebe42b833269a557a48498785397a796f1568c29a200b2c"
    );
    assert_ne!(
        encrypted_msg_hash(&data),
        "c773ee0b078fe90402423c788383050a6f5238aa1342aa75d5d4758304a81f42"
    );
}

/// WxJava issue 666: the text arrived with every `+` turned into a space.
/// Repaired by the lenient mode, it hashes like the text WeChat made
/// (Python: `hashlib.sha256(encrypted_data.encode()).hexdigest()` of the
/// intact text is `b0bf0b91…`; of the damaged one, `d9f2f4e4…`).
#[test]
fn encrypted_msg_hash_of_repaired_text_is_that_of_the_original() {
    let file = real_world();
    let vector = entry(&file, "decrypts", "wxjava-issue-666-plus-as-space-phone");
    let intact = "b0bf0b913ad8b405a5d9bc56fbc961b4dda96d1043ee63dfa9fe571e46f5d078";
    let data = EncryptedData::from_base64(text(vector, "encrypted_data")).unwrap();
    assert_eq!(encrypted_msg_hash(&data), intact);
    let repaired = InputParser::new()
        .lenient()
        .encrypted_data(text(vector, "encrypted_data_as_reported"))
        .unwrap();
    assert_eq!(encrypted_msg_hash(&repaired), intact);
    assert_ne!(
        encrypted_msg_hash(&repaired),
        "d9f2f4e4d307f5b6a4a6465d7f34e23efa26ef6292b9c2724a99045b1ccbf946"
    );
}

// ---------------------------------------------------------------------------
// Candidate keys
// ---------------------------------------------------------------------------

/// The inputs of one `decrypts` vector of real-world.json, its appid and
/// the time of its watermark.
struct Case {
    key: SessionKey,
    iv: Iv,
    data: String,
    validation: Validation,
    now: UnixTime,
}

fn real_case(id: &str) -> Case {
    let file = real_world();
    let vector = entry(&file, "decrypts", id);
    Case {
        key: key(text(vector, "session_key")),
        iv: Iv::from_base64(text(vector, "iv")).unwrap(),
        data: text(vector, "encrypted_data").to_owned(),
        validation: Validation::new(text(vector, "appid")),
        now: UnixTime::from_secs(vector["watermark_timestamp"].as_u64().unwrap()),
    }
}

/// Keys from other vectors: wrong for any one case.
fn other_keys() -> [SessionKey; 3] {
    [
        key("7MG7jbTToVVRWRXVA885rg=="),
        key("0sVkQ4CtcaiYJtvoPLBecw=="),
        key("DhdCKRNjmngLstiaaVQR6A=="),
    ]
}

fn with_keys<T: serde::de::DeserializeOwned>(
    case: &Case,
    keys: &[&SessionKey],
) -> Result<(usize, Decrypted<T>), Error> {
    let data = EncryptedData::from_base64(&case.data).unwrap();
    decrypt_with_keys_at(keys, &case.iv, &data, &case.validation, case.now)
}

fn single<T: serde::de::DeserializeOwned>(
    case: &Case,
    key: &SessionKey,
) -> Result<Decrypted<T>, Error> {
    let data = EncryptedData::from_base64(&case.data).unwrap();
    decrypt_at(key, &case.iv, &data, &case.validation, case.now)
}

#[test]
fn the_index_of_the_key_that_decrypts_is_reported() {
    let case = real_case("gopay-phone");
    let [a, b, c] = other_keys();
    let expected = single::<PhoneNumber>(&case, &case.key).unwrap();
    assert_eq!(expected.payload.pure_phone_number(), "18017448610");
    let orders: [(&[&SessionKey], usize); 5] = [
        (&[&case.key], 0),
        (&[&case.key, &a], 0),
        (&[&a, &case.key], 1),
        (&[&a, &b, &case.key], 2),
        (&[&a, &b, &c, &case.key], 3),
    ];
    for (keys, index) in orders {
        let (found, decrypted) = with_keys::<PhoneNumber>(&case, keys).unwrap();
        assert_eq!(found, index);
        assert_eq!(decrypted, expected);
    }
}

#[test]
fn candidate_keys_work_for_any_payload_type() {
    let case = real_case("official-wxbizdatacrypt-userinfo");
    let [stale, ..] = other_keys();
    let (index, user) = with_keys::<UserInfo>(&case, &[&stale, &case.key]).unwrap();
    assert_eq!(index, 1);
    assert_eq!(user.payload.nick_name(), "Band");
    assert_eq!(user.watermark.unwrap().timestamp.as_secs(), 1_477_314_187);
}

#[test]
fn when_no_key_decrypts_the_error_is_the_single_key_error() {
    let [a, b, c] = other_keys();
    for id in ["gopay-phone", "wxjava-issue-666-plus-as-space-phone"] {
        let case = real_case(id);
        let alone = single::<PhoneNumber>(&case, &a).unwrap_err();
        assert_eq!(alone, Error::Decryption);
        for keys in [&[&a][..], &[&a, &b], &[&c, &b, &a]] {
            let err = with_keys::<PhoneNumber>(&case, keys).unwrap_err();
            assert_eq!(err, alone, "{id}");
            assert_eq!(err.to_string(), alone.to_string());
            assert_eq!(format!("{err:?}"), format!("{alone:?}"));
        }
    }
}

/// The real inputs that came with a wrong or stale key stay refused when
/// more wrong keys are tried, with the error a single key gives.
#[test]
fn the_does_not_decrypt_vectors_fail_identically_with_candidates() {
    let file = real_world();
    let [a, b, _] = other_keys();
    for vector in section(&file, "does_not_decrypt") {
        let own = key(text(vector, "session_key"));
        let iv = Iv::from_base64(text(vector, "iv")).unwrap();
        let data = EncryptedData::from_base64(text(vector, "encrypted_data")).unwrap();
        let validation = Validation::new("wx4f4bc4dec97d474b");
        let now = UnixTime::from_secs(1_600_000_000);
        let alone = decrypt_at::<UserInfo>(&own, &iv, &data, &validation, now).unwrap_err();
        let many = decrypt_with_keys_at::<UserInfo>(&[&a, &own, &b], &iv, &data, &validation, now)
            .unwrap_err();
        assert_eq!(many, alone, "{}", vector["id"]);
        assert_eq!(many.stage(), Stage::Decryption);
    }
}

#[test]
fn a_policy_error_under_a_key_that_decrypts_is_returned_as_is() {
    let case = real_case("gopay-phone");
    let [stale, other, _] = other_keys();
    let wrong_appid = Case {
        validation: Validation::new("wx0000000000000000"),
        ..case
    };
    let alone = single::<PhoneNumber>(&wrong_appid, &wrong_appid.key).unwrap_err();
    assert!(matches!(alone, Error::AppIdMismatch { .. }), "{alone:?}");
    let err =
        with_keys::<PhoneNumber>(&wrong_appid, &[&stale, &wrong_appid.key, &other]).unwrap_err();
    assert_eq!(err, alone);
}

#[test]
fn an_input_error_is_returned_as_is() {
    let case = real_case("gopay-phone");
    let [stale, ..] = other_keys();
    // Same length, one character outside the alphabet: found when decoding.
    let broken = Case {
        data: format!("!{}", &case.data[1..]),
        ..case
    };
    let alone = single::<PhoneNumber>(&broken, &broken.key).unwrap_err();
    assert_eq!(alone.stage(), Stage::Input);
    let err = with_keys::<PhoneNumber>(&broken, &[&stale, &broken.key]).unwrap_err();
    assert_eq!(err, alone);
}

#[test]
fn an_empty_or_too_long_key_list_is_refused() {
    let case = real_case("gopay-phone");
    let err = with_keys::<PhoneNumber>(&case, &[]).unwrap_err();
    assert_eq!(err, Error::CandidateKeyCount { count: 0, max: 4 });
    assert_eq!(err.stage(), Stage::Input);
    assert_eq!(MAX_CANDIDATE_KEYS, 4);
    let [a, b, c] = other_keys();
    let five: [&SessionKey; 5] = [&case.key, &a, &b, &c, &case.key];
    let err = with_keys::<PhoneNumber>(&case, &five).unwrap_err();
    assert_eq!(err, Error::CandidateKeyCount { count: 5, max: 4 });
}

/// The variant without a clock argument reads the system clock: a payload
/// made now (with the test-only encryptor) is accepted, with its index.
#[test]
fn decrypt_with_keys_reads_the_system_clock() {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let key_bytes = unb64_16("tiihtNczf5v6AKRyjwEUhQ==");
    let iv_bytes = unb64_16("r7BXXKkLb8qrSNn05n0qiA==");
    let plaintext = format!(
        r#"{{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86","watermark":{{"timestamp":{now},"appid":"wx4f4bc4dec97d474b"}}}}"#
    );
    let data = b64(&encrypt(&key_bytes, &iv_bytes, plaintext.as_bytes()));
    let data = EncryptedData::from_base64(&data).unwrap();
    let iv = Iv::from_bytes(iv_bytes);
    let right = SessionKey::from_bytes(key_bytes);
    let [stale, ..] = other_keys();
    let validation = Validation::new("wx4f4bc4dec97d474b");
    let (index, phone) =
        decrypt_with_keys::<PhoneNumber>(&[&stale, &right], &iv, &data, &validation).unwrap();
    assert_eq!(index, 1);
    assert_eq!(phone.payload.masked(), "135****6666");
    assert_eq!(phone.watermark.unwrap().timestamp.as_secs(), now);
}

// ---------------------------------------------------------------------------
// Phone helpers
// ---------------------------------------------------------------------------

/// Every phone vector, decrypted, with its id and plaintext.
fn phone_vectors() -> Vec<(String, PhoneNumber, Value)> {
    let mut phones = Vec::new();
    for file in [real_world(), generated()] {
        for vector in section(&file, "decrypts") {
            if vector["kind"] != "phone" {
                continue;
            }
            let id = text(vector, "id").to_owned();
            let key = key(text(vector, "session_key"));
            let iv = Iv::from_base64(text(vector, "iv")).unwrap();
            let data = EncryptedData::from_base64(text(vector, "encrypted_data")).unwrap();
            let validation = Validation::new(text(vector, "appid"));
            let now = UnixTime::from_secs(vector["watermark_timestamp"].as_u64().unwrap());
            let phone = decrypt_at::<PhoneNumber>(&key, &iv, &data, &validation, now)
                .unwrap_or_else(|e| panic!("{id}: {e}"))
                .payload;
            let plaintext: Value = serde_json::from_str(text(vector, "plaintext")).unwrap();
            phones.push((id, phone, plaintext));
        }
    }
    phones
}

/// Expected forms, written by hand from the plaintexts: `+`, the country
/// code, the pure number; the first 3 and last 4 digits of an 11-digit
/// number, at most half (2 in front, 3 at the end) of a 10-digit one.
#[test]
fn e164_and_masked_forms_of_every_phone_vector() {
    let expected = [
        ("gopay-phone", "+8618017448610", "180****8610"),
        (
            "wxjava-issue-666-plus-as-space-phone",
            "+8613822528774",
            "138****8774",
        ),
        ("phone/baseline", "+8613580006666", "135****6666"),
        ("phone/country-code-number", "+8613580006666", "135****6666"),
        ("phone/foreign-number", "+16505550100", "65*****100"),
        ("phone/unknown-fields", "+8613580006666", "135****6666"),
        ("phone/watermark-first", "+8613580006666", "135****6666"),
        ("phone/whitespace", "+8613580006666", "135****6666"),
    ];
    let phones = phone_vectors();
    assert_eq!(phones.len(), expected.len(), "every phone vector is listed");
    for (id, phone, plaintext) in &phones {
        let (_, e164, masked) = expected
            .iter()
            .find(|(name, ..)| name == id)
            .unwrap_or_else(|| panic!("no expectation for {id}"));
        assert_eq!(phone.e164().as_deref(), Some(*e164), "{id}");
        assert_eq!(phone.masked(), *masked, "{id}");
        // The same number, read from the plaintext with serde_json.
        let code = match &plaintext["countryCode"] {
            Value::String(code) => code.clone(),
            Value::Number(code) => code.to_string(),
            other => panic!("{id}: countryCode {other}"),
        };
        let pure = plaintext["purePhoneNumber"].as_str().unwrap();
        assert_eq!(*e164, format!("+{code}{pure}"), "{id}");
        // Where WeChat wrote the country code into phoneNumber, it agrees.
        let shown = plaintext["phoneNumber"].as_str().unwrap();
        if shown.starts_with('+') {
            assert_eq!(shown, *e164, "{id}");
        } else {
            assert_eq!(shown, pure, "{id}: a mainland number is shown without +86");
        }
    }
}

#[test]
fn masked_forms_and_debug_hide_the_middle_digits_of_every_phone_vector() {
    for (id, phone, _) in phone_vectors() {
        let masked = phone.masked();
        let pure = phone.pure_phone_number();
        assert_eq!(masked.len(), pure.len(), "{id}");
        assert!(masked.matches('*').count() >= 4, "{id}: {masked}");
        let debug = format!("{phone:?}");
        assert!(!debug.contains(pure), "{id}: {debug}");
        assert!(debug.contains(&masked), "{id}: {debug}");
    }
}
