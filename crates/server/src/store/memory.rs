//! [`MemoryStore`]: sessions in process memory, for one instance, the demo
//! and tests. Same behaviour as the Redis store, expiry included.

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use zeroize::Zeroizing;

use super::{Budget, Lifetimes, Outcome, SessionKeys, SessionStore};
use crate::token::{TokenDigest, UserDigest};

/// Expired entries are swept every this many logins, so that memory stays
/// bounded by the sessions of one lifetime.
const SWEEP_EVERY: u64 = 256;

/// A [`SessionStore`] in process memory.
///
/// Keys live in [`Zeroizing`] strings, wiped when replaced, expired or
/// dropped. `Debug` shows only how many users and tokens it holds.
pub struct MemoryStore {
    lifetimes: Lifetimes,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    tokens: HashMap<TokenDigest, (UserDigest, Instant)>,
    users: HashMap<UserDigest, User>,
    logins: u64,
}

/// One user's keys and failure count, each with its deadline.
struct User {
    current: Zeroizing<String>,
    current_until: Instant,
    previous: Option<(Zeroizing<String>, Instant)>,
    failures: u32,
    under_way: u32,
}

impl MemoryStore {
    /// An empty store whose entries live as long as `lifetimes` says.
    #[must_use]
    pub fn new(lifetimes: Lifetimes) -> Self {
        Self {
            lifetimes,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every write leaves the maps consistent, so a lock poisoned by a
        // panicking thread is still usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inner {
    fn sweep(&mut self, now: Instant) {
        self.tokens.retain(|_, (_, until)| *until > now);
        self.users.retain(|_, user| user.current_until > now);
    }
}

impl SessionStore for MemoryStore {
    type Error = Infallible;

    async fn open(
        &self,
        token: &TokenDigest,
        user: &UserDigest,
        session_key: &str,
    ) -> Result<(), Infallible> {
        let now = Instant::now();
        let session_until = now + self.lifetimes.session;
        let mut inner = self.lock();
        inner.logins += 1;
        if inner.logins.is_multiple_of(SWEEP_EVERY) {
            inner.sweep(now);
        }
        let new_key = Zeroizing::new(session_key.to_owned());
        let replaced = inner
            .users
            .remove(user)
            .filter(|old| old.current_until > now);
        let record = match replaced {
            Some(mut old) if *old.current == *new_key => {
                old.current_until = session_until;
                old
            }
            Some(old) => User {
                previous: Some((old.current, now + self.lifetimes.previous_key)),
                current: new_key,
                current_until: session_until,
                failures: old.failures,
                under_way: old.under_way,
            },
            None => User {
                current: new_key,
                current_until: session_until,
                previous: None,
                failures: 0,
                under_way: 0,
            },
        };
        inner.users.insert(user.clone(), record);
        inner
            .tokens
            .insert(token.clone(), (user.clone(), session_until));
        Ok(())
    }

    async fn keys(&self, token: &TokenDigest) -> Result<Option<SessionKeys>, Infallible> {
        let now = Instant::now();
        let inner = self.lock();
        let Some((user, until)) = inner.tokens.get(token) else {
            return Ok(None);
        };
        if *until <= now {
            return Ok(None);
        }
        let Some(record) = inner.users.get(user).filter(|r| r.current_until > now) else {
            return Ok(None);
        };
        Ok(Some(SessionKeys {
            user: user.clone(),
            current: record.current.clone(),
            previous: record
                .previous
                .as_ref()
                .filter(|(_, until)| *until > now)
                .map(|(key, _)| key.clone()),
        }))
    }

    async fn begin_attempt(&self, user: &UserDigest, budget: u32) -> Result<Budget, Infallible> {
        let mut inner = self.lock();
        let Some(record) = inner.users.get_mut(user) else {
            return Ok(Budget::Exhausted);
        };
        if record.failures >= budget {
            inner.users.remove(user);
            return Ok(Budget::Exhausted);
        }
        let taken = record.failures + record.under_way + 1;
        if taken > budget {
            return Ok(Budget::Busy);
        }
        record.under_way += 1;
        Ok(Budget::Within(taken))
    }

    async fn end_attempt(
        &self,
        user: &UserDigest,
        outcome: Outcome,
        budget: u32,
    ) -> Result<Budget, Infallible> {
        let mut inner = self.lock();
        let Some(record) = inner.users.get_mut(user) else {
            return Ok(Budget::Exhausted);
        };
        record.under_way = record.under_way.saturating_sub(1);
        if outcome == Outcome::Failed {
            record.failures = record.failures.saturating_add(1);
            if record.failures >= budget {
                inner.users.remove(user);
                return Ok(Budget::Exhausted);
            }
        }
        Ok(Budget::Within(record.failures))
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.lock();
        f.debug_struct("MemoryStore")
            .field("users", &inner.users.len())
            .field("tokens", &inner.tokens.len())
            .finish_non_exhaustive()
    }
}
