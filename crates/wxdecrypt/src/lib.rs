#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod api;
mod cipher;
mod decrypt;
mod diagnose;
mod error;
mod input;
mod json;
mod payload;
mod session;
mod validation;

pub use api::{
    AccessToken, ApiError, AppSecret, Argument, AuthingConnection, Code2Session,
    DEFAULT_MAX_RESPONSE_LEN, HttpRequest, Malformed, Method, PhoneResponse, PhoneResponseParser,
    RequestError, ResponseKind, parse_code2session,
};
pub use decrypt::{decrypt, decrypt_at, decrypt_raw, decrypt_raw_at};
pub use diagnose::{
    DiagnoseInput, DiagnoseOptions, Diagnosis, DiagnosisStage, Finding, JsonProblem, LengthHint,
    MemberNames, PayloadKind, SeenWatermark, diagnose,
};
pub use error::{Damage, Error, Field, Stage};
pub use input::{DEFAULT_MAX_ENCRYPTED_DATA_LEN, EncryptedData, InputParser, Iv, SessionKey};
pub use payload::{
    Decrypted, Gender, GroupEnterInfo, PhoneNumber, RawPayload, ShareInfo, StepInfo, UserInfo,
    WeRunData,
};
pub use session::{
    MAX_CANDIDATE_KEYS, checksession_signature, decrypt_with_keys, decrypt_with_keys_at,
    encrypted_msg_hash, session_signature, verify_raw_data,
};
pub use validation::{DEFAULT_LEEWAY_SECS, DEFAULT_MAX_AGE_SECS, UnixTime, Validation, Watermark};

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
        let mark = crate::json::WatermarkRef {
            appid: Cow::Borrowed(appid),
            timestamp,
        };
        validation.check(Some(&mark), now).map(drop)
    }
}
