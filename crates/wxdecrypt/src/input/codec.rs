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

use zeroize::Zeroizing;

use super::BLOCK;

/// The engine that decodes `encryptedData` (public text): the `base64`
/// crate's strict standard configuration (canonical padding and trailing
/// bits), on its SIMD engine where it has one (AVX2 or NEON, detected once).
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub(super) static CIPHERTEXT: std::sync::LazyLock<base64::engine::Simd> =
    std::sync::LazyLock::new(|| {
        base64::engine::Simd::standard(base64::engine::general_purpose::PAD)
    });
/// The engine that decodes `encryptedData`: the `base64` crate's strict
/// standard engine, where it has no SIMD engine.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub(super) static CIPHERTEXT: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::STANDARD;

/// Decodes `encryptedData` (public text) into `out`, which must be exactly as
/// long as the text decodes to, and says whether the text was valid: exactly
/// what [`CIPHERTEXT`] accepts, with the same bytes.
///
/// The `base64` crate's SIMD loop decodes whole blocks of 32 characters from
/// the start of what it is given, and only while a quad follows them: it
/// leaves the last quad to its scalar suffix decoder (which checks the
/// padding), and the quads between to its scalar quad loop, which costs
/// about three times what a lookup per character does. So those quads
/// (fewer than 8) are taken from the front instead and decoded here
/// ([`decode_quads`]: whole quads, where `=` is outside the alphabet), and
/// the crate is given the rest: whole blocks, then the last quad. The parts
/// are whole quads, so text is valid exactly when both parts are. Only
/// where the crate has a SIMD engine; elsewhere it decodes the whole text.
pub(super) fn decode_ciphertext(text: &[u8], out: &mut [u8]) -> bool {
    let valid = decode_ciphertext_in_parts(text, out);
    // Under the fuzzer and in the tests, every text is also decoded by the
    // crate alone, and the verdicts and bytes must agree.
    #[cfg(any(test, fuzzing))]
    {
        let mut whole = vec![0u8; out.len()];
        let crate_valid = decode_whole(text, &mut whole);
        assert_eq!(valid, crate_valid, "verdicts differ on {text:?}");
        assert!(!valid || whole == out, "bytes differ on {text:?}");
    }
    valid
}

/// [`decode_ciphertext`]'s work.
#[inline]
fn decode_ciphertext_in_parts(text: &[u8], out: &mut [u8]) -> bool {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        /// What the crate's SIMD loop takes at a time, in characters.
        const SIMD_BLOCK: usize = 32;
        let front_len = text.len().saturating_sub(4) % SIMD_BLOCK;
        let (front, rest) = text.split_at(front_len);
        // First: its last 4-byte store reaches one byte into the crate's
        // part of `out`, which the crate then writes.
        let valid = decode_quads(front, out);
        let Some(rest_out) = out.get_mut(front_len / 4 * 3..) else {
            return false;
        };
        decode_whole(rest, rest_out) && valid
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        decode_whole(text, out)
    }
}

/// Whether [`CIPHERTEXT`] decodes all of `text` into exactly all of `out`.
#[inline]
fn decode_whole(text: &[u8], out: &mut [u8]) -> bool {
    use base64::Engine as _;
    CIPHERTEXT.decode_slice(text, out) == Ok(out.len())
}

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

/// [`DECODE`] for each place of a character in a quad: the value shifted
/// to where its 6 bits go in the quad's 24 (the first character highest),
/// and, for a byte outside the alphabet, [`SHIFTED_INVALID`] instead.
const SHIFTED: [[u32; 256]; 4] = {
    let mut tables = [[SHIFTED_INVALID; 256]; 4];
    let mut place = 0;
    while place < 4 {
        let mut c = 0;
        while c < 256 {
            if DECODE[c] != INVALID {
                tables[place][c] = (DECODE[c] as u32) << (18 - 6 * place);
            }
            c += 1;
        }
        place += 1;
    }
    tables
};
/// A [`SHIFTED`] entry for a byte outside the alphabet: only the top byte,
/// which no valid character's bits reach. Up to four of them in a quad
/// still leave the top byte non-zero when added.
const SHIFTED_INVALID: u32 = 0xff00_0000;

