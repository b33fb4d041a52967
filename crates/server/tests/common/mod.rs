//! The test harness: a `redis-server` of the test's own on a free loopback
//! port, the fake WeChat API, log capture, and the fixtures and payloads
//! the tests send.
//!
//! # When `redis-server` is not installed
//!
//! The Redis tests fail, naming Debian's `redis-server` package (which
//! `crates/server/ci-redis.sh` installs). On a developer machine
//! `WXDECRYPT_REDIS_TESTS=skip` skips them instead, with a warning on
//! stderr; under `CI` (set to anything but `false` or empty) that variable
//! is refused, so CI never skips them.

#![allow(dead_code, unreachable_pub)] // Each test file uses its own part.

use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt as _;
use wxdecrypt::UnixTime;
use wxdecrypt_server::fake_wechat::FakeWeChat;
use wxdecrypt_server::{AppState, Clock, Config, Log, SessionStore, router};
use wxdecrypt_testkit::encrypt::{b64, encrypt, unb64_16};

/// The mini program of the response fixtures (`getuserphonenumber-ok.json`'s
/// watermark appid).
pub const APPID: &str = "wx4f4bc4dec97d474b";
/// The tests' app secret.
pub const SECRET: &str = "test-app-secret-5c1d";
/// The fixtures' watermark time.
pub const WATERMARK: u64 = 1_637_744_274;
/// The tests' frozen clock: a minute after the watermark.
pub const NOW: u64 = WATERMARK + 60;

/// `code2session-ok.json`, verbatim: its key and ids.
pub const CODE2SESSION_OK: &str =
    include_str!("../../../wxdecrypt/tests/vectors/responses/code2session-ok.json");
pub const KEY_A: &str = "tiihtNczf5v6AKRyjwEUhQ==";
pub const OPENID: &str = "oGZUI0egBJY1zhBYw2KhdUfwVJJE";
pub const UNIONID: &str = "ocMvos6NjeKLIBqg5Mr9QjxrP1FA";
/// A second key for the same user, as a re-login may return.
pub const KEY_B: &str = "Q2hhbmdlZEtleUJfXzE2Yg==";
/// `getuserphonenumber-ok.json`, `getuserphonenumber-busy.json`, verbatim.
pub const PHONE_OK: &str =
    include_str!("../../../wxdecrypt/tests/vectors/responses/getuserphonenumber-ok.json");
pub const PHONE_BUSY: &str =
    include_str!("../../../wxdecrypt/tests/vectors/responses/getuserphonenumber-busy.json");
/// The phone number of the fixtures and of the tests' payloads.
pub const PHONE: &str = "13580006666";

