//! The fixed-size base64 codecs for 16-byte values, and the length rule of
//! padded base64.
//!
//! What is deemed public here: the iv and the `encryptedData` text (sent in
//! the clear by the mini program), the length of any text and whether it
//! ends with `=`, and the single verdict "this key text was valid". Those
//! may be decoded with a table and with branches ([`decode_16_public`],
//! [`DECODE`]). What is secret: the characters of a `session_key` and the
//! bytes they stand for. They are decoded by [`decode_16_constant_time`] and
//! encoded by [`encode_16_constant_time`], with arithmetic only: no branch
//! and no table index depends on a key character or byte. Two paths outside
//! this file do look at a key's characters, both in `damage.rs`: explaining
//! why a key's text was rejected (a valid key never gets there), and the
//! repair that the lenient mode asks for.

use zeroize::{Zeroize, Zeroizing};

use super::BLOCK;

/// Length of the base64 text of 16 bytes, with its `==` padding.
pub(super) const BASE64_16_LEN: usize = 24;

/// Value of each base64 character, or `INVALID`.
pub(super) const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < alphabet.len() {
        #[allow(clippy::cast_possible_truncation)] // i < 64
        {
            table[alphabet[i] as usize] = i as u8;
        }
        i += 1;
    }
    table
};
pub(super) const INVALID: u8 = 0xff;

/// Decodes the canonical base64 of 16 public bytes (22 characters, `==`, and
/// zero trailing bits), or gives `None`. A fixed-size table decode: the
/// general-purpose engine spends five times as long on such a short input.
/// Never used for the session key (its table lookups are not constant-time).
pub(super) fn decode_16_public(text: &[u8]) -> Option<[u8; BLOCK]> {
    let Ok(text) = <&[u8; BASE64_16_LEN]>::try_from(text) else {
        return None;
    };
    let (chars, padding) = text.split_at(22);
    if padding != b"==" {
        return None;
    }
    let mut out = [0u8; BLOCK];
    let mut invalid = 0u8;
    let mut value = |c: u8| {
        let v = DECODE[usize::from(c)];
        invalid |= v;
        u32::from(v)
    };
    for (quad, bytes) in chars.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        let n = value(quad[0]) << 18 | value(quad[1]) << 12 | value(quad[2]) << 6 | value(quad[3]);
        bytes.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    let (c20, c21) = (value(chars[20]), value(chars[21]));
    // The last character carries 2 bits of data and 4 bits that must be 0.
    #[allow(clippy::cast_possible_truncation)] // 8 bits by construction
    {
        out[15] = ((c20 << 2) | (c21 >> 4)) as u8;
    }
    (invalid & 0xc0 == 0 && c21.trailing_zeros() >= 4).then_some(out)
}

/// The value (0 to 63) of a base64 character, or -1, computed with
/// arithmetic only: no branch and no table lookup depends on the character.
///
/// `((lo - c) & (c - hi)) >> 8` is all ones exactly when `lo < c < hi` (both
/// differences are then negative, and every difference stays within
/// `-256..256`), and zero otherwise; each range adds its offset to the
/// starting -1 only when `c` falls inside it.
#[inline]
pub(super) fn sextet(c: u8) -> i16 {
    let c = i16::from(c);
    let inside = |lo: i16, hi: i16| ((lo - c) & (c - hi)) >> 8;
    -1 + (inside(0x40, 0x5b) & (c - 0x40)) // A-Z: 0..=25
        + (inside(0x60, 0x7b) & (c - 0x46)) // a-z: 26..=51
        + (inside(0x2f, 0x3a) & (c + 0x05)) // 0-9: 52..=61
        + (inside(0x2a, 0x2c) & 63) // '+': 62
        + (inside(0x2e, 0x30) & 64) // '/': 63
}