/// The value of a quad of public characters: their four 6-bit values in the
/// low 24 bits (the first character highest), and [`SHIFTED_INVALID`]'s bits
/// set when one of them is outside the alphabet. The four values' bits do
/// not overlap, so they are added (an `|` would leave `^` as a mutation that
/// changes nothing).
#[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
#[inline(always)]
fn quad_value(quad: [u8; 4]) -> u32 {
    SHIFTED[0][usize::from(quad[0])]
        .wrapping_add(SHIFTED[1][usize::from(quad[1])])
        .wrapping_add(SHIFTED[2][usize::from(quad[2])])
        .wrapping_add(SHIFTED[3][usize::from(quad[3])])
}

/// Decodes whole quads of public text (no padding: `=` is outside the
/// alphabet), at most 7 of them, into the start of `out`, and says whether
/// every character was in the alphabet. `out` must hold one byte more than
/// the quads decode to (left with no meaning), or nothing is decoded; more
/// than 7 quads are refused. One lookup per character in the tables shifted
/// for its place ([`SHIFTED`]), unrolled for each count: these are the
/// short runs that come before the `base64` crate's blocks.
#[inline]
pub(super) fn decode_quads(text: &[u8], out: &mut [u8]) -> bool {
    let (quads, []) = text.as_chunks::<4>() else {
        return false;
    };
    let invalid = match quads.len() {
        0 => 0,
        1 => quads_into::<1>(quads, out),
        2 => quads_into::<2>(quads, out),
        3 => quads_into::<3>(quads, out),
        4 => quads_into::<4>(quads, out),
        5 => quads_into::<5>(quads, out),
        6 => quads_into::<6>(quads, out),
        7 => quads_into::<7>(quads, out),
        _ => SHIFTED_INVALID,
    };
    invalid & SHIFTED_INVALID == 0
}

/// [`decode_quads`] for exactly `N` quads: their values or-ed (see
/// [`quad_value`]), or [`SHIFTED_INVALID`] when `out` is too short. Each
/// quad's 3 bytes are stored as 4, the fourth one the next quad's first:
/// that quad writes it again, and one 4-byte store costs less than a 2-byte
/// and a 1-byte one.
#[inline(always)] // one copy per `N`, each unrolled where it is called
#[allow(clippy::inline_always)]
fn quads_into<const N: usize>(quads: &[[u8; 4]], out: &mut [u8]) -> u32 {
    let (Ok(quads), Some(out)) = (<&[[u8; 4]; N]>::try_from(quads), out.get_mut(..3 * N + 1))
    else {
        return SHIFTED_INVALID;
    };
    let mut invalid = 0;
    for (i, quad) in quads.iter().enumerate() {
        let n = quad_value(*quad);
        invalid |= n;
        out[3 * i..3 * i + 4].copy_from_slice(&(n << 8).to_be_bytes());
    }
    invalid
}

/// Decodes the canonical base64 of 16 public bytes (22 characters, `==`, and
/// zero trailing bits), or gives `None`. A fixed-size table decode, one
/// lookup per character in a table already shifted for its place: the
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
    let mut bits = 0u128;
    let mut invalid = 0u32;
    for quad in chars.chunks_exact(4) {
        let n = quad_value([quad[0], quad[1], quad[2], quad[3]]);
        invalid |= n;
        bits = (bits << 24) + u128::from(n & 0x00ff_ffff);
    }
    // The last two characters: 6 bits, then 2 bits and 4 that must be 0.
    let (c20, c21) = (
        SHIFTED[0][usize::from(chars[20])],
        SHIFTED[3][usize::from(chars[21])],
    );
    invalid |= c20 | c21;
    let last = ((c20 >> 16) & 0xfc) + ((c21 >> 4) & 0x03);
    bits = (bits << 8) + u128::from(last);
    (invalid & SHIFTED_INVALID == 0 && c21.trailing_zeros() >= 4).then_some(bits.to_be_bytes())
}

