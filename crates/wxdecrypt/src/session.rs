//! What a server does with a `session_key` besides decrypting: check the
//! legacy `rawData` signature, sign requests for WeChat's session APIs, hash
//! `encryptedData` for `checkencryptedmsg`, and try the previous key when a
//! `wx.login` race replaced the current one.
//!
//! Every signature here is keyed with the session key's base64 *text* (the
//! 24 characters `code2session` returned), not its 16 decoded bytes. A
//! [`SessionKey`] keeps only the bytes, so the text is rebuilt in constant
//! time into a buffer wiped after use; it is the exact text WeChat gave out,
//! because the key parsers accept only canonical base64 (or repair damaged
//! text into it).
//!
//! The `sha1`, `sha2` and `hmac` states that absorb the key text live on the
//! stack and are wiped on drop (those crates' `zeroize` feature is enabled).

use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::de::DeserializeOwned;
use sha1::{Digest as _, Sha1};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::hex::{self, Case};
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

/// SHA-256's block size: HMAC pads shorter keys to it with zeros.
const SHA256_BLOCK: usize = 64;

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

/// The session signature of `message`, as lower-case hex:
/// `hex(hmac_sha256(key = session_key, message))`, where the HMAC key is the
/// session key's base64 text.
///
/// WeChat's server APIs that act for a user ask for it with
/// `sig_method=hmac_sha256`: the message is the body of a POST request,
/// byte for byte as sent; a GET request signs the empty message (use
/// [`checksession_signature`] for `wxa/checksession`). Described in WeChat's
/// "user session signature" tutorial
/// (`developers.weixin.qq.com/minigame/dev/tutorial/open-ability/session-signature.html`),
/// whose example this crate's tests check.
///
/// The signature is not the key, but whoever holds it can act for this
/// user's session in the request it signs: send it to WeChat only, over
/// HTTPS.
///
/// ```
/// use wxdecrypt::SessionKey;
/// use wxdecrypt::api::session_signature;
///
/// // The example in WeChat's session signature tutorial.
/// let key = SessionKey::from_base64("o0q0otL8aEzpcZL/FT9WsQ==")?;
/// assert_eq!(
///     session_signature(&key, br#"{"foo":"bar"}"#),
///     "654571f79995b2ce1e149e53c0a33dc39c0a74090db514261454e8dbe432aa0b"
/// );
/// # Ok::<(), wxdecrypt::Error>(())
/// ```
#[must_use]
pub fn session_signature(key: &SessionKey, message: &[u8]) -> String {
    // HMAC pads a key shorter than the hash's block with zeros; doing it
    // here lets the key be given as a whole block, which cannot fail.
    let text = key.to_base64();
    let mut block = Zeroizing::new([0u8; SHA256_BLOCK]);
    for (slot, &c) in block.iter_mut().zip(text.iter()) {
        *slot = c;
    }
    let mut mac = Hmac::<Sha256>::new((&*block).into());
    mac.update(message);
    hex::encode(&mac.finalize().into_bytes(), Case::Lower)
}

/// The signature `wxa/checksession` asks for to tell whether WeChat still
/// holds this session key: [`session_signature`] of the empty message, as
/// for every GET request.
///
/// Send it as `signature`, with `sig_method=hmac_sha256` and the user's
/// `openid` (`developers.weixin.qq.com/minigame/dev/api/open-api/login/checkSessionKey.html`).
/// WeChat answers errcode 87009 when the key is no longer valid.
#[must_use]
pub fn checksession_signature(key: &SessionKey) -> String {
    session_signature(key, b"")
}

/// The `encrypted_msg_hash` that `wxa/business/checkencryptedmsg` asks for,
/// as lower-case hex: SHA-256 over the ASCII bytes of the `encryptedData`
/// base64 text, not over the decoded ciphertext.
///
/// WeChat's documentation of `checkEncryptedData` says only "the sha256 of
/// the encrypted data, hex (Base16) encoded"; its example settles which
/// bytes: the 216-character text it shows hashes to the digest it shows
/// (`developers.weixin.qq.com/minigame/dev/api-backend/open-api/user-info/auth.checkEncryptedData.html`;
/// this crate's tests check that example).
///
/// The text hashed is [`EncryptedData::as_base64`]: what the mini program
/// sent, or, when the lenient mode repaired transport damage, the repaired
/// text, which is the one WeChat produced. WeChat only answers for phone
/// number payloads made in the last three days.
#[must_use]
pub fn encrypted_msg_hash(data: &EncryptedData<'_>) -> String {
    hex::encode(&Sha256::digest(data.as_base64().as_bytes()), Case::Lower)
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
/// The errors are those of [`decrypt`](crate::decrypt) with one key: the
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
/// [`MAX_CANDIDATE_KEYS`]; otherwise as [`decrypt`](crate::decrypt).
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
