//! The fast path for the shape WeChat actually sends: a compact top-level
//! object (no whitespace) whose keys have no escapes and whose values are
//! escape-free strings, unsigned integers, or the canonical watermark.
//!
//! [`Parser::scan_template`] reads such a text once, checking everything the
//! general parser would check (syntax, duplicate keys, the watermark), and
//! records where each member ends; it gives up at the first byte that does
//! not fit, and the general parser then reads the text from the start. Only
//! a text that passed the scan reaches [`Parser::visit_template`], which
//! hands the target's visitor exactly the calls the general
//! [`ObjectAccess`](super::access::ObjectAccess) would make on it: the same
//! keys, each string value borrowed from the input, numbers and the
//! watermark read by the general parser itself. So both paths accept the
//! same texts with the same results (`tests/template.rs` and the `json_paths`
//! fuzz target compare them); this one only skips the whitespace handling,
//! the second look at each key and the per-call bookkeeping.

use serde::de::{self, DeserializeSeed, Visitor};

use super::JsonProblem;
use super::access::KeyDeserializer;
use super::number::quick_u64;
use super::read::{Parser, plain_end};
use super::string::Str;
use super::watermark::WATERMARK;
use crate::validation::WatermarkRef;

/// The most members the fast path reads; a larger object takes the general
/// path. WeChat's payloads have at most ten.
pub(super) const MAX_MEMBERS: usize = 16;

#[cfg(test)]
thread_local! {
    /// How often this thread's scans compared a key with the earlier ones
    /// (the tests check that WeChat's keys never need it).
    pub(super) static COMPARISONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// How many template scans this thread started (the tests check that
    /// only top-level objects are scanned).
    pub(super) static SCANS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// [`WATERMARK`] as a fixed-size array: compared with a key in two word
/// comparisons instead of a call to `bcmp`.
const WATERMARK_BYTES: &[u8; 9] = match WATERMARK.as_bytes().first_chunk() {
    Some(bytes) if WATERMARK.len() == 9 => bytes,
    _ => panic!("WATERMARK has 9 bytes"),
};

/// A bit of a `u64` chosen by the length and the first byte of `key`: a
/// cheaper hash than `KeySet`'s, which spreads WeChat's keys as well.
#[inline]
fn key_bit(key: &[u8]) -> u64 {
    let first = key.first().map_or(0, |&b| usize::from(b));
    1 << ((key.len() ^ first.wrapping_mul(7)) & 63)
}

/// Where the members of a scanned object end: for member `i`, the index of
/// its key's closing quote and the index just after its value. Its key
/// starts two bytes after the previous value's end (after `{"` or `,"`) and
/// its value two bytes after the key's quote (after `":`).
pub(super) struct Template<'de> {
    /// `(key end, value end)` of each member.
    ends: [(u32, u32); MAX_MEMBERS],
    /// Number of members.
    len: usize,
    /// The watermark, if the object has one, with its value's span.
    watermark: Option<(WatermarkRef<'de>, usize, usize)>,
}

impl Template<'_> {
    /// A template with no member.
    pub(super) const fn new() -> Self {
        Self {
            ends: [(0, 0); MAX_MEMBERS],
            len: 0,
            watermark: None,
        }
    }
}

impl<'de> Parser<'de> {
    /// Scans the object at the cursor (at depth 0) into `template` (which
    /// must be empty); `None` when any byte does not fit (the general parser
    /// then judges the text), a duplicate key included. Filled in place, so
    /// that the caller's frame holds the only copy.
    #[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
    #[inline(always)]
    pub(super) fn scan_template(&self, template: &mut Template<'de>) -> Option<()> {
        #[cfg(test)]
        SCANS.with(|count| count.set(count.get() + 1));
        let bytes = self.bytes;
        // The positions are held as `u32`.
        u32::try_from(bytes.len()).ok()?;
        // One bit per key (of its length and first byte): a key whose bit
        // is clear is new without comparing it with the others.
        let mut bloom = 0u64;
        // The `{` is at the cursor; each member starts with `"`.
        let mut at = self.pos + 1;
        loop {
            if bytes.get(at) != Some(&b'"') {
                return None;
            }
            let key_end = plain_end(bytes, at + 1);
            if bytes.get(key_end..key_end + 2) != Some(b"\":") {
                return None;
            }
            // The key's bytes: a `&str` only when it is handed out.
            let key = bytes.get(at + 1..key_end)?;
            let bit = key_bit(key);
            if bloom & bit != 0 && self.template_has_key(template, key) {
                return None;
            }
            bloom |= bit;
            let value = key_end + 2;
            let end = if <&[u8; 9]>::try_from(key).ok() == Some(WATERMARK_BYTES) {
                let (watermark, end) = self.quick_watermark(value)?;
                template.watermark = Some((watermark, value, end));
                end
            } else {
                match bytes.get(value) {
                    Some(b'"') => {
                        let close = plain_end(bytes, value + 1);
                        if bytes.get(close) != Some(&b'"') {
                            return None;
                        }
                        close + 1
                    }
                    Some(b'0'..=b'9') => value + quick_u64(bytes.get(value..)?)?.1,
                    _ => return None,
                }
            };
            #[allow(clippy::cast_possible_truncation)] // checked above
            let slot = (key_end as u32, end as u32);
            *template.ends.get_mut(template.len)? = slot;
            template.len += 1;
            match bytes.get(end) {
                Some(b',') => at = end + 1,
                // The text must end with the object.
                Some(b'}') if end + 1 == bytes.len() => return Some(()),
                _ => return None,
            }
        }
    }

