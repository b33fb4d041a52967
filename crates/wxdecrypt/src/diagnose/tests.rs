//! Unit tests of the diagnosis's private parts: the end of a JSON object
//! after a garbled first block, member names, the member lists, and the
//! watermark check with the appid unchecked.

use core::fmt::{self, Write as _};
use std::borrow::Cow;

use serde::de::{self, Deserializer, Visitor};

use super::members::{TopLevel, is_identifier, top_level_keys_before};
use super::plaintext::{padding_failed, read_plaintext, tail_object, unmatched_closers};
use super::{
    DiagnoseOptions, Diagnosis, Finding, JsonProblem, LengthHint, MemberNames, PayloadKind,
};
use crate::error::{Damage, Error, Field};
use crate::input::BLOCK;
use crate::payload::{GroupEnterInfo, Members, PhoneNumber, ShareInfo, UserInfo, WeRunData};
use crate::validation::{UnixTime, Validation, WatermarkRef};

fn closers(rest: &str, in_string: bool) -> Option<Vec<u8>> {
    unmatched_closers(rest, in_string, false)
}

#[test]
fn unmatched_closers_are_listed_innermost_first_and_strings_are_skipped() {
    assert_eq!(
        closers(r#""a}":1},"b":2}"#, false),
        Some(b"}}".to_vec()),
        "the brace inside the string is skipped"
    );
    assert_eq!(closers(r#"1}],"c":{}}"#, false), Some(b"}]}".to_vec()));
    assert_eq!(closers(r#"x\"}"}"#, true), Some(b"}".to_vec()));
    assert_eq!(
        closers("1]", false),
        None,
        "the outermost must be an object"
    );
    assert_eq!(closers(r#""a":1"#, false), None, "nothing closed");
}

#[test]
fn the_end_of_an_object_is_recognised_wherever_the_first_block_ends() {
    let texts = [
        // The layout of WeChat's getPhoneNumber doc (seeds/004).
        r#"{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86","watermark":{"appid":"APPID","timestamp":1477314187}}"#,
        // Nested arrays and objects, as in WeRun data.
        r#"{"stepInfoList":[{"timestamp":1445866601,"step":100},{"timestamp":1445876601,"step":120}],"watermark":{"appid":"APPID","timestamp":1477314187}}"#,
        // Escapes, CJK, literals and a negative fraction.
        r#"{"nickName":"a\"b\\c\u00e9\/苏震巍","flag":true,"none":null,"x":-1.5e3,"watermark":{"appid":"APPID","timestamp":1}}"#,
    ];
    for text in texts {
        for cut in 1..text.len() - 1 {
            let mut plain = vec![0xffu8; BLOCK];
            plain.extend_from_slice(&text.as_bytes()[cut..]);
            assert!(tail_object(&plain).is_some(), "cut at {cut} of {text}");
        }
    }
}

#[test]
fn a_defect_after_the_first_block_is_not_read_as_a_wrong_iv() {
    let texts = [
        r#"{"phoneNumber":"1","x":NaN,"purePhoneNumber":"1"}"#,
        r#"{"phoneNumber":"13580006666","purePhoneNumber":"1",}"#,
        r#"{"phoneNumber":"13580006666","watermark":{"appid":"A","timestamp":1}"#,
        r#"{"phoneNumber":"13580006666"}{"purePhoneNumber":"1"}"#,
    ];
    for text in texts {
        let mut plain = vec![0xffu8; BLOCK];
        plain.extend_from_slice(&text.as_bytes()[BLOCK..]);
        assert!(tail_object(&plain).is_none(), "{text}");
    }
}

#[test]
fn keys_in_the_first_block_are_counted_at_the_top_level_only() {
    assert_eq!(top_level_keys_before(br#"{"a":1,"b":{"c":2}}"#, 16), 2);
    assert_eq!(top_level_keys_before(br#"{"a":"x,\"y","b":1}"#, 99), 2);
    assert_eq!(top_level_keys_before(br#"{"phoneNumber":"1"}"#, 16), 1);
}

#[test]
fn only_plain_identifiers_are_shown_as_names() {
    assert!(is_identifier("phoneNumber"));
    assert!(is_identifier("open_single_roomid"));
    assert!(!is_identifier("13800138000"));
    assert!(!is_identifier(""));
    assert!(!is_identifier("a b"));
    assert!(!is_identifier(&"a".repeat(41)));
}
/// A deserializer that only records the member names a serde derive
/// asks `deserialize_struct` for.
struct FieldProbe;

/// What the probe found: the field list, or `None` when no struct was
/// asked for.
#[derive(Debug)]
struct Probed(Option<&'static [&'static str]>);

impl fmt::Display for Probed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl std::error::Error for Probed {}

impl de::Error for Probed {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Self(None)
    }
}

impl<'de> Deserializer<'de> for FieldProbe {
    type Error = Probed;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Probed> {
        Err(Probed(None))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Probed> {
        Err(Probed(Some(fields)))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// The member names `T`'s serde derive reads.
fn serde_fields<T: de::Deserialize<'static>>() -> Vec<&'static str> {
    match T::deserialize(FieldProbe) {
        Err(Probed(Some(fields))) => fields.to_vec(),
        _ => panic!("no struct was deserialized"),
    }
}

/// `T`'s member lists hold exactly the names its serde derive reads,
/// once each; and `sample` (every member present) parses, still parses
/// without each optional member, and fails without each required one.
fn check_members<T: Members + serde::de::DeserializeOwned>(sample: &str) {
    let name = core::any::type_name::<T>();
    let mut listed: Vec<&str> = T::REQUIRED.iter().chain(T::OPTIONAL).copied().collect();
    let mut fields = serde_fields::<T>();
    listed.sort_unstable();
    fields.sort_unstable();
    let before = listed.len();
    listed.dedup();
    assert_eq!(listed.len(), before, "{name}: a member listed twice");
    assert_eq!(listed, fields, "{name}");
    let serde_json::Value::Object(full) = serde_json::from_str(sample).expect("JSON") else {
        panic!("{name}: the sample is no object");
    };
    assert_eq!(
        full.len(),
        fields.len(),
        "{name}: the sample has every member"
    );
    let without = |member: &str| {
        let mut object = full.clone();
        assert!(
            object.remove(member).is_some(),
            "{name}: {member} not in the sample"
        );
        serde_json::from_value::<T>(serde_json::Value::Object(object))
    };
    assert!(
        serde_json::from_value::<T>(serde_json::Value::Object(full.clone())).is_ok(),
        "{name}: the sample parses"
    );
    for member in T::REQUIRED {
        assert!(without(member).is_err(), "{name}: {member} is required");
    }
    for member in T::OPTIONAL {
        assert!(without(member).is_ok(), "{name}: {member} is optional");
    }
}

#[test]
fn each_member_list_is_the_serde_derives_own() {
    check_members::<PhoneNumber>(
        r#"{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86"}"#,
    );
    check_members::<UserInfo>(
        r#"{"openId":"o","nickName":"n","gender":1,"language":"zh_CN","city":"c",
            "province":"p","country":"c","avatarUrl":"a","unionId":"u"}"#,
    );
    check_members::<WeRunData>(r#"{"stepInfoList":[{"timestamp":1,"step":2}]}"#);
    check_members::<ShareInfo>(r#"{"openGId":"g"}"#);
    check_members::<GroupEnterInfo>(
        r#"{"opengid":"g","open_single_roomid":"r","group_openid":"o","chat_type":3}"#,
    );
}

#[test]
fn every_kind_reads_its_types_member_lists() {
    let lists = [
        (
            PayloadKind::PhoneNumber,
            PhoneNumber::REQUIRED,
            PhoneNumber::OPTIONAL,
        ),
        (
            PayloadKind::UserInfo,
            UserInfo::REQUIRED,
            UserInfo::OPTIONAL,
        ),
        (
            PayloadKind::WeRunData,
            WeRunData::REQUIRED,
            WeRunData::OPTIONAL,
        ),
        (
            PayloadKind::ShareInfo,
            ShareInfo::REQUIRED,
            ShareInfo::OPTIONAL,
        ),
        (
            PayloadKind::GroupEnterInfo,
            GroupEnterInfo::REQUIRED,
            GroupEnterInfo::OPTIONAL,
        ),
    ];
    assert_eq!(lists.len(), PayloadKind::ALL.len());
    for (kind, required, optional) in lists {
        assert_eq!(kind.required_members(), required, "{kind}");
        assert_eq!(kind.optional_members(), optional, "{kind}");
    }
}

#[test]
fn an_unchecked_appid_skips_only_the_appid_rule() {
    let mark = |appid: &'static str, timestamp| WatermarkRef {
        appid: Cow::Borrowed(appid),
        timestamp,
    };
    let now = UnixTime::from_secs(1_700_000_000);
    let checked = DiagnoseOptions::new(Validation::new("wxaaaaaaaaaaaaaaaa").with_max_age(60));
    let unchecked = checked.clone().unchecked_appid();
    let foreign = mark("wxbbbbbbbbbbbbbbbb", now.as_secs());
    assert!(matches!(
        checked.check(Some(&foreign), now),
        Err(Error::AppIdMismatch { .. })
    ));
    assert!(unchecked.check(Some(&foreign), now).is_ok());
    // The validation's other rules still hold.
    let old = mark("wxbbbbbbbbbbbbbbbb", now.as_secs() - 60 - 301);
    assert!(matches!(
        unchecked.check(Some(&old), now),
        Err(Error::Expired { max_age: 60, .. })
    ));
    assert_eq!(unchecked.check(None, now), Err(Error::MissingWatermark));
}

#[test]
fn the_options_report_what_they_were_given() {
    let options = DiagnoseOptions::new(Validation::new("wx4f4bc4dec97d474b"));
    assert!(options.checks_appid());
    assert_eq!(
        options.max_encrypted_data_len(),
        crate::InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN
    );
    let options = options.unchecked_appid().with_max_encrypted_data_len(100);
    assert!(!options.checks_appid());
    assert_eq!(options.max_encrypted_data_len(), 100);
}

/// The member reader is a serde `Deserialize` like any other: under a
/// deserializer that reports what was expected (serde's own value
/// deserializers do; this crate's JSON reader drops messages), it names what
/// it reads, an object and then member names.
#[test]
fn the_member_reader_names_what_it_expects() {
    use serde::de::Deserialize as _;
    use serde::de::value::{Error as ValueError, MapDeserializer, StrDeserializer};
    let message = |result: Result<TopLevel, ValueError>| match result {
        Ok(_) => panic!("a wrong type was read"),
        Err(error) => error.to_string(),
    };
    let not_a_map = message(TopLevel::deserialize(StrDeserializer::<ValueError>::new(
        "x",
    )));
    assert!(not_a_map.ends_with("expected a JSON object"), "{not_a_map}");
    let numeric_key = MapDeserializer::<_, ValueError>::new([(1u8, 2u8)].into_iter());
    let numeric_key = message(TopLevel::deserialize(numeric_key));
    assert!(
        numeric_key.ends_with("expected a member name"),
        "{numeric_key}"
    );
}

/// Only the first 64 member names are kept (the count goes on): a payload's
/// member as the 64th name makes the object resemble that payload, as the
/// 65th it is not read.
#[test]
fn names_past_the_64th_are_counted_but_not_read() {
    let object = |fillers: usize| {
        let mut text = String::from("{");
        for i in 0..fillers {
            write!(text, "\"m{i}\":0,").expect("writing to a String");
        }
        text.push_str("\"purePhoneNumber\":\"1\"}");
        text
    };
    let resembles = |text: &str| match crate::json::parse::<TopLevel>(text) {
        Ok((top, _)) => top.resembles(),
        Err(problem) => panic!("{problem:?}: {text}"),
    };
    assert_eq!(resembles(&object(63)), Some(PayloadKind::PhoneNumber));
    assert_eq!(resembles(&object(64)), None);
}

/// Plaintext made of 16-byte blocks: `t` a block that reads as text, `r`
/// one that does not (NUL bytes are control characters), `u` one that is
/// not UTF-8 at all.
fn blocks(layout: &str) -> Vec<u8> {
    layout
        .bytes()
        .flat_map(|b| match b {
            b't' => *b"some text, read ",
            b'r' => [0; BLOCK],
            b'u' => [0xff; BLOCK],
            _ => panic!("no block kind {b}"),
        })
        .collect()
}

/// After a failed padding check: data of two blocks or more whose blocks
/// read as text at least half the time was cut short; less text, or a
/// single block, is a wrong key, and only the single block says the iv
/// could be the cause too.
#[test]
fn a_failed_padding_is_truncation_exactly_when_half_the_blocks_read() {
    let key_wrong = |single_block| Finding::KeyWrongOrStale {
        single_block,
        padding_passed: false,
    };
    let cases = [
        ("t", key_wrong(true)),
        ("r", key_wrong(true)),
        ("tt", Finding::Truncated),
        ("tr", Finding::Truncated),
        ("rt", Finding::Truncated),
        ("rr", key_wrong(false)),
        ("trr", key_wrong(false)),
        ("ttr", Finding::Truncated),
        ("trrr", key_wrong(false)),
        ("ttrr", Finding::Truncated),
    ];
    for (layout, expected) in cases {
        assert_eq!(padding_failed(&blocks(layout)), expected, "{layout}");
    }
}

/// After a passed padding check, plaintext that is not UTF-8 (and not the
/// end of an object): mostly text is text with a few bad bytes; mostly not
/// is a wrong key that passed the padding by chance. A last, partial block
/// counts as a block, and only data of one ciphertext block says the iv
/// could be the cause too.
#[test]
fn a_plaintext_that_is_not_utf8_is_text_exactly_when_half_the_blocks_read() {
    let options = DiagnoseOptions::new(Validation::new("wx4f4bc4dec97d474b"));
    let now = UnixTime::from_secs(1_700_000_000);
    let key_wrong = |single_block| Finding::KeyWrongOrStale {
        single_block,
        padding_passed: true,
    };
    let with_partial_block = |layout| {
        let mut plain = blocks(layout);
        plain.extend_from_slice(&[0xff; 5]);
        plain
    };
    let cases = [
        (blocks("u"), 1, key_wrong(true)),
        (blocks("tu"), 2, Finding::NotUtf8),
        (blocks("ut"), 2, Finding::NotUtf8),
        (blocks("tuu"), 3, key_wrong(false)),
        (blocks("ttu"), 3, Finding::NotUtf8),
        (blocks("tuuu"), 4, key_wrong(false)),
        (blocks("ttuu"), 4, Finding::NotUtf8),
        (with_partial_block("t"), 2, Finding::NotUtf8),
        (with_partial_block("tu"), 3, key_wrong(false)),
    ];
    for (plain, count, expected) in cases {
        assert_eq!(
            read_plaintext(&plain, count, &options, now),
            expected,
            "{plain:?}"
        );
    }
}

/// The raw text of a member name (decrypted text, never shown) is kept only
/// where a garbled first block may have hit it: for the first 4 names, and
/// only those of at most 16 bytes.
#[test]
fn raw_name_text_is_kept_for_the_first_four_short_names_only() {
    let text = format!(
        r#"{{"a":0,"{}":0,"{}":0,"d":0,"e":0,"f":0}}"#,
        "q".repeat(BLOCK + 1),
        "p".repeat(BLOCK)
    );
    let Ok((top, _)) = crate::json::parse::<TopLevel>(&text) else {
        panic!("{text}");
    };
    // "a", the 16-byte name and "d"; not the 17-byte name, not "e" or "f".
    assert_eq!(top.raw_names(), 3);
}

/// The report's `cause:` and `fix:` lines for a finding, or `None` when it
/// has neither.
fn cause_and_fix(finding: Finding) -> Option<(String, String)> {
    let report = Diagnosis {
        finding,
        after_repair: None,
    }
    .to_string();
    let line = |label: &str| {
        report
            .lines()
            .find_map(|line| line.strip_prefix(label))
            .map(str::to_owned)
    };
    match (line("cause:   "), line("fix:     ")) {
        (Some(cause), Some(fix)) => Some((cause, fix)),
        (None, None) => None,
        _ => panic!("a cause without a fix, or a fix without a cause:\n{report}"),
    }
}

/// A failing finding of each kind, grouped by the cause and fix its
/// report should give: see the next test.
fn findings_by_cause() -> Vec<Vec<Finding>> {
    let field = Field::Iv;
    let input = |error, hint| Finding::Input {
        error,
        lenient_repairs: false,
        hint,
    };
    let damaged = |damage| {
        let error = Error::DamagedBase64 {
            field,
            damage,
            position: None,
        };
        input(error, None)
    };
    let length = |hint| input(Error::WrongLength { field, len: 12 }, hint);
    let policy = |error| Finding::Policy {
        kind: PayloadKind::PhoneNumber,
        error,
    };
    let too_large = Error::TooLarge {
        field,
        len: 300,
        max: 256,
    };
    let space = Error::SpaceInBase64 {
        field,
        position: Some(3),
    };
    let invalid = Error::InvalidBase64 {
        field,
        position: None,
    };
    let other_appid = Error::AppIdMismatch {
        expected: "wxaaaaaaaaaaaaaaaa".into(),
        found: "wxbbbbbbbbbbbbbbbb".into(),
    };
    let expired = Error::Expired {
        timestamp: 1,
        now: 10_000,
        max_age: 60,
    };
    let future = Error::FromFuture {
        timestamp: 10_000,
        now: 1,
        leeway: 300,
    };
    let no_shape = Finding::UnexpectedShape {
        resembles: None,
        missing: Vec::new(),
        members: MemberNames::default(),
    };
    vec![
        vec![input(Error::Empty { field }, None)],
        vec![input(too_large, None)],
        vec![input(space, None)],
        vec![damaged(Damage::LineBreak)],
        vec![damaged(Damage::PercentEncoded)],
        vec![damaged(Damage::UrlSafeAlphabet)],
        vec![damaged(Damage::MissingPadding)],
        vec![damaged(Damage::SurroundingWhitespace)],
        vec![damaged(Damage::Hex), length(Some(LengthHint::Hex))],
        vec![length(Some(LengthHint::AlreadyDecoded))],
        vec![length(Some(LengthHint::Unknown)), length(None)],
        vec![input(Error::NotBlockAligned { len: 20 }, None)],
        vec![input(invalid, None)],
        vec![Finding::EncodedTwice {
            field,
            reaches_cipher: false,
        }],
        vec![Finding::KeyWrongOrStale {
            single_block: false,
            padding_passed: false,
        }],
        vec![Finding::Truncated],
        vec![Finding::IvWrong { resembles: None }],
        vec![Finding::NotUtf8],
        vec![
            Finding::MalformedJson {
                problem: JsonProblem::Syntax,
            },
            no_shape,
        ],
        vec![policy(other_appid)],
        vec![policy(expired)],
        vec![policy(future)],
        vec![policy(Error::MissingWatermark)],
    ]
}

/// Every failing finding's report gives a likely cause and a fix of its
/// own. Findings grouped together share theirs on purpose (hex named by
/// the damage check or by the length; a length that suggests nothing and
/// one without a hint; malformed JSON and JSON of no known shape); two
/// findings of different groups differ in both the cause and the fix. A
/// valid payload has neither.
#[test]
fn each_finding_gives_a_cause_and_a_fix_of_its_own() {
    let mut seen: Vec<(String, String)> = Vec::new();
    for group in findings_by_cause() {
        let mut texts = group.iter().map(|finding| {
            cause_and_fix(finding.clone()).unwrap_or_else(|| panic!("no cause for {finding:?}"))
        });
        let first = texts.next().expect("a group has a finding");
        for text in texts {
            assert_eq!(text, first, "{group:?}");
        }
        for other in &seen {
            assert_ne!(other.0, first.0, "the same cause for {group:?}");
            assert_ne!(other.1, first.1, "the same fix for {group:?}");
        }
        seen.push(first);
    }
    let valid = Finding::Valid {
        kind: PayloadKind::PhoneNumber,
        watermark: None,
        appid: None,
        appid_checked: true,
    };
    assert_eq!(cause_and_fix(valid), None);
}

/// Each JSON problem in a plaintext is worded on its own, but for a syntax
/// and a shape error: reading any object, only the text can be at fault.
#[test]
fn each_json_problem_is_worded_on_its_own() {
    let problems = [
        JsonProblem::Syntax,
        JsonProblem::DuplicateKey,
        JsonProblem::TooDeep,
        JsonProblem::NotAnObject,
        JsonProblem::BadWatermark,
    ];
    let texts: Vec<String> = problems
        .iter()
        .map(|&problem| Finding::MalformedJson { problem }.to_string())
        .collect();
    for (i, text) in texts.iter().enumerate() {
        assert!(text.starts_with("the plaintext"), "{text}");
        assert!(!texts[..i].contains(text), "{text}");
    }
    let shape = Finding::MalformedJson {
        problem: JsonProblem::Shape,
    };
    assert_eq!(shape.to_string(), texts[0]);
}

/// Every finding has a `finding:` line of its own words: none is empty.
#[test]
fn every_finding_is_worded() {
    let valid = Finding::Valid {
        kind: PayloadKind::PhoneNumber,
        watermark: None,
        appid: None,
        appid_checked: true,
    };
    for finding in findings_by_cause().into_iter().flatten().chain([valid]) {
        let report = Diagnosis {
            finding: finding.clone(),
            after_repair: None,
        }
        .to_string();
        let line = report
            .lines()
            .find_map(|line| line.strip_prefix("finding: "));
        assert!(
            line.is_some_and(|line| !line.trim().is_empty()),
            "{finding:?}:\n{report}"
        );
    }
}

/// A JSON problem other than a syntax error is named as it is: a key given
/// twice, or nesting too deep, is not reported as malformed syntax.
#[test]
fn a_plaintext_json_problem_is_named_as_it_is() {
    let options = DiagnoseOptions::new(Validation::new("wx4f4bc4dec97d474b"));
    let now = UnixTime::from_secs(1_700_000_000);
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(40), "]".repeat(40));
    let cases = [
        (r#"{"a":1,"a":2}"#.to_owned(), JsonProblem::DuplicateKey),
        (deep, JsonProblem::TooDeep),
        (r#"{"a":1"#.to_owned(), JsonProblem::Syntax),
    ];
    for (text, problem) in cases {
        assert_eq!(
            read_plaintext(text.as_bytes(), 1, &options, now),
            Finding::MalformedJson { problem },
            "{text}"
        );
    }
}

/// An object of a known kind's members says whether members are missing
/// (and which) or a value is wrong; a valid payload says whether its appid
/// was checked.
#[test]
fn shape_and_valid_findings_say_what_they_found() {
    let shape = |missing: Vec<&'static str>| {
        Finding::UnexpectedShape {
            resembles: Some(PayloadKind::PhoneNumber),
            missing,
            members: MemberNames::default(),
        }
        .to_string()
    };
    let complete = shape(Vec::new());
    assert!(
        complete.contains("a value has the wrong type"),
        "{complete}"
    );
    let lacking = shape(vec!["purePhoneNumber"]);
    assert!(
        lacking.contains("which needs purePhoneNumber too"),
        "{lacking}"
    );
    let valid = |appid_checked| {
        Finding::Valid {
            kind: PayloadKind::PhoneNumber,
            watermark: Some(crate::validation::Watermark {
                timestamp: UnixTime::from_secs(1_700_000_000),
            }),
            appid: Some("wx4f4bc4dec97d474b".into()),
            appid_checked,
        }
        .to_string()
    };
    let unchecked = "the appid was not checked";
    assert!(!valid(true).contains(unchecked), "{}", valid(true));
    assert!(valid(false).contains(unchecked), "{}", valid(false));
}
