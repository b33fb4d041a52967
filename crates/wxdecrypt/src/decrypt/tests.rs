//! The decrypt path's wipes: the work buffer is zeroed on every tier
//! (three stack sizes and the heap), on success and on failure, and a
//! session key is zeroed when dropped. Seen through `super::wipes`, the log
//! that the `Drop`s write in test builds. And its last gate: a text that
//! failed the screen answers nothing, whatever its reader accepts.

use super::wipes::{self, Kind, Wiped};
use crate::{
    EncryptedData, Error, Iv, PhoneNumber, SessionKey, UnixTime, Validation, decrypt_raw_at,
};
use wxdecrypt_testkit::encrypt::{encrypt, encrypt_blocks};

const KEY: [u8; 16] = *b"0123456789abcdef";
const IV: [u8; 16] = *b"fedcba9876543210";
const APPID: &str = "wx4f4bc4dec97d474b";
const NOW: u64 = 1_700_000_000;

/// A phone payload padded with an ignored member to `len` bytes or a few
/// more.
fn payload(len: usize) -> String {
    let head = format!(
        r#"{{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86","watermark":{{"appid":"{APPID}","timestamp":{NOW}}},"x":""#
    );
    let fill = len.saturating_sub(head.len() + 2);
    format!("{head}{}\"}}", "y".repeat(fill))
}

fn decrypt_bytes(ciphertext: &[u8]) -> Result<PhoneNumber, Error> {
    let key = SessionKey::from_bytes(KEY);
    let text = wxdecrypt_testkit::encrypt::b64(ciphertext);
    let data = EncryptedData::from_base64(&text)?;
    let validation = Validation::new(APPID);
    crate::decrypt_at::<PhoneNumber>(
        &key,
        &Iv::from_bytes(IV),
        &data,
        &validation,
        UnixTime::from_secs(NOW),
    )
    .map(|decrypted| decrypted.payload)
}

#[test]
fn the_work_buffer_is_wiped_on_every_tier() {
    // Plaintexts for the 256-byte, 512-byte and 2 KiB stack buffers and
    // for the heap, each just under and just over a tier's edge.
    for len in [150, 240, 300, 500, 1000, 2030, 2100, 5000] {
        let ciphertext = encrypt(&KEY, &IV, payload(len).as_bytes());
        wipes::take(Kind::Plaintext);
        let phone = decrypt_bytes(&ciphertext).expect("decrypts");
        assert_eq!(phone.pure_phone_number(), "13580006666");
        assert_eq!(
            wipes::take(Kind::Plaintext),
            [Wiped {
                kind: Kind::Plaintext,
                len: ciphertext.len(),
                zeroed: true
            }],
            "plaintext of {len} bytes"
        );
    }
}

#[test]
fn the_work_buffer_is_wiped_when_decryption_fails() {
    // Bad padding, and a text that is not JSON, on a stack and the heap tier.
    for len in [64, 4096] {
        let blocks = vec![0x41; len];
        for ciphertext in [
            encrypt_blocks(&KEY, &IV, &blocks),
            encrypt(&KEY, &IV, &blocks),
        ] {
            wipes::take(Kind::Plaintext);
            assert_eq!(decrypt_bytes(&ciphertext), Err(Error::Decryption));
            assert_eq!(
                wipes::take(Kind::Plaintext),
                [Wiped {
                    kind: Kind::Plaintext,
                    len: ciphertext.len(),
                    zeroed: true
                }],
                "{len} bytes"
            );
        }
    }
}

