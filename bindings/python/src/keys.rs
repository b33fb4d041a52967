//! `SessionKey`, a session key held on the Rust side (wiped when dropped,
//! never printed, never readable back), and the reading of a key argument:
//! a `SessionKey`, or its base64 text as `str` or `bytes`.

use pyo3::prelude::*;
use wxdecrypt::{InputParser, SessionKey};

use crate::args::Text;
use crate::errors::{from_error, input_error};

/// A user's `session_key`, decoded; from `parse_code2session` or built from
/// its base64 text. It prints as `SessionKey([redacted])` and has no way to
/// read the key back; it cannot be pickled.
#[pyclass(frozen, module = "wxdecrypt", name = "SessionKey")]
#[derive(Debug)]
pub(crate) struct PySessionKey {
    pub(crate) key: SessionKey,
}

#[pymethods]
impl PySessionKey {
    /// Decodes the base64 text of a session key strictly (24 characters).
    #[new]
    fn new(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = Text::new(text, "session_key")?;
        SessionKey::from_base64(text.as_str())
            .map(|key| Self { key })
            .map_err(|e| from_error(py, &e))
    }

    /// The `signature` that `wxa/checksession` expects.
    fn checksession_signature(&self) -> String {
        wxdecrypt::api::checksession_signature(&self.key)
    }

    /// The `signature` of a request body for the APIs that take
    /// `sig_method=hmac_sha256`.
    fn session_signature(&self, body: &Bound<'_, PyAny>) -> PyResult<String> {
        let message = Text::new(body, "body")?;
        Ok(wxdecrypt::api::session_signature(
            &self.key,
            message.as_str().as_bytes(),
        ))
    }

    #[allow(clippy::unused_self, reason = "a Python method")]
    fn __repr__(&self) -> &'static str {
        "SessionKey([redacted])"
    }

    /// Refuses pickling (and so `copy`): a key must not leave the process
    /// by accident.
    #[allow(clippy::unused_self, reason = "a Python method")]
    fn __reduce__(&self, py: Python<'_>) -> PyResult<()> {
        Err(input_error(
            py,
            Some("session_key"),
            "a SessionKey cannot be pickled or copied: keep session keys in your own store"
                .to_owned(),
        ))
    }
}

/// A key argument, decoded: held by a `SessionKey` object, or parsed from
/// text (and wiped when this is dropped).
pub(crate) enum Key<'py> {
    /// The caller's `SessionKey`.
    Held(Bound<'py, PySessionKey>),
    /// Decoded from the caller's text.
    Parsed(SessionKey),
}

impl<'py> Key<'py> {
    /// Reads `value` (named `name` in errors) with `parser`.
    pub(crate) fn new(
        value: &Bound<'py, PyAny>,
        name: &str,
        parser: &InputParser,
    ) -> PyResult<Self> {
        if let Ok(held) = value.cast::<PySessionKey>() {
            return Ok(Self::Held(held.clone()));
        }
        let text = Text::new(value, name)?;
        parser
            .session_key(text.as_str())
            .map(Self::Parsed)
            .map_err(|e| from_error(value.py(), &e))
    }

    /// The key.
    pub(crate) fn get(&self) -> &SessionKey {
        match self {
            Self::Held(held) => &held.get().key,
            Self::Parsed(key) => key,
        }
    }
}
