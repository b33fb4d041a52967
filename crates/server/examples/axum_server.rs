//! The reference server, configured from the environment: login, the
//! legacy and the newer phone number button, sessions in memory or Redis.
//!
//! With nothing set it is a demo: an in-memory store, a fake of WeChat's
//! API on a loopback port (WeChat's own needs a real appid and secret), the
//! appid and frozen clock of the `gopay-phone` vector (real data from
//! go-pay's tests, made in 2019), and one session already open:
//!
//! ```sh
//! cargo run --example axum_server        # 127.0.0.1:3000; PORT=8080 to change
//! curl -i http://127.0.0.1:3000/api/phone-number \
//!   -H 'Authorization: Bearer demo-session-token' \
//!   -H 'Content-Type: application/json' \
//!   -d '{"encryptedData":"Kf3TdPbzEmhWMuPKtlKxIWDkijhn402w1bxoHL4kLdcKr6jT1jNcIhvDJfjXmJcgDWLjmBiIGJ5acUuSvxLws3WgAkERmtTuiCG10CKLsJiR+AXVk7B2TUQzsq88YVilDz/YAN3647REE7glGmeBPfvUmdbfDzhL9BzvEiuRhABuCYyTMz4iaM8hFjbLB1caaeoOlykYAFMWC5pZi9P8uw==","iv":"Cds8j3VYoGvnTp1BrjXdJg=="}'
//! ```
//!
//! answers `200 OK` with
//!
//! ```json
//! {"phoneNumber":"18017448610","purePhoneNumber":"18017448610","countryCode":"86","watermark":{"appid":"wxdaa2ab9ef87b5497","timestamp":1558787160}}
//! ```
//!
//! The demo's fake also answers the login code `demo-login-code` (with the
//! same key) and the phone button code `demo-phone-code`:
//!
//! ```sh
//! curl -s http://127.0.0.1:3000/api/login -H 'Content-Type: application/json' \
//!   -d '{"code":"demo-login-code"}'                # {"token":"<64 hex digits>"}
//! curl -s http://127.0.0.1:3000/api/phone-number-by-code -H "Authorization: Bearer $TOKEN" \
//!   -H 'Content-Type: application/json' -d '{"code":"demo-phone-code"}'
//! ```
//!
//! The environment (every variable optional):
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `PORT` | the loopback port to listen on | 3000 |
//! | `WECHAT_APPID`, `WECHAT_SECRET` | the mini program's credentials; both or neither | the demo's, with the fake |
//! | `WECHAT_BASE_URL` | where WeChat's API is | `https://api.weixin.qq.com` (demo: the fake) |
//! | `REDIS_URL` | sessions in this Redis (`redis://127.0.0.1:6379/0`) | in memory |
//! | `REDIS_PREFIX` | the prefix of the server's Redis keys | `wxd` |
//! | `SESSION_TTL_SECS` | how long a session lives | 86400 |
//! | `PREVIOUS_KEY_SECS` | how long a replaced key is still tried | 120 |
//! | `FAILURE_BUDGET` | failed decryptions before a session's keys are dropped | 5 |
//! | `FIXED_NOW` | a frozen clock, in Unix seconds: for sample data only | the system clock (demo: a minute after the `gopay-phone` watermark) |

use std::io::Write as _;
use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::time::Duration;

use wxdecrypt::UnixTime;
use wxdecrypt_server::fake_wechat::{
    DEMO_APPID, DEMO_SECRET, DEMO_SESSION_KEY, DEMO_WATERMARK_TIME, FakeWeChat,
};
use wxdecrypt_server::{
    AnyStore, AppState, Clock, Config, LOGIN_PATH, Log, MemoryStore, RedisStore, SessionStore,
    TokenDigest, UserDigest, router,
};

/// The port used when `PORT` is not set.
const DEFAULT_PORT: u16 = 3000;
/// The demo session's token (a real one is random and secret).
const DEMO_TOKEN: &str = "demo-session-token";
/// The openid the demo session belongs to.
const DEMO_OPENID: &str = "oDemoOpenid000000000000000000";
/// The demo's frozen clock: a minute after the `gopay-phone` watermark.
const DEMO_NOW: UnixTime = UnixTime::from_secs(DEMO_WATERMARK_TIME + 60);

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            let _ = writeln!(std::io::stderr().lock(), "axum_server: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A variable's value, `None` when unset.
fn var(name: &str) -> Result<Option<String>, String> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!("{name} is not UTF-8")),
    }
}

