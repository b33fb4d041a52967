//! The requests: an [`HttpRequest`] (method, URL, JSON body) for
//! `getuserphonenumber`, `code2session` and Authing's phone API, built from
//! checked arguments. Each argument is refused when empty, oversized or
//! holding a control character ([`RequestError`]), then percent-encoded or
//! JSON-escaped, so that no value can change a request's shape; the secrets
//! ([`AccessToken`], [`AppSecret`], the codes) are kept in buffers wiped on
//! drop and redacted from `Debug`.

use core::fmt;

use zeroize::Zeroizing;

use crate::hex::{self, Case};

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
pub(super) fn secret_copy(text: &str) -> Zeroizing<String> {
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
    /// user's phone number. Read the answer with [`PhoneResponseParser`](super::PhoneResponseParser).
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
    /// `session_key`. Read the answer with [`parse_code2session`](super::parse_code2session).
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
    /// call for you. Read the answer with [`PhoneResponseParser`](super::PhoneResponseParser).
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
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            hex::push_byte(out, byte, Case::Upper);
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
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{0}'..='\u{1f}' => {
                out.push_str("\\u00");
                // A control character: one byte, below 0x20.
                hex::push_byte(out, c as u8, Case::Lower);
            }
            _ => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_url_hides_only_secret_parameters() {
        assert_eq!(
            redacted_url("https://h/p?appid=wx1&secret=s&js_code=c&grant_type=g"),
            "https://h/p?appid=wx1&secret=[redacted]&js_code=[redacted]&grant_type=g"
        );
        assert_eq!(redacted_url("https://h/p"), "https://h/p");
    }

    #[test]
    fn json_string_escapes_quotes_backslashes_and_control_characters() {
        let mut out = String::new();
        json_string(&mut out, "a\"b\\c\u{0}\u{1f}\n\u{7f}\u{e9}");
        assert_eq!(out, "\"a\\\"b\\\\c\\u0000\\u001f\\u000a\u{7f}\u{e9}\"");
    }
}
