//! Tampering: every single-bit flip of the iv and of the ciphertext of two
//! real payloads, wrong keys, truncation and reordered blocks. Everything
//! that changes the data after base64 decoding must come back as the one
//! opaque `Error::Decryption`, with one message, so that nothing can serve as
//! a padding oracle.

mod common;

use std::collections::BTreeSet;

use common::{b64, entry, real_world, text, unb64, unb64_16};
use wxdecrypt::{
    EncryptedData, Error, Iv, PhoneNumber, SessionKey, UnixTime, UserInfo, Validation,
};

/// A real payload as bytes, and the policy it is valid under.
struct Sample {
    id: &'static str,
    key: [u8; 16],
    iv: [u8; 16],
    ciphertext: Vec<u8>,
    plaintext: String,
    validation: Validation,
    now: UnixTime,
}

const OFFICIAL: &str = "official-wxbizdatacrypt-userinfo";
const GOPAY: &str = "gopay-phone";

fn sample(id: &'static str) -> Sample {
    let file = real_world();
    let e = entry(&file, "decrypts", id);
    let s = Sample {
        id,
        key: unb64_16(text(e, "session_key")),
        iv: unb64_16(text(e, "iv")),
        ciphertext: unb64(text(e, "encrypted_data")),
        plaintext: text(e, "plaintext").to_owned(),
        validation: Validation::new(text(e, "appid")),
        now: UnixTime::from_secs(e["watermark_timestamp"].as_u64().unwrap()),
    };
    // Guard: untouched, the sample decrypts, so a refusal below is caused by
    // the change alone.
    assert_eq!(
        s.typed(&s.key, &s.iv, &s.ciphertext),
        Ok(()),
        "{id} untouched"
    );
    s
}

impl Sample {
    /// Decrypts modified bytes as this sample's typed kind.
    fn typed(&self, key: &[u8; 16], iv: &[u8; 16], ciphertext: &[u8]) -> Result<(), Error> {
        let key = SessionKey::from_bytes(*key);
        let iv = Iv::from_bytes(*iv);
        let text = b64(ciphertext);
        let data = EncryptedData::from_base64(&text)?;
        if self.id == OFFICIAL {
            wxdecrypt::decrypt_at::<UserInfo>(&key, &iv, &data, &self.validation, self.now)
                .map(drop)
        } else {
            wxdecrypt::decrypt_at::<PhoneNumber>(&key, &iv, &data, &self.validation, self.now)
                .map(drop)
        }
    }

    /// Decrypts the untouched ciphertext under `iv` as a `UserInfo`.
    fn user_info(&self, iv: &[u8; 16]) -> Result<UserInfo, Error> {
        let key = SessionKey::from_bytes(self.key);
        let iv = Iv::from_bytes(*iv);
        let text = b64(&self.ciphertext);
        let data = EncryptedData::from_base64(&text)?;
        wxdecrypt::decrypt_at::<UserInfo>(&key, &iv, &data, &self.validation, self.now)
            .map(|d| d.payload)
    }

    /// Decrypts modified bytes with `decrypt_raw_at`, returning the text.
    fn raw(&self, key: &[u8; 16], iv: &[u8; 16], ciphertext: &[u8]) -> Result<String, Error> {
        let key = SessionKey::from_bytes(*key);
        let iv = Iv::from_bytes(*iv);
        let text = b64(ciphertext);
        let data = EncryptedData::from_base64(&text)?;
        wxdecrypt::decrypt_raw_at(&key, &iv, &data, &self.validation, self.now)
            .map(|d| d.payload.as_str().to_owned())
    }
}

/// Records every error message seen, and the changes that were accepted.
#[derive(Default)]
struct Outcomes {
    messages: BTreeSet<String>,
    accepted: Vec<String>,
    tried: usize,
}

impl Outcomes {
    fn record(&mut self, what: impl FnOnce() -> String, result: Result<(), Error>) {
        self.tried += 1;
        match result {
            Ok(()) => self.accepted.push(what()),
            Err(err) => {
                assert_eq!(err, Error::Decryption, "{}: {err:?}", what());
                self.messages.insert(err.to_string());
            }
        }
    }

    /// Every attempt was refused, all with the one decryption message.
    fn assert_all_refused_alike(&self, context: &str) {
        assert!(self.tried > 0, "{context}: nothing tried");
        assert!(
            self.accepted.is_empty(),
            "{context}: {} of {} changes were ACCEPTED: {:#?}",
            self.accepted.len(),
            self.tried,
            self.accepted
        );
        assert_eq!(
            self.messages,
            BTreeSet::from([Error::Decryption.to_string()]),
            "{context}: one message for every failure"
        );
    }
}

fn flip(bytes: &mut [u8], bit: usize) {
    bytes[bit / 8] ^= 1 << (bit % 8);
}

