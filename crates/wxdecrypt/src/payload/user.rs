//! [`UserInfo`], the profile from `getUserInfo`, and its [`Gender`].

use core::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use super::Members;

/// The user's profile, from `getUserInfo` (`encryptedData` with the user's
/// open data).
///
/// `Debug` shows only the language and whether the ids are present.
#[derive(Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    /// The user's openid for this mini program, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_id: Option<String>,
    /// The nickname, exactly as sent (any Unicode, emoji included).
    pub nick_name: String,
    /// The gender the user set; WeChat now sends `0` for everyone.
    pub gender: Gender,
    /// The user's language, e.g. `zh_CN`; empty when not sent.
    #[serde(default)]
    pub language: String,
    /// City; empty when not sent.
    #[serde(default)]
    pub city: String,
    /// Province; empty when not sent.
    #[serde(default)]
    pub province: String,
    /// Country; empty when not sent.
    #[serde(default)]
    pub country: String,
    /// Avatar URL; may be empty.
    #[serde(default)]
    pub avatar_url: String,
    /// The unionid, present when the mini program is bound to an
    /// open-platform account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub union_id: Option<String>,
}

impl fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = format_args!("[redacted]");
        let optional = |present: bool| if present { "Some([redacted])" } else { "None" };
        f.debug_struct("UserInfo")
            .field(
                "open_id",
                &format_args!("{}", optional(self.open_id.is_some())),
            )
            .field("nick_name", &redacted)
            .field("gender", &redacted)
            .field("language", &self.language)
            .field("city", &redacted)
            .field("province", &redacted)
            .field("country", &redacted)
            .field("avatar_url", &redacted)
            .field(
                "union_id",
                &format_args!("{}", optional(self.union_id.is_some())),
            )
            .finish()
    }
}

/// The gender in a [`UserInfo`]: `0`, `1` or `2` in WeChat's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Gender {
    /// `0`: not set (what WeChat sends for everyone since 2021).
    Unknown,
    /// `1`.
    Male,
    /// `2`.
    Female,
}

impl Gender {
    /// WeChat's number for this gender.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::Unknown => 0,
            Self::Male => 1,
            Self::Female => 2,
        }
    }
}

impl Serialize for Gender {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for Gender {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match u8::deserialize(deserializer)? {
            0 => Ok(Self::Unknown),
            1 => Ok(Self::Male),
            2 => Ok(Self::Female),
            other => Err(de::Error::invalid_value(
                de::Unexpected::Unsigned(u64::from(other)),
                &"0, 1 or 2",
            )),
        }
    }
}

impl Members for UserInfo {
    const REQUIRED: &'static [&'static str] = &["nickName", "gender"];
    const OPTIONAL: &'static [&'static str] = &[
        "openId",
        "language",
        "city",
        "province",
        "country",
        "avatarUrl",
        "unionId",
    ];
}
