//! Strict, zero-copy JSON deserializer for decrypted mini-program payloads.
//!
//! The decrypted plaintext is attacker-influenced (CBC is unauthenticated), so
//! this parser accepts only RFC 8259 JSON, rejects duplicate keys in every
//! object, bounds nesting depth, never panics and never copies input text into
//! its errors. It drives a serde visitor directly in one pass and, while doing
//! so, captures the top-level `watermark` member for the caller.
//!
//! This file holds the entry point ([`parse`]), the depth limit and the one
//! failure type ([`JsonProblem`]). The parser itself is laid out by concept:
//! `read` (the cursor and the byte scans), `string` and `number` (the two
//! scalar grammars), `keys` (duplicate-key detection), `watermark` (its
//! capture), `grammar` (the serde `Deserializer`), `access` (the serde access
//! types), `skip` (validating a value nobody wants) and `template` (the fast
//! path for the compact top-level objects WeChat sends, which hands the
//! target the calls the general path would make, and leaves every other text
//! to it). The visiting and the skipping paths share the scans, the key
//! reader, the string and number readers and the watermark reader, so that
//! both judge every input alike.

mod access;
mod grammar;
mod keys;
pub(crate) mod layout;
mod number;
mod read;
mod skip;
mod string;
mod template;
mod watermark;

pub(crate) use watermark::WATERMARK;

#[cfg(test)]
mod tests;

use std::fmt;

use serde::de;

use crate::validation::WatermarkRef;
use read::Parser;

/// Why a JSON text was refused: the one failure type of the strict parser,
/// shared by decrypted payloads, server responses ([`crate::api`]) and the
/// offline diagnosis ([`crate::diagnose`]).
///
/// It carries no data from the input (no text, no values, no positions),
/// because a decrypted plaintext holds phone numbers. The production decrypt
/// path never shows it: every kind becomes the one opaque
/// [`Error::Decryption`](crate::Error::Decryption).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonProblem {
    /// The text is not strict RFC 8259 JSON (or a number overflows `f64`).
    Syntax,
    /// An object contains the same key twice (compared after unescaping).
    DuplicateKey,
    /// More than 32 arrays and objects are nested.
    TooDeep,
    /// The top-level value is valid JSON but not an object.
    NotAnObject,
    /// The top-level `watermark` member is not
    /// `{"appid": string, "timestamp": integer, ..}`.
    BadWatermark,
    /// The target type refused the data (a missing field, a wrong type, an
    /// invalid value).
    Shape,
}

impl fmt::Display for JsonProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Syntax => "not JSON",
            Self::DuplicateKey => "a key appears twice in one object",
            Self::TooDeep => "nested too deeply",
            Self::NotAnObject => "not a JSON object",
            Self::BadWatermark => {
                "the watermark is not {\"appid\": string, \"timestamp\": integer}"
            }
            Self::Shape => "a field has the wrong type or an invalid value",
        })
    }
}

impl std::error::Error for JsonProblem {}

impl de::Error for JsonProblem {
    /// Drops `msg`: serde messages can quote plaintext values.
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Self::Shape
    }
}

/// Maximum number of nested arrays/objects (the top-level object counts as 1).
///
/// WeChat's payloads nest three levels at most (WeRun: object, array,
/// object). 32 leaves room for user types while keeping the stack that a
/// hostile payload can make a target type use small, even in debug builds of
/// recursive targets such as `serde_json::Value`.
pub(crate) const MAX_DEPTH: usize = 32;

/// Parses `text` as one JSON object into `T` in a single pass, also capturing
/// the top-level `"watermark"` member if present.
///
/// # Errors
///
/// Returns a [`JsonProblem`] if `text` is not a strict JSON object, has
/// duplicate keys, nests too deeply, has a malformed top-level watermark, or
/// does not fit `T`.
pub(crate) fn parse<'de, T: de::Deserialize<'de>>(
    text: &'de str,
) -> Result<(T, Option<WatermarkRef<'de>>), JsonProblem> {
    let result = parse_on(text, Paths::ALL);
    // Under the fuzzer, every text is also read by the general parser alone
    // and with the template path but no layout, and the readings must agree
    // (the values are compared by the tests, which know their types).
    #[cfg(fuzzing)]
    {
        assert_same_outcome(&result, &parse_on::<T>(text, Paths::GENERAL));
        assert_same_outcome(&result, &parse_on::<T>(text, Paths::TEMPLATE));
        // And whatever `T` is, the text as the payload types that can take
        // a layout, values compared too.
        assert_same_values::<crate::PhoneNumber>(text);
        assert_same_values::<crate::UserInfo>(text);
    }
    result
}