/// Every flip of one bit of the iv, as the sample's typed kind.
fn iv_flips(s: &Sample) -> Outcomes {
    let mut out = Outcomes::default();
    for bit in 0..128 {
        let mut iv = s.iv;
        flip(&mut iv, bit);
        let result = s.typed(&s.key, &iv, &s.ciphertext);
        out.record(
            || {
                let text = s.raw(&s.key, &iv, &s.ciphertext).unwrap_or_default();
                format!(
                    "iv bit {bit} (byte {}): first block now {:?}",
                    bit / 8,
                    first_block(&text)
                )
            },
            result,
        );
    }
    out
}

fn first_block(text: &str) -> String {
    String::from_utf8_lossy(&text.as_bytes()[..16.min(text.len())]).into_owned()
}

/// Every flip of one bit of the ciphertext, typed and raw.
fn ciphertext_flips(s: &Sample) -> (Outcomes, Outcomes) {
    let (mut typed, mut raw) = (Outcomes::default(), Outcomes::default());
    let mut ciphertext = s.ciphertext.clone();
    for bit in 0..ciphertext.len() * 8 {
        flip(&mut ciphertext, bit);
        typed.record(
            || format!("ciphertext bit {bit}"),
            s.typed(&s.key, &s.iv, &ciphertext),
        );
        raw.record(
            || format!("ciphertext bit {bit} (raw)"),
            s.raw(&s.key, &s.iv, &ciphertext).map(drop),
        );
        flip(&mut ciphertext, bit);
    }
    assert_eq!(ciphertext, s.ciphertext);
    (typed, raw)
}

// ---------------------------------------------------------------------------

#[test]
fn both_samples_decrypt_untouched() {
    for s in [sample(OFFICIAL), sample(GOPAY)] {
        assert_eq!(s.typed(&s.key, &s.iv, &s.ciphertext), Ok(()), "{}", s.id);
        assert_eq!(
            s.raw(&s.key, &s.iv, &s.ciphertext),
            Ok(s.plaintext.clone()),
            "{}",
            s.id
        );
    }
}

#[test]
fn every_ciphertext_bit_flip_of_the_official_sample_is_refused_with_decryption() {
    let s = sample(OFFICIAL);
    let (typed, raw) = ciphertext_flips(&s);
    assert_eq!(typed.tried, 400 * 8);
    typed.assert_all_refused_alike("official sample, ciphertext flips, typed");
    raw.assert_all_refused_alike("official sample, ciphertext flips, raw");
}

#[test]
fn every_ciphertext_bit_flip_of_the_gopay_phone_is_refused_with_decryption() {
    let s = sample(GOPAY);
    let (typed, raw) = ciphertext_flips(&s);
    assert_eq!(typed.tried, 160 * 8);
    typed.assert_all_refused_alike("go-pay phone, ciphertext flips, typed");
    raw.assert_all_refused_alike("go-pay phone, ciphertext flips, raw");
}