/// A numeric variable, `default` when unset.
fn number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match var(name)? {
        None => Ok(default),
        Some(text) => text
            .parse()
            .map_err(|_| format!("{name} must be a number, got {text:?}")),
    }
}

/// Opens the demo's session: [`DEMO_TOKEN`] with the `gopay-phone` key.
async fn open_demo_session<S: SessionStore>(store: &S) -> Result<(), S::Error> {
    let token = TokenDigest::of(DEMO_TOKEN);
    let user = UserDigest::of_openid(DEMO_OPENID);
    store.open(&token, &user, DEMO_SESSION_KEY).await
}

async fn run() -> Result<(), String> {
    let port: u16 = number("PORT", DEFAULT_PORT)?;
    let (mut config, demo) = match (var("WECHAT_APPID")?, var("WECHAT_SECRET")?) {
        (Some(appid), Some(secret)) => (Config::new(&appid, &secret), false),
        (None, None) => (Config::new(DEMO_APPID, DEMO_SECRET), true),
        _ => return Err("set both WECHAT_APPID and WECHAT_SECRET, or neither (demo)".into()),
    };
    let base_url = match (var("WECHAT_BASE_URL")?, demo) {
        (Some(url), _) => Some(url),
        (None, true) => {
            let url = FakeWeChat::demo()
                .spawn(0)
                .await
                .map_err(|e| format!("cannot start the demo's fake WeChat API: {e}"))?;
            Some(url)
        }
        (None, false) => None,
    };
    if let Some(url) = &base_url {
        config = config.with_wechat_base_url(url);
    }
    config = config
        .with_session_ttl(Duration::from_secs(number("SESSION_TTL_SECS", 86_400)?))
        .with_previous_key_window(Duration::from_secs(number("PREVIOUS_KEY_SECS", 120)?))
        .with_failure_budget(number("FAILURE_BUDGET", 5)?);
    let clock = match (var("FIXED_NOW")?, demo) {
        (Some(_), _) => Clock::Fixed(UnixTime::from_secs(number("FIXED_NOW", 0)?)),
        (None, true) => Clock::Fixed(DEMO_NOW),
        (None, false) => Clock::System,
    };

    let store = match var("REDIS_URL")? {
        Some(url) => {
            let prefix = var("REDIS_PREFIX")?.unwrap_or_else(|| "wxd".to_owned());
            let store = RedisStore::connect(&url, &prefix, config.lifetimes())
                .await
                .map_err(|e| format!("cannot use REDIS_URL: {e}"))?;
            AnyStore::Redis(store)
        }
        None => AnyStore::Memory(MemoryStore::new(config.lifetimes())),
    };
    let store_name = match store {
        AnyStore::Memory(_) => "in-memory sessions",
        AnyStore::Redis(_) => "sessions in Redis",
    };
    if demo {
        open_demo_session(&store)
            .await
            .map_err(|e| format!("cannot open the demo session: {e}"))?;
    }
    let state = AppState::new(&config, store)
        .map_err(|e| format!("cannot set up the WeChat client: {e}"))?
        .with_clock(clock)
        .with_log(Log::stderr("axum_server: "));

    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let mode = if demo {
        format!(
            "demo (token {DEMO_TOKEN:?}, clock frozen at {})",
            DEMO_NOW.as_secs()
        )
    } else {
        format!("appid {}", config.appid())
    };
    let _ = writeln!(
        std::io::stderr().lock(),
        "axum_server: {mode}, {store_name}, WeChat at {}, on http://127.0.0.1:{port}{LOGIN_PATH}",
        config.wechat_base_url()
    );
    axum::serve(listener, router(state))
        .await
        .map_err(|e| format!("server stopped: {e}"))
}

