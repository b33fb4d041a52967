//! [`UserInfo`], the profile from `getUserInfo`, held in one buffer; its
//! borrowed view [`UserInfoFields`]; and its [`Gender`].
//!
//! A profile has eight texts. Held as eight `String`s they cost eight
//! allocations, copies and frees per decrypt, more than the cipher; held one
//! after another in one buffer they cost one. The decoder collects the texts
//! as it reads them (borrowed from the plaintext when they have no escapes)
//! and copies them once, in field order, when the object ends.

use core::fmt;
use std::borrow::Cow;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeStruct as _, Serializer};
use serde::{Deserialize, Serialize};

use super::{MemberSeed, Members, named};
use crate::json::layout::{Layout, member};

/// The user's profile, from `getUserInfo` (`encryptedData` with the user's
/// open data).
///
/// Read it through the accessors, or all at once through
/// [`fields`](Self::fields); make one from a [`UserInfoFields`] with
/// `UserInfo::from`. `Serialize` writes WeChat's member names (`openId` and
/// `unionId` only when present, `gender` as a number), which is also what
/// `Deserialize` reads. `Debug` shows only the language and whether the ids
/// are present.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UserInfo {
    /// The texts one after another, in the order of [`Text`].
    texts: Box<str>,
    /// Where each text ends in `texts`, in the same order.
    ends: [usize; TEXTS],
    /// The gender.
    gender: Gender,
    /// Whether the openid was sent (it may be sent empty).
    has_open_id: bool,
    /// Whether the unionid was sent.
    has_union_id: bool,
}

/// The texts of a profile, in the order [`UserInfo`] holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    OpenId,
    NickName,
    Language,
    City,
    Province,
    Country,
    AvatarUrl,
    UnionId,
}

/// How many texts a profile has.
const TEXTS: usize = 8;

impl UserInfo {
    /// The text `which`; empty when it was not sent.
    fn text(&self, which: Text) -> &str {
        let index = which as usize;
        let start = match index.checked_sub(1) {
            Some(before) => self.ends[before],
            None => 0,
        };
        // Both ends fall between texts, so this never falls back.
        self.texts.get(start..self.ends[index]).unwrap_or_default()
    }

    /// The user's openid for this mini program, when it was sent (the
    /// openid from code2session is the one to trust).
    #[must_use]
    pub fn open_id(&self) -> Option<&str> {
        self.has_open_id.then(|| self.text(Text::OpenId))
    }

    /// The nickname, exactly as sent (any Unicode, emoji included).
    #[must_use]
    pub fn nick_name(&self) -> &str {
        self.text(Text::NickName)
    }

    /// The gender the user set; WeChat now sends `0` for everyone.
    #[must_use]
    pub const fn gender(&self) -> Gender {
        self.gender
    }

    /// The user's language, e.g. `zh_CN`; empty when not sent.
    #[must_use]
    pub fn language(&self) -> &str {
        self.text(Text::Language)
    }

    /// City; empty when not sent.
    #[must_use]
    pub fn city(&self) -> &str {
        self.text(Text::City)
    }

    /// Province; empty when not sent.
    #[must_use]
    pub fn province(&self) -> &str {
        self.text(Text::Province)
    }

    /// Country; empty when not sent.
    #[must_use]
    pub fn country(&self) -> &str {
        self.text(Text::Country)
    }

    /// Avatar URL; may be empty.
    #[must_use]
    pub fn avatar_url(&self) -> &str {
        self.text(Text::AvatarUrl)
    }

    /// The unionid, present when the mini program is bound to an
    /// open-platform account.
    #[must_use]
    pub fn union_id(&self) -> Option<&str> {
        self.has_union_id.then(|| self.text(Text::UnionId))
    }

