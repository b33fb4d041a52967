//! The decrypt functions: `decrypt_phone`, `decrypt_user_info`,
//! `decrypt_raw`, their `_with_keys` forms for the `wx.login` race,
//! `verify_raw_data`, and `diagnose` with its `Diagnosis`.
//!
//! The GIL is held while the library works: a phone payload takes well
//! under a microsecond, less than releasing and taking back the GIL costs
//! (BENCHMARKS.md, "Python"). `_decrypt_phone_detached`, `decrypt_phone`
//! with the GIL released, is kept for that measurement.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyString, PyTuple};
use serde::de::DeserializeOwned;
use wxdecrypt::diagnose::{DiagnoseInput, DiagnoseOptions, Diagnosis};
use wxdecrypt::{Decrypted, EncryptedData, Error, Iv, MAX_CANDIDATE_KEYS, SessionKey, Stage};

use crate::args::{Settings, Text, type_name};
use crate::errors::{from_error, input_error};
use crate::keys::Key;
use crate::payloads::{PyPhoneNumber, PyUserInfo};

/// Whether the library runs with the GIL released.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gil {
    Hold,
    Release,
}

/// The arguments every decrypt function takes, read.
struct Call<'a, 'py> {
    iv: &'a Bound<'py, PyAny>,
    encrypted_data: &'a Bound<'py, PyAny>,
    settings: Settings,
}

/// The keyword-only arguments shared by the decrypt functions, as Python
/// passed them.
type Keywords<'a, 'py> = [Option<&'a Bound<'py, PyAny>>; 5];

impl<'a, 'py> Call<'a, 'py> {
    fn new(
        iv: &'a Bound<'py, PyAny>,
        encrypted_data: &'a Bound<'py, PyAny>,
        appid: &Bound<'py, PyAny>,
        [now, max_age, leeway, lenient, missing]: Keywords<'_, 'py>,
    ) -> PyResult<Self> {
        Ok(Self {
            iv,
            encrypted_data,
            settings: Settings::new(appid, now, max_age, leeway, lenient, missing)?,
        })
    }

