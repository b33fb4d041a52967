//! The serde surface (options, enums, newtypes, maps, shape errors) and errors that leak nothing.

use std::collections::{BTreeMap, HashSet};

use serde::de::{MapAccess, SeqAccess};

use super::*;

// ---- serde surface -------------------------------------------------------

#[test]
fn missing_field_is_shape() {
    assert_eq!(
        kind_of::<Phone>(r#"{"phoneNumber":"1","countryCode":"86"}"#),
        Some(JsonProblem::Shape)
    );
}

#[test]
fn wrong_type_and_unknown_field_are_shape() {
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Strict {
        #[allow(dead_code, reason = "only the error matters")]
        a: u8,
    }
    assert_eq!(
        kind_of::<Phone>(r#"{"phoneNumber":1,"purePhoneNumber":"1","countryCode":"86"}"#),
        Some(JsonProblem::Shape)
    );
    assert_eq!(
        kind_of::<Strict>(r#"{"a":1,"b":2}"#),
        Some(JsonProblem::Shape)
    );
    assert_eq!(kind_of::<Strict>(r#"{"a":1}"#), None);
}

#[derive(Debug, PartialEq, Deserialize)]
enum Kind {
    Unit,
    New(u32),
    Tup(u8, u8),
    Rec { x: u8 },
}

#[derive(Debug, PartialEq, Deserialize)]
struct HasKind {
    k: Kind,
}

#[test]
fn enums_come_from_strings_or_single_key_objects() {
    let cases = [
        (r#"{"k":"Unit"}"#, Kind::Unit),
        (r#"{"k":{"Unit":null}}"#, Kind::Unit),
        (r#"{"k":{"New":5}}"#, Kind::New(5)),
        (r#"{"k":{"Tup":[1,2]}}"#, Kind::Tup(1, 2)),
        (r#"{"k":{ "Rec" : {"x":3} }}"#, Kind::Rec { x: 3 }),
        (r#"{"k":"\u0055nit"}"#, Kind::Unit),
    ];
    for (text, expected) in cases {
        assert_eq!(parse::<HasKind>(text).unwrap().0.k, expected, "{text}");
    }
}

#[test]
fn enums_with_unknown_variants_or_wrong_forms_are_rejected() {
    for (text, kind) in [
        (r#"{"k":"Nope"}"#, JsonProblem::Shape),
        (r#"{"k":"New"}"#, JsonProblem::Shape),
        (r#"{"k":{}}"#, JsonProblem::Shape),
        (r#"{"k":{"New":5,"Unit":null}}"#, JsonProblem::Shape),
        (r#"{"k":{"Unit":1}}"#, JsonProblem::Shape),
        (r#"{"k":5}"#, JsonProblem::Shape),
        (r#"{"k":{"New" 5}}"#, JsonProblem::Syntax),
        (r#"{"k":{"New":5]}"#, JsonProblem::Syntax),
        (r#"{"k":{"Rec":{"x":1,"x":2}}}"#, JsonProblem::DuplicateKey),
    ] {
        assert_eq!(kind_of::<HasKind>(text), Some(kind), "{text}");
    }
}

#[test]
fn bare_string_variants_must_be_unit_variants() {
    for text in [
        r#"{"k":"Tup"}"#,
        r#"{"k":"Rec"}"#,
        r#"{"k":"\u004eew"}"#,
        r#"{"k":"R\u0065c"}"#,
    ] {
        assert_eq!(kind_of::<HasKind>(text), Some(JsonProblem::Shape), "{text}");
    }
}

#[test]
fn options_map_null_to_none() {
    #[derive(Debug, PartialEq, Deserialize)]
    struct Opt {
        a: Option<u8>,
        b: Option<String>,
    }
    let (opt, _) = parse::<Opt>(r#"{"a":null,"b":"x"}"#).unwrap();
    assert_eq!(
        opt,
        Opt {
            a: None,
            b: Some("x".into())
        }
    );
    assert_eq!(
        kind_of::<Opt>(r#"{"a":nul,"b":null}"#),
        Some(JsonProblem::Syntax)
    );
}

#[test]
fn newtype_structs_and_tuples_are_supported() {
    #[derive(Debug, PartialEq, Deserialize)]
    struct Id(String);
    #[derive(Debug, PartialEq, Deserialize)]
    struct Holder {
        id: Id,
        pair: (u8, i8),
    }
    let (h, _) = parse::<Holder>(r#"{"id":"x","pair":[1,-1]}"#).unwrap();
    assert_eq!(
        h,
        Holder {
            id: Id("x".into()),
            pair: (1, -1)
        }
    );
    assert_eq!(
        kind_of::<Holder>(r#"{"id":"x","pair":[1,2,3]}"#),
        Some(JsonProblem::Shape)
    );
    assert_eq!(
        kind_of::<Holder>(r#"{"id":"x","pair":[1]}"#),
        Some(JsonProblem::Shape)
    );
}

#[test]
fn integer_keyed_maps_parse_keys_strictly() {
    #[derive(Debug, Deserialize)]
    struct Maps {
        m: BTreeMap<u16, u8>,
    }
    #[derive(Debug, Deserialize)]
    struct Signed {
        m: BTreeMap<i8, bool>,
    }
    let (maps, _) = parse::<Maps>(r#"{"m":{"1":2,"300":4}}"#).unwrap();
    assert_eq!(maps.m.into_iter().collect::<Vec<_>>(), [(1, 2), (300, 4)]);
    let (signed, _) = parse::<Signed>(r#"{"m":{"-5":true}}"#).unwrap();
    assert!(signed.m[&-5]);
    for text in [
        r#"{"m":{"01":1}}"#,
        r#"{"m":{"+1":1}}"#,
        r#"{"m":{" 1":1}}"#,
        r#"{"m":{"1x":1}}"#,
        r#"{"m":{"70000":1}}"#,
    ] {
        assert_eq!(kind_of::<Maps>(text), Some(JsonProblem::Shape), "{text}");
    }
    assert_eq!(
        kind_of::<Maps>(r#"{"m":{"1":1,"\u0031":2}}"#),
        Some(JsonProblem::DuplicateKey)
    );
}

/// Reads only the first member of an object and returns.
#[derive(Debug)]
pub(super) struct FirstOnly;

impl<'de> Deserialize<'de> for FirstOnly {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FirstOnly;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FirstOnly, A::Error> {
                if map.next_key::<IgnoredAny>()?.is_some() {
                    map.next_value::<IgnoredAny>()?;
                }
                Ok(FirstOnly)
            }
        }
        d.deserialize_map(V)
    }
}

/// Swallows every error and stops at the first one.
#[derive(Debug)]
struct Swallow;

impl<'de> Deserialize<'de> for Swallow {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Swallow;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Swallow, A::Error> {
                while let Ok(Some(IgnoredAny)) = map.next_key::<IgnoredAny>() {
                    if map.next_value::<IgnoredAny>().is_err() {
                        break;
                    }
                }
                Ok(Swallow)
            }
        }
        d.deserialize_map(V)
    }
}

#[test]
fn target_that_stops_reading_early_cannot_hide_members() {
    assert!(parse::<FirstOnly>(r#"{"a":1}"#).is_ok());
    assert!(parse::<FirstOnly>("{}").is_ok());
    assert_eq!(
        kind_of::<FirstOnly>(r#"{"a":1,"b":2}"#),
        Some(JsonProblem::Shape)
    );
    assert_eq!(
        kind_of::<FirstOnly>(r#"{"a":1,"a":2}"#),
        Some(JsonProblem::Shape)
    );
}

#[test]
fn target_that_swallows_errors_cannot_make_bad_input_pass() {
    assert!(parse::<Swallow>(r#"{"a":1,"b":[2]}"#).is_ok());
    assert_eq!(
        kind_of::<Swallow>(r#"{"a":1,"a"}"#),
        Some(JsonProblem::DuplicateKey)
    );
    assert_eq!(
        kind_of::<Swallow>(r#"{"a":1,"b":[2,}"#),
        Some(JsonProblem::Syntax)
    );
    assert_eq!(
        kind_of::<Swallow>(r#"{"a":tru}"#),
        Some(JsonProblem::Syntax)
    );
}

#[test]
fn swallowed_shape_errors_do_not_poison_valid_input() {
    /// Falls back to `None` when the value is not a `u32`.
    #[derive(Debug)]
    struct Lenient(Option<u32>);
    impl<'de> Deserialize<'de> for Lenient {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Ok(Self(u32::deserialize(d).ok()))
        }
    }
    #[derive(Debug, Deserialize)]
    struct Outer {
        a: Lenient,
        b: u8,
    }
    let (outer, _) = parse::<Outer>(r#"{"a":"x","b":2}"#).unwrap();
    assert_eq!((outer.a.0, outer.b), (None, 2));
    let (outer, _) = parse::<Outer>(r#"{"a":7,"b":2}"#).unwrap();
    assert_eq!(outer.a.0, Some(7));
}

#[test]
fn sequences_are_visited_element_by_element() {
    struct Count;
    impl<'de> Visitor<'de> for Count {
        type Value = usize;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
            let mut n = 0;
            while seq.next_element::<IgnoredAny>()?.is_some() {
                n += 1;
            }
            // Asking again after the end stays at the end.
            assert!(seq.next_element::<IgnoredAny>()?.is_none());
            Ok(n)
        }
    }
    #[derive(Debug)]
    struct Counted(usize);
    impl<'de> Deserialize<'de> for Counted {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_seq(Count).map(Counted)
        }
    }
    let (map, _) = parse::<BTreeMap<String, Counted>>(r#"{"a":[],"b":[1,[2],{}]}"#).unwrap();
    assert_eq!((map["a"].0, map["b"].0), (0, 3));
}

#[test]
fn deserializer_is_human_readable() {
    let mut parser = Parser::new("{}");
    assert!(de::Deserializer::is_human_readable(&&mut parser));
}

// ---- errors leak nothing ---------------------------------------------------

#[test]
fn custom_error_message_is_dropped() {
    let e = <JsonProblem as de::Error>::custom("phone 18017448610");
    assert_eq!(e, JsonProblem::Shape);
    assert!(!format!("{e} {e:?}").contains("1801"));
}

#[test]
fn error_display_and_debug_contain_no_input() {
    #[derive(Debug, Deserialize)]
    struct Num {
        #[allow(dead_code, reason = "only the error matters")]
        v: u64,
    }
    let secret = "18017448610";
    let inputs = [
        format!(r#"{{"v":"{secret}"}}"#),
        format!(r#"{{"x":"{secret}","x":"{secret}"}}"#),
        format!(r#"{{"v":"{secret}\x"}}"#),
        format!(r#"{{"watermark":{{"appid":"{secret}"}}}}"#),
        format!(r#"["{secret}"]"#),
        format!(r#"{{"v":{secret}.5}}"#),
    ];
    let mut kinds = HashSet::new();
    for input in &inputs {
        let e = parse::<Num>(input).unwrap_err();
        kinds.insert(format!("{e:?}"));
        let shown = format!("{e} {e:?} {e:#?}");
        assert!(!shown.contains("1801"), "{shown}");
        assert!(!shown.contains("448610"), "{shown}");
        assert!(!format!("{e}").is_empty());
    }
    assert_eq!(kinds.len(), 5, "{kinds:?}");
    let e: &dyn std::error::Error = &JsonProblem::Syntax;
    assert!(e.source().is_none());
}
