//! What reading any response shares: the size limit checked before the
//! text is parsed, and the serde helpers of the status passes (a field told
//! present from absent, a slot that tells absent from `null`, messages
//! cleaned while they are read, strings never kept as they were received).

use core::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use zeroize::Zeroizing;

use super::error::{ApiError, MAX_MESSAGE_CHARS, clean};

/// The default limit on a response, in bytes: 64 KiB. Genuine responses are
/// under 1 KiB.
pub const DEFAULT_MAX_RESPONSE_LEN: usize = 64 * 1024;

/// Refuses text over `max` bytes.
pub(super) fn check_len(text: &str, max: usize) -> Result<(), ApiError> {
    if text.len() > max {
        return Err(ApiError::TooLarge {
            len: text.len(),
            max,
        });
    }
    Ok(())
}

/// A message from a response, cleaned while it is read.
pub(super) struct Message(pub(super) String);

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StrVisitor(|text| Message(clean(text, MAX_MESSAGE_CHARS))))
    }
}

/// Reads a JSON string through a conversion, so that the text is never kept
/// as it is; an owned string handed over by the deserializer is wiped.
pub(super) struct StrVisitor<T>(pub(super) fn(&str) -> T);

impl<T> Visitor<'_> for StrVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        Ok((self.0)(text))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<T, E> {
        let text = Zeroizing::new(text);
        Ok((self.0)(&text))
    }
}

/// Deserializes a field that is present, so that `Option<T>` with
/// `#[serde(default)]` tells an absent field (`None`) from a present one and
/// refuses `null` where `T` does.
pub(super) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// A field that may be absent, `null`, or hold a value: absence and `null`
/// both mean "no value", but either says which response shape it is.
#[derive(Default)]
pub(super) enum Slot<T> {
    /// The key is not there.
    #[default]
    Absent,
    /// The key is there with `null`.
    Null,
    /// The key is there with a value.
    Value(T),
}

impl<T> Slot<T> {
    /// Whether the key is there, `null` or not.
    pub(super) const fn is_present(&self) -> bool {
        !matches!(self, Self::Absent)
    }

    /// The value, if there is one.
    pub(super) fn value(self) -> Option<T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Slot<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Self::Null, Self::Value))
    }
}