    /// Every field at once, borrowed: to destructure a profile, or to change
    /// a copy of it (`UserInfo::from` makes a profile from the result).
    #[must_use]
    pub fn fields(&self) -> UserInfoFields<'_> {
        UserInfoFields {
            open_id: self.open_id(),
            nick_name: self.nick_name(),
            gender: self.gender,
            language: self.language(),
            city: self.city(),
            province: self.province(),
            country: self.country(),
            avatar_url: self.avatar_url(),
            union_id: self.union_id(),
        }
    }

    /// Copies `texts` (in the order of [`Text`]) into one buffer: `None`
    /// is an id not sent, or an empty text.
    fn build(texts: [Option<&str>; TEXTS], gender: Gender) -> Self {
        let total = texts.iter().flatten().map(|text| text.len()).sum();
        let mut buffer = String::with_capacity(total);
        let mut ends = [0; TEXTS];
        for (end, text) in ends.iter_mut().zip(texts) {
            buffer.push_str(text.unwrap_or_default());
            *end = buffer.len();
        }
        Self {
            // Exactly `total` bytes were reserved: no reallocation.
            texts: buffer.into_boxed_str(),
            ends,
            gender,
            has_open_id: texts[Text::OpenId as usize].is_some(),
            has_union_id: texts[Text::UnionId as usize].is_some(),
        }
    }
}

/// A [`UserInfo`]'s fields, borrowed: what [`UserInfo::fields`] returns and
/// what `UserInfo::from` copies into a profile (in tests, or to store a
/// changed one).
///
/// `Debug` redacts it as [`UserInfo`]'s does.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserInfoFields<'a> {
    /// The user's openid for this mini program, when present.
    pub open_id: Option<&'a str>,
    /// The nickname.
    pub nick_name: &'a str,
    /// The gender.
    pub gender: Gender,
    /// The language, e.g. `zh_CN`; empty when not sent.
    pub language: &'a str,
    /// City; empty when not sent.
    pub city: &'a str,
    /// Province; empty when not sent.
    pub province: &'a str,
    /// Country; empty when not sent.
    pub country: &'a str,
    /// Avatar URL; may be empty.
    pub avatar_url: &'a str,
    /// The unionid, when present.
    pub union_id: Option<&'a str>,
}

impl From<UserInfoFields<'_>> for UserInfo {
    /// Copies the fields into one buffer.
    fn from(fields: UserInfoFields<'_>) -> Self {
        let texts = [
            fields.open_id,
            Some(fields.nick_name),
            Some(fields.language),
            Some(fields.city),
            Some(fields.province),
            Some(fields.country),
            Some(fields.avatar_url),
            fields.union_id,
        ];
        Self::build(texts, fields.gender)
    }
}

impl fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        redacted(f, "UserInfo", &self.fields())
    }
}

impl fmt::Debug for UserInfoFields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        redacted(f, "UserInfoFields", self)
    }
}

/// The one `Debug` form of a profile: the language, and whether the ids are
/// present; every other field `[redacted]`.
fn redacted(f: &mut fmt::Formatter<'_>, name: &str, user: &UserInfoFields<'_>) -> fmt::Result {
    let hidden = format_args!("[redacted]");
    let optional = |present: bool| if present { "Some([redacted])" } else { "None" };
    f.debug_struct(name)
        .field(
            "open_id",
            &format_args!("{}", optional(user.open_id.is_some())),
        )
        .field("nick_name", &hidden)
        .field("gender", &hidden)
        .field("language", &user.language)
        .field("city", &hidden)
        .field("province", &hidden)
        .field("country", &hidden)
        .field("avatar_url", &hidden)
        .field(
            "union_id",
            &format_args!("{}", optional(user.union_id.is_some())),
        )
        .finish()
}

impl Serialize for UserInfo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let user = self.fields();
        let len = 7 + usize::from(self.has_open_id) + usize::from(self.has_union_id);
        let mut out = serializer.serialize_struct("UserInfo", len)?;
        match user.open_id {
            Some(open_id) => out.serialize_field("openId", open_id)?,
            None => out.skip_field("openId")?,
        }
        out.serialize_field("nickName", user.nick_name)?;
        out.serialize_field("gender", &user.gender)?;
        out.serialize_field("language", user.language)?;
        out.serialize_field("city", user.city)?;
        out.serialize_field("province", user.province)?;
        out.serialize_field("country", user.country)?;
        out.serialize_field("avatarUrl", user.avatar_url)?;
        match user.union_id {
            Some(union_id) => out.serialize_field("unionId", union_id)?,
            None => out.skip_field("unionId")?,
        }
        out.end()
    }
}

/// WeChat's member names, in the order [`Serialize`] writes them and WeChat
/// sends them: what `deserialize_struct` is given.
static FIELDS: [&str; 9] = [
    "openId",
    "nickName",
    "gender",
    "language",
    "city",
    "province",
    "country",
    "avatarUrl",
    "unionId",
];

