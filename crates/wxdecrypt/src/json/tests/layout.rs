//! The literal-layout path against the template path and the general
//! parser: on every vector plaintext, on the texts it must hand on, on
//! generated layout texts and on mutations of WeChat's, the three readings
//! must give the same outcome and the same value, for `PhoneNumber` and
//! `UserInfo`, for test types that record what they are handed (one of
//! them given the profile layout), for visitors that misuse the map, and
//! for a type whose fields only look like a layout's.

use std::collections::BTreeMap;

use wxdecrypt_testkit::vectors;

use super::*;
use crate::json::layout::{MAX_LAYOUT_MEMBERS, VISITS, recognise};
use crate::payload::{Members as _, PHONE_LAYOUT, PhoneNumber, USER_LAYOUT, UserInfo};

/// `PhoneNumber`'s members in a list of its own: equal to the layout's,
/// not the same slice.
static LOOKALIKE_FIELDS: [&str; 3] = ["phoneNumber", "purePhoneNumber", "countryCode"];

/// A test type that records every member it is handed, in order, as a
/// `Value`; by `K` it names a layout and uses the map rightly or not:
/// 0 the phone layout, 1 the profile layout, 2 the phone layout but stops
/// after one member, 3 asks for a value before any key, 4 asks for two keys
/// in a row, 5 `PhoneNumber`'s names in another list.
#[derive(Debug, PartialEq)]
struct Record<const K: u8>(Vec<(String, Value)>);

impl<'de, const K: u8> Deserialize<'de> for Record<K> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RecordVisitor<const K: u8>;
        impl<'de, const K: u8> Visitor<'de> for RecordVisitor<K> {
            type Value = Record<K>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Record<K>, A::Error> {
                let mut members = Vec::new();
                match K {
                    3 => {
                        map.next_value::<IgnoredAny>()?;
                    }
                    4 => {
                        map.next_key::<String>()?;
                        map.next_key::<String>()?;
                    }
                    _ => {}
                }
                while let Some(key) = map.next_key::<String>()? {
                    members.push((key, map.next_value::<Value>()?));
                    if K == 2 {
                        break;
                    }
                }
                Ok(Record(members))
            }
        }
        let fields: &'static [&'static str] = match K {
            1 => USER_LAYOUT.fields,
            5 => &LOOKALIKE_FIELDS,
            _ => PHONE_LAYOUT.fields,
        };
        deserializer.deserialize_struct("PhoneNumber", fields, RecordVisitor::<K>)
    }
}

/// How many texts the layout path read while `f` ran.
fn visits(f: impl FnOnce()) -> usize {
    VISITS.with(|count| count.set(0));
    f();
    VISITS.with(std::cell::Cell::get)
}

/// Whether `T` reads `text` on the layout path.
fn takes_layout<T>(text: &str) -> bool
where
    T: for<'de> Deserialize<'de>,
{
    visits(|| drop(parse_on::<T>(text, Paths::ALL))) == 1
}

/// The three readings agree for every type these tests know.
fn agree_everywhere(text: &str) {
    assert_same_values::<PhoneNumber>(text);
    assert_same_values::<UserInfo>(text);
    assert_same_values::<Record<0>>(text);
    assert_same_values::<Record<1>>(text);
    assert_same_values::<Record<2>>(text);
    assert_same_values::<Record<3>>(text);
    assert_same_values::<Record<4>>(text);
    assert_same_values::<Record<5>>(text);
    assert_same_values::<Value>(text);
}

#[test]
fn wechat_texts_take_the_layout_and_agree() {
    assert!(takes_layout::<PhoneNumber>(PHONE));
    assert!(takes_layout::<Record<0>>(PHONE));
    assert!(takes_layout::<Record<1>>(USER));
    assert!(takes_layout::<UserInfo>(USER));
    agree_everywhere(PHONE);
    agree_everywhere(USER);
    let (phone, watermark) = parse_on::<PhoneNumber>(PHONE, Paths::ALL).expect("phone");
    assert_eq!(phone.phone_number(), "18017448610");
    assert_eq!(phone.pure_phone_number(), "18017448610");
    assert_eq!(phone.country_code(), "86");
    assert_eq!(watermark, Some(expected_watermark()));
    // The record sees the members and the watermark in the text's order.
    let (record, _) = parse_on::<Record<1>>(USER, Paths::ALL).expect("profile");
    let keys: Vec<&str> = record.0.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "openId",
            "nickName",
            "gender",
            "language",
            "city",
            "province",
            "country",
            "avatarUrl",
            "unionId",
            "watermark"
        ]
    );
    assert_eq!(record.0[2].1, Value::from(1));
    assert_eq!(record.0[9].1["appid"], Value::from("wx4f4bc4dec97d474b"));
}

