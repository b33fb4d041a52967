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
mod screen;
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
    UserInfoFields, WeRunData,
};

// ----- Validation and time -----
pub use validation::{UnixTime, Validation, Watermark};

// ----- Errors -----
pub use error::{Damage, Error, Field, Stage};

/// Stage-by-stage entry points for the benchmarks; not part of the API.
#[cfg(wxdecrypt_bench_internals)]
#[doc(hidden)]
pub mod bench_internals;
