//! The HTTP side: the three routes, the session extractor, the decryption
//! with the previous key and the failure budget, and the log.

use std::fmt;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use wxdecrypt::api::ApiError;
use wxdecrypt::{
    Decrypted, EncryptedData, Error, Iv, PhoneNumber, SessionKey, Stage, UnixTime, Validation,
};

use crate::config::Config;
use crate::refusal::Refusal;
use crate::store::{Budget, Outcome, SessionKeys, SessionStore};
use crate::token::{SessionToken, TokenDigest, UserDigest};
use crate::wechat::{WeChat, WeChatError};

/// Where the mini program posts the code of `wx.login`.
pub const LOGIN_PATH: &str = "/api/login";
/// Where the mini program posts the legacy button's `encryptedData` and `iv`.
pub const PHONE_NUMBER_PATH: &str = "/api/phone-number";
/// Where the mini program posts the newer button's `code`.
pub const PHONE_BY_CODE_PATH: &str = "/api/phone-number-by-code";

/// The largest request body accepted, in bytes. A phone payload is about
/// 300 bytes of JSON; the whole `e.detail` of the button event stays under
/// 1 KiB.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The longest bearer token looked up; longer ones are refused unread.
const MAX_TOKEN_LEN: usize = 256;

/// What "now" is for the watermark check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The system clock, read on every request: what a server runs on.
    System,
    /// A frozen time, for tests and for the demo's 2019 sample data.
    Fixed(UnixTime),
}

impl Clock {
    /// The time to check a watermark against.
    #[must_use]
    pub fn now(self) -> UnixTime {
        match self {
            Self::System => UnixTime::now(),
            Self::Fixed(time) => time,
        }
    }
}

/// Where log lines go: stderr by default, or any function (a `tracing`
/// event, a test's capture). Lines hold request numbers, stages, counts and
/// fixed words only: never a token, a key, a code, an openid, a body or a
/// phone number.
#[derive(Clone)]
pub struct Log(Arc<dyn Fn(&str) + Send + Sync>);

impl Log {
    /// Lines to stderr, each after `prefix`.
    #[must_use]
    pub fn stderr(prefix: &'static str) -> Self {
        Self(Arc::new(move |line| {
            // A closed stderr must not take a request down with it.
            let _ = writeln!(std::io::stderr().lock(), "{prefix}{line}");
        }))
    }

    /// Lines to `sink`.
    #[must_use]
    pub fn to(sink: impl Fn(&str) + Send + Sync + 'static) -> Self {
        Self(Arc::new(sink))
    }

    fn write(&self, line: fmt::Arguments<'_>) {
        (self.0)(&line.to_string());
    }
}

impl fmt::Debug for Log {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Log")
    }
}

/// Everything a request needs.
pub struct AppState<S> {
    store: S,
    wechat: WeChat,
    validation: Validation,
    failure_budget: u32,
    clock: Clock,
    log: Log,
    requests: AtomicU64,
}

impl<S: SessionStore> AppState<S> {
    /// A state for production: the settings of `config`, sessions in
    /// `store`, the system clock, log lines to stderr.
    ///
    /// # Errors
    /// [`WeChatError`] when the app secret cannot be used or the HTTP
    /// client cannot be built.
    pub fn new(config: &Config, store: S) -> Result<Self, WeChatError> {
        Ok(Self {
            store,
            wechat: WeChat::new(config)?,
            validation: Validation::new(config.appid()),
            failure_budget: config.failure_budget(),
            clock: Clock::System,
            log: Log::stderr(""),
            requests: AtomicU64::new(0),
        })
    }

    /// The same state with another clock.
    #[must_use]
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    /// The same state with log lines sent to `log`.
    #[must_use]
    pub fn with_log(self, log: Log) -> Self {
        Self { log, ..self }
    }

