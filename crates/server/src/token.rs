//! Session tokens and the digests that stand for them (and for openids) in a
//! store.

use std::fmt;
use std::fmt::Write as _;

use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

/// A new session's bearer token: 32 bytes from the operating system's
/// random source, as 64 lowercase hex digits. `Debug` redacts it.
pub struct SessionToken(Zeroizing<String>);

impl SessionToken {
    /// A fresh token.
    ///
    /// # Errors
    /// [`getrandom::Error`] when the operating system gives no random bytes.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut bytes[..])?;
        Ok(Self(Zeroizing::new(hex(&bytes[..]))))
    }

    /// The token, to hand to the client once.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the store keeps instead of the token.
    #[must_use]
    pub fn digest(&self) -> TokenDigest {
        TokenDigest::of(&self.0)
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

/// The SHA-256 of a bearer token, in hex: a store that leaks yields no
/// usable token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenDigest(String);

impl TokenDigest {
    /// The digest of the token a client presented.
    #[must_use]
    pub fn of(token: &str) -> Self {
        Self(hex(&Sha256::digest(token.as_bytes())))
    }

    /// The digest's 64 hex digits.
    #[must_use]
    pub fn as_hex(&self) -> &str {
        &self.0
    }
}

/// The SHA-256 of a user's openid, in hex: what a store files a user's keys
/// under, so that it holds no identifier of a person in the clear.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserDigest(String);

impl UserDigest {
    /// The digest of the openid `code2session` returned.
    #[must_use]
    pub fn of_openid(openid: &str) -> Self {
        Self(hex(&Sha256::digest(openid.as_bytes())))
    }

    /// A digest read back from a store, if it is 64 lowercase hex digits.
    #[must_use]
    pub fn from_hex(text: &str) -> Option<Self> {
        let valid =
            text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| Self(text.to_owned()))
    }

    /// The digest's 64 hex digits.
    #[must_use]
    pub fn as_hex(&self) -> &str {
        &self.0
    }
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(2 * bytes.len());
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}
