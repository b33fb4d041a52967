//! The `wxdecrypt` Python package's extension module, `wxdecrypt._wxdecrypt`:
//! the `wxdecrypt` crate's public API behind pyo3, with the same guarantees
//! (one opaque decryption error, keys wiped and never shown, phone numbers
//! masked in `repr`, no panic reaching Python). The Python side of the
//! package (`python/wxdecrypt/`) re-exports it, defines the exceptions and
//! carries the type stub.
//!
//! - `args`: reading Python arguments (text, seconds, flags, settings)
//! - `keys`: `SessionKey` and key arguments
//! - `payloads`: `PhoneNumber`, `UserInfo`, `Watermark`
//! - `decrypt`: the decrypt functions, `verify_raw_data`, `diagnose`
//! - `api`: response parsers and request builders
//! - `errors`: the library's errors as the package's exceptions

use pyo3::prelude::*;

mod api;
mod args;
mod decrypt;
mod errors;
mod keys;
mod payloads;

/// The module's contents; `wxdecrypt/__init__.py` re-exports them.
#[pymodule]
fn _wxdecrypt(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(decrypt::decrypt_phone, m)?)?;
    m.add_function(wrap_pyfunction!(decrypt::_decrypt_phone_detached, m)?)?;
    m.add_function(wrap_pyfunction!(decrypt::decrypt_user_info, m)?)?;
    m.add_function(wrap_pyfunction!(decrypt::decrypt_raw, m)?)?;
    m.add_function(wrap_pyfunction!(decrypt::decrypt_phone_with_keys, m)?)?;
    m.add_function(wrap_pyfunction!(decrypt::decrypt_user_info_with_keys, m)?)?;
    m.add_function(wrap_pyfunction!(decrypt::verify_raw_data, m)?)?;
    m.add_function(wrap_pyfunction!(decrypt::diagnose, m)?)?;
    m.add_function(wrap_pyfunction!(api::parse_phone_response, m)?)?;
    m.add_function(wrap_pyfunction!(api::parse_code2session, m)?)?;
    m.add_function(wrap_pyfunction!(api::get_user_phone_number_request, m)?)?;
    m.add_function(wrap_pyfunction!(api::code2session_request, m)?)?;
    m.add_function(wrap_pyfunction!(api::authing_phone_request, m)?)?;
    m.add_class::<payloads::PyPhoneNumber>()?;
    m.add_class::<payloads::PyUserInfo>()?;
    m.add_class::<payloads::PyWatermark>()?;
    m.add_class::<keys::PySessionKey>()?;
    m.add_class::<decrypt::PyDiagnosis>()?;
    m.add_class::<api::PyCode2Session>()?;
    m.add_class::<api::PyRequest>()?;
    m.add("MAX_CANDIDATE_KEYS", wxdecrypt::MAX_CANDIDATE_KEYS)?;
    m.add(
        "DEFAULT_MAX_AGE",
        wxdecrypt::Validation::DEFAULT_MAX_AGE_SECS,
    )?;
    m.add("DEFAULT_LEEWAY", wxdecrypt::Validation::DEFAULT_LEEWAY_SECS)?;
    m.add(
        "MAX_ENCRYPTED_DATA_LEN",
        wxdecrypt::InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN,
    )?;
    Ok(())
}
