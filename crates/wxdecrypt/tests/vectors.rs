//! Known-answer tests on every entry of `tests/vectors/`.
//!
//! Expected values are read from the vector files (produced by `WeChat`, by
//! other SDKs or by `generate.py` with Python's `cryptography`), never from
//! running this crate: typed fields are compared with the plaintext parsed by
//! `serde_json`, and raw output with the published plaintext byte for byte.

use serde::de::DeserializeOwned;
use serde_json::Value;
use wxdecrypt::{
    Decrypted, EncryptedData, Error, Field, GroupEnterInfo, InputParser, Iv, PhoneNumber,
    RawPayload, SessionKey, ShareInfo, UnixTime, UserInfo, Validation, Watermark, WeRunData,
};
use wxdecrypt_testkit::encrypt::{encrypt_blocks, pkcs7, unb64, unb64_16};
use wxdecrypt_testkit::vectors::{entry, generated, real_world, section, text};

/// Any appid, for entries that carry none.
const SOME_APPID: &str = "wx0123456789abcdef";
/// Any time, for entries without a watermark.
const SOME_TIME: u64 = 1_700_000_000;

/// The payload kinds with a type of their own in the crate.
const TYPED_KINDS: [&str; 5] = [
    "phone",
    "user_info",
    "werun",
    "share_info",
    "group_enter_info",
];

/// The reject reasons that concern the payload's shape rather than its
/// syntax; their id is `reason/kind/what`.
const SHAPE_REASONS: [&str; 3] = ["duplicate_key", "wrong_type", "missing_field"];

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Parses the three inputs with `parser` and decrypts them into a `T`: an
/// input error may come from either step, so both are one result.
fn decrypt_typed<T: DeserializeOwned>(
    parser: InputParser,
    key: &str,
    iv: &str,
    data: &str,
    validation: &Validation,
    now: UnixTime,
) -> Result<Decrypted<T>, Error> {
    let key = parser.session_key(key)?;
    let iv = parser.iv(iv)?;
    let data = parser.encrypted_data(data)?;
    wxdecrypt::decrypt_at::<T>(&key, &iv, &data, validation, now)
}

/// [`decrypt_typed`] for `decrypt_raw_at`.
fn decrypt_raw_text(
    parser: InputParser,
    key: &str,
    iv: &str,
    data: &str,
    validation: &Validation,
    now: UnixTime,
) -> Result<Decrypted<RawPayload>, Error> {
    let key = parser.session_key(key)?;
    let iv = parser.iv(iv)?;
    let data = parser.encrypted_data(data)?;
    wxdecrypt::decrypt_raw_at(&key, &iv, &data, validation, now)
}

/// Decrypts an entry as `kind` (a typed kind, `value` for
/// `serde_json::Value`, or `raw`) and drops the result.
fn decrypt_as(kind: &str, e: &Value, validation: &Validation, now: UnixTime) -> Result<(), Error> {
    fn go<T: DeserializeOwned>(
        e: &Value,
        validation: &Validation,
        now: UnixTime,
    ) -> Result<(), Error> {
        decrypt_typed::<T>(
            InputParser::new(),
            text(e, "session_key"),
            text(e, "iv"),
            text(e, "encrypted_data"),
            validation,
            now,
        )
        .map(drop)
    }
    match kind {
        "phone" => go::<PhoneNumber>(e, validation, now),
        "user_info" => go::<UserInfo>(e, validation, now),
        "werun" => go::<WeRunData>(e, validation, now),
        "share_info" => go::<ShareInfo>(e, validation, now),
        "group_enter_info" => go::<GroupEnterInfo>(e, validation, now),
        "value" => go::<Value>(e, validation, now),
        "raw" => decrypt_raw_text(
            InputParser::new(),
            text(e, "session_key"),
            text(e, "iv"),
            text(e, "encrypted_data"),
            validation,
            now,
        )
        .map(drop),
        other => panic!("unknown kind {other}"),
    }
}

/// The watermark of a plaintext, as `serde_json` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mark {
    appid: String,
    timestamp: u64,
}

/// The timestamp of a returned watermark. (A returned [`Watermark`] carries
/// no appid: it is only returned when the appid equals the validation's.)
fn stamp(watermark: Option<Watermark>) -> Option<u64> {
    watermark.map(|w| w.timestamp.as_secs())
}

