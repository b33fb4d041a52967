//! JSON numbers: the strict grammar and its classification into
//! [`Number`] (`u64`, `i64` or `f64`, like `serde_json::Value`), and the
//! eight-digits-at-once reading of the watermark's timestamp ([`quick_u64`]).

use serde::de::Visitor;

use super::JsonProblem;
use super::read::{Parser, digit_run};

/// A JSON unsigned integer at the start of `digits` that fits `u64`, and its
/// length; `None` if there is none (a leading zero followed by a digit is
/// left for the caller to reject).
pub(super) fn quick_u64(digits: &[u8]) -> Option<(u64, usize)> {
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
pub(super) const fn eight_digits(word: u64) -> Option<u64> {
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

/// A parsed JSON number, classified like `serde_json::Value` does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Number {
    /// A non-negative integer that fits `u64`.
    U64(u64),
    /// A negative integer that fits `i64`.
    I64(i64),
    /// Anything else (fraction, exponent, out of range, or `-0`).
    F64(f64),
}

impl Number {
    /// Hands the number to `visitor`.
    pub(super) fn visit<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        match self {
            Self::U64(v) => visitor.visit_u64(v),
            Self::I64(v) => visitor.visit_i64(v),
            Self::F64(v) => visitor.visit_f64(v),
        }
    }
}

/// Parses the strict JSON number starting at `start`; returns it and its end.
pub(super) fn scan_number(text: &str, start: usize) -> Result<(Number, usize), JsonProblem> {
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

impl Parser<'_> {
    /// Parses the number at the cursor.
    #[inline]
    pub(super) fn parse_number(&mut self) -> Result<Number, JsonProblem> {
        // Plain unsigned integers, the common case, skip the full scan.
        if let Some((value, len)) = self.bytes.get(self.pos..).and_then(quick_u64)
            && !matches!(self.bytes.get(self.pos + len), Some(b'.' | b'e' | b'E'))
        {
            self.pos += len;
            return Ok(Number::U64(value));
        }
        let (number, end) = scan_number(self.text, self.pos)?;
        self.pos = end;
        Ok(number)
    }
}