    /// Whether one of the members scanned so far into `template` (from the
    /// object at the cursor) has the key `key`.
    #[cold]
    fn template_has_key(&self, template: &Template<'de>, key: &[u8]) -> bool {
        #[cfg(test)]
        COMPARISONS.with(|count| count.set(count.get() + 1));
        let mut start = self.pos + 2;
        for &(key_end, end) in template.ends.iter().take(template.len) {
            if self.bytes.get(start..key_end as usize) == Some(key) {
                return true;
            }
            start = end as usize + 2;
        }
        false
    }

    /// Hands the scanned object at the cursor to `visitor`, leaving the
    /// cursor after it; what `visit_object` does for the same text.
    pub(super) fn visit_template<V: Visitor<'de>>(
        &mut self,
        template: &Template<'de>,
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        self.enter()?;
        let open = self.pos;
        let mut access = TemplateAccess {
            parser: self,
            template,
            next: 0,
            key_start: open + 2,
            value_pending: false,
        };
        let value = visitor.visit_map(&mut access)?;
        // Stopping early, or after a key, is refused as `visit_object`
        // refuses it (no `}` follows).
        if access.value_pending || access.next != template.len {
            return Err(JsonProblem::Shape);
        }
        self.pos = self.bytes.len();
        self.leave();
        Ok(value)
    }
}

/// [`de::MapAccess`] over the members of a scanned [`Template`].
struct TemplateAccess<'a, 'p, 'de> {
    /// The shared parser (it reads numbers and the watermark).
    parser: &'p mut Parser<'de>,
    /// The scanned members.
    template: &'a Template<'de>,
    /// Index of the member whose key is next.
    next: usize,
    /// Where the next member's key starts.
    key_start: usize,
    /// Whether a key was handed out and its value is next.
    value_pending: bool,
}

impl<'de> de::MapAccess<'de> for TemplateAccess<'_, '_, 'de> {
    type Error = JsonProblem;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, JsonProblem> {
        if self.value_pending {
            return Err(JsonProblem::Shape);
        }
        let members = self.template.ends.get(..self.template.len);
        let Some(&(key_end, _)) = members.and_then(|m| m.get(self.next)) else {
            return Ok(None);
        };
        let key = self
            .parser
            .text
            .get(self.key_start..key_end as usize)
            .ok_or(JsonProblem::Syntax)?;
        self.value_pending = true;
        seed.deserialize(KeyDeserializer {
            key: Str::Borrowed(key),
        })
        .map(Some)
    }

    #[inline]
    fn next_value_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<T::Value, JsonProblem> {
        if !self.value_pending {
            return Err(JsonProblem::Shape);
        }
        let (key_end, end) = self.template.ends[self.next];
        let (start, end) = (key_end as usize + 2, end as usize);
        self.value_pending = false;
        self.next += 1;
        self.key_start = end + 2;
        if self.parser.bytes.get(start) == Some(&b'"') {
            return self.parser.plain_value(seed, start, end);
        }
        // A number or the watermark.
        self.parser
            .parsed_value(seed, start, self.template.watermark.as_ref())
    }
}

impl<'de> Parser<'de> {
    /// Hands `seed` the escape-free string value whose quotes are at
    /// `start` and `end - 1`, borrowed from the input: what the two fast
    /// paths' map accesses give for a string.
    #[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
    #[inline(always)]
    pub(super) fn plain_value<T: DeserializeSeed<'de>>(
        &self,
        seed: T,
        start: usize,
        end: usize,
    ) -> Result<T::Value, JsonProblem> {
        let text = self
            .text
            .get(start + 1..end - 1)
            .ok_or(JsonProblem::Syntax)?;
        seed.deserialize(PlainStr(text))
    }

    /// Hands `seed` the value at `start` read by the general parser, as
    /// `ObjectAccess` reads a number or the watermark; when `captured` is
    /// the watermark and starts there, it is already captured and its value
    /// is jumped over.
    #[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
    #[inline(always)]
    pub(super) fn parsed_value<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
        start: usize,
        captured: Option<&(WatermarkRef<'de>, usize, usize)>,
    ) -> Result<T::Value, JsonProblem> {
        self.pos = start;
        if let Some((watermark, from, to)) = captured
            && *from == start
        {
            self.watermark = Some(watermark.clone());
            self.jump = Some((*from, *to));
        }
        let result = seed.deserialize(&mut *self);
        self.jump = None;
        result
    }
}

/// Deserializer for an escape-free string value: what `&mut Parser` does
/// with a string at the cursor, without reading it again.
pub(super) struct PlainStr<'de>(pub(super) &'de str);

impl<'de> de::Deserializer<'de> for PlainStr<'de> {
    type Error = JsonProblem;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        visitor.visit_enum(KeyDeserializer {
            key: Str::Borrowed(self.0),
        })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}
