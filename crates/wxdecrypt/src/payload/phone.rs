//! [`PhoneNumber`]: the rules a phone payload must obey (the pure number,
//! the number as shown, the country code), and how it is shown masked.

use core::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::Members;

/// The user's phone number, from the `getPhoneNumber` button (legacy
/// `encryptedData`) or from the `getuserphonenumber` API.
///
/// `Debug` masks the middle digits (`180****8610`); `Serialize` writes the
/// full values with WeChat's field names, `countryCode` as a string.
///
/// A payload is only accepted when `purePhoneNumber` is 1 to 20 ASCII digits
/// and the digits of `phoneNumber` end with it, and its `countryCode` is 1
/// to 4 digits (`"86"`, `"+86"` and `86` all become `"86"`). Besides catching
/// malformed data, this stops the one edit that unauthenticated CBC would
/// otherwise allow on a phone payload: dropping leading blocks and rewriting
/// the new first block through the iv cannot change `phoneNumber` without
/// breaking the match (see `tests/tamper.rs`). The fields are private, read
/// through the accessors, so every `PhoneNumber` keeps these rules; the only
/// way to make one is to deserialize it.
#[derive(Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", try_from = "PhoneNumberFields")]
#[allow(clippy::struct_field_names, reason = "WeChat's names, as serialized")]
pub struct PhoneNumber {
    phone_number: String,
    pure_phone_number: String,
    country_code: String,
}

/// The fields of a [`PhoneNumber`] before their consistency is checked.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhoneNumberFields {
    phone_number: String,
    pure_phone_number: String,
    #[serde(deserialize_with = "country_code")]
    country_code: String,
}

/// The longest pure number accepted (E.164 allows 15 digits in all).
const MAX_PURE_DIGITS: usize = 20;

impl TryFrom<PhoneNumberFields> for PhoneNumber {
    type Error = &'static str;

    fn try_from(fields: PhoneNumberFields) -> Result<Self, Self::Error> {
        let pure = fields.pure_phone_number.as_bytes();
        if pure.is_empty() || pure.len() > MAX_PURE_DIGITS || !pure.iter().all(u8::is_ascii_digit) {
            return Err("purePhoneNumber must be 1 to 20 digits");
        }
        // Usually `phoneNumber` ends with the pure number as it is; only a
        // number written with separators needs the digit-by-digit walk.
        let shown = fields.phone_number.as_bytes();
        if !shown.ends_with(pure) {
            let mut digits = shown.iter().rev().filter(|b| b.is_ascii_digit());
            if !pure.iter().rev().all(|d| digits.next() == Some(d)) {
                return Err("the digits of phoneNumber must end with purePhoneNumber");
            }
        }
        Ok(Self {
            phone_number: fields.phone_number,
            pure_phone_number: fields.pure_phone_number,
            country_code: fields.country_code,
        })
    }
}

impl PhoneNumber {
    /// The number as WeChat shows it, with the country code for numbers
    /// outside mainland China (for example `+16505550100`), perhaps with
    /// separators. Its digits end with the
    /// [`pure_phone_number`](Self::pure_phone_number).
    #[must_use]
    pub fn phone_number(&self) -> &str {
        &self.phone_number
    }

    /// The number without the country code: 1 to 20 ASCII digits.
    #[must_use]
    pub fn pure_phone_number(&self) -> &str {
        &self.pure_phone_number
    }

    /// The country calling code: 1 to 4 ASCII digits (`"86"`), whether
    /// WeChat sent it as a string, with a `+`, or as a number.
    #[must_use]
    pub fn country_code(&self) -> &str {
        &self.country_code
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
        mask(&self.pure_phone_number)
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
        let (code, pure) = (&self.country_code, &self.pure_phone_number);
        let valid = !code.starts_with('0') && code.len() + pure.len() <= MAX_E164_DIGITS;
        valid.then(|| format!("+{code}{pure}"))
    }
}

/// The most digits an E.164 number has, country code included (ITU-T E.164).
const MAX_E164_DIGITS: usize = 15;

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PhoneNumber")
            .field("phone_number", &Masked(&self.phone_number))
            .field("pure_phone_number", &Masked(&self.pure_phone_number))
            .field("country_code", &self.country_code)
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

/// The largest country calling code (ITU-T E.164 codes have 1 to 3 digits;
/// a little slack for sub-codes).
const MAX_COUNTRY_CODE_DIGITS: usize = 4;

fn country_code<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_any(CountryCode)
}

/// Accepts `"86"`, `"+86"` or `86` and gives `"86"`.
struct CountryCode;

impl Visitor<'_> for CountryCode {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a country calling code as digits, in a string or a number")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<String, E> {
        let digits = text.strip_prefix('+').unwrap_or(text);
        let valid = !digits.is_empty()
            && digits.len() <= MAX_COUNTRY_CODE_DIGITS
            && digits.bytes().all(|b| b.is_ascii_digit());
        if valid {
            Ok(digits.to_owned())
        } else {
            Err(E::invalid_value(de::Unexpected::Other("a string"), &self))
        }
    }

    fn visit_u64<E: de::Error>(self, code: u64) -> Result<String, E> {
        if (1..10_000).contains(&code) {
            Ok(code.to_string())
        } else {
            Err(E::invalid_value(de::Unexpected::Other("a number"), &self))
        }
    }

    fn visit_i64<E: de::Error>(self, code: i64) -> Result<String, E> {
        match u64::try_from(code) {
            Ok(code) => self.visit_u64(code),
            Err(_) => Err(E::invalid_value(de::Unexpected::Other("a number"), &self)),
        }
    }
}

impl Members for PhoneNumber {
    const REQUIRED: &'static [&'static str] = &["phoneNumber", "purePhoneNumber", "countryCode"];
    const OPTIONAL: &'static [&'static str] = &[];
}
