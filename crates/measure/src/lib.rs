//! Measurement programs for `wxdecrypt` (see `examples/` and BENCHMARKS.md);
//! this library holds what they share: the bench fixture format.

use std::path::Path;

/// One bench payload (`crates/wxdecrypt/benches/fixtures/*.json`): the inputs
/// as a server receives them, and a clock under which its watermark is valid.
#[derive(Debug, serde::Deserialize)]
pub struct Fixture {
    /// The mini program's appid, as the watermark names it.
    pub appid: String,
    /// The `session_key`, base64.
    pub session_key: String,
    /// The `iv`, base64.
    pub iv: String,
    /// The `encryptedData`, base64.
    pub encrypted_data: String,
    /// A Unix time at which the watermark is fresh.
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
        Self::read(format!("{FIXTURES}/{name}.json"))
    }
}

/// Where the bench fixtures live: beside the library's criterion bench.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../wxdecrypt/benches/fixtures");
