//! The newer flows and the tools around them: the phone-number responses
//! (`getuserphonenumber`, the cloud call, Authing), `code2session`, the
//! request builders, the session signatures, and the offline diagnosis.
//!
//! As in the decrypt path, results are records (see `Record` in `lib.rs`) that `index.js` turns
//! into objects; failures carry their stage (`api`, `api:<code>`, `input`)
//! as the JavaScript error's `code`.

use napi::JsString;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use wxdecrypt::api::{
    self, AccessToken, ApiError, AppSecret, AuthingConnection, HttpRequest, PhoneResponseParser,
    RequestError, ResponseKind,
};
use wxdecrypt::diagnose::{DiagnoseInput, DiagnoseOptions};
use wxdecrypt::{EncryptedData, SessionKey, Stage, Validation};
use zeroize::Zeroizing;

use crate::decrypt::put_phone;
use crate::{
    Outcome, Policy, Record, RecordString, api_failure, bad_input, bounded_text, clock, rejected,
    seconds, secret_text,
};

/// A request argument refused by the library, as an input failure.
fn request_failure(error: &RequestError) -> napi::Error<String> {
    bad_input(error.to_string())
}

/// A response body, refused before it is copied when it is longer than the
/// library accepts, with the library's own error.
fn response_text(body: JsString<'_>) -> Outcome<String> {
    let max = api::DEFAULT_MAX_RESPONSE_LEN;
    bounded_text(body, max, |len| {
        api_failure(&ApiError::TooLarge { len, max })
    })
}

/// The response kind named in JavaScript.
fn response_kind(name: &str) -> Outcome<ResponseKind> {
    match name {
        "getUserPhoneNumber" => Ok(ResponseKind::GetUserPhoneNumber),
        "cloudCall" => Ok(ResponseKind::CloudCall),
        "authing" => Ok(ResponseKind::Authing),
        _ => Err(bad_input(
            "kind must be 'getUserPhoneNumber', 'cloudCall' or 'authing'",
        )),
    }
}

/// The response kind's name in JavaScript.
fn kind_name(kind: ResponseKind) -> &'static str {
    match kind {
        ResponseKind::CloudCall => "cloudCall",
        ResponseKind::Authing => "authing",
        _ => "getUserPhoneNumber",
    }
}

/// Reads a phone-number response: `[phoneNumber, purePhoneNumber,
/// countryCode, timestamp | null, masked, e164 | null, kind]`. Without an
/// appid the watermark is not checked (and `timestamp` is null); with
/// `kind` `authing` and an appid, the missing watermark is accepted, as the
/// library advises for Authing. See `parsePhoneResponse` in `index.d.ts`.
///
/// # Errors
/// The library's error, thrown with its stage (`api`, `api:<code>` or
/// `input`) as the JavaScript error's `code`.
#[napi]
#[allow(
    clippy::needless_pass_by_value,
    reason = "N-API hands over owned values"
)]
pub fn parse_phone_response(
    body: JsString<'_>,
    appid: Option<String>,
    now: Option<i64>,
    max_age: Option<i64>,
    leeway: Option<i64>,
    kind: Option<String>,
) -> napi::Result<RecordString, String> {
    let kind = kind.as_deref().map(response_kind).transpose()?;
    let now = clock(now)?;
    let text = response_text(body)?;
    let validation = match appid {
        Some(appid) => {
            let policy = Policy {
                appid,
                now: None,
                max_age,
                leeway,
                lenient: false,
                accept_missing_watermark: kind == Some(ResponseKind::Authing),
            };
            Some(policy.settings()?.1)
        }
        None => None,
    };
    let mut parser = validation.as_ref().map_or_else(
        PhoneResponseParser::without_watermark_check,
        PhoneResponseParser::new,
    );
    if let Some(kind) = kind {
        parser = parser.expect(kind);
    }
    let response = parser.parse_at(&text, now).map_err(|e| api_failure(&e))?;
    let mut record = Record::with_capacity(128);
    put_phone(
        &mut record,
        &response.phone.payload,
        response.phone.watermark.as_ref(),
    )?;
    record.text(kind_name(response.kind))?;
    Ok(record.finish())
}