/// How a `decrypts` entry is to be checked: the validation its watermark (or
/// lack of one) calls for, and the time to check it at.
struct Expect {
    plaintext: String,
    json: Value,
    validation: Validation,
    now: UnixTime,
    watermark: Option<Mark>,
}

impl Expect {
    /// The timestamp a decryption must return.
    fn stamp(&self) -> Option<u64> {
        self.watermark.as_ref().map(|w| w.timestamp)
    }
}

fn expect(e: &Value) -> Expect {
    let plaintext = text(e, "plaintext").to_owned();
    let json: Value = serde_json::from_str(&plaintext)
        .unwrap_or_else(|err| panic!("{}: plaintext is JSON: {err}", e["id"]));
    let watermark = json.get("watermark").map(|w| Mark {
        appid: w["appid"].as_str().expect("watermark.appid").to_owned(),
        timestamp: w["timestamp"].as_u64().expect("watermark.timestamp"),
    });
    // The entry's own fields must agree with its plaintext.
    assert_eq!(
        e.get("watermark_timestamp").and_then(Value::as_u64),
        watermark.as_ref().map(|w| w.timestamp),
        "{}: watermark_timestamp",
        e["id"]
    );
    let validation = match (e["appid"].as_str(), &watermark) {
        (Some(appid), Some(w)) => {
            assert_eq!(appid, w.appid, "{}: appid", e["id"]);
            Validation::new(appid)
        }
        (Some(appid), None) => Validation::new(appid).accept_missing_watermark(),
        (None, _) => Validation::new(SOME_APPID).accept_missing_watermark(),
    };
    let now = UnixTime::from_secs(watermark.as_ref().map_or(SOME_TIME, |w| w.timestamp));
    Expect {
        plaintext,
        json,
        validation,
        now,
        watermark,
    }
}

fn str_or_empty<'a>(json: &'a Value, name: &str) -> &'a str {
    json.get(name).map_or("", |v| v.as_str().expect("a string"))
}

fn opt_str(json: &Value, name: &str) -> Option<String> {
    json.get(name)
        .map(|v| v.as_str().expect("a string").to_owned())
}

/// Decrypts an entry into `T`, checks its watermark, and returns the payload
/// with the plaintext parsed by `serde_json` to compare it with.
fn typed<T: DeserializeOwned>(e: &Value, parser: InputParser) -> (T, Value) {
    let x = expect(e);
    let id = &e["id"];
    let decrypted = decrypt_typed::<T>(
        parser,
        text(e, "session_key"),
        text(e, "iv"),
        text(e, "encrypted_data"),
        &x.validation,
        x.now,
    )
    .unwrap_or_else(|err| panic!("{id}: {err}"));
    assert_eq!(stamp(decrypted.watermark), x.stamp(), "{id}: watermark");
    (decrypted.payload, x.json)
}

fn check_phone(e: &Value, parser: InputParser) {
    let id = &e["id"];
    let (phone, json) = typed::<PhoneNumber>(e, parser);
    assert_eq!(
        phone.phone_number(),
        json["phoneNumber"].as_str().unwrap(),
        "{id}"
    );
    assert_eq!(
        phone.pure_phone_number(),
        json["purePhoneNumber"].as_str().unwrap(),
        "{id}"
    );
    let code = match &json["countryCode"] {
        Value::String(code) => code.trim_start_matches('+').to_owned(),
        Value::Number(code) => code.to_string(),
        other => panic!("{id}: countryCode {other}"),
    };
    assert_eq!(phone.country_code(), code, "{id}: countryCode");
}

fn check_user_info(e: &Value, parser: InputParser) {
    let id = &e["id"];
    let (user, json) = typed::<UserInfo>(e, parser);
    assert_eq!(user.open_id(), opt_str(&json, "openId").as_deref(), "{id}");
    assert_eq!(user.nick_name(), json["nickName"].as_str().unwrap(), "{id}");
    assert_eq!(
        Some(u64::from(user.gender().code())),
        json["gender"].as_u64(),
        "{id}"
    );
    assert_eq!(user.language(), str_or_empty(&json, "language"), "{id}");
    assert_eq!(user.city(), str_or_empty(&json, "city"), "{id}");
    assert_eq!(user.province(), str_or_empty(&json, "province"), "{id}");
    assert_eq!(user.country(), str_or_empty(&json, "country"), "{id}");
    assert_eq!(user.avatar_url(), str_or_empty(&json, "avatarUrl"), "{id}");
    assert_eq!(
        user.union_id(),
        opt_str(&json, "unionId").as_deref(),
        "{id}"
    );
}

