//! The template fast path against the general parser: on every vector
//! plaintext, on the fuzz seeds, on generated compact objects and on
//! mutations of WeChat's texts, both paths must give the same outcome (the
//! same value and watermark, or the same problem) for every target type.

use std::collections::BTreeMap;
use std::path::Path;

use wxdecrypt_testkit::vectors;

use super::serde_surface::FirstOnly;
use super::*;
use crate::json::template::{COMPARISONS, MAX_MEMBERS, SCANS, Template};
use crate::payload::{GroupEnterInfo, PhoneNumber, ShareInfo, UserInfo, WeRunData};

/// A target that asks for its members in every way the fast path serves:
/// options, a newtype, an enum from a string, a number, an ignored member.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Everything {
    open_id: Option<String>,
    nick_name: Name,
    language: Option<Lang>,
    gender: Option<u8>,
    #[serde(default)]
    watermark: Option<OwnWatermark>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Name(String);

#[derive(Debug, PartialEq, Deserialize)]
enum Lang {
    #[serde(rename = "zh_CN")]
    Chinese,
    #[serde(rename = "en")]
    English,
}

/// An untagged enum: serde buffers the object and replays it.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(untagged)]
enum Either {
    Phone(Phone),
    Map(BTreeMap<String, Value>),
}

/// Reads `text` into `T` on both paths; they must agree.
fn agree<T>(text: &str)
where
    T: for<'de> Deserialize<'de> + PartialEq + fmt::Debug,
{
    let fast = parse_with::<T>(text, true);
    let general = parse_with::<T>(text, false);
    assert_same_outcome(&fast, &general);
    if let (Ok((a, _)), Ok((b, _))) = (&fast, &general) {
        assert_eq!(a, b, "the two paths' values differ on {text:?}");
    }
}

/// [`agree`] for every target type the tests know.
fn agree_all(text: &str) {
    agree::<Value>(text);
    agree::<PhoneNumber>(text);
    agree::<UserInfo>(text);
    agree::<WeRunData>(text);
    agree::<GroupEnterInfo>(text);
    agree::<ShareInfo>(text);
    agree::<Phone>(text);
    agree::<PhoneWithWatermark>(text);
    agree::<Everything>(text);
    agree::<Either>(text);
    agree::<Option<Phone>>(text);
    agree::<BTreeMap<String, Value>>(text);
    assert_same_outcome(
        &parse_with::<IgnoredAny>(text, true),
        &parse_with::<IgnoredAny>(text, false),
    );
}

/// Whether the fast path takes `text` at all.
fn scanned(text: &str) -> bool {
    Parser::new(text)
        .scan_template(&mut Template::new())
        .is_some()
}

#[test]
fn wechat_texts_take_the_fast_path_and_agree() {
    for text in [PHONE, USER] {
        assert!(scanned(text), "{text}");
        agree_all(text);
    }
    let (phone, watermark) = parse::<PhoneNumber>(PHONE).expect("phone");
    assert_eq!(phone.pure_phone_number(), "18017448610");
    assert_eq!(watermark, Some(expected_watermark()));
    let (user, _) = parse::<UserInfo>(USER).expect("user");
    assert_eq!(user.nick_name(), "Band");
    assert_eq!(user.open_id(), Some("oGZUI0egBJY1zhBYw2KhdUfwVJJE"));
}

#[test]
fn every_vector_plaintext_agrees() {
    let mut seen = 0;
    for file in [vectors::generated(), vectors::real_world()] {
        let mut stack = vec![&file];
        while let Some(value) = stack.pop() {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(text)) = map.get("plaintext") {
                        agree_all(text);
                        seen += 1;
                    }
                    stack.extend(map.values());
                }
                Value::Array(items) => stack.extend(items),
                _ => {}
            }
        }
    }
    assert!(seen > 10, "only {seen} plaintexts found");
}

#[test]
fn every_fuzz_seed_agrees() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/plaintext");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("the plaintext seeds") {
        let bytes = std::fs::read(entry.expect("a seed").path()).expect("a seed file");
        // `appid\nnow\nplaintext`.
        let text = bytes.splitn(3, |&b| b == b'\n').nth(2).unwrap_or_default();
        if let Ok(text) = std::str::from_utf8(text) {
            agree_all(text);
            seen += 1;
        }
    }
    assert!(seen > 0);
}