/// The masked and E.164 forms of a phone number, `[masked, e164?]`, from
/// the library's own `PhoneNumber::masked` and `PhoneNumber::e164`. The
/// number is read (with all of the library's rules) from `phone_info`, a
/// `{phoneNumber, purePhoneNumber, countryCode}` object that `index.js`
/// writes from a verified result when a getter first asks: the decrypt
/// path does not pay for forms nobody reads.
///
/// # Errors
/// The library's error for fields that are not a phone number (never the
/// case for those of a verified result).
#[napi]
#[allow(
    clippy::needless_pass_by_value,
    reason = "N-API hands over owned values"
)]
pub fn phone_forms(phone_info: String) -> napi::Result<RecordString, String> {
    let body = format!(r#"{{"errcode":0,"errmsg":"ok","phone_info":{phone_info}}}"#);
    let response = PhoneResponseParser::without_watermark_check()
        .expect(ResponseKind::GetUserPhoneNumber)
        .parse_at(&body, wxdecrypt::UnixTime::from_secs(0))
        .map_err(|e| api_failure(&e))?;
    let phone = &response.phone.payload;
    let mut record = Record::with_capacity(48);
    record.text(&phone.masked())?;
    record.optional(phone.e164().as_deref())?;
    Ok(record.finish())
}

/// Reads a `code2session` response: `[openid, unionid | null]`, once the
/// library has checked it, its session key included. See
/// `parseCode2Session` in `index.d.ts`.
///
/// # Errors
/// The library's error, thrown with its stage (`api`, `api:<code>` or
/// `input`) as the JavaScript error's `code`.
#[napi]
#[allow(
    clippy::needless_pass_by_value,
    reason = "N-API hands over owned values"
)]
pub fn parse_code2session(body: String) -> napi::Result<RecordString, String> {
    // The body holds the session key: N-API's one copy is wiped (the
    // library refuses an oversized body before reading it).
    let text = Zeroizing::new(body);
    let session = api::parse_code2session(&text).map_err(|e| api_failure(&e))?;
    let mut record = Record::with_capacity(64);
    record.text(&session.openid)?;
    record.optional(session.unionid.as_deref())?;
    Ok(record.finish())
}

/// `[method, url, body | null, contentType | null]` of a built request.
fn request_record(request: &HttpRequest) -> napi::Result<RecordString, String> {
    let mut record = Record::with_capacity(request.url().len() + 64);
    record.text(request.method().as_str())?;
    record.text(request.url())?;
    record.optional(request.body())?;
    record.optional(request.content_type())?;
    Ok(record.finish())
}

/// Builds the `getuserphonenumber` request. See
/// `getUserPhoneNumberRequest` in `index.d.ts`.
///
/// # Errors
/// The library's error, thrown with its stage (`api`, `api:<code>` or
/// `input`) as the JavaScript error's `code`.
#[napi]
#[allow(
    clippy::needless_pass_by_value,
    reason = "N-API hands over owned values"
)]
pub fn get_user_phone_number_request(
    access_token: String,
    code: String,
) -> napi::Result<RecordString, String> {
    let token_text = secret_text(access_token);
    let token = AccessToken::new(&token_text).map_err(|e| request_failure(&e))?;
    let request =
        HttpRequest::get_user_phone_number(&token, &code).map_err(|e| request_failure(&e))?;
    request_record(&request)
}

/// Builds the `code2session` request. See `code2SessionRequest` in
/// `index.d.ts`.
///
/// # Errors
/// The library's error, thrown with its stage (`api`, `api:<code>` or
/// `input`) as the JavaScript error's `code`.
#[napi(js_name = "code2SessionRequest")]
#[allow(
    clippy::needless_pass_by_value,
    reason = "N-API hands over owned values"
)]
pub fn code2session_request(
    appid: String,
    secret: String,
    js_code: String,
) -> napi::Result<RecordString, String> {
    let secret_text = secret_text(secret);
    let secret = AppSecret::new(&secret_text).map_err(|e| request_failure(&e))?;
    let request =
        HttpRequest::code2session(&appid, &secret, &js_code).map_err(|e| request_failure(&e))?;
    request_record(&request)
}

/// Builds Authing's phone request. See `authingPhoneRequest` in
/// `index.d.ts`.
///
/// # Errors
/// The library's error, thrown with its stage (`api`, `api:<code>` or
/// `input`) as the JavaScript error's `code`.
#[napi]
#[allow(
    clippy::needless_pass_by_value,
    reason = "N-API hands over owned values"
)]
pub fn authing_phone_request(
    app_host: String,
    ext_idp_connidentifier: String,
    code: String,
) -> napi::Result<RecordString, String> {
    let connection = AuthingConnection::new(&app_host, &ext_idp_connidentifier)
        .map_err(|e| request_failure(&e))?;
    let request =
        HttpRequest::authing_phone(&connection, &code).map_err(|e| request_failure(&e))?;
    request_record(&request)
}

