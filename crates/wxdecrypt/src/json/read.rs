//! The input cursor and the byte scans: the [`Parser`] state (input, position,
//! depth, scratch, captured watermark, first error), whitespace and
//! punctuation, and the word-at-a-time scan for the end of a plain string run
//! ([`plain_end`]) and digit runs. Everything else reads the input through
//! these.

use std::fmt;

use super::string::Scratch;
use super::{JsonProblem, MAX_DEPTH};
use crate::validation::WatermarkRef;

/// Bytes that end the fast scan of a string: control characters, `"` and `\`.
pub(super) static STRING_STOP: [bool; 256] = {
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
pub(super) const fn stop_mask(word: u64) -> u64 {
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
///
/// Two words per step while 16 bytes are left (one test for both), then
/// one word, then [`plain_end_tail`].
#[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
#[inline(always)]
pub(super) fn plain_end(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(pair) = bytes.get(at..).and_then(<[u8]>::first_chunk::<16>) {
        let (low, high) = pair.split_at(8);
        let low = stop_mask(u64::from_le_bytes(low.try_into().unwrap_or_default()));
        let high = stop_mask(u64::from_le_bytes(high.try_into().unwrap_or_default()));
        if low | high != 0 {
            let skip = if low == 0 {
                8 + high.trailing_zeros() / 8
            } else {
                low.trailing_zeros() / 8
            };
            return at + skip as usize;
        }
        at += 16;
    }
    if let Some(word) = bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        let mask = stop_mask(u64::from_le_bytes(*word));
        if mask != 0 {
            return at + (mask.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    plain_end_tail(bytes, at)
}

/// [`plain_end`] for the last (fewer than 8) bytes of `bytes`.
#[inline]
pub(super) fn plain_end_tail(bytes: &[u8], from: usize) -> usize {
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

/// Whether no byte of `run` stops a string scan (see [`STRING_STOP`]):
/// eight bytes at a time, the last eight overlapping the ones before, so
/// that a run whose two ends are known needs no search for its end.
#[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
#[inline(always)]
pub(super) fn is_plain(run: &[u8]) -> bool {
    let Some(last) = run.last_chunk::<8>() else {
        return !run.iter().any(|&b| STRING_STOP[usize::from(b)]);
    };
    let mut marks = stop_mask(u64::from_le_bytes(*last));
    let mut words = run.chunks_exact(8);
    for word in &mut words {
        marks |= stop_mask(u64::from_le_bytes(word.try_into().unwrap_or_default()));
    }
    marks == 0
}

/// Number of ASCII digits starting at `from`.
#[inline]
pub(super) fn digit_run(bytes: &[u8], from: usize) -> usize {
    bytes.get(from..).map_or(0, |rest| {
        rest.iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(rest.len())
    })
}

/// The deserializer state: the input and a cursor into it.
pub(super) struct Parser<'de> {
    /// The whole input.
    pub(super) text: &'de str,
    /// `text` as bytes.
    pub(super) bytes: &'de [u8],
    /// Index of the next unread byte (always `<= bytes.len()`).
    pub(super) pos: usize,
    /// Number of currently open arrays/objects.
    pub(super) depth: usize,
    /// Unescaped text of the last escaped string; wiped on drop.
    pub(super) scratch: Scratch,
    /// The captured top-level watermark.
    pub(super) watermark: Option<WatermarkRef<'de>>,
    /// `(start, end)` of the already-validated watermark value, so that
    /// `deserialize_ignored_any` can jump over it.
    pub(super) jump: Option<(usize, usize)>,
    /// First non-`Shape` error handed to the target type, if any.
    pub(super) poison: Option<JsonProblem>,
    /// Whether the top-level object may take the template fast path
    /// (`template.rs`); the tests turn it off to compare the two paths.
    pub(super) fast: bool,
    /// Whether a target that names a known layout may take the
    /// literal-layout fast path (`layout.rs`); off to compare the paths.
    pub(super) layouts: bool,
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
    pub(super) fn new(text: &'de str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
            scratch: Scratch::default(),
            watermark: None,
            jump: None,
            poison: None,
            fast: true,
            layouts: true,
        }
    }

    /// Records the first error (other than a visitor's `Shape`) handed back
    /// to the target type, in case it swallows it.
    #[inline]
    pub(super) fn track<T>(&mut self, result: Result<T, JsonProblem>) -> Result<T, JsonProblem> {
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
    pub(super) fn peek_ws(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// Skips whitespace and a `:`. Every value reader skips the whitespace
    /// before the value itself.
    #[inline]
    pub(super) fn colon(&mut self) -> Result<(), JsonProblem> {
        // Compact JSON: `:` right after the key.
        if self.peek() != Some(b':') && self.peek_ws() != Some(b':') {
            return Err(JsonProblem::Syntax);
        }
        self.pos += 1;
        Ok(())
    }

    /// Consumes the literal `lit` (`true`, `false` or `null`).
    pub(super) fn literal(&mut self, lit: &[u8]) -> Result<(), JsonProblem> {
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
    pub(super) fn enter(&mut self) -> Result<(), JsonProblem> {
        if self.depth >= MAX_DEPTH {
            return Err(JsonProblem::TooDeep);
        }
        self.depth += 1;
        Ok(())
    }

    /// Closes an array/object level.
    #[inline]
    pub(super) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// After a member/element: consumes `,` (returns `true`) or `close`
    /// (returns `false`).
    #[inline]
    pub(super) fn separator(&mut self, close: u8) -> Result<bool, JsonProblem> {
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

    /// The byte at the cursor.
    #[inline]
    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }
}
