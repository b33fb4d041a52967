//! [`PhoneNumber`]: the rules a phone payload must obey (the pure number,
//! the number as shown, the country code), checked while it is read, and
//! how it is shown masked. Its three texts are held inline: making one
//! allocates nothing.

use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeStruct as _, Serializer};
use serde::{Deserialize, Serialize};

use super::{MemberSeed, Members, named};
use crate::json::layout::{Layout, member};

/// The user's phone number, from the `getPhoneNumber` button (legacy
/// `encryptedData`) or from the `getuserphonenumber` API.
///
/// `Debug` masks the middle digits (`180****8610`); `Serialize` writes the
/// full values with WeChat's field names, `countryCode` as a string.
///
/// A payload is only accepted when `purePhoneNumber` is 1 to 20 ASCII
/// digits; `phoneNumber` is at most 32 characters, written only with digits,
/// one leading `+`, spaces, `-` and parentheses, and its digits end with the
/// pure number; and `countryCode` is 1 to 4 digits (`"86"`, `"+86"` and `86`
/// all become `"86"`). Besides catching malformed data, this stops the one
/// edit that unauthenticated CBC would otherwise allow on a phone payload:
/// dropping leading blocks and rewriting the new first block through the iv
/// cannot change `phoneNumber` without breaking the match (see
/// `tests/tamper.rs`), and no free text rides along in it. The fields are
/// private, read through the accessors, so every `PhoneNumber` keeps these
/// rules; the only way to make one is to deserialize it.
#[derive(Clone, PartialEq, Eq, Hash)]
#[allow(clippy::struct_field_names, reason = "WeChat's names, as serialized")]
// 64 bytes on a 16-byte boundary: each move of one (out of the visitor,
// the parser, the decrypt path) is four 16-byte copies.
#[repr(align(16))]
pub struct PhoneNumber {
    phone_number: Inline<MAX_SHOWN_LEN>,
    pure_phone_number: Inline<MAX_PURE_DIGITS>,
    country_code: Inline<MAX_COUNTRY_CODE_DIGITS>,
}

/// The longest pure number accepted (E.164 allows 15 digits in all).
const MAX_PURE_DIGITS: usize = 20;

/// The longest `phoneNumber` accepted, in bytes: a `+`, a country code of
/// 4 digits, a pure number of 20, and room for separators.
const MAX_SHOWN_LEN: usize = 32;

/// ASCII text of at most `N` bytes, held inline. The unused bytes stay zero,
/// so the derived comparisons and hash see only the text.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Inline<const N: usize> {
    len: u8,
    bytes: [u8; N],
}

