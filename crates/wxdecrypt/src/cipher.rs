//! AES-128-CBC decryption in place, and a constant-time PKCS#7 check.

use aes::Aes128Dec;
use cbc::cipher::{BlockModeDecrypt as _, InOutBuf, KeyIvInit as _};

use crate::input::BLOCK;

/// Marker for a failed padding check. It carries nothing on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadPadding;

/// Decrypts `buf` in place and returns the length of the plaintext once the
/// PKCS#7 padding is removed.
///
/// `buf` must be a non-empty multiple of 16 bytes (the caller's
/// [`EncryptedData`](crate::EncryptedData) guarantees it); anything else is
/// reported as bad padding rather than a panic.
pub(crate) fn decrypt_in_place(
    key: &[u8; BLOCK],
    iv: &[u8; BLOCK],
    buf: &mut [u8],
) -> Result<usize, BadPadding> {
    if !decrypt_blocks(key, iv, buf) {
        return Err(BadPadding);
    }
    unpad(buf)
}

/// Decrypts `buf` in place, leaving the padding; `false` (and `buf`
/// untouched) unless `buf` is a non-empty multiple of 16 bytes.
pub(crate) fn decrypt_blocks(key: &[u8; BLOCK], iv: &[u8; BLOCK], buf: &mut [u8]) -> bool {
    if buf.is_empty() || !buf.len().is_multiple_of(BLOCK) {
        return false;
    }
    let mut decryptor = cbc::Decryptor::<Aes128Dec>::new(key.into(), iv.into());
    let (blocks, _tail) = InOutBuf::from(&mut *buf).into_chunks();
    decryptor.decrypt_blocks_inout(blocks);
    true
}

/// Checks PKCS#7 padding and returns the unpadded length.
///
/// The verdict comes from [`padding_is_valid`] and the length from
/// [`announced_len`]; the one data-dependent branch is on the verdict.
pub(crate) fn unpad(buf: &[u8]) -> Result<usize, BadPadding> {
    if padding_is_valid(buf) {
        Ok(announced_len(buf))
    } else {
        Err(BadPadding)
    }
}

/// Whether `buf` ends with valid PKCS#7 padding: a pad length of 1 to 16,
/// and every pad byte equal to it. `false` for a buffer shorter than a block.
pub(crate) fn padding_is_valid(buf: &[u8]) -> bool {
    last_block(buf).is_some_and(|block| core::hint::black_box(padding_verdict(block)) == 1)
}

/// The last 16 bytes of `buf` as one word, the first of them in the lowest
/// byte; `None` when `buf` is shorter than a block (its length is public).
#[inline]
pub(crate) fn last_block(buf: &[u8]) -> Option<u128> {
    let at = buf.len().checked_sub(BLOCK)?;
    let mut block = [0u8; BLOCK];
    block.copy_from_slice(buf.get(at..)?);
    Some(u128::from_le_bytes(block))
}

/// One in every byte of a block-sized word.
const ONES: u128 = u128::MAX / 0xff;
/// The high bit of every byte.
const HIGH: u128 = ONES * 0x80;
/// The low seven bits of every byte.
const LOW7: u128 = ONES * 0x7f;
/// In each byte, one more than its distance from the end of the block: 16
/// in the first byte, down to 1 in the last.
const DISTANCE_PLUS_ONE: u128 =
    u128::from_be_bytes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);

/// 1 when `block` (the last block, as [`last_block`] reads it) ends with
/// valid PKCS#7 padding, else 0: the pad length (its last byte) is 1 to 16,
/// and every byte within that distance of the end equals it.
///
/// All 16 bytes are looked at whatever the pad length, a byte at a time in
/// one word and with arithmetic only, so the time taken depends neither on
/// the pad length nor on where a mismatch is. (`subtle`'s ordered
/// comparisons loop over bits and cost ten times as much.)
#[inline]
pub(crate) fn padding_verdict(block: u128) -> u32 {
    #[allow(clippy::cast_possible_truncation)] // the last byte, on purpose
    let pad = (block >> 120) as u8;
    // `pad - 1` is below 16 exactly when pad is 1 to 16 (0 wraps to the
    // top): one expression, not two range checks whose bits never meet (an
    // `^` between them would be a mutation no test can see).
    // `+ 15` carries into bit 4 exactly when that remainder is not zero.
    let out_of_range = (u32::from(pad.wrapping_sub(1) >> 4) + 15) >> 4;
    // The high bit of each byte inside the padding: there, and only there,
    // the pad length is at least the byte's distance from the end plus one,
    // so adding 0x80 minus that sets the byte's high bit. The pad is taken
    // mod 32 (17 to 31 are refused by the range check anyway), so no byte
    // exceeds 31 + 0x7f and nothing carries into the next one.
    let in_pad = (ONES * u128::from(pad & 0x1f) + (HIGH - DISTANCE_PLUS_ONE)) & HIGH;
    // The high bit of each byte that differs from the pad length: a
    // non-zero low seven bits carry into it, or it was set already.
    let diff = block ^ (ONES * u128::from(pad));
    let differs = (((diff & LOW7) + LOW7) | diff) & HIGH;
    let mismatch = differs & in_pad;
    // Every set bit of `mismatch` is a byte's high bit; fold the word to
    // one bit without a comparison.
    #[allow(clippy::cast_possible_truncation)] // both halves, on purpose
    let folded = (mismatch as u64) | ((mismatch >> 64) as u64);
    #[allow(clippy::cast_possible_truncation)] // 0 or 1
    let any = ((folded.wrapping_neg() | folded) >> 63) as u32;
    1 ^ (out_of_range | any)
}

/// The plaintext length that the last byte of `buf` announces, read as a
/// pad length whether it is valid or not: `buf.len() - ((last - 1) % 16 + 1)`,
/// which equals [`unpad`]'s result whenever the padding is valid.
///
/// Computed with arithmetic only, so that what follows a padding check can
/// take a text of this length on both outcomes (see `decrypt.rs`).
pub(crate) fn announced_len(buf: &[u8]) -> usize {
    let last = buf.last().map_or(1, |&b| usize::from(b));
    let pad = (last.wrapping_sub(1) & (BLOCK - 1)) + 1;
    buf.len().saturating_sub(pad)
}

#[cfg(test)]
mod tests;
