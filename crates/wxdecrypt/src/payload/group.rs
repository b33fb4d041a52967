//! [`ShareInfo`] and [`GroupEnterInfo`]: which group a card was shared in
//! or the mini program opened from. Claims of the user, not proof (see
//! their docs).

use core::fmt;

use serde::{Deserialize, Serialize};

use super::Members;

/// The group a shared card was opened from, from `wx.getShareInfo`.
///
/// A user can forge one from any other payload of their own session (CBC
/// without a MAC; README, Security): treat it as the user's claim, and do
/// not grant anything of value on it alone. `Debug` redacts the id.
#[derive(Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub struct ShareInfo {
    /// The group's id for this mini program.
    #[serde(rename = "openGId")]
    pub open_gid: String,
}

/// Where the mini program was opened from, from `wx.getGroupEnterInfo`.
///
/// As with [`ShareInfo`], a user can forge one from another payload of their
/// own session: a claim, not proof. `Debug` redacts the ids.
#[derive(Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub struct GroupEnterInfo {
    /// The group's id, for group chats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opengid: Option<String>,
    /// The chat's id, for one-to-one chats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_single_roomid: Option<String>,
    /// The user's id within the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_openid: Option<String>,
    /// The kind of chat: 1 WeChat one-to-one, 2 WeCom one-to-one, 3 WeChat
    /// group, 4 WeCom group.
    pub chat_type: u8,
}

impl fmt::Debug for ShareInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShareInfo")
            .field("open_gid", &format_args!("[redacted]"))
            .finish()
    }
}

impl fmt::Debug for GroupEnterInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let optional = |present: bool| {
            if present {
                format_args!("Some([redacted])")
            } else {
                format_args!("None")
            }
        };
        f.debug_struct("GroupEnterInfo")
            .field("opengid", &optional(self.opengid.is_some()))
            .field(
                "open_single_roomid",
                &optional(self.open_single_roomid.is_some()),
            )
            .field("group_openid", &optional(self.group_openid.is_some()))
            .field("chat_type", &self.chat_type)
            .finish()
    }
}

impl Members for ShareInfo {
    const REQUIRED: &'static [&'static str] = &["openGId"];
    const OPTIONAL: &'static [&'static str] = &[];
}

impl Members for GroupEnterInfo {
    const REQUIRED: &'static [&'static str] = &["chat_type"];
    const OPTIONAL: &'static [&'static str] = &["opengid", "open_single_roomid", "group_openid"];
}