#[test]
fn texts_the_fast_path_hands_on() {
    // Each is refused by the scan and judged by the general parser alone.
    for text in [
        r#"{"a":"x" }"#,
        r#"{ "a":"x"}"#,
        r#"{"a" :"x"}"#,
        r#"{"a": "x"}"#,
        r#"{"a":"x"} "#,
        r#"{"a":"x"}x"#,
        r#"{"a":"x","a":"y"}"#,
        r#"{"a":"x","b":1,"a":"y"}"#,
        r#"{"a\n":"x"}"#,
        r#"{"a\u0041":"x"}"#,
        r#"{"a":"x\"y"}"#,
        r#"{"a":"x	y"}"#,
        r#"{"a":01}"#,
        r#"{"a":-1}"#,
        r#"{"a":1.5}"#,
        r#"{"a":1e3}"#,
        r#"{"a":true}"#,
        r#"{"a":null}"#,
        r#"{"a":[1]}"#,
        r#"{"a":{"b":1}}"#,
        r#"{"a":"x",}"#,
        r#"{"a":"x""#,
        r#"{"a":"x"#,
        r#"{"a"}"#,
        r#"{"a":}"#,
        r"{}",
        r"{",
        r#"{"watermark":"x"}"#,
        r#"{"watermark":1}"#,
        r#"{"watermark":{"appid":"x"}}"#,
        r#"{"watermark":{"appid":"x","timestamp":1,"x":1}}"#,
        r#"{"watermark":{"timestamp":1,"appid":"x"},"watermark":{"timestamp":1,"appid":"x"}}"#,
        r#"{"a":99999999999999999999}"#,
    ] {
        assert!(!scanned(text), "{text}");
        agree_all(text);
    }
}

#[test]
fn duplicates_are_found_whatever_the_hash() {
    // Keys of one length and first byte share a bit; only the comparison
    // tells them apart.
    let text = r#"{"ab":1,"ac":2,"ad":3,"ab":4}"#;
    assert!(!scanned(text));
    assert_eq!(kind_of::<Value>(text), Some(JsonProblem::DuplicateKey));
    let text = r#"{"ab":1,"ac":2,"ad":3,"ae":4}"#;
    assert!(scanned(text));
    agree_all(text);
    // The first key, and one after the watermark.
    for text in [
        r#"{"k":"1","x":"2","k":"3"}"#,
        r#"{"watermark":{"timestamp":1,"appid":"a"},"k":1,"k":2}"#,
    ] {
        assert!(!scanned(text), "{text}");
        assert_eq!(kind_of::<Value>(text), Some(JsonProblem::DuplicateKey));
        agree_all(text);
    }
}

