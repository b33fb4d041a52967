//! Test machinery for `wxdecrypt`, written once for the library's tests and
//! benches, the command-line tool's tests, the measuring programs and the fuzz
//! targets: an AES-128-CBC encryptor and base64 helpers ([`encrypt`]), a
//! reference JSON reader built on `serde_json` ([`reference`](mod@reference)),
//! the known-answer vector files ([`vectors`]) and the bench fixtures
//! ([`fixture`]).
//!
//! Nothing here depends on `wxdecrypt`: the inputs it makes and the verdicts
//! it gives come from other implementations, so that a test never checks the
//! crate against itself. Everything panics on bad test data, as tests should.

pub mod encrypt;
pub mod fixture;
pub mod reference;
pub mod vectors;