fn check_werun(e: &Value, parser: InputParser) {
    let id = &e["id"];
    let (run, json) = typed::<WeRunData>(e, parser);
    let list = json["stepInfoList"].as_array().unwrap();
    assert_eq!(run.step_info_list.len(), list.len(), "{id}");
    for (got, want) in run.step_info_list.iter().zip(list) {
        assert_eq!(Some(got.timestamp), want["timestamp"].as_u64(), "{id}");
        assert_eq!(Some(got.step), want["step"].as_u64(), "{id}");
    }
}

fn check_share_info(e: &Value, parser: InputParser) {
    let (share, json) = typed::<ShareInfo>(e, parser);
    assert_eq!(
        share.open_gid,
        json["openGId"].as_str().unwrap(),
        "{}",
        e["id"]
    );
}

fn check_group_enter_info(e: &Value, parser: InputParser) {
    let id = &e["id"];
    let (group, json) = typed::<GroupEnterInfo>(e, parser);
    assert_eq!(group.opengid, opt_str(&json, "opengid"), "{id}");
    assert_eq!(
        group.open_single_roomid,
        opt_str(&json, "open_single_roomid"),
        "{id}"
    );
    assert_eq!(group.group_openid, opt_str(&json, "group_openid"), "{id}");
    assert_eq!(
        Some(u64::from(group.chat_type)),
        json["chat_type"].as_u64(),
        "{id}"
    );
}

/// Checks an entry as the type its `kind` names; returns false for `raw`.
fn check_typed(e: &Value, parser: InputParser) -> bool {
    match text(e, "kind") {
        "phone" => check_phone(e, parser),
        "user_info" => check_user_info(e, parser),
        "werun" => check_werun(e, parser),
        "share_info" => check_share_info(e, parser),
        "group_enter_info" => check_group_enter_info(e, parser),
        "raw" => return false,
        other => panic!("{}: unknown kind {other}", e["id"]),
    }
    true
}

/// Checks that `decrypt_raw_at` returns exactly the published plaintext, and
/// that `decrypt_at::<serde_json::Value>` returns the same object.
fn check_raw_and_value(e: &Value) {
    let id = &e["id"];
    let x = expect(e);
    let (key, iv, data) = (
        text(e, "session_key"),
        text(e, "iv"),
        text(e, "encrypted_data"),
    );
    let raw = decrypt_raw_text(InputParser::new(), key, iv, data, &x.validation, x.now)
        .unwrap_or_else(|err| panic!("{id}: raw: {err}"));
    assert_eq!(raw.payload.as_str(), x.plaintext, "{id}: raw text");
    assert_eq!(stamp(raw.watermark), x.stamp(), "{id}: raw watermark");
    let value = decrypt_typed::<Value>(InputParser::new(), key, iv, data, &x.validation, x.now)
        .unwrap_or_else(|err| panic!("{id}: value: {err}"));
    assert_eq!(value.payload, x.json, "{id}: value");
    assert_eq!(stamp(value.watermark), x.stamp(), "{id}: value watermark");
}

// ---------------------------------------------------------------------------
// real-world.json: decrypts
// ---------------------------------------------------------------------------

#[test]
fn every_real_world_payload_decrypts_raw_to_exactly_its_published_plaintext() {
    for e in section(&real_world(), "decrypts") {
        check_raw_and_value(e);
    }
}

#[test]
fn every_real_world_payload_decrypts_to_its_typed_kind_with_the_plaintext_values() {
    let file = real_world();
    let entries = section(&file, "decrypts");
    let typed = entries
        .iter()
        .filter(|e| check_typed(e, InputParser::new()))
        .count();
    assert_eq!(
        typed,
        entries.len(),
        "every real-world entry has a typed kind"
    );
}

