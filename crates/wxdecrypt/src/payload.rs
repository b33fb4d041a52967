//! The payloads WeChat encrypts, as typed values.
//!
//! Field names follow WeChat's JSON (camelCase) when serialized. Unknown
//! fields are ignored; duplicate keys never get this far (the JSON layer
//! rejects them). `Debug` output masks personal data.

use core::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::validation::Watermark;

/// A decrypted payload together with its checked watermark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decrypted<T> {
    /// The payload.
    pub payload: T,
    /// The watermark, checked against the [`Validation`](crate::Validation).
    /// `None` only when the validation accepted a payload without one.
    pub watermark: Option<Watermark>,
}

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

/// WeRun step counts, from `wx.getWeRunData`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WeRunData {
    /// One entry a day, oldest first (WeChat sends the last 31 days).
    pub step_info_list: Vec<StepInfo>,
}

/// One day of WeRun data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub struct StepInfo {
    /// Midnight of the day, in Unix seconds.
    pub timestamp: u64,
    /// Steps walked that day.
    pub step: u64,
}

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

/// Masks the middle of a phone number, counting characters: the first 3
/// and last 4 stay when there are at least 11; otherwise at most half stay
/// (the larger share at the end) and at least [`MIN_MASKED`] are masked.
pub(crate) fn mask(number: &str) -> String {
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

// ----- Member names, for the offline diagnosis -----

/// The JSON members a payload type reads, as WeChat names them: the one
/// list the offline diagnosis uses to recognise a payload by its member
/// names (its unit tests check each list against the serde derive's).
pub(crate) trait Members {
    /// The members the type requires.
    const REQUIRED: &'static [&'static str];
    /// The members the type reads when they are present.
    const OPTIONAL: &'static [&'static str];
}

impl Members for PhoneNumber {
    const REQUIRED: &'static [&'static str] = &["phoneNumber", "purePhoneNumber", "countryCode"];
    const OPTIONAL: &'static [&'static str] = &[];
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

impl Members for WeRunData {
    const REQUIRED: &'static [&'static str] = &["stepInfoList"];
    const OPTIONAL: &'static [&'static str] = &[];
}

impl Members for ShareInfo {
    const REQUIRED: &'static [&'static str] = &["openGId"];
    const OPTIONAL: &'static [&'static str] = &[];
}

