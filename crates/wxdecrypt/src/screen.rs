//! The constant-time screen between the cipher and the parser: the text a
//! decrypted buffer announces goes on to the UTF-8 and JSON checks only when
//! its padding is valid and it can be a JSON object at both ends.
//!
//! Why. The parse takes longer the further a text gets, and with a one-block
//! message `iv' || C` an attacker sets every plaintext byte through the iv,
//! so the parse time answers questions such as "is the first byte `{`?"
//! (`dudect_padding` in crates/measure measures it). The screen computes,
//! without a branch or a secret-dependent index,
//!
//! > padding valid AND first byte `{` or JSON whitespace AND last text byte
//! > `}` or JSON whitespace,
//!
//! and a text that fails it is handed on as the empty text, which every
//! parse refuses at once: a failing text then costs the same whatever its
//! bytes, for a given ciphertext length. Every JSON object text (RFC 8259:
//! whitespace, object, whitespace) passes, and the parser accepts nothing
//! else at the top level, so no payload that decrypts today is refused.
//!
//! What it leaves. The screen's own verdict is visible (a text that passes
//! is parsed), so it is itself an oracle, for the three conditions at once:
//! a blind attacker must now hit them together (about 2^8 × (256/5)^2 ≈
//! 2^19 guesses for a block, instead of 2^8 for "is P[0] `{`?") before the
//! parse says anything. But the user attacking their own session knows most
//! of a genuine payload (their number, the appid, the time), can keep its
//! genuine last blocks (a `}` and a valid padding) and only ask about the
//! first byte; and once a text passes, how far the parse gets still depends
//! on its bytes. That part cannot be removed without a MAC over the
//! ciphertext (a forged text would then be refused before it is decrypted,
//! and only the MAC check's constant time would remain); WeChat's format has
//! none, and making the JSON parse constant-time would cost the whole text
//! at its worst case on every call. What ends the attack is the failure
//! budget of the README's Security section: drop a session's key after a few
//! decryption failures.

use crate::cipher;
use crate::input::BLOCK;

/// Screens the decrypted `buf` (padding still on): the announced text's
/// length when it passes, with `true`; `(false, 0)` otherwise.
///
/// The verdict and the length are computed with arithmetic masks: the time
/// depends on `buf.len()` only.
pub(crate) fn screen(buf: &[u8]) -> (bool, usize) {
    // A buffer shorter than a block has no padding; its length is public.
    let (Some(block), Some(&first)) = (cipher::last_block(buf), buf.first()) else {
        return (false, 0);
    };
    let padding = cipher::padding_verdict(block);
    let close = closes(last_text_byte(buf, block));
    let pass = core::hint::black_box(padding & opens(first) & close);
    let mask = 0usize.wrapping_sub(usize::from(pass == 1));
    (pass == 1, cipher::announced_len(buf) & mask)
}

// Sets of ASCII bytes, one bit per byte. The bits are distinct, so they are
// added (a `|` there could be mutated to `^` with no effect a test can see).
/// The four JSON whitespace bytes.
const WHITESPACE: u128 = (1 << b' ') + (1 << b'\t') + (1 << b'\n') + (1 << b'\r');
/// The bytes a JSON object text can start with.
const OPENS: u128 = WHITESPACE + (1 << b'{');
/// The bytes a JSON object text can end with.
const CLOSES: u128 = WHITESPACE + (1 << b'}');

/// 1 when `b` is in `set` (a set of ASCII bytes), else 0: a shift by the
/// byte rather than a comparison or a table lookup.
#[inline]
fn member(set: u128, b: u8) -> u32 {
    // 1 for ASCII, 0 from 0x80 on (which no set holds).
    let ascii = u32::from(b >> 7) ^ 1;
    #[allow(clippy::cast_possible_truncation)] // the low bit, on purpose
    let bit = (set >> (b & 0x7f)) as u32 & 1;
    bit & ascii
}

/// 1 when a JSON object text can start with `b`.
#[inline]
fn opens(b: u8) -> u32 {
    member(OPENS, b)
}

/// 1 when a JSON object text can end with `b`.
#[inline]
fn closes(b: u8) -> u32 {
    member(CLOSES, b)
}

/// The byte just before the padding the last byte announces (read as
/// [`cipher::announced_len`] reads it), chosen from `block` (the last 16
/// bytes of `buf`, as [`cipher::last_block`] reads them) and the byte before
/// it without a secret-dependent index; 0 (neither `}` nor whitespace) when
/// the announced text is empty.
fn last_text_byte(buf: &[u8], block: u128) -> u8 {
    // The byte before the last block: the text's last byte when the pad is
    // 16. No byte (0) when the buffer is one block.
    let before = buf
        .len()
        .checked_sub(BLOCK + 1)
        .map_or(0, |i| buf.get(i).copied().unwrap_or(0));
    #[allow(clippy::cast_possible_truncation)] // the last byte, on purpose
    let pad = (u32::from((block >> 120) as u8).wrapping_sub(1) & 15) + 1;
    // Within the last block the text's last byte is at index 15 - pad; for
    // pad 16 that wraps to 15, the pad byte 0x10, which is masked off.
    let index = 15u32.wrapping_sub(pad) & 15;
    #[allow(clippy::cast_possible_truncation)] // the low byte, on purpose
    let inside = (block >> (8 * index)) as u8;
    #[allow(clippy::cast_possible_truncation)] // 0 or 0xff
    let full = 0u32.wrapping_sub((pad >> 4) & 1) as u8;
    // `before` where `full` is all ones, else `inside`. (Not `(inside &
    // !full) | (before & full)`: its `|` would be a mutant no test can
    // see, the two halves never sharing a bit.)
    inside ^ ((inside ^ before) & full)
}

#[cfg(test)]
mod tests;
