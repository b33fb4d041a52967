//! The server APIs around the phone number: requests to send and responses
//! to parse, for WeChat's `getuserphonenumber` (HTTPS and cloud call),
//! Authing's `get_wechat_miniprogram_phone` and WeChat's `code2session`.
//!
//! No network I/O happens here: a request is a value that your HTTP client
//! sends, and a response is the text it received. Responses are read with the
//! crate's strict JSON parser (duplicate keys refused at every depth, nesting
//! bounded) after a size check, and the phone data goes through the same
//! [`PhoneNumber`] type as decrypted `encryptedData`, with the same rules.
//!
//! Every response is read in two passes: the first reads only the status
//! fields (`errcode`, `errCode`, `statusCode`, ...) and skips the rest, so an
//! error code is reported as such whatever the other fields hold; the second
//! pass, on success only, reads the data.

use core::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::input::SessionKey;
use crate::json;
pub use crate::json::JsonProblem;
use crate::payload::{Decrypted, PhoneNumber};
pub use crate::session::{checksession_signature, encrypted_msg_hash, session_signature};
use crate::validation::{UnixTime, Validation, Watermark, WatermarkRef};

// ===================================================================
// Requests
// ===================================================================

/// `getuserphonenumber`, from WeChat's `phonenumber.getPhoneNumber` page.
const WECHAT_PHONE_URL: &str = "https://api.weixin.qq.com/wxa/business/getuserphonenumber";
/// `code2session` (`auth.code2Session` in WeChat's server API).
const CODE2SESSION_URL: &str = "https://api.weixin.qq.com/sns/jscode2session";
/// The path that Authing's SDKs post `get_wechat_miniprogram_phone` to
/// (`GetWechatMiniprogramPhone` in `Authing/authing-golang-sdk`,
/// `authentication/authentication_client.go`); the seed documents give the
/// method name and the body, not the path.
const AUTHING_PHONE_PATH: &str = "/api/v3/get-wechat-miniprogram-phone";
/// The content type of every request body built here.
const JSON_CONTENT_TYPE: &str = "application/json";

/// Longest `access_token` accepted, in bytes. WeChat asks for 512 characters
/// of storage; four times that leaves room for format changes.
const MAX_ACCESS_TOKEN_LEN: usize = 2048;
/// Longest `code` or `js_code` accepted, in bytes (WeChat's are 32 to 64).
const MAX_CODE_LEN: usize = 512;
/// Longest appid accepted, in bytes (WeChat's have 18 characters).
const MAX_APPID_LEN: usize = 64;
/// Longest app secret accepted, in bytes (WeChat's have 32 characters).
const MAX_APP_SECRET_LEN: usize = 256;
/// Longest Authing app host accepted, in bytes.
const MAX_HOST_LEN: usize = 512;
/// Longest `extIdpConnidentifier` accepted, in bytes.
const MAX_CONNECTION_LEN: usize = 256;

/// Query parameters whose values [`HttpRequest`]'s `Debug` never shows.
const SECRET_PARAMETERS: [&str; 3] = ["access_token", "secret", "js_code"];

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
}

impl Method {
    /// The method's name, upper case.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An argument of a request builder, named in a [`RequestError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Argument {
    /// The `access_token` of [`AccessToken::new`].
    AccessToken,
    /// The phone `code` from `open-type="getPhoneNumber"`.
    Code,
    /// The mini program's appid.
    AppId,
    /// The app secret of [`AppSecret::new`].
    AppSecret,
    /// The `js_code` from `wx.login`.
    JsCode,
    /// The Authing app host of [`AuthingConnection::new`].
    AuthingHost,
    /// Authing's `extIdpConnidentifier`.
    ExtIdpConnidentifier,
}

impl Argument {
    /// The argument's name as the APIs spell it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AccessToken => "access_token",
            Self::Code => "code",
            Self::AppId => "appid",
            Self::AppSecret => "secret",
            Self::JsCode => "js_code",
            Self::AuthingHost => "Authing app host",
            Self::ExtIdpConnidentifier => "extIdpConnidentifier",
        }
    }
}

