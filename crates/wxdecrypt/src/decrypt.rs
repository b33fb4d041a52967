//! The decrypt entry points: one pass from the three inputs to a checked
//! payload.

use serde::de::{DeserializeOwned, IgnoredAny};
use zeroize::Zeroize;

use crate::cipher;
use crate::error::Error;
use crate::input::{EncryptedData, Iv, SessionKey};
use crate::json;
use crate::payload::{Decrypted, RawPayload};
use crate::validation::{UnixTime, Validation};

/// Payloads up to these sizes are decrypted in a buffer on the stack, so the
/// common case allocates nothing but the strings it returns. Three sizes, so
/// that a phone number (160 bytes) or a profile (about 400) does not pay for
/// zeroing a buffer sized for WeRun data (about 1.3 KiB); 2 KiB is also where
/// `memset` switches to `rep stosb`.
const SMALL_BUFFER: usize = 256;
const MEDIUM_BUFFER: usize = 512;
const LARGE_BUFFER: usize = 2048;

/// Decrypts `data` into a `T` and checks its watermark against the system
/// clock.
///
/// `T` is any type that deserializes from WeChat's JSON: one of this crate's
/// payload types ([`PhoneNumber`](crate::PhoneNumber),
/// [`UserInfo`](crate::UserInfo), ...) or your own. It sees the whole object,
/// watermark included.
///
/// Reads the system clock, so it is not built for `wasm32-unknown-unknown`,
/// which has none: call [`decrypt_at`] with the time there.
///
/// # Errors
/// [`Error::Decryption`] for every failure after the cipher (padding, UTF-8,
/// JSON, duplicate keys, a payload that is not a `T`); an input error when
/// `data` is not valid base64; a policy error when the watermark is missing,
/// names another appid, or is too old or in the future.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub fn decrypt<T: DeserializeOwned>(
    key: &SessionKey,
    iv: &Iv,
    data: &EncryptedData<'_>,
    validation: &Validation,
) -> Result<Decrypted<T>, Error> {
    decrypt_at(key, iv, data, validation, UnixTime::now())
}

/// [`decrypt`] with the time given: for tests, replays and old samples.
///
/// # Errors
/// As [`decrypt`].
pub fn decrypt_at<T: DeserializeOwned>(
    key: &SessionKey,
    iv: &Iv,
    data: &EncryptedData<'_>,
    validation: &Validation,
    now: UnixTime,
) -> Result<Decrypted<T>, Error> {
    with_plaintext(key, iv, data, |text| {
        let (payload, watermark) = json::parse::<T>(text).map_err(|_| Error::Decryption)?;
        let watermark = validation.check(watermark.as_ref(), now)?;
        Ok(Decrypted { payload, watermark })
    })
}

/// Decrypts `data` to its JSON text, checked to be one JSON object with no
/// duplicate keys and a valid watermark, against the system clock.
///
/// Nothing else is checked: whoever knows a payload's plaintext can drop
/// its leading blocks and rewrite the new first 16 bytes through the iv
/// (README, Security), and the result is still valid JSON with a genuine
/// watermark. Check every field you rely on, or use a typed payload.
///
/// Reads the system clock, so it is not built for `wasm32-unknown-unknown`,
/// which has none: call [`decrypt_raw_at`] with the time there.
///
/// # Errors
/// As [`decrypt`].
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub fn decrypt_raw(
    key: &SessionKey,
    iv: &Iv,
    data: &EncryptedData<'_>,
    validation: &Validation,
) -> Result<Decrypted<RawPayload>, Error> {
    decrypt_raw_at(key, iv, data, validation, UnixTime::now())
}

/// [`decrypt_raw`] with the time given.
///
/// # Errors
/// As [`decrypt`].
pub fn decrypt_raw_at(
    key: &SessionKey,
    iv: &Iv,
    data: &EncryptedData<'_>,
    validation: &Validation,
    now: UnixTime,
) -> Result<Decrypted<RawPayload>, Error> {
    with_plaintext(key, iv, data, |text| {
        let (IgnoredAny, watermark) =
            json::parse::<IgnoredAny>(text).map_err(|_| Error::Decryption)?;
        let watermark = validation.check(watermark.as_ref(), now)?;
        Ok(Decrypted {
            payload: RawPayload::new(text),
            watermark,
        })
    })
}

