//! The decrypt path: `encryptedData` with its `iv` and the user's
//! `session_key` to a checked phone number, profile or JSON text, with one
//! key or with the candidate keys of the `wx.login` race; and the `rawData`
//! signature check.
//!
//! Results are records (`Record` in `lib.rs`), their fields in a fixed order, which
//! `index.js` turns into objects with WeChat's member names.

use std::borrow::Cow;
use std::cell::RefCell;

use napi::bindgen_prelude::Array;
use napi::{CallContext, JsString};
use napi_derive::napi;
use wxdecrypt::{
    Decrypted, EncryptedData, Error, Field, InputParser, Iv, PhoneNumber, SessionKey, UnixTime,
    UserInfo, Validation, Watermark,
};
use zeroize::Zeroize;

use crate::{
    Outcome, Policy, Record, RecordString, bad_input, bounded_text, napi_input, raw, rejected,
    secret_text,
};

/// The three inputs, parsed. The key text is wiped once parsed;
/// `encryptedData`'s text stays where it was read (see [`TEXT_BUFFER`]).
struct Inputs<'t> {
    key: SessionKey,
    iv: Iv,
    data: Cow<'t, str>,
}

impl<'t> Inputs<'t> {
    /// Parses the key and the iv. An `encryptedData` longer than the
    /// parser accepts is not sent by `index.js`: `oversized` is its UTF-8
    /// length, and the library's refusal follows the key's and the iv's
    /// checks, as it would.
    fn parse(
        parser: InputParser,
        key_text: &str,
        iv: &str,
        data: Cow<'t, str>,
        oversized: Option<u64>,
    ) -> Outcome<Self> {
        let key = parser.session_key(key_text).map_err(|e| rejected(&e))?;
        let iv = parser.iv(iv).map_err(|e| rejected(&e))?;
        if let Some(len) = oversized {
            let max = parser.max_encrypted_data_len();
            return Err(rejected(&Error::TooLarge {
                field: Field::EncryptedData,
                len: usize::try_from(len).unwrap_or(usize::MAX),
                max,
            }));
        }
        Ok(Self { key, iv, data })
    }

    fn data(&self, parser: InputParser) -> Outcome<EncryptedData<'_>> {
        parser.encrypted_data(&self.data).map_err(|e| rejected(&e))
    }
}

/// The size of the buffer, one per thread, that the public strings of a
/// call (`iv`, `encryptedData`, `appid`) are read into, one after the
/// other: the largest `encryptedData` `index.js` sends and room for the
/// others. A string that does not fit in what is left is read into a
/// `String` of its own instead, with the same text.
const TEXT_BUFFER: usize = 68 * 1024;

thread_local! {
    /// The buffer of [`TEXT_BUFFER`] bytes, made once per thread.
    static TEXTS: RefCell<Vec<u8>> = RefCell::new(vec![0; TEXT_BUFFER]);
}

/// Reads the public string argument `index` into the front of `spare`,
/// and returns it with what is left of `spare` after it (and its NUL); or,
/// when it does not fit, into its own `String`, `spare` left as it was.
/// Either way the text is N-API's UTF-8 form of the string, a lone
/// surrogate as U+FFFD.
fn public_text<'b>(
    ctx: &CallContext<'_>,
    index: usize,
    spare: &'b mut [u8],
) -> Outcome<(Cow<'b, str>, &'b mut [u8])> {
    let text: JsString<'_> = ctx.get(index).map_err(|e| napi_input(&e))?;
    match raw::utf8_into(&text, spare) {
        Ok(Some(len)) => {
            let (used, rest) = spare.split_at_mut(len + 1);
            let used: &'b [u8] = used;
            let text = raw::text(&used[..len])
                .ok_or_else(|| bad_input("a string argument is not valid UTF-8"))?;
            Ok((Cow::Borrowed(text), rest))
        }
        Ok(None) => {
            let text: String = ctx.get(index).map_err(|e| napi_input(&e))?;
            Ok((Cow::Owned(text), spare))
        }
        Err(error) => Err(napi_input(&error)),
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
    record.optional(user.open_id())?;
    record.text(user.nick_name())?;
    record.number(Some(u64::from(user.gender().code())))?;
    record.text(user.language())?;
    record.text(user.city())?;
    record.text(user.province())?;
    record.text(user.country())?;
    record.text(user.avatar_url())?;
    record.optional(user.union_id())?;
    record.number(timestamp(decrypted.watermark.as_ref()))
}

// The arguments of the three decrypt functions, in the order `index.js`
// passes them: `sessionKey`, `iv`, `encryptedData`, `appid`, then `now`,
// `maxAge`, `leeway`, the switches (1: lenient base64, 2: accept a missing
// watermark) and the UTF-8 length of an `encryptedData` too long to send.
// Each of the last five is -1 when absent (a number is cheaper to read
// than an optional value), and `index.js` leaves out the trailing ones it
// does not need: each argument read is an N-API call. `glue.rs` registers
// the callbacks that read them (at most nine).

/// A number argument: a whole number from 0 to 2^53 - 1 (`index.js`
/// checked it), or `None` for the -1 of an absent value.
fn whole(ctx: &CallContext<'_>, index: usize) -> Outcome<Option<u64>> {
    if index >= ctx.length {
        // Left out by the caller: absent.
        return Ok(None);
    }
    let value: f64 = ctx.get(index).map_err(|e| napi_input(&e))?;
    if value < 0.0 {
        // Only -1 is sent, for an absent value.
        return Ok(None);
    }
    if value > 9_007_199_254_740_991.0 || value.fract() != 0.0 {
        return Err(bad_input("a number argument is not a whole number"));
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a whole number from 0 to 2^53 - 1, exact in both types"
    )]
    Ok(Some(value as u64))
}