#[test]
fn the_raw_path_wipes_its_buffer_too() {
    let ciphertext = encrypt(&KEY, &IV, payload(400).as_bytes());
    let text = wxdecrypt_testkit::encrypt::b64(&ciphertext);
    let data = EncryptedData::from_base64(&text).unwrap();
    wipes::take(Kind::Plaintext);
    let raw = decrypt_raw_at(
        &SessionKey::from_bytes(KEY),
        &Iv::from_bytes(IV),
        &data,
        &Validation::new(APPID),
        UnixTime::from_secs(NOW),
    )
    .unwrap();
    assert!(raw.payload.as_str().starts_with('{'));
    assert_eq!(
        wipes::take(Kind::Plaintext),
        [Wiped {
            kind: Kind::Plaintext,
            len: ciphertext.len(),
            zeroed: true
        }]
    );
}

#[test]
fn a_session_key_is_wiped_when_dropped() {
    wipes::take(Kind::SessionKey);
    let parsed = SessionKey::from_base64("tiihtNczf5v6AKRyjwEUhQ==").unwrap();
    let raw = SessionKey::from_bytes([0xa5; 16]);
    assert!(wipes::take(Kind::SessionKey).is_empty());
    drop(parsed);
    drop(raw);
    assert_eq!(
        wipes::take(Kind::SessionKey),
        [Wiped {
            kind: Kind::SessionKey,
            len: 16,
            zeroed: true
        }; 2]
    );
}

#[test]
fn a_valid_payload_behind_a_bad_padding_is_refused() {
    // The last byte announces 3 bytes of padding, but the two before it are
    // not 3: the announced text is a valid phone payload all the same.
    let text = payload(150);
    let mut blocks = text.into_bytes();
    let pad = 16 - (blocks.len() + 3) % 16;
    blocks.extend(std::iter::repeat_n(b' ', pad));
    blocks.extend([0x01, 0x02, 0x03]);
    assert_eq!(blocks.len() % 16, 0);
    let ciphertext = encrypt_blocks(&KEY, &IV, &blocks);
    assert_eq!(decrypt_bytes(&ciphertext), Err(Error::Decryption));
    // The same bytes with the padding set right decrypt.
    let n = blocks.len();
    blocks[n - 3..].copy_from_slice(&[3, 3, 3]);
    let ciphertext = encrypt_blocks(&KEY, &IV, &blocks);
    assert!(decrypt_bytes(&ciphertext).is_ok());
}

/// Decrypts `blocks` (encrypted with no padding added) through the decrypt
/// path's buffer, the screen and `reader`.
fn read_with<R>(blocks: &[u8], reader: impl FnOnce(&str) -> Result<R, Error>) -> Result<R, Error> {
    let text = wxdecrypt_testkit::encrypt::b64(&encrypt_blocks(&KEY, &IV, blocks));
    let data = EncryptedData::from_base64(&text)?;
    super::with_plaintext(
        &SessionKey::from_bytes(KEY),
        &Iv::from_bytes(IV),
        &data,
        reader,
    )
}

#[test]
fn only_a_screened_text_answers_whatever_its_reader_accepts() {
    // A failed screen hands on the empty text, which every parse refuses;
    // the final match refuses it again, so that no reader of the text (one
    // that accepts the empty text, or answers a policy error) can make a
    // text with a bad padding answer. Here the readers accept everything.
    // `{}`, then a padding whose last byte announces 3 but whose two before
    // it are not 3.
    let mut blocks = b"{}".to_vec();
    blocks.extend(std::iter::repeat_n(b' ', 11));
    blocks.extend([0x01, 0x02, 0x03]);
    let accept_all = |text: &str| Ok(text.len());
    let expired = |_: &str| -> Result<usize, Error> {
        Err(Error::Expired {
            timestamp: 0,
            now: NOW,
            max_age: 300,
        })
    };
    assert_eq!(read_with(&blocks, accept_all), Err(Error::Decryption));
    assert_eq!(read_with(&blocks, expired), Err(Error::Decryption));
    // With the padding set right, the readers' answers come out.
    blocks[13..].copy_from_slice(&[3, 3, 3]);
    assert_eq!(read_with(&blocks, accept_all), Ok(13));
    assert!(matches!(
        read_with(&blocks, expired),
        Err(Error::Expired { .. })
    ));
}
