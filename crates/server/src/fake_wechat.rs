//! [`FakeWeChat`]: a stand-in for the three WeChat APIs the server calls
//! (`sns/jscode2session`, `cgi-bin/token`, `wxa/business/getuserphonenumber`),
//! served on loopback, for tests, the demo and the load script. WeChat's API
//! is not reachable from CI machines, and a test must be able to expire an
//! access token on purpose.
//!
//! It answers as WeChat documents: HTTP 200 with a JSON body, an `errcode`
//! for every error. Codes are single-use, as WeChat's are; an unknown code
//! gets the `40029` answer of `tests/vectors/responses/`. The success
//! answers are the caller's: tests register the fixtures of
//! `tests/vectors/responses/`.

use std::collections::HashMap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

/// `code2session`'s answer to an unknown or used code (the fixture).
pub const CODE2SESSION_40029: &str =
    include_str!("../../wxdecrypt/tests/vectors/responses/code2session-40029.json");
/// `getuserphonenumber`'s answer to an unknown or used code (the fixture).
pub const PHONE_40029: &str =
    include_str!("../../wxdecrypt/tests/vectors/responses/getuserphonenumber-40029.json");
/// The answer to an access token this fake never issued.
pub const INVALID_TOKEN_40001: &str =
    r#"{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest"}"#;
/// The answer to an access token [`FakeWeChat::expire_access_tokens`] expired.
pub const EXPIRED_TOKEN_42001: &str = r#"{"errcode":42001,"errmsg":"access_token expired"}"#;
/// The answer to a wrong appid.
pub const INVALID_APPID_40013: &str = r#"{"errcode":40013,"errmsg":"invalid appid"}"#;
/// The answer to a wrong app secret.
pub const INVALID_SECRET_40125: &str = r#"{"errcode":40125,"errmsg":"invalid appsecret"}"#;

/// The demo's mini program: the appid in the watermark of the `gopay-phone`
/// vector of `tests/vectors/real-world.json` (real data from go-pay's
/// tests, made in 2019).
pub const DEMO_APPID: &str = "wxdaa2ab9ef87b5497";
/// The demo's app secret (a real one is secret).
pub const DEMO_SECRET: &str = "demo-app-secret";
/// The `gopay-phone` session key (go-pay/wechat-sdk `mini/mini_test.go`).
pub const DEMO_SESSION_KEY: &str = "lyY4HPQbaOYzZdG+JcYK9w==";
/// The `gopay-phone` watermark's time (2019-05-25 UTC): the demo freezes
/// its clock a minute after it.
pub const DEMO_WATERMARK_TIME: u64 = 1_558_787_160;
/// The `wx.login` code the demo answers (as often as it is sent) with the
/// `gopay-phone` session key.
pub const DEMO_LOGIN_CODE: &str = "demo-login-code";
/// The phone button code the demo answers (as often as it is sent) with
/// the phone of WeChat's `getuserphonenumber` sample, watermarked for the
/// demo's appid and time.
pub const DEMO_PHONE_CODE: &str = "demo-phone-code";

/// The fake API's state; clones share it.
#[derive(Clone)]
pub struct FakeWeChat {
    state: Arc<FakeState>,
}

struct FakeState {
    appid: String,
    secret: String,
    sessions: Mutex<HashMap<String, String>>,
    phones: Mutex<HashMap<String, String>>,
    tokens_issued: AtomicU64,
    expired_up_to: AtomicU64,
    token_delay_ms: AtomicU64,
    token_requests: AtomicU64,
    phone_requests: AtomicU64,
    reusable_codes: AtomicBool,
    answers_given: AtomicU64,
}

impl FakeWeChat {
    /// A fake for the mini program `appid` with app secret `secret`; it
    /// knows no code yet.
    #[must_use]
    pub fn new(appid: &str, secret: &str) -> Self {
        Self {
            state: Arc::new(FakeState {
                appid: appid.to_owned(),
                secret: secret.to_owned(),
                sessions: Mutex::default(),
                phones: Mutex::default(),
                tokens_issued: AtomicU64::new(0),
                expired_up_to: AtomicU64::new(0),
                token_delay_ms: AtomicU64::new(0),
                token_requests: AtomicU64::new(0),
                phone_requests: AtomicU64::new(0),
                reusable_codes: AtomicBool::new(false),
                answers_given: AtomicU64::new(0),
            }),
        }
    }