#[test]
fn every_real_world_payload_decrypts_the_same_with_the_lenient_parser() {
    for e in section(&real_world(), "decrypts") {
        check_typed(e, InputParser::new().lenient());
    }
}

#[test]
fn real_world_watermarks_are_accepted_only_for_the_appid_of_the_plaintext() {
    let file = real_world();
    let mut with_watermark = 0;
    for e in section(&file, "decrypts") {
        let x = expect(e);
        let Some(want) = &x.watermark else { continue };
        with_watermark += 1;
        assert_eq!(want.appid, text(e, "appid"), "{}", e["id"]);
        let raw = |validation: &Validation| {
            decrypt_raw_text(
                InputParser::new(),
                text(e, "session_key"),
                text(e, "iv"),
                text(e, "encrypted_data"),
                validation,
                x.now,
            )
        };
        let got = raw(&Validation::new(want.appid.as_str())).unwrap();
        assert_eq!(stamp(got.watermark), Some(want.timestamp), "{}", e["id"]);
        assert_eq!(
            stamp(got.watermark),
            e["watermark_timestamp"].as_u64(),
            "{}",
            e["id"]
        );
        // Any other appid, however close, is refused and named.
        let upper = want.appid.to_uppercase();
        let longer = format!("{}0", want.appid);
        let shorter = &want.appid[..want.appid.len() - 1];
        for other in [upper.as_str(), longer.as_str(), shorter, ""] {
            assert_eq!(
                raw(&Validation::new(other)).unwrap_err(),
                Error::AppIdMismatch {
                    expected: other.to_owned(),
                    found: want.appid.clone()
                },
                "{} for {other:?}",
                e["id"]
            );
        }
    }
    assert_eq!(with_watermark, 4, "the four payloads made by WeChat");
}

#[test]
fn real_world_payloads_are_expired_by_the_system_clock() {
    for e in section(&real_world(), "decrypts") {
        let Some(timestamp) = e["watermark_timestamp"].as_u64() else {
            continue;
        };
        let key = SessionKey::from_base64(text(e, "session_key")).unwrap();
        let iv = Iv::from_base64(text(e, "iv")).unwrap();
        let data = EncryptedData::from_base64(text(e, "encrypted_data")).unwrap();
        let validation = Validation::new(text(e, "appid"));
        let expired = |err: Error| {
            assert!(
                matches!(
                    err,
                    Error::Expired { timestamp: t, now, max_age: Validation::DEFAULT_MAX_AGE_SECS }
                        if t == timestamp && now > timestamp
                ),
                "{}: {err:?}",
                e["id"]
            );
        };
        expired(wxdecrypt::decrypt::<Value>(&key, &iv, &data, &validation).unwrap_err());
        expired(wxdecrypt::decrypt_raw(&key, &iv, &data, &validation).unwrap_err());
    }
}

#[test]
fn real_world_payloads_for_another_appid_are_refused_with_both_appids() {
    for e in section(&real_world(), "decrypts") {
        let Some(appid) = e["appid"].as_str() else {
            continue;
        };
        let x = expect(e);
        let other = Validation::new(SOME_APPID);
        let err = decrypt_as("raw", e, &other, x.now).unwrap_err();
        assert_eq!(
            err,
            Error::AppIdMismatch {
                expected: SOME_APPID.to_owned(),
                found: appid.to_owned()
            },
            "{}",
            e["id"]
        );
    }
}

#[test]
fn real_world_payloads_without_a_watermark_are_refused_unless_accepted() {
    let file = real_world();
    let mut without = 0;
    for e in section(&file, "decrypts") {
        if e.get("watermark_timestamp").is_some() {
            continue;
        }
        without += 1;
        let strict = Validation::new(SOME_APPID);
        let now = UnixTime::from_secs(SOME_TIME);
        assert_eq!(
            decrypt_as("raw", e, &strict, now),
            Err(Error::MissingWatermark),
            "{}",
            e["id"]
        );
        assert_eq!(
            decrypt_as(text(e, "kind"), e, &strict, now),
            Err(Error::MissingWatermark),
            "{}",
            e["id"]
        );
    }
    assert_eq!(without, 3, "the three synthetic entries");
}