#[test]
fn every_vector_plaintext_agrees_and_every_real_payload_takes_the_layout() {
    let (mut seen, mut phones, mut profiles) = (0, 0, 0);
    for (real, file) in [(false, vectors::generated()), (true, vectors::real_world())] {
        let mut stack = vec![&file];
        while let Some(value) = stack.pop() {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(text)) = map.get("plaintext") {
                        agree_everywhere(text);
                        seen += 1;
                        // WeChat's own phone texts are all laid out alike;
                        // the generated ones also try other spellings.
                        if real && parse_on::<PhoneNumber>(text, Paths::GENERAL).is_ok() {
                            assert!(takes_layout::<PhoneNumber>(text), "{text}");
                            phones += 1;
                        }
                        if real && parse_on::<UserInfo>(text, Paths::GENERAL).is_ok() {
                            assert!(takes_layout::<UserInfo>(text), "{text}");
                            profiles += 1;
                        }
                    }
                    stack.extend(map.values());
                }
                Value::Array(items) => stack.extend(items),
                _ => {}
            }
        }
    }
    assert!(seen > 10, "only {seen} plaintexts found");
    assert!(phones >= 2, "only {phones} real phone plaintexts found");
    assert!(
        profiles >= 2,
        "only {profiles} real profile plaintexts found"
    );
}

