//! Strict, zero-copy JSON deserializer for decrypted mini-program payloads.
//!
//! The decrypted plaintext is attacker-influenced (CBC is unauthenticated), so
//! this parser accepts only RFC 8259 JSON, rejects duplicate keys in every
//! object, bounds nesting depth, never panics and never copies input text into
//! its errors. It drives a serde visitor directly in one pass and, while doing
//! so, captures the top-level `watermark` member for the caller.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::value::{BorrowedStrDeserializer, StrDeserializer};
use serde::de::{self, DeserializeSeed, Visitor};
use zeroize::Zeroize;

use crate::validation::WatermarkRef;

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
    let mut parser = Parser::new(text);
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

/// Name of the top-level member captured as [`WatermarkRef`].
const WATERMARK: &str = "watermark";

/// Bytes that end the fast scan of a string: control characters, `"` and `\`.
static STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = true;
        i += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Marks (high bit of each byte) the bytes of the little-endian word `word`
/// that stop a string scan; the lowest mark is always exact.
#[inline]
const fn stop_mask(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // `x ^ 0x02` maps the control characters onto 0x00..=0x1f and `"` onto
    // 0x20 (and nothing else below 0x21); `x ^ b'\\'` maps `\` onto 0.
    let low = word ^ (ONES * 0x02);
    let low = low.wrapping_sub(ONES * 0x21) & !low;
    let backslash = word ^ (ONES * b'\\' as u64);
    let backslash = backslash.wrapping_sub(ONES) & !backslash;
    (low | backslash) & HIGH
}

/// Index of the first byte at or after `from` that needs special handling
/// inside a string (see [`STRING_STOP`]), or `bytes.len()` if there is none.
#[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
#[inline(always)]
fn plain_end(bytes: &[u8], from: usize) -> usize {
    let Some(mut rest) = bytes.get(from..) else {
        return from;
    };
    while let Some((word, after)) = rest.split_first_chunk::<8>() {
        let mask = stop_mask(u64::from_le_bytes(*word));
        if mask != 0 {
            return bytes.len() - rest.len() + (mask.trailing_zeros() / 8) as usize;
        }
        rest = after;
    }
    plain_end_tail(bytes, bytes.len() - rest.len())
}

/// [`plain_end`] for the last (fewer than 8) bytes of `bytes`.
#[inline]
fn plain_end_tail(bytes: &[u8], from: usize) -> usize {
    let len = bytes.len();
    if let Some(last) = bytes.last_chunk::<8>()
        && let Some(skip) = from.checked_sub(len - 8)
        && skip < 8
    {
        // The last 8 bytes, shifted so that `from` is the lowest byte; the
        // `skip` bytes shifted in are zeros, which stop the scan at `len`.
        let mask = stop_mask(u64::from_le_bytes(*last) >> (skip * 8));
        return from + (mask.trailing_zeros() / 8) as usize;
    }
    let tail = bytes.get(from..).unwrap_or_default();
    from + tail
        .iter()
        .position(|&b| STRING_STOP[usize::from(b)])
        .unwrap_or(tail.len())
}

/// A JSON unsigned integer at the start of `digits` that fits `u64`, and its
/// length; `None` if there is none (a leading zero followed by a digit is
/// left for the caller to reject).
fn quick_u64(digits: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    let mut len = 0;
    if let Some(eight) = digits.first_chunk::<8>()
        && let Some(eight) = eight_digits(u64::from_le_bytes(*eight))
    {
        if digits.first() == Some(&b'0') {
            return None;
        }
        (value, len) = (eight, 8);
    }
    for &d in digits.get(len..).unwrap_or_default() {
        if !d.is_ascii_digit() {
            break;
        }
        if len == 1 && value == 0 {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
        len += 1;
    }
    (len > 0).then_some((value, len))
}

/// The value of the little-endian word `word` if its eight bytes are all
/// ASCII digits (the first byte is the most significant digit).
#[inline]
const fn eight_digits(word: u64) -> Option<u64> {
    const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    // Every byte is 0x30..=0x3f, and still below 0x40 after adding 6.
    let high = word & HIGH_NIBBLES;
    let high_plus_6 = word.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES;
    if high | (high_plus_6 >> 4) != 0x3333_3333_3333_3333 {
        return None;
    }
    let v = word & 0x0F0F_0F0F_0F0F_0F0F;
    let v = v.wrapping_mul(10 << 8 | 1) >> 8;
    let v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(100 << 16 | 1) >> 16;
    Some((v & 0x0000_FFFF_0000_FFFF).wrapping_mul(10_000 << 32 | 1) >> 32)
}

/// Number of ASCII digits starting at `from`.
#[inline]
fn digit_run(bytes: &[u8], from: usize) -> usize {
    bytes.get(from..).map_or(0, |rest| {
        rest.iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(rest.len())
    })
}

/// Value of four hex digits at `at`.
fn hex4(bytes: &[u8], at: usize) -> Result<u32, JsonProblem> {
    let quad = bytes.get(at..at + 4).ok_or(JsonProblem::Syntax)?;
    let mut value = 0u32;
    for &b in quad {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return Err(JsonProblem::Syntax),
        };
        value = (value << 4) | u32::from(digit);
    }
    Ok(value)
}

/// Decodes the escape whose letter is at `at` (just after the backslash).
///
/// Returns the character and the position just after the escape. Surrogate
/// pairs are combined; a lone or mis-ordered surrogate is a syntax error.
fn decode_escape(bytes: &[u8], at: usize) -> Result<(char, usize), JsonProblem> {
    let c = match bytes.get(at) {
        Some(b'"') => '"',
        Some(b'\\') => '\\',
        Some(b'/') => '/',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'n') => '\n',
        Some(b'r') => '\r',
        Some(b't') => '\t',
        Some(b'u') => {
            let high = hex4(bytes, at + 1)?;
            if !(0xD800..=0xDBFF).contains(&high) {
                // Lone low surrogates make `from_u32` fail.
                return char::from_u32(high)
                    .map(|c| (c, at + 5))
                    .ok_or(JsonProblem::Syntax);
            }
            if bytes.get(at + 5) != Some(&b'\\') || bytes.get(at + 6) != Some(&b'u') {
                return Err(JsonProblem::Syntax);
            }
            let low = hex4(bytes, at + 7)?;
            if !(0xDC00..=0xDFFF).contains(&low) {
                return Err(JsonProblem::Syntax);
            }
            let code = 0x1_0000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            return char::from_u32(code)
                .map(|c| (c, at + 11))
                .ok_or(JsonProblem::Syntax);
        }
        _ => return Err(JsonProblem::Syntax),
    };
    Ok((c, at + 1))
}

/// Buffer for unescaped strings, which may hold plaintext: its whole
/// capacity is wiped when it is dropped or outgrown.
#[derive(Default)]
struct Scratch(String);

impl Drop for Scratch {
    fn drop(&mut self) {
        // Skip the wipe (and its call) when nothing was ever allocated.
        if self.0.capacity() != 0 {
            self.0.zeroize();
        }
    }
}

impl Scratch {
    /// Appends `s`, moving to a larger buffer (and wiping the old one) if needed.
    fn push(&mut self, s: &str) {
        if self.0.capacity() - self.0.len() < s.len() {
            let wanted = self
                .0
                .len()
                .saturating_add(s.len())
                .max(self.0.capacity().saturating_mul(2))
                .max(64);
            let mut grown = Self(String::with_capacity(wanted));
            grown.0.push_str(&self.0);
            // The old buffer is wiped when `grown` drops.
            std::mem::swap(self, &mut grown);
        }
        self.0.push_str(s);
    }
}

/// A parsed JSON number, classified like `serde_json::Value` does.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Number {
    /// A non-negative integer that fits `u64`.
    U64(u64),
    /// A negative integer that fits `i64`.
    I64(i64),
    /// Anything else (fraction, exponent, out of range, or `-0`).
    F64(f64),
}

impl Number {
    /// Hands the number to `visitor`.
    fn visit<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        match self {
            Self::U64(v) => visitor.visit_u64(v),
            Self::I64(v) => visitor.visit_i64(v),
            Self::F64(v) => visitor.visit_f64(v),
        }
    }
}

/// Parses the strict JSON number starting at `start`; returns it and its end.
fn scan_number(text: &str, start: usize) -> Result<(Number, usize), JsonProblem> {
    let bytes = text.as_bytes();
    let mut i = start;
    let negative = bytes.get(i) == Some(&b'-');
    if negative {
        i += 1;
    }
    let mut value = 0u64;
    let mut float = false;
    match bytes.get(i) {
        Some(b'0') => {
            i += 1;
            if bytes.get(i).is_some_and(u8::is_ascii_digit) {
                return Err(JsonProblem::Syntax);
            }
        }
        Some(&first @ b'1'..=b'9') => {
            value = u64::from(first - b'0');
            i += 1;
            while let Some(&d) = bytes.get(i)
                && d.is_ascii_digit()
            {
                match value
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(d - b'0')))
                {
                    Some(v) => value = v,
                    None => float = true,
                }
                i += 1;
            }
        }
        _ => return Err(JsonProblem::Syntax),
    }
    if bytes.get(i) == Some(&b'.') {
        let digits = digit_run(bytes, i + 1);
        if digits == 0 {
            return Err(JsonProblem::Syntax);
        }
        i += 1 + digits;
        float = true;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let digits = digit_run(bytes, i);
        if digits == 0 {
            return Err(JsonProblem::Syntax);
        }
        i += digits;
        float = true;
    }
    let number = if !float && !negative {
        Number::U64(value)
    } else if !float && value == 0 {
        // serde_json reads `-0` as the float -0.0.
        Number::F64(-0.0)
    } else if let Some(v) = (!float).then(|| 0i64.checked_sub_unsigned(value)).flatten() {
        Number::I64(v)
    } else {
        let parsed: f64 = text
            .get(start..i)
            .ok_or(JsonProblem::Syntax)?
            .parse()
            .map_err(|_| JsonProblem::Syntax)?;
        if !parsed.is_finite() {
            return Err(JsonProblem::Syntax);
        }
        Number::F64(parsed)
    };
    Ok((number, i))
}

