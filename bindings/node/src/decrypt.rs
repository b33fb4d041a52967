//! The decrypt path: `encryptedData` with its `iv` and the user's
//! `session_key` to a checked phone number, profile or JSON text, with one
//! key or with the candidate keys of the `wx.login` race; and the `rawData`
//! signature check.
//!
//! Results are records (`Record` in `lib.rs`), their fields in a fixed order, which
//! `index.js` turns into objects with WeChat's member names.

use napi::JsString;
use napi::bindgen_prelude::{Array, Utf16String};
use napi_derive::napi;
use wxdecrypt::{
    Decrypted, EncryptedData, Error, Field, InputParser, Iv, PhoneNumber, SessionKey, UserInfo,
    Watermark,
};

use crate::{Outcome, Policy, Record, bad_input, bounded_text, napi_input, rejected, secret_text};

/// The three inputs, parsed. The key text is wiped once parsed.
struct Inputs {
    key: SessionKey,
    iv: Iv,
    data: String,
}

impl Inputs {
    /// The inputs of the decrypt functions: the key on its own (its one
    /// copy is wiped), the public strings joined by `index.js` into one,
    /// `iv + encryptedData + appid`, with the lengths of the first two in
    /// UTF-16 code units. One string read instead of three is most of the
    /// cost of crossing into the addon. An `encryptedData` longer than the
    /// parser accepts is not sent: `oversized` is its UTF-8 length, and the
    /// library's refusal follows the key's and the iv's checks, as it would.
    fn read_joined(
        parser: InputParser,
        key: String,
        joined: Joined,
        oversized: Option<i64>,
    ) -> Outcome<(Self, String)> {
        let key_text = secret_text(key);
        let key = parser.session_key(&key_text).map_err(|e| rejected(&e))?;
        let iv = parser.iv(&joined.iv).map_err(|e| rejected(&e))?;
        if let Some(len) = oversized {
            let max = parser.max_encrypted_data_len();
            return Err(rejected(&Error::TooLarge {
                field: Field::EncryptedData,
                len: usize::try_from(len).unwrap_or(usize::MAX),
                max,
            }));
        }
        let inputs = Self {
            key,
            iv,
            data: joined.data,
        };
        Ok((inputs, joined.appid))
    }

    fn data(&self, parser: InputParser) -> Outcome<EncryptedData<'_>> {
        parser.encrypted_data(&self.data).map_err(|e| rejected(&e))
    }
}

/// `iv`, `encryptedData` and `appid`, split from the one string
/// `index.js` joined them into.
struct Joined {
    iv: String,
    data: String,
    appid: String,
}

impl Joined {
    /// Splits `text` after `iv_len` and `iv_len + data_len` UTF-16 code
    /// units. Each part is the text N-API would give for it alone: ASCII
    /// as it is (copied as Latin-1), anything else from UTF-16 with a lone
    /// surrogate as U+FFFD, split before it is converted so that halves
    /// of a pair in two fields stay lone.
    fn split(text: JsString<'_>, iv_len: u32, data_len: u32) -> Outcome<Self> {
        let units = text.utf16_len().map_err(|e| napi_input(&e))?;
        let iv_end = usize::try_from(iv_len).unwrap_or(usize::MAX);
        let data_end = iv_end
            .checked_add(usize::try_from(data_len).unwrap_or(usize::MAX))
            .filter(|&end| end <= units)
            .ok_or_else(|| bad_input("the joined inputs are shorter than their lengths"))?;
        let utf16 = text.into_utf16().map_err(|e| napi_input(&e))?;
        // N-API writes a terminating NUL after the text.
        let all = utf16.as_slice();
        let all = &all[..units.min(all.len())];
        // One pass over all units (no early exit, so it vectorizes).
        let ascii = all.iter().fold(0, |acc, &unit| acc | unit) < 0x80;
        let part = |units: &[u16]| -> Outcome<String> {
            if ascii {
                #[allow(
                    clippy::cast_possible_truncation,
                    reason = "every unit was checked to be ASCII"
                )]
                let bytes: Vec<u8> = units.iter().map(|&unit| unit as u8).collect();
                String::from_utf8(bytes).map_err(|_| bad_input("not ASCII after all"))
            } else {
                Ok(String::from_utf16_lossy(units))
            }
        };
        Ok(Self {
            iv: part(&all[..iv_end])?,
            data: part(&all[iv_end..data_end])?,
            appid: part(&all[data_end..])?,
        })
    }
}

