//! What a server does with a `session_key` besides decrypting: check the
//! legacy `rawData` signature, and try the previous key when a `wx.login`
//! race replaced the current one. (The signatures and digests sent *to*
//! WeChat's server APIs are in [`api`](crate::api).)
//!
//! The `rawData` signature is keyed with the session key's base64 *text*
//! (the 24 characters `code2session` returned), not its 16 decoded bytes. A
//! [`SessionKey`] keeps only the bytes, so the text is rebuilt in constant
//! time into a buffer wiped after use; it is the exact text WeChat gave out,
//! because the key parsers accept only canonical base64 (or repair damaged
//! text into it). The `sha1` state that absorbs it lives on the stack and is
//! wiped on drop (that crate's `zeroize` feature is enabled).

use serde::de::DeserializeOwned;
use sha1::{Digest as _, Sha1};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::hex;
use crate::input::{EncryptedData, Iv, SessionKey};
use crate::payload::Decrypted;
use crate::validation::{UnixTime, Validation};

/// The most session keys [`decrypt_with_keys`] tries.
///
/// The `wx.login` race needs two (the current key and the one it replaced);
/// a little room is left for a server that keeps one more. The bound keeps
/// the work an unauthenticated request can cause proportionate: every key
/// tried is a full decryption.
pub const MAX_CANDIDATE_KEYS: usize = 4;

/// Length of a SHA-1 digest in bytes.
const SHA1_LEN: usize = 20;

/// Checks the `signature` that `wx.getUserInfo` (and `wx.getUserProfile`)
/// return with `rawData`: `signature == hex(sha1(rawData + session_key))`,
/// where `session_key` is appended as its base64 text (WeChat's "data
/// signature" page,
/// `developers.weixin.qq.com/miniprogram/dev/framework/open-ability/signature.html`).
///
/// `raw_data` must be the `rawData` string exactly as the mini program
/// received it (hashed as its UTF-8 bytes): a copy that was parsed and
/// serialized again will not match. `signature` is 40 hexadecimal digits, in
/// either case; anything else (another length, a non-hex character,
/// surrounding whitespace) is a mismatch. The digest is compared in
/// constant time, and the key text is hashed straight from a wiped buffer,
/// never concatenated with `raw_data`.
///
/// The size of `raw_data` is the caller's to bound (the work is linear in
/// it): real values are well under 1 KiB, so a limit of a few KiB on the
/// request body is plenty.
///
/// # Telling a stale key from damaged data
///
/// `rawData`, `signature`, `encryptedData` and `iv` come from the same call,
/// made under the same session key. Check the signature *before*
/// decrypting: a mismatch means the stored key is not the one WeChat used
/// (most often a later `wx.login` replaced it: log in again, or try the
/// previous key with [`decrypt_with_keys`]), or that `rawData` was altered;
/// a match followed by [`Error::Decryption`] means the key is right and the
/// `encryptedData` or `iv` was damaged or forged. Either answer is certain,
/// where the decryption error alone only says that one of the two happened.
///
/// The signature covers `rawData` only: it authenticates neither
/// `encryptedData` nor `iv`.
///
/// ```
/// use wxdecrypt::{SessionKey, verify_raw_data};
///
/// // The example in WeChat's "data signature" documentation.
/// let key = SessionKey::from_base64("HyVFkGl5F5OQWJZZaNzBBg==")?;
/// let raw_data = r#"{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/1vZvI39NWFQ9XM4LtQpFrQJ1xlgZxx3w7bQxKARol6503Iuswjjn6nIGBiaycAjAtpujxyzYsrztuuICqIM5ibXQ/0"}"#;
/// assert!(verify_raw_data(&key, raw_data, "75e81ceda165f4ffa64f4068af58c64b8f54b88c"));
/// # Ok::<(), wxdecrypt::Error>(())
/// ```
#[must_use]
pub fn verify_raw_data(key: &SessionKey, raw_data: &str, signature: &str) -> bool {
    let Some(presented) = hex::decode::<SHA1_LEN>(signature) else {
        return false;
    };
    let key_text = key.to_base64();
    let mut hasher = Sha1::new();
    hasher.update(raw_data.as_bytes());
    hasher.update(&key_text[..]);
    let expected: Zeroizing<[u8; SHA1_LEN]> = Zeroizing::new(hasher.finalize().into());
    hex::constant_time_eq(&expected, &presented)
}

/// Decrypts `data` with each of `keys` in turn, and returns the index of the
/// first key under which it decrypts, with the payload, checked against the
/// system clock.
///
/// This is the usual remedy for the `wx.login` race: when the mini program
/// calls `wx.login` while (or just after) the user taps the button, the
/// server stores a new session key, but the data was encrypted under the one
/// before. Pass `[&current, &previous]`; index 1 tells you the data used the
/// replaced key.
///
/// The errors are those of [`decrypt`](crate::decrypt()) with one key: the
/// first input or policy error is returned as it is (a policy error means
/// that key did decrypt a well-formed payload), and when no key decrypts
/// the data the error is the same [`Error::Decryption`] a single key gives,
/// so a client learns nothing more from a list of keys than from one. Each
/// key tried is a full decryption; a wrong key that still yields a payload
/// of the right shape for your appid is as unlikely for each extra key as
/// for the first.
///
/// Reads the system clock, so it is not built for `wasm32-unknown-unknown`,
/// which has none: call [`decrypt_with_keys_at`] with the time there.
///
/// # Errors
/// [`Error::CandidateKeyCount`] when `keys` is empty or holds more than
/// [`MAX_CANDIDATE_KEYS`]; otherwise as [`decrypt`](crate::decrypt()).
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub fn decrypt_with_keys<T: DeserializeOwned>(
    keys: &[&SessionKey],
    iv: &Iv,
    data: &EncryptedData<'_>,
    validation: &Validation,
) -> Result<(usize, Decrypted<T>), Error> {
    decrypt_with_keys_at(keys, iv, data, validation, UnixTime::now())
}

/// [`decrypt_with_keys`] with the time given: for tests, replays and old
/// samples.
///
/// # Errors
/// As [`decrypt_with_keys`].
pub fn decrypt_with_keys_at<T: DeserializeOwned>(
    keys: &[&SessionKey],
    iv: &Iv,
    data: &EncryptedData<'_>,
    validation: &Validation,
    now: UnixTime,
) -> Result<(usize, Decrypted<T>), Error> {
    if keys.is_empty() || keys.len() > MAX_CANDIDATE_KEYS {
        return Err(Error::CandidateKeyCount {
            count: keys.len(),
            max: MAX_CANDIDATE_KEYS,
        });
    }
    for (index, key) in keys.iter().enumerate() {
        match crate::decrypt_at::<T>(key, iv, data, validation, now) {
            Err(Error::Decryption) => {}
            other => return other.map(|decrypted| (index, decrypted)),
        }
    }
    Err(Error::Decryption)
}