/// A decoded JSON string: borrowed from the input, or unescaped into scratch.
#[derive(Debug, Clone, Copy)]
enum Str<'de, 's> {
    /// No escapes: a slice of the input.
    Borrowed(&'de str),
    /// Had escapes: a slice of the parser's scratch buffer.
    Copied(&'s str),
}

impl Str<'_, '_> {
    /// The decoded text.
    fn as_str(&self) -> &str {
        match *self {
            Str::Borrowed(s) | Str::Copied(s) => s,
        }
    }
}

/// Keys of objects with at most this many unescaped keys are tracked without
/// allocating.
const INLINE_KEYS: usize = 16;

/// Set of the keys seen so far in one object, for duplicate detection.
///
/// Lives in every object's recursion frame, so it is kept small: the hash
/// set is boxed and only created for large objects or escaped keys.
struct KeySet<'de> {
    /// Bit [`key_bit`] of every key in `inline`: a key whose bit is clear is
    /// new, without comparing it to the others.
    bloom: u64,
    /// The first keys, while all are borrowed and there are few.
    inline: [&'de str; INLINE_KEYS],
    /// Number of used slots in `inline`.
    len: usize,
    /// All keys, once an escaped key or too many keys were seen.
    spill: Option<Box<SpilledKeys<'de>>>,
}

/// Hash set of keys; copied (escaped) keys are wiped when it drops.
#[derive(Default)]
struct SpilledKeys<'de> {
    /// The keys.
    set: HashSet<Cow<'de, str>>,
    /// Whether `set` holds copied keys.
    owns_keys: bool,
}

impl Drop for SpilledKeys<'_> {
    fn drop(&mut self) {
        if self.owns_keys {
            for key in self.set.drain() {
                if let Cow::Owned(mut key) = key {
                    key.zeroize();
                }
            }
        }
    }
}

/// A hash of `key` (its length and its first and last bytes) as one bit
/// of a `u64`.
#[inline]
fn key_bit(key: &str) -> u64 {
    let bytes = key.as_bytes();
    let byte = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
    let len = bytes.len();
    let mix = (len as u64) | byte(0) << 16 | byte(len.wrapping_sub(1)) << 24;
    1 << (mix.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
}

impl<'de> KeySet<'de> {
    /// An empty set.
    #[inline]
    fn new() -> Self {
        Self {
            bloom: 0,
            inline: [""; INLINE_KEYS],
            len: 0,
            spill: None,
        }
    }

    /// Records `key`, failing if it was already seen.
    #[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
    #[inline(always)]
    fn insert(&mut self, key: &Str<'de, '_>) -> Result<(), JsonProblem> {
        match *key {
            Str::Borrowed(key) => self.insert_borrowed(key),
            Str::Copied(key) => self.spill().insert_copy(key),
        }
    }

    /// Records a key borrowed from the input, failing if it was already seen.
    #[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
    #[inline(always)]
    fn insert_borrowed(&mut self, key: &'de str) -> Result<(), JsonProblem> {
        if let Some(spilled) = &mut self.spill {
            return spilled.insert(key);
        }
        let len = self.len;
        let bit = key_bit(key);
        if self.bloom & bit != 0 {
            let Some(seen) = self.inline.get(..len) else {
                return Err(JsonProblem::DuplicateKey);
            };
            for &other in seen {
                if other.len() == key.len() && other == key {
                    return Err(JsonProblem::DuplicateKey);
                }
            }
        }
        match self.inline.get_mut(len) {
            Some(slot) => {
                *slot = key;
                self.len = len + 1;
                self.bloom |= bit;
                Ok(())
            }
            None => self.spill().insert(key),
        }
    }

    /// The hash set, created from the inline keys on first use.
    #[cold]
    fn spill(&mut self) -> &mut SpilledKeys<'de> {
        let inline = &self.inline[..];
        let len = self.len;
        self.spill.get_or_insert_with(|| {
            let mut spilled = Box::<SpilledKeys<'de>>::default();
            spilled.set.reserve(INLINE_KEYS * 2);
            spilled
                .set
                .extend(inline.iter().take(len).map(|&k| Cow::Borrowed(k)));
            spilled
        })
    }
}

impl<'de> SpilledKeys<'de> {
    /// Records a borrowed key, failing if it was already seen.
    fn insert(&mut self, key: &'de str) -> Result<(), JsonProblem> {
        if self.set.insert(Cow::Borrowed(key)) {
            Ok(())
        } else {
            Err(JsonProblem::DuplicateKey)
        }
    }

    /// Records a copy of an unescaped key, failing if it was already seen.
    fn insert_copy(&mut self, key: &str) -> Result<(), JsonProblem> {
        if self.set.contains(key) {
            return Err(JsonProblem::DuplicateKey);
        }
        self.set.insert(Cow::Owned(key.to_owned()));
        self.owns_keys = true;
        Ok(())
    }
}

/// Which watermark member a key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WatermarkField {
    /// `appid`.
    Appid,
    /// `timestamp`.
    Timestamp,
    /// Anything else (ignored).
    Other,
}

/// The deserializer state: the input and a cursor into it.
struct Parser<'de> {
    /// The whole input.
    text: &'de str,
    /// `text` as bytes.
    bytes: &'de [u8],
    /// Index of the next unread byte (always `<= bytes.len()`).
    pos: usize,
    /// Number of currently open arrays/objects.
    depth: usize,
    /// Unescaped text of the last escaped string; wiped on drop.
    scratch: Scratch,
    /// The captured top-level watermark.
    watermark: Option<WatermarkRef<'de>>,
    /// `(start, end)` of the already-validated watermark value, so that
    /// `deserialize_ignored_any` can jump over it.
    jump: Option<(usize, usize)>,
    /// First non-`Shape` error handed to the target type, if any.
    poison: Option<JsonProblem>,
}

impl fmt::Debug for Parser<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the input.
        f.debug_struct("Parser")
            .field("pos", &self.pos)
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

