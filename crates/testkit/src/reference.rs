//! The reference JSON reader: what an independent reading with `serde_json`
//! says about a plaintext, under the rules the library claims to enforce —
//! the top level is an object, no object repeats a key at any depth, and
//! arrays and objects nest at most [`MAX_DEPTH`] levels. Floats are read
//! correctly rounded (`serde_json`'s `float_roundtrip`), as the library reads
//! them.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// How deep arrays and objects may nest, the top-level object counting as
/// one: the library's limit.
pub const MAX_DEPTH: usize = 32;

/// Why the reference refuses a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `serde_json` refuses it: bad syntax, trailing text, or nesting past
    /// `serde_json`'s own limit of 128.
    NotJson,
    /// It is JSON, but the top level is not an object.
    NotAnObject,
    /// An object somewhere repeats a key; checked only once the text is a
    /// JSON object, and when both this and [`Refusal::TooDeep`] apply, the
    /// one met first in reading order.
    DuplicateKey,
    /// Arrays and objects nest deeper than [`MAX_DEPTH`].
    TooDeep,
}

/// Reads `text` as the library should: a JSON object with no repeated key
/// at any depth and at most [`MAX_DEPTH`] levels of nesting.
///
/// # Errors
/// The first [`Refusal`] that applies, in the order of its variants.
pub fn read(text: &str) -> Result<Map<String, Value>, Refusal> {
    let Value::Object(object) = serde_json::from_str(text).map_err(|_| Refusal::NotJson)? else {
        return Err(Refusal::NotAnObject);
    };
    let mut de = serde_json::Deserializer::from_str(text);
    // The text parsed once already, so this pass fails only on a problem.
    let checked = Checker { depth: 0 }.deserialize(&mut de);
    match checked {
        Ok(None) => Ok(object),
        Ok(Some(problem)) => Err(problem),
        Err(_) => Err(Refusal::NotJson),
    }
}

/// [`read`], without the reason: the object, or `None` when refused.
#[must_use]
pub fn object(text: &str) -> Option<Map<String, Value>> {
    read(text).ok()
}

/// Visits a JSON value at `depth` (the top level is 0) and gives the first
/// problem in it, if any.
#[derive(Clone, Copy)]
struct Checker {
    depth: usize,
}

impl Checker {
    /// The checker for the values inside an array or object at this depth,
    /// and whether that container already nests too deep.
    fn inner(self) -> (Self, Option<Refusal>) {
        let inner = Self {
            depth: self.depth + 1,
        };
        let problem = (inner.depth > MAX_DEPTH).then_some(Refusal::TooDeep);
        (inner, problem)
    }
}

impl<'de> DeserializeSeed<'de> for Checker {
    type Value = Option<Refusal>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Checker {
    type Value = Option<Refusal>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let (inner, mut first) = self.inner();
        while let Some(problem) = seq.next_element_seed(inner)? {
            first = first.or(problem);
        }
        Ok(first)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (inner, mut first) = self.inner();
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key) {
                first = first.or(Some(Refusal::DuplicateKey));
            }
            let problem = map.next_value_seed(inner)?;
            first = first.or(problem);
        }
        Ok(first)
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_DEPTH, Refusal, object, read};

    fn nested(levels: usize) -> String {
        format!(
            "{}{}{}",
            "{\"a\":".repeat(levels - 1),
            "{}",
            "}".repeat(levels - 1)
        )
    }

    #[test]
    fn reads_a_clean_object() {
        let map = object(r#"{"a":[1,{"b":2.5}],"c":"d"}"#).expect("clean");
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn refuses_in_order() {
        assert_eq!(read("{"), Err(Refusal::NotJson));
        assert_eq!(read("{} x"), Err(Refusal::NotJson));
        assert_eq!(read(r#"[{"a":1,"a":2}]"#), Err(Refusal::NotAnObject));
        assert_eq!(read(r#"{"a":1,"a":2}"#), Err(Refusal::DuplicateKey));
        assert_eq!(
            read(r#"{"x":[{"a":{},"a":1}]}"#),
            Err(Refusal::DuplicateKey)
        );
        assert_eq!(
            read(r#"{"a":{"b":1,"b":1},"a":2}"#),
            Err(Refusal::DuplicateKey)
        );
    }

    #[test]
    fn bounds_the_depth() {
        assert!(read(&nested(MAX_DEPTH)).is_ok());
        assert_eq!(read(&nested(MAX_DEPTH + 1)), Err(Refusal::TooDeep));
        let deep_array = format!(
            "{{\"a\":{}{}}}",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        assert_eq!(read(&deep_array), Err(Refusal::TooDeep));
        let dup_first = format!(r#"{{"k":1,"k":{}}}"#, nested(MAX_DEPTH));
        assert_eq!(read(&dup_first), Err(Refusal::DuplicateKey));
    }

    #[test]
    fn reads_floats_correctly_rounded() {
        // serde_json's default reading of this one is a unit in the last
        // place off; the standard library's is correctly rounded.
        let digits = "93941844674407370955161504800";
        let map = object(&format!(r#"{{"f":{digits}}}"#)).expect("clean");
        assert_eq!(map["f"].as_f64(), digits.parse::<f64>().ok());
    }
}