/// Copies `encryptedData`, refusing text longer than the parser accepts
/// before copying it, with the library's own error.
fn encrypted_text(parser: InputParser, data: JsString<'_>) -> Outcome<String> {
    let max = parser.max_encrypted_data_len();
    bounded_text(data, max, |len| {
        rejected(&Error::TooLarge {
            field: Field::EncryptedData,
            len,
            max,
        })
    })
}

/// The watermark's timestamp, when there is one.
fn timestamp(watermark: Option<&Watermark>) -> Option<u64> {
    watermark.map(|w| w.timestamp.as_secs())
}

/// `phoneNumber, purePhoneNumber, countryCode, timestamp?`. The masked and
/// E.164 forms are made only when asked for ([`crate::api::phone_forms`]).
pub(crate) fn put_phone(
    record: &mut Record,
    phone: &PhoneNumber,
    watermark: Option<&Watermark>,
) -> Outcome<()> {
    record.text(phone.phone_number())?;
    record.text(phone.pure_phone_number())?;
    record.text(phone.country_code())?;
    record.number(timestamp(watermark))
}

/// `openId?, nickName, gender, language, city, province, country,
/// avatarUrl, unionId?, timestamp?`.
fn put_user(record: &mut Record, decrypted: &Decrypted<UserInfo>) -> Outcome<()> {
    let user = &decrypted.payload;
    record.optional(user.open_id.as_deref())?;
    record.text(&user.nick_name)?;
    record.number(Some(u64::from(user.gender.code())))?;
    record.text(&user.language)?;
    record.text(&user.city)?;
    record.text(&user.province)?;
    record.text(&user.country)?;
    record.text(&user.avatar_url)?;
    record.optional(user.union_id.as_deref())?;
    record.number(timestamp(decrypted.watermark.as_ref()))
}

/// Decrypts a `getPhoneNumber` payload: see `decryptPhone` in `index.d.ts`.
///
/// # Errors
/// The library's error, thrown with its stage (`input`, `decryption` or
/// `policy`) as the JavaScript error's `code`.
#[napi]
#[allow(
    clippy::too_many_arguments,
    reason = "index.js spreads the options object into positional arguments"
)]
#[allow(
    clippy::fn_params_excessive_bools,
    reason = "the options' two switches"
)]
#[allow(
    clippy::needless_pass_by_value,
    reason = "N-API hands over owned values"
)]
pub fn decrypt_phone(
    session_key: String,
    joined: JsString<'_>,
    iv_len: u32,
    data_len: u32,
    oversized: Option<i64>,
    now: Option<i64>,
    max_age: Option<i64>,
    leeway: Option<i64>,
    lenient: bool,
    accept_missing_watermark: bool,
) -> napi::Result<Utf16String, String> {
    let joined = Joined::split(joined, iv_len, data_len)?;
    let mut policy = Policy {
        appid: String::new(),
        now,
        max_age,
        leeway,
        lenient,
        accept_missing_watermark,
    };
    let parser = policy.parser();
    let (inputs, appid) = Inputs::read_joined(parser, session_key, joined, oversized)?;
    policy.appid = appid;
    let (parser, validation, now) = policy.settings()?;
    let decrypted = wxdecrypt::decrypt_at::<PhoneNumber>(
        &inputs.key,
        &inputs.iv,
        &inputs.data(parser)?,
        &validation,
        now,
    )
    .map_err(|e| rejected(&e))?;
    let mut record = Record::with_capacity(128);
    put_phone(
        &mut record,
        &decrypted.payload,
        decrypted.watermark.as_ref(),
    )?;
    Ok(record.finish())
}