impl<const N: usize> Inline<N> {
    /// Copies `text` when it is 1 to `N` bytes long and `rule` admits it,
    /// or gives `None`. Every rule admits ASCII text only (digits, `+`,
    /// spaces, `-`, parentheses), so the copy is ASCII, and the length is
    /// checked first, so a rule never reads more than `N` bytes.
    #[inline]
    pub(super) fn checked(text: &[u8], rule: fn(&[u8]) -> bool) -> Option<Self> {
        if text.is_empty() || text.len() > N || !rule(text) {
            return None;
        }
        let mut bytes = [0u8; N];
        bytes.get_mut(..text.len())?.copy_from_slice(text);
        let len = u8::try_from(text.len()).ok()?;
        Some(Self { len, bytes })
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Whether `other` (no longer than `self`'s storage) holds the same
    /// text: compared as fixed-size arrays, without a call to `bcmp`. Both
    /// are zero past their text, so equal lengths and equal first `M`
    /// bytes are equal texts.
    #[inline]
    pub(super) fn same_text<const M: usize>(&self, other: &Inline<M>) -> bool {
        self.len == other.len && self.bytes.first_chunk::<M>() == Some(&other.bytes)
    }

    fn as_str(&self) -> &str {
        // ASCII by construction, so this never falls back.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

impl PhoneNumber {
    /// The number as WeChat shows it, with the country code for numbers
    /// outside mainland China (for example `+16505550100`), perhaps with
    /// separators. Its digits end with the
    /// [`pure_phone_number`](Self::pure_phone_number).
    #[must_use]
    pub fn phone_number(&self) -> &str {
        self.phone_number.as_str()
    }

    /// The number without the country code: 1 to 20 ASCII digits.
    #[must_use]
    pub fn pure_phone_number(&self) -> &str {
        self.pure_phone_number.as_str()
    }

    /// The country calling code: 1 to 4 ASCII digits (`"86"`), whether
    /// WeChat sent it as a string, with a `+`, or as a number.
    #[must_use]
    pub fn country_code(&self) -> &str {
        self.country_code.as_str()
    }

    /// The pure number with its middle digits masked: what a log line or a
    /// support screen may show.
    ///
    /// A number of 11 digits or more (a mainland mobile number has 11) keeps
    /// its first 3 and last 4: `180****8610`, the form Chinese apps show.
    /// A shorter one keeps at most half of its digits, more of them at the
    /// end, and always hides at least 4: `12****78` for the 8 digits of a
    /// Hong Kong number, `****` for 4 digits or fewer. `Debug` masks both
    /// numbers the same way.
    #[must_use]
    pub fn masked(&self) -> String {
        mask(self.pure_phone_number())
    }

    /// The number in E.164 form, `+` then the country code then the pure
    /// number: `+8618017448610` for mainland China, `+16505550100` for a
    /// US number.
    ///
    /// It is built from [`country_code`](Self::country_code) and
    /// [`pure_phone_number`](Self::pure_phone_number), not from
    /// [`phone_number`](Self::phone_number): WeChat writes mainland numbers
    /// there without `+86` and other numbers with their country code, and a
    /// provider may add separators.
    ///
    /// Both are digits only, the country code 1 to 4 of them (E.164 codes
    /// have 1 to 3; the fourth digit allows for a sub-code such as `1268`):
    /// decoding checked that. `None` when the result would still not be an
    /// E.164 number: a country code that starts with `0`, or more than 15
    /// digits in all.
    #[must_use]
    pub fn e164(&self) -> Option<String> {
        let (code, pure) = (self.country_code(), self.pure_phone_number());
        let valid = !code.starts_with('0') && code.len() + pure.len() <= MAX_E164_DIGITS;
        valid.then(|| format!("+{code}{pure}"))
    }
}

/// The most digits an E.164 number has, country code included (ITU-T E.164).
const MAX_E164_DIGITS: usize = 15;

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PhoneNumber")
            .field("phone_number", &Masked(self.phone_number()))
            .field("pure_phone_number", &Masked(self.pure_phone_number()))
            .field("country_code", &self.country_code())
            .finish()
    }
}

/// Masks the middle of a phone number, counting characters: the first 3
/// and last 4 stay when there are at least 11; otherwise at most half stay
/// (the larger share at the end) and at least [`MIN_MASKED`] are masked.
pub(super) fn mask(number: &str) -> String {
    let n = number.chars().count();
    let (front, back) = if n >= 11 {
        (3, 4)
    } else {
        let shown = n.saturating_sub(n.div_ceil(2).max(MIN_MASKED));
        (shown / 2, shown - shown / 2)
    };
    let back_from = n.saturating_sub(back);
    number
        .chars()
        .enumerate()
        .map(|(i, c)| if i < front || i >= back_from { c } else { '*' })
        .collect()
}

/// The fewest characters [`mask`] hides, as in `180****8610`.
const MIN_MASKED: usize = 4;

/// Debug-formats a phone number masked.
struct Masked<'a>(&'a str);

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", mask(self.0))
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("PhoneNumber", 3)?;
        fields.serialize_field("phoneNumber", self.phone_number())?;
        fields.serialize_field("purePhoneNumber", self.pure_phone_number())?;
        fields.serialize_field("countryCode", self.country_code())?;
        fields.end()
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `FIELDS` is `Self::REQUIRED`'s list in a `static`: by its address
        // our parser knows the layout (`PHONE_LAYOUT`); every other
        // deserializer sees the usual list.
        deserializer.deserialize_struct("PhoneNumber", &FIELDS, PhoneVisitor)
    }
}

