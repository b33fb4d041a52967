//! The bench fixtures (`crates/wxdecrypt/benches/fixtures/*.json`, described
//! in the README there): one payload each, as a server receives it, for the
//! criterion bench, the measuring programs and the tests that count
//! allocations or run threads.

use std::path::Path;

/// Where the bench fixtures live: beside the library's criterion bench.
pub const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../wxdecrypt/benches/fixtures");

/// One payload: the inputs as a server receives them, and a clock under
/// which its watermark is valid.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Fixture {
    /// The mini program's appid, as the watermark names it.
    pub appid: String,
    /// The `session_key`, base64.
    pub session_key: String,
    /// The `iv`, base64.
    pub iv: String,
    /// The `encryptedData`, base64.
    pub encrypted_data: String,
    /// A Unix time in seconds at which the watermark is fresh.
    pub now: u64,
}

impl Fixture {
    /// Reads the fixture at `path`.
    ///
    /// # Errors
    /// The I/O or JSON error, as text.
    pub fn read(path: impl AsRef<Path>) -> Result<Self, String> {
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    }

    /// Reads the bench fixture `NAME` (`phone`, `user-info`, `werun-31`).
    ///
    /// # Errors
    /// As [`Fixture::read`].
    pub fn named(name: &str) -> Result<Self, String> {
        Self::read(format!("{DIR}/{name}.json"))
    }
}

/// The bench fixture `NAME`, for tests and benches.
///
/// # Panics
/// If it cannot be read.
#[must_use]
pub fn load(name: &str) -> Fixture {
    Fixture::named(name).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::{Fixture, load};

    #[test]
    fn every_fixture_loads() {
        for name in ["phone", "user-info", "werun-31"] {
            let fixture = load(name);
            assert!(fixture.appid.starts_with("wx"), "{name}");
            assert!(fixture.now > 0, "{name}");
        }
        assert!(Fixture::named("no-such-fixture").is_err());
    }
}