#[cfg(test)]
mod tests {
    //! The commands in this file's docs, as written there, against the demo.

    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode, header};
    use serde_json::{Value, json};
    use tower::ServiceExt as _;
    use wxdecrypt_server::fake_wechat::{DEMO_LOGIN_CODE, DEMO_PHONE_CODE};
    use wxdecrypt_server::{PHONE_BY_CODE_PATH, PHONE_NUMBER_PATH};
    use wxdecrypt_testkit::vectors::{entry, real_world, text};

    use super::*;

    /// The text of the docs between `start` and `end`.
    fn between(start: &str, end: &str) -> String {
        let docs = include_str!("axum_server.rs");
        let from = docs.find(start).expect("start marker") + start.len();
        let len = docs[from..].find(end).expect("end marker");
        docs[from..from + len].to_owned()
    }

    async fn demo() -> axum::Router {
        let url = FakeWeChat::demo().spawn(0).await.expect("a loopback port");
        let config = Config::new(DEMO_APPID, DEMO_SECRET).with_wechat_base_url(&url);
        let store = MemoryStore::new(config.lifetimes());
        open_demo_session(&store).await.expect("infallible");
        let state = AppState::new(&config, store).expect("a usable config");
        router(
            state
                .with_clock(Clock::Fixed(DEMO_NOW))
                .with_log(Log::to(|_| {})),
        )
    }

    async fn send(
        app: &axum::Router,
        path: &str,
        token: Option<&str>,
        body: String,
    ) -> (StatusCode, String) {
        let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = request.body(Body::from(body)).expect("a valid request");
        let response = app
            .clone()
            .oneshot(request)
            .await
            .expect("a router never fails");
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        (status, String::from_utf8(body.to_vec()).expect("UTF-8"))
    }

    #[tokio::test]
    async fn the_demo_answers_the_documented_curl_request() {
        let body = between("-d '", "'");
        let token = between("Authorization: Bearer ", "'");
        let response = between("```json\n//! ", "\n");

        // The documented data is the gopay-phone vector, and matches the demo.
        let file = real_world();
        let v = entry(&file, "decrypts", "gopay-phone");
        let sent: Value = serde_json::from_str(&body).expect("the documented body is JSON");
        assert_eq!(
            sent,
            json!({ "encryptedData": text(v, "encrypted_data"), "iv": text(v, "iv") })
        );
        assert_eq!(token, DEMO_TOKEN);
        assert_eq!(
            (DEMO_APPID, DEMO_SESSION_KEY),
            (text(v, "appid"), text(v, "session_key"))
        );
        assert_eq!(Some(DEMO_WATERMARK_TIME), v["watermark_timestamp"].as_u64());

        let app = demo().await;
        let (status, answer) = send(&app, PHONE_NUMBER_PATH, Some(&token), body).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer, response);
    }

    #[test]
    fn the_readme_shows_the_same_commands_and_answer() {
        let readme = include_str!("../../../README.md");
        let from = readme.find("## A server example").expect("the section");
        let section = &readme[from..];
        let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
        for text in [
            format!("-d '{}'", between("-d '", "'")),
            between("```json\n//! ", "\n"),
            "cargo run --example axum_server".to_owned(),
            r#"-d '{"code":"demo-login-code"}'"#.to_owned(),
            r#"-d '{"code":"demo-phone-code"}'"#.to_owned(),
        ] {
            assert!(section.contains(&text), "README lacks {text}");
        }
    }

    #[tokio::test]
    async fn the_demo_logs_in_with_its_code_and_answers_both_flows() {
        assert!(include_str!("axum_server.rs").contains(r#"-d '{"code":"demo-login-code"}'"#));
        assert!(include_str!("axum_server.rs").contains(r#"-d '{"code":"demo-phone-code"}'"#));
        let app = demo().await;
        let login = json!({ "code": DEMO_LOGIN_CODE }).to_string();
        let (status, answer) = send(&app, LOGIN_PATH, None, login).await;
        assert_eq!(status, StatusCode::OK);
        let answer: Value = serde_json::from_str(&answer).expect("JSON");
        let token = answer["token"].as_str().expect("a token").to_owned();
        assert_eq!(token.len(), 64);

        let body = between("-d '", "'");
        let (status, _) = send(&app, PHONE_NUMBER_PATH, Some(&token), body).await;
        assert_eq!(status, StatusCode::OK);
        let code = json!({ "code": DEMO_PHONE_CODE }).to_string();
        let (status, answer) = send(&app, PHONE_BY_CODE_PATH, Some(&token), code).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            answer,
            r#"{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86","watermark":{"appid":"wxdaa2ab9ef87b5497","timestamp":1558787160}}"#
        );
    }
}