#[test]
fn official_sample_is_band_from_guangzhou_as_the_readme_shows() {
    let file = real_world();
    let e = entry(&file, "decrypts", "official-wxbizdatacrypt-userinfo");
    let (user, json) = typed::<UserInfo>(e, InputParser::new());
    // The values the README quickstart promises, checked against the
    // published plaintext rather than written from our own output.
    assert_eq!(json["nickName"], "Band");
    assert_eq!(user.nick_name(), "Band");
    assert_eq!(user.city(), json["city"].as_str().unwrap());
}

// ---------------------------------------------------------------------------
// WxJava issue 666: `+` turned into spaces
// ---------------------------------------------------------------------------

#[test]
fn wxjava_666_as_reported_is_refused_strictly_with_the_space_located() {
    let file = real_world();
    let e = entry(&file, "decrypts", "wxjava-issue-666-plus-as-space-phone");
    let as_reported = text(e, "encrypted_data_as_reported");
    let first_space = as_reported.find(' ').expect("the reported text has spaces");
    let x = expect(e);
    let err = decrypt_typed::<PhoneNumber>(
        InputParser::new(),
        text(e, "session_key"),
        text(e, "iv"),
        as_reported,
        &x.validation,
        x.now,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::SpaceInBase64 {
            field: Field::EncryptedData,
            position: Some(first_space)
        }
    );
    let raw_err = decrypt_raw_text(
        InputParser::new(),
        text(e, "session_key"),
        text(e, "iv"),
        as_reported,
        &x.validation,
        x.now,
    )
    .unwrap_err();
    assert_eq!(raw_err, err);
}

#[test]
fn wxjava_666_as_reported_decrypts_with_the_lenient_parser() {
    let file = real_world();
    let e = entry(&file, "decrypts", "wxjava-issue-666-plus-as-space-phone");
    let x = expect(e);
    let parser = InputParser::new().lenient();
    let as_reported = text(e, "encrypted_data_as_reported");
    assert_eq!(
        parser.encrypted_data(as_reported).unwrap().as_base64(),
        text(e, "encrypted_data"),
        "the repair gives back the intact text"
    );
    let phone = decrypt_typed::<PhoneNumber>(
        parser,
        text(e, "session_key"),
        text(e, "iv"),
        as_reported,
        &x.validation,
        x.now,
    )
    .unwrap();
    assert_eq!(
        phone.payload.phone_number(),
        x.json["phoneNumber"].as_str().unwrap()
    );
    assert_eq!(
        phone.payload.pure_phone_number(),
        x.json["purePhoneNumber"].as_str().unwrap()
    );
    assert_eq!(
        phone.payload.country_code(),
        x.json["countryCode"].as_str().unwrap()
    );
    assert_eq!(stamp(phone.watermark), x.stamp());
    let raw = decrypt_raw_text(
        parser,
        text(e, "session_key"),
        text(e, "iv"),
        as_reported,
        &x.validation,
        x.now,
    )
    .unwrap();
    assert_eq!(raw.payload.as_str(), x.plaintext);
}

// ---------------------------------------------------------------------------
// real-world.json: does_not_decrypt
// ---------------------------------------------------------------------------

#[test]
fn every_real_input_with_a_stale_or_wrong_key_fails_with_decryption_for_every_kind() {
    let now = UnixTime::from_secs(SOME_TIME);
    let strict = Validation::new(SOME_APPID);
    let lax = Validation::new(SOME_APPID).accept_missing_watermark();
    for e in section(&real_world(), "does_not_decrypt") {
        assert_eq!(e["decrypts"], false, "{}", e["id"]);
        for validation in [&strict, &lax] {
            for kind in TYPED_KINDS.iter().chain(&["value", "raw"]) {
                assert_eq!(
                    decrypt_as(kind, e, validation, now),
                    Err(Error::Decryption),
                    "{} as {kind}",
                    e["id"]
                );
            }
        }
    }
}

