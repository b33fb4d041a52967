//! Where sessions live: the [`SessionStore`] trait and its two backends,
//! [`MemoryStore`] (one process) and [`RedisStore`] (shared by every
//! instance), plus [`AnyStore`], the one of the two chosen at start-up.
//!
//! A store keeps, per user (filed under the [`UserDigest`] of the openid):
//! the current `session_key`, the previous one for a bounded window after a
//! re-login, and a count of failed decryptions; and, per session token
//! (filed under its [`TokenDigest`]), which user it belongs to. Every entry
//! expires. Keys are kept as the base64 text `code2session` gave, and handed
//! out in [`Zeroizing`] strings.

mod memory;
mod redis;

use std::fmt;
use std::future::Future;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::token::{TokenDigest, UserDigest};

pub use self::memory::MemoryStore;
pub use self::redis::{RedisStore, StoreError};

/// How long entries live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    /// A session token, a user's current key and their failure count: from
    /// the last login (or failure, for the count).
    pub session: Duration,
    /// A key replaced by a re-login: from that re-login.
    pub previous_key: Duration,
}

/// A session's keys, as a lookup by token finds them.
pub struct SessionKeys {
    /// Whose keys they are.
    pub user: UserDigest,
    /// The key of the last login.
    pub current: Zeroizing<String>,
    /// The key the last login replaced, while its window lasts.
    pub previous: Option<Zeroizing<String>>,
}

impl fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionKeys")
            .field("user", &self.user)
            .field("current", &format_args!("[redacted]"))
            .field(
                "previous",
                &format_args!(
                    "{}",
                    if self.previous.is_some() {
                        "Some([redacted])"
                    } else {
                        "None"
                    }
                ),
            )
            .finish()
    }
}

/// How a decryption attempt ended, for [`SessionStore::end_attempt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The data decrypted.
    Decrypted,
    /// It did not: one more failure is counted.
    Failed,
}

/// Where a session stands against its failure budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// The attempt may run (from [`SessionStore::begin_attempt`]: the
    /// number counts the failures so far plus the attempts under way, this
    /// one included), or it ended within the budget (from
    /// [`SessionStore::end_attempt`]: the number is the failures so far).
    Within(u32),
    /// So many attempts are under way that, were they all to fail, the
    /// budget would be overspent: this one must not run. Nothing is dropped;
    /// the client may retry once the others have ended.
    Busy,
    /// The budget is spent: the user's keys (current and previous) and the
    /// counts are gone, and every token of theirs now finds nothing.
    Exhausted,
}

/// Session storage, shared by every request (and, for Redis, by every
/// instance).
///
/// The methods are async because a real store does I/O; their futures are
/// `Send` so that handlers can run on any runtime worker.
pub trait SessionStore: Send + Sync + 'static {
    /// Why the store could not answer. Its `Display` goes to the server
    /// log, so it never holds a token, a key or an openid.
    type Error: fmt::Display + Send + 'static;

    /// Records a login: `session_key` (base64 text) becomes `user`'s
    /// current key, the key it replaces (if another) stays readable for
    /// [`Lifetimes::previous_key`], and `token` now finds `user`. A login
    /// with no live key for `user` starts a fresh failure count.
    fn open(
        &self,
        token: &TokenDigest,
        user: &UserDigest,
        session_key: &str,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// The keys `token` finds, or `None` when the token is unknown or
    /// expired, or its user's keys are gone.
    fn keys(
        &self,
        token: &TokenDigest,
    ) -> impl Future<Output = Result<Option<SessionKeys>, Self::Error>> + Send;

    /// Registers an attempt to decrypt under `user`'s keys, before it
    /// runs. [`Budget::Exhausted`] (keys dropped) when `budget` failures
    /// were already counted; [`Budget::Busy`] when the failures plus the
    /// attempts under way, this one included, would exceed `budget`. So no
    /// burst of concurrent requests can run more failing decryptions than
    /// the budget allows.
    fn begin_attempt(
        &self,
        user: &UserDigest,
        budget: u32,
    ) -> impl Future<Output = Result<Budget, Self::Error>> + Send;

    /// Ends an attempt that [`begin_attempt`](Self::begin_attempt) let
    /// run. A failure is counted and, when it makes `budget` failures, the
    /// keys are dropped ([`Budget::Exhausted`]).
    fn end_attempt(
        &self,
        user: &UserDigest,
        outcome: Outcome,
        budget: u32,
    ) -> impl Future<Output = Result<Budget, Self::Error>> + Send;
}

/// The store chosen at start-up: in memory by default, Redis when
/// `REDIS_URL` is set.
#[derive(Debug)]
pub enum AnyStore {
    /// [`MemoryStore`].
    Memory(MemoryStore),
    /// [`RedisStore`].
    Redis(RedisStore),
}

impl SessionStore for AnyStore {
    type Error = StoreError;

    async fn open(
        &self,
        token: &TokenDigest,
        user: &UserDigest,
        session_key: &str,
    ) -> Result<(), StoreError> {
        match self {
            Self::Memory(store) => {
                into_ok(store.open(token, user, session_key).await);
                Ok(())
            }
            Self::Redis(store) => store.open(token, user, session_key).await,
        }
    }

    async fn keys(&self, token: &TokenDigest) -> Result<Option<SessionKeys>, StoreError> {
        match self {
            Self::Memory(store) => Ok(into_ok(store.keys(token).await)),
            Self::Redis(store) => store.keys(token).await,
        }
    }

    async fn begin_attempt(&self, user: &UserDigest, budget: u32) -> Result<Budget, StoreError> {
        match self {
            Self::Memory(store) => Ok(into_ok(store.begin_attempt(user, budget).await)),
            Self::Redis(store) => store.begin_attempt(user, budget).await,
        }
    }

    async fn end_attempt(
        &self,
        user: &UserDigest,
        outcome: Outcome,
        budget: u32,
    ) -> Result<Budget, StoreError> {
        match self {
            Self::Memory(store) => Ok(into_ok(store.end_attempt(user, outcome, budget).await)),
            Self::Redis(store) => store.end_attempt(user, outcome, budget).await,
        }
    }
}

/// The value of a result that cannot be an error.
fn into_ok<T>(result: Result<T, std::convert::Infallible>) -> T {
    match result {
        Ok(value) => value,
        Err(never) => match never {},
    }
}
