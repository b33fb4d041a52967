//! The reference server for `wxdecrypt`: what a mini program's backend runs
//! to turn WeChat's login and phone number button into a verified phone
//! number, on several instances behind a load balancer.
//!
//! - [`router`] serves three routes: `POST /api/login` (the `wx.login` code
//!   through `code2session`), `POST /api/phone-number` (the legacy button's
//!   `encryptedData` and `iv`, decrypted with the session's current key or,
//!   within a bounded window after a re-login, the previous one), and
//!   `POST /api/phone-number-by-code` (the newer button's code through
//!   `getuserphonenumber`, with a cached, single-flight access token).
//! - [`store`] keeps the sessions: [`MemoryStore`] for one instance and
//!   tests, [`RedisStore`] for several instances; every key expires, tokens
//!   and openids are stored as their SHA-256.
//! - [`wechat`] is the client of WeChat's API (reqwest over rustls), its
//!   base URL configurable; [`fake_wechat`] is a stand-in for that API on
//!   loopback, for tests, the demo and the load script.
//!
//! The example `axum_server` (`cargo run --example axum_server`) wires them
//! from the environment; the repository's README shows how.

mod app;
mod config;
pub mod fake_wechat;
mod refusal;
pub mod store;
mod token;
pub mod wechat;

pub use app::{
    AppState, Clock, LOGIN_PATH, Log, MAX_BODY_BYTES, PHONE_BY_CODE_PATH, PHONE_NUMBER_PATH, router,
};
pub use config::{
    Config, DEFAULT_FAILURE_BUDGET, DEFAULT_PREVIOUS_KEY_WINDOW, DEFAULT_SESSION_TTL,
    DEFAULT_WECHAT_BASE_URL,
};
pub use refusal::Refusal;
pub use store::{
    AnyStore, Budget, Lifetimes, MemoryStore, Outcome, RedisStore, SessionKeys, SessionStore,
    StoreError,
};
pub use token::{SessionToken, TokenDigest, UserDigest};
pub use wechat::WeChat;
