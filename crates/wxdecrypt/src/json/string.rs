//! JSON strings: backslash escapes (surrogate pairs combined, lone ones refused),
//! the wiped [`Scratch`] buffer for unescaped text, and [`Str`], a decoded
//! string borrowed from the input when it has no escape. Both the visiting
//! and the skipping parser read strings here.

use std::borrow::Cow;

use serde::de::Visitor;
use zeroize::Zeroize;

use super::JsonProblem;
use super::read::{Parser, plain_end};

/// Value of four hex digits at `at`.
pub(super) fn hex4(bytes: &[u8], at: usize) -> Result<u32, JsonProblem> {
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
pub(super) fn decode_escape(bytes: &[u8], at: usize) -> Result<(char, usize), JsonProblem> {
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
pub(super) struct Scratch(pub(super) String);

impl Drop for Scratch {
    #[inline]
    fn drop(&mut self) {
        // Skip the wipe (and its call) when nothing was ever allocated.
        if self.0.capacity() != 0 {
            self.0.zeroize();
        }
    }
}

impl Scratch {
    /// Appends `s`, moving to a larger buffer (and wiping the old one) if needed.
    pub(super) fn push(&mut self, s: &str) {
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

/// A decoded JSON string: borrowed from the input, or unescaped into scratch.
#[derive(Debug, Clone, Copy)]
pub(super) enum Str<'de, 's> {
    /// No escapes: a slice of the input.
    Borrowed(&'de str),
    /// Had escapes: a slice of the parser's scratch buffer.
    Copied(&'s str),
}

impl<'de> Str<'de, '_> {
    /// The decoded text.
    pub(super) fn as_str(&self) -> &str {
        match *self {
            Str::Borrowed(s) | Str::Copied(s) => s,
        }
    }

    /// Hands the text to `visitor`: as `&'de str` when it is borrowed from
    /// the input (so that targets can borrow it too), as a passing `&str`
    /// otherwise. The one place where that choice is made.
    #[inline]
    pub(super) fn visit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        match self {
            Str::Borrowed(s) => visitor.visit_borrowed_str(s),
            Str::Copied(s) => visitor.visit_str(s),
        }
    }

    /// The text, borrowed from the input or copied out of the scratch buffer.
    pub(super) fn into_cow(self) -> Cow<'de, str> {
        match self {
            Str::Borrowed(s) => Cow::Borrowed(s),
            Str::Copied(s) => Cow::Owned(s.to_owned()),
        }
    }
}

impl<'de> Parser<'de> {
    /// Parses the string whose opening quote is at the cursor.
    #[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
    #[inline(always)]
    pub(super) fn parse_str(&mut self) -> Result<Str<'de, '_>, JsonProblem> {
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
    pub(super) fn parse_escaped_str(
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
    pub(super) fn skip_str(&mut self) -> Result<(), JsonProblem> {
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
}