impl fmt::Display for Argument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a request could not be built. Messages name the argument and the
/// problem, never the argument's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestError {
    /// The argument is an empty string.
    Empty {
        /// The empty argument.
        argument: Argument,
    },
    /// The argument contains a control character (a line break, a NUL, ...),
    /// which no genuine value has and which could split a request.
    ControlCharacter {
        /// The argument holding it.
        argument: Argument,
    },
    /// The argument is longer than any genuine value.
    TooLong {
        /// The argument.
        argument: Argument,
        /// Its length in bytes.
        len: usize,
        /// The largest length accepted, in bytes.
        max: usize,
    },
    /// The Authing app host is not an `https://` URL without whitespace,
    /// query or fragment.
    InvalidHost,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty { argument } => write!(f, "{argument} is empty"),
            Self::ControlCharacter { argument } => {
                write!(f, "{argument} contains a control character")
            }
            Self::TooLong { argument, len, max } => {
                write!(f, "{argument} is too long: {len} bytes, the limit is {max}")
            }
            Self::InvalidHost => f.write_str(
                "the Authing app host must be an https:// URL \
                 without whitespace, query or fragment",
            ),
        }
    }
}

impl std::error::Error for RequestError {}

/// Checks what every argument must satisfy: not empty, not too long, no
/// control character.
fn check_argument(argument: Argument, text: &str, max: usize) -> Result<(), RequestError> {
    if text.is_empty() {
        return Err(RequestError::Empty { argument });
    }
    if text.len() > max {
        return Err(RequestError::TooLong {
            argument,
            len: text.len(),
            max,
        });
    }
    if text.chars().any(char::is_control) {
        return Err(RequestError::ControlCharacter { argument });
    }
    Ok(())
}

/// Checks a secret argument and copies it with [`secret_copy`].
fn checked_secret(
    argument: Argument,
    text: &str,
    max: usize,
) -> Result<Zeroizing<String>, RequestError> {
    check_argument(argument, text, max).map(|()| secret_copy(text))
}

/// Copies secret text into a buffer that is wiped when dropped, allocated
/// once at its final size.
fn secret_copy(text: &str) -> Zeroizing<String> {
    let mut copy = Zeroizing::new(String::with_capacity(text.len()));
    copy.push_str(text);
    copy
}

/// A mini program's `access_token`, for `getuserphonenumber`.
///
/// A secret: wiped from memory when dropped, printed as `[redacted]`, not
/// `Clone`. Fetching and refreshing it (`getAccessToken`) is left to you.
pub struct AccessToken {
    text: Zeroizing<String>,
}

impl AccessToken {
    /// Checks and copies the token: 1 to 2048 bytes, no control character.
    ///
    /// # Errors
    /// [`RequestError::Empty`], [`RequestError::TooLong`] or
    /// [`RequestError::ControlCharacter`], naming [`Argument::AccessToken`].
    pub fn new(token: &str) -> Result<Self, RequestError> {
        let text = checked_secret(Argument::AccessToken, token, MAX_ACCESS_TOKEN_LEN)?;
        Ok(Self { text })
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

/// A mini program's app secret, for `code2session`.
///
/// A secret: wiped from memory when dropped, printed as `[redacted]`, not
/// `Clone`.
pub struct AppSecret {
    text: Zeroizing<String>,
}

impl AppSecret {
    /// Checks and copies the secret: 1 to 256 bytes, no control character.
    ///
    /// # Errors
    /// [`RequestError::Empty`], [`RequestError::TooLong`] or
    /// [`RequestError::ControlCharacter`], naming [`Argument::AppSecret`].
    pub fn new(secret: &str) -> Result<Self, RequestError> {
        let text = checked_secret(Argument::AppSecret, secret, MAX_APP_SECRET_LEN)?;
        Ok(Self { text })
    }
}

impl fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppSecret([redacted])")
    }
}

/// Where Authing's `get_wechat_miniprogram_phone` is reached: your Authing
/// app's host and the WeChat connection's `extIdpConnidentifier`.
///
/// Build it once from your configuration; [`HttpRequest::authing_phone`]
/// then needs only the user's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthingConnection {
    host: String,
    ext_idp_connidentifier: String,
}