impl<'de> Parser<'de> {
    /// A parser at the start of `text`.
    fn new(text: &'de str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
            scratch: Scratch::default(),
            watermark: None,
            jump: None,
            poison: None,
        }
    }

    /// Records the first error (other than a visitor's `Shape`) handed back
    /// to the target type, in case it swallows it.
    #[inline]
    fn track<T>(&mut self, result: Result<T, JsonProblem>) -> Result<T, JsonProblem> {
        if let Err(e) = &result
            && *e != JsonProblem::Shape
            && self.poison.is_none()
        {
            self.poison = Some(*e);
        }
        result
    }

    /// Skips whitespace and returns the next byte.
    #[inline]
    fn peek_ws(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// Skips whitespace, a `:` and more whitespace.
    #[inline]
    fn colon(&mut self) -> Result<(), JsonProblem> {
        // Compact JSON: `:` right after the key, value right after it.
        if self.peek() != Some(b':') && self.peek_ws() != Some(b':') {
            return Err(JsonProblem::Syntax);
        }
        self.pos += 1;
        self.peek_ws();
        Ok(())
    }

    /// Consumes the literal `lit` (`true`, `false` or `null`).
    fn literal(&mut self, lit: &[u8]) -> Result<(), JsonProblem> {
        if self
            .bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(lit))
        {
            self.pos += lit.len();
            Ok(())
        } else {
            Err(JsonProblem::Syntax)
        }
    }

    /// Opens an array/object level.
    #[inline]
    fn enter(&mut self) -> Result<(), JsonProblem> {
        if self.depth >= MAX_DEPTH {
            return Err(JsonProblem::TooDeep);
        }
        self.depth += 1;
        Ok(())
    }

    /// Closes an array/object level.
    #[inline]
    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Parses the number at the cursor.
    #[inline]
    fn parse_number(&mut self) -> Result<Number, JsonProblem> {
        let (number, end) = scan_number(self.text, self.pos)?;
        self.pos = end;
        Ok(number)
    }

    /// Parses the string whose opening quote is at the cursor.
    #[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
    #[inline(always)]
    fn parse_str(&mut self) -> Result<Str<'de, '_>, JsonProblem> {
        let bytes = self.bytes;
        let start = self.pos + 1;
        let i = plain_end(bytes, start);
        match bytes.get(i) {
            Some(b'"') => {
                self.pos = i + 1;
                return self
                    .text
                    .get(start..i)
                    .map(Str::Borrowed)
                    .ok_or(JsonProblem::Syntax);
            }
            Some(b'\\') => {}
            _ => return Err(JsonProblem::Syntax),
        }
        self.parse_escaped_str(start, i)
    }

    /// Slow path of [`Self::parse_str`]: the string starting at `start` has
    /// an escape at `i`; unescape it into the scratch buffer.
    #[inline(never)]
    fn parse_escaped_str(
        &mut self,
        start: usize,
        mut i: usize,
    ) -> Result<Str<'de, '_>, JsonProblem> {
        let bytes = self.bytes;
        self.scratch.0.clear();
        self.scratch
            .push(self.text.get(start..i).ok_or(JsonProblem::Syntax)?);
        loop {
            match bytes.get(i) {
                Some(b'"') => break,
                Some(b'\\') => {
                    let (c, next) = decode_escape(bytes, i + 1)?;
                    self.scratch.push(c.encode_utf8(&mut [0; 4]));
                    i = next;
                }
                _ => return Err(JsonProblem::Syntax),
            }
            let run_start = i;
            i = plain_end(bytes, i);
            self.scratch
                .push(self.text.get(run_start..i).ok_or(JsonProblem::Syntax)?);
        }
        self.pos = i + 1;
        Ok(Str::Copied(self.scratch.0.as_str()))
    }

    /// Validates and skips the string whose opening quote is at the cursor.
    fn skip_str(&mut self) -> Result<(), JsonProblem> {
        let bytes = self.bytes;
        let mut i = self.pos + 1;
        loop {
            i = plain_end(bytes, i);
            match bytes.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(());
                }
                Some(b'\\') => i = decode_escape(bytes, i + 1)?.1,
                _ => return Err(JsonProblem::Syntax),
            }
        }
    }

    /// Parses an object key (after optional whitespace) and records it in
    /// `keys`; returns whether it is `"watermark"`.
    #[inline]
    fn key_into(&mut self, keys: &mut KeySet<'de>) -> Result<bool, JsonProblem> {
        if self.peek_ws() != Some(b'"') {
            return Err(JsonProblem::Syntax);
        }
        let key = self.parse_str()?;
        keys.insert(&key)?;
        Ok(key.as_str() == WATERMARK)
    }

    /// After a member/element: consumes `,` (returns `true`) or `close`
    /// (returns `false`).
    #[inline]
    fn separator(&mut self, close: u8) -> Result<bool, JsonProblem> {
        match self.peek_ws() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(false)
            }
            _ => Err(JsonProblem::Syntax),
        }
    }

    /// Validates and skips one value, checking duplicate keys and depth.
    fn skip_value(&mut self) -> Result<(), JsonProblem> {
        match self.peek_ws() {
            Some(b'"') => self.skip_str(),
            Some(b'{') => self.skip_object(),
            Some(b'[') => self.skip_array(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.parse_number().map(drop),
            _ => Err(JsonProblem::Syntax),
        }
    }

    /// Skips the array whose `[` is at the cursor.
    fn skip_array(&mut self) -> Result<(), JsonProblem> {
        self.enter()?;
        self.pos += 1;
        if self.peek_ws() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                self.skip_value()?;
                if !self.separator(b']')? {
                    break;
                }
            }
        }
        self.leave();
        Ok(())
    }

    /// Skips the object whose `{` is at the cursor (capturing the watermark
    /// if this is the top-level object).
    fn skip_object(&mut self) -> Result<(), JsonProblem> {
        self.enter()?;
        let top = self.depth == 1;
        self.pos += 1;
        if self.peek_ws() == Some(b'}') {
            self.pos += 1;
        } else {
            let mut keys = KeySet::new();
            loop {
                let is_watermark = self.key_into(&mut keys)?;
                self.colon()?;
                if top && is_watermark {
                    let watermark = self.read_watermark()?;
                    self.watermark = Some(watermark);
                } else {
                    self.skip_value()?;
                }
                if !self.separator(b'}')? {
                    break;
                }
            }
        }
        self.leave();
        Ok(())
    }

    /// Reads the watermark value at the cursor, leaving the cursor after it.
    fn read_watermark(&mut self) -> Result<WatermarkRef<'de>, JsonProblem> {
        if let Some((watermark, end)) = self.quick_watermark() {
            self.pos = end;
            return Ok(watermark);
        }
        self.parse_watermark()
    }

    /// Fast path for the two canonical compact watermarks,
    /// `{"timestamp":N,"appid":"S"}` and `{"appid":"S","timestamp":N}`, with
    /// no escapes in `S`. Returns the watermark and its end, or `None` for
    /// anything else, which [`Self::parse_watermark`] then judges.
    fn quick_watermark(&self) -> Option<(WatermarkRef<'de>, usize)> {
        const TIMESTAMP_FIRST: &[u8] = br#"{"timestamp":"#;
        const THEN_APPID: &[u8] = br#","appid":""#;
        const APPID_FIRST: &[u8] = br#"{"appid":""#;
        const THEN_TIMESTAMP: &[u8] = br#","timestamp":"#;
        let rest = self.bytes.get(self.pos..)?;
        let (appid, timestamp, len);
        if let Some(after) = rest.strip_prefix(TIMESTAMP_FIRST) {
            let (value, digits) = quick_u64(after)?;
            let after = after.get(digits..)?.strip_prefix(THEN_APPID)?;
            let (text, quoted) = self.quick_str(after)?;
            if after.get(quoted) != Some(&b'}') {
                return None;
            }
            (appid, timestamp) = (text, value);
            len = TIMESTAMP_FIRST.len() + digits + THEN_APPID.len() + quoted + 1;
        } else if let Some(after) = rest.strip_prefix(APPID_FIRST) {
            let (text, quoted) = self.quick_str(after)?;
            let after = after.get(quoted..)?.strip_prefix(THEN_TIMESTAMP)?;
            let (value, digits) = quick_u64(after)?;
            if after.get(digits) != Some(&b'}') {
                return None;
            }
            (appid, timestamp) = (text, value);
            len = APPID_FIRST.len() + quoted + THEN_TIMESTAMP.len() + digits + 1;
        } else {
            return None;
        }
        let watermark = WatermarkRef {
            appid: Cow::Borrowed(appid),
            timestamp,
        };
        Some((watermark, self.pos + len))
    }

    /// The escape-free string body at the start of `tail` (a suffix of the
    /// input) and the length including its closing quote.
    fn quick_str(&self, tail: &[u8]) -> Option<(&'de str, usize)> {
        let start = self.bytes.len() - tail.len();
        let end = plain_end(self.bytes, start);
        if self.bytes.get(end) != Some(&b'"') {
            return None;
        }
        Some((self.text.get(start..end)?, end - start + 1))
    }

    /// Parses the watermark value at the cursor, leaving the cursor after it.
    fn parse_watermark(&mut self) -> Result<WatermarkRef<'de>, JsonProblem> {
        if self.peek_ws() != Some(b'{') {
            return Err(JsonProblem::BadWatermark);
        }
        self.enter()?;
        self.pos += 1;
        let mut appid = None;
        let mut timestamp = None;
        if self.peek_ws() == Some(b'}') {
            self.pos += 1;
        } else {
            let mut keys = KeySet::new();
            loop {
                if self.peek_ws() != Some(b'"') {
                    return Err(JsonProblem::Syntax);
                }
                let key = self.parse_str()?;
                keys.insert(&key)?;
                let field = match key.as_str() {
                    "appid" => WatermarkField::Appid,
                    "timestamp" => WatermarkField::Timestamp,
                    _ => WatermarkField::Other,
                };
                self.colon()?;
                match field {
                    WatermarkField::Appid => {
                        if self.peek() != Some(b'"') {
                            return Err(JsonProblem::BadWatermark);
                        }
                        appid = Some(match self.parse_str()? {
                            Str::Borrowed(s) => Cow::Borrowed(s),
                            Str::Copied(s) => Cow::Owned(s.to_owned()),
                        });
                    }
                    WatermarkField::Timestamp => {
                        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
                            return Err(JsonProblem::BadWatermark);
                        }
                        match self.parse_number()? {
                            Number::U64(v) => timestamp = Some(v),
                            _ => return Err(JsonProblem::BadWatermark),
                        }
                    }
                    WatermarkField::Other => self.skip_value()?,
                }
                if !self.separator(b'}')? {
                    break;
                }
            }
        }
        self.leave();
        match (appid, timestamp) {
            (Some(appid), Some(timestamp)) => Ok(WatermarkRef { appid, timestamp }),
            _ => Err(JsonProblem::BadWatermark),
        }
    }

    /// Parses the watermark value at the cursor without moving the cursor,
    /// and remembers where it ends.
    #[cold]
    #[inline(never)]
    fn capture_watermark(&mut self) -> Result<(), JsonProblem> {
        let start = self.pos;
        let watermark = self.read_watermark()?;
        self.jump = Some((start, self.pos));
        self.pos = start;
        self.watermark = Some(watermark);
        Ok(())
    }

    /// The byte at the cursor.
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Hands the array at the cursor to `visitor`.
    #[inline(never)]
    fn visit_array<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, JsonProblem> {
        self.enter()?;
        self.pos += 1;
        let mut access = ArrayAccess {
            parser: self,
            state: SeqState::First,
        };
        let value = visitor.visit_seq(&mut access)?;
        let state = access.state;
        match state {
            SeqState::Done => {}
            SeqState::First | SeqState::More => {
                // The visitor stopped early: only `]` may follow.
                if self.peek_ws() != Some(b']') {
                    return Err(JsonProblem::Shape);
                }
                self.pos += 1;
            }
        }
        self.leave();
        Ok(value)
    }

    /// Hands the object at the cursor to `visitor`.
    ///
    /// Not inlined so that the key set lives only in object frames.
    #[inline(never)]
    fn visit_object<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, JsonProblem> {
        self.enter()?;
        self.pos += 1;
        let top = self.depth == 1;
        let mut access = ObjectAccess {
            parser: self,
            keys: KeySet::new(),
            state: MapState::First,
            top,
            watermark_next: false,
        };
        let value = visitor.visit_map(&mut access)?;
        let state = access.state;
        drop(access);
        match state {
            MapState::Done => {}
            MapState::Value => return Err(JsonProblem::Shape),
            MapState::First | MapState::More => {
                // The visitor stopped early: only `}` may follow.
                if self.peek_ws() != Some(b'}') {
                    return Err(JsonProblem::Shape);
                }
                self.pos += 1;
            }
        }
        self.leave();
        Ok(value)
    }

    /// Body of `deserialize_any`.
    #[inline]
    fn any<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, JsonProblem> {
        match self.peek_ws() {
            Some(b'"') => match self.parse_str()? {
                Str::Borrowed(s) => visitor.visit_borrowed_str(s),
                Str::Copied(s) => visitor.visit_str(s),
            },
            Some(b'{') => self.visit_object(visitor),
            Some(b'[') => self.visit_array(visitor),
            Some(b't') => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            Some(b'f') => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            Some(b'n') => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            Some(b'-' | b'0'..=b'9') => self.parse_number()?.visit(visitor),
            _ => Err(JsonProblem::Syntax),
        }
    }

    /// Body of `deserialize_enum`.
    fn enumeration<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, JsonProblem> {
        match self.peek_ws() {
            Some(b'"') => match self.parse_str()? {
                Str::Borrowed(s) => visitor.visit_enum(BorrowedStrDeserializer::new(s)),
                Str::Copied(s) => visitor.visit_enum(StrDeserializer::new(s)),
            },
            Some(b'{') => {
                self.enter()?;
                self.pos += 1;
                let value = visitor.visit_enum(VariantAccess { parser: self })?;
                match self.peek_ws() {
                    Some(b'}') => self.pos += 1,
                    Some(b',') => return Err(JsonProblem::Shape),
                    _ => return Err(JsonProblem::Syntax),
                }
                self.leave();
                Ok(value)
            }
            Some(b'[' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => Err(JsonProblem::Shape),
            _ => Err(JsonProblem::Syntax),
        }
    }

    /// Reads the `"Variant":` part of `{"Variant": value}`.
    fn variant_name<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, JsonProblem> {
        let (variant, is_watermark) = match self.peek_ws() {
            Some(b'"') => {
                let key = self.parse_str()?;
                let is_watermark = key.as_str() == WATERMARK;
                (seed.deserialize(KeyDeserializer { key })?, is_watermark)
            }
            Some(b'}') => return Err(JsonProblem::Shape),
            _ => return Err(JsonProblem::Syntax),
        };
        self.colon()?;
        if is_watermark && self.depth == 1 {
            self.capture_watermark()?;
        }
        Ok(variant)
    }

    /// Body of `deserialize_ignored_any`.
    fn ignore(&mut self) -> Result<(), JsonProblem> {
        self.peek_ws();
        if let Some((start, end)) = self.jump
            && start == self.pos
        {
            self.jump = None;
            self.pos = end;
            return Ok(());
        }
        self.skip_value()
    }
}