    /// The session store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// A number for this request, to tie its log line to other records.
    fn next_request(&self) -> u64 {
        self.requests.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The request's JSON body, or the refusal of one that is not the JSON
    /// it should be (413 when too large, else `otherwise` with axum's
    /// status), logged as `what` with that status.
    fn accept<T>(
        &self,
        request: u64,
        what: &str,
        body: Result<Json<T>, JsonRejection>,
        otherwise: fn(StatusCode) -> Refusal,
    ) -> Result<T, Refusal> {
        body.map(|Json(body)| body).map_err(|rejection| {
            let status = rejection.status().as_u16();
            self.log
                .write(format_args!("request {request}: refused {what} ({status})"));
            Refusal::from_json(&rejection, otherwise)
        })
    }
}

impl<S> fmt::Debug for AppState<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("wechat", &self.wechat)
            .field("validation", &self.validation)
            .field("failure_budget", &self.failure_budget)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// The service: `POST` [`LOGIN_PATH`], [`PHONE_NUMBER_PATH`] and
/// [`PHONE_BY_CODE_PATH`], bodies capped at [`MAX_BODY_BYTES`].
pub fn router<S: SessionStore>(state: AppState<S>) -> Router {
    Router::new()
        .route(LOGIN_PATH, post(login::<S>))
        .route(PHONE_NUMBER_PATH, post(phone_number::<S>))
        .route(PHONE_BY_CODE_PATH, post(phone_number_by_code::<S>))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(Arc::new(state))
}

/// An authenticated request: its number and the session's keys.
///
/// Extracted from the headers before the body is read, so a request without
/// a valid session is refused without reading its body.
struct Session {
    request: u64,
    keys: SessionKeys,
}

impl<S: SessionStore> FromRequestParts<Arc<AppState<S>>> for Session {
    type Rejection = Refusal;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<AppState<S>>,
    ) -> Result<Self, Refusal> {
        let request = app.next_request();
        let Some(token) = bearer_token(parts) else {
            app.log
                .write(format_args!("request {request}: refused, no bearer token"));
            return Err(Refusal::InvalidSession);
        };
        match app.store.keys(&TokenDigest::of(token)).await {
            Ok(Some(keys)) => Ok(Self { request, keys }),
            Ok(None) => {
                app.log
                    .write(format_args!("request {request}: refused, unknown session"));
                Err(Refusal::InvalidSession)
            }
            Err(error) => {
                app.log.write(format_args!(
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

/// The body of the two routes that take a code.
#[derive(Deserialize)]
struct CodeRequest {
    code: String,
}

/// The body of [`PHONE_NUMBER_PATH`]: the button event's `e.detail`, or just
/// these two fields. Other fields (`errMsg`, `cloudID`, `code`) are ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhoneNumberRequest {
    encrypted_data: String,
    iv: String,
}

/// The answer of a login.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoginResponse<'a> {
    token: &'a str,
}

/// The phone number, with the field names of `wxdecrypt phone`, from either
/// flow.
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

/// The `200` answer for a verified phone number; personal data, so no
/// shared cache may keep it.
fn phone_response(decrypted: &Decrypted<PhoneNumber>, validation: &Validation) -> Response {
    let phone = &decrypted.payload;
    let body = PhoneNumberResponse {
        phone_number: phone.phone_number(),
        pure_phone_number: phone.pure_phone_number(),
        country_code: phone.country_code(),
        watermark: decrypted.watermark.as_ref().map(|mark| WatermarkResponse {
            appid: validation.appid(),
            timestamp: mark.timestamp.as_secs(),
        }),
    };
    no_store(Json(body))
}

/// `response` with `Cache-Control: no-store`.
fn no_store(response: impl IntoResponse) -> Response {
    let no_store = HeaderValue::from_static("no-store");
    ([(CACHE_CONTROL, no_store)], response).into_response()
}

/// `POST /api/login {code}`: `code2session`, then a new session token
/// whose session holds the key (the key it replaces stays a candidate for
/// the configured window).
async fn login<S: SessionStore>(
    State(app): State<Arc<AppState<S>>>,
    body: Result<Json<CodeRequest>, JsonRejection>,
) -> Result<Response, Refusal> {
    let request = app.next_request();
    let body = app.accept(request, "login body", body, Refusal::InvalidCodeRequest)?;
    let (session, key_text) = app.wechat.code2session(&body.code).await.map_err(|error| {
        app.log.write(format_args!(
            "request {request}: code2session failed: {error}"
        ));
        wechat_refusal(&error)
    })?;
    let Ok(token) = SessionToken::generate() else {
        app.log.write(format_args!(
            "request {request}: no random bytes for a token"
        ));
        return Err(Refusal::StoreUnavailable);
    };
    let user = UserDigest::of_openid(&session.openid);
    if let Err(error) = app.store.open(&token.digest(), &user, &key_text).await {
        app.log.write(format_args!(
            "request {request}: session store failed: {error}"
        ));
        return Err(Refusal::StoreUnavailable);
    }
    app.log
        .write(format_args!("request {request}: logged in, session opened"));
    Ok(no_store(Json(LoginResponse {
        token: token.as_str(),
    })))
}

/// `POST /api/phone-number`: the verified phone number, or one of the
/// [`Refusal`]s.
///
/// Every [`wxdecrypt::Error`] gets the same response, 400 `cannot_decrypt`:
/// the data is not authenticated, so a client that could tell bad padding
/// from bad JSON could forge plaintext (a padding oracle). The stage goes to
/// the log.
///
/// Each failure counts against the session's failure budget; the failure
/// that spends it drops the session's keys, so later requests get 401
/// `invalid_session` and the client logs in again. An attempt is
/// registered before it decrypts, and one that could overspend the budget
/// if every attempt under way failed is refused with 429
/// `too_many_attempts` instead of run: no key ever sees more failed
/// decryptions than the budget, however many requests arrive at once.
///
/// Decryption runs on the runtime thread: it takes microseconds for a
/// payload under [`MAX_BODY_BYTES`], less than handing it to a blocking pool.
async fn phone_number<S: SessionStore>(
    State(app): State<Arc<AppState<S>>>,
    session: Session,
    body: Result<Json<PhoneNumberRequest>, JsonRejection>,
) -> Result<Response, Refusal> {
    let request = session.request;
    let body = app.accept(request, "body", body, Refusal::InvalidButtonRequest)?;
    let user = &session.keys.user;
    let budget = app.failure_budget;
    match app.store.begin_attempt(user, budget).await {
        Ok(Budget::Within(_)) => {}
        Ok(Budget::Busy) => {
            app.log.write(format_args!(
                "request {request}: refused, too many decryptions under way"
            ));
            return Err(Refusal::TooManyAttempts);
        }
        Ok(Budget::Exhausted) => {
            app.log.write(format_args!(
                "request {request}: refused, failure budget spent, keys dropped"
            ));
            return Err(Refusal::InvalidSession);
        }
        Err(error) => {
            app.log.write(format_args!(
                "request {request}: session store failed: {error}"
            ));
            return Err(Refusal::StoreUnavailable);
        }
    }
    let result = decrypt_phone_number(&session.keys, &body, &app.validation, app.clock.now());
    let outcome = if result.is_ok() {
        Outcome::Decrypted
    } else {
        Outcome::Failed
    };
    let ended = app.store.end_attempt(user, outcome, budget).await;
    if let Err(error) = &ended {
        // The attempt stays counted as under way until its count expires.
        app.log.write(format_args!(
            "request {request}: session store failed: {error}"
        ));
    }
    match result {
        Ok((index, decrypted)) => {
            let which = if index == 0 { "current" } else { "previous" };
            app.log.write(format_args!(
                "request {request}: phone number decrypted ({which} key)"
            ));
            Ok(phone_response(&decrypted, &app.validation))
        }
        Err(error) => {
            let stage = stage_name(error.stage());
            match ended {
                Ok(Budget::Exhausted) => app.log.write(format_args!(
                    "request {request}: cannot_decrypt ({stage} stage), failure budget spent, keys dropped"
                )),
                Ok(Budget::Within(failures)) => app.log.write(format_args!(
                    "request {request}: cannot_decrypt ({stage} stage), failure {failures} of {budget}"
                )),
                _ => app.log.write(format_args!(
                    "request {request}: cannot_decrypt ({stage} stage)"
                )),
            }
            Err(Refusal::CannotDecrypt)
        }
    }
}

/// Parses the inputs strictly and decrypts with the session's current key,
/// then its previous one: a JSON body keeps base64 intact, so damaged text
/// is refused rather than repaired.
fn decrypt_phone_number(
    keys: &SessionKeys,
    body: &PhoneNumberRequest,
    validation: &Validation,
    now: UnixTime,
) -> Result<(usize, Decrypted<PhoneNumber>), Error> {
    let current = SessionKey::from_base64(&keys.current)?;
    // A stored previous key that does not parse is not tried.
    let previous = keys
        .previous
        .as_ref()
        .and_then(|text| SessionKey::from_base64(text).ok());
    let iv = Iv::from_base64(&body.iv)?;
    let data = EncryptedData::from_base64(&body.encrypted_data)?;
    let candidates: Vec<&SessionKey> = std::iter::once(&current).chain(previous.as_ref()).collect();
    wxdecrypt::decrypt_with_keys_at(&candidates, &iv, &data, validation, now)
}

/// `POST /api/phone-number-by-code {code}`: `getuserphonenumber` with the
/// cached access token, for a logged-in session.
async fn phone_number_by_code<S: SessionStore>(
    State(app): State<Arc<AppState<S>>>,
    session: Session,
    body: Result<Json<CodeRequest>, JsonRejection>,
) -> Result<Response, Refusal> {
    let request = session.request;
    let body = app.accept(request, "body", body, Refusal::InvalidCodeRequest)?;
    match app
        .wechat
        .phone_number(&body.code, &app.validation, app.clock.now())
        .await
    {
        Ok(answer) => {
            app.log
                .write(format_args!("request {request}: phone number by code"));
            Ok(phone_response(&answer.phone, &app.validation))
        }
        Err(error) => {
            app.log.write(format_args!(
                "request {request}: getuserphonenumber failed: {error}"
            ));
            Err(wechat_refusal(&error))
        }
    }
}

/// The answer for a failed call to WeChat.
fn wechat_refusal(error: &WeChatError) -> Refusal {
    match error {
        WeChatError::Api(ApiError::InvalidCode) | WeChatError::Request(_) => Refusal::InvalidCode,
        WeChatError::Api(error) if error.is_retryable() => Refusal::WeChatUnavailable,
        WeChatError::Transport(_) => Refusal::WeChatUnavailable,
        WeChatError::Api(_) => Refusal::WeChatError,
    }
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