impl AuthingConnection {
    /// Checks both values. `app_host` is your Authing app's address, such as
    /// `https://example.authing.cn` (trailing `/` removed; `https://` is
    /// required); `ext_idp_connidentifier` is the identifier of the WeChat
    /// mini program connection in the Authing console (`my-wxapp` in
    /// Authing's example), 1 to 256 bytes.
    ///
    /// # Errors
    /// [`RequestError::InvalidHost`] for a host that is not an `https://`
    /// URL (or has whitespace, a query or a fragment); the usual argument
    /// errors otherwise.
    pub fn new(app_host: &str, ext_idp_connidentifier: &str) -> Result<Self, RequestError> {
        check_argument(Argument::AuthingHost, app_host, MAX_HOST_LEN)?;
        let host = app_host.trim_end_matches('/');
        let valid = host
            .strip_prefix("https://")
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
            && !host
                .chars()
                .any(|c| c.is_whitespace() || c == '?' || c == '#');
        if !valid {
            return Err(RequestError::InvalidHost);
        }
        check_argument(
            Argument::ExtIdpConnidentifier,
            ext_idp_connidentifier,
            MAX_CONNECTION_LEN,
        )?;
        Ok(Self {
            host: host.to_owned(),
            ext_idp_connidentifier: ext_idp_connidentifier.to_owned(),
        })
    }

    /// The app host, without a trailing `/`.
    #[must_use]
    pub fn app_host(&self) -> &str {
        &self.host
    }

    /// The connection identifier.
    #[must_use]
    pub fn ext_idp_connidentifier(&self) -> &str {
        &self.ext_idp_connidentifier
    }
}

/// A request for your HTTP client to send: method, URL, and for `POST` a
/// JSON body and its content type.
///
/// The URL and the body may hold secrets (an `access_token`, an app secret,
/// a one-time code): both are wiped from memory when the request is dropped,
/// and `Debug` shows neither the secret query parameters nor the body. The
/// value is not `Clone`, so no unwiped copy is made by accident.
pub struct HttpRequest {
    method: Method,
    url: Zeroizing<String>,
    body: Option<Zeroizing<String>>,
}

impl HttpRequest {
    /// `POST https://api.weixin.qq.com/wxa/business/getuserphonenumber?access_token=TOKEN`
    /// with the body `{"code":"CODE"}`: exchanges the code that
    /// `<button open-type="getPhoneNumber">` gave the mini program for the
    /// user's phone number. Read the answer with [`PhoneResponseParser`].
    ///
    /// The token is percent-encoded and the code JSON-escaped, so no value
    /// can change the request's shape. A code is valid for five minutes and
    /// can be used once.
    ///
    /// # Errors
    /// [`RequestError`] naming [`Argument::Code`] when `code` is empty,
    /// longer than 512 bytes or holds a control character.
    pub fn get_user_phone_number(
        access_token: &AccessToken,
        code: &str,
    ) -> Result<Self, RequestError> {
        check_argument(Argument::Code, code, MAX_CODE_LEN)?;
        let mut url = Zeroizing::new(String::with_capacity(
            WECHAT_PHONE_URL.len() + "?access_token=".len() + 3 * access_token.text.len(),
        ));
        url.push_str(WECHAT_PHONE_URL);
        url.push_str("?access_token=");
        percent_encode(&mut url, &access_token.text);
        Ok(Self {
            method: Method::Post,
            url,
            body: Some(json_object(&[("code", code)])),
        })
    }

