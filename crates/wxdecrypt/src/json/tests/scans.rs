//! The byte scans (`plain_end`, `quick_u64`) against naive references.

use super::*;
use crate::json::number::quick_u64;
use crate::json::read::{STRING_STOP, plain_end};

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
