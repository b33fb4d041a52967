//! An axum service for the legacy `getPhoneNumber` button: the mini program
//! posts the button event's `encryptedData` and `iv`, the server looks up the
//! user's `session_key` by session token and answers with the verified phone
//! number.
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
//! The flow it serves:
//!
//! 1. The mini program calls `wx.login` and sends the `code` to your login
//!    endpoint, which calls `code2session` (this needs your app secret and an
//!    HTTP client, so it is not shown here), creates a random session token
//!    (32 bytes from the OS's CSPRNG), stores token → `session_key` and
//!    returns the token. The demo seeds one such session instead.
//! 2. The user taps `<button open-type="getPhoneNumber">`; the callback posts
//!    `e.detail` (or just its `encryptedData` and `iv`) as JSON with
//!    `Authorization: Bearer <token>`.
//!
//! Responses, each with a fixed JSON body (see `app.rs`):
//!
//! | status | when |
//! |---|---|
//! | 200 | the phone JSON, with the field names of `wxdecrypt phone` |
//! | 400 `cannot_decrypt` | any `wxdecrypt::Error`: bad base64, a stale key, bad padding, bad JSON, another appid, an old watermark; one and the same response |
//! | 400, 415, 422 `invalid_request` | the body is not JSON with `encryptedData` and `iv` strings |
//! | 401 `invalid_session` | no `Authorization: Bearer` token, or an unknown one (checked before the body is read) |
//! | 413 `payload_too_large` | a body over 16 KiB |
//! | 503 `session_store_unavailable` | the session store failed |
//!
//! The log gets one line per request: its number and what happened (for a
//! refused decryption, only the error's stage), never a token, key, body or
//! phone number. What a production deployment adds: TLS in front, a
//! timeout layer, and a limit on `cannot_decrypt` responses per session (the
//! crate's README explains why).
//!
//! The demo data is the `gopay-phone` vector of `tests/vectors/real-world.json`,
//! real data from go-pay's tests, made in 2019: the demo freezes its clock a
//! minute after the watermark. A real server uses [`AppState::new`], whose
//! clock is the system's.

mod app;
mod store;
#[cfg(test)]
mod tests;

use std::io::Write as _;
use std::net::Ipv4Addr;
use std::process::ExitCode;

use wxdecrypt::{UnixTime, Validation};
use zeroize::Zeroizing;

use app::{AppState, Clock, PHONE_NUMBER_PATH, router};
use store::MemoryStore;

/// The port used when `PORT` is not set.
const DEFAULT_PORT: u16 = 3000;
/// The demo session's token (a real one is random and secret).
const DEMO_TOKEN: &str = "demo-session-token";
/// The demo mini program: the appid in the `gopay-phone` watermark.
const DEMO_APPID: &str = "wxdaa2ab9ef87b5497";
/// The `gopay-phone` session key (go-pay/wechat-sdk `mini/mini_test.go`).
const DEMO_SESSION_KEY: &str = "lyY4HPQbaOYzZdG+JcYK9w==";
/// The demo's frozen clock: a minute after the `gopay-phone` watermark
/// (1558787160, 2019-05-25 UTC).
const DEMO_NOW: UnixTime = UnixTime::from_secs(1_558_787_160 + 60);

/// The demo's state: one session, the demo appid, the frozen clock.
fn demo_state() -> AppState<MemoryStore> {
    let store = MemoryStore::default();
    store.insert(DEMO_TOKEN, Zeroizing::new(DEMO_SESSION_KEY.to_owned()));
    AppState::new(store, Validation::new(DEMO_APPID))
        .with_clock(Clock::Fixed(DEMO_NOW))
        .with_log(|line| {
            let _ = writeln!(std::io::stderr().lock(), "axum_server: {line}");
        })
}

#[tokio::main]
async fn main() -> ExitCode {
    let port = match std::env::var("PORT") {
        Err(std::env::VarError::NotPresent) => DEFAULT_PORT,
        Ok(text) => match text.parse::<u16>() {
            Ok(port) => port,
            Err(_) => return fail(format_args!("PORT must be a port number, got {text:?}")),
        },
        Err(std::env::VarError::NotUnicode(_)) => {
            return fail(format_args!("PORT must be a port number"));
        }
    };
    let listener = match tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await {
        Ok(listener) => listener,
        Err(e) => return fail(format_args!("cannot listen on 127.0.0.1:{port}: {e}")),
    };
    let _ = writeln!(
        std::io::stderr().lock(),
        "axum_server: demo on http://127.0.0.1:{port}{PHONE_NUMBER_PATH} \
         (token {DEMO_TOKEN:?}, clock frozen at {})",
        DEMO_NOW.as_secs()
    );
    match axum::serve(listener, router(demo_state())).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format_args!("server stopped: {e}")),
    }
}

/// One line on stderr, then a failing exit status.
fn fail(message: std::fmt::Arguments<'_>) -> ExitCode {
    let _ = writeln!(std::io::stderr().lock(), "axum_server: {message}");
    ExitCode::FAILURE
}