/// Decodes the canonical base64 of 16 secret bytes into `out` in constant
/// time, and says whether the text was valid (22 alphabet characters whose
/// last one has zero trailing bits, then `==`). Only the final verdict is a
/// branch.
///
/// Measured with callgrind, this costs about a third of a general
/// constant-time decoder (`base64ct`) on a session key, and it is checked
/// against `base64ct` on random and edge-case inputs in the tests.
pub(super) fn decode_16_constant_time(text: &[u8; BASE64_16_LEN], out: &mut [u8; BLOCK]) -> bool {
    // Two simple loops over fixed-size arrays, so that the compiler can
    // vectorise them; the values of the two `=` are computed and ignored.
    let mut values = [0i16; BASE64_16_LEN];
    for (value, &c) in values.iter_mut().zip(text) {
        *value = sextet(c);
    }
    let invalid = values[..22].iter().fold(0, |acc, &v| acc | v);
    // The sign bit is set when a character was not in the alphabet (its
    // value was -1); the low 4 bits of the last character must be zero in
    // canonical base64.
    let invalid = (invalid & i16::MIN) | (values[21] & 0x0f);
    #[allow(clippy::cast_sign_loss)] // masked to 6 bits
    let bits = |v: i16| (v & 0x3f) as u32;
    for (quad, bytes) in values.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        let n = bits(quad[0]) << 18 | bits(quad[1]) << 12 | bits(quad[2]) << 6 | bits(quad[3]);
        bytes.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    #[allow(clippy::cast_possible_truncation)] // 8 bits by construction
    {
        out[15] = (bits(values[20]) << 2 | bits(values[21]) >> 4) as u8;
    }
    values.zeroize();
    let padded = text[22] == b'=' && text[23] == b'=';
    core::hint::black_box(invalid) == 0 && padded
}

/// Encodes 16 secret bytes as canonical base64 (22 characters and `==`) in
/// constant time, into a buffer wiped when dropped: the inverse of
/// [`decode_16_constant_time`].
pub(super) fn encode_16_constant_time(bytes: &[u8; BLOCK]) -> Zeroizing<[u8; BASE64_16_LEN]> {
    let mut text = Zeroizing::new([b'='; BASE64_16_LEN]);
    for (triple, quad) in bytes.chunks_exact(3).zip(text.chunks_exact_mut(4)) {
        let n = u32::from(triple[0]) << 16 | u32::from(triple[1]) << 8 | u32::from(triple[2]);
        for (slot, shift) in quad.iter_mut().zip([18, 12, 6, 0]) {
            *slot = base64_char(n >> shift);
        }
    }
    // The 16th byte: 6 bits, then 2 bits followed by four zero bits.
    let last = u32::from(bytes[15]);
    text[20] = base64_char(last >> 2);
    text[21] = base64_char(last << 4);
    text
}

/// The base64 character for the low 6 bits of `v`, computed with arithmetic
/// only (no branch and no table lookup depends on `v`): the inverse of
/// [`sextet`].
///
/// The character is `v` plus an offset: that of `A`, moved on to the offset
/// of the next range each time `v` is past a range's last value (`a` from
/// 26, `0` from 52, `+` at 62, `/` at 63). `(last - v) >> 8` is all ones
/// exactly when `v` is past `last`, and zero otherwise.
#[inline]
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 6 bits in, 43..=122 out
pub(super) fn base64_char(v: u32) -> u8 {
    let v = (v & 0x3f) as i16;
    let past = |last: i16| (last - v) >> 8;
    let upper = i16::from(b'A');
    let lower = i16::from(b'a') - 26;
    let digit = i16::from(b'0') - 52;
    let plus = i16::from(b'+') - 62;
    let slash = i16::from(b'/') - 63;
    let offset = upper
        + (past(25) & (lower - upper))
        + (past(51) & (digit - lower))
        + (past(61) & (plus - digit))
        + (past(62) & (slash - plus));
    (v + offset) as u8
}

/// The decoded length of padded base64 text, from its length and trailing
/// `=` alone; `None` when the length is not a multiple of 4.
pub(super) fn padded_decoded_len(text: &[u8]) -> Option<usize> {
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let pad = text
        .iter()
        .rev()
        .take(2)
        .take_while(|&&b| b == b'=')
        .count();
    Some(text.len() / 4 * 3 - pad)
}
