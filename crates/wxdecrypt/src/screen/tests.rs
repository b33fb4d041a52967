//! Tests of the screen: against a plain reference at every pad byte and
//! every text end, and on every plaintext the vector files hold.

use super::{closes, opens, screen};
use crate::cipher;
use wxdecrypt_testkit::encrypt::pkcs7;
use wxdecrypt_testkit::vectors;

/// The screen written the obvious way, with branches and indexing.
fn reference(buf: &[u8]) -> (bool, usize) {
    let valid = buf.len() >= 16 && {
        let pad = usize::from(buf[buf.len() - 1]);
        (1..=16).contains(&pad)
            && buf[buf.len() - pad..]
                .iter()
                .all(|&b| usize::from(b) == pad)
    };
    let len = cipher::announced_len(buf);
    let ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let text = &buf[..len];
    let pass = valid
        && text.first().is_some_and(|&b| b == b'{' || ws(b))
        && text.last().is_some_and(|&b| b == b'}' || ws(b));
    (pass, if pass { len } else { 0 })
}

#[test]
fn the_byte_classes_are_exact_over_every_byte() {
    for b in 0..=255u8 {
        let ws = matches!(b, b' ' | b'\t' | b'\n' | b'\r');
        assert_eq!(opens(b), u32::from(ws || b == b'{'), "{b:#04x}");
        assert_eq!(closes(b), u32::from(ws || b == b'}'), "{b:#04x}");
    }
}

#[test]
fn every_object_text_passes_with_its_length() {
    for text in [
        "{}",
        "{\"a\":1}",
        " {}",
        "{} ",
        "\n{\"k\":[1,2]}\r\n",
        "\t{}\t",
    ] {
        let buf = pkcs7(text.as_bytes());
        assert_eq!(screen(&buf), (true, text.len()), "{text:?}");
    }
    // Every pad length 1..=16, including a whole block of padding, where
    // the text's last byte sits in the block before.
    for len in 2..=48 {
        let mut text = vec![b'a'; len];
        text[0] = b'{';
        text[len - 1] = b'}';
        let buf = pkcs7(&text);
        assert_eq!(screen(&buf), (true, len), "length {len}");
    }
}

#[test]
fn a_text_that_cannot_be_an_object_fails_with_length_zero() {
    for text in [
        "x}",
        "{x",
        "[]",
        "\"s\"",
        "1",
        "{}x",
        "\u{feff}{}",
        "{",
        "}",
        "\0{}",
    ] {
        let buf = pkcs7(text.as_bytes());
        assert_eq!(screen(&buf), (false, 0), "{text:?}");
    }
    // Valid shape, bad padding.
    let mut buf = pkcs7(b"{\"a\":\"bc\"}");
    let last = buf.len() - 1;
    buf[last - 1] ^= 1;
    assert_eq!(screen(&buf), (false, 0));
    // One block whose last byte announces 16 bytes of padding: an empty text.
    assert_eq!(screen(&[16u8; 16]), (false, 0));
    // Shorter than a block, or empty.
    assert_eq!(screen(b"{}"), (false, 0));
    assert_eq!(screen(&[]), (false, 0));
}

#[test]
fn agrees_with_the_reference_at_every_last_byte_and_text_end() {
    // Two and three blocks; for every value of the last byte, mark the byte
    // before the announced padding (and its neighbours, to catch an off-by-
    // one) with every interesting value, and the first byte likewise.
    let marks = [b'{', b'}', b' ', b'\t', b'\n', b'\r', b'x', 0, 0x10, 0xff];
    for blocks in [1usize, 2, 3] {
        for last in 0..=255u8 {
            for &first in &marks {
                for &end in &marks {
                    for shift in [0usize, 1, 2] {
                        let mut buf = vec![b'a'; blocks * 16];
                        let n = buf.len();
                        // A valid padding when `last` is a pad length.
                        let pad = usize::from(last).clamp(1, 16);
                        buf[n - pad..].fill(last);
                        let text_end = (n - pad).checked_sub(shift + 1);
                        if let Some(at) = text_end {
                            buf[at] = end;
                        }
                        buf[0] = first;
                        assert_eq!(
                            screen(&buf),
                            reference(&buf),
                            "blocks {blocks} last {last} first {first} end {end} shift {shift}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn every_vector_that_decrypts_passes() {
    let mut checked = 0;
    for file in [vectors::real_world(), vectors::generated()] {
        for entry in vectors::section(&file, "decrypts") {
            let Some(plaintext) = entry.get("plaintext").and_then(|p| p.as_str()) else {
                continue;
            };
            let buf = pkcs7(plaintext.as_bytes());
            assert_eq!(screen(&buf), (true, plaintext.len()), "{}", entry["id"]);
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} plaintexts checked");
}
