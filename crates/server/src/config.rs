//! The server's settings: the mini program's credentials, where WeChat's API
//! is, how long sessions and replaced keys live, and the failure budget.

use std::fmt;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::store::Lifetimes;

/// WeChat's API, where a production server sends its requests.
pub const DEFAULT_WECHAT_BASE_URL: &str = "https://api.weixin.qq.com";

/// How long a session (its token and its key) lives without a new login:
/// one day.
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// How long a key replaced by a re-login is still tried: two minutes, the
/// time a button callback already under way needs to post its data.
pub const DEFAULT_PREVIOUS_KEY_WINDOW: Duration = Duration::from_secs(120);

/// How many failed decryptions a session's keys may see before they are
/// dropped and the client must call `wx.login` again.
///
/// Every known way of learning about a plaintext through timing or errors
/// (the padding and parse-timing oracles of issue 14) needs many failed
/// decryptions under one key; five leaves an honest client room for the
/// `wx.login` race and a retry, and an attacker a handful of queries.
pub const DEFAULT_FAILURE_BUDGET: u32 = 5;

/// The server's settings. `Debug` shows everything but the app secret.
#[derive(Clone)]
pub struct Config {
    appid: String,
    secret: Zeroizing<String>,
    wechat_base_url: String,
    session_ttl: Duration,
    previous_key_window: Duration,
    failure_budget: u32,
}

impl Config {
    /// Settings for the mini program `appid` with its app secret: WeChat's
    /// API at [`DEFAULT_WECHAT_BASE_URL`], sessions of
    /// [`DEFAULT_SESSION_TTL`], replaced keys tried for
    /// [`DEFAULT_PREVIOUS_KEY_WINDOW`], a failure budget of
    /// [`DEFAULT_FAILURE_BUDGET`].
    #[must_use]
    pub fn new(appid: &str, secret: &str) -> Self {
        Self {
            appid: appid.to_owned(),
            secret: Zeroizing::new(secret.to_owned()),
            wechat_base_url: DEFAULT_WECHAT_BASE_URL.to_owned(),
            session_ttl: DEFAULT_SESSION_TTL,
            previous_key_window: DEFAULT_PREVIOUS_KEY_WINDOW,
            failure_budget: DEFAULT_FAILURE_BUDGET,
        }
    }

    /// The same settings with WeChat's API at `base_url` (scheme and host,
    /// no trailing slash), such as a fake on loopback.
    #[must_use]
    pub fn with_wechat_base_url(self, base_url: &str) -> Self {
        Self {
            wechat_base_url: base_url.trim_end_matches('/').to_owned(),
            ..self
        }
    }

    /// The same settings with another session lifetime.
    #[must_use]
    pub fn with_session_ttl(self, session_ttl: Duration) -> Self {
        Self {
            session_ttl,
            ..self
        }
    }

    /// The same settings with another window for the previous key (zero:
    /// a re-login forgets the replaced key at once).
    #[must_use]
    pub fn with_previous_key_window(self, previous_key_window: Duration) -> Self {
        Self {
            previous_key_window,
            ..self
        }
    }

    /// The same settings with another failure budget (at least 1).
    #[must_use]
    pub fn with_failure_budget(self, failure_budget: u32) -> Self {
        Self {
            failure_budget: failure_budget.max(1),
            ..self
        }
    }

    /// The mini program's appid.
    #[must_use]
    pub fn appid(&self) -> &str {
        &self.appid
    }

    /// The app secret.
    #[must_use]
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Where WeChat's API is.
    #[must_use]
    pub fn wechat_base_url(&self) -> &str {
        &self.wechat_base_url
    }

    /// How long a session lives without a new login.
    #[must_use]
    pub const fn session_ttl(&self) -> Duration {
        self.session_ttl
    }

    /// How long a replaced key is still tried.
    #[must_use]
    pub const fn previous_key_window(&self) -> Duration {
        self.previous_key_window
    }

    /// The lifetimes a store needs.
    #[must_use]
    pub const fn lifetimes(&self) -> Lifetimes {
        Lifetimes {
            session: self.session_ttl,
            previous_key: self.previous_key_window,
        }
    }

    /// How many failed decryptions a session's keys may see.
    #[must_use]
    pub const fn failure_budget(&self) -> u32 {
        self.failure_budget
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("appid", &self.appid)
            .field("secret", &format_args!("[redacted]"))
            .field("wechat_base_url", &self.wechat_base_url)
            .field("session_ttl", &self.session_ttl)
            .field("previous_key_window", &self.previous_key_window)
            .field("failure_budget", &self.failure_budget)
            .finish()
    }
}
