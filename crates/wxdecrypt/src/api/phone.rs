//! The phone number responses: [`PhoneResponseParser`] reads WeChat's
//! `getuserphonenumber`, its cloud call and Authing's
//! `get_wechat_miniprogram_phone` into a [`PhoneResponse`], telling the
//! three shapes ([`ResponseKind`]) apart by their fields. The first pass (the
//! envelope) reads the status fields only; the second, on success, the phone
//! data and its watermark.

use core::fmt;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::error::{ApiError, MAX_REQUEST_ID_CHARS, Malformed, clean};
use super::response::{DEFAULT_MAX_RESPONSE_LEN, Message, Slot, check_len, present};
use crate::json;
use crate::payload::{Decrypted, PhoneNumber};
use crate::validation::{UnixTime, Validation, Watermark, WatermarkRef};

/// The three response shapes [`PhoneResponseParser`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseKind {
    /// WeChat's HTTPS `getuserphonenumber`:
    /// `{errcode, errmsg, phone_info: {phoneNumber, purePhoneNumber,
    /// countryCode, watermark: {timestamp, appid}}}`.
    GetUserPhoneNumber,
    /// The cloud call `openapi.phonenumber.getPhoneNumber`:
    /// `{errCode, errMsg, phoneInfo: {..same..}}`.
    CloudCall,
    /// Authing's `get_wechat_miniprogram_phone`: `{statusCode, message,
    /// apiCode, requestId, data: {phoneNumber, purePhoneNumber,
    /// countryCode}}`, with no watermark.
    Authing,
}

impl ResponseKind {
    /// A short name: `getuserphonenumber`, `cloud call` or `Authing`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::GetUserPhoneNumber => "getuserphonenumber",
            Self::CloudCall => "cloud call",
            Self::Authing => "Authing",
        }
    }
}

impl fmt::Display for ResponseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A phone number read from a response, with the kind of response it came
/// from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PhoneResponse {
    /// Which response shape it was.
    pub kind: ResponseKind,
    /// The phone number, and its watermark when one was checked: `None` for
    /// Authing (which sends none), and whenever the parser has no
    /// [`Validation`].
    pub phone: Decrypted<PhoneNumber>,
}

/// Reads the responses of the new phone number flow (`getuserphonenumber`,
/// its cloud call, Authing) into the same [`PhoneNumber`] that decrypting the
/// legacy `encryptedData` gives, so a server can move from one flow to the
/// other without changing types.
///
/// # Watermark
///
/// WeChat puts a watermark (appid, time of the user's tap) in the phone
/// data. With [`new`](Self::new) it is checked like the watermark of
/// decrypted data: the appid must be yours, the time recent (one hour by
/// default), and a missing watermark is refused unless the validation
/// [accepts it](Validation::accept_missing_watermark). Authing responses
/// carry none, so with `new` they pass only with such a validation.
///
/// [`without_watermark_check`](Self::without_watermark_check) skips the
/// check. That is sound when your server received the response itself over
/// HTTPS from `api.weixin.qq.com` (or your Authing host) in answer to its own
/// request: TLS then vouches for it, and the watermark only repeats your
/// appid. Check the watermark when the response reached you through other
/// hands (a cloud function, a queue, a file, a client), where it is what
/// ties the number to your mini program and to a moment. Without a check no
/// watermark is returned: [`Watermark`] stands for a checked one.
///
/// ```
/// use wxdecrypt::api::PhoneResponseParser;
/// use wxdecrypt::{UnixTime, Validation};
///
/// // WeChat's sample response, with digits in place of its `xxxxxx`.
/// let response = r#"{"errcode":0,"errmsg":"ok","phone_info":{
///     "phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":86,
///     "watermark":{"timestamp":1637744274,"appid":"wx4f4bc4dec97d474b"}}}"#;
/// let validation = Validation::new("wx4f4bc4dec97d474b");
/// let parsed = PhoneResponseParser::new(&validation)
///     .parse_at(response, UnixTime::from_secs(1_637_744_300))?;
/// assert_eq!(parsed.phone.payload.pure_phone_number(), "13580006666");
/// assert_eq!(parsed.phone.payload.country_code(), "86");
/// # Ok::<(), wxdecrypt::api::ApiError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PhoneResponseParser<'v> {
    validation: Option<&'v Validation>,
    expected: Option<ResponseKind>,
    max_len: usize,
}

