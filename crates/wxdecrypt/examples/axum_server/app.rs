//! The HTTP side: the route, the session extractor, the decryption call and
//! every response the service can give.

use std::fmt;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use wxdecrypt::{
    Decrypted, EncryptedData, Error, Iv, PhoneNumber, SessionKey, Stage, UnixTime, Validation,
};
use zeroize::Zeroizing;

use crate::store::SessionStore;

/// Where the mini program posts the button's `encryptedData` and `iv`.
pub(crate) const PHONE_NUMBER_PATH: &str = "/api/phone-number";

/// The largest request body accepted, in bytes. A phone payload is about
/// 300 bytes of JSON; the whole `e.detail` of the button event stays under
/// 1 KiB.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024;

/// The longest bearer token looked up; longer ones are refused unread.
const MAX_TOKEN_LEN: usize = 256;

/// The body of every refused decryption, whatever the reason.
/// Its hint names the usual cause: a `wx.login` in the button's callback
/// replaced the session key the data was encrypted with.
const CANNOT_DECRYPT_BODY: &str = r#"{"error":"cannot_decrypt","hint":"log in again, calling wx.login before the button is tapped and never in its callback; then retry"}"#;
/// The body of a 401: no bearer token, or one this server does not know.
const INVALID_SESSION_BODY: &str = r#"{"error":"invalid_session","hint":"log in again"}"#;
/// The body of a 413.
const TOO_LARGE_BODY: &str =
    r#"{"error":"payload_too_large","hint":"send only encryptedData and iv"}"#;
/// The body of a 400, 415 or 422 about the request's JSON itself.
const INVALID_REQUEST_BODY: &str = r#"{"error":"invalid_request","hint":"send Content-Type: application/json with the button event's encryptedData and iv as strings"}"#;
/// The body of a 503: the session store did not answer.
const STORE_UNAVAILABLE_BODY: &str =
    r#"{"error":"session_store_unavailable","hint":"retry later"}"#;

/// What "now" is for the watermark check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clock {
    /// The system clock, read on every request: what a server runs on.
    System,
    /// A frozen time, for tests and for the demo's 2019 sample data.
    Fixed(UnixTime),
}

impl Clock {
    /// The time to check a watermark against.
    fn now(self) -> UnixTime {
        match self {
            Self::System => UnixTime::now(),
            Self::Fixed(time) => time,
        }
    }
}

/// Everything a request needs: the session store, the watermark policy, the
/// clock, and where log lines go.
pub(crate) struct AppState<S> {
    store: S,
    validation: Validation,
    clock: Clock,
    log: Box<dyn Fn(&str) + Send + Sync>,
    requests: AtomicU64,
}

impl<S: SessionStore> AppState<S> {
    /// A state for production: the system clock, log lines to stderr.
    pub(crate) fn new(store: S, validation: Validation) -> Self {
        Self {
            store,
            validation,
            clock: Clock::System,
            log: Box::new(|line| {
                // A closed stderr must not take a request down with it.
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }),
            requests: AtomicU64::new(0),
        }
    }

    /// The same state with another clock.
    #[must_use]
    pub(crate) fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    /// The same state with log lines sent to `log` instead of stderr (to a
    /// `tracing` event, say, or prefixed with the program's name).
    #[must_use]
    pub(crate) fn with_log(self, log: impl Fn(&str) + Send + Sync + 'static) -> Self {
        Self {
            log: Box::new(log),
            ..self
        }
    }

    /// A number for this request, to tie its log line to other records.
    fn next_request(&self) -> u64 {
        self.requests.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Writes one log line. Callers pass request numbers, stages and fixed
    /// words only: never a token, key, body or phone number.
    fn log(&self, line: fmt::Arguments<'_>) {
        (self.log)(&line.to_string());
    }
}

impl<S> fmt::Debug for AppState<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("validation", &self.validation)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// The service: `POST` [`PHONE_NUMBER_PATH`], bodies capped at
/// [`MAX_BODY_BYTES`].
pub(crate) fn router<S: SessionStore>(state: AppState<S>) -> Router {
    Router::new()
        .route(PHONE_NUMBER_PATH, post(phone_number::<S>))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(Arc::new(state))
}

/// Every way a request is refused. Each maps to one fixed status and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 401: no `Authorization: Bearer` token, or an unknown one.
    InvalidSession,
    /// 413: the body is over [`MAX_BODY_BYTES`].
    TooLarge,
    /// 400, 415 or 422 (as axum's JSON extractor decides): the body is not
    /// a JSON object with `encryptedData` and `iv` strings.
    InvalidRequest(StatusCode),
    /// 400: any [`wxdecrypt::Error`], from bad base64 to an old watermark.
    CannotDecrypt,
    /// 503: the session store failed.
    StoreUnavailable,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Self::InvalidSession => (StatusCode::UNAUTHORIZED, INVALID_SESSION_BODY),
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE_BODY),
            Self::InvalidRequest(status) => (status, INVALID_REQUEST_BODY),
            Self::CannotDecrypt => (StatusCode::BAD_REQUEST, CANNOT_DECRYPT_BODY),
            Self::StoreUnavailable => (StatusCode::SERVICE_UNAVAILABLE, STORE_UNAVAILABLE_BODY),
        };
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