impl<'de> de::Deserializer<'de> for &mut Parser<'de> {
    type Error = JsonProblem;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        let result = self.any(visitor);
        self.track(result)
    }

    /// Fast path for the common case of a string where a string is wanted.
    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        let result = if self.peek_ws() == Some(b'"') {
            match self.parse_str() {
                Ok(Str::Borrowed(s)) => visitor.visit_borrowed_str(s),
                Ok(Str::Copied(s)) => visitor.visit_str(s),
                Err(e) => Err(e),
            }
        } else {
            self.any(visitor)
        };
        self.track(result)
    }

    #[inline]
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        let result = if self.peek_ws() == Some(b'n') {
            self.literal(b"null").and_then(|()| visitor.visit_none())
        } else {
            visitor.visit_some(&mut *self)
        };
        self.track(result)
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
        let result = self.enumeration(visitor);
        self.track(result)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        let result = self.ignore();
        self.track(result)?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// Progress through an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SeqState {
    /// No element read yet.
    First,
    /// At least one element read.
    More,
    /// The closing `]` was consumed.
    Done,
}

/// [`de::SeqAccess`] over the elements of one array.
#[derive(Debug)]
struct ArrayAccess<'a, 'de> {
    /// The shared parser.
    parser: &'a mut Parser<'de>,
    /// Progress so far.
    state: SeqState,
}

impl<'de> ArrayAccess<'_, 'de> {
    /// Body of `next_element_seed`.
    #[inline]
    fn next<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, JsonProblem> {
        match self.state {
            SeqState::Done => return Ok(None),
            SeqState::First => {
                if self.parser.peek_ws() == Some(b']') {
                    self.parser.pos += 1;
                    self.state = SeqState::Done;
                    return Ok(None);
                }
                self.state = SeqState::More;
            }
            SeqState::More => {
                if !self.parser.separator(b']')? {
                    self.state = SeqState::Done;
                    return Ok(None);
                }
            }
        }
        seed.deserialize(&mut *self.parser).map(Some)
    }
}

impl<'de> de::SeqAccess<'de> for ArrayAccess<'_, 'de> {
    type Error = JsonProblem;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, JsonProblem> {
        let result = self.next(seed);
        self.parser.track(result)
    }
}

/// Progress through an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MapState {
    /// No member read yet.
    First,
    /// A key was read; its value is next.
    Value,
    /// At least one member read.
    More,
    /// The closing `}` was consumed.
    Done,
}

/// [`de::MapAccess`] over the members of one object.
struct ObjectAccess<'a, 'de> {
    /// The shared parser.
    parser: &'a mut Parser<'de>,
    /// Keys seen so far.
    keys: KeySet<'de>,
    /// Progress so far.
    state: MapState,
    /// Whether this is the top-level object.
    top: bool,
    /// Whether the pending value is the top-level watermark.
    watermark_next: bool,
}

impl fmt::Debug for ObjectAccess<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectAccess")
            .field("state", &self.state)
            .field("top", &self.top)
            .finish_non_exhaustive()
    }
}

impl<'de> ObjectAccess<'_, 'de> {
    /// Body of `next_key_seed`.
    #[inline]
    fn next_key<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, JsonProblem> {
        match self.state {
            MapState::Done => return Ok(None),
            MapState::Value => return Err(JsonProblem::Shape),
            MapState::First => {
                if self.parser.peek_ws() == Some(b'}') {
                    self.parser.pos += 1;
                    self.state = MapState::Done;
                    return Ok(None);
                }
            }
            MapState::More => {
                if !self.parser.separator(b'}')? {
                    self.state = MapState::Done;
                    return Ok(None);
                }
            }
        }
        if self.parser.peek_ws() != Some(b'"') {
            return Err(JsonProblem::Syntax);
        }
        let key = self.parser.parse_str()?;
        self.keys.insert(&key)?;
        self.watermark_next = self.top && key.as_str() == WATERMARK;
        self.state = MapState::Value;
        seed.deserialize(KeyDeserializer { key }).map(Some)
    }

    /// Body of `next_value_seed`.
    #[inline]
    fn next_value<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, JsonProblem> {
        if self.state != MapState::Value {
            return Err(JsonProblem::Shape);
        }
        self.parser.colon()?;
        self.state = MapState::More;
        if self.watermark_next {
            self.watermark_next = false;
            self.parser.capture_watermark()?;
        }
        let result = seed.deserialize(&mut *self.parser);
        self.parser.jump = None;
        result
    }
}

impl<'de> de::MapAccess<'de> for ObjectAccess<'_, 'de> {
    type Error = JsonProblem;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, JsonProblem> {
        let result = self.next_key(seed);
        self.parser.track(result)
    }

    #[inline]
    fn next_value_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<T::Value, JsonProblem> {
        let result = self.next_value(seed);
        self.parser.track(result)
    }
}

/// [`de::EnumAccess`]/[`de::VariantAccess`] for the `{"Variant": value}` form.
#[derive(Debug)]
struct VariantAccess<'a, 'de> {
    /// The shared parser, just inside the `{`.
    parser: &'a mut Parser<'de>,
}