/// One in every byte of a word.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte of a word.
const HIGH: u64 = ONES * 0x80;
/// The low seven bits of every byte of a word.
const LOW7: u64 = ONES * 0x7f;

/// The high bit of each byte of `x` (every byte below 0x80) that is at
/// least `k` (below 0x80 too). `x + HIGH` puts every byte in 0x80..=0xff
/// (added, not or-ed: the bits are disjoint, and an `|` would leave `^` as a
/// mutation no test can see), so subtracting `k` from each leaves at least 1
/// there and never borrows from the next byte; the high bit survives
/// exactly when the byte was `>= k`.
#[inline]
const fn at_least(x: u64, k: u8) -> u64 {
    ((x + HIGH) - ONES * k as u64) & HIGH
}

/// The base64 values of the 8 characters of `word` (the first character in
/// the lowest byte), one per byte, and the high bit of each byte whose
/// character is in the alphabet. Arithmetic only: no branch and no table
/// index depends on a character.
///
/// A character's value is the character plus an offset that is constant
/// over each range of the alphabet (`+`, `/`, `0-9`, `A-Z`, `a-z`, in byte
/// order): +19 for `+`, then lowered by 3 from `/`, by 12 from `0`, by 69
/// for a letter and by 6 more for a lower-case one. The letters are found
/// with one range test instead of two: clearing bit 5 takes `a-z` onto
/// `A-Z` (and nothing else there), and bit 5 then tells lower case from
/// upper. So there are seven range tests instead of nine, two of them
/// (`/` and the letters) shared by the values and the validity. Every byte
/// stays within 0..=0xff on the way (the lowerings apply only where the
/// byte is large enough: the letter ones only to letters, the others only
/// from `/` and `0` on), so plain word arithmetic does not carry from one
/// byte into the next. A byte outside the alphabet gets some value of at
/// most 0x92, and no high bit in the second word.
#[inline]
pub(super) const fn sextets(word: u64) -> (u64, u64) {
    let x = word & LOW7;
    let folded = x & !(ONES * 0x20);
    let letter = at_least(folded, b'A') - at_least(folded, b'Z' + 1);
    let (plus, after_plus) = (at_least(x, b'+'), at_least(x, b'+' + 1));
    let (slash, digit, after_nine) = (at_least(x, b'/'), at_least(x, b'0'), at_least(x, b'9' + 1));
    // A lower-case letter: a letter with bit 5 set (moved up to bit 7).
    let lower = letter & (x << 2);
    let values = x + ONES * 19
        - (slash >> 7) * 3
        - (digit >> 7) * 12
        - (letter >> 7) * 69
        - (lower >> 7) * 6;
    // Each range is "at least its first, not at least one past its last"
    // (`/` and the digits are one range); the ranges are disjoint, so at
    // most one term is set in each byte and their sum has no carries. A
    // byte with its own high bit set is not ASCII and never valid.
    let in_alphabet = (plus - after_plus) + (slash - after_nine) + letter;
    (values, in_alphabet & !word)
}

/// Packs the 6-bit values of 8 characters (one per byte, the first in the
/// lowest) into the 48 bits they stand for, the first character's bits
/// highest. The pieces put together never overlap, so they are added:
/// every change of an operator here changes the result (an `|` would leave
/// `^` as an undetectable alternative).
#[inline]
const fn pack(values: u64) -> u64 {
    const EVEN: u64 = 0x003f_003f_003f_003f;
    const PAIRS: u64 = 0x0000_0fff_0000_0fff;
    // Two characters per 16 bits, the earlier one high: 12 bits.
    let pairs = ((values & EVEN) << 6) + ((values >> 8) & EVEN);
    // Four characters per 32 bits: 24 bits, i.e. three bytes.
    let quads = ((pairs & PAIRS) << 12) + ((pairs >> 16) & PAIRS);
    // The two groups of three bytes, the first one high.
    ((quads & 0x00ff_ffff) << 24) + (quads >> 32)
}

