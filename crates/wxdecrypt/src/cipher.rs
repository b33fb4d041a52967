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
///
/// All 16 bytes of the last block are read whatever the pad length, and the
/// verdict is built with arithmetic masks rather than comparisons or
/// branches, so the time taken does not depend on the pad length or on
/// where a mismatch is. (`subtle`'s ordered comparisons loop over bits and
/// cost ten times as much; the same technique, written out for 16 bytes.)
pub(crate) fn padding_is_valid(buf: &[u8]) -> bool {
    let Some(last_block) = buf.len().checked_sub(BLOCK).and_then(|at| buf.get(at..)) else {
        return false;
    };
    let pad = u32::from(last_block[BLOCK - 1]);
    // `pad - 1` is below 16 exactly when pad is 1 to 16 (0 wraps to the
    // top), so its bits above the low four are all clear exactly then; the
    // negation of that non-zero remainder sets bit 31. One expression, not
    // two or-ed range checks whose bits never meet (an `^` there would be a
    // mutation no test can see).
    let mut bad = 0u32.wrapping_sub(pad.wrapping_sub(1) >> 4);
    for (distance, &byte) in (0u32..).zip(last_block.iter().rev()) {
        // All ones when this byte is inside the padding (distance < pad).
        let in_pad = 0u32.wrapping_sub(distance.wrapping_sub(pad) >> 31);
        // Bit 31 is set when this padding byte differs from the pad length.
        let differs = 0u32.wrapping_sub(u32::from(byte) ^ pad);
        bad |= in_pad & differs;
    }
    core::hint::black_box(bad) >> 31 == 0
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