#[test]
fn wechat_keys_are_told_apart_without_comparing_them() {
    let comparisons = |text: &str| {
        COMPARISONS.with(|count| count.set(0));
        assert!(scanned(text), "{text}");
        COMPARISONS.with(std::cell::Cell::get)
    };
    // The hash gives each of their keys its own bit.
    assert_eq!(comparisons(PHONE), 0);
    assert_eq!(comparisons(USER), 0);
    // Keys of one length and first byte share one: the second is compared
    // with the first, the third with both.
    assert_eq!(comparisons(r#"{"ab":1,"ac":2}"#), 1);
    assert_eq!(comparisons(r#"{"ab":1,"ac":2,"ad":3}"#), 2);
}

#[test]
fn only_the_top_level_object_is_scanned() {
    let scans = |text: &str| {
        SCANS.with(|count| count.set(0));
        parse::<Value>(text).expect("a JSON object");
        SCANS.with(std::cell::Cell::get)
    };
    // Nested objects (WeRun's days) go to the general parser without a
    // scan that could not succeed (a nested object never ends the text).
    let werun = r#"{"stepInfoList":[{"timestamp":1,"step":2},{"timestamp":3,"step":4}],"watermark":{"timestamp":5,"appid":"wx"}}"#;
    assert_eq!(scans(werun), 1);
    assert_eq!(scans(r#"{"a":{"b":{"c":1}}}"#), 1);
    assert_eq!(scans(PHONE), 1);
    // The general path alone scans nothing.
    SCANS.with(|count| count.set(0));
    parse_with::<Value>(werun, false).expect("a JSON object");
    assert_eq!(SCANS.with(std::cell::Cell::get), 0);
}

#[test]
fn sixteen_members_at_most() {
    let members = |n: usize| {
        let body: Vec<String> = (0..n).map(|i| format!(r#""k{i}":{i}"#)).collect();
        format!("{{{}}}", body.join(","))
    };
    let sixteen = members(MAX_MEMBERS);
    assert!(scanned(&sixteen));
    agree_all(&sixteen);
    let seventeen = members(MAX_MEMBERS + 1);
    assert!(!scanned(&seventeen));
    agree_all(&seventeen);
}

#[test]
fn a_visitor_that_stops_early_is_refused_alike() {
    // `FirstOnly` (serde_surface.rs) reads one member and stops.
    /// Reads a key and not its value, or a value with no key.
    struct Unpaired(bool);
    impl<'de> Deserialize<'de> for Unpaired {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Unpaired;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Unpaired, A::Error> {
                    let value_first = map.next_value::<IgnoredAny>().is_ok();
                    let key = map.next_key::<IgnoredAny>()?.is_some();
                    let twice = map.next_key::<IgnoredAny>().is_ok();
                    Ok(Unpaired(value_first || !key || twice))
                }
            }
            d.deserialize_map(V)
        }
    }
    for text in [r#"{"a":1}"#, r#"{"a":1,"b":"x"}"#, PHONE] {
        assert!(scanned(text));
        for fast in [true, false] {
            let stops = parse_with::<FirstOnly>(text, fast).map(drop);
            let unpaired = parse_with::<Unpaired>(text, fast).map(|(u, _)| u.0);
            if text.matches(':').count() == 1 {
                assert_eq!(stops, Ok(()), "{text}");
            } else {
                assert_eq!(stops, Err(JsonProblem::Shape), "{text}");
            }
            assert_eq!(unpaired, Err(JsonProblem::Shape), "{text}");
        }
    }
}

#[test]
fn the_watermark_is_read_where_a_target_wants_it() {
    let (own, watermark) = parse_with::<PhoneWithWatermark>(PHONE, true).expect("fast");
    assert_eq!(own.watermark.appid, "wxdaa2ab9ef87b5497");
    assert_eq!(own.watermark.timestamp, 1_558_787_160);
    assert_eq!(watermark, Some(expected_watermark()));
    // A watermark first, then more members.
    let text = r#"{"watermark":{"appid":"wx1","timestamp":7},"phoneNumber":"1","purePhoneNumber":"1","countryCode":1}"#;
    assert!(scanned(text));
    agree_all(text);
    let (_, watermark) = parse::<PhoneNumber>(text).expect("phone");
    assert_eq!(watermark.map(|w| w.timestamp), Some(7));
}

/// Compact objects of the members WeChat's payloads have, in any order,
/// with or without a watermark.
fn arb_compact() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "phoneNumber",
        "purePhoneNumber",
        "countryCode",
        "openId",
        "nickName",
        "gender",
        "language",
        "watermark",
        "ab",
        "ac",
        "",
    ]);
    let value = prop_oneof![
        "[0-9]{0,21}".prop_map(|d| format!("\"{d}\"")),
        "[ -~\u{e9}\u{4e2d}\u{1f600}]{0,12}".prop_map(|s| format!("{s:?}")),
        "[0-9]{1,21}",
        Just(r#"{"timestamp":1558787160,"appid":"wxdaa2ab9ef87b5497"}"#.to_owned()),
        Just(r#"{"appid":"wx","timestamp":0}"#.to_owned()),
        Just("null".to_owned()),
        Just("2".to_owned()),
    ];
    prop::collection::vec((key, value), 0..8).prop_map(|members| {
        let body: Vec<String> = members
            .iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        format!("{{{}}}", body.join(","))
    })
}

proptest! {
    #[test]
    fn generated_compact_objects_agree(text in arb_compact()) {
        agree_all(&text);
    }

    #[test]
    fn mutated_wechat_texts_agree(
        which in 0..2usize,
        at in any::<prop::sample::Index>(),
        byte in prop::sample::select(b"\"\\,:{}0 1a\n+-.e".to_vec()),
        edit in 0..3u8,
    ) {
        if let Some(text) = edited_wechat_text(which, at, byte, edit) {
            agree_all(&text);
        }
    }
}