impl Members for GroupEnterInfo {
    const REQUIRED: &'static [&'static str] = &["chat_type"];
    const OPTIONAL: &'static [&'static str] = &["opengid", "open_single_roomid", "group_openid"];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_keeps_three_and_four_of_a_mainland_number() {
        assert_eq!(mask("18017448610"), "180****8610");
    }

    #[test]
    fn mask_of_short_numbers_shows_at_most_half_and_hides_at_least_four() {
        let cases = [
            ("1234567890", "12*****890"),
            ("123456789", "12*****89"),
            ("61234567", "61****67"),
            ("1234567", "1****67"),
            ("123456", "1****6"),
            ("12345", "****5"),
            ("1234", "****"),
            ("12", "**"),
            ("", ""),
        ];
        for (number, masked) in cases {
            assert_eq!(mask(number), masked, "{number}");
        }
    }

    proptest::proptest! {
        #[test]
        fn mask_never_panics_and_never_shows_more_than_it_should(number in "\\PC{0,24}") {
            let masked = mask(&number);
            let n = number.chars().count();
            proptest::prop_assert_eq!(masked.chars().count(), n);
            let shown = number.chars().zip(masked.chars()).filter(|(a, b)| a == b && *a != '*').count();
            let allowed = if n >= 11 { 7 } else { n / 2 };
            proptest::prop_assert!(shown <= allowed, "{} shows {}", masked, shown);
        }
    }

    #[test]
    fn e164_needs_a_plausible_country_code_and_at_most_fifteen_digits() {
        let with = |code: &str, pure: &str| {
            phone(&format!(
                r#"{{"phoneNumber":"{pure}","purePhoneNumber":"{pure}","countryCode":"{code}"}}"#
            ))
        };
        let e164 = |code: &str, pure: &str| with(code, pure).unwrap().e164();
        assert_eq!(e164("852", "61234567").as_deref(), Some("+85261234567"));
        assert_eq!(e164("1268", "4641234").as_deref(), Some("+12684641234"));
        assert_eq!(
            e164("86", "1234567890123").as_deref(),
            Some("+861234567890123")
        );
        // Accepted when decoded, but not E.164.
        for (code, pure) in [
            ("0", "18017448610"),
            ("0852", "61234567"),
            ("86", "12345678901234"),
        ] {
            assert_eq!(e164(code, pure), None, "{code:?} {pure:?}");
        }
        // What the fields could once be set to: now refused when decoded, so
        // no `PhoneNumber` holds them.
        for (code, pure) in [
            ("", "18017448610"),
            ("12345", "1801744"),
            ("86", ""),
            ("86", "180 1744 8610"),
            ("８６", "18017448610"),
        ] {
            assert!(with(code, pure).is_err(), "{code:?} {pure:?}");
        }
        // `+86` is normalised when decoded.
        let plus = with("+86", "18017448610").unwrap();
        assert_eq!(plus.country_code(), "86");
        assert_eq!(plus.e164().as_deref(), Some("+8618017448610"));
    }

    #[test]
    fn phone_serializes_with_wechats_names_and_reads_through_accessors() {
        let p = phone(
            r#"{"phoneNumber":"+86 138-2252-8774","purePhoneNumber":"13822528774","countryCode":86}"#,
        )
        .unwrap();
        assert_eq!(p.phone_number(), "+86 138-2252-8774");
        assert_eq!(p.pure_phone_number(), "13822528774");
        assert_eq!(p.country_code(), "86");
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            serde_json::json!({
                "phoneNumber": "+86 138-2252-8774",
                "purePhoneNumber": "13822528774",
                "countryCode": "86",
            })
        );
        let again: PhoneNumber = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
        assert_eq!(again, p);
    }

    #[test]
    fn mask_counts_characters_not_bytes() {
        assert_eq!(mask("+1 650 555 0100"), "+1 ********0100");
    }

    #[test]
    fn phone_debug_shows_no_whole_number() {
        let phone = phone(
            r#"{"phoneNumber":"+8613822528774","purePhoneNumber":"13822528774","countryCode":"86"}"#,
        )
        .unwrap();
        let debug = format!("{phone:?}");
        assert!(!debug.contains("13822528774"), "{debug}");
        assert!(!debug.contains("2528"), "{debug}");
        assert!(debug.contains("138****8774"), "{debug}");
    }

    #[test]
    fn user_info_debug_redacts_identity() {
        let info = UserInfo {
            open_id: Some("oGZUI0egBJY1zhBYw2KhdUfwVJJE".into()),
            nick_name: "Band".into(),
            gender: Gender::Male,
            language: "zh_CN".into(),
            city: "Guangzhou".into(),
            province: "Guangdong".into(),
            country: "CN".into(),
            avatar_url: "http://wx.qlogo.cn/x".into(),
            union_id: None,
        };
        let debug = format!("{info:?}");
        for secret in ["oGZUI0", "Band", "qlogo"] {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert!(debug.contains("union_id: None"), "{debug}");
    }

    #[test]
    fn raw_payload_debug_prints_only_its_length() {
        let raw = RawPayload::new(r#"{"phoneNumber":"13822528774"}"#);
        assert_eq!(format!("{raw:?}"), "RawPayload(29 bytes, [redacted])");
    }

    fn phone(json: &str) -> Result<PhoneNumber, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn phone_number_with_country_code_ending_in_the_pure_number_is_accepted() {
        let p = phone(
            r#"{"phoneNumber":"+16505550100","purePhoneNumber":"6505550100","countryCode":1}"#,
        )
        .unwrap();
        assert_eq!(p.country_code(), "1");
        assert!(phone(r#"{"phoneNumber":"+86 138-2252-8774","purePhoneNumber":"13822528774","countryCode":"+86"}"#).is_ok());
    }

    #[test]
    fn phone_number_not_ending_in_the_pure_number_is_rejected() {
        // What dropping the first block of a real payload and rewriting the
        // new first block would give: a suffix of the number.
        assert!(
            phone(r#"{"phoneNumber":"8610","purePhoneNumber":"18017448610","countryCode":"86"}"#)
                .is_err()
        );
        assert!(phone(r#"{"phoneNumber":"18017448611","purePhoneNumber":"18017448610","countryCode":"86"}"#).is_err());
        assert!(
            phone(r#"{"phoneNumber":"","purePhoneNumber":"18017448610","countryCode":"86"}"#)
                .is_err()
        );
    }

    #[test]
    fn pure_phone_number_must_be_one_to_twenty_digits() {
        for pure in [
            "",
            "1801744861a",
            "+8618017448610",
            "180 1744 8610",
            "123456789012345678901",
        ] {
            let json = format!(
                r#"{{"phoneNumber":"{pure}","purePhoneNumber":"{pure}","countryCode":"86"}}"#
            );
            assert!(phone(&json).is_err(), "{pure:?}");
        }
        assert!(phone(r#"{"phoneNumber":"1","purePhoneNumber":"1","countryCode":"86"}"#).is_ok());
    }

    #[test]
    fn share_and_group_debug_redact_ids() {
        let share = ShareInfo {
            open_gid: "tGzzSecretGroup".into(),
        };
        assert_eq!(format!("{share:?}"), "ShareInfo { open_gid: [redacted] }");
        let group = GroupEnterInfo {
            opengid: Some("tGzzSecretGroup".into()),
            open_single_roomid: None,
            group_openid: Some("gh_secret".into()),
            chat_type: 3,
        };
        let debug = format!("{group:?}");
        assert!(
            !debug.contains("Secret") && !debug.contains("secret"),
            "{debug}"
        );
        assert!(debug.contains("open_single_roomid: None"), "{debug}");
    }
}