#[test]
fn profiles_with_and_without_the_optional_members_take_the_layout() {
    let without_open_id = USER.replace(r#""openId":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","#, "");
    let without_union_id = USER.replace(r#""unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA","#, "");
    let without_both = without_open_id.replace(r#""unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA","#, "");
    for text in [&without_open_id, &without_union_id, &without_both] {
        assert!(takes_layout::<Record<1>>(text), "{text}");
        assert!(takes_layout::<UserInfo>(text), "{text}");
        agree_everywhere(text);
    }
    let (record, _) = parse_on::<Record<1>>(&without_both, Paths::ALL).expect("profile");
    assert_eq!(record.0.len(), 8);
    assert_eq!(record.0[0].0, "nickName");
}

#[test]
fn texts_the_layout_hands_on() {
    let phone = |members: &str| {
        format!(
            r#"{{{members},"watermark":{{"timestamp":1558787160,"appid":"wxdaa2ab9ef87b5497"}}}}"#
        )
    };
    let canonical =
        r#""phoneNumber":"18017448610","purePhoneNumber":"18017448610","countryCode":"86""#;
    assert_eq!(phone(canonical), PHONE);
    let handed_on = [
        // Another order, a member missing, one more, one twice.
        phone(r#""purePhoneNumber":"18017448610","phoneNumber":"18017448610","countryCode":"86""#),
        phone(r#""phoneNumber":"18017448610","countryCode":"86""#),
        phone(&format!(r#"{canonical},"extra":1"#)),
        phone(&format!(r#""phoneNumber":"1",{canonical}"#)),
        // Whitespace, escapes, a number where a string is laid out.
        phone(r#""phoneNumber": "18017448610","purePhoneNumber":"18017448610","countryCode":"86""#),
        phone(
            r#""phoneNumber":"1801744861\u0030","purePhoneNumber":"18017448610","countryCode":"86""#,
        ),
        phone(
            r#""phone\u004eumber":"18017448610","purePhoneNumber":"18017448610","countryCode":"86""#,
        ),
        phone(r#""phoneNumber":"18017448610","purePhoneNumber":"18017448610","countryCode":86"#),
        phone(r#""phoneNumber":"18017448610","purePhoneNumber":"18017448610","countryCode":null"#),
        // The watermark missing, first, not canonical, followed by more.
        format!("{{{canonical}}}"),
        format!(r#"{{"watermark":{{"timestamp":1,"appid":"wx"}},{canonical}}}"#),
        phone(canonical).replace(r#"{"timestamp""#, r#"{ "timestamp""#),
        phone(canonical).replace(r#""appid""#, r#""x":1,"appid""#),
        phone(canonical).replace("}}", r#"},"extra":1}"#),
        // After the object, and its end.
        format!("{PHONE} "),
        format!("{PHONE}x"),
        PHONE.trim_end_matches('}').to_owned() + "}",
        PHONE.replacen('{', "{ ", 1),
        // The last member's comma, and a string's quote, missing.
        PHONE.replace(r#""86","#, r#""86""#),
        PHONE.replace(r#""86""#, r#""86"#),
        "{".to_owned(),
        "{}".to_owned(),
    ];
    for text in &handed_on {
        assert!(!takes_layout::<PhoneNumber>(text), "{text}");
        agree_everywhere(text);
    }
    // The other canonical watermark order is the layout's too, as it is
    // the template's.
    let appid_first = phone(canonical).replace(
        r#"{"timestamp":1558787160,"appid":"wxdaa2ab9ef87b5497"}"#,
        r#"{"appid":"wxdaa2ab9ef87b5497","timestamp":1558787160}"#,
    );
    assert!(takes_layout::<PhoneNumber>(&appid_first));
    agree_everywhere(&appid_first);
    // So is whitespace before the object, which every path skips first.
    let spaced = format!(" \n{PHONE}");
    assert!(takes_layout::<PhoneNumber>(&spaced));
    agree_everywhere(&spaced);
    // A profile's number written otherwise.
    for gender in ["01", "-1", "1.0", "1e0", "\"1\"", "99999999999999999999"] {
        let text = USER.replace(r#""gender":1"#, &format!(r#""gender":{gender}"#));
        assert!(!takes_layout::<Record<1>>(&text), "{text}");
        agree_everywhere(&text);
    }
}

#[test]
fn every_byte_of_wechats_texts_counts() {
    // Each byte changed in turn: a key, a quote, a colon, a comma or a
    // value byte that differs must either be read as the general parser
    // reads it, or hand the text on; a layout that compared only part of
    // a member's opening would give the layout's name to another key.
    for text in [PHONE, USER] {
        for at in 0..text.len() {
            let mut bytes = text.as_bytes().to_vec();
            bytes[at] = if bytes[at] == b'X' { b'Y' } else { b'X' };
            let changed = String::from_utf8(bytes).expect("ASCII");
            agree_everywhere(&changed);
        }
    }
}

#[test]
fn the_closing_watermark_is_read_as_the_template_reads_it() {
    // Appids of every length up to 24 (the word checks' short, exact and
    // overlapping cases), plain or with one byte that stops a string scan
    // (or one that does not) at each place, in both canonical orders, and
    // with the closing bytes changed; each text on the three paths.
    let opening = r#"{"phoneNumber":"18017448610","purePhoneNumber":"18017448610","countryCode":"86","watermark":"#;
    let mut layout_reads = 0;
    for len in 0..=24 {
        let plain: String = "wxdaa2ab9ef87b5497abcdef".chars().take(len).collect();
        let mut appids = vec![plain.clone()];
        for at in 0..len {
            for odd in ['"', '\\', '\u{1}', '\u{1f}', '\u{7f}', ' ', '}'] {
                let mut appid: Vec<char> = plain.chars().collect();
                appid[at] = odd;
                appids.push(appid.into_iter().collect());
            }
        }
        for appid in &appids {
            for tail in ["}}", "} }", "}}\n", "}", "}}}", "\"}}"] {
                let first = format!(r#"{opening}{{"timestamp":1558787160,"appid":"{appid}"{tail}"#);
                let other = format!(r#"{opening}{{"appid":"{appid}","timestamp":1558787160{tail}"#);
                for text in [first, other] {
                    assert_same_values::<PhoneNumber>(&text);
                    assert_same_values::<Record<0>>(&text);
                    if takes_layout::<PhoneNumber>(&text) {
                        layout_reads += 1;
                        let (_, watermark) =
                            parse_on::<PhoneNumber>(&text, Paths::ALL).expect("read");
                        assert_eq!(
                            watermark.map(|w| w.appid.into_owned()).as_deref(),
                            Some(appid.as_str())
                        );
                    }
                }
            }
        }
    }
    // Exactly the texts closed by `}}` whose appid has no stop byte: the 25
    // plain ones and the 3 * (0 + 1 + .. + 24) with a byte that is no stop,
    // in both orders.
    assert_eq!(layout_reads, 2 * (25 + 3 * 300));
}

#[test]
fn a_type_that_only_looks_like_a_layout_reads_the_text_as_before() {
    #[derive(Debug, PartialEq, Deserialize)]
    struct Outer {
        phone: PhoneNumber,
    }
    // Equal names in its own list: the general reading (through the
    // template), with the same members as the layout gives.
    assert!(!takes_layout::<Record<5>>(PHONE));
    let (lookalike, _) = parse_on::<Record<5>>(PHONE, Paths::ALL).expect("lookalike");
    let (laid_out, _) = parse_on::<Record<0>>(PHONE, Paths::ALL).expect("laid out");
    assert_eq!(lookalike.0, laid_out.0);
    assert!(recognise(&LOOKALIKE_FIELDS).is_none());
    assert!(recognise(PhoneNumber::REQUIRED).is_some());
    // Not at depth 1 either: a phone number inside another object.
    let nested = format!(r#"{{"phone":{PHONE}}}"#);
    assert_eq!(visits(|| drop(parse_on::<Outer>(&nested, Paths::ALL))), 0);
    assert_same_values::<Outer>(&nested);
}

#[test]
fn visitors_that_misuse_the_map_are_refused_alike() {
    for text in [PHONE, USER] {
        for (stops, early, twice) in [
            (
                parse_on::<Record<2>>(text, Paths::ALL).map(drop),
                parse_on::<Record<3>>(text, Paths::ALL).map(drop),
                parse_on::<Record<4>>(text, Paths::ALL).map(drop),
            ),
            (
                parse_on::<Record<2>>(text, Paths::GENERAL).map(drop),
                parse_on::<Record<3>>(text, Paths::GENERAL).map(drop),
                parse_on::<Record<4>>(text, Paths::GENERAL).map(drop),
            ),
        ] {
            assert_eq!(stops, Err(JsonProblem::Shape), "{text}");
            assert_eq!(early, Err(JsonProblem::Shape), "{text}");
            assert_eq!(twice, Err(JsonProblem::Shape), "{text}");
        }
    }
    assert!(takes_layout::<Record<2>>(PHONE));
    assert!(takes_layout::<Record<3>>(PHONE));
    assert!(takes_layout::<Record<4>>(PHONE));
}

#[test]
fn the_layouts_are_well_formed() {
    for known in crate::json::layout::Known::ALL {
        let layout = known.layout();
        let names: Vec<&str> = layout.members.iter().map(|m| m.name).collect();
        assert!(names.len() <= MAX_LAYOUT_MEMBERS);
        let distinct: std::collections::BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(distinct.len(), names.len(), "{names:?}");
        assert!(!names.contains(&WATERMARK));
        for member in layout.members {
            assert_eq!(member.opening, format!("\"{}\":", member.name).as_bytes());
            assert!(
                member
                    .name
                    .bytes()
                    .all(|b| b >= 0x20 && b != b'"' && b != b'\\'),
                "{}",
                member.name
            );
        }
        assert_eq!(recognise(layout.fields), Some(known));
    }
    // The phone layout is the type's own list, every member required.
    assert_eq!(PHONE_LAYOUT.fields, PhoneNumber::REQUIRED);
    let names: Vec<&str> = PHONE_LAYOUT.members.iter().map(|m| m.name).collect();
    assert_eq!(names, PhoneNumber::REQUIRED);
    assert!(PHONE_LAYOUT.members.iter().all(|m| !m.optional));
    // The profile layout names the type's members in its own list's order;
    // only the ids may be left out, and `gender` is the one number.
    let names: Vec<&str> = USER_LAYOUT.members.iter().map(|m| m.name).collect();
    assert_eq!(names, USER_LAYOUT.fields);
    let mut members: Vec<&str> = UserInfo::REQUIRED
        .iter()
        .chain(UserInfo::OPTIONAL)
        .copied()
        .collect();
    members.sort_unstable();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, members);
    for member in USER_LAYOUT.members {
        assert_eq!(
            member.optional,
            matches!(member.name, "openId" | "unionId"),
            "{}",
            member.name
        );
        assert_eq!(
            member.kind == crate::json::layout::Kind::Uint,
            member.name == "gender",
            "{}",
            member.name
        );
    }
}

/// A phone text laid out as WeChat writes it, or nearly: each value from a
/// mix of valid and invalid phone texts, sometimes escaped, sometimes a
/// number; the watermark in either order.
fn arb_phone() -> impl Strategy<Value = String> {
    let text = prop_oneof![
        "[0-9]{1,21}".prop_map(|d| format!("\"{d}\"")),
        r"\+?[0-9 ()-]{0,34}".prop_map(|d| format!("\"{d}\"")),
        "[ -~\u{e9}\u{4e2d}]{0,8}".prop_map(|s| format!("{s:?}")),
        "[0-9]{1,5}",
        Just(r#""1\u0038""#.to_owned()),
    ];
    let watermark = prop_oneof![
        Just(r#"{"timestamp":1558787160,"appid":"wxdaa2ab9ef87b5497"}"#),
        Just(r#"{"appid":"wx","timestamp":0}"#),
        Just(r#"{"appid":"wx","timestamp":01}"#),
        Just(r#"{"timestamp":1}"#),
    ];
    (text.clone(), text.clone(), text, watermark, any::<bool>()).prop_map(
        |(shown, pure, code, watermark, same)| {
            // Often the pure number is the shown one, as WeChat sends it.
            let pure = if same { shown.clone() } else { pure };
            format!(
                r#"{{"phoneNumber":{shown},"purePhoneNumber":{pure},"countryCode":{code},"watermark":{watermark}}}"#
            )
        },
    )
}

/// A profile text laid out as WeChat writes it, the optional members
/// present or not, `gender` a number or not.
fn arb_profile() -> impl Strategy<Value = String> {
    let text = "[ -~\u{e9}\u{4e2d}\u{1f600}]{0,10}".prop_map(|s| format!("{s:?}"));
    let gender = prop_oneof![
        "[0-9]{1,3}",
        Just("-1".to_owned()),
        Just("\"1\"".to_owned())
    ];
    (
        prop::option::of(text.clone()),
        text.clone(),
        gender,
        prop::collection::vec(text.clone(), 5),
        prop::option::of(text),
    )
        .prop_map(|(open_id, nick, gender, rest, union_id)| {
            let mut members = Vec::new();
            if let Some(open_id) = open_id {
                members.push(format!(r#""openId":{open_id}"#));
            }
            members.push(format!(r#""nickName":{nick}"#));
            members.push(format!(r#""gender":{gender}"#));
            for (name, value) in ["language", "city", "province", "country", "avatarUrl"]
                .iter()
                .zip(&rest)
            {
                members.push(format!(r#""{name}":{value}"#));
            }
            if let Some(union_id) = union_id {
                members.push(format!(r#""unionId":{union_id}"#));
            }
            format!(
                r#"{{{},"watermark":{{"timestamp":1477314187,"appid":"wx4f4bc4dec97d474b"}}}}"#,
                members.join(",")
            )
        })
}

proptest! {
    #[test]
    fn generated_phone_texts_agree(text in arb_phone()) {
        agree_everywhere(&text);
    }

    #[test]
    fn generated_profile_texts_agree(text in arb_profile()) {
        agree_everywhere(&text);
    }

    #[test]
    fn mutated_wechat_texts_agree_on_the_layout(
        which in 0..2usize,
        at in any::<prop::sample::Index>(),
        byte in prop::sample::select(b"\"\\,:{}0 1a\n+-.e".to_vec()),
        edit in 0..3u8,
    ) {
        if let Some(text) = edited_wechat_text(which, at, byte, edit) {
            agree_everywhere(&text);
        }
    }
}

#[test]
fn the_values_are_borrowed_from_the_text() {
    // A target that borrows each string gets slices of the input, as on
    // the other paths.
    #[derive(Debug, PartialEq)]
    struct Borrowed<'a>(BTreeMap<&'a str, &'a str>);
    impl<'de> Deserialize<'de> for Borrowed<'de> {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Borrowed<'de>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Borrowed<'de>, A::Error> {
                    let mut members = BTreeMap::new();
                    while let Some(key) = map.next_key::<&'de str>()? {
                        if key == WATERMARK {
                            map.next_value::<IgnoredAny>()?;
                        } else {
                            members.insert(key, map.next_value::<&'de str>()?);
                        }
                    }
                    Ok(Borrowed(members))
                }
            }
            d.deserialize_struct("PhoneNumber", PHONE_LAYOUT.fields, V)
        }
    }
    assert_eq!(
        visits(|| drop(parse_on::<Borrowed<'_>>(PHONE, Paths::ALL))),
        1
    );
    assert_same_values::<Borrowed<'_>>(PHONE);
    let (borrowed, watermark) = parse_on::<Borrowed<'_>>(PHONE, Paths::ALL).expect("borrowed");
    assert_eq!(borrowed.0.get("countryCode"), Some(&"86"));
    assert_eq!(borrowed.0.len(), 3);
    assert_eq!(watermark, Some(expected_watermark()));
}