/// AES-128-CBC decryption of whole blocks with no unpadding, straight from
/// the `aes` and `cbc` crates: what the cipher gives before this crate (or
/// any SDK) looks at the padding.
fn cbc_decrypt_blocks(key: &[u8; 16], iv: &[u8; 16], ciphertext: &[u8]) -> Vec<u8> {
    use cbc::cipher::{BlockModeDecrypt as _, InOutBuf, KeyIvInit as _};
    assert_eq!(ciphertext.len() % 16, 0, "whole blocks only");
    let mut buf = ciphertext.to_vec();
    let mut decryptor = cbc::Decryptor::<aes::Aes128>::new(key.into(), iv.into());
    let (blocks, tail) = InOutBuf::from(&mut buf[..]).into_chunks();
    assert!(tail.is_empty());
    decryptor.decrypt_blocks_inout(blocks);
    buf
}

#[test]
fn the_helper_cbc_decryption_inverts_the_test_encryptor() {
    // Guard for the check below: the raw decryption helper gives back what
    // the test-only encryptor encrypted, padding bytes included.
    let key = [7; 16];
    let iv = [9; 16];
    let padded = pkcs7(br#"{"phoneNumber":"18017448610"}"#);
    let ciphertext = encrypt_blocks(&key, &iv, &padded);
    assert_eq!(cbc_decrypt_blocks(&key, &iv, &ciphertext), padded);
}

#[test]
fn every_stale_key_input_has_the_last_byte_and_length_the_vector_file_records() {
    // The README's table ("a stale session_key whose last byte decrypts to
    // 229", "a wrong key whose last byte decrypts to 40") relies on these
    // numbers: recompute them with the `aes` and `cbc` crates, not with the
    // crate under test.
    let mut last_bytes = std::collections::BTreeMap::new();
    for e in section(&real_world(), "does_not_decrypt") {
        let Some(recorded) = e.get("last_byte") else {
            continue;
        };
        let id = text(e, "id");
        let recorded = u8::try_from(recorded.as_u64().expect("last_byte is a number"))
            .expect("last_byte is a byte");
        let ciphertext = unb64(text(e, "encrypted_data"));
        let len = e["ciphertext_len"]
            .as_u64()
            .expect("ciphertext_len is recorded");
        assert_eq!(ciphertext.len() as u64, len, "{id}: ciphertext_len");
        let plaintext = cbc_decrypt_blocks(
            &unb64_16(text(e, "session_key")),
            &unb64_16(text(e, "iv")),
            &ciphertext,
        );
        assert_eq!(plaintext.last(), Some(&recorded), "{id}: last_byte");
        // Out of PKCS#7's 1..=16: the padding check alone refuses it.
        assert!(
            !(1..=16).contains(&recorded),
            "{id}: {recorded} is a pad length"
        );
        last_bytes.insert(id.to_owned(), (recorded, ciphertext.len()));
    }
    assert_eq!(
        last_bytes,
        std::collections::BTreeMap::from([
            ("royalrick-weapp-issue-5-panic".to_owned(), (229, 160)),
            (
                "weixinmpsdk-issue-1869-stale-session-key".to_owned(),
                (83, 400)
            ),
            ("wxjava-testDecrypt-garbage".to_owned(), (40, 368)),
        ]),
        "the entries and values the README table relies on"
    );
}

// ---------------------------------------------------------------------------
// generated.json: decrypts
// ---------------------------------------------------------------------------

#[test]
fn every_generated_payload_decrypts_raw_to_exactly_its_plaintext() {
    for e in section(&generated(), "decrypts") {
        check_raw_and_value(e);
    }
}

#[test]
fn every_generated_typed_payload_decrypts_to_the_plaintext_values() {
    let file = generated();
    let entries = section(&file, "decrypts");
    let typed = entries
        .iter()
        .filter(|e| check_typed(e, InputParser::new()))
        .count();
    let raw = entries.iter().filter(|e| e["kind"] == "raw").count();
    assert_eq!(typed + raw, entries.len());
    assert!(typed >= 14 && raw >= 6, "typed {typed}, raw {raw}");
}

#[test]
fn generated_watermarks_use_the_documented_appid_and_timestamp() {
    let file = generated();
    let baseline = entry(&file, "decrypts", "phone/baseline");
    for e in section(&file, "decrypts") {
        let x = expect(e);
        assert_eq!(e["appid"], baseline["appid"], "{}", e["id"]);
        if let Some(w) = x.watermark {
            assert_eq!(w.appid, text(baseline, "appid"), "{}", e["id"]);
            assert_eq!(
                Some(w.timestamp),
                baseline["watermark_timestamp"].as_u64(),
                "{}",
                e["id"]
            );
        }
    }
}

#[test]
fn generated_payloads_cover_every_pkcs7_pad_length_edge() {
    // 2, 15, 16, 17, 31, 32 bytes: pads of 14, 1, 16, 15, 1, 16.
    let file = generated();
    for id in [
        "raw/len-15",
        "raw/len-16",
        "raw/len-17",
        "raw/len-31",
        "raw/len-32",
    ] {
        let e = entry(&file, "decrypts", id);
        let want: usize = id["raw/len-".len()..].parse().unwrap();
        assert_eq!(text(e, "plaintext").len(), want);
        let ciphertext = unb64(text(e, "encrypted_data"));
        assert_eq!(ciphertext.len(), (want / 16 + 1) * 16, "{id}");
    }
    check_raw_and_value(entry(&file, "decrypts", "raw/len-16"));
    check_raw_and_value(entry(&file, "decrypts", "raw/len-32"));
}

#[test]
fn generated_phone_with_a_numeric_country_code_gives_it_as_a_string() {
    let file = generated();
    let e = entry(&file, "decrypts", "phone/country-code-number");
    let (phone, json) = typed::<PhoneNumber>(e, InputParser::new());
    assert!(json["countryCode"].is_number(), "the vector sends a number");
    assert_eq!(phone.country_code(), json["countryCode"].to_string());
}

#[test]
fn generated_escaped_surrogate_pair_nickname_decodes_to_the_same_text_as_serde_json() {
    let file = generated();
    let e = entry(&file, "decrypts", "user_info/escaped-surrogate-pair");
    assert!(text(e, "plaintext").contains(r"\ud83d\udc3c"));
    let (user, json) = typed::<UserInfo>(e, InputParser::new());
    assert_eq!(user.nick_name(), json["nickName"].as_str().unwrap());
    assert!(user.nick_name().contains('\u{1F43C}'));
}

// ---------------------------------------------------------------------------
// generated.json: rejects
// ---------------------------------------------------------------------------

/// The validation and time every generated payload is valid for.
fn generated_policy(file: &Value) -> (Validation, UnixTime) {
    let baseline = entry(file, "decrypts", "phone/baseline");
    let policy = (
        Validation::new(text(baseline, "appid")),
        UnixTime::from_secs(baseline["watermark_timestamp"].as_u64().unwrap()),
    );
    // Guard: the payload most rejects are made from decrypts under this
    // policy, so a refusal is caused by the defect alone.
    for kind in ["phone", "value", "raw"] {
        assert_eq!(
            decrypt_as(kind, baseline, &policy.0, policy.1),
            Ok(()),
            "baseline as {kind}"
        );
    }
    policy
}

/// `(reason, kind, what)` from a shape reject's id.
fn shape_id(e: &Value) -> (&str, &str, &str) {
    let mut parts = text(e, "id").splitn(3, '/');
    let (Some(reason), Some(kind), Some(what)) = (parts.next(), parts.next(), parts.next()) else {
        panic!("{}: shape ids are reason/kind/what", e["id"]);
    };
    (reason, kind, what)
}

#[test]
fn every_reject_id_starts_with_its_reason() {
    for e in section(&generated(), "rejects") {
        let reason = text(e, "reason");
        assert!(
            text(e, "id").starts_with(&format!("{reason}/")),
            "{}",
            e["id"]
        );
    }
}

#[test]
fn every_shape_reject_fails_with_decryption_as_the_kind_its_id_names() {
    let file = generated();
    let (validation, now) = generated_policy(&file);
    let mut n = 0;
    for e in section(&file, "rejects") {
        if !SHAPE_REASONS.contains(&text(e, "reason")) {
            continue;
        }
        n += 1;
        let (_, kind, _) = shape_id(e);
        assert!(TYPED_KINDS.contains(&kind), "{}: kind {kind}", e["id"]);
        assert_eq!(
            decrypt_as(kind, e, &validation, now),
            Err(Error::Decryption),
            "{} as {kind}",
            e["id"]
        );
        // A watermark-accepting validation must not turn a broken watermark
        // into "no watermark".
        let lax = validation.clone().accept_missing_watermark();
        assert_eq!(
            decrypt_as(kind, e, &lax, now),
            Err(Error::Decryption),
            "{} as {kind}, missing watermark accepted",
            e["id"]
        );
    }
    assert_eq!(n, 21, "4 duplicate_key + 9 wrong_type + 8 missing_field");
}

/// Decrypts every generated reject that `select` picks as each of `kinds`,
/// under the strict validation and under one that accepts a missing
/// watermark, and asserts each is refused with `Error::Decryption`. Returns
/// how many rejects were picked.
fn assert_refused_as(select: impl Fn(&Value) -> bool, kinds: &[&str]) -> usize {
    let file = generated();
    let (validation, now) = generated_policy(&file);
    let lax = validation.clone().accept_missing_watermark();
    let mut n = 0;
    for e in section(&file, "rejects").iter().filter(|e| select(e)) {
        n += 1;
        for v in [&validation, &lax] {
            for kind in kinds {
                assert_eq!(
                    decrypt_as(kind, e, v, now),
                    Err(Error::Decryption),
                    "{} as {kind}",
                    e["id"]
                );
            }
        }
    }
    n
}

#[test]
fn every_syntax_level_reject_fails_with_decryption_for_every_kind_and_raw() {
    let kinds: Vec<&str> = TYPED_KINDS
        .iter()
        .copied()
        .chain(["value", "raw"])
        .collect();
    let n = assert_refused_as(|e| !SHAPE_REASONS.contains(&text(e, "reason")), &kinds);
    assert_eq!(n, 43);
}

#[test]
fn duplicate_keys_are_refused_by_raw_decryption_too() {
    let n = assert_refused_as(|e| text(e, "reason") == "duplicate_key", &["raw", "value"]);
    assert_eq!(n, 4);
}

#[test]
fn a_malformed_watermark_is_refused_by_raw_decryption_too() {
    // decrypt_raw promises "a valid watermark": one that is not an object, or
    // lacks a field, or has a field of the wrong type is not one.
    let n = assert_refused_as(
        |e| SHAPE_REASONS.contains(&text(e, "reason")) && shape_id(e).2.starts_with("watermark"),
        &["raw"],
    );
    assert!(n >= 4, "{n} watermark shape cases");
}

#[test]
fn shape_rejects_outside_the_watermark_are_otherwise_valid_payloads() {
    // "Each case must fail for `reason` and for nothing else": without the
    // typed shape check, a wrong_type or missing_field case is a valid object
    // with a valid watermark, so raw decryption returns it.
    let file = generated();
    let (validation, now) = generated_policy(&file);
    let mut n = 0;
    for e in section(&file, "rejects") {
        let reason = text(e, "reason");
        if reason != "wrong_type" && reason != "missing_field" {
            continue;
        }
        let (_, _, what) = shape_id(e);
        if what.starts_with("watermark") {
            continue;
        }
        n += 1;
        let raw = decrypt_raw_text(
            InputParser::new(),
            text(e, "session_key"),
            text(e, "iv"),
            text(e, "encrypted_data"),
            &validation,
            now,
        )
        .unwrap_or_else(|err| panic!("{}: {err}", e["id"]));
        let json: Value = serde_json::from_str(raw.payload.as_str()).unwrap();
        assert!(json.is_object(), "{}", e["id"]);
        assert_eq!(raw.watermark.map(|w| w.timestamp), Some(now), "{}", e["id"]);
    }
    assert!(n >= 10, "{n} cases");
}

#[test]
fn every_reject_gives_one_and_the_same_error_message() {
    let file = generated();
    let (validation, now) = generated_policy(&file);
    let messages: std::collections::BTreeSet<String> = section(&file, "rejects")
        .iter()
        .map(|e| {
            let kind = if SHAPE_REASONS.contains(&text(e, "reason")) {
                shape_id(e).1
            } else {
                "phone"
            };
            decrypt_as(kind, e, &validation, now)
                .unwrap_err()
                .to_string()
        })
        .collect();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert_eq!(
        messages.first().map(String::as_str),
        Some(Error::Decryption.to_string().as_str())
    );
}