/// The members a phone payload requires, as passed to `deserialize_struct`.
static FIELDS: [&str; 3] = ["phoneNumber", "purePhoneNumber", "countryCode"];

/// How WeChat writes a phone payload:
/// `{"phoneNumber":"..","purePhoneNumber":"..","countryCode":"..","watermark":{..}}`
/// (every phone vector, `tests/vectors`). The parser reads a text written
/// exactly so without scanning its shape, and hands this type's visitor the
/// same members as for any other text.
pub(crate) static PHONE_LAYOUT: Layout = Layout {
    fields: &FIELDS,
    members: &[
        member!("phoneNumber", Str),
        member!("purePhoneNumber", Str),
        member!("countryCode", Str),
    ],
};

/// The members of a phone payload; any other is read and ignored.
enum Member {
    Shown,
    Pure,
    Code,
    Other,
}

impl Member {
    /// The member `name` names.
    #[inline]
    fn named(name: &[u8]) -> Self {
        if named(name, b"phoneNumber") {
            Self::Shown
        } else if named(name, b"countryCode") {
            Self::Code
        } else if named(name, b"purePhoneNumber") {
            Self::Pure
        } else {
            Self::Other
        }
    }
}

/// Reads the three members, each checked as it is read, then checks that
/// the digits of `phoneNumber` end with `purePhoneNumber`.
struct PhoneVisitor;

impl<'de> Visitor<'de> for PhoneVisitor {
    type Value = PhoneNumber;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a phone number object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PhoneNumber, A::Error> {
        let (mut shown, mut pure, mut code) = (None, None, None);
        while let Some(member) = map.next_key_seed(MemberSeed(Member::named))? {
            match member {
                Member::Shown => read_once(&mut map, &mut shown, "phoneNumber", ShownNumber)?,
                Member::Pure => read_once(&mut map, &mut pure, "purePhoneNumber", PureNumber)?,
                Member::Code => read_once(&mut map, &mut code, "countryCode", CountryCode)?,
                Member::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let shown = shown.ok_or_else(|| de::Error::missing_field("phoneNumber"))?;
        let pure = pure.ok_or_else(|| de::Error::missing_field("purePhoneNumber"))?;
        let code = code.ok_or_else(|| de::Error::missing_field("countryCode"))?;
        if !(shown.same_text(&pure) || digits_end_with(shown.as_bytes(), pure.as_bytes())) {
            return Err(de::Error::custom(
                "the digits of phoneNumber must end with purePhoneNumber",
            ));
        }
        Ok(PhoneNumber {
            phone_number: shown,
            pure_phone_number: pure,
            country_code: code,
        })
    }
}

/// Reads the value of a member into `slot`, refusing a second one.
fn read_once<'de, A: MapAccess<'de>, S: DeserializeSeed<'de>>(
    map: &mut A,
    slot: &mut Option<S::Value>,
    name: &'static str,
    seed: S,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value_seed(seed)?);
    Ok(())
}

/// Whether the digits of `shown`, separators skipped, end with `pure`.
/// Usually `shown` ends with `pure` as it is; only a number written with
/// separators needs the digit-by-digit walk.
fn digits_end_with(shown: &[u8], pure: &[u8]) -> bool {
    if shown.ends_with(pure) {
        return true;
    }
    let mut digits = shown.iter().rev().filter(|b| b.is_ascii_digit());
    pure.iter().rev().all(|d| digits.next() == Some(d))
}

/// Whether `text` is written the way a phone number is: digits, spaces,
/// `-` and parentheses, and a `+` only as its first character.
pub(super) fn is_phone_text(text: &[u8]) -> bool {
    let rest = text.strip_prefix(b"+").unwrap_or(text);
    // Usually digits only: eight at a time.
    all_digits(rest)
        || rest
            .iter()
            .all(|&b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'(' | b')'))
}