    /// `GET https://api.weixin.qq.com/sns/jscode2session?appid=APPID&secret=SECRET&js_code=JSCODE&grant_type=authorization_code`:
    /// exchanges the code from `wx.login` for the user's openid and
    /// `session_key`. Read the answer with [`parse_code2session`].
    ///
    /// Every value is percent-encoded. The URL holds the app secret: log the
    /// request's `Debug`, never its URL.
    ///
    /// # Errors
    /// [`RequestError`] naming [`Argument::AppId`] (1 to 64 bytes) or
    /// [`Argument::JsCode`] (1 to 512 bytes), for an empty or oversized
    /// value or a control character.
    pub fn code2session(
        appid: &str,
        secret: &AppSecret,
        js_code: &str,
    ) -> Result<Self, RequestError> {
        check_argument(Argument::AppId, appid, MAX_APPID_LEN)?;
        check_argument(Argument::JsCode, js_code, MAX_CODE_LEN)?;
        let params: [(&str, &str); 4] = [
            ("appid", appid),
            ("secret", &secret.text),
            ("js_code", js_code),
            ("grant_type", "authorization_code"),
        ];
        let capacity = CODE2SESSION_URL.len()
            + params
                .iter()
                .map(|(name, value)| name.len() + 2 + 3 * value.len())
                .sum::<usize>();
        let mut url = Zeroizing::new(String::with_capacity(capacity));
        url.push_str(CODE2SESSION_URL);
        for (i, (name, value)) in params.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(name);
            url.push('=');
            percent_encode(&mut url, value);
        }
        Ok(Self {
            method: Method::Get,
            url,
            body: None,
        })
    }

    /// `POST {app_host}/api/v3/get-wechat-miniprogram-phone` with the body
    /// `{"code":"CODE","extIdpConnidentifier":"ID"}`: Authing's
    /// `get_wechat_miniprogram_phone`, which makes the `getuserphonenumber`
    /// call for you. Read the answer with [`PhoneResponseParser`].
    ///
    /// Authing's SDKs also send your Authing app id in an
    /// `x-authing-app-id` header; add it, and any authorization your Authing
    /// app requires, with your HTTP client.
    ///
    /// # Errors
    /// [`RequestError`] naming [`Argument::Code`] when `code` is empty,
    /// longer than 512 bytes or holds a control character.
    pub fn authing_phone(connection: &AuthingConnection, code: &str) -> Result<Self, RequestError> {
        check_argument(Argument::Code, code, MAX_CODE_LEN)?;
        let mut url = Zeroizing::new(String::with_capacity(
            connection.host.len() + AUTHING_PHONE_PATH.len(),
        ));
        url.push_str(&connection.host);
        url.push_str(AUTHING_PHONE_PATH);
        Ok(Self {
            method: Method::Post,
            url,
            body: Some(json_object(&[
                ("code", code),
                ("extIdpConnidentifier", &connection.ext_idp_connidentifier),
            ])),
        })
    }

    /// The HTTP method.
    #[must_use]
    pub const fn method(&self) -> Method {
        self.method
    }

    /// The full URL, query included. It may hold a secret (the
    /// `access_token`, or the app secret of `code2session`): HTTP clients
    /// and proxies log URLs at debug level, so keep such logs off, or log
    /// this request's `Debug`, which redacts them.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The JSON body, for `POST` requests. It may hold a one-time code.
    #[must_use]
    pub fn body(&self) -> Option<&str> {
        self.body.as_deref().map(String::as_str)
    }

    /// The `Content-Type` to send with the body: `application/json` when
    /// there is a body.
    #[must_use]
    pub fn content_type(&self) -> Option<&'static str> {
        self.body.as_ref().map(|_| JSON_CONTENT_TYPE)
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &redacted_url(&self.url))
            .field("content_type", &self.content_type())
            .field(
                "body",
                &self.body.as_ref().map(|body| RedactedBody(body.len())),
            )
            .finish()
    }
}

/// Debug-prints a request body as its length only.
struct RedactedBody(usize);

impl fmt::Debug for RedactedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[redacted, {} bytes]", self.0)
    }
}

/// The URL with the values of [`SECRET_PARAMETERS`] replaced by `[redacted]`.
fn redacted_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(base);
    for (i, parameter) in query.split('&').enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        match parameter.split_once('=') {
            Some((name, _)) if SECRET_PARAMETERS.contains(&name) => {
                out.push_str(name);
                out.push_str("=[redacted]");
            }
            _ => out.push_str(parameter),
        }
    }
    out
}

