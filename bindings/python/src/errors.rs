//! How the library's errors become Python exceptions: the classes live in
//! `wxdecrypt/_errors.py` (plain Python, so they pickle and type-check like
//! any other exception), and this module raises them with the library's own
//! message, `Display` of the Rust error, and nothing else.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};
use wxdecrypt::api::{ApiError, Argument, RequestError};
use wxdecrypt::{Error, Field, Stage};

/// The Python module that defines the exception classes.
const ERRORS_MODULE: &str = "wxdecrypt._errors";

static INPUT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DECRYPTION_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static POLICY_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static API_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Raises `class(message, **attributes)`; if even that fails (the module
/// cannot be imported), the failure to import is what the caller sees.
fn raise(
    py: Python<'_>,
    class: &'static PyOnceLock<Py<PyType>>,
    name: &str,
    message: String,
    attributes: &[(&str, Option<Py<PyAny>>)],
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = class.import(py, ERRORS_MODULE, name)?;
        let kwargs = PyDict::new(py);
        for (key, value) in attributes {
            kwargs.set_item(key, value)?;
        }
        let value = class.call((message,), Some(&kwargs))?;
        Ok(PyErr::from_value(value))
    };
    build().unwrap_or_else(|failure| failure)
}

/// An `InputError` with the tool's own words, for arguments of the wrong
/// Python type or text that is not Unicode: the message names the argument
/// and the type, never its value.
pub(crate) fn input_error(py: Python<'_>, field: Option<&str>, message: String) -> PyErr {
    let field = field.map(|f| f.into_pyobject(py).map(|s| s.into_any().unbind()));
    let field = field.and_then(Result::ok);
    raise(py, &INPUT_ERROR, "InputError", message, &[("field", field)])
}

/// The library's error as the exception of its stage.
pub(crate) fn from_error(py: Python<'_>, error: &Error) -> PyErr {
    let message = error.to_string();
    match error.stage() {
        Stage::Decryption => raise(py, &DECRYPTION_ERROR, "DecryptionError", message, &[]),
        Stage::Policy => raise(py, &POLICY_ERROR, "PolicyError", message, &[]),
        // `Stage` may grow: anything not known to be past the cipher is
        // treated as an input problem, which is what the other stages are not.
        _ => input_error(py, field_of(error).map(Field::as_str), message),
    }
}

/// The field an input error names, when it names one.
fn field_of(error: &Error) -> Option<Field> {
    match error {
        Error::Empty { field }
        | Error::TooLarge { field, .. }
        | Error::SpaceInBase64 { field, .. }
        | Error::DamagedBase64 { field, .. }
        | Error::InvalidBase64 { field, .. }
        | Error::WrongLength { field, .. } => Some(*field),
        Error::NotBlockAligned { .. } => Some(Field::EncryptedData),
        _ => None,
    }
}

/// A response error as `ApiError`, with the server's code and whether a
/// retry may succeed.
pub(crate) fn from_api_error(py: Python<'_>, error: &ApiError) -> PyErr {
    let code = error
        .code()
        .and_then(|c| c.into_pyobject(py).ok())
        .map(|c| c.into_any().unbind());
    let retryable = error
        .is_retryable()
        .into_pyobject(py)
        .ok()
        .map(|r| r.to_owned().into_any().unbind());
    raise(
        py,
        &API_ERROR,
        "ApiError",
        error.to_string(),
        &[("code", code), ("retryable", retryable)],
    )
}

/// A refused request argument: an `InputError` naming the argument.
pub(crate) fn from_request_error(py: Python<'_>, error: &RequestError) -> PyErr {
    let field = match error {
        RequestError::Empty { argument }
        | RequestError::TooLong { argument, .. }
        | RequestError::ControlCharacter { argument } => Some(argument.as_str()),
        RequestError::InvalidHost => Some(Argument::AuthingHost.as_str()),
        _ => None,
    };
    input_error(py, field, error.to_string())
}
