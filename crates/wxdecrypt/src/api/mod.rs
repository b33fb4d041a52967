//! The server side of WeChat's newer login and phone number flows: the
//! requests a server sends to WeChat (or to Authing), the parsers of what
//! comes back, and the signatures and digests some of those APIs ask for.
//!
//! | API | Request | Response |
//! |---|---|---|
//! | `getuserphonenumber` (HTTPS) | [`HttpRequest::get_user_phone_number`] | [`PhoneResponseParser`] |
//! | `openapi.phonenumber.getPhoneNumber` (cloud call) | made by your cloud function | [`PhoneResponseParser`] |
//! | Authing's `get_wechat_miniprogram_phone` | [`HttpRequest::authing_phone`] | [`PhoneResponseParser`] |
//! | `code2session` | [`HttpRequest::code2session`] | [`parse_code2session`] |
//! | `wxa/checksession` | the [`checksession_signature`] to send | |
//! | APIs taking `sig_method=hmac_sha256` | the [`session_signature`] of the body | |
//! | `wxa/business/checkencryptedmsg` | the [`encrypted_msg_hash`] to send | |
//!
//! # No I/O
//!
//! Nothing here opens a connection or picks an HTTP client. A request is a
//! value, an [`HttpRequest`] (method, URL, body, content type), that your
//! client sends; a response is the text your client received. The module
//! therefore works with any client, blocking or async, and in tests without
//! a network. The one outside thing read is the system clock, by
//! [`PhoneResponseParser::parse`] for the watermark;
//! [`parse_at`](PhoneResponseParser::parse_at) takes the time instead.
//!
//! The arguments of a request are checked (not empty, of bounded length, no
//! control character: [`RequestError`]) and then percent-encoded or
//! JSON-escaped, so no value can change the request's shape. The secrets in
//! them ([`AccessToken`], [`AppSecret`], the one-time codes) are kept in
//! buffers wiped on drop, and `Debug` redacts them.
//!
//! # Reading a response: the status first, then the data
//!
//! Every response is read in two passes. The first reads only the status
//! fields (`errcode` and `errmsg`; the cloud call's `errCode` and `errMsg`;
//! Authing's `statusCode`, `apiCode`, `message` and `requestId`) and skips
//! everything else. So an error code is always reported as the error it is
//! ([`ApiError::InvalidCode`], [`ApiError::RateLimited`], ...), whatever the
//! other fields hold, and the kind of response is recognised by which fields
//! are there ([`ResponseKind`]). Only on success does the second pass read
//! the data: the phone number, into the same
//! [`PhoneNumber`](crate::PhoneNumber) (with the same rules) as decrypted
//! `encryptedData`, its watermark checked by your
//! [`Validation`](crate::Validation); or the openid and the session key,
//! decoded strictly into a [`SessionKey`](crate::SessionKey). A success code
//! with missing or empty data is [`ApiError::Malformed`], never a success.
//!
//! # Bounded and strict
//!
//! A response longer than [`DEFAULT_MAX_RESPONSE_LEN`] (64 KiB; genuine ones
//! are under 1 KiB) is refused before it is parsed, as
//! [`ApiError::TooLarge`]; [`PhoneResponseParser::with_max_len`] sets
//! another limit. What passes is read by the crate's strict JSON parser, the
//! one that reads decrypted payloads: duplicate keys are refused at every
//! depth and nesting is bounded, and its refusals are
//! [`Malformed::Json`] with a [`JsonProblem`]. Text copied from a response
//! into an error is cut short and stripped of control and bidirectional
//! characters, and no error holds a token, a key or a phone number.
//!
//! # Example
//!
//! ```
//! use wxdecrypt::api::{
//!     AccessToken, ApiError, HttpRequest, Method, PhoneResponseParser, ResponseKind,
//! };
//! use wxdecrypt::{UnixTime, Validation};
//!
//! // The request, for your HTTP client to send.
//! let token = AccessToken::new("ACCESS_TOKEN")?;
//! let request = HttpRequest::get_user_phone_number(&token, "CODE")?;
//! assert_eq!(request.method(), Method::Post);
//! assert_eq!(
//!     request.url(),
//!     "https://api.weixin.qq.com/wxa/business/getuserphonenumber?access_token=ACCESS_TOKEN"
//! );
//! assert_eq!(request.body(), Some(r#"{"code":"CODE"}"#));
//! assert_eq!(request.content_type(), Some("application/json"));
//!
//! // The text your client received: WeChat's sample, with digits for its `xxxxxx`.
//! let response = r#"{"errcode":0,"errmsg":"ok","phone_info":{
//!     "phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":86,
//!     "watermark":{"timestamp":1637744274,"appid":"wx4f4bc4dec97d474b"}}}"#;
//! let validation = Validation::new("wx4f4bc4dec97d474b");
//! let parser = PhoneResponseParser::new(&validation).expect(ResponseKind::GetUserPhoneNumber);
//! let now = UnixTime::from_secs(1_637_744_300);
//! let phone = parser.parse_at(response, now)?.phone.payload;
//! assert_eq!(phone.pure_phone_number(), "13580006666");
//!
//! // An error code is the error, whatever else the response holds.
//! let busy = parser.parse_at(r#"{"errcode":-1,"errmsg":"system busy"}"#, now);
//! assert_eq!(busy, Err(ApiError::SystemBusy));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod code2session;
mod error;
mod phone;
mod request;
mod response;
mod signature;

pub use code2session::{Code2Session, parse_code2session};
pub use error::{ApiError, Malformed};
pub use phone::{PhoneResponse, PhoneResponseParser, ResponseKind};
pub use request::{
    AccessToken, AppSecret, Argument, AuthingConnection, HttpRequest, Method, RequestError,
};
pub use response::DEFAULT_MAX_RESPONSE_LEN;
pub use signature::{checksession_signature, encrypted_msg_hash, session_signature};

pub use crate::json::JsonProblem;