/// Decrypts a `getUserInfo` payload: see `decryptUserInfo` in `index.d.ts`.
///
/// # Errors
/// The library's error, thrown with its stage (`input`, `decryption` or
/// `policy`) as the JavaScript error's `code`.
#[napi]
#[allow(
    clippy::too_many_arguments,
    reason = "index.js spreads the options object into positional arguments"
)]
#[allow(
    clippy::fn_params_excessive_bools,
    reason = "the options' two switches"
)]
#[allow(
    clippy::needless_pass_by_value,
    reason = "N-API hands over owned values"
)]
pub fn decrypt_user_info(
    session_key: String,
    joined: JsString<'_>,
    iv_len: u32,
    data_len: u32,
    oversized: Option<i64>,
    now: Option<i64>,
    max_age: Option<i64>,
    leeway: Option<i64>,
    lenient: bool,
    accept_missing_watermark: bool,
) -> napi::Result<Utf16String, String> {
    let joined = Joined::split(joined, iv_len, data_len)?;
    let mut policy = Policy {
        appid: String::new(),
        now,
        max_age,
        leeway,
        lenient,
        accept_missing_watermark,
    };
    let parser = policy.parser();
    let (inputs, appid) = Inputs::read_joined(parser, session_key, joined, oversized)?;
    policy.appid = appid;
    let (parser, validation, now) = policy.settings()?;
    let decrypted = wxdecrypt::decrypt_at::<UserInfo>(
        &inputs.key,
        &inputs.iv,
        &inputs.data(parser)?,
        &validation,
        now,
    )
    .map_err(|e| rejected(&e))?;
    let mut record = Record::with_capacity(512);
    put_user(&mut record, &decrypted)?;
    Ok(record.finish())
}

/// Decrypts any payload to its checked JSON text: `[text, timestamp |
/// null]`. See `decryptRaw` in `index.d.ts`.
///
/// # Errors
/// The library's error, thrown with its stage (`input`, `decryption` or
/// `policy`) as the JavaScript error's `code`.
#[napi]
#[allow(
    clippy::too_many_arguments,
    reason = "index.js spreads the options object into positional arguments"
)]
#[allow(
    clippy::fn_params_excessive_bools,
    reason = "the options' two switches"
)]
#[allow(
    clippy::needless_pass_by_value,
    reason = "N-API hands over owned values"
)]
pub fn decrypt_raw(
    session_key: String,
    joined: JsString<'_>,
    iv_len: u32,
    data_len: u32,
    oversized: Option<i64>,
    now: Option<i64>,
    max_age: Option<i64>,
    leeway: Option<i64>,
    lenient: bool,
    accept_missing_watermark: bool,
) -> napi::Result<Utf16String, String> {
    let joined = Joined::split(joined, iv_len, data_len)?;
    let mut policy = Policy {
        appid: String::new(),
        now,
        max_age,
        leeway,
        lenient,
        accept_missing_watermark,
    };
    let parser = policy.parser();
    let (inputs, appid) = Inputs::read_joined(parser, session_key, joined, oversized)?;
    policy.appid = appid;
    let (parser, validation, now) = policy.settings()?;
    let decrypted = wxdecrypt::decrypt_raw_at(
        &inputs.key,
        &inputs.iv,
        &inputs.data(parser)?,
        &validation,
        now,
    )
    .map_err(|e| rejected(&e))?;
    let text = decrypted.payload.as_str();
    let mut record = Record::with_capacity(text.len() + 8);
    record.text(text)?;
    record.number(timestamp(decrypted.watermark.as_ref()))?;
    Ok(record.finish())
}

