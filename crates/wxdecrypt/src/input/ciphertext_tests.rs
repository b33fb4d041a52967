//! `encryptedData`'s decoder (`decode_ciphertext`: the quads before the
//! `base64` crate's blocks decoded here, the rest by the crate) against the
//! crate's strict standard engine on the whole text: the same verdict and
//! the same bytes, on every length class (characters mod 32, each padding
//! form), with a bad character in every position (the front quads, the
//! crate's blocks, the last quad), and on random text.

use base64::Engine as _;
use proptest::prelude::*;

use super::codec::{decode_ciphertext, decode_quads, padded_decoded_len};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The crate's verdict and bytes for `text`, into a buffer of `len`.
fn reference(text: &[u8], len: usize) -> Option<Vec<u8>> {
    let mut out = vec![0; len];
    let n = base64::engine::general_purpose::STANDARD
        .decode_slice(text, &mut out)
        .ok()?;
    (n == len).then_some(out)
}

fn ours(text: &[u8], len: usize) -> Option<Vec<u8>> {
    let mut out = vec![0xa5; len];
    decode_ciphertext(text, &mut out).then_some(out)
}

/// The output length the text asks for (its padded decoded length, as
/// `EncryptedData` computes it), or one a little off it.
fn lengths(text: &[u8]) -> [usize; 3] {
    let len = padded_decoded_len(text).unwrap_or(text.len() / 4 * 3);
    [len, len.saturating_sub(1), len + 1]
}

fn assert_agrees(text: &[u8]) {
    for len in lengths(text) {
        assert_eq!(
            ours(text, len),
            reference(text, len),
            "{:?} into {len}",
            String::from_utf8_lossy(text)
        );
    }
}

/// The canonical encoding of `n` bytes that vary with `seed`.
fn encoding(n: usize, seed: u8) -> Vec<u8> {
    let bytes: Vec<u8> = (0..n)
        .map(|i| u8::try_from(i * 37 % 251).unwrap() ^ seed)
        .collect();
    base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .into_bytes()
}

/// Every decoded length up to 200 bytes covers every length class: each
/// character count mod 32 that whole quads give, with each padding form.
#[test]
fn every_length_class_decodes_like_the_crate() {
    let mut classes = std::collections::BTreeSet::new();
    for n in 0..=200 {
        let text = encoding(n, 0x5c);
        let pad = text.iter().rev().take_while(|&&b| b == b'=').count();
        classes.insert((text.len() % 32, pad));
        assert_agrees(&text);
        let len = n;
        assert_eq!(ours(&text, len), reference(&text, len), "{n} bytes");
        assert!(ours(&text, len).is_some(), "{n} bytes refused");
    }
    // 8 classes of quads mod 32, each with the 3 padding forms.
    assert_eq!(classes.len(), 24, "{classes:?}");
}

/// A bad character in every position of texts of every length class, in
/// the front quads, in the crate's blocks and in the last quad, including
/// an early `=` and characters that break the trailing bits.
#[test]
fn a_bad_character_anywhere_is_refused_like_the_crate() {
    let bad = [b'!', b'=', b' ', b'-', b'_', 0x80, 0xff, b'A', b'B', b'/'];
    for n in [16, 31, 32, 47, 48, 63, 64, 96, 112, 128, 144, 160, 161, 162] {
        let text = encoding(n, 0x3c);
        for at in 0..text.len() {
            for &c in &bad {
                let mut damaged = text.clone();
                damaged[at] = c;
                assert_agrees(&damaged);
            }
        }
    }
}

/// Two bad characters, one in the front quads and one in the crate's part:
/// neither verdict may hide the other.
#[test]
fn a_bad_front_and_a_good_rest_and_the_reverse_are_refused() {
    let text = encoding(160, 0x11);
    // 216 characters: 20 in front, then 6 blocks and the last quad.
    assert_eq!(text.len(), 216);
    for front in [0, 7, 19] {
        for rest in [20, 100, 211, 212, 213] {
            for (a, b) in [(b'!', b'A'), (b'A', b'!'), (b'!', b'!')] {
                let mut damaged = text.clone();
                damaged[front] = a;
                damaged[rest] = b;
                assert_agrees(&damaged);
            }
        }
    }
}

/// Every byte value in the front quads and in the last quad.
#[test]
fn every_byte_value_in_the_front_and_the_last_quad() {
    let text = encoding(160, 0x77);
    for at in [0, 1, 2, 3, 18, 19, 20, 212, 213] {
        for c in 0..=255u8 {
            let mut damaged = text.clone();
            damaged[at] = c;
            assert_agrees(&damaged);
        }
    }
}

#[test]
fn decode_quads_refuses_partial_quads_and_short_output() {
    let mut out = [0u8; 16];
    assert!(decode_quads(b"", &mut out));
    assert!(decode_quads(b"QUJD", &mut out));
    assert_eq!(&out[..3], b"ABC");
    assert!(!decode_quads(b"QUJ", &mut out));
    assert!(!decode_quads(b"QUJDRA", &mut out));
    // Three bytes and the one more the stores need.
    assert!(decode_quads(b"QUJD", &mut out[..4]));
    assert!(!decode_quads(b"QUJD", &mut out[..3]));
    // Seven quads, 21 bytes and one more; eight are refused.
    let long = b"QUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJD";
    let mut out = [0u8; 25];
    assert!(decode_quads(&long[..28], &mut out));
    assert_eq!(&out[..21], b"ABCABCABCABCABCABCABC");
    assert!(!decode_quads(&long[..28], &mut out[..21]));
    assert!(!decode_quads(long, &mut out));
    let mut bad = *long;
    bad[25] = b'=';
    assert!(!decode_quads(&bad[..28], &mut out));
    // Each size refuses a bad character in its last quad, and an output
    // one byte too short.
    for quads in 1..=7 {
        let mut text = long[..4 * quads].to_vec();
        assert!(decode_quads(&text, &mut out[..=3 * quads]), "{quads}");
        assert!(!decode_quads(&text, &mut out[..3 * quads]), "{quads}");
        *text.last_mut().unwrap() = b'!';
        assert!(!decode_quads(&text, &mut out), "{quads}");
    }
    // None at all: valid, whatever the output.
    assert!(decode_quads(b"", &mut []));
}

proptest! {
    #[test]
    fn on_random_text_near_the_alphabet(
        text in proptest::collection::vec(
            prop_oneof![
                40 => proptest::sample::select(ALPHABET.to_vec()),
                1 => Just(b'='),
                1 => any::<u8>(),
            ],
            0..300,
        ),
        padding in 0..3usize,
        whole_quads in any::<bool>(),
    ) {
        let mut text = text;
        if whole_quads {
            text.truncate(text.len() / 4 * 4);
        }
        for b in text.iter_mut().rev().take(padding) {
            *b = b'=';
        }
        for len in lengths(&text) {
            prop_assert_eq!(ours(&text, len), reference(&text, len));
        }
    }

    #[test]
    fn on_encodings_of_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
        prop_assert_eq!(ours(text.as_bytes(), bytes.len()), Some(bytes));
    }
}
