//! The test encryptor: AES-128-CBC from the `aes` and `cbc` crates with
//! PKCS#7 padding written out by hand, so that round trips never use the
//! crate under test to make their input; and standard base64 (the `base64`
//! crate) both ways.

use aes::Aes128;
use base64::Engine as _;
use cbc::cipher::{BlockModeEncrypt as _, InOutBuf, KeyIvInit as _};

/// Standard padded base64, as `WeChat` sends it.
#[must_use]
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard padded base64.
///
/// # Panics
/// If `text` is not valid base64 (test data only).
#[must_use]
pub fn unb64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("test data is valid base64")
}

/// Decodes a 16-byte key or iv from standard padded base64.
///
/// # Panics
/// If `text` is not valid base64 or does not decode to 16 bytes.
#[must_use]
pub fn unb64_16(text: &str) -> [u8; 16] {
    unb64(text).try_into().expect("16 bytes")
}

/// `plaintext` followed by its PKCS#7 padding: 1 to 16 bytes, each equal to
/// the number of bytes added.
///
/// # Panics
/// Never: a pad length is 1 to 16.
#[must_use]
pub fn pkcs7(plaintext: &[u8]) -> Vec<u8> {
    let pad = 16 - plaintext.len() % 16;
    let mut out = plaintext.to_vec();
    out.resize(
        plaintext.len() + pad,
        u8::try_from(pad).expect("a pad is 1 to 16 bytes"),
    );
    out
}

/// AES-128-CBC over whole blocks, nothing added.
///
/// # Panics
/// If `blocks` is not a whole number of 16-byte blocks.
#[must_use]
pub fn encrypt_blocks(key: &[u8; 16], iv: &[u8; 16], blocks: &[u8]) -> Vec<u8> {
    let mut buf = blocks.to_vec();
    let mut encryptor = cbc::Encryptor::<Aes128>::new(key.into(), iv.into());
    let (chunks, tail) = InOutBuf::from(&mut buf[..]).into_chunks();
    assert!(tail.is_empty(), "whole blocks only");
    encryptor.encrypt_blocks_inout(chunks);
    buf
}

/// AES-128-CBC with PKCS#7, as `WeChat` encrypts.
#[must_use]
pub fn encrypt(key: &[u8; 16], iv: &[u8; 16], plaintext: &[u8]) -> Vec<u8> {
    encrypt_blocks(key, iv, &pkcs7(plaintext))
}

#[cfg(test)]
mod tests {
    use super::{b64, encrypt, encrypt_blocks, pkcs7, unb64, unb64_16};

    #[test]
    fn pads_one_to_sixteen_bytes() {
        assert_eq!(pkcs7(b""), vec![16; 16]);
        assert_eq!(pkcs7(&[7; 15]), [vec![7; 15], vec![1]].concat());
        assert_eq!(pkcs7(&[7; 16]), [vec![7; 16], vec![16; 16]].concat());
    }

    #[test]
    fn matches_the_fips_197_vector() {
        // FIPS-197 appendix C.1: with a zero iv, CBC's first block is the
        // plain AES-128 encryption of the plaintext.
        let key: [u8; 16] = core::array::from_fn(|i| u8::try_from(i).unwrap());
        let block: Vec<u8> = (0..16u8).map(|i| i * 0x11).collect();
        let expected = [
            0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4,
            0xc5, 0x5a,
        ];
        assert_eq!(encrypt_blocks(&key, &[0; 16], &block), expected);
        assert_eq!(encrypt(&key, &[0; 16], &block).len(), 32);
    }

    #[test]
    fn base64_round_trips() {
        assert_eq!(b64(b"any carnal pleas"), "YW55IGNhcm5hbCBwbGVhcw==");
        assert_eq!(unb64_16(&b64(b"any carnal pleas")), *b"any carnal pleas");
        assert_eq!(unb64("AQID"), [1, 2, 3]);
    }
}
