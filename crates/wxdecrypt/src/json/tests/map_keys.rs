//! Map keys read as something other than a string (bool, `Option`, a
//! newtype, an enum), and a target type that drives the map access out of
//! order: each gives the value serde's data model says, or `Shape`.

use std::collections::BTreeMap;

use serde::de::MapAccess;

use super::*;

#[derive(Debug, PartialEq, Deserialize)]
struct Keyed<K: Ord> {
    m: BTreeMap<K, u8>,
}

fn keys<'de, K: Ord + Deserialize<'de>>(text: &'de str) -> Result<Vec<K>, JsonProblem> {
    parse::<Keyed<K>>(text).map(|(keyed, _)| keyed.m.into_keys().collect())
}

#[test]
fn bool_keys_are_exactly_true_and_false() {
    assert_eq!(
        keys::<bool>(r#"{"m":{"true":1,"false":0}}"#),
        Ok(vec![false, true])
    );
    // The key is compared once unescaped.
    assert_eq!(keys::<bool>(r#"{"m":{"\u0074rue":1}}"#), Ok(vec![true]));
    for key in ["True", "1", "0", "", " true", "true ", "yes", "null"] {
        let text = format!(r#"{{"m":{{"{key}":1}}}}"#);
        assert_eq!(keys::<bool>(&text), Err(JsonProblem::Shape), "{key:?}");
    }
}

#[test]
fn option_keys_are_always_some() {
    // A key is present by definition: even "null" is Some.
    assert_eq!(
        keys::<Option<String>>(r#"{"m":{"a":1,"null":2}}"#),
        Ok(vec![Some("a".to_owned()), Some("null".to_owned())])
    );
    assert_eq!(
        keys::<Option<u16>>(r#"{"m":{"7":1,"65535":2}}"#),
        Ok(vec![Some(7), Some(65_535)])
    );
    for key in ["x", "65536", "07", "-1", "null"] {
        let text = format!(r#"{{"m":{{"{key}":1}}}}"#);
        assert_eq!(
            keys::<Option<u16>>(&text),
            Err(JsonProblem::Shape),
            "{key:?}"
        );
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
struct Name(String);

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
struct Port(u16);

#[test]
fn newtype_keys_read_what_they_wrap() {
    assert_eq!(
        keys::<Name>(r#"{"m":{"b":1,"a\n":2}}"#),
        Ok(vec![Name("a\n".to_owned()), Name("b".to_owned())])
    );
    assert_eq!(
        keys::<Port>(r#"{"m":{"443":1,"80":2}}"#),
        Ok(vec![Port(80), Port(443)])
    );
    for key in ["http", "1e2", "080", "99999"] {
        let text = format!(r#"{{"m":{{"{key}":1}}}}"#);
        assert_eq!(keys::<Port>(&text), Err(JsonProblem::Shape), "{key:?}");
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
enum Color {
    Red,
    #[serde(rename = "green")]
    Green,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
enum Tagged {
    Unit,
    Wraps(u8),
    Pair(u8, u8),
    Fields { x: u8 },
}

#[test]
fn enum_keys_name_a_unit_variant_only() {
    assert_eq!(
        keys::<Color>(r#"{"m":{"green":1,"Red":2}}"#),
        Ok(vec![Color::Red, Color::Green])
    );
    for key in ["Green", "red", "Blue", ""] {
        let text = format!(r#"{{"m":{{"{key}":1}}}}"#);
        assert_eq!(keys::<Color>(&text), Err(JsonProblem::Shape), "{key:?}");
    }
    // A key has no room for a variant's data.
    assert_eq!(
        keys::<Tagged>(r#"{"m":{"Unit":1}}"#),
        Ok(vec![Tagged::Unit])
    );
    for key in ["Wraps", "Pair", "Fields"] {
        let text = format!(r#"{{"m":{{"{key}":1}}}}"#);
        assert_eq!(keys::<Tagged>(&text), Err(JsonProblem::Shape), "{key:?}");
    }
}

#[test]
fn a_key_that_fails_still_leaves_duplicates_refused() {
    // Duplicate detection runs before the key is converted.
    assert_eq!(
        keys::<bool>(r#"{"m":{"true":1,"true":2}}"#),
        Err(JsonProblem::DuplicateKey)
    );
}

/// What a target type does with the map access.
#[derive(Debug, Clone, Copy)]
enum Misuse {
    /// `next_value` before any `next_key`.
    ValueFirst,
    /// Two `next_key` calls in a row.
    KeyTwice,
    /// Two `next_value` calls for one key.
    ValueTwice,
    /// `next_value` after `next_key` said there are no more members.
    ValueAfterEnd,
    /// `next_key` again after the end.
    KeyAfterEnd,
}

/// Drives the map access as `Misuse` says, and logs what each call gave.
struct Driver<'r>(Misuse, &'r mut Vec<Result<bool, String>>);

impl<'de> de::DeserializeSeed<'de> for Driver<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Driver<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // Each error as its message: the visitor cannot name `A::Error`.
        let key = |map: &mut A| {
            map.next_key::<IgnoredAny>()
                .map(|k| k.is_some())
                .map_err(|e| e.to_string())
        };
        let value = |map: &mut A| {
            map.next_value::<IgnoredAny>()
                .map(|_| true)
                .map_err(|e| e.to_string())
        };
        let calls = match self.0 {
            Misuse::ValueFirst => vec![value(&mut map)],
            Misuse::KeyTwice => vec![key(&mut map), key(&mut map)],
            Misuse::ValueTwice => vec![key(&mut map), value(&mut map), value(&mut map)],
            Misuse::ValueAfterEnd => vec![
                key(&mut map),
                value(&mut map),
                key(&mut map),
                value(&mut map),
            ],
            Misuse::KeyAfterEnd => {
                vec![key(&mut map), value(&mut map), key(&mut map), key(&mut map)]
            }
        };
        *self.1 = calls;
        Ok(())
    }
}

/// What each call of `misuse` gave on `text`.
fn drive(text: &str, misuse: Misuse) -> Vec<Result<bool, JsonProblem>> {
    let mut parser = Parser::new(text);
    let mut calls = Vec::new();
    // The object as a whole may then fail: only the calls matter here.
    let _ = de::DeserializeSeed::deserialize(Driver(misuse, &mut calls), &mut parser);
    let shape = JsonProblem::Shape.to_string();
    calls
        .into_iter()
        .map(|call| {
            call.map_err(|e| {
                if e == shape {
                    JsonProblem::Shape
                } else {
                    JsonProblem::Syntax
                }
            })
        })
        .collect()
}

/// A target type that misuses the access as `M` says and returns `Ok`
/// whatever the calls gave, as a careless hand-written `Deserialize` might.
struct Misused<const M: u8>;

impl<'de, const M: u8> Deserialize<'de> for Misused<M> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Swallowing(Misuse);
        impl<'de> Visitor<'de> for Swallowing {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                let key = |map: &mut A| map.next_key::<IgnoredAny>().map(|k| k.is_some());
                let value = |map: &mut A| map.next_value::<IgnoredAny>().map(drop);
                match self.0 {
                    Misuse::ValueFirst => drop(value(&mut map)),
                    Misuse::KeyTwice => drop((key(&mut map), key(&mut map))),
                    Misuse::ValueTwice => drop((key(&mut map), value(&mut map), value(&mut map))),
                    Misuse::ValueAfterEnd | Misuse::KeyAfterEnd => {
                        unreachable!("not a misuse that can hide a member")
                    }
                }
                Ok(())
            }
        }
        let misuse = [Misuse::ValueFirst, Misuse::KeyTwice, Misuse::ValueTwice][usize::from(M)];
        d.deserialize_map(Swallowing(misuse)).map(|()| Misused)
    }
}

#[test]
fn out_of_order_calls_are_refused_not_misread() {
    use Misuse::{KeyAfterEnd, KeyTwice, ValueAfterEnd, ValueFirst, ValueTwice};
    let one = r#"{"a":1}"#;
    assert_eq!(drive(one, ValueFirst), vec![Err(JsonProblem::Shape)]);
    assert_eq!(
        drive(one, KeyTwice),
        vec![Ok(true), Err(JsonProblem::Shape)]
    );
    assert_eq!(
        drive(one, ValueTwice),
        vec![Ok(true), Ok(true), Err(JsonProblem::Shape)]
    );
    assert_eq!(
        drive(one, ValueAfterEnd),
        vec![Ok(true), Ok(true), Ok(false), Err(JsonProblem::Shape)]
    );
    // Asking for a key again after the end is allowed: still the end.
    assert_eq!(
        drive(one, KeyAfterEnd),
        vec![Ok(true), Ok(true), Ok(false), Ok(false)]
    );
}

#[test]
fn a_target_that_swallows_an_out_of_order_error_cannot_hide_a_member() {
    // Two members: whatever the target returns, the parse refuses an object
    // it did not read to the end.
    let two = r#"{"a":1,"b":2}"#;
    assert!(parse::<Misused<0>>(two).is_err(), "value first");
    assert!(parse::<Misused<1>>(two).is_err(), "key twice");
    assert!(parse::<Misused<2>>(two).is_err(), "value twice");
    // One member: a value asked for first, or a second key asked for before
    // its value, leaves the member unread: refused.
    let one = r#"{"a":1}"#;
    assert!(parse::<Misused<0>>(one).is_err(), "value first");
    assert!(parse::<Misused<1>>(one).is_err(), "key twice");
    // A second value asked for once the only member was read hides nothing:
    // the refused call aside, the object was read in full.
    assert!(parse::<Misused<2>>(one).is_ok(), "value twice");
}
