#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

// The decrypt path, in the order the data flows: input text -> key, iv and
// ciphertext -> plaintext -> JSON -> watermark check -> typed payload.
mod cipher;
mod decrypt;
mod error;
mod hex;
mod input;
mod json;
mod payload;
mod session;
mod validation;

// For secondary audiences: the HTTP helpers of the newer flows, and the
// offline diagnosis (a padding oracle, never for a server's responses).
pub mod api;
pub mod diagnose;

// ----- Inputs -----
pub use input::{EncryptedData, InputParser, Iv, SessionKey};

// ----- Decrypting -----
pub use decrypt::{decrypt_at, decrypt_raw_at};
pub use session::{MAX_CANDIDATE_KEYS, decrypt_with_keys_at, verify_raw_data};
// The twins that read the system clock: not on a target that has none.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub use {decrypt::decrypt, decrypt::decrypt_raw, session::decrypt_with_keys};

// ----- Payloads -----
pub use payload::{
    Decrypted, Gender, GroupEnterInfo, PhoneNumber, RawPayload, ShareInfo, StepInfo, UserInfo,
    WeRunData,
};

// ----- Validation and time -----
pub use validation::{UnixTime, Validation, Watermark};

// ----- Errors -----
pub use error::{Damage, Error, Field, Stage};

/// Stage-by-stage entry points for the benchmarks; not part of the API, and
/// only built with `--cfg wxdecrypt_bench_internals` in RUSTFLAGS, never
/// through a feature (one entry point reports padding validity).
#[cfg(wxdecrypt_bench_internals)]
#[doc(hidden)]
pub mod bench_internals {
    use std::borrow::Cow;

    use crate::{EncryptedData, Error, Iv, SessionKey, UnixTime, Validation};

    /// Base64-decodes the ciphertext into `out`.
    ///
    /// # Errors
    /// As decryption does for bad base64.
    pub fn decode(data: &EncryptedData<'_>, out: &mut [u8]) -> Result<(), Error> {
        data.decode_into(out)
    }

    /// AES-128-CBC in place and the constant-time padding check.
    #[must_use]
    pub fn decrypt_in_place(key: &SessionKey, iv: &Iv, buf: &mut [u8]) -> Option<usize> {
        crate::cipher::decrypt_in_place(key.expose(), iv.as_bytes(), buf).ok()
    }

    /// The JSON pass: payload and watermark.
    #[must_use]
    pub fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Option<(T, Option<u64>)> {
        crate::json::parse::<T>(text)
            .ok()
            .map(|(payload, mark)| (payload, mark.map(|m| m.timestamp)))
    }

    /// The watermark check alone.
    ///
    /// # Errors
    /// As the validation does.
    pub fn validate(
        validation: &Validation,
        appid: &str,
        timestamp: u64,
        now: UnixTime,
    ) -> Result<(), Error> {
        let mark = crate::validation::WatermarkRef {
            appid: Cow::Borrowed(appid),
            timestamp,
        };
        validation.check(Some(&mark), now).map(drop)
    }
}