/// axum's own rejection bodies are plain text and may quote the offending
/// value (`invalid type: integer 12345`); ours are fixed JSON.
impl From<JsonRejection> for Refusal {
    fn from(rejection: JsonRejection) -> Self {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge,
            status => Self::InvalidRequest(status),
        }
    }
}

/// An authenticated request: its number and the session's stored key.
///
/// Extracted from the headers before the body is read, so a request without
/// a valid session is refused without reading its body.
pub(crate) struct Session {
    request: u64,
    session_key: Zeroizing<String>,
}

impl<S: SessionStore> FromRequestParts<Arc<AppState<S>>> for Session {
    type Rejection = Refusal;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<AppState<S>>,
    ) -> Result<Self, Refusal> {
        let request = app.next_request();
        let Some(token) = bearer_token(parts) else {
            app.log(format_args!("request {request}: refused, no bearer token"));
            return Err(Refusal::InvalidSession);
        };
        match app.store.session_key(token).await {
            Ok(Some(session_key)) => Ok(Self {
                request,
                session_key,
            }),
            Ok(None) => {
                app.log(format_args!("request {request}: refused, unknown session"));
                Err(Refusal::InvalidSession)
            }
            Err(error) => {
                app.log(format_args!(
                    "request {request}: session store failed: {error}"
                ));
                Err(Refusal::StoreUnavailable)
            }
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header (the scheme is
/// case-insensitive, RFC 9110 section 11.1), when there is one of a
/// plausible length.
fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim_matches(' ');
    let plausible = !token.is_empty() && token.len() <= MAX_TOKEN_LEN && !token.contains(' ');
    (scheme.eq_ignore_ascii_case("Bearer") && plausible).then_some(token)
}

/// The body: the button event's `e.detail`, or just these two fields. Other
/// fields (`errMsg`, `cloudID`, `code`) are ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PhoneNumberRequest {
    encrypted_data: String,
    iv: String,
}

/// The success body, with the field names of `wxdecrypt phone`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhoneNumberResponse<'a> {
    phone_number: &'a str,
    pure_phone_number: &'a str,
    country_code: &'a str,
    watermark: Option<WatermarkResponse<'a>>,
}

/// The checked watermark; its appid is the validation's, which it equals.
#[derive(Serialize)]
struct WatermarkResponse<'a> {
    appid: &'a str,
    timestamp: u64,
}

/// `POST /api/phone-number`: the verified phone number, or one of the
/// [`Refusal`]s.
///
/// Every [`wxdecrypt::Error`] gets the same response, [`CANNOT_DECRYPT_BODY`]
/// with 400: the data is not authenticated, so a client that could tell bad
/// padding from bad JSON could forge plaintext (a padding oracle). Input
/// errors (bad base64, wrong lengths) would be safe to detail, but a client
/// has no use for the difference: its one remedy is to log in again and
/// retry. The stage goes to the log.
///
/// Decryption runs on the runtime thread: it takes microseconds for a
/// payload under [`MAX_BODY_BYTES`], less than handing it to a blocking pool.
async fn phone_number<S: SessionStore>(
    State(app): State<Arc<AppState<S>>>,
    session: Session,
    body: Result<Json<PhoneNumberRequest>, JsonRejection>,
) -> Result<Response, Refusal> {
    let request = session.request;
    let Json(body) = body.map_err(|rejection| {
        let status = rejection.status().as_u16();
        app.log(format_args!("request {request}: refused body ({status})"));
        Refusal::from(rejection)
    })?;
    match decrypt_phone_number(
        &session.session_key,
        &body,
        &app.validation,
        app.clock.now(),
    ) {
        Ok(decrypted) => {
            app.log(format_args!("request {request}: phone number decrypted"));
            let phone = &decrypted.payload;
            let response = PhoneNumberResponse {
                phone_number: phone.phone_number(),
                pure_phone_number: phone.pure_phone_number(),
                country_code: phone.country_code(),
                watermark: decrypted.watermark.map(|mark| WatermarkResponse {
                    appid: app.validation.appid(),
                    timestamp: mark.timestamp.as_secs(),
                }),
            };
            // Personal data: no shared cache may keep it.
            let no_store = HeaderValue::from_static("no-store");
            Ok(([(CACHE_CONTROL, no_store)], Json(response)).into_response())
        }
        Err(error) => {
            let stage = stage_name(error.stage());
            app.log(format_args!(
                "request {request}: cannot_decrypt ({stage} stage)"
            ));
            Err(Refusal::CannotDecrypt)
        }
    }
}

/// Parses the three inputs strictly and decrypts: a JSON body keeps base64
/// intact, so damaged text is refused rather than repaired.
fn decrypt_phone_number(
    session_key: &str,
    body: &PhoneNumberRequest,
    validation: &Validation,
    now: UnixTime,
) -> Result<Decrypted<PhoneNumber>, Error> {
    let key = SessionKey::from_base64(session_key)?;
    let iv = Iv::from_base64(&body.iv)?;
    let data = EncryptedData::from_base64(&body.encrypted_data)?;
    wxdecrypt::decrypt_at(&key, &iv, &data, validation, now)
}

/// The word the log uses for a stage.
fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Input => "input",
        Stage::Decryption => "decryption",
        Stage::Policy => "policy",
        _ => "other",
    }
}