/// The key from its text, for the signatures.
fn session_key(text: String) -> Outcome<SessionKey> {
    let key_text = secret_text(text);
    SessionKey::from_base64(&key_text).map_err(|e| rejected(&e))
}

/// `hex(hmac_sha256(session_key, message))`. See `sessionSignature` in
/// `index.d.ts`.
///
/// # Errors
/// The library's error, thrown with its stage (`api`, `api:<code>` or
/// `input`) as the JavaScript error's `code`.
#[napi]
#[allow(
    clippy::needless_pass_by_value,
    reason = "N-API hands over owned values"
)]
pub fn session_signature(session_key: String, message: Buffer) -> napi::Result<String, String> {
    let key = self::session_key(session_key)?;
    Ok(api::session_signature(&key, &message))
}

/// The signature of the empty message, for `checksession`. See
/// `checksessionSignature` in `index.d.ts`.
///
/// # Errors
/// The library's error, thrown with its stage (`api`, `api:<code>` or
/// `input`) as the JavaScript error's `code`.
#[napi]
pub fn checksession_signature(session_key: String) -> napi::Result<String, String> {
    let key = self::session_key(session_key)?;
    Ok(api::checksession_signature(&key))
}

/// The SHA-256 of the `encryptedData` text, for `checkencryptedmsg`. See
/// `encryptedMsgHash` in `index.d.ts`.
///
/// # Errors
/// The library's error, thrown with its stage (`api`, `api:<code>` or
/// `input`) as the JavaScript error's `code`.
#[napi]
pub fn encrypted_msg_hash(encrypted_data: JsString<'_>) -> napi::Result<String, String> {
    let max = wxdecrypt::InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN;
    let text = bounded_text(encrypted_data, max, |len| {
        rejected(&wxdecrypt::Error::TooLarge {
            field: wxdecrypt::Field::EncryptedData,
            len,
            max,
        })
    })?;
    let data = EncryptedData::from_base64(&text).map_err(|e| rejected(&e))?;
    Ok(api::encrypted_msg_hash(&data))
}

/// The offline diagnosis, for a developer's terminal: `[valid, stage |
/// null, report]`. An absent or empty appid is reported, not checked. See
/// `diagnose` in `index.d.ts`.
///
/// # Errors
/// The library's error, thrown with its stage (`api`, `api:<code>` or
/// `input`) as the JavaScript error's `code`.
#[napi]
#[allow(
    clippy::needless_pass_by_value,
    reason = "N-API hands over owned values"
)]
#[allow(clippy::too_many_arguments, reason = "the options, spread by index.js")]
pub fn diagnose(
    session_key: String,
    iv: String,
    encrypted_data: String,
    appid: Option<String>,
    now: Option<i64>,
    max_age: Option<i64>,
    leeway: Option<i64>,
) -> napi::Result<RecordString, String> {
    let appid = appid.unwrap_or_default();
    let mut validation = Validation::new(appid.as_str());
    if let Some(max_age) = max_age {
        validation = validation.with_max_age(seconds(max_age, "maxAge")?);
    }
    if let Some(leeway) = leeway {
        validation = validation.with_leeway(seconds(leeway, "leeway")?);
    }
    let mut options = DiagnoseOptions::new(validation);
    if appid.is_empty() {
        options = options.unchecked_appid();
    }
    let key_text = secret_text(session_key);
    let input = DiagnoseInput {
        session_key: &key_text,
        iv: &iv,
        encrypted_data: &encrypted_data,
    };
    let diagnosis = wxdecrypt::diagnose::diagnose_at(&input, &options, clock(now)?);
    let stage = diagnosis.stage().map(|stage| match stage {
        Stage::Input => "input",
        Stage::Policy => "policy",
        _ => "decryption",
    });
    let mut record = Record::with_capacity(1024);
    record.text(if diagnosis.is_valid() {
        "true"
    } else {
        "false"
    })?;
    record.optional(stage)?;
    record.text(&diagnosis.to_string())?;
    Ok(record.finish())
}