#[test]
fn every_iv_bit_flip_of_the_gopay_phone_is_refused_with_decryption() {
    // The first block is exactly `{"phoneNumber":"`: any change breaks the
    // syntax or the field name.
    let s = sample(GOPAY);
    assert_eq!(&s.plaintext[..16], r#"{"phoneNumber":""#);
    iv_flips(&s).assert_all_refused_alike("go-pay phone, iv flips");
}

#[test]
fn iv_flips_of_the_official_sample_can_only_touch_the_open_id() {
    // The first block is `{"openId":"oGZUI`: the key and five characters of
    // the openId. CBC without a MAC lets the iv rewrite that block (README,
    // "The iv controls the first 16 bytes"), and `openId` is optional in
    // `UserInfo`, so a flip that renames the key or changes one of those
    // characters yields a well-formed payload. What must hold: the braces
    // and quotes cannot be touched, every refusal is the one opaque error,
    // and an accepted flip changes nothing but `open_id`.
    let s = sample(OFFICIAL);
    assert_eq!(&s.plaintext[..16], r#"{"openId":"oGZUI"#);
    let original = s.user_info(&s.iv).expect("untouched sample decrypts");
    let mut refused = Outcomes::default();
    let mut accepted_bytes = BTreeSet::new();
    for bit in 0..128 {
        let mut iv = s.iv;
        flip(&mut iv, bit);
        match s.user_info(&iv) {
            Ok(mut user) => {
                accepted_bytes.insert(bit / 8);
                assert_ne!(user.open_id, original.open_id, "iv bit {bit}");
                user.open_id.clone_from(&original.open_id);
                assert_eq!(user, original, "iv bit {bit} changed more than open_id");
            }
            Err(err) => refused.record(|| format!("iv bit {bit}"), Err(err)),
        }
    }
    // Bytes 0 `{`, 1 and 8 `"`, 9 `:` and 10 `"` are structure: never accepted.
    for structural in [0, 1, 8, 9, 10] {
        assert!(
            !accepted_bytes.contains(&structural),
            "byte {structural} accepted"
        );
    }
    assert!(refused.tried > 0);
    refused.assert_all_refused_alike("official sample, refused iv flips");
}

#[test]
fn an_accepted_iv_flip_changes_only_the_flipped_bit_of_the_first_block() {
    // Whatever the iv does, the payload past the first block, and so the
    // watermark, stays exactly as WeChat made it.
    for s in [sample(OFFICIAL), sample(GOPAY)] {
        for bit in 0..128 {
            let mut iv = s.iv;
            flip(&mut iv, bit);
            let Ok(text) = s.raw(&s.key, &iv, &s.ciphertext) else {
                continue;
            };
            let mut expected = s.plaintext.clone().into_bytes();
            flip(&mut expected, bit);
            assert_eq!(text.as_bytes(), expected, "{} iv bit {bit}", s.id);
        }
    }
}

#[test]
fn a_wrong_session_key_is_refused_with_decryption() {
    let official = sample(OFFICIAL);
    let gopay = sample(GOPAY);
    let mut out = Outcomes::default();
    for (s, key) in [(&official, gopay.key), (&gopay, official.key)] {
        out.record(
            || format!("{} with the other key", s.id),
            s.typed(&key, &s.iv, &s.ciphertext),
        );
        out.record(
            || format!("{} with the other key (raw)", s.id),
            s.raw(&key, &s.iv, &s.ciphertext).map(drop),
        );
    }
    out.assert_all_refused_alike("swapped keys");
}

#[test]
fn every_single_bit_change_of_the_session_key_is_refused_with_decryption() {
    for s in [sample(OFFICIAL), sample(GOPAY)] {
        let mut out = Outcomes::default();
        for bit in 0..128 {
            let mut key = s.key;
            flip(&mut key, bit);
            out.record(
                || format!("key bit {bit}"),
                s.raw(&key, &s.iv, &s.ciphertext).map(drop),
            );
        }
        out.assert_all_refused_alike(s.id);
    }
}

#[test]
fn ciphertext_without_its_last_or_first_block_is_refused_with_decryption() {
    for s in [sample(OFFICIAL), sample(GOPAY)] {
        let n = s.ciphertext.len();
        let mut out = Outcomes::default();
        for (what, cut) in [
            ("last block dropped", &s.ciphertext[..n - 16]),
            ("first block dropped", &s.ciphertext[16..]),
            ("only the first block", &s.ciphertext[..16]),
        ] {
            out.record(|| what.to_owned(), s.typed(&s.key, &s.iv, cut));
            out.record(
                || format!("{what} (raw)"),
                s.raw(&s.key, &s.iv, cut).map(drop),
            );
        }
        out.assert_all_refused_alike(s.id);
    }
}

#[test]
fn ciphertext_with_two_blocks_swapped_is_refused_with_decryption() {
    for s in [sample(OFFICIAL), sample(GOPAY)] {
        let blocks = s.ciphertext.len() / 16;
        let mut out = Outcomes::default();
        for a in 0..blocks {
            for b in a + 1..blocks {
                let mut swapped = s.ciphertext.clone();
                let (left, right) = swapped.split_at_mut(b * 16);
                left[a * 16..a * 16 + 16].swap_with_slice(&mut right[..16]);
                out.record(
                    || format!("blocks {a} and {b} swapped"),
                    s.raw(&s.key, &s.iv, &swapped).map(drop),
                );
            }
        }
        assert_eq!(out.tried, blocks * (blocks - 1) / 2);
        out.assert_all_refused_alike(s.id);
    }
}

#[test]
fn ciphertext_with_a_block_repeated_or_appended_is_refused_with_decryption() {
    for s in [sample(OFFICIAL), sample(GOPAY)] {
        let mut out = Outcomes::default();
        let blocks = s.ciphertext.len() / 16;
        for i in 0..blocks {
            let mut longer = s.ciphertext.clone();
            longer.extend_from_slice(&s.ciphertext[i * 16..i * 16 + 16]);
            out.record(
                || format!("block {i} appended"),
                s.raw(&s.key, &s.iv, &longer).map(drop),
            );
        }
        out.assert_all_refused_alike(s.id);
    }
}

#[test]
fn the_iv_of_one_sample_with_the_data_of_the_other_is_refused_with_decryption() {
    let official = sample(OFFICIAL);
    let gopay = sample(GOPAY);
    let mut out = Outcomes::default();
    out.record(
        || "official with the go-pay iv".into(),
        official.typed(&official.key, &gopay.iv, &official.ciphertext),
    );
    out.record(
        || "go-pay with the official iv".into(),
        gopay.typed(&gopay.key, &official.iv, &gopay.ciphertext),
    );
    out.assert_all_refused_alike("swapped ivs");
}