/// Whether every byte of `text` is an ASCII digit (`true` when it is
/// empty): eight bytes at a time, then the last few one by one.
pub(super) fn all_digits(text: &[u8]) -> bool {
    let words = text.chunks_exact(8);
    let rest = words.remainder();
    words
        .map(|word| u64::from_le_bytes(word.try_into().unwrap_or([0; 8])))
        .all(eight_digits)
        && rest.iter().all(u8::is_ascii_digit)
}

/// Whether the eight bytes of `word` are all ASCII digits: each is
/// 0x30..=0x39, that is its high nibble is 3, and it still is after adding 6
/// (which carries 0x3a..=0x3f into 0x40..=0x45).
const fn eight_digits(word: u64) -> bool {
    const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    word & HIGH_NIBBLES == THREES
        && word.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES == THREES
}

/// Reads `phoneNumber`: 1 to [`MAX_SHOWN_LEN`] characters of phone text.
struct ShownNumber;

impl<'de> DeserializeSeed<'de> for ShownNumber {
    type Value = Inline<MAX_SHOWN_LEN>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for ShownNumber {
    type Value = Inline<MAX_SHOWN_LEN>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a phone number: digits, one leading +, spaces, - and parentheses")
    }

    #[inline]
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Inline::checked(text.as_bytes(), is_phone_text)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Other("a string"), &self))
    }
}

/// Reads `purePhoneNumber`: 1 to [`MAX_PURE_DIGITS`] ASCII digits.
struct PureNumber;

impl<'de> DeserializeSeed<'de> for PureNumber {
    type Value = Inline<MAX_PURE_DIGITS>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for PureNumber {
    type Value = Inline<MAX_PURE_DIGITS>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("1 to 20 digits")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Inline::checked(text.as_bytes(), all_digits)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Other("a string"), &self))
    }
}

/// The largest country calling code (ITU-T E.164 codes have 1 to 3 digits;
/// a little slack for sub-codes).
const MAX_COUNTRY_CODE_DIGITS: usize = 4;

/// Reads `countryCode`: accepts `"86"`, `"+86"` or `86` and gives `"86"`.
struct CountryCode;

impl<'de> DeserializeSeed<'de> for CountryCode {
    type Value = Inline<MAX_COUNTRY_CODE_DIGITS>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Visitor<'_> for CountryCode {
    type Value = Inline<MAX_COUNTRY_CODE_DIGITS>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a country calling code as digits, in a string or a number")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        let digits = text.strip_prefix('+').unwrap_or(text).as_bytes();
        Inline::checked(digits, all_digits)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Other("a string"), &self))
    }

    fn visit_u64<E: de::Error>(self, code: u64) -> Result<Self::Value, E> {
        if (1..10_000).contains(&code) {
            let mut text = [0u8; MAX_COUNTRY_CODE_DIGITS];
            let mut at = text.len();
            let mut rest = code;
            while rest > 0 {
                at -= 1;
                #[allow(clippy::cast_possible_truncation)] // one digit
                {
                    text[at] = b'0' + (rest % 10) as u8;
                }
                rest /= 10;
            }
            Inline::checked(&text[at..], all_digits)
                .ok_or_else(|| E::invalid_value(de::Unexpected::Other("a number"), &self))
        } else {
            Err(E::invalid_value(de::Unexpected::Other("a number"), &self))
        }
    }

    fn visit_i64<E: de::Error>(self, code: i64) -> Result<Self::Value, E> {
        match u64::try_from(code) {
            Ok(code) => self.visit_u64(code),
            Err(_) => Err(E::invalid_value(de::Unexpected::Other("a number"), &self)),
        }
    }
}

impl Members for PhoneNumber {
    const REQUIRED: &'static [&'static str] = &FIELDS;
    const OPTIONAL: &'static [&'static str] = &[];
}
