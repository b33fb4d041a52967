//! Where the server keeps each user's `session_key`, found by the opaque
//! session token its own login endpoint handed out.

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::future::{self, Future};
use std::sync::{PoisonError, RwLock};

use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

/// Maps a session token to the `session_key` that `code2session` returned
/// when that session was opened.
///
/// The token is this server's own bearer credential, issued by its login
/// endpoint (random, unguessable); never the openid, which is stable and
/// known to other services. The key comes back as its base64 text, the form
/// `code2session` gives it and a Redis or SQL store keeps; the caller parses
/// it with [`wxdecrypt::SessionKey::from_base64`].
///
/// The trait is async because a real store does I/O: a synchronous Redis
/// call would block a runtime worker thread for a network round trip on
/// every request. The futures must be `Send` so that handlers can run on
/// any worker. An in-memory store simply returns a ready future.
pub(crate) trait SessionStore: Send + Sync + 'static {
    /// Why a lookup could not be answered (the store is down, a timeout).
    /// Its `Display` text goes to the server log, so it must never contain
    /// a token or a key.
    type Error: fmt::Display + Send;

    /// The base64 `session_key` stored for `token`, or `None` when the
    /// token is unknown or its session has ended.
    fn session_key(
        &self,
        token: &str,
    ) -> impl Future<Output = Result<Option<Zeroizing<String>>, Self::Error>> + Send;
}

/// A [`SessionStore`] in process memory, for one server instance and tests.
///
/// Tokens are kept as their SHA-256, so that a memory dump yields no usable
/// bearer token (and a lookup's timing can only reveal something about a
/// digest, not about a token); keys are kept in [`Zeroizing`] strings, wiped when a
/// session is replaced or the store dropped. `Debug` shows only how many
/// sessions it holds.
#[derive(Default)]
pub(crate) struct MemoryStore {
    sessions: RwLock<HashMap<[u8; 32], Zeroizing<String>>>,
}

impl MemoryStore {
    /// Records the session opened by a login: `token` is what the client
    /// will send, `session_key` the base64 text from `code2session`. A later
    /// login under the same token replaces the key.
    pub(crate) fn insert(&self, token: &str, session_key: Zeroizing<String>) {
        // A panic while the lock was held cannot leave the map half-written
        // (every write is one `insert`), so a poisoned lock is still usable.
        self.sessions
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(token_digest(token), session_key);
    }
}

impl SessionStore for MemoryStore {
    type Error = Infallible;

    fn session_key(
        &self,
        token: &str,
    ) -> impl Future<Output = Result<Option<Zeroizing<String>>, Infallible>> + Send {
        let found = self
            .sessions
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&token_digest(token))
            .cloned();
        future::ready(Ok(found))
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self
            .sessions
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("MemoryStore")
            .field("sessions", &len)
            .finish()
    }
}

/// The map key for a token: its SHA-256.
fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}
