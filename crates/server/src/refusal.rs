//! [`Refusal`]: every way the server says no, each with one fixed status and
//! one fixed JSON body, so that no answer quotes a request or a secret.

use axum::extract::rejection::JsonRejection;
use axum::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The body of every refused decryption, whatever the reason. Its hint
/// names the usual cause: a `wx.login` in the button's callback replaced the
/// session key the data was encrypted with.
const CANNOT_DECRYPT_BODY: &str = r#"{"error":"cannot_decrypt","hint":"log in again, calling wx.login before the button is tapped and never in its callback; then retry"}"#;
/// The body of a 401: no bearer token, one this server does not know, or a
/// session whose keys were dropped (expired, or their failure budget spent).
const INVALID_SESSION_BODY: &str =
    r#"{"error":"invalid_session","hint":"call wx.login and log in again"}"#;
/// The body of a 413.
const TOO_LARGE_BODY: &str =
    r#"{"error":"payload_too_large","hint":"send only the fields the route reads"}"#;
/// The body of a 400, 415 or 422 about the JSON of `/api/phone-number`.
const INVALID_BUTTON_REQUEST_BODY: &str = r#"{"error":"invalid_request","hint":"send Content-Type: application/json with the button event's encryptedData and iv as strings"}"#;
/// The body of a 400, 415 or 422 about the JSON of a route taking a code.
const INVALID_CODE_REQUEST_BODY: &str = r#"{"error":"invalid_request","hint":"send Content-Type: application/json with the code as a string"}"#;
/// The body of a 400 for a code WeChat refused (used, expired, unknown).
const INVALID_CODE_BODY: &str = r#"{"error":"invalid_code","hint":"get a new code (wx.login, or tap the button again) and retry"}"#;
/// The body of a 429: more decryptions under way for the session than its
/// failure budget has room for.
const TOO_MANY_ATTEMPTS_BODY: &str = r#"{"error":"too_many_attempts","hint":"wait for the session's other requests to finish, then retry"}"#;
/// The body of a 503: the session store did not answer.
const STORE_UNAVAILABLE_BODY: &str =
    r#"{"error":"session_store_unavailable","hint":"retry later"}"#;
/// The body of a 503: WeChat is busy, rate-limits us, or did not answer.
const WECHAT_UNAVAILABLE_BODY: &str = r#"{"error":"wechat_unavailable","hint":"retry later"}"#;
/// The body of a 502: WeChat's answer could not be used.
const WECHAT_ERROR_BODY: &str = r#"{"error":"wechat_error","hint":"retry later; if it persists, the server's WeChat settings are wrong"}"#;

/// Every way a request is refused. Each maps to one fixed status and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 401: no `Authorization: Bearer` token, an unknown one, or a session
    /// whose keys are gone.
    InvalidSession,
    /// 413: the body is over [`MAX_BODY_BYTES`](crate::MAX_BODY_BYTES).
    TooLarge,
    /// 400, 415 or 422 (as axum's JSON extractor decides): the body of
    /// `/api/phone-number` is not a JSON object with `encryptedData` and `iv`
    /// strings.
    InvalidButtonRequest(StatusCode),
    /// 400, 415 or 422: the body of a route taking a code is not a JSON
    /// object with a `code` string.
    InvalidCodeRequest(StatusCode),
    /// 400: any [`wxdecrypt::Error`], from bad base64 to an old watermark.
    CannotDecrypt,
    /// 429: so many decryptions are under way for the session that, were
    /// they all to fail, its failure budget would be overspent.
    TooManyAttempts,
    /// 400: WeChat refused the code (40029), or it cannot be sent (empty,
    /// oversized).
    InvalidCode,
    /// 503: the session store failed.
    StoreUnavailable,
    /// 503: WeChat is busy (-1), rate-limits the server (45011), or did not
    /// answer.
    WeChatUnavailable,
    /// 502: any other WeChat error or unusable answer.
    WeChatError,
}

impl Refusal {
    /// The status and the body.
    #[must_use]
    pub const fn status_and_body(self) -> (StatusCode, &'static str) {
        match self {
            Self::InvalidSession => (StatusCode::UNAUTHORIZED, INVALID_SESSION_BODY),
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE_BODY),
            Self::InvalidButtonRequest(status) => (status, INVALID_BUTTON_REQUEST_BODY),
            Self::InvalidCodeRequest(status) => (status, INVALID_CODE_REQUEST_BODY),
            Self::CannotDecrypt => (StatusCode::BAD_REQUEST, CANNOT_DECRYPT_BODY),
            Self::InvalidCode => (StatusCode::BAD_REQUEST, INVALID_CODE_BODY),
            Self::TooManyAttempts => (StatusCode::TOO_MANY_REQUESTS, TOO_MANY_ATTEMPTS_BODY),
            Self::StoreUnavailable => (StatusCode::SERVICE_UNAVAILABLE, STORE_UNAVAILABLE_BODY),
            Self::WeChatUnavailable => (StatusCode::SERVICE_UNAVAILABLE, WECHAT_UNAVAILABLE_BODY),
            Self::WeChatError => (StatusCode::BAD_GATEWAY, WECHAT_ERROR_BODY),
        }
    }

    /// The refusal for a JSON body axum's extractor turned down: 413 for a
    /// body over the limit, else `other` with axum's status (axum's own
    /// bodies are plain text and may quote the offending value).
    pub(crate) fn from_json(rejection: &JsonRejection, other: fn(StatusCode) -> Self) -> Self {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge,
            status => other(status),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, body) = self.status_and_body();
        let json = HeaderValue::from_static("application/json");
        let mut response = (status, [(CONTENT_TYPE, json)], body).into_response();
        if self == Self::InvalidSession {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