/// Decodes the canonical base64 of 16 secret bytes into `out` in constant
/// time, and says whether the text was valid (22 alphabet characters whose
/// last one has zero trailing bits, then `==`). Only the final verdict is a
/// branch.
///
/// The 24 characters are read as three words of 8 and decoded a word at a
/// time ([`sextets`], [`pack`]). Every problem (a character outside the
/// alphabet, trailing bits in the 22nd, a last two that are not `==`) sets
/// the high bit of its character's byte in that word's `bad` mask, and the
/// three masks are or-ed: two problems in the same byte of two words
/// (`!` at 0 and at 8) are still two set bits, so an `^` would let them
/// cancel and the tests give such pairs.
pub(super) fn decode_16_constant_time(text: &[u8; BASE64_16_LEN], out: &mut [u8; BLOCK]) -> bool {
    /// Bytes 0 to 5 of the last word hold characters, 6 and 7 the `==`.
    const CHARS: u64 = 0x0000_8080_8080_8080;
    const PADDING: u64 = 0x8080_0000_0000_0000;
    let word = |at: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&text[at..at + 8]);
        u64::from_le_bytes(bytes)
    };
    let (first, second, last) = (word(0), word(8), word(16));
    let (values0, valid0) = sextets(first);
    let (values1, valid1) = sextets(second);
    let (values2, valid2) = sextets(last);
    // The high bit of a byte that is zero: `=` where `=` belongs.
    let diff = last ^ (ONES * u64::from(b'='));
    let equals = !(((diff & LOW7) + LOW7) | diff) & HIGH;
    let expected = (valid2 & CHARS) + (equals & PADDING);
    // The 22nd character (byte 5) carries 2 bits of data and 4 that must be
    // zero: a non-zero low nibble sets its byte's high bit.
    let trailing = ((values2 & 0x0000_0f00_0000_0000) + 0x0000_7f00_0000_0000) & CHARS;
    let bad0 = !valid0 & HIGH;
    let bad1 = !valid1 & HIGH;
    let bad2 = (!expected & HIGH) | trailing;
    let bad = bad0 | bad1 | bad2;
    let (bits0, bits1, bits2) = (pack(values0), pack(values1), pack(values2));
    // 48 bits from each word, the first word's highest; of the last word's
    // 48, bytes 12 to 14, then the 16th byte (the 21st character's 6 bits
    // and the top 2 of the 22nd), then the rest of the 22nd and the `==`,
    // which are dropped. The pieces do not overlap, so they are added.
    *out = ((u128::from(bits0) << 80) + (u128::from(bits1) << 32) + u128::from(bits2 >> 16))
        .to_be_bytes();
    core::hint::black_box(bad) == 0
}

/// Encodes 16 secret bytes as canonical base64 (22 characters and `==`) in
/// constant time, into a buffer wiped when dropped: the inverse of
/// [`decode_16_constant_time`].
pub(super) fn encode_16_constant_time(bytes: &[u8; BLOCK]) -> Zeroizing<[u8; BASE64_16_LEN]> {
    let mut text = Zeroizing::new([b'='; BASE64_16_LEN]);
    for (triple, quad) in bytes.chunks_exact(3).zip(text.chunks_exact_mut(4)) {
        // Disjoint bits, added (an `|` would leave `^` as an unseen mutation).
        let n = (u32::from(triple[0]) << 16) + (u32::from(triple[1]) << 8) + u32::from(triple[2]);
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