/// Appends `text` percent-encoded: every byte but RFC 3986's unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) becomes `%XX`.
fn percent_encode(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

/// A JSON object of string members, escaped, in a buffer that is wiped when
/// dropped and allocated once.
fn json_object(members: &[(&str, &str)]) -> Zeroizing<String> {
    // `\u00XX` is the longest escape: six bytes for one.
    let capacity = 2 + members
        .iter()
        .map(|(name, value)| name.len() + 6 * value.len() + 6)
        .sum::<usize>();
    let mut out = Zeroizing::new(String::with_capacity(capacity));
    out.push('{');
    for (i, (name, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(&mut out, name);
        out.push(':');
        json_string(&mut out, value);
    }
    out.push('}');
    out
}

/// Appends `text` as a JSON string: `"` and `\` escaped, control characters
/// as `\u00XX`, everything else as it is (JSON text is UTF-8).
fn json_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{0}'..='\u{1f}' => {
                let byte = u32::from(c);
                out.push_str("\\u00");
                out.push(char::from(HEX[(byte >> 4) as usize]));
                out.push(char::from(HEX[(byte & 0x0f) as usize]));
            }
            _ => out.push(c),
        }
    }
    out.push('"');
}

// ===================================================================
// Errors from responses
// ===================================================================

/// The default limit on a response, in bytes: 64 KiB. Genuine responses are
/// under 1 KiB.
pub const DEFAULT_MAX_RESPONSE_LEN: usize = 64 * 1024;

/// Keeps at most this many characters of a message from a response.
const MAX_MESSAGE_CHARS: usize = 200;
/// Keeps at most this many characters of an Authing request id.
const MAX_REQUEST_ID_CHARS: usize = 64;

/// What a response can report, or what can be wrong with it.
///
/// Messages never contain an access token, a session key or a phone number.
/// Text taken from a response (an `errmsg`, Authing's `message` and
/// `requestId`) is cut to a bounded length and stripped of control and
/// bidirectional-override characters before it is stored, so it cannot
/// forge log lines; it is still the server's text, shown quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiError {
    // ----- Errors WeChat reports (errcode / errCode) -----
    /// `-1`: WeChat is busy. Retry after a short delay.
    SystemBusy,
    /// `40029`: the code does not exist, has expired (codes last five
    /// minutes) or was already used. Ask the mini program for a new one.
    InvalidCode,
    /// `45011`: the API's rate limit was reached. Retry later.
    RateLimited,
    /// `40013`: the appid is not valid.
    InvalidAppId,
    /// `40001`: the `access_token` is not valid (or the app secret used to
    /// get it was wrong). Fetch a new token.
    InvalidAccessToken,
    /// `42001`: the `access_token` has expired. Fetch a new one.
    ExpiredAccessToken,
    /// Any other non-zero WeChat error code.
    WeChat {
        /// The `errcode` or `errCode`.
        code: i64,
        /// The `errmsg` or `errMsg`, cut to 200 characters and cleaned;
        /// empty when there was none.
        message: String,
    },

    // ----- Errors Authing reports -----
    /// Authing answered with a `statusCode` other than 200, or with a
    /// non-zero `apiCode`.
    Authing {
        /// The `statusCode`.
        status_code: i64,
        /// The `apiCode`, Authing's finer error code, when given.
        api_code: Option<i64>,
        /// The `message`, cut to 200 characters and cleaned; empty when there
        /// was none.
        message: String,
        /// The `requestId` to quote to Authing's support, cut to 64
        /// characters and cleaned.
        request_id: Option<String>,
    },

    // ----- The response itself is wrong -----
    /// The response is larger than the limit; it was not parsed.
    TooLarge {
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// The response is not what the API sends: see [`Malformed`]. A
    /// success code with missing or empty data is one of these, never a
    /// success.
    Malformed(Malformed),

    // ----- Checks on the data -----
    /// The phone data's watermark failed the [`Validation`]: a policy
    /// error of the crate's [`Error`] ([`Error::MissingWatermark`],
    /// [`Error::AppIdMismatch`], [`Error::Expired`] or [`Error::FromFuture`]).
    Watermark(Error),
    /// The `session_key` of a `code2session` response is not a valid key:
    /// the crate's input error, which never shows the key.
    SessionKey(Error),
}

