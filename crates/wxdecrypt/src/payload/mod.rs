//! The payloads WeChat encrypts, as typed values: one file per payload
//! kind, and here what they share: [`Decrypted`], the untyped
//! [`RawPayload`], the member lists the offline diagnosis reads, and the
//! reader of member names their hand-written `Deserialize`s use.
//!
//! Field names follow WeChat's JSON (camelCase) when serialized. Unknown
//! fields are ignored; duplicate keys never get this far (the JSON layer
//! rejects them). `Debug` output masks personal data.

mod group;
mod phone;
#[cfg(test)]
mod tests;
mod user;
mod werun;

use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use zeroize::Zeroizing;

use crate::validation::Watermark;

pub use group::{GroupEnterInfo, ShareInfo};
pub(crate) use phone::PHONE_LAYOUT;
pub use phone::PhoneNumber;
pub(crate) use user::USER_LAYOUT;
pub use user::{Gender, UserInfo, UserInfoFields};
pub use werun::{StepInfo, WeRunData};

/// A decrypted payload together with its checked watermark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decrypted<T> {
    /// The payload.
    pub payload: T,
    /// The watermark, checked against the [`Validation`](crate::Validation).
    /// `None` only when the validation accepted a payload without one.
    pub watermark: Option<Watermark>,
}

/// A decrypted payload as JSON text, checked to be a single JSON object with
/// no duplicate keys, for payload kinds this crate has no type for.
///
/// The text is wiped from memory when dropped and `Debug` prints only its
/// length.
#[derive(Clone, PartialEq, Eq)]
pub struct RawPayload {
    text: Zeroizing<String>,
}

impl RawPayload {
    pub(crate) fn new(text: &str) -> Self {
        Self {
            text: Zeroizing::new(text.to_owned()),
        }
    }

    /// The JSON text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The JSON text, still wiped when finally dropped.
    #[must_use]
    pub fn into_string(self) -> Zeroizing<String> {
        self.text
    }
}

impl fmt::Debug for RawPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawPayload({} bytes, [redacted])", self.text.len())
    }
}

/// The JSON members a payload type reads, as WeChat names them: the one
/// list the offline diagnosis uses to recognise a payload by its member
/// names (its unit tests check each list against the serde derive's).
pub(crate) trait Members {
    /// The members the type requires.
    const REQUIRED: &'static [&'static str];
    /// The members the type reads when they are present.
    const OPTIONAL: &'static [&'static str];
}

/// Reads an object key as one of a payload type's members: `F` names the
/// member a key's bytes spell (with an "other" member for the rest).
pub(crate) struct MemberSeed<F>(pub(crate) F);

impl<'de, M, F: FnOnce(&[u8]) -> M> DeserializeSeed<'de> for MemberSeed<F> {
    type Value = M;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<M, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<M, F: FnOnce(&[u8]) -> M> Visitor<'_> for MemberSeed<F> {
    type Value = M;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    #[inline]
    fn visit_str<E: de::Error>(self, name: &str) -> Result<M, E> {
        Ok((self.0)(name.as_bytes()))
    }

    #[inline]
    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<M, E> {
        Ok((self.0)(name))
    }
}

/// Whether `name` is `wanted`: compared as fixed-size arrays, which compile
/// to a few word comparisons instead of a call to `bcmp`.
#[inline]
pub(crate) fn named<const N: usize>(name: &[u8], wanted: &[u8; N]) -> bool {
    <&[u8; N]>::try_from(name).ok() == Some(wanted)
}
