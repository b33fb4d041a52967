//! Stage-by-stage entry points for `benches/decrypt.rs`: not part of the
//! API, and only built with `--cfg wxdecrypt_bench_internals` in RUSTFLAGS,
//! never through a feature, because one of them reports whether a padding
//! is valid.

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