/// How a response is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Malformed {
    /// The strict JSON parser refused the text ([`JsonProblem::Syntax`],
    /// [`JsonProblem::NotAnObject`], [`JsonProblem::DuplicateKey`],
    /// [`JsonProblem::TooDeep`]), or a field has the wrong type or an invalid
    /// value ([`JsonProblem::Shape`]): a code that is not an integer, phone
    /// data with a field missing, empty or inconsistent, a watermark that is
    /// not `{"appid": string, "timestamp": integer}`.
    Json(JsonProblem),
    /// The fields match none of the response shapes, or more than one.
    UnknownShape,
    /// A response of one kind where another was expected
    /// ([`PhoneResponseParser::expect`]).
    OtherKind {
        /// The kind expected.
        expected: ResponseKind,
        /// The kind found.
        found: ResponseKind,
    },
    /// A field the response must have is absent, `null` or empty (the
    /// phone data of a success, the `errcode`, `openid`, `session_key`, ...).
    MissingField(&'static str),
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(problem) => problem.fmt(f),
            Self::UnknownShape => f.write_str(
                "not a getuserphonenumber, cloud call or Authing response \
                 (or fields of several)",
            ),
            Self::OtherKind { expected, found } => {
                write!(
                    f,
                    "a response of kind {found} where {expected} was expected"
                )
            }
            Self::MissingField(name) => write!(f, "{name} is missing, null or empty"),
        }
    }
}

impl ApiError {
    /// The numeric code the server gave: WeChat's `errcode` / `errCode`, or
    /// Authing's `apiCode` (its `statusCode` when no `apiCode` was given).
    /// `None` for errors found by this crate.
    #[must_use]
    pub const fn code(&self) -> Option<i64> {
        match self {
            Self::SystemBusy => Some(-1),
            Self::InvalidCode => Some(40029),
            Self::RateLimited => Some(45011),
            Self::InvalidAppId => Some(40013),
            Self::InvalidAccessToken => Some(40001),
            Self::ExpiredAccessToken => Some(42001),
            Self::WeChat { code, .. } => Some(*code),
            Self::Authing {
                status_code,
                api_code,
                ..
            } => match api_code {
                Some(code) => Some(*code),
                None => Some(*status_code),
            },
            Self::TooLarge { .. }
            | Self::Malformed(_)
            | Self::Watermark(_)
            | Self::SessionKey(_) => None,
        }
    }

    /// Whether the same request may succeed if sent again after a delay:
    /// [`SystemBusy`](Self::SystemBusy) and
    /// [`RateLimited`](Self::RateLimited). An expired token needs a new
    /// token first, and a code is used once, so neither is retryable as is.
    #[must_use]
    pub const fn is_retryable(&self) -> bool {
        matches!(self, Self::SystemBusy | Self::RateLimited)
    }

    /// The error for a non-zero WeChat code.
    fn wechat(code: i64, message: Option<Message>) -> Self {
        match code {
            -1 => Self::SystemBusy,
            40029 => Self::InvalidCode,
            45011 => Self::RateLimited,
            40013 => Self::InvalidAppId,
            40001 => Self::InvalidAccessToken,
            42001 => Self::ExpiredAccessToken,
            _ => Self::WeChat {
                code,
                message: message.map(|m| m.0).unwrap_or_default(),
            },
        }
    }
}

