//! [`RedisStore`]: sessions in Redis, shared by every instance, through the
//! `redis` crate's reconnecting [`ConnectionManager`].
//!
//! The entries, each with an expiry (`PX`), under a configurable prefix:
//!
//! | key | value | lives |
//! |---|---|---|
//! | `{prefix}:tok:{sha256(token)}` | the user's digest | the session |
//! | `{prefix}:u:{sha256(openid)}:cur` | the current key (base64) | the session |
//! | `{prefix}:u:{sha256(openid)}:prev` | the replaced key | the previous-key window |
//! | `{prefix}:u:{sha256(openid)}:fail` | failed decryptions | the session, from the last failure |
//! | `{prefix}:u:{sha256(openid)}:busy` | decryptions under way | 30 s, from the last start |
//!
//! A user's four keys share a hash tag (the digest in braces), so they sit
//! in one slot of a Redis Cluster and one `MGET` or `DEL` reaches them all.

use std::fmt;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands as _, RedisError};
use zeroize::Zeroizing;

use super::{Budget, Lifetimes, Outcome, SessionKeys, SessionStore};
use crate::token::{TokenDigest, UserDigest};

/// The longest any one store operation may take before the request gets a
/// 503: Redis answers on loopback or a LAN in well under a millisecond.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(1);

/// How long a count of attempts under way outlives its last attempt: an
/// attempt takes microseconds, so this only matters when an instance died
/// between the start and the end of one (its slot is then freed after this
/// long, rather than held for the session's lifetime).
const UNDER_WAY_TTL_MS: i64 = 30_000;

/// Decrements `KEYS[1]` when it exists (`DECR` keeps its expiry).
const DECR_IF_EXISTS: &str =
    "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECR', KEYS[1]) end return 0";

/// Why Redis could not answer, in a few fixed words: never a command, an
/// argument or a reply, so never a token or a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreError(&'static str);

impl StoreError {
    fn from_redis(error: &RedisError) -> Self {
        Self(if error.is_timeout() {
            "redis timed out"
        } else if error.is_connection_refusal() {
            "redis refused the connection"
        } else if error.is_io_error() || error.is_connection_dropped() {
            "redis connection lost"
        } else {
            "redis command failed"
        })
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for StoreError {}

/// A [`SessionStore`] in Redis. Cloning it shares the connection.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    lifetimes: Lifetimes,
}

impl RedisStore {
    /// Connects to the Redis at `url` (`redis://host:port/db`), filing
    /// entries under `prefix`.
    ///
    /// # Errors
    /// [`StoreError`] when the URL is not a Redis URL or the server cannot
    /// be reached now; once connected, a lost connection is re-established
    /// in the background and only the requests made meanwhile fail.
    pub async fn connect(
        url: &str,
        prefix: &str,
        lifetimes: Lifetimes,
    ) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(|_| StoreError("not a redis URL"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(500)))
            .set_response_timeout(Some(OPERATION_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| StoreError::from_redis(&e))?;
        Ok(Self {
            connection,
            prefix: prefix.to_owned(),
            lifetimes,
        })
    }

    fn token_key(&self, token: &TokenDigest) -> String {
        format!("{}:tok:{}", self.prefix, token.as_hex())
    }

    fn user_key(&self, user: &UserDigest, field: &str) -> String {
        format!("{}:u:{{{}}}:{field}", self.prefix, user.as_hex())
    }
}

/// Milliseconds for `PX`, at least 1 (Redis refuses 0).
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// Runs one Redis exchange with [`OPERATION_TIMEOUT`].
async fn bounded<T>(
    exchange: impl Future<Output = Result<T, RedisError>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(OPERATION_TIMEOUT, exchange).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(StoreError::from_redis(&error)),
        Err(_) => Err(StoreError("redis timed out")),
    }
}

impl SessionStore for RedisStore {
    type Error = StoreError;