impl<'de> de::EnumAccess<'de> for VariantAccess<'_, 'de> {
    type Error = JsonProblem;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self), JsonProblem> {
        let result = self.parser.variant_name(seed);
        let variant = self.parser.track(result)?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for VariantAccess<'_, 'de> {
    type Error = JsonProblem;

    fn unit_variant(self) -> Result<(), JsonProblem> {
        de::Deserialize::deserialize(&mut *self.parser)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, JsonProblem> {
        seed.deserialize(&mut *self.parser)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        de::Deserializer::deserialize_seq(&mut *self.parser, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        de::Deserializer::deserialize_map(&mut *self.parser, visitor)
    }
}

/// Deserializer for an object key (always a JSON string).
#[derive(Debug)]
struct KeyDeserializer<'s, 'de> {
    /// The decoded key.
    key: Str<'de, 's>,
}

impl<'de> KeyDeserializer<'_, 'de> {
    /// Reads the key's text as a strict JSON number (for integer-keyed maps).
    fn number<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        let text = self.key.as_str();
        match scan_number(text, 0) {
            Ok((number, end)) if end == text.len() => number.visit(visitor),
            _ => Err(JsonProblem::Shape),
        }
    }
}

/// Implements `deserialize_$method` on [`KeyDeserializer`] via `number`.
macro_rules! key_numbers {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
                self.number(visitor)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for KeyDeserializer<'_, 'de> {
    type Error = JsonProblem;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        match self.key {
            Str::Borrowed(s) => visitor.visit_borrowed_str(s),
            Str::Copied(s) => visitor.visit_str(s),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        match self.key.as_str() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => Err(JsonProblem::Shape),
        }
    }

    key_numbers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64
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
        match self.key {
            Str::Borrowed(s) => visitor.visit_enum(BorrowedStrDeserializer::new(s)),
            Str::Copied(s) => visitor.visit_enum(StrDeserializer::new(s)),
        }
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map
        struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};
    use std::fmt::Write as _;

    use proptest::prelude::*;
    use serde::Deserialize;
    use serde::de::{IgnoredAny, MapAccess, SeqAccess};
    use serde_json::Value;

    use super::*;

    const PHONE: &str = r#"{"phoneNumber":"18017448610","purePhoneNumber":"18017448610","countryCode":"86","watermark":{"timestamp":1558787160,"appid":"wxdaa2ab9ef87b5497"}}"#;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(clippy::struct_field_names, reason = "mirrors the WeChat payload")]
    struct Phone {
        phone_number: String,
        pure_phone_number: String,
        country_code: String,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(clippy::struct_field_names, reason = "mirrors the WeChat payload")]
    struct PhoneWithWatermark {
        phone_number: String,
        pure_phone_number: String,
        country_code: String,
        watermark: OwnWatermark,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct OwnWatermark {
        appid: String,
        timestamp: u64,
    }

    fn expected_watermark() -> WatermarkRef<'static> {
        WatermarkRef {
            appid: Cow::Borrowed("wxdaa2ab9ef87b5497"),
            timestamp: 1_558_787_160,
        }
    }

    /// Parses into `Value` and `IgnoredAny`; both must succeed, agree on the
    /// watermark, and the `Value` must equal `serde_json`'s.
    fn accept(text: &str) -> (Value, Option<WatermarkRef<'_>>) {
        let (value, watermark) = parse::<Value>(text).expect("Value parse");
        let (IgnoredAny, skipped) = parse::<IgnoredAny>(text).expect("IgnoredAny parse");
        assert_eq!(watermark, skipped);
        let reference: Value = serde_json::from_str(text).expect("serde_json parse");
        assert!(same(&value, &reference), "{value} vs {reference}");
        (value, watermark)
    }

    /// Both the visiting and the skipping path must fail with `kind`.
    fn reject(text: &str, kind: JsonProblem) {
        assert_eq!(parse::<Value>(text).map(drop), Err(kind), "Value: {text:?}");
        assert_eq!(
            parse::<IgnoredAny>(text).map(drop),
            Err(kind),
            "IgnoredAny: {text:?}"
        );
    }

    /// Parses `{"v": <json>}` and returns the value of `v`.
    fn member(json: &str) -> Value {
        let text = format!(r#"{{"v":{json}}}"#);
        accept(&text).0["v"].clone()
    }

    /// `{"v": <json>}` must be rejected with `kind`.
    fn reject_member(json: &str, kind: JsonProblem) {
        reject(&format!(r#"{{"v":{json}}}"#), kind);
    }

    fn kind_of<'de, T: Deserialize<'de>>(text: &'de str) -> Option<JsonProblem> {
        parse::<T>(text).err()
    }

    // ---- payloads and watermark ------------------------------------------

    #[test]
    fn phone_payload_fills_struct_with_watermark_field_and_captures_watermark() {
        let (phone, watermark) = parse::<PhoneWithWatermark>(PHONE).unwrap();
        assert_eq!(phone.phone_number, "18017448610");
        assert_eq!(phone.pure_phone_number, "18017448610");
        assert_eq!(phone.country_code, "86");
        assert_eq!(
            phone.watermark,
            OwnWatermark {
                appid: "wxdaa2ab9ef87b5497".into(),
                timestamp: 1_558_787_160
            }
        );
        assert_eq!(watermark, Some(expected_watermark()));
    }

    #[test]
    fn phone_payload_into_struct_without_watermark_field_still_captures_watermark() {
        let (phone, watermark) = parse::<Phone>(PHONE).unwrap();
        assert_eq!(
            phone,
            Phone {
                phone_number: "18017448610".into(),
                pure_phone_number: "18017448610".into(),
                country_code: "86".into(),
            }
        );
        assert_eq!(watermark, Some(expected_watermark()));
    }

    #[test]
    fn watermark_is_captured_when_target_ignores_everything_or_keeps_everything() {
        let (value, watermark) = accept(PHONE);
        assert_eq!(watermark, Some(expected_watermark()));
        assert_eq!(value["watermark"]["appid"], "wxdaa2ab9ef87b5497");
    }

    #[test]
    fn watermark_is_captured_through_flatten_and_option_targets() {
        #[derive(Deserialize)]
        struct Flat {
            #[serde(rename = "countryCode")]
            country_code: String,
            #[serde(flatten)]
            rest: BTreeMap<String, Value>,
        }
        let (flat, watermark) = parse::<Flat>(PHONE).unwrap();
        assert_eq!(flat.country_code, "86");
        assert_eq!(flat.rest["watermark"]["timestamp"], 1_558_787_160);
        assert_eq!(watermark, Some(expected_watermark()));
        let (some, watermark) = parse::<Option<Phone>>(PHONE).unwrap();
        assert!(some.is_some());
        assert_eq!(watermark, Some(expected_watermark()));
    }

    #[test]
    fn watermark_is_captured_when_target_is_an_enum_keyed_by_watermark() {
        #[derive(Debug, Deserialize)]
        enum Top {
            #[serde(rename = "watermark")]
            Watermark(IgnoredAny),
        }
        let text = r#"{"watermark":{"appid":"a","timestamp":7}}"#;
        let (Top::Watermark(_), watermark) = parse::<Top>(text).unwrap();
        assert_eq!(watermark.unwrap().timestamp, 7);
    }

    #[test]
    fn payload_without_watermark_yields_no_watermark() {
        let (_, watermark) = accept(r#"{"phoneNumber":"1","countryCode":"86"}"#);
        assert_eq!(watermark, None);
        let (_, watermark) = accept("{}");
        assert_eq!(watermark, None);
    }

    #[test]
    fn nested_watermark_members_are_not_captured() {
        let (_, watermark) =
            accept(r#"{"x":{"watermark":{"appid":"a","timestamp":1}},"y":[{"watermark":1}]}"#);
        assert_eq!(watermark, None);
    }

    #[test]
    fn watermark_that_is_not_an_object_is_bad_watermark() {
        for json in [r#""wx""#, "null", "[]", "1", "true", r#"["appid"]"#] {
            reject(
                &format!(r#"{{"watermark":{json}}}"#),
                JsonProblem::BadWatermark,
            );
        }
    }

    #[test]
    fn watermark_missing_appid_or_timestamp_is_bad_watermark() {
        for json in [
            "{}",
            r#"{"appid":"a"}"#,
            r#"{"timestamp":1}"#,
            r#"{"Appid":"a","timestamp":1}"#,
        ] {
            reject(
                &format!(r#"{{"watermark":{json}}}"#),
                JsonProblem::BadWatermark,
            );
        }
    }

    #[test]
    fn watermark_appid_must_be_a_string() {
        for appid in ["1", "null", "[]", "{}", "true"] {
            let text = format!(r#"{{"watermark":{{"appid":{appid},"timestamp":1}}}}"#);
            reject(&text, JsonProblem::BadWatermark);
        }
    }

    #[test]
    fn watermark_timestamp_must_be_a_plain_unsigned_integer() {
        for timestamp in [
            "-1",
            "-0",
            "1.0",
            "1e3",
            "0.5",
            "18446744073709551616",
            r#""1558787160""#,
            "null",
            "[1]",
        ] {
            let text = format!(r#"{{"watermark":{{"appid":"a","timestamp":{timestamp}}}}}"#);
            reject(&text, JsonProblem::BadWatermark);
        }
    }

    #[test]
    fn watermark_timestamp_accepts_zero_and_u64_max() {
        for (json, expected) in [("0", 0), ("18446744073709551615", u64::MAX)] {
            let text = format!(r#"{{"watermark":{{"timestamp":{json},"appid":"a"}}}}"#);
            let (_, watermark) = accept(&text);
            assert_eq!(watermark.unwrap().timestamp, expected);
        }
    }

    #[test]
    fn watermark_unknown_members_are_ignored_but_validated() {
        let text = r#"{"watermark":{"x":[1,{"y":null}],"appid":"a","timestamp":2,"z":"q"}}"#;
        let (_, watermark) = accept(text);
        assert_eq!(
            watermark,
            Some(WatermarkRef {
                appid: Cow::Borrowed("a"),
                timestamp: 2
            })
        );
        reject(
            r#"{"watermark":{"x":{"y":1,"y":2},"appid":"a","timestamp":2}}"#,
            JsonProblem::DuplicateKey,
        );
        reject(
            r#"{"watermark":{"x":01,"appid":"a","timestamp":2}}"#,
            JsonProblem::Syntax,
        );
    }

    #[test]
    fn watermark_duplicate_member_is_rejected() {
        for text in [
            r#"{"watermark":{"appid":"a","appid":"b","timestamp":1}}"#,
            r#"{"watermark":{"appid":"a","timestamp":1,"timestamp":1}}"#,
            r#"{"watermark":{"appid":"a","\u0061ppid":"a","timestamp":1}}"#,
        ] {
            reject(text, JsonProblem::DuplicateKey);
        }
    }

    #[test]
    fn duplicate_top_level_watermark_is_rejected() {
        let one = r#"{"appid":"a","timestamp":1}"#;
        reject(
            &format!(r#"{{"watermark":{one},"watermark":{one}}}"#),
            JsonProblem::DuplicateKey,
        );
        reject(
            &format!(r#"{{"watermark":{one},"w\u0061termark":{one}}}"#),
            JsonProblem::DuplicateKey,
        );
    }

    #[test]
    fn watermark_with_escapes_is_decoded_into_an_owned_appid() {
        let text = r#"{"w\u0061termark":{"\u0061ppid":"wx\u0041\/b","timestamp":5}}"#;
        let (_, watermark) = accept(text);
        let watermark = watermark.unwrap();
        assert_eq!(watermark.appid, "wxA/b");
        assert!(matches!(watermark.appid, Cow::Owned(_)));
        let (_, plain) = parse::<Phone>(PHONE).unwrap();
        assert!(matches!(plain.unwrap().appid, Cow::Borrowed(_)));
    }

    #[test]
    fn compact_and_spaced_watermarks_are_judged_alike() {
        // Compact forms may take the fast path; a space after `{` forces the
        // general one. Both must agree on every input.
        let cases = [
            r#"{"timestamp":1558787160,"appid":"wxdaa2ab9ef87b5497"}"#,
            r#"{"appid":"wx","timestamp":0}"#,
            r#"{"timestamp":18446744073709551615,"appid":""}"#,
            r#"{"timestamp":18446744073709551616,"appid":"a"}"#,
            r#"{"appid":"a","timestamp":99999999999999999999}"#,
            r#"{"timestamp":01,"appid":"a"}"#,
            r#"{"appid":"a","timestamp":00}"#,
            r#"{"timestamp":1.5,"appid":"a"}"#,
            r#"{"timestamp":1e3,"appid":"a"}"#,
            r#"{"timestamp":-1,"appid":"a"}"#,
            r#"{"timestamp":1,"appid":"aA"}"#,
            r#"{"timestamp":1,"appid":"a","x":1}"#,
            r#"{"appid":"a","timestamp":1,"appid":"b"}"#,
            r#"{"timestamp":1,"appid":"a"}"#,
            r#"{"timestamp":1,"appid":"a"#,
            r#"{"timestamp":1,"appid":"a"]"#,
        ];
        for case in cases {
            let spaced = case.replacen('{', "{ ", 1);
            let compact = format!(r#"{{"watermark":{case}}}"#);
            let general = format!(r#"{{"watermark":{spaced}}}"#);
            let got = |text: &str| {
                let visited = parse::<Value>(text).map(|(_, w)| owned(w));
                let skipped = parse::<IgnoredAny>(text).map(|(_, w)| owned(w));
                let own = parse::<BTreeMap<String, Value>>(text).map(|(_, w)| owned(w));
                assert_eq!(visited, skipped, "{text}");
                assert_eq!(visited, own, "{text}");
                visited
            };
            assert_eq!(got(&compact), got(&general), "{case}");
        }
    }

    #[test]
    fn bad_watermark_is_reported_even_when_target_ignores_it() {
        let text = r#"{"phoneNumber":"1","purePhoneNumber":"1","countryCode":"86","watermark":{"appid":"a"}}"#;
        assert_eq!(kind_of::<Phone>(text), Some(JsonProblem::BadWatermark));
    }

    // ---- strict syntax -----------------------------------------------------

    #[test]
    fn comments_are_rejected() {
        reject(r#"{"a":1}//x"#, JsonProblem::Syntax);
        reject(r#"{/*x*/"a":1}"#, JsonProblem::Syntax);
        reject("{\"a\":1 # x\n}", JsonProblem::Syntax);
    }

    #[test]
    fn trailing_commas_are_rejected() {
        reject(r#"{"a":1,}"#, JsonProblem::Syntax);
        reject(r#"{"a":[1,]}"#, JsonProblem::Syntax);
        reject(r#"{"a":[,1]}"#, JsonProblem::Syntax);
        reject(r#"{,"a":1}"#, JsonProblem::Syntax);
        reject(r#"{"a":1,,"b":2}"#, JsonProblem::Syntax);
    }

    #[test]
    fn single_quotes_and_unquoted_keys_are_rejected() {
        reject("{'a':1}", JsonProblem::Syntax);
        reject(r#"{"a":'x'}"#, JsonProblem::Syntax);
        reject("{a:1}", JsonProblem::Syntax);
        reject("{1:1}", JsonProblem::Syntax);
    }

    #[test]
    fn missing_colons_and_commas_are_rejected() {
        reject(r#"{"a" 1}"#, JsonProblem::Syntax);
        reject(r#"{"a":1 "b":2}"#, JsonProblem::Syntax);
        reject(r#"{"a":[1 2]}"#, JsonProblem::Syntax);
        reject(r#"{"a"::1}"#, JsonProblem::Syntax);
        reject(r#"{"a":}"#, JsonProblem::Syntax);
        reject(r#"{"a"}"#, JsonProblem::Syntax);
    }

    #[test]
    fn nan_and_infinity_are_rejected() {
        for json in ["NaN", "Infinity", "-Infinity", "nan", "inf", "-inf"] {
            reject_member(json, JsonProblem::Syntax);
        }
    }

    #[test]
    fn malformed_numbers_are_rejected() {
        for json in [
            "01", "-01", "00", "+1", ".5", "-.5", "1.", "1.e5", "1e", "1e+", "1E-", "-", "--1",
            "0x10", "1_000", "1.5.5", "1e5e5", "- 1", "0-",
        ] {
            reject_member(json, JsonProblem::Syntax);
        }
    }

    #[test]
    fn literals_must_be_exact() {
        for json in ["tru", "True", "nul", "nulll", "falsey", "f", "NULL"] {
            reject_member(json, JsonProblem::Syntax);
        }
        assert_eq!(member("true"), Value::Bool(true));
        assert_eq!(member("false"), Value::Bool(false));
        assert_eq!(member("null"), Value::Null);
    }

    #[test]
    fn byte_order_mark_is_not_whitespace() {
        reject("\u{feff}{}", JsonProblem::Syntax);
        reject("{\u{feff}}", JsonProblem::Syntax);
        reject("{}\u{feff}", JsonProblem::Syntax);
    }

    #[test]
    fn only_space_tab_newline_and_carriage_return_are_whitespace() {
        let (value, _) = accept(" \t\n\r{ \t\n\r\"a\" \t\n\r: \t\n\r[ 1 , 2 ] \t\n\r} \t\n\r");
        assert_eq!(value["a"][1], 2);
        for ws in ['\u{c}', '\u{b}', '\u{a0}', '\u{2028}', '\u{3000}', '\u{85}'] {
            reject(&format!("{{{ws}}}"), JsonProblem::Syntax);
            reject(&format!("{ws}{{}}"), JsonProblem::Syntax);
        }
    }

    #[test]
    fn nul_bytes_are_rejected_inside_and_outside_strings() {
        reject("{\"a\":\"x\0y\"}", JsonProblem::Syntax);
        reject("{\"a\0\":1}", JsonProblem::Syntax);
        reject("{\0}", JsonProblem::Syntax);
        reject("{}\0", JsonProblem::Syntax);
        assert_eq!(member(r#""x\u0000y""#), Value::String("x\0y".into()));
    }

    #[test]
    fn raw_control_characters_in_strings_are_rejected_but_delete_is_not() {
        for c in 0u8..0x20 {
            let text = format!("{{\"a\":\"x{}y\"}}", char::from(c));
            reject(&text, JsonProblem::Syntax);
            let escaped = format!("{{\"a\":\"x\\\\{}y\"}}", char::from(c));
            reject(&escaped, JsonProblem::Syntax);
        }
        assert_eq!(member("\"\u{7f}\""), Value::String("\u{7f}".into()));
    }

    #[test]
    fn content_after_the_top_level_object_is_rejected() {
        for text in ["{}{}", "{} x", "{}]", "{}}", "{},", "{} 1", "{}\"\""] {
            reject(text, JsonProblem::Syntax);
        }
        accept("{}  \n\t\r ");
    }

    #[test]
    fn top_level_values_other_than_objects_are_not_an_object() {
        for text in [
            "[]", "[1]", r#""s""#, "1", "-1", "0", "true", "false", "null", " []",
        ] {
            reject(text, JsonProblem::NotAnObject);
        }
    }

    #[test]
    fn empty_or_garbage_input_is_syntax() {
        for text in ["", "   ", "x", "}", "]", ":", "\u{feff}", "'{}'", "\u{e9}"] {
            reject(text, JsonProblem::Syntax);
        }
    }

    #[test]
    fn every_truncation_of_a_payload_is_rejected() {
        for (end, _) in PHONE.char_indices() {
            let prefix = &PHONE[..end];
            assert!(parse::<Value>(prefix).is_err(), "{prefix}");
            assert!(parse::<IgnoredAny>(prefix).is_err(), "{prefix}");
            assert!(parse::<Phone>(prefix).is_err(), "{prefix}");
        }
    }

    // ---- strings and escapes -----------------------------------------------

    #[test]
    fn standard_escapes_are_decoded() {
        assert_eq!(
            member(r#""\"\\\/\b\f\n\r\t""#),
            Value::String("\"\\/\u{8}\u{c}\n\r\t".into())
        );
    }

    #[test]
    fn nonstandard_escapes_are_rejected() {
        for json in [
            r#""\a""#,
            r#""\x41""#,
            r#""\'""#,
            r#""\U0041""#,
            r#""\0""#,
            r#""\u12""#,
            r#""\u12G4""#,
            r#""\u""#,
            r#""\ ""#,
            r#""\""#,
            r#""\e""#,
        ] {
            reject_member(json, JsonProblem::Syntax);
        }
    }

    #[test]
    fn unicode_escapes_decode_bmp_characters_in_either_case() {
        assert_eq!(
            member(r#""\u00e9\u00E9\u4e2d\u0041""#),
            Value::String("\u{e9}\u{e9}\u{4e2d}A".into())
        );
    }

    #[test]
    fn surrogate_pairs_are_combined() {
        assert_eq!(
            member(r#""a\ud83d\ude00b\uD83D\uDE00""#),
            Value::String("a\u{1f600}b\u{1f600}".into())
        );
        assert_eq!(
            member(r#""\udbff\udfff""#),
            Value::String("\u{10ffff}".into())
        );
    }

    #[test]
    fn lone_or_misordered_surrogates_are_rejected() {
        for json in [
            r#""\ud83d""#,
            r#""\ud83dx""#,
            r#""\ud83d\u0041""#,
            r#""\ud83d\ud83d""#,
            r#""\ude00""#,
            r#""\ude00\ud83d""#,
            r#""\ud83d\n""#,
            r#""\ud83d\ude0""#,
        ] {
            reject_member(json, JsonProblem::Syntax);
            reject(&format!("{{{json}:1}}"), JsonProblem::Syntax);
        }
    }

    #[test]
    fn non_ascii_text_passes_through_unchanged() {
        let s = "\u{e9}\u{4e2d}\u{1f600}\u{10ffff} \u{2028}";
        assert_eq!(member(&format!("\"{s}\"")), Value::String(s.into()));
    }

    #[test]
    fn long_escaped_strings_survive_scratch_growth() {
        let mut json = String::from("\"");
        let mut expected = String::new();
        for i in 0..500 {
            write!(json, "seg{i}\\n\\u00e9").unwrap();
            write!(expected, "seg{i}\n\u{e9}").unwrap();
        }
        json.push('"');
        assert_eq!(member(&json), Value::String(expected));
    }

    #[test]
    fn strings_without_escapes_are_borrowed_and_escaped_ones_are_owned() {
        #[derive(Deserialize)]
        struct Borrowing<'a> {
            #[serde(borrow)]
            s: Cow<'a, str>,
            t: &'a str,
        }
        let (b, _) = parse::<Borrowing<'_>>(r#"{"s":"plain","t":"x"}"#).unwrap();
        assert!(matches!(b.s, Cow::Borrowed("plain")));
        assert_eq!(b.t, "x");
        let (b, _) = parse::<Borrowing<'_>>(r#"{"s":"a\nb","t":"x"}"#).unwrap();
        assert!(matches!(b.s, Cow::Owned(ref s) if s == "a\nb"));
        assert_eq!(
            kind_of::<Borrowing<'_>>(r#"{"s":"a","t":"\n"}"#),
            Some(JsonProblem::Shape)
        );
    }

    // ---- numbers -------------------------------------------------------------

    #[test]
    fn integers_at_the_u64_boundary_are_unsigned_then_float() {
        let max = member("18446744073709551615");
        assert_eq!(max.as_u64(), Some(u64::MAX));
        let over = member("18446744073709551616");
        assert!(over.is_f64());
        assert_eq!(over.as_f64(), Some(18_446_744_073_709_551_616.0));
        assert!(member("123456789012345678901234567890").is_f64());
    }

    #[test]
    fn integers_at_the_i64_boundary_are_signed_then_float() {
        let min = member("-9223372036854775808");
        assert_eq!(min.as_i64(), Some(i64::MIN));
        assert!(!min.is_f64());
        let under = member("-9223372036854775809");
        assert!(under.is_f64());
        assert_eq!(member("-1").as_i64(), Some(-1));
        assert_eq!(member("0").as_u64(), Some(0));
    }

    #[test]
    fn negative_zero_is_a_negative_float_like_serde_json() {
        let ours = member("-0");
        let theirs: Value = serde_json::from_str("-0").unwrap();
        assert!(ours.is_f64() && theirs.is_f64());
        assert!(ours.as_f64().unwrap().is_sign_negative());
        assert_eq!(
            ours.as_f64().unwrap().to_bits(),
            theirs.as_f64().unwrap().to_bits()
        );
    }

    #[test]
    fn fractions_and_exponents_are_correctly_rounded_floats() {
        for json in [
            "1.0",
            "1e0",
            "1E+2",
            "1e-2",
            "-1.5e-3",
            "0.1",
            "2.2250738585072011e-308",
            "1.7976931348623157e308",
            "9007199254740993",
            "0.30000000000000004",
            "4.9e-324",
        ] {
            let value = member(json);
            assert!(value.is_f64() || value.is_u64(), "{json}");
            if value.is_f64() {
                assert_eq!(
                    value.as_f64().unwrap().to_bits(),
                    json.parse::<f64>().unwrap().to_bits(),
                    "{json}"
                );
            }
        }
    }

    #[test]
    fn overflowing_floats_are_syntax_errors_everywhere() {
        let huge = format!("1{}", "0".repeat(400));
        for json in ["1e400", "-1e400", "1e999999999999999999999", huge.as_str()] {
            reject_member(json, JsonProblem::Syntax);
            assert!(serde_json::from_str::<Value>(json).is_err());
            let text = format!(
                r#"{{"phoneNumber":"1","purePhoneNumber":"1","countryCode":"1","x":{json}}}"#
            );
            assert_eq!(kind_of::<Phone>(&text), Some(JsonProblem::Syntax));
        }
    }

    #[test]
    fn underflowing_floats_become_zero() {
        assert_eq!(member("1e-400").as_f64(), Some(0.0));
        assert_eq!(member("0e999999999999999999999").as_f64(), Some(0.0));
        assert!(member("-1e-400").as_f64().unwrap().is_sign_negative());
    }

    #[test]
    fn out_of_range_numbers_for_the_target_are_shape() {
        #[derive(Debug, Deserialize)]
        struct Small {
            #[allow(dead_code, reason = "only the error matters")]
            v: u8,
        }
        assert_eq!(kind_of::<Small>(r#"{"v":256}"#), Some(JsonProblem::Shape));
        assert_eq!(kind_of::<Small>(r#"{"v":-1}"#), Some(JsonProblem::Shape));
        assert_eq!(kind_of::<Small>(r#"{"v":1.5}"#), Some(JsonProblem::Shape));
        assert_eq!(parse::<Small>(r#"{"v":255}"#).unwrap().0.v, 255);
    }

    // ---- duplicate keys ------------------------------------------------------

    #[test]
    fn duplicate_top_level_key_is_rejected() {
        reject(r#"{"a":1,"a":1}"#, JsonProblem::DuplicateKey);
        reject(r#"{"":1,"":2}"#, JsonProblem::DuplicateKey);
        assert_eq!(
            kind_of::<Phone>(
                r#"{"phoneNumber":"1","phoneNumber":"2","purePhoneNumber":"1","countryCode":"86"}"#
            ),
            Some(JsonProblem::DuplicateKey)
        );
    }

    #[test]
    fn duplicate_key_in_nested_object_is_rejected() {
        reject(r#"{"a":{"b":{"c":1,"c":2}}}"#, JsonProblem::DuplicateKey);
    }

    #[test]
    fn duplicate_key_in_nested_array_object_is_rejected() {
        reject(
            r#"{"a":[1,[{"x":1}],{"c":1,"d":2,"c":3}]}"#,
            JsonProblem::DuplicateKey,
        );
    }

    #[test]
    fn duplicate_key_inside_a_value_the_target_skips_is_rejected() {
        let text = r#"{"phoneNumber":"1","purePhoneNumber":"1","countryCode":"86","extra":[{"k":1,"k":2}]}"#;
        assert_eq!(kind_of::<Phone>(text), Some(JsonProblem::DuplicateKey));
    }

    #[test]
    fn escaped_and_unescaped_spellings_of_one_key_are_duplicates() {
        for text in [
            r#"{"a":1,"\u0061":2}"#,
            r#"{"\u0061":1,"a":2}"#,
            r#"{"\u0061":1,"\u0061":2}"#,
            r#"{"/":1,"\/":2}"#,
            r#"{"\u00e9":1,"é":2}"#,
            r#"{"\ud83d\ude00":1,"😀":2}"#,
            r#"{"x":{"a\nb":1,"a\u000ab":2}}"#,
        ] {
            reject(text, JsonProblem::DuplicateKey);
        }
    }

    #[test]
    fn keys_that_differ_are_accepted() {
        let (value, _) = accept(r#"{"a":1,"ab":2,"A":3,"\u0062":4,"a ":5,"":6}"#);
        assert_eq!(value.as_object().unwrap().len(), 6);
    }

    /// `"k0":0,"k1":1,...` with `count` members and a trailing comma.
    fn numbered_members(count: usize) -> String {
        let mut members = String::new();
        for i in 0..count {
            write!(members, r#""k{i}":{i},"#).unwrap();
        }
        members
    }

    #[test]
    fn duplicates_are_found_beyond_sixteen_keys_and_with_escaped_keys() {
        let many = numbered_members(40);
        accept(&format!("{{{many}\"end\":0}}"));
        reject(&format!("{{{many}\"k3\":0}}"), JsonProblem::DuplicateKey);
        reject(&format!("{{{many}\"k39\":0}}"), JsonProblem::DuplicateKey);
        reject(
            &format!("{{{many}\"k\\u00339\":0}}"),
            JsonProblem::DuplicateKey,
        );
        reject(
            &format!("{{\"\\u006b0\":1,{many}\"end\":0}}"),
            JsonProblem::DuplicateKey,
        );
        let few = numbered_members(16);
        accept(&format!("{{{few}\"\\u006b16\":0}}"));
        reject(
            &format!("{{{few}\"\\u006b15\":0}}"),
            JsonProblem::DuplicateKey,
        );
        reject(
            &format!("{{{few}\"k16\":0,\"k0\":0}}"),
            JsonProblem::DuplicateKey,
        );
    }

    #[test]
    fn object_with_100k_keys_is_parsed_without_quadratic_work() {
        let mut text = String::from("{");
        for i in 0..100_000 {
            write!(text, r#""key{i}":{i},"#).unwrap();
        }
        text.push_str(r#""last":true}"#);
        let (value, _) = parse::<Value>(&text).unwrap();
        assert_eq!(value.as_object().unwrap().len(), 100_001);
        assert!(parse::<IgnoredAny>(&text).is_ok());
        let duplicated = text.replace(r#""last""#, r#""key0""#);
        reject(&duplicated, JsonProblem::DuplicateKey);
        let escaped = text.replace(r#""last""#, r#""k\u0065y99999""#);
        reject(&escaped, JsonProblem::DuplicateKey);
    }

    // ---- depth -----------------------------------------------------------------

    /// `count` nested arrays (the top-level object adds one level).
    fn nested_arrays(count: usize) -> String {
        format!(r#"{{"a":{}{}}}"#, "[".repeat(count), "]".repeat(count))
    }

    /// `count` nested objects including the top-level one.
    fn nested_objects(count: usize) -> String {
        format!("{}1{}", r#"{"a":"#.repeat(count), "}".repeat(count))
    }

    #[test]
    fn nesting_at_max_depth_is_accepted() {
        for text in [nested_arrays(MAX_DEPTH - 1), nested_objects(MAX_DEPTH)] {
            assert!(parse::<Value>(&text).is_ok());
            assert!(parse::<IgnoredAny>(&text).is_ok());
            // Well within serde_json's own limit (128), which agrees.
            assert!(serde_json::from_str::<Value>(&text).is_ok());
        }
        accept(&nested_objects(MAX_DEPTH - 1));
    }

    #[test]
    fn nesting_beyond_max_depth_is_too_deep() {
        reject(&nested_arrays(MAX_DEPTH), JsonProblem::TooDeep);
        reject(&nested_objects(MAX_DEPTH + 1), JsonProblem::TooDeep);
        let text = format!(
            r#"{{"watermark":{{"appid":"a","timestamp":1,"x":{}{}}}}}"#,
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        reject(&text, JsonProblem::TooDeep);
    }

    /// Runs `f` on a thread with a stack of `kib` KiB.
    fn on_stack(kib: usize, f: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(kib * 1024)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap();
    }

    /// Stack for targets whose own frames are large (`serde_json`'s `Value`
    /// needs about 2.7 KiB per level in unoptimized builds, under 1 KiB in
    /// optimized ones).
    const VALUE_STACK_KIB: usize = if cfg!(debug_assertions) { 1024 } else { 256 };

    #[test]
    fn hundred_thousand_open_brackets_are_too_deep_without_stack_overflow() {
        let text = format!(r#"{{"countryCode":"1","a":{}"#, "[".repeat(100_000));
        let copy = text.clone();
        on_stack(256, move || {
            assert_eq!(kind_of::<Phone>(&copy), Some(JsonProblem::TooDeep));
            assert_eq!(kind_of::<IgnoredAny>(&copy), Some(JsonProblem::TooDeep));
        });
        on_stack(VALUE_STACK_KIB, move || {
            assert_eq!(kind_of::<Value>(&text), Some(JsonProblem::TooDeep));
        });
    }

    #[test]
    fn hundred_thousand_nested_objects_are_too_deep_without_stack_overflow() {
        let text = format!(r#"{{"countryCode":"1",{}"#, r#""a":{"#.repeat(100_000));
        let copy = text.clone();
        on_stack(256, move || {
            assert_eq!(kind_of::<Phone>(&copy), Some(JsonProblem::TooDeep));
            assert_eq!(kind_of::<IgnoredAny>(&copy), Some(JsonProblem::TooDeep));
        });
        on_stack(VALUE_STACK_KIB, move || {
            assert_eq!(kind_of::<Value>(&text), Some(JsonProblem::TooDeep));
        });
    }

    #[test]
    fn deepest_accepted_nesting_fits_in_a_small_stack() {
        on_stack(256, || {
            assert!(parse::<IgnoredAny>(&nested_objects(MAX_DEPTH)).is_ok());
            assert!(parse::<IgnoredAny>(&nested_arrays(MAX_DEPTH - 1)).is_ok());
        });
        on_stack(VALUE_STACK_KIB, || {
            assert!(parse::<Value>(&nested_objects(MAX_DEPTH)).is_ok());
            assert!(parse::<Value>(&nested_arrays(MAX_DEPTH - 1)).is_ok());
        });
    }

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
    struct FirstOnly;

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

    // ---- scanning helpers ------------------------------------------------------

    /// Reference for [`plain_end`]: the first byte from `from` that
    /// [`STRING_STOP`] marks.
    fn naive_plain_end(bytes: &[u8], from: usize) -> usize {
        (from..bytes.len())
            .find(|&i| STRING_STOP[usize::from(bytes[i])])
            .unwrap_or(bytes.len().max(from))
    }

    #[test]
    fn plain_end_finds_the_first_stop_byte_at_every_offset() {
        for len in 0..=24 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = b;
                    for from in 0..=len {
                        assert_eq!(
                            plain_end(&bytes, from),
                            naive_plain_end(&bytes, from),
                            "{bytes:?} from {from}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn plain_end_past_the_end_returns_its_start() {
        assert_eq!(plain_end(b"", 1), 1);
        assert_eq!(plain_end(b"abcdefghij", 12), 12);
    }

    #[test]
    fn plain_end_ignores_stop_bytes_above_the_first_one() {
        // Borrows of the SWAR test can only mark bytes above a real stop.
        for len in 0..=20 {
            for first in 0..len {
                for second in first..len {
                    for (x, y) in [
                        (0u8, b'"'),
                        (b'"', 0x1f),
                        (b'\\', 1),
                        (0x21, b'\\'),
                        (0xff, 0),
                    ] {
                        let mut bytes = vec![0x80; len];
                        bytes[first] = x;
                        bytes[second] = y;
                        for from in 0..=len {
                            assert_eq!(plain_end(&bytes, from), naive_plain_end(&bytes, from));
                        }
                    }
                }
            }
        }
    }

    /// Reference for [`quick_u64`], digit by digit.
    fn naive_quick_u64(digits: &[u8]) -> Option<(u64, usize)> {
        let len = digits.iter().take_while(|d| d.is_ascii_digit()).count();
        if len == 0 || (len > 1 && digits[0] == b'0') {
            return None;
        }
        std::str::from_utf8(&digits[..len])
            .unwrap()
            .parse()
            .ok()
            .map(|v| (v, len))
    }

    #[test]
    fn quick_u64_matches_a_digit_by_digit_reading() {
        let mut inputs: Vec<Vec<u8>> = [
            "0",
            "00",
            "01",
            "0}",
            "7",
            "1558787160",
            "1558787160}",
            "12345678",
            "012345678",
            "123456789",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999",
            "",
            "}",
            "1234567/",
            "1234567:",
            "12345678:",
            "1234567\u{ff}",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        for at in 0..10 {
            for b in 0..=255u8 {
                let mut digits = b"1234567890".to_vec();
                digits[at] = b;
                inputs.push(digits);
            }
        }
        for digits in &inputs {
            assert_eq!(quick_u64(digits), naive_quick_u64(digits), "{digits:?}");
        }
    }

    proptest! {
        #[test]
        fn plain_end_matches_a_byte_by_byte_scan(bytes in prop::collection::vec(any::<u8>(), 0..40), from in 0usize..41) {
            prop_assert_eq!(plain_end(&bytes, from), naive_plain_end(&bytes, from));
        }

        #[test]
        fn quick_u64_matches_reference(text in "[0-9]{0,22}[^0-9]?") {
            prop_assert_eq!(quick_u64(text.as_bytes()), naive_quick_u64(text.as_bytes()));
        }
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

    // ---- differential tests against serde_json ---------------------------------

    /// Whether two values are equal, allowing floats to differ by a few ulps
    /// (`serde_json`'s default float parsing is not correctly rounded: it reads
    /// `-1.9294441799204558e-196` two ulps off).
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                x.is_sign_negative() == y.is_sign_negative()
                    && x.to_bits().abs_diff(y.to_bits()) <= 16
            }
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
            }
            _ => a == b,
        }
    }

    /// Reference duplicate-key detector run through `serde_json`.
    struct NoDuplicates(bool);

    impl<'de> Deserialize<'de> for NoDuplicates {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = NoDuplicates;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("json")
                }
                fn visit_bool<E>(self, _: bool) -> Result<NoDuplicates, E> {
                    Ok(NoDuplicates(true))
                }
                fn visit_u64<E>(self, _: u64) -> Result<NoDuplicates, E> {
                    Ok(NoDuplicates(true))
                }
                fn visit_i64<E>(self, _: i64) -> Result<NoDuplicates, E> {
                    Ok(NoDuplicates(true))
                }
                fn visit_f64<E>(self, _: f64) -> Result<NoDuplicates, E> {
                    Ok(NoDuplicates(true))
                }
                fn visit_str<E>(self, _: &str) -> Result<NoDuplicates, E> {
                    Ok(NoDuplicates(true))
                }
                fn visit_unit<E>(self) -> Result<NoDuplicates, E> {
                    Ok(NoDuplicates(true))
                }
                fn visit_seq<A: SeqAccess<'de>>(
                    self,
                    mut seq: A,
                ) -> Result<NoDuplicates, A::Error> {
                    let mut ok = true;
                    while let Some(NoDuplicates(item)) = seq.next_element()? {
                        ok &= item;
                    }
                    Ok(NoDuplicates(ok))
                }
                fn visit_map<A: MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<NoDuplicates, A::Error> {
                    let mut ok = true;
                    let mut seen = HashSet::new();
                    while let Some(key) = map.next_key::<String>()? {
                        ok &= seen.insert(key);
                        ok &= map.next_value::<NoDuplicates>()?.0;
                    }
                    Ok(NoDuplicates(ok))
                }
            }
            d.deserialize_any(V)
        }
    }

    fn arb_string() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-z\"\\\\/\u{0}-\u{1f}\u{7f}\u{e9}\u{4e2d}\u{1f600}\u{feff}\u{2028} ]{0,12}",
            Just("watermark".to_owned()),
        ]
    }

    fn arb_number() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            (-1000.0..1000.0f64).prop_map(Value::from),
            prop::sample::select(vec![
                Value::from(u64::MAX),
                Value::from(i64::MIN),
                Value::from(i64::MAX),
                Value::from(0),
                Value::from(-0.0),
                Value::from(f64::MAX),
                Value::from(f64::MIN_POSITIVE),
                Value::from(5e-324),
            ]),
        ]
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            arb_number(),
            arb_string().prop_map(Value::String),
        ];
        leaf.prop_recursive(5, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("[a-z\u{e9}\\\\\"]{0,3}", inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    /// A top-level object, sometimes with a valid watermark.
    fn arb_object() -> impl Strategy<Value = Value> {
        (
            prop::collection::vec((arb_string(), arb_value()), 0..6),
            prop::option::of((
                arb_string(),
                any::<u64>(),
                prop::collection::vec(("[a-z]{1,3}", arb_value()), 0..3),
            )),
        )
            .prop_map(|(members, watermark)| {
                let mut object: serde_json::Map<String, Value> = members.into_iter().collect();
                object.remove(WATERMARK);
                if let Some((appid, timestamp, extra)) = watermark {
                    let mut w: serde_json::Map<String, Value> = extra.into_iter().collect();
                    w.insert("appid".into(), appid.into());
                    w.insert("timestamp".into(), timestamp.into());
                    object.insert(WATERMARK.into(), Value::Object(w));
                }
                Value::Object(object)
            })
    }

    /// The watermark `value` should yield, or `None` if it has none, or
    /// `Err` if its watermark is malformed.
    fn expected_watermark_of(value: &Value) -> Result<Option<(String, u64)>, ()> {
        let Some(w) = value.get(WATERMARK) else {
            return Ok(None);
        };
        match (
            w.get("appid").and_then(Value::as_str),
            w.get("timestamp").and_then(Value::as_u64),
        ) {
            (Some(appid), Some(ts)) if w.is_object() && !w["timestamp"].is_f64() => {
                Ok(Some((appid.to_owned(), ts)))
            }
            _ => Err(()),
        }
    }

    fn owned(w: Option<WatermarkRef<'_>>) -> Option<(String, u64)> {
        w.map(|w| (w.appid.into_owned(), w.timestamp))
    }

    /// Characters used to mutate valid text.
    const MUTATIONS: &[char] = &[
        '{', '}', '[', ']', '"', ',', ':', '\\', '/', '0', '1', '9', '-', '+', '.', 'e', 'E', 't',
        'f', 'n', 'u', 'l', 'a', 'r', 's', 'd', 'D', '8', 'x', ' ', '\t', '\n', '\r', '\0',
        '\u{1f}', '\u{7f}', '\u{e9}', '\u{feff}', '\u{a0}', '\'',
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn generated_objects_parse_exactly_like_serde_json(object in arb_object()) {
            let expected = expected_watermark_of(&object).unwrap();
            for text in [serde_json::to_string(&object).unwrap(), serde_json::to_string_pretty(&object).unwrap()] {
                let (ours, watermark) = parse::<Value>(&text).unwrap();
                prop_assert_eq!(&ours, &object);
                let theirs: Value = serde_json::from_str(&text).unwrap();
                prop_assert!(same(&ours, &theirs));
                prop_assert_eq!(owned(watermark), expected.clone());
                let (IgnoredAny, skipped) = parse::<IgnoredAny>(&text).unwrap();
                prop_assert_eq!(owned(skipped), expected.clone());
            }
        }

        #[test]
        fn mutated_text_is_accepted_only_when_serde_json_accepts_it(
            object in arb_object(),
            pretty in any::<bool>(),
            edits in prop::collection::vec((0u8..3, any::<prop::sample::Index>(), prop::sample::select(MUTATIONS)), 1..4),
        ) {
            let text = if pretty { serde_json::to_string_pretty(&object) } else { serde_json::to_string(&object) }.unwrap();
            let mut chars: Vec<char> = text.chars().collect();
            for (op, at, c) in edits {
                let i = at.index(chars.len() + 1);
                match op {
                    0 if i < chars.len() => { chars.remove(i); }
                    1 => chars.insert(i, c),
                    _ if i < chars.len() => chars[i] = c,
                    _ => chars.push(c),
                }
            }
            let text: String = chars.into_iter().collect();
            let ours = parse::<Value>(&text);
            let skipped = parse::<IgnoredAny>(&text);
            prop_assert_eq!(ours.as_ref().err(), skipped.as_ref().err(), "{:?}", text);
            match serde_json::from_str::<Value>(&text) {
                Err(_) => prop_assert!(ours.is_err(), "accepted {:?}", text),
                Ok(theirs) => {
                    let unique = serde_json::from_str::<NoDuplicates>(&text).unwrap().0;
                    if !theirs.is_object() {
                        prop_assert_eq!(ours.err(), Some(JsonProblem::NotAnObject));
                    } else if !unique {
                        prop_assert!(ours.is_err(), "duplicates accepted {:?}", text);
                    } else {
                        match expected_watermark_of(&theirs) {
                            Err(()) => prop_assert_eq!(ours.err(), Some(JsonProblem::BadWatermark)),
                            Ok(expected) => {
                                let (value, watermark) = ours.map_err(|e| TestCaseError::fail(format!("{e:?} for {text:?}")))?;
                                prop_assert!(same(&value, &theirs), "{:?}", text);
                                prop_assert_eq!(owned(watermark), expected.clone());
                                prop_assert_eq!(owned(skipped.unwrap().1), expected);
                            }
                        }
                    }
                }
            }
        }
    }
}