/// A number of seconds as [`Policy`] holds it.
fn secs(value: Option<u64>) -> Option<i64> {
    value.map(|v| i64::try_from(v).unwrap_or(i64::MAX))
}

/// The stack buffer a session key's text is read into: room for the
/// longest key text the library reads (256 bytes) and N-API's slack.
const KEY_BUFFER: usize = 256 + raw::SLACK + 3;

/// A session key's text on the stack, wiped when dropped: the bytes that
/// N-API may have written (all of them until a read says how many).
struct KeyBuffer {
    bytes: [u8; KEY_BUFFER],
    written: usize,
}

impl KeyBuffer {
    fn new() -> Self {
        Self {
            bytes: [0; KEY_BUFFER],
            written: KEY_BUFFER,
        }
    }
}

impl Drop for KeyBuffer {
    fn drop(&mut self) {
        self.bytes[..self.written].zeroize();
    }
}

/// Reads the arguments, the key first (its one copy is wiped), then the
/// public strings (into `spare`, as far as they fit), the inputs and the
/// settings they ask for.
fn read_call<'b>(
    ctx: &CallContext<'_>,
    spare: &'b mut [u8],
) -> Outcome<(Inputs<'b>, InputParser, Validation, UnixTime)> {
    let key: JsString<'_> = ctx.get(0).map_err(|e| napi_input(&e))?;
    let mut buffer = KeyBuffer::new();
    let long_key;
    let session_key: &str = match raw::utf8_into(&key, &mut buffer.bytes) {
        Ok(Some(len)) => {
            // The text and N-API's NUL after it.
            buffer.written = len + 1;
            raw::text(&buffer.bytes[..len])
                .ok_or_else(|| bad_input("a string argument is not valid UTF-8"))?
        }
        Ok(None) => {
            // Longer than any key: read whole, for the library's refusal
            // with its length.
            let text: String = ctx.get(0).map_err(|e| napi_input(&e))?;
            long_key = secret_text(text);
            &long_key
        }
        Err(error) => return Err(napi_input(&error)),
    };
    let (iv, spare) = public_text(ctx, 1, spare)?;
    let (data, spare) = public_text(ctx, 2, spare)?;
    let (appid, _) = public_text(ctx, 3, spare)?;
    let now = secs(whole(ctx, 4)?);
    let max_age = secs(whole(ctx, 5)?);
    let leeway = secs(whole(ctx, 6)?);
    let switches = whole(ctx, 7)?.unwrap_or(0);
    let oversized = whole(ctx, 8)?;
    let policy = Policy {
        appid: appid.into_owned(),
        now,
        max_age,
        leeway,
        lenient: switches & 1 != 0,
        accept_missing_watermark: switches & 2 != 0,
    };
    let parser = policy.parser();
    let inputs = Inputs::parse(parser, session_key, &iv, data, oversized)?;
    let (parser, validation, now) = policy.settings()?;
    Ok((inputs, parser, validation, now))
}

/// Runs `decrypt` on a call's inputs, read into this thread's buffer (or,
/// were it in use, which no call does, into `String`s of their own).
fn with_call<T>(
    ctx: &CallContext<'_>,
    decrypt: impl FnOnce(Inputs<'_>, InputParser, Validation, UnixTime) -> Outcome<T>,
) -> Outcome<T> {
    TEXTS.with(|texts| {
        let mut own;
        let mut spare: &mut [u8] = &mut [];
        if let Ok(buffer) = texts.try_borrow_mut() {
            own = buffer;
            spare = own.as_mut_slice();
        }
        let (inputs, parser, validation, now) = read_call(ctx, spare)?;
        decrypt(inputs, parser, validation, now)
    })
}

/// The record of a call, or of its failure.
fn answer(result: Outcome<Record>) -> RecordString {
    match result {
        Ok(record) => record.finish(),
        Err(error) => Record::failure(&error).finish(),
    }
}

/// `decryptPhone` (called by `index.js`, see `index.d.ts`): the phone
/// record, or a failure record with the library's error and its stage.
pub(crate) fn decrypt_phone(ctx: &CallContext<'_>) -> RecordString {
    answer(with_call(ctx, |inputs, parser, validation, now| {
        let decrypted = wxdecrypt::decrypt_at::<PhoneNumber>(
            &inputs.key,
            &inputs.iv,
            &inputs.data(parser)?,
            &validation,
            now,
        )
        .map_err(|e| rejected(&e))?;
        let mut record = Record::with_capacity(64);
        put_phone(
            &mut record,
            &decrypted.payload,
            decrypted.watermark.as_ref(),
        )?;
        Ok(record)
    }))
}

/// `decryptUserInfo`: the profile record, or a failure record.
pub(crate) fn decrypt_user_info(ctx: &CallContext<'_>) -> RecordString {
    answer(with_call(ctx, |inputs, parser, validation, now| {
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
        Ok(record)
    }))
}

/// `decryptRaw`: `[text, timestamp | null]` as a record, or a failure
/// record.
pub(crate) fn decrypt_raw(ctx: &CallContext<'_>) -> RecordString {
    answer(with_call(ctx, |inputs, parser, validation, now| {
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
        Ok(record)
    }))
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
) -> napi::Result<RecordString, String> {
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