/// How WeChat writes a profile (every real profile vector, `tests/vectors`):
/// its members in [`FIELDS`]' order, the ids perhaps left out, `gender` a
/// number, then the watermark. The parser reads a text written exactly so
/// without scanning its shape, and hands [`UserVisitor`] the same members
/// as for any other text.
pub(crate) static USER_LAYOUT: Layout = Layout {
    fields: &FIELDS,
    members: &[
        member!("openId", Str, optional),
        member!("nickName", Str),
        member!("gender", Uint),
        member!("language", Str),
        member!("city", Str),
        member!("province", Str),
        member!("country", Str),
        member!("avatarUrl", Str),
        member!("unionId", Str, optional),
    ],
};

impl<'de> Deserialize<'de> for UserInfo {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // By the address of `FIELDS` our parser knows the layout
        // (`USER_LAYOUT`); every other deserializer sees the usual list.
        deserializer.deserialize_struct("UserInfo", &FIELDS, UserVisitor)
    }
}

/// A member of a profile object: one of its texts, the gender, or any
/// other (read and ignored).
enum Member {
    Text(Text),
    Gender,
    Other,
}

impl Member {
    /// The member `name` names.
    #[inline]
    fn named(name: &[u8]) -> Self {
        let text = Self::Text;
        // By length first, then by its bytes.
        match name.len() {
            4 if named(name, b"city") => text(Text::City),
            6 if named(name, b"openId") => text(Text::OpenId),
            6 if named(name, b"gender") => Self::Gender,
            7 if named(name, b"country") => text(Text::Country),
            7 if named(name, b"unionId") => text(Text::UnionId),
            8 if named(name, b"nickName") => text(Text::NickName),
            8 if named(name, b"language") => text(Text::Language),
            8 if named(name, b"province") => text(Text::Province),
            9 if named(name, b"avatarUrl") => text(Text::AvatarUrl),
            _ => Self::Other,
        }
    }
}

/// WeChat's name for a text member, for the errors.
const fn member_name(which: Text) -> &'static str {
    match which {
        Text::OpenId => "openId",
        Text::NickName => "nickName",
        Text::Language => "language",
        Text::City => "city",
        Text::Province => "province",
        Text::Country => "country",
        Text::AvatarUrl => "avatarUrl",
        Text::UnionId => "unionId",
    }
}

/// Reads the members, keeping each text as sent (borrowed when it can be),
/// then copies the texts into one buffer.
struct UserVisitor;

impl<'de> Visitor<'de> for UserVisitor {
    type Value = UserInfo;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a user profile object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UserInfo, A::Error> {
        // `Some(None)` for an id sent as `null`: read, and absent.
        let mut texts: [Option<Option<Cow<'de, str>>>; TEXTS] = Default::default();
        let mut gender = None;
        while let Some(member) = map.next_key_seed(MemberSeed(Member::named))? {
            match member {
                Member::Text(which) => {
                    let slot = &mut texts[which as usize];
                    if slot.is_some() {
                        return Err(de::Error::duplicate_field(member_name(which)));
                    }
                    *slot = Some(if matches!(which, Text::OpenId | Text::UnionId) {
                        map.next_value_seed(MaybeText)?
                    } else {
                        Some(map.next_value_seed(TextSeed)?)
                    });
                }
                Member::Gender => {
                    if gender.is_some() {
                        return Err(de::Error::duplicate_field("gender"));
                    }
                    gender = Some(map.next_value::<Gender>()?);
                }
                Member::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if texts[Text::NickName as usize].is_none() {
            return Err(de::Error::missing_field("nickName"));
        }
        let gender = gender.ok_or_else(|| de::Error::missing_field("gender"))?;
        // A text not sent is empty; an id not sent (or `null`) is absent.
        let mut sent = [None; TEXTS];
        for (slot, text) in sent.iter_mut().zip(&texts) {
            *slot = text.as_ref().and_then(Option::as_deref);
        }
        Ok(UserInfo::build(sent, gender))
    }
}

/// Reads a string value, borrowed from the input when the input allows it.
struct TextSeed;

impl<'de> DeserializeSeed<'de> for TextSeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for TextSeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(text))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text))
    }
}

/// Reads an id: a string, or `null` for none.
struct MaybeText;

impl<'de> DeserializeSeed<'de> for MaybeText {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for MaybeText {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        TextSeed.deserialize(deserializer).map(Some)
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
