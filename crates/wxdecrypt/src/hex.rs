//! Hexadecimal, written once for the whole crate: the encoder behind the
//! request signatures and digests (lower case), percent-encoding (upper
//! case) and JSON's `\u00XX` escapes, the decoder of a presented digest, and
//! the constant-time comparison that checks one.
//!
//! Digits are computed with arithmetic, never looked up in a table or chosen
//! by a branch on the value, because some of the bytes encoded are derived
//! from a secret (a signature keyed with the session key). Decoding does
//! branch: what it reads is text a client sent.

/// Which letters stand for 10 to 15.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// `a` to `f`: the digests WeChat's APIs ask for, JSON escapes.
    Lower,
    /// `A` to `F`: percent-encoding (RFC 3986 recommends it).
    Upper,
}

impl Case {
    /// What takes a nibble past 9 from `'0' + nibble` to its letter.
    #[allow(clippy::cast_possible_wrap)] // 7 and 39
    const fn letter_offset(self) -> i16 {
        let letter = match self {
            Self::Lower => b'a',
            Self::Upper => b'A',
        };
        (letter - b'0' - 10) as i16
    }
}

/// The digit for the low four bits of `nibble`, in `case`.
///
/// `(9 - n) >> 8` is all ones exactly when `n` is past 9 (the shift of a
/// negative `i16` keeps the sign), so the letter offset is added by a mask,
/// whatever the value.
#[inline]
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 48..=102 out
fn digit(nibble: u8, case: Case) -> char {
    let n = i16::from(nibble & 0x0f);
    let past_nine = (9 - n) >> 8;
    char::from((i16::from(b'0') + n + (past_nine & case.letter_offset())) as u8)
}

/// Appends the two digits of `byte`, high nibble first.
#[inline]
pub(crate) fn push_byte(out: &mut String, byte: u8, case: Case) {
    out.push(digit(byte >> 4, case));
    out.push(digit(byte, case));
}

/// `bytes` as hexadecimal, two digits a byte.
pub(crate) fn encode(bytes: &[u8], case: Case) -> String {
    let mut out = String::with_capacity(2 * bytes.len());
    for &byte in bytes {
        push_byte(&mut out, byte, case);
    }
    out
}

/// Decodes exactly `2 * N` hexadecimal digits, in either case. The text is
/// public (the client sent it), so this may branch on it.
pub(crate) fn decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != 2 * N {
        return None;
    }
    let value = |c: u8| char::from(c).to_digit(16);
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        // Arithmetic rather than `<< 4 |`: the bits do not overlap, so `|`
        // and `^` would read the same, and a test could not tell them apart.
        let both = 16 * value(pair[0])? + value(pair[1])?;
        *byte = u8::try_from(both).ok()?;
    }
    Some(out)
}

/// Compares two digests in constant time: every byte is looked at, and only
/// the final verdict is a branch.
pub(crate) fn constant_time_eq<const N: usize>(a: &[u8; N], b: &[u8; N]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_decoding_takes_either_case_and_nothing_else() {
        assert_eq!(decode::<2>("0aFf"), Some([0x0a, 0xff]));
        assert_eq!(decode::<2>("0AfF"), Some([0x0a, 0xff]));
        for bad in [
            "0aF",
            "0aFf0",
            "0aFg",
            "+aFf",
            " aFf",
            "0\u{e9}f",
            "0aF\u{e9}",
            "",
        ] {
            assert_eq!(decode::<2>(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn hex_encoding_is_lower_case_and_round_trips() {
        let bytes = [0x00, 0x0f, 0xa5, 0xff];
        assert_eq!(encode(&bytes, Case::Lower), "000fa5ff");
        assert_eq!(decode::<4>(&encode(&bytes, Case::Lower)), Some(bytes));
    }

    #[test]
    fn hex_encoding_in_upper_case_round_trips() {
        let bytes = [0x00, 0x0f, 0xa5, 0xff];
        assert_eq!(encode(&bytes, Case::Upper), "000FA5FF");
        assert_eq!(decode::<4>(&encode(&bytes, Case::Upper)), Some(bytes));
    }

    #[test]
    fn every_byte_encodes_as_the_standard_formatter_writes_it() {
        for byte in 0..=u8::MAX {
            let mut lower = String::new();
            let mut upper = String::new();
            push_byte(&mut lower, byte, Case::Lower);
            push_byte(&mut upper, byte, Case::Upper);
            assert_eq!(lower, format!("{byte:02x}"));
            assert_eq!(upper, format!("{byte:02X}"));
        }
    }

    #[test]
    fn constant_time_eq_sees_every_byte() {
        const LEN: usize = 20;
        let a = [7u8; LEN];
        assert!(constant_time_eq(&a, &a));
        for at in 0..LEN {
            let mut b = a;
            b[at] ^= 0x80;
            assert!(!constant_time_eq(&a, &b), "byte {at}");
        }
    }

    #[test]
    fn constant_time_eq_lets_no_two_differences_cancel() {
        // Folding the differences with `^` instead of `|` would call these
        // equal: both bytes differ by the same bit.
        let a = [0u8; 4];
        assert!(!constant_time_eq(&a, &[1, 1, 0, 0]));
        assert!(!constant_time_eq(&a, &[0x80, 0, 0, 0x80]));
        assert!(!constant_time_eq(&a, &[3, 1, 2, 0]));
    }
}