    /// The fake the demo and the load script run: [`DEMO_APPID`] and
    /// [`DEMO_SECRET`], [`DEMO_LOGIN_CODE`] and [`DEMO_PHONE_CODE`] known,
    /// and codes that can be used again. Each login with the demo code is
    /// another user (the openid ends with a count), as many users' logins
    /// would be.
    #[must_use]
    pub fn demo() -> Self {
        let fake = Self::new(DEMO_APPID, DEMO_SECRET);
        fake.state.reusable_codes.store(true, Ordering::SeqCst);
        // Modelled on `code2session-ok.json`, with go-pay's key.
        fake.session(
            DEMO_LOGIN_CODE,
            &format!(r#"{{"session_key":"{DEMO_SESSION_KEY}","openid":"oDemoOpenid{{n}}"}}"#),
        );
        // `getuserphonenumber-ok.json` with the demo's appid and time.
        fake.phone(
            DEMO_PHONE_CODE,
            &format!(
                r#"{{"errcode":0,"errmsg":"ok","phone_info":{{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":86,"watermark":{{"timestamp":{DEMO_WATERMARK_TIME},"appid":"{DEMO_APPID}"}}}}}}"#
            ),
        );
        fake
    }

    /// `code2session` answers the next use of `code` with `answer`.
    pub fn session(&self, code: &str, answer: &str) {
        lock(&self.state.sessions).insert(code.to_owned(), answer.to_owned());
    }

    /// `getuserphonenumber` answers the next use of `code` (with a valid
    /// access token) with `answer`.
    pub fn phone(&self, code: &str, answer: &str) {
        lock(&self.state.phones).insert(code.to_owned(), answer.to_owned());
    }

    /// Every access token issued so far now gets 42001 (expired).
    pub fn expire_access_tokens(&self) {
        let issued = self.state.tokens_issued.load(Ordering::SeqCst);
        self.state.expired_up_to.store(issued, Ordering::SeqCst);
    }

    /// The token endpoint waits this long before answering (so that
    /// concurrent requests overlap a refresh).
    pub fn set_token_delay(&self, delay: Duration) {
        let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.state.token_delay_ms.store(ms, Ordering::SeqCst);
    }

    /// How many access tokens were requested.
    #[must_use]
    pub fn token_requests(&self) -> u64 {
        self.state.token_requests.load(Ordering::SeqCst)
    }

    /// How many `getuserphonenumber` calls were made.
    #[must_use]
    pub fn phone_requests(&self) -> u64 {
        self.state.phone_requests.load(Ordering::SeqCst)
    }

    /// The three endpoints.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/sns/jscode2session", get(code2session))
            .route("/cgi-bin/token", get(token))
            .route("/wxa/business/getuserphonenumber", post(phone_number))
            .with_state(Arc::clone(&self.state))
    }

    /// Serves the fake on `127.0.0.1:port` (0: any free port) in a task of
    /// the current runtime, and returns its base URL.
    ///
    /// # Errors
    /// The error of binding the port.
    pub async fn spawn(&self, port: u16) -> std::io::Result<String> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let address: SocketAddr = listener.local_addr()?;
        let router = self.router();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(format!("http://{address}"))
    }
}

impl fmt::Debug for FakeWeChat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeWeChat")
            .field("appid", &self.state.appid)
            .field("token_requests", &self.token_requests())
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A 200 answer with a JSON body, as WeChat gives for errors too.
fn answer(body: String) -> Response {
    ([(CONTENT_TYPE, "application/json")], body).into_response()
}

/// The decoded query parameters of `uri`.
fn query(uri: &Uri) -> HashMap<String, String> {
    uri.query()
        .unwrap_or("")
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (percent_decode(name), percent_decode(value)))
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl FakeState {
    /// The answer for `code`, used up unless codes are reusable.
    fn take(&self, answers: &Mutex<HashMap<String, String>>, code: &str) -> Option<String> {
        let mut answers = lock(answers);
        if self.reusable_codes.load(Ordering::SeqCst) {
            let n = self.answers_given.fetch_add(1, Ordering::SeqCst) + 1;
            answers
                .get(code)
                .map(|answer| answer.replace("{n}", &n.to_string()))
        } else {
            answers.remove(code)
        }
    }

    /// The error for wrong credentials, if they are.
    fn credentials_error(&self, params: &HashMap<String, String>) -> Option<&'static str> {
        if params.get("appid") != Some(&self.appid) {
            Some(INVALID_APPID_40013)
        } else if params.get("secret") != Some(&self.secret) {
            Some(INVALID_SECRET_40125)
        } else {
            None
        }
    }
}

async fn code2session(State(state): State<Arc<FakeState>>, uri: Uri) -> Response {
    let params = query(&uri);
    if let Some(error) = state.credentials_error(&params) {
        return answer(error.to_owned());
    }
    let code = params.get("js_code").map_or("", String::as_str);
    let found = state.take(&state.sessions, code);
    answer(found.unwrap_or_else(|| CODE2SESSION_40029.to_owned()))
}

async fn token(State(state): State<Arc<FakeState>>, uri: Uri) -> Response {
    state.token_requests.fetch_add(1, Ordering::SeqCst);
    let delay = state.token_delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let params = query(&uri);
    if params.get("grant_type").map(String::as_str) != Some("client_credential") {
        return answer(r#"{"errcode":40002,"errmsg":"invalid grant_type"}"#.to_owned());
    }
    if let Some(error) = state.credentials_error(&params) {
        return answer(error.to_owned());
    }
    let n = state.tokens_issued.fetch_add(1, Ordering::SeqCst) + 1;
    answer(format!(
        r#"{{"access_token":"fake-access-token-{n}","expires_in":7200}}"#
    ))
}

async fn phone_number(State(state): State<Arc<FakeState>>, uri: Uri, body: Bytes) -> Response {
    state.phone_requests.fetch_add(1, Ordering::SeqCst);
    let params = query(&uri);
    let issued = state.tokens_issued.load(Ordering::SeqCst);
    let token = params
        .get("access_token")
        .and_then(|t| t.strip_prefix("fake-access-token-"))
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|n| (1..=issued).contains(n));
    let Some(token) = token else {
        return answer(INVALID_TOKEN_40001.to_owned());
    };
    if token <= state.expired_up_to.load(Ordering::SeqCst) {
        return answer(EXPIRED_TOKEN_42001.to_owned());
    }
    let code = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned))
        .unwrap_or_default();
    let found = state.take(&state.phones, &code);
    answer(found.unwrap_or_else(|| PHONE_40029.to_owned()))
}