impl<'v> PhoneResponseParser<'v> {
    /// Checks the watermark with `validation`, accepts any of the three
    /// response shapes, and refuses responses over
    /// [`DEFAULT_MAX_RESPONSE_LEN`] bytes.
    ///
    /// Authing's responses carry no watermark, so a `validation` that
    /// requires one refuses them. Rather than relaxing the one parser for
    /// both sources (which would also let a WeChat response without its
    /// watermark through), give each source its own: this one for WeChat,
    /// and [`expect`](Self::expect)`(ResponseKind::Authing)` with a
    /// validation that accepts a missing watermark, or
    /// [`without_watermark_check`](Self::without_watermark_check), for
    /// Authing.
    #[must_use]
    pub const fn new(validation: &'v Validation) -> Self {
        Self {
            validation: Some(validation),
            expected: None,
            max_len: DEFAULT_MAX_RESPONSE_LEN,
        }
    }

    /// Does not check watermarks (see the type's documentation for when
    /// that is sound); otherwise as [`new`](Self::new).
    #[must_use]
    pub const fn without_watermark_check() -> Self {
        Self {
            validation: None,
            expected: None,
            max_len: DEFAULT_MAX_RESPONSE_LEN,
        }
    }

    /// Accepts only responses of this kind; others are
    /// [`Malformed::OtherKind`]. A server knows which API it called: say so.
    #[must_use]
    pub const fn expect(self, kind: ResponseKind) -> Self {
        Self {
            expected: Some(kind),
            ..self
        }
    }

    /// Refuses responses longer than `max` bytes, before parsing them.
    #[must_use]
    pub const fn with_max_len(self, max: usize) -> Self {
        Self {
            max_len: max,
            ..self
        }
    }

    /// Reads a response, checking the watermark against the system clock.
    ///
    /// Reads the system clock, so it is not built for `wasm32-unknown-unknown`,
    /// which has none: call [`parse_at`](Self::parse_at) with the time there.
    ///
    /// # Errors
    /// As [`parse_at`](Self::parse_at).
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    pub fn parse(&self, text: &str) -> Result<PhoneResponse, ApiError> {
        self.parse_at(text, UnixTime::now())
    }

    /// Reads a response, checking the watermark against `now`.
    ///
    /// The shape is recognised by its fields: `errcode`, `errmsg` or
    /// `phone_info` for `getuserphonenumber`; `errCode`, `errMsg` or
    /// `phoneInfo` for the cloud call; `statusCode`, `message`, `apiCode`,
    /// `requestId` or `data` for Authing. Fields of two shapes together are
    /// refused.
    ///
    /// # Errors
    /// - The server's error, when its code is not a success: WeChat's
    ///   `errcode` / `errCode` other than 0 ([`ApiError::SystemBusy`],
    ///   [`ApiError::InvalidCode`], ..., [`ApiError::WeChat`]), or Authing's
    ///   `statusCode` other than 200 or non-zero `apiCode`
    ///   ([`ApiError::Authing`]). An error code wins over any phone data in
    ///   the same response.
    /// - [`ApiError::TooLarge`] and [`ApiError::Malformed`] for a response
    ///   that is too large, not strict JSON, of no known (or the wrong)
    ///   shape, without its code, or whose phone data is missing, empty or
    ///   inconsistent.
    /// - [`ApiError::Watermark`] when the watermark fails the validation.
    pub fn parse_at(&self, text: &str, now: UnixTime) -> Result<PhoneResponse, ApiError> {
        check_len(text, self.max_len)?;
        let (status, _) = json::parse::<Envelope>(text)?;
        let kind = status.kind()?;
        if let Some(expected) = self.expected
            && expected != kind
        {
            return Err(ApiError::Malformed(Malformed::OtherKind {
                expected,
                found: kind,
            }));
        }
        match kind {
            ResponseKind::GetUserPhoneNumber | ResponseKind::CloudCall => {
                let (code, message, code_name, data_name) = if kind == ResponseKind::CloudCall {
                    (status.err_code, status.err_msg, "errCode", "phoneInfo")
                } else {
                    (status.errcode, status.errmsg, "errcode", "phone_info")
                };
                let code = code.ok_or(ApiError::Malformed(Malformed::MissingField(code_name)))?;
                if code != 0 {
                    return Err(ApiError::wechat(code, message.value()));
                }
                let (data, _) = json::parse::<PhoneData<'_>>(text)?;
                let info = if kind == ResponseKind::CloudCall {
                    data.phone_info_cloud
                } else {
                    data.phone_info
                };
                let info = info.ok_or(ApiError::Malformed(Malformed::MissingField(data_name)))?;
                let watermark = self.check(info.watermark.as_ref(), now)?;
                Ok(PhoneResponse {
                    kind,
                    phone: Decrypted {
                        payload: info.phone,
                        watermark,
                    },
                })
            }
            ResponseKind::Authing => {
                let status_code = status
                    .status_code
                    .ok_or(ApiError::Malformed(Malformed::MissingField("statusCode")))?;
                let api_code = status.api_code.value();
                if status_code != 200 || api_code.is_some_and(|code| code != 0) {
                    return Err(ApiError::Authing {
                        status_code,
                        api_code,
                        message: status.message.value().map(|m| m.0).unwrap_or_default(),
                        request_id: status
                            .request_id
                            .value()
                            .map(|id| clean(&id.0, MAX_REQUEST_ID_CHARS)),
                    });
                }
                let (data, _) = json::parse::<PhoneData<'_>>(text)?;
                let phone = data
                    .data
                    .ok_or(ApiError::Malformed(Malformed::MissingField("data")))?;
                let watermark = self.check(None, now)?;
                Ok(PhoneResponse {
                    kind,
                    phone: Decrypted {
                        payload: phone,
                        watermark,
                    },
                })
            }
        }
    }