    /// Parses the iv and the data, then runs `decrypt` on them with `keys`.
    fn run<R: Send>(
        &self,
        keys: &[Key<'_>],
        gil: Gil,
        decrypt: impl FnOnce(&[&SessionKey], &Iv, &EncryptedData<'_>, &Settings) -> Result<R, Error>
        + Send,
    ) -> PyResult<R> {
        let py = self.iv.py();
        let parser = &self.settings.parser;
        let iv_text = Text::new(self.iv, "iv")?;
        let data_text = Text::new(self.encrypted_data, "encrypted_data")?;
        let iv = parser
            .iv(iv_text.as_str())
            .map_err(|e| from_error(py, &e))?;
        let data = parser
            .encrypted_data(data_text.as_str())
            .map_err(|e| from_error(py, &e))?;
        let keys: Vec<&SessionKey> = keys.iter().map(Key::get).collect();
        let settings = &self.settings;
        let result = match gil {
            Gil::Hold => decrypt(&keys, &iv, &data, settings),
            Gil::Release => py.detach(|| decrypt(&keys, &iv, &data, settings)),
        };
        result.map_err(|e| from_error(py, &e))
    }

    /// One key: the typed payload.
    fn one<T: DeserializeOwned + Send>(
        &self,
        session_key: &Bound<'_, PyAny>,
        gil: Gil,
    ) -> PyResult<Decrypted<T>> {
        let key = Key::new(session_key, "session_key", &self.settings.parser)?;
        self.run(std::slice::from_ref(&key), gil, |keys, iv, data, s| {
            wxdecrypt::decrypt_at::<T>(keys[0], iv, data, &s.validation, s.now)
        })
    }

    /// Candidate keys, the current one first: the index of the one that
    /// worked, and the typed payload.
    fn candidates<T: DeserializeOwned + Send>(
        &self,
        session_keys: &Bound<'_, PyAny>,
    ) -> PyResult<(usize, Decrypted<T>)> {
        let py = session_keys.py();
        let items: Vec<Bound<'_, PyAny>> = if let Ok(list) = session_keys.cast::<PyList>() {
            list.iter().collect()
        } else if let Ok(tuple) = session_keys.cast::<PyTuple>() {
            tuple.iter().collect()
        } else {
            return Err(input_error(
                py,
                Some("session_key"),
                format!(
                    "session_keys must be a list or tuple of keys, not {}",
                    type_name(session_keys)
                ),
            ));
        };
        if items.is_empty() || items.len() > MAX_CANDIDATE_KEYS {
            let error = Error::CandidateKeyCount {
                count: items.len(),
                max: MAX_CANDIDATE_KEYS,
            };
            return Err(from_error(py, &error));
        }
        let keys = items
            .iter()
            .map(|item| Key::new(item, "session_key", &self.settings.parser))
            .collect::<PyResult<Vec<_>>>()?;
        self.run(&keys, Gil::Hold, |keys, iv, data, s| {
            wxdecrypt::decrypt_with_keys_at::<T>(keys, iv, data, &s.validation, s.now)
        })
    }
}

/// Decrypts a `getPhoneNumber` payload.
#[pyfunction]
#[pyo3(signature = (session_key, iv, encrypted_data, *, appid, now=None, max_age=None,
    leeway=None, lenient_base64=None, accept_missing_watermark=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn decrypt_phone(
    session_key: &Bound<'_, PyAny>,
    iv: &Bound<'_, PyAny>,
    encrypted_data: &Bound<'_, PyAny>,
    appid: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    max_age: Option<&Bound<'_, PyAny>>,
    leeway: Option<&Bound<'_, PyAny>>,
    lenient_base64: Option<&Bound<'_, PyAny>>,
    accept_missing_watermark: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyPhoneNumber> {
    let keywords = [
        now,
        max_age,
        leeway,
        lenient_base64,
        accept_missing_watermark,
    ];
    let call = Call::new(iv, encrypted_data, appid, keywords)?;
    let decrypted = call.one(session_key, Gil::Hold)?;
    Ok(PyPhoneNumber::new(
        decrypted,
        Some(&call.settings.validation),
    ))
}

/// `decrypt_phone` with the GIL released around the library call: kept to
/// measure the choice (bench.py), not part of the API.
#[pyfunction]
#[pyo3(signature = (session_key, iv, encrypted_data, *, appid, now=None, max_age=None,
    leeway=None, lenient_base64=None, accept_missing_watermark=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _decrypt_phone_detached(
    session_key: &Bound<'_, PyAny>,
    iv: &Bound<'_, PyAny>,
    encrypted_data: &Bound<'_, PyAny>,
    appid: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    max_age: Option<&Bound<'_, PyAny>>,
    leeway: Option<&Bound<'_, PyAny>>,
    lenient_base64: Option<&Bound<'_, PyAny>>,
    accept_missing_watermark: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyPhoneNumber> {
    let keywords = [
        now,
        max_age,
        leeway,
        lenient_base64,
        accept_missing_watermark,
    ];
    let call = Call::new(iv, encrypted_data, appid, keywords)?;
    let decrypted = call.one(session_key, Gil::Release)?;
    Ok(PyPhoneNumber::new(
        decrypted,
        Some(&call.settings.validation),
    ))
}

/// Decrypts a `getUserInfo` payload.
#[pyfunction]
#[pyo3(signature = (session_key, iv, encrypted_data, *, appid, now=None, max_age=None,
    leeway=None, lenient_base64=None, accept_missing_watermark=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn decrypt_user_info(
    session_key: &Bound<'_, PyAny>,
    iv: &Bound<'_, PyAny>,
    encrypted_data: &Bound<'_, PyAny>,
    appid: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    max_age: Option<&Bound<'_, PyAny>>,
    leeway: Option<&Bound<'_, PyAny>>,
    lenient_base64: Option<&Bound<'_, PyAny>>,
    accept_missing_watermark: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyUserInfo> {
    let keywords = [
        now,
        max_age,
        leeway,
        lenient_base64,
        accept_missing_watermark,
    ];
    let call = Call::new(iv, encrypted_data, appid, keywords)?;
    let decrypted = call.one(session_key, Gil::Hold)?;
    Ok(PyUserInfo::new(decrypted, Some(&call.settings.validation)))
}

/// Python's `json.loads`, which turns the checked JSON text into a dict.
static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Decrypts any payload: the checked JSON object as a dict.
#[pyfunction]
#[pyo3(signature = (session_key, iv, encrypted_data, *, appid, now=None, max_age=None,
    leeway=None, lenient_base64=None, accept_missing_watermark=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn decrypt_raw<'py>(
    session_key: &Bound<'py, PyAny>,
    iv: &Bound<'py, PyAny>,
    encrypted_data: &Bound<'py, PyAny>,
    appid: &Bound<'py, PyAny>,
    now: Option<&Bound<'py, PyAny>>,
    max_age: Option<&Bound<'py, PyAny>>,
    leeway: Option<&Bound<'py, PyAny>>,
    lenient_base64: Option<&Bound<'py, PyAny>>,
    accept_missing_watermark: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = session_key.py();
    let keywords = [
        now,
        max_age,
        leeway,
        lenient_base64,
        accept_missing_watermark,
    ];
    let call = Call::new(iv, encrypted_data, appid, keywords)?;
    let key = Key::new(session_key, "session_key", &call.settings.parser)?;
    let raw = call.run(
        std::slice::from_ref(&key),
        Gil::Hold,
        |keys, iv, data, s| wxdecrypt::decrypt_raw_at(keys[0], iv, data, &s.validation, s.now),
    )?;
    // The text is a strict JSON object (no duplicate keys, bounded depth),
    // which `json.loads` reads the same way.
    let loads = JSON_LOADS.import(py, "json", "loads")?;
    loads.call1((PyString::new(py, raw.payload.as_str()),))
}

/// Tries up to four keys, the current one first (the `wx.login` race):
/// `(index of the key that worked, PhoneNumber)`.
#[pyfunction]
#[pyo3(signature = (session_keys, iv, encrypted_data, *, appid, now=None, max_age=None,
    leeway=None, lenient_base64=None, accept_missing_watermark=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn decrypt_phone_with_keys(
    session_keys: &Bound<'_, PyAny>,
    iv: &Bound<'_, PyAny>,
    encrypted_data: &Bound<'_, PyAny>,
    appid: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    max_age: Option<&Bound<'_, PyAny>>,
    leeway: Option<&Bound<'_, PyAny>>,
    lenient_base64: Option<&Bound<'_, PyAny>>,
    accept_missing_watermark: Option<&Bound<'_, PyAny>>,
) -> PyResult<(usize, PyPhoneNumber)> {
    let keywords = [
        now,
        max_age,
        leeway,
        lenient_base64,
        accept_missing_watermark,
    ];
    let call = Call::new(iv, encrypted_data, appid, keywords)?;
    let (index, decrypted) = call.candidates(session_keys)?;
    let phone = PyPhoneNumber::new(decrypted, Some(&call.settings.validation));
    Ok((index, phone))
}

/// As `decrypt_phone_with_keys`, for a `getUserInfo` payload.
#[pyfunction]
#[pyo3(signature = (session_keys, iv, encrypted_data, *, appid, now=None, max_age=None,
    leeway=None, lenient_base64=None, accept_missing_watermark=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn decrypt_user_info_with_keys(
    session_keys: &Bound<'_, PyAny>,
    iv: &Bound<'_, PyAny>,
    encrypted_data: &Bound<'_, PyAny>,
    appid: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    max_age: Option<&Bound<'_, PyAny>>,
    leeway: Option<&Bound<'_, PyAny>>,
    lenient_base64: Option<&Bound<'_, PyAny>>,
    accept_missing_watermark: Option<&Bound<'_, PyAny>>,
) -> PyResult<(usize, PyUserInfo)> {
    let keywords = [
        now,
        max_age,
        leeway,
        lenient_base64,
        accept_missing_watermark,
    ];
    let call = Call::new(iv, encrypted_data, appid, keywords)?;
    let (index, decrypted) = call.candidates(session_keys)?;
    let user = PyUserInfo::new(decrypted, Some(&call.settings.validation));
    Ok((index, user))
}

/// Checks `wx.getUserInfo`'s `signature`: SHA-1 of `rawData` then `session_key`.
#[pyfunction]
pub(crate) fn verify_raw_data(
    raw_data: &Bound<'_, PyAny>,
    signature: &Bound<'_, PyAny>,
    session_key: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let raw_data = Text::new(raw_data, "raw_data")?;
    let signature = Text::new(signature, "signature")?;
    let key = Key::new(session_key, "session_key", &wxdecrypt::InputParser::new())?;
    Ok(wxdecrypt::verify_raw_data(
        key.get(),
        raw_data.as_str(),
        signature.as_str(),
    ))
}

/// The name Python sees for a stage.
fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Decryption => "decryption",
        Stage::Policy => "policy",
        _ => "input",
    }
}

/// What `diagnose` found: `str()` is the report for a terminal.
#[pyclass(frozen, module = "wxdecrypt", name = "Diagnosis")]
pub(crate) struct PyDiagnosis {
    diagnosis: Diagnosis,
}

#[pymethods]
impl PyDiagnosis {
    /// Whether the inputs decrypt and pass every check.
    #[getter]
    fn is_valid(&self) -> bool {
        self.diagnosis.is_valid()
    }

