//! `code2session`: [`Code2Session`], what WeChat returns for the code of
//! `wx.login` (the openid, the session key, the unionid), and
//! [`parse_code2session`], which reads it in two passes (the `errcode`
//! first) and decodes the session key strictly, its text copied only into
//! buffers that are wiped.

use core::fmt;

use serde::Deserialize;
use serde::de::Deserializer;
use zeroize::Zeroizing;

use super::error::{ApiError, Malformed};
use super::request::secret_copy;
use super::response::{DEFAULT_MAX_RESPONSE_LEN, Message, Slot, StrVisitor, check_len, present};
use crate::input::SessionKey;
use crate::json;

/// What `code2session` returns: who the user is, and the key of their
/// session.
///
/// `Debug` redacts all three: the key is a secret, and the ids identify a
/// person.
#[non_exhaustive]
pub struct Code2Session {
    /// The user's openid for this mini program (never empty).
    pub openid: String,
    /// The key that decrypts this session's `encryptedData`. Keep it on
    /// your server; never send it to the client.
    pub session_key: SessionKey,
    /// The user's unionid, when the mini program is bound to an
    /// open-platform account (`None` when absent, null or empty).
    pub unionid: Option<String>,
}

impl fmt::Debug for Code2Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Code2Session")
            .field("openid", &format_args!("[redacted]"))
            .field("session_key", &self.session_key)
            .field(
                "unionid",
                &format_args!(
                    "{}",
                    if self.unionid.is_some() {
                        "Some([redacted])"
                    } else {
                        "None"
                    }
                ),
            )
            .finish()
    }
}

/// Reads a `code2session` response,
/// `{openid, session_key, unionid, errcode, errmsg}`, refusing text over
/// [`DEFAULT_MAX_RESPONSE_LEN`] bytes.
///
/// The `session_key` comes out as a [`SessionKey`], decoded strictly; its
/// text is copied only into a buffer that is wiped. The response text itself
/// is yours to wipe. A success may omit `errcode`.
///
/// # Errors
/// - WeChat's error for a non-zero `errcode` ([`ApiError::InvalidCode`],
///   [`ApiError::RateLimited`], ..., [`ApiError::WeChat`]), whatever the
///   other fields hold.
/// - [`ApiError::TooLarge`], or [`ApiError::Malformed`] for text that is not
///   strict JSON, has the wrong types, or lacks `openid` or `session_key`
///   (absent, null or empty).
/// - [`ApiError::SessionKey`] for a `session_key` that is not the base64
///   of 16 bytes; the error never shows the key.
pub fn parse_code2session(text: &str) -> Result<Code2Session, ApiError> {
    check_len(text, DEFAULT_MAX_RESPONSE_LEN)?;
    let (status, _) = json::parse::<SessionStatus>(text)?;
    if let Some(code) = status.errcode
        && code != 0
    {
        return Err(ApiError::wechat(code, status.errmsg.value()));
    }
    let (fields, _) = json::parse::<SessionFields>(text)?;
    let missing = |name| ApiError::Malformed(Malformed::MissingField(name));
    let openid = fields
        .openid
        .filter(|id| !id.is_empty())
        .ok_or_else(|| missing("openid"))?;
    let key_text = fields
        .session_key
        .filter(|key| !key.0.is_empty())
        .ok_or_else(|| missing("session_key"))?;
    let session_key = SessionKey::from_base64(&key_text.0).map_err(ApiError::SessionKey)?;
    Ok(Code2Session {
        openid,
        session_key,
        unionid: fields.unionid.filter(|id| !id.is_empty()),
    })
}

/// The first pass over a `code2session` response.
#[derive(Deserialize)]
struct SessionStatus {
    #[serde(default, deserialize_with = "present")]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Slot<Message>,
}

/// The second pass over a successful `code2session` response.
#[derive(Deserialize)]
struct SessionFields {
    #[serde(default)]
    openid: Option<String>,
    #[serde(default)]
    session_key: Option<SecretText>,
    #[serde(default)]
    unionid: Option<String>,
}

/// Secret text, copied only into a buffer that is wiped when dropped.
struct SecretText(Zeroizing<String>);

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StrVisitor(|text| SecretText(secret_copy(text))))
    }
}