    /// Applies the validation, if there is one.
    fn check(
        &self,
        mark: Option<&WatermarkRef<'_>>,
        now: UnixTime,
    ) -> Result<Option<Watermark>, ApiError> {
        match self.validation {
            Some(validation) => validation.check(mark, now).map_err(ApiError::Watermark),
            None => Ok(None),
        }
    }
}

/// The first pass over a phone response: the status fields of the three
/// shapes, and whether each data field is there (its content skipped).
#[derive(Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "present")]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Slot<Message>,
    #[serde(default)]
    phone_info: Slot<IgnoredAny>,

    #[serde(rename = "errCode", default, deserialize_with = "present")]
    err_code: Option<i64>,
    #[serde(rename = "errMsg", default)]
    err_msg: Slot<Message>,
    #[serde(rename = "phoneInfo", default)]
    phone_info_cloud: Slot<IgnoredAny>,

    #[serde(rename = "statusCode", default, deserialize_with = "present")]
    status_code: Option<i64>,
    #[serde(default)]
    message: Slot<Message>,
    #[serde(rename = "apiCode", default)]
    api_code: Slot<i64>,
    #[serde(rename = "requestId", default)]
    request_id: Slot<Message>,
    #[serde(default)]
    data: Slot<IgnoredAny>,
}

impl Envelope {
    /// The one shape whose fields are present.
    fn kind(&self) -> Result<ResponseKind, ApiError> {
        let wechat =
            self.errcode.is_some() || self.errmsg.is_present() || self.phone_info.is_present();
        let cloud = self.err_code.is_some()
            || self.err_msg.is_present()
            || self.phone_info_cloud.is_present();
        let authing = self.status_code.is_some()
            || self.message.is_present()
            || self.api_code.is_present()
            || self.request_id.is_present()
            || self.data.is_present();
        match (wechat, cloud, authing) {
            (true, false, false) => Ok(ResponseKind::GetUserPhoneNumber),
            (false, true, false) => Ok(ResponseKind::CloudCall),
            (false, false, true) => Ok(ResponseKind::Authing),
            _ => Err(ApiError::Malformed(Malformed::UnknownShape)),
        }
    }
}

/// The second pass over a successful phone response: the data fields.
#[derive(Deserialize)]
struct PhoneData<'a> {
    #[serde(default, borrow)]
    phone_info: Option<PhoneInfo<'a>>,
    #[serde(rename = "phoneInfo", default, borrow)]
    phone_info_cloud: Option<PhoneInfo<'a>>,
    #[serde(default)]
    data: Option<PhoneNumber>,
}

/// WeChat's `phone_info` / `phoneInfo`: the phone fields (read by
/// [`PhoneNumber`]'s own rules) and the watermark.
#[derive(Deserialize)]
struct PhoneInfo<'a> {
    #[serde(flatten)]
    phone: PhoneNumber,
    #[serde(default, borrow)]
    watermark: Option<WatermarkRef<'a>>,
}
