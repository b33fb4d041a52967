//! Reading the Python arguments: text (a `str`, or `bytes` holding UTF-8),
//! seconds (a non-negative `int`), flags (a `bool`), and the settings every
//! decrypt function shares. A value of the wrong type, or a `str` that is
//! not Unicode (a lone surrogate), is an `InputError` naming the argument
//! and the type, never the value: these functions raise nothing else.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyInt, PyString};
use wxdecrypt::{InputParser, UnixTime, Validation};

use crate::errors::input_error;

/// The UTF-8 bytes of a text argument, kept alive by the `bytes` object
/// that holds them: the caller's own `bytes`, or the encoding of its `str`
/// (the stable ABI of Python 3.9 has no borrowed view of a `str`'s UTF-8).
pub(crate) struct Text<'py> {
    bytes: Bound<'py, PyBytes>,
}

impl<'py> Text<'py> {
    /// Reads `value` as the argument `name`.
    pub(crate) fn new(value: &Bound<'py, PyAny>, name: &str) -> PyResult<Self> {
        let py = value.py();
        let bytes = if let Ok(text) = value.cast::<PyString>() {
            // Python's encoder gives valid UTF-8 or fails (a lone surrogate).
            text.encode_utf8().map_err(|_| {
                input_error(
                    py,
                    Some(name),
                    format!("{name} is not valid text: it holds a lone surrogate"),
                )
            })?
        } else if let Ok(bytes) = value.cast::<PyBytes>() {
            // Caller's bytes: checked here, so that `as_str` cannot fail.
            if let Err(e) = std::str::from_utf8(bytes.as_bytes()) {
                return Err(input_error(
                    py,
                    Some(name),
                    format!("{name} is not UTF-8 (at byte {})", e.valid_up_to()),
                ));
            }
            bytes.clone()
        } else {
            return Err(input_error(
                py,
                Some(name),
                format!("{name} must be a str, not {}", type_name(value)),
            ));
        };
        Ok(Self { bytes })
    }

    /// The text; empty if it were not UTF-8, which [`Text::new`] refused.
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(self.bytes.as_bytes()).unwrap_or_default()
    }
}

/// The name of a value's type, for messages.
pub(crate) fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "an unknown type".to_owned(), |n| n.to_string())
}

/// A number of seconds: `None` for absent, else a non-negative `int`.
pub(crate) fn seconds(value: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Option<u64>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let py = value.py();
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        return Err(input_error(
            py,
            None,
            format!(
                "{name} must be an int (seconds) or None, not {}",
                type_name(value)
            ),
        ));
    }
    value.extract::<u64>().map(Some).map_err(|_| {
        input_error(
            py,
            None,
            format!("{name} must be between 0 and 2**64 - 1 seconds"),
        )
    })
}

/// A flag: only `True` or `False` (absent is `False`).
pub(crate) fn flag(value: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<bool> {
    let Some(value) = value else {
        return Ok(false);
    };
    value
        .cast::<PyBool>()
        .map(PyBoolMethods::is_true)
        .map_err(|_| {
            input_error(
                value.py(),
                None,
                format!("{name} must be a bool, not {}", type_name(value)),
            )
        })
}

/// The clock: `now` when given, else the system clock.
pub(crate) fn clock(now: Option<&Bound<'_, PyAny>>) -> PyResult<UnixTime> {
    Ok(seconds(now, "now")?.map_or_else(UnixTime::now, UnixTime::from_secs))
}

/// The keyword arguments every decrypt function takes.
pub(crate) struct Settings {
    /// How the three texts are read.
    pub(crate) parser: InputParser,
    /// What the watermark must satisfy.
    pub(crate) validation: Validation,
    /// The time the watermark is judged at.
    pub(crate) now: UnixTime,
}

impl Settings {
    /// Reads `appid`, `now`, `max_age`, `leeway`, `lenient_base64` and
    /// `accept_missing_watermark`.
    pub(crate) fn new(
        appid: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
        max_age: Option<&Bound<'_, PyAny>>,
        leeway: Option<&Bound<'_, PyAny>>,
        lenient_base64: Option<&Bound<'_, PyAny>>,
        accept_missing_watermark: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut validation = Validation::new(Text::new(appid, "appid")?.as_str());
        if let Some(max_age) = seconds(max_age, "max_age")? {
            validation = validation.with_max_age(max_age);
        }
        if let Some(leeway) = seconds(leeway, "leeway")? {
            validation = validation.with_leeway(leeway);
        }
        if flag(accept_missing_watermark, "accept_missing_watermark")? {
            validation = validation.accept_missing_watermark();
        }
        let parser = if flag(lenient_base64, "lenient_base64")? {
            InputParser::new().lenient()
        } else {
            InputParser::new()
        };
        Ok(Self {
            parser,
            validation,
            now: clock(now)?,
        })
    }
}