impl From<JsonProblem> for ApiError {
    fn from(problem: JsonProblem) -> Self {
        // The top-level watermark rule is the decrypted payloads'; in a
        // response, a malformed member of that name is a field of the wrong
        // shape like any other.
        Self::Malformed(Malformed::Json(match problem {
            JsonProblem::BadWatermark => JsonProblem::Shape,
            other => other,
        }))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SystemBusy => f.write_str("wechat error -1: the system is busy, retry later"),
            Self::InvalidCode => f.write_str(
                "wechat error 40029: the code is invalid, expired or already used \
                 (ask the mini program for a new one)",
            ),
            Self::RateLimited => {
                f.write_str("wechat error 45011: the API's rate limit was reached, retry later")
            }
            Self::InvalidAppId => f.write_str("wechat error 40013: the appid is invalid"),
            Self::InvalidAccessToken => {
                f.write_str("wechat error 40001: the access_token is invalid (fetch a new one)")
            }
            Self::ExpiredAccessToken => {
                f.write_str("wechat error 42001: the access_token has expired (fetch a new one)")
            }
            Self::WeChat { code, message } => write!(f, "wechat error {code}: {message:?}"),
            Self::Authing {
                status_code,
                api_code,
                message,
                request_id,
            } => {
                write!(f, "authing error: statusCode {status_code}")?;
                if let Some(api_code) = api_code {
                    write!(f, ", apiCode {api_code}")?;
                }
                if let Some(request_id) = request_id {
                    write!(f, ", requestId {request_id:?}")?;
                }
                write!(f, ": {message:?}")
            }
            Self::TooLarge { len, max } => write!(
                f,
                "the response is too large: {len} bytes, the limit is {max}"
            ),
            Self::Malformed(malformed) => write!(f, "malformed response: {malformed}"),
            Self::Watermark(error) => write!(f, "the phone data's watermark is refused: {error}"),
            Self::SessionKey(error) => {
                write!(
                    f,
                    "the session_key in the code2session response is refused: {error}"
                )
            }
        }
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Watermark(error) | Self::SessionKey(error) => Some(error),
            _ => None,
        }
    }
}

/// Text from a response, made safe to log: control and bidirectional
/// formatting characters dropped, cut to `max` characters (an ellipsis marks
/// the cut).
fn clean(text: &str, max: usize) -> String {
    let mut kept = text
        .chars()
        .filter(|&c| !c.is_control() && !is_bidi_control(c));
    let mut out: String = kept.by_ref().take(max).collect();
    if kept.next().is_some() {
        out.push('…');
    }
    out
}

/// The invisible characters that reorder displayed text.
const fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// A message from a response, cleaned while it is read.
struct Message(String);

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StrVisitor(|text| Message(clean(text, MAX_MESSAGE_CHARS))))
    }
}

/// Reads a JSON string through a conversion, so that the text is never kept
/// as it is; an owned string handed over by the deserializer is wiped.
struct StrVisitor<T>(fn(&str) -> T);

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
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// A field that may be absent, `null`, or hold a value: absence and `null`
/// both mean "no value", but either says which response shape it is.
#[derive(Default)]
enum Slot<T> {
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
    const fn is_present(&self) -> bool {
        !matches!(self, Self::Absent)
    }

