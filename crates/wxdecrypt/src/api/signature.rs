//! The signatures and digests WeChat's server APIs ask for with a
//! request: [`session_signature`] (HMAC-SHA256 under the session key, for the
//! APIs that take `sig_method=hmac_sha256`), [`checksession_signature`] for
//! `wxa/checksession`, and [`encrypted_msg_hash`] for
//! `wxa/business/checkencryptedmsg`. Like the rest of the module they only
//! compute: sending them is your HTTP client's job.
//!
//! The HMAC key is the session key's base64 *text* (the 24 characters
//! `code2session` returned), not its 16 decoded bytes. A
//! [`SessionKey`] keeps only the bytes, so the text is rebuilt in constant
//! time into a buffer wiped after use; it is the exact text WeChat gave out,
//! because the key parsers accept only canonical base64 (or repair damaged
//! text into it). The `hmac` and `sha2` states that absorb the key text live
//! on the stack and are wiped on drop (those crates' `zeroize` feature is
//! enabled), and the digits of the signature are computed without a table
//! lookup or a branch on its bytes.

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::hex::{self, Case};
use crate::input::{EncryptedData, SessionKey};

/// SHA-256's block size: HMAC pads shorter keys to it with zeros.
const SHA256_BLOCK: usize = 64;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_given_as_a_padded_block_is_the_key_text_itself() {
        for text in ["o0q0otL8aEzpcZL/FT9WsQ==", "HyVFkGl5F5OQWJZZaNzBBg=="] {
            let key = SessionKey::from_base64(text).unwrap();
            let mut mac = Hmac::<Sha256>::new_from_slice(text.as_bytes()).unwrap();
            mac.update(br#"{"foo":"bar"}"#);
            let expected = hex::encode(&mac.finalize().into_bytes(), Case::Lower);
            assert_eq!(session_signature(&key, br#"{"foo":"bar"}"#), expected);
        }
    }
}
