//! The payload stage: the payload kinds and their member names, the
//! top-level member names of a decrypted object (never its values), and the
//! kind an object resembles.

use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use zeroize::Zeroizing;

use crate::input::BLOCK;
use crate::json;
use crate::payload::{GroupEnterInfo, Members, PhoneNumber, ShareInfo, UserInfo, WeRunData};
use crate::validation::{UnixTime, WatermarkRef};

use super::plaintext::Strings;
use super::{DiagnoseOptions, Finding, JsonProblem, check_watermark};

/// The payload kinds this crate has a type for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PayloadKind {
    /// [`PhoneNumber`], from `getPhoneNumber`.
    PhoneNumber,
    /// [`UserInfo`], from `getUserInfo`.
    UserInfo,
    /// [`WeRunData`], from `getWeRunData`.
    WeRunData,
    /// [`ShareInfo`], from `getShareInfo`.
    ShareInfo,
    /// [`GroupEnterInfo`], from `getGroupEnterInfo`.
    GroupEnterInfo,
}

impl PayloadKind {
    /// Every kind, in the order a plaintext is tried against them.
    pub(super) const ALL: [Self; 5] = [
        Self::PhoneNumber,
        Self::UserInfo,
        Self::WeRunData,
        Self::ShareInfo,
        Self::GroupEnterInfo,
    ];

    /// The name of this crate's type for the kind.
    #[must_use]
    pub const fn type_name(self) -> &'static str {
        match self {
            Self::PhoneNumber => "PhoneNumber",
            Self::UserInfo => "UserInfo",
            Self::WeRunData => "WeRunData",
            Self::ShareInfo => "ShareInfo",
            Self::GroupEnterInfo => "GroupEnterInfo",
        }
    }

    /// The members the kind's type requires (as WeChat names them).
    #[must_use]
    pub const fn required_members(self) -> &'static [&'static str] {
        match self {
            Self::PhoneNumber => PhoneNumber::REQUIRED,
            Self::UserInfo => UserInfo::REQUIRED,
            Self::WeRunData => WeRunData::REQUIRED,
            Self::ShareInfo => ShareInfo::REQUIRED,
            Self::GroupEnterInfo => GroupEnterInfo::REQUIRED,
        }
    }

    /// The members the kind's type reads when they are present.
    pub(super) const fn optional_members(self) -> &'static [&'static str] {
        match self {
            Self::PhoneNumber => PhoneNumber::OPTIONAL,
            Self::UserInfo => UserInfo::OPTIONAL,
            Self::WeRunData => WeRunData::OPTIONAL,
            Self::ShareInfo => ShareInfo::OPTIONAL,
            Self::GroupEnterInfo => GroupEnterInfo::OPTIONAL,
        }
    }

    /// Whether the kind's type reads a member of this name.
    fn knows(self, name: &str) -> bool {
        self.required_members().contains(&name) || self.optional_members().contains(&name)
    }

    /// Parses `text` as this kind, as the production path would; gives the
    /// captured watermark. The typed value is dropped at once.
    fn parse(self, text: &str) -> Result<Option<WatermarkRef<'_>>, JsonProblem> {
        fn mark<T>(parsed: (T, Option<WatermarkRef<'_>>)) -> Option<WatermarkRef<'_>> {
            parsed.1
        }
        match self {
            Self::PhoneNumber => json::parse::<PhoneNumber>(text).map(mark),
            Self::UserInfo => json::parse::<UserInfo>(text).map(mark),
            Self::WeRunData => json::parse::<WeRunData>(text).map(mark),
            Self::ShareInfo => json::parse::<ShareInfo>(text).map(mark),
            Self::GroupEnterInfo => json::parse::<GroupEnterInfo>(text).map(mark),
        }
    }
}

impl fmt::Display for PayloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::PhoneNumber => "phone number",
            Self::UserInfo => "user info",
            Self::WeRunData => "WeRun data",
            Self::ShareInfo => "share info",
            Self::GroupEnterInfo => "group enter info",
        };
        write!(f, "{name} ({})", self.type_name())
    }
}

/// The top-level member names of a decrypted object, never their values.
///
/// Only names that are plain ASCII identifiers (a letter or `_`, then
/// letters, digits or `_`, at most 40 bytes) are kept, at most 16 of them;
/// the others are only counted, so that no value that happens to sit in a
/// key's place can be shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberNames {
    shown: Vec<String>,
    hidden: usize,
}

/// At most this many member names are shown.
const MAX_SHOWN_NAMES: usize = 16;

impl MemberNames {
    /// The names shown, in the order of the object.
    #[must_use]
    pub fn shown(&self) -> &[String] {
        &self.shown
    }

    /// How many members are not shown (unusual names, or beyond the first 16).
    #[must_use]
    pub const fn hidden(&self) -> usize {
        self.hidden
    }
}

impl fmt::Display for MemberNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.shown.is_empty() && self.hidden == 0 {
            return f.write_str("no members");
        }
        f.write_str(&self.shown.join(", "))?;
        match (self.shown.is_empty(), self.hidden) {
            (_, 0) => Ok(()),
            (true, n) => write!(f, "{n} not shown"),
            (false, n) => write!(f, " and {n} more not shown"),
        }
    }
}

/// A JSON object: which payload kind it is, then its watermark.
pub(super) fn read_payload(
    text: &str,
    top: &TopLevel,
    options: &DiagnoseOptions,
    now: UnixTime,
) -> Finding {
    for kind in PayloadKind::ALL {
        if let Ok(watermark) = kind.parse(text) {
            return check_watermark(kind, watermark.as_ref(), options, now);
        }
    }
    if let Some(kind) = garbled_first_member(text, top) {
        return Finding::IvWrong {
            resembles: Some(kind),
        };
    }
    let resembles = top.resembles();
    Finding::UnexpectedShape {
        resembles,
        missing: resembles.map(|kind| top.missing(kind)).unwrap_or_default(),
        members: top.member_names(),
    }
}