    /// The value, if there is one.
    fn value(self) -> Option<T> {
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

// ===================================================================
// Phone responses
// ===================================================================

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

/// Refuses text over `max` bytes.
fn check_len(text: &str, max: usize) -> Result<(), ApiError> {
    if text.len() > max {
        return Err(ApiError::TooLarge {
            len: text.len(),
            max,
        });
    }
    Ok(())
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

// ===================================================================
// code2session
// ===================================================================

/// What `code2session` returns: who the user is, and the key of their
/// session.
///
/// `Debug` redacts all three: the key is a secret, and the ids identify a
/// person.
#[non_exhaustive]
pub struct Code2Session {
    /// The user's openid for this mini program (never empty).
    pub openid: String,
    /// The key that decrypts this session's `encryptedData`. Keep it on
    /// your server; never send it to the client.
    pub session_key: SessionKey,
    /// The user's unionid, when the mini program is bound to an
    /// open-platform account (`None` when absent, null or empty).
    pub unionid: Option<String>,
}

impl fmt::Debug for Code2Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Code2Session")
            .field("openid", &format_args!("[redacted]"))
            .field("session_key", &self.session_key)
            .field(
                "unionid",
                &format_args!(
                    "{}",
                    if self.unionid.is_some() {
                        "Some([redacted])"
                    } else {
                        "None"
                    }
                ),
            )
            .finish()
    }
}

/// Reads a `code2session` response,
/// `{openid, session_key, unionid, errcode, errmsg}`, refusing text over
/// [`DEFAULT_MAX_RESPONSE_LEN`] bytes.
///
/// The `session_key` comes out as a [`SessionKey`], decoded strictly; its
/// text is copied only into a buffer that is wiped. The response text itself
/// is yours to wipe. A success may omit `errcode`.
///
/// # Errors
/// - WeChat's error for a non-zero `errcode` ([`ApiError::InvalidCode`],
///   [`ApiError::RateLimited`], ..., [`ApiError::WeChat`]), whatever the
///   other fields hold.
/// - [`ApiError::TooLarge`], or [`ApiError::Malformed`] for text that is not
///   strict JSON, has the wrong types, or lacks `openid` or `session_key`
///   (absent, null or empty).
/// - [`ApiError::SessionKey`] for a `session_key` that is not the base64
///   of 16 bytes; the error never shows the key.
pub fn parse_code2session(text: &str) -> Result<Code2Session, ApiError> {
    check_len(text, DEFAULT_MAX_RESPONSE_LEN)?;
    let (status, _) = json::parse::<SessionStatus>(text)?;
    if let Some(code) = status.errcode
        && code != 0
    {
        return Err(ApiError::wechat(code, status.errmsg.value()));
    }
    let (fields, _) = json::parse::<SessionFields>(text)?;
    let missing = |name| ApiError::Malformed(Malformed::MissingField(name));
    let openid = fields
        .openid
        .filter(|id| !id.is_empty())
        .ok_or_else(|| missing("openid"))?;
    let key_text = fields
        .session_key
        .filter(|key| !key.0.is_empty())
        .ok_or_else(|| missing("session_key"))?;
    let session_key = SessionKey::from_base64(&key_text.0).map_err(ApiError::SessionKey)?;
    Ok(Code2Session {
        openid,
        session_key,
        unionid: fields.unionid.filter(|id| !id.is_empty()),
    })
}

/// The first pass over a `code2session` response.
#[derive(Deserialize)]
struct SessionStatus {
    #[serde(default, deserialize_with = "present")]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Slot<Message>,
}

/// The second pass over a successful `code2session` response.
#[derive(Deserialize)]
struct SessionFields {
    #[serde(default)]
    openid: Option<String>,
    #[serde(default)]
    session_key: Option<SecretText>,
    #[serde(default)]
    unionid: Option<String>,
}

/// Secret text, copied only into a buffer that is wiped when dropped.
struct SecretText(Zeroizing<String>);

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StrVisitor(|text| SecretText(secret_copy(text))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_drops_control_and_bidi_characters_and_marks_the_cut() {
        assert_eq!(clean("a\nb\u{1b}[31mc\u{202e}d", 100), "ab[31mcd");
        assert_eq!(clean("abcdef", 3), "abc…");
        assert_eq!(clean("abc", 3), "abc");
        assert_eq!(clean("", 3), "");
    }

    #[test]
    fn redacted_url_hides_only_secret_parameters() {
        assert_eq!(
            redacted_url("https://h/p?appid=wx1&secret=s&js_code=c&grant_type=g"),
            "https://h/p?appid=wx1&secret=[redacted]&js_code=[redacted]&grant_type=g"
        );
        assert_eq!(redacted_url("https://h/p"), "https://h/p");
    }

    #[test]
    fn every_json_kind_maps_to_a_malformed_kind() {
        let cases = [
            (JsonProblem::Syntax, Malformed::Json(JsonProblem::Syntax)),
            (
                JsonProblem::NotAnObject,
                Malformed::Json(JsonProblem::NotAnObject),
            ),
            (
                JsonProblem::DuplicateKey,
                Malformed::Json(JsonProblem::DuplicateKey),
            ),
            (JsonProblem::TooDeep, Malformed::Json(JsonProblem::TooDeep)),
            (
                JsonProblem::BadWatermark,
                Malformed::Json(JsonProblem::Shape),
            ),
            (JsonProblem::Shape, Malformed::Json(JsonProblem::Shape)),
        ];
        for (kind, expected) in cases {
            assert_eq!(ApiError::from(kind), ApiError::Malformed(expected));
        }
    }
}