/// A `code2session` answer for [`OPENID`] with `key` (the fixture's shape).
pub fn code2session_answer(key: &str) -> String {
    format!(r#"{{"session_key":"{key}","openid":"{OPENID}","unionid":"{UNIONID}"}}"#)
}

/// The legacy button's body: [`PHONE`] for [`APPID`] at [`WATERMARK`],
/// encrypted under `key` with a fixed iv.
pub fn button_body(key: &str) -> String {
    let plaintext = format!(
        r#"{{"phoneNumber":"{PHONE}","purePhoneNumber":"{PHONE}","countryCode":"86","watermark":{{"timestamp":{WATERMARK},"appid":"{APPID}"}}}}"#
    );
    let iv = [0x5a; 16];
    let data = encrypt(&unb64_16(key), &iv, plaintext.as_bytes());
    json!({ "encryptedData": b64(&data), "iv": b64(&iv) }).to_string()
}

/// A body that does not decrypt under any key (one block of zeros).
pub fn garbage_body() -> String {
    json!({ "encryptedData": b64(&[0; 16]), "iv": b64(&[1; 16]) }).to_string()
}

/// The fake WeChat API for [`APPID`] and [`SECRET`], served on loopback,
/// and its base URL.
pub async fn fake_wechat() -> (FakeWeChat, String) {
    let fake = FakeWeChat::new(APPID, SECRET);
    let url = fake.spawn(0).await.expect("a loopback port");
    (fake, url)
}

/// Settings for [`APPID`] with WeChat at `base_url`.
pub fn config(base_url: &str) -> Config {
    Config::new(APPID, SECRET).with_wechat_base_url(base_url)
}

/// The router of an instance: `config`, `store`, the clock at [`NOW`],
/// log lines into `logs`.
pub fn instance<S: SessionStore>(config: &Config, store: S, logs: &Logs) -> Router {
    let state = AppState::new(config, store)
        .expect("a usable config")
        .with_clock(Clock::Fixed(UnixTime::from_secs(NOW)))
        .with_log(logs.log());
    router(state)
}

/// The log lines instances wrote.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<String>>>);

impl Logs {
    pub fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn log(&self) -> Log {
        let lines = Arc::clone(&self.0);
        Log::to(move |line| {
            lines
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(line.to_owned());
        })
    }

    /// Asserts that no line holds any of `secrets`.
    pub fn assert_free_of(&self, secrets: &[&str]) {
        let lines = self.lines();
        assert!(!lines.is_empty(), "nothing was logged");
        for line in &lines {
            for secret in secrets {
                assert!(!line.contains(secret), "{line:?} holds {secret:?}");
            }
        }
    }
}

/// A response, whole.
#[derive(Debug, PartialEq)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("every body is JSON")
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The token of a login's answer.
    pub fn token(&self) -> String {
        assert_eq!(self.status, StatusCode::OK, "login failed: {}", self.text());
        self.json()["token"].as_str().expect("a token").to_owned()
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("a router never fails");
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX).await.expect("a complete body");
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// A JSON `POST` to `path`, with `Authorization: Bearer <token>` if given.
pub fn post(path: &str, token: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(body.into()).expect("a valid request")
}

pub async fn login(router: &Router, code: &str) -> Reply {
    let body = json!({ "code": code }).to_string();
    send(router, post(wxdecrypt_server::LOGIN_PATH, None, body)).await
}

pub async fn phone(router: &Router, token: &str, body: &str) -> Reply {
    let request = post(
        wxdecrypt_server::PHONE_NUMBER_PATH,
        Some(token),
        body.to_owned(),
    );
    send(router, request).await
}

pub async fn phone_by_code(router: &Router, token: &str, code: &str) -> Reply {
    let body = json!({ "code": code }).to_string();
    send(
        router,
        post(wxdecrypt_server::PHONE_BY_CODE_PATH, Some(token), body),
    )
    .await
}

/// A `redis-server` of this test's own, on a free loopback port, with no
/// persistence; killed on drop.
pub struct Redis {
    child: Option<Child>,
    port: u16,
}

impl Redis {
    /// Starts one, or `None` when `redis-server` is missing and skipping is
    /// allowed (see the module docs); panics otherwise.
    pub fn start() -> Option<Self> {
        match Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return missing_redis(),
            Err(e) => panic!("cannot run redis-server: {e}"),
        }
        for _ in 0..5 {
            let port = free_port();
            let mut redis = Self { child: None, port };
            if redis.spawn() {
                return Some(redis);
            }
        }
        panic!("redis-server did not start on a free port in 5 tries");
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Stops the server (its data is lost: it persists nothing).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port.
    pub fn restart(&mut self) {
        assert!(
            self.spawn(),
            "redis-server did not restart on port {}",
            self.port
        );
    }

    /// A connection of the test's own, to look at what the store wrote.
    pub async fn connection(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url())
            .expect("a redis URL")
            .get_multiplexed_async_connection()
            .await
            .expect("redis is up")
    }

    fn spawn(&mut self) -> bool {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--loglevel", "warning"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.pings() {
                return true;
            }
            if let Some(child) = self.child.as_mut()
                && matches!(child.try_wait(), Ok(Some(_)))
            {
                self.child = None;
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.stop();
        false
    }

    fn pings(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
        let mut reply = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free port");
    listener.local_addr().expect("an address").port()
}

fn missing_redis() -> Option<Redis> {
    let skip = std::env::var("WXDECRYPT_REDIS_TESTS").is_ok_and(|v| v == "skip");
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    if skip && !ci {
        eprintln!(
            "WARNING: redis-server is not installed: this Redis test is SKIPPED \
             (WXDECRYPT_REDIS_TESTS=skip). Install Debian's redis-server package to run it."
        );
        return None;
    }
    panic!(
        "redis-server is not installed: install Debian's redis-server package \
         (apt-get install redis-server; crates/server/ci-redis.sh does it). On a \
         developer machine, WXDECRYPT_REDIS_TESTS=skip skips the Redis tests (refused under CI)."
    );
}