    /// `"input"`, `"decryption"` or `"policy"`: the stage whose error the
    /// decrypt functions raise on these inputs; `None` when valid.
    #[getter]
    fn stage(&self) -> Option<&'static str> {
        self.diagnosis.stage().map(stage_name)
    }

    /// When the finding is transport damage that `lenient_base64=True`
    /// repairs: the diagnosis of the repaired inputs.
    #[getter]
    fn after_repair(&self) -> Option<Self> {
        self.diagnosis.after_repair().map(|d| Self {
            diagnosis: d.clone(),
        })
    }

    /// The report.
    #[getter]
    fn report(&self) -> String {
        self.diagnosis.to_string()
    }

    fn __str__(&self) -> String {
        self.diagnosis.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "Diagnosis(is_valid={}, stage={})",
            if self.diagnosis.is_valid() {
                "True"
            } else {
                "False"
            },
            self.diagnosis
                .stage()
                .map_or_else(|| "None".to_owned(), |s| format!("{:?}", stage_name(s)))
        )
    }
}

/// For a developer's terminal, never a request handler: which stage fails
/// on these inputs, and the likely cause. An empty `appid` reports the
/// watermark's appid without checking it.
#[pyfunction]
#[pyo3(signature = (session_key, iv, encrypted_data, *, appid, now=None, max_age=None,
    leeway=None, accept_missing_watermark=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn diagnose(
    session_key: &Bound<'_, PyAny>,
    iv: &Bound<'_, PyAny>,
    encrypted_data: &Bound<'_, PyAny>,
    appid: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    max_age: Option<&Bound<'_, PyAny>>,
    leeway: Option<&Bound<'_, PyAny>>,
    accept_missing_watermark: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyDiagnosis> {
    let settings = Settings::new(appid, now, max_age, leeway, None, accept_missing_watermark)?;
    let key = Text::new(session_key, "session_key")?;
    let iv = Text::new(iv, "iv")?;
    let data = Text::new(encrypted_data, "encrypted_data")?;
    let unchecked = settings.validation.appid().is_empty();
    let mut options = DiagnoseOptions::new(settings.validation);
    if unchecked {
        options = options.unchecked_appid();
    }
    let input = DiagnoseInput {
        session_key: key.as_str(),
        iv: iv.as_str(),
        encrypted_data: data.as_str(),
    };
    Ok(PyDiagnosis {
        diagnosis: wxdecrypt::diagnose::diagnose_at(&input, &options, settings.now),
    })
}