/// Decodes and decrypts `data` into a work buffer, hands the plaintext to
/// `use_text`, and wipes the buffer whatever happens.
fn with_plaintext<R>(
    key: &SessionKey,
    iv: &Iv,
    data: &EncryptedData<'_>,
    use_text: impl FnOnce(&str) -> Result<R, Error>,
) -> Result<R, Error> {
    let len = data.decoded_len();
    if len <= SMALL_BUFFER {
        let mut stack = [0u8; SMALL_BUFFER];
        plaintext_in(&mut Wipe(&mut stack[..len]), key, iv, data, use_text)
    } else if len <= MEDIUM_BUFFER {
        let mut stack = [0u8; MEDIUM_BUFFER];
        plaintext_in(&mut Wipe(&mut stack[..len]), key, iv, data, use_text)
    } else if len <= LARGE_BUFFER {
        let mut stack = [0u8; LARGE_BUFFER];
        plaintext_in(&mut Wipe(&mut stack[..len]), key, iv, data, use_text)
    } else {
        let mut heap = vec![0u8; len];
        plaintext_in(&mut Wipe(&mut heap), key, iv, data, use_text)
    }
}

fn plaintext_in<R>(
    buf: &mut Wipe<'_>,
    key: &SessionKey,
    iv: &Iv,
    data: &EncryptedData<'_>,
    use_text: impl FnOnce(&str) -> Result<R, Error>,
) -> Result<R, Error> {
    data.decode_into(buf.0)?;
    if !cipher::decrypt_blocks(key.expose(), iv.as_bytes(), buf.0) {
        return Err(Error::Decryption);
    }
    // What follows the padding check must not tell its outcomes apart,
    // neither by the error nor by the time. The screen (screen.rs) decides
    // in constant time whether the announced text can be a JSON object with
    // a valid padding; a text that fails it goes on as the empty text, so
    // its UTF-8 check and `use_text` (JSON, shape, watermark) cost the same
    // whatever its bytes. Then a failed screen turns whatever came out, a
    // policy error included, into the one error, so no appid or age check
    // answers for a payload whose padding is wrong (tests/tamper.rs). The
    // timing is measured by the `dudect_padding` example of crates/measure.
    let (screened, len) = crate::screen::screen(buf.0);
    let result = buf
        .0
        .get(..len)
        .and_then(|plaintext| std::str::from_utf8(plaintext).ok())
        .ok_or(Error::Decryption)
        .and_then(use_text);
    match result {
        // The usual end of a forged ciphertext, whatever the verdict: the
        // verdict is not even consulted.
        Err(Error::Decryption) => Err(Error::Decryption),
        // A text that parsed (or failed a policy check) answers only when it
        // passed the screen, whose first condition is a valid padding.
        other if screened => other,
        _ => Err(Error::Decryption),
    }
}

/// A work buffer that is zeroed when dropped, on every path.
struct Wipe<'a>(&'a mut [u8]);

impl Drop for Wipe<'_> {
    fn drop(&mut self) {
        self.0.zeroize();
        #[cfg(test)]
        wipes::record(wipes::Kind::Plaintext, self.0);
    }
}

/// What the tests see of the wipes: each `Drop` that wipes a secret
/// records, in a thread-local log, which secret and whether every byte of
/// it was zero afterwards. Not compiled outside the crate's own tests.
#[cfg(test)]
pub(crate) mod wipes {
    use std::cell::RefCell;

    /// Which secret was wiped.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Kind {
        /// The decrypt path's work buffer, with its length.
        Plaintext,
        /// A [`SessionKey`](crate::SessionKey)'s bytes.
        SessionKey,
    }

    /// One wipe: the secret, its length, and whether it was all zeros.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) struct Wiped {
        pub(crate) kind: Kind,
        pub(crate) len: usize,
        pub(crate) zeroed: bool,
    }

    thread_local! {
        static LOG: RefCell<Vec<Wiped>> = const { RefCell::new(Vec::new()) };
    }

    /// Notes the wipe of `bytes` (just after it).
    pub(crate) fn record(kind: Kind, bytes: &[u8]) {
        let zeroed = bytes.iter().all(|&b| b == 0);
        LOG.with(|log| {
            log.borrow_mut().push(Wiped {
                kind,
                len: bytes.len(),
                zeroed,
            });
        });
    }

    /// The wipes of `kind` recorded on this thread since the last call,
    /// which forgets them.
    pub(crate) fn take(kind: Kind) -> Vec<Wiped> {
        LOG.with(|log| {
            let mut log = log.borrow_mut();
            let (taken, kept) = log.drain(..).partition(|w| w.kind == kind);
            *log = kept;
            taken
        })
    }
}

#[cfg(test)]
mod tests;