/// A well-formed object that no kind accepts because members it needs are
/// missing, while names that no kind knows sit in the first 16 bytes, each
/// a missing name with a few bytes changed: a wrong iv that changed a few
/// bytes of the first block (a one-byte change of the iv changes one byte).
fn garbled_first_member(text: &str, top: &TopLevel) -> Option<PayloadKind> {
    let first = top_level_keys_before(text.as_bytes(), BLOCK).min(top.names.len());
    let strangers: Vec<&str> = top
        .names
        .get(..first)
        .unwrap_or_default()
        .iter()
        .filter(|name| !name.known())
        .filter_map(|name| name.raw.as_deref().map(String::as_str))
        .collect();
    PayloadKind::ALL.into_iter().find(|&kind| {
        let missing = top.missing(kind);
        let mut unused = strangers.clone();
        !missing.is_empty()
            && missing.iter().all(|name| {
                unused
                    .iter()
                    .position(|stranger| nearly_equal(stranger, name))
                    .map(|at| unused.swap_remove(at))
                    .is_some()
            })
    })
}

/// Equal lengths, and at most 3 bytes differ.
fn nearly_equal(garbled: &str, name: &str) -> bool {
    garbled.len() == name.len()
        && garbled
            .bytes()
            .zip(name.bytes())
            .filter(|(a, b)| a != b)
            .count()
            <= 3
}

/// How many top-level keys of the JSON object `text` begin before `end`.
pub(super) fn top_level_keys_before(text: &[u8], end: usize) -> usize {
    let (mut depth, mut keys, mut key_next) = (0usize, 0, false);
    let mut strings = Strings::default();
    for &b in text.iter().take(end) {
        if strings.inside(b) {
            continue;
        }
        match b {
            b'"' => {
                if depth == 1 && key_next {
                    keys += 1;
                }
                key_next = false;
            }
            b'{' | b'[' => {
                depth += 1;
                key_next = depth == 1 && b == b'{';
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' => key_next = depth == 1,
            _ => {}
        }
    }
    keys
}

// ----- Member names -----

/// At most this many member names are kept (the count goes on).
const MAX_KEPT_NAMES: usize = 64;

/// The top-level member names of a JSON object, values skipped.
pub(super) struct TopLevel {
    /// The first [`MAX_KEPT_NAMES`] names.
    names: Vec<Name>,
    /// How many members there are.
    count: usize,
}

/// A member name: its text when it is a plain identifier; and, for the
/// first few short names (those that may lie in the first block), the raw
/// text, wiped when dropped and never shown.
struct Name {
    shown: Option<String>,
    raw: Option<Zeroizing<String>>,
}

/// Raw text is kept for this many leading names.
const RAW_NAMES: usize = 4;

impl Name {
    /// Whether some payload kind reads a member of this name, or it is the
    /// watermark.
    fn known(&self) -> bool {
        self.shown.as_deref().is_some_and(|name| {
            name == json::WATERMARK || PayloadKind::ALL.iter().any(|kind| kind.knows(name))
        })
    }
}

impl TopLevel {
    fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n.shown.as_deref() == Some(name))
    }

    /// The members `kind` requires that are missing.
    fn missing(&self, kind: PayloadKind) -> Vec<&'static str> {
        kind.required_members()
            .iter()
            .copied()
            .filter(|name| !self.has(name))
            .collect()
    }

    /// The kind sharing the most member names with this object, if any.
    pub(super) fn resembles(&self) -> Option<PayloadKind> {
        let shared = |kind: PayloadKind| {
            self.names
                .iter()
                .filter_map(|name| name.shown.as_deref())
                .filter(|name| kind.knows(name))
                .count()
        };
        let mut best = None;
        for kind in PayloadKind::ALL {
            let score = shared(kind);
            if score > best.map_or(0, |(_, s)| s) {
                best = Some((kind, score));
            }
        }
        best.map(|(kind, _)| kind)
    }

    fn member_names(&self) -> MemberNames {
        let shown: Vec<String> = self
            .names
            .iter()
            .filter_map(|name| name.shown.clone())
            .take(MAX_SHOWN_NAMES)
            .collect();
        MemberNames {
            hidden: self.count - shown.len(),
            shown,
        }
    }
}

#[cfg(test)]
impl TopLevel {
    /// How many names hold their raw text: for the tests that check how
    /// much decrypted text is kept.
    pub(super) fn raw_names(&self) -> usize {
        self.names.iter().filter(|name| name.raw.is_some()).count()
    }
}

/// Whether a member name is safe to show: a plain ASCII identifier.
pub(super) fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    name.len() <= 40
        && bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl<'de> de::Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut top = TopLevel {
            names: Vec::new(),
            count: 0,
        };
        while let Some(name) = map.next_key_seed(NameSeed {
            keep_raw: top.count < RAW_NAMES,
        })? {
            map.next_value::<IgnoredAny>()?;
            top.count += 1;
            if top.names.len() < MAX_KEPT_NAMES {
                top.names.push(name);
            }
        }
        Ok(top)
    }
}

/// Reads a key as a [`Name`].
struct NameSeed {
    keep_raw: bool,
}

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = Name;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for NameSeed {
    type Value = Name;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Name, E> {
        Ok(Name {
            shown: is_identifier(name).then(|| name.to_owned()),
            raw: (self.keep_raw && name.len() <= BLOCK).then(|| Zeroizing::new(name.to_owned())),
        })
    }
}