    async fn open(
        &self,
        token: &TokenDigest,
        user: &UserDigest,
        session_key: &str,
    ) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        let session_ms = millis(self.lifetimes.session);
        // SET ... GET swaps the key in and hands back the one it replaced.
        let replaced: Option<String> = bounded(
            redis::cmd("SET")
                .arg(self.user_key(user, "cur"))
                .arg(session_key)
                .arg("PX")
                .arg(session_ms)
                .arg("GET")
                .query_async(&mut connection),
        )
        .await?;
        let replaced = replaced.map(Zeroizing::new);
        let mut pipe = redis::pipe();
        pipe.atomic();
        match replaced.as_deref() {
            Some(old) if old.as_str() != session_key => {
                let window = self.lifetimes.previous_key;
                if window.is_zero() {
                    pipe.del(self.user_key(user, "prev")).ignore();
                } else {
                    pipe.cmd("SET")
                        .arg(self.user_key(user, "prev"))
                        .arg(old.as_str())
                        .arg("PX")
                        .arg(millis(window))
                        .ignore();
                }
            }
            Some(_) => {}
            None => {
                // A fresh session: no previous key, no failures carried over.
                pipe.del(&[
                    self.user_key(user, "prev"),
                    self.user_key(user, "fail"),
                    self.user_key(user, "busy"),
                ])
                .ignore();
            }
        }
        pipe.cmd("SET")
            .arg(self.token_key(token))
            .arg(user.as_hex())
            .arg("PX")
            .arg(session_ms)
            .ignore();
        bounded(pipe.query_async::<()>(&mut connection)).await
    }

    async fn keys(&self, token: &TokenDigest) -> Result<Option<SessionKeys>, StoreError> {
        let mut connection = self.connection.clone();
        let user: Option<String> = bounded(connection.get(self.token_key(token))).await?;
        let Some(user) = user.as_deref().and_then(UserDigest::from_hex) else {
            return Ok(None);
        };
        let (current, previous): (Option<String>, Option<String>) = bounded(
            redis::cmd("MGET")
                .arg(self.user_key(&user, "cur"))
                .arg(self.user_key(&user, "prev"))
                .query_async(&mut connection),
        )
        .await?;
        Ok(current.map(|current| SessionKeys {
            user,
            current: Zeroizing::new(current),
            previous: previous.map(Zeroizing::new),
        }))
    }

    async fn begin_attempt(&self, user: &UserDigest, budget: u32) -> Result<Budget, StoreError> {
        let mut connection = self.connection.clone();
        let busy = self.user_key(user, "busy");
        let (under_way, failures, live): (u64, Option<u64>, bool) = bounded(
            redis::pipe()
                .atomic()
                .incr(&busy, 1)
                .pexpire(&busy, UNDER_WAY_TTL_MS)
                .ignore()
                .get(self.user_key(user, "fail"))
                .exists(self.user_key(user, "cur"))
                .query_async(&mut connection),
        )
        .await?;
        let failures = failures.unwrap_or(0);
        // Keys dropped since this request read them: it must not decrypt
        // with its copy, and the counts it just created must go too.
        if !live || failures >= u64::from(budget) {
            self.drop_keys(user).await?;
            return Ok(Budget::Exhausted);
        }
        let taken = failures.saturating_add(under_way);
        if taken > u64::from(budget) {
            bounded(
                self.decrement_under_way(user)
                    .query_async::<()>(&mut connection),
            )
            .await?;
            return Ok(Budget::Busy);
        }
        Ok(Budget::Within(u32::try_from(taken).unwrap_or(budget)))
    }

    async fn end_attempt(
        &self,
        user: &UserDigest,
        outcome: Outcome,
        budget: u32,
    ) -> Result<Budget, StoreError> {
        let mut connection = self.connection.clone();
        let fail = self.user_key(user, "fail");
        let mut pipe = redis::pipe();
        pipe.atomic()
            .add_command(self.decrement_under_way(user))
            .ignore();
        if outcome == Outcome::Failed {
            let session_ms = i64::try_from(millis(self.lifetimes.session)).unwrap_or(i64::MAX);
            pipe.incr(&fail, 1).pexpire(&fail, session_ms).ignore();
        } else {
            pipe.get(&fail);
        }
        let (failures,): (Option<u64>,) = bounded(pipe.query_async(&mut connection)).await?;
        let failures = failures.unwrap_or(0);
        if failures >= u64::from(budget) {
            self.drop_keys(user).await?;
            return Ok(Budget::Exhausted);
        }
        Ok(Budget::Within(u32::try_from(failures).unwrap_or(budget)))
    }
}

impl RedisStore {
    /// Decrements `user`'s count of attempts under way, if it still exists:
    /// the keys may have been dropped meanwhile, and a count must never be
    /// created without its expiry (`DECR` keeps the expiry it has).
    fn decrement_under_way(&self, user: &UserDigest) -> redis::Cmd {
        let mut command = redis::cmd("EVAL");
        command
            .arg(DECR_IF_EXISTS)
            .arg(1)
            .arg(self.user_key(user, "busy"));
        command
    }

    /// Deletes `user`'s keys and counts.
    async fn drop_keys(&self, user: &UserDigest) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        let keys = [
            self.user_key(user, "cur"),
            self.user_key(user, "prev"),
            self.user_key(user, "fail"),
            self.user_key(user, "busy"),
        ];
        bounded(connection.del::<_, ()>(&keys)).await
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("lifetimes", &self.lifetimes)
            .finish_non_exhaustive()
    }
}