/// Panics unless `text` read as `T` on each set of paths gives the same
/// outcome and, where it succeeds, the same value.
#[cfg(any(test, fuzzing))]
pub(crate) fn assert_same_values<'de, T>(text: &'de str)
where
    T: de::Deserialize<'de> + PartialEq + fmt::Debug,
{
    let all = parse_on::<T>(text, Paths::ALL);
    for paths in [Paths::TEMPLATE, Paths::GENERAL] {
        let other = parse_on::<T>(text, paths);
        assert_same_outcome(&all, &other);
        if let (Ok((a, _)), Ok((b, _))) = (&all, &other) {
            assert_eq!(a, b, "the paths' values differ");
        }
    }
}

/// Which fast paths a parse may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paths {
    /// The template path for compact top-level objects (`template.rs`).
    pub(crate) template: bool,
    /// The literal-layout path for the types that name one (`layout.rs`).
    pub(crate) layout: bool,
}

impl Paths {
    /// Every fast path: what the decrypt path uses.
    pub(crate) const ALL: Self = Self {
        template: true,
        layout: true,
    };
    /// The general parser alone.
    #[cfg(any(test, fuzzing))]
    pub(crate) const GENERAL: Self = Self {
        template: false,
        layout: false,
    };
    /// The template path, no layout.
    #[cfg(any(test, fuzzing))]
    pub(crate) const TEMPLATE: Self = Self {
        template: true,
        layout: false,
    };
}

/// [`parse`], with every fast path allowed (`fast`) or none.
#[cfg(test)]
pub(crate) fn parse_with<'de, T: de::Deserialize<'de>>(
    text: &'de str,
    fast: bool,
) -> Result<(T, Option<WatermarkRef<'de>>), JsonProblem> {
    parse_on(text, if fast { Paths::ALL } else { Paths::GENERAL })
}

/// [`parse`], on the fast paths `paths` allows.
pub(crate) fn parse_on<'de, T: de::Deserialize<'de>>(
    text: &'de str,
    paths: Paths,
) -> Result<(T, Option<WatermarkRef<'de>>), JsonProblem> {
    let mut parser = Parser::new(text);
    parser.fast = paths.template;
    parser.layouts = paths.layout;
    match parser.peek_ws() {
        Some(b'{') => {}
        Some(b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
            return Err(JsonProblem::NotAnObject);
        }
        _ => return Err(JsonProblem::Syntax),
    }
    let value = match T::deserialize(&mut parser) {
        Ok(value) => value,
        // Report our own error even if `T` swallowed it and failed later.
        Err(e) => return Err(parser.poison.unwrap_or(e)),
    };
    if let Some(kind) = parser.poison {
        // `T` swallowed one of our errors; the position may be inconsistent.
        return Err(kind);
    }
    if parser.depth != 0 {
        // `T` swallowed an error from inside a container.
        return Err(JsonProblem::Shape);
    }
    if parser.peek_ws().is_some() {
        return Err(JsonProblem::Syntax);
    }
    Ok((value, parser.watermark.take()))
}

/// Panics unless the two readings of one text both fail with the same
/// problem or both succeed with the same watermark.
#[cfg(any(test, fuzzing))]
pub(crate) fn assert_same_outcome<T>(
    fast: &Result<(T, Option<WatermarkRef<'_>>), JsonProblem>,
    general: &Result<(T, Option<WatermarkRef<'_>>), JsonProblem>,
) {
    match (fast, general) {
        (Ok((_, a)), Ok((_, b))) => assert_eq!(a, b, "the two paths' watermarks differ"),
        (Err(a), Err(b)) => assert_eq!(a, b, "the two paths fail differently"),
        (a, b) => panic!(
            "one path accepts, the other refuses: fast {:?}, general {:?}",
            a.as_ref().err(),
            b.as_ref().err()
        ),
    }
}