/// Decrypts with each candidate key in turn (the `wx.login` race):
/// `[keyIndex, ...the phone or profile array]`, `kind` being `phone` or
/// `userInfo`. See `decryptWithKeys` in `index.d.ts`.
///
/// # Errors
/// The library's error, thrown with its stage (`input`, `decryption` or
/// `policy`) as the JavaScript error's `code`.
#[napi]
#[allow(
    clippy::too_many_arguments,
    reason = "index.js spreads the options object into positional arguments"
)]
#[allow(
    clippy::fn_params_excessive_bools,
    reason = "the options' two switches"
)]
#[allow(
    clippy::needless_pass_by_value,
    reason = "N-API hands over owned values"
)]
pub fn decrypt_with_keys<'env>(
    kind: String,
    session_keys: Array<'env>,
    iv: String,
    encrypted_data: JsString<'env>,
    appid: String,
    now: Option<i64>,
    max_age: Option<i64>,
    leeway: Option<i64>,
    lenient: bool,
    accept_missing_watermark: bool,
) -> napi::Result<Utf16String, String> {
    let policy = Policy {
        appid,
        now,
        max_age,
        leeway,
        lenient,
        accept_missing_watermark,
    };
    let (parser, validation, now) = policy.settings()?;
    let count = session_keys.len();
    let max = wxdecrypt::MAX_CANDIDATE_KEYS;
    if count == 0 || usize::try_from(count).map_or(true, |n| n > max) {
        // Refused before any key is read, as the library refuses the count
        // before it tries a key; its error, with its limit.
        return Err(rejected(&Error::CandidateKeyCount {
            count: usize::try_from(count).unwrap_or(usize::MAX),
            max,
        }));
    }
    let mut keys = Vec::with_capacity(count as usize);
    for index in 0..count {
        let text: String = session_keys
            .get(index)
            .map_err(|e| bad_input(e.reason))?
            .ok_or_else(|| bad_input("sessionKeys must hold strings"))?;
        let key_text = secret_text(text);
        keys.push(parser.session_key(&key_text).map_err(|e| rejected(&e))?);
    }
    let keys: Vec<&SessionKey> = keys.iter().collect();
    let iv = parser.iv(&iv).map_err(|e| rejected(&e))?;
    let data_text = encrypted_text(parser, encrypted_data)?;
    let data = parser
        .encrypted_data(&data_text)
        .map_err(|e| rejected(&e))?;
    match kind.as_str() {
        "phone" => {
            let (index, decrypted) =
                wxdecrypt::decrypt_with_keys_at::<PhoneNumber>(&keys, &iv, &data, &validation, now)
                    .map_err(|e| rejected(&e))?;
            let mut record = Record::with_capacity(128);
            record.number(u64::try_from(index).ok())?;
            put_phone(
                &mut record,
                &decrypted.payload,
                decrypted.watermark.as_ref(),
            )?;
            Ok(record.finish())
        }
        "userInfo" => {
            let (index, decrypted) =
                wxdecrypt::decrypt_with_keys_at::<UserInfo>(&keys, &iv, &data, &validation, now)
                    .map_err(|e| rejected(&e))?;
            let mut record = Record::with_capacity(512);
            record.number(u64::try_from(index).ok())?;
            put_user(&mut record, &decrypted)?;
            Ok(record.finish())
        }
        _ => Err(bad_input("kind must be 'phone' or 'userInfo'")),
    }
}

/// Whether `signature` is `sha1(rawData + session_key)`, compared in
/// constant time. A key that is not a valid session key is an input error.
///
/// # Errors
/// The library's error, thrown with its stage (`input`, `decryption` or
/// `policy`) as the JavaScript error's `code`.
#[napi]
#[allow(
    clippy::needless_pass_by_value,
    reason = "N-API hands over owned values"
)]
pub fn verify_raw_data(
    raw_data: String,
    signature: String,
    session_key: String,
) -> napi::Result<bool, String> {
    let key_text = secret_text(session_key);
    let key = SessionKey::from_base64(&key_text).map_err(|e| rejected(&e))?;
    Ok(wxdecrypt::verify_raw_data(&key, &raw_data, &signature))
}

/// The most candidate keys [`decrypt_with_keys`] tries: the library's
/// `MAX_CANDIDATE_KEYS`.
#[napi]
#[must_use]
pub fn max_candidate_keys() -> u32 {
    u32::try_from(wxdecrypt::MAX_CANDIDATE_KEYS).unwrap_or(u32::MAX)
}

/// The largest `encryptedData` the decrypt functions accept, in UTF-8
/// bytes (the library's default): `index.js` does not send longer text.
#[napi]
#[must_use]
pub fn max_encrypted_data_len() -> u32 {
    u32::try_from(InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN).unwrap_or(u32::MAX)
}
