//! The Python classes of the decrypted payloads: `PhoneNumber`, `UserInfo`
//! and their `Watermark`. Immutable (`frozen`), so they are shared between
//! threads freely; `to_dict()` gives exactly the JSON the `wxdecrypt`
//! command prints, and `repr()` masks or redacts as the Rust `Debug` does.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use wxdecrypt::{Decrypted, Validation};

/// The checked watermark: the appid it names (the one the validation
/// expected) and when WeChat produced the data.
#[pyclass(frozen, module = "wxdecrypt", name = "Watermark", eq)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PyWatermark {
    /// The mini program's appid.
    #[pyo3(get)]
    appid: String,
    /// Unix seconds.
    #[pyo3(get)]
    timestamp: u64,
}

#[pymethods]
impl PyWatermark {
    fn __repr__(&self) -> String {
        format!(
            "Watermark(appid={:?}, timestamp={})",
            self.appid, self.timestamp
        )
    }

    /// `{"appid": ..., "timestamp": ...}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("appid", &self.appid)?;
        dict.set_item("timestamp", self.timestamp)?;
        Ok(dict)
    }
}

/// The watermark of a decrypted payload, with the appid it was checked
/// against (the library returns only the timestamp, the appid being the
/// validation's).
fn watermark<T>(decrypted: &Decrypted<T>, validation: Option<&Validation>) -> Option<PyWatermark> {
    let (mark, validation) = (decrypted.watermark.as_ref()?, validation?);
    Some(PyWatermark {
        appid: validation.appid().to_owned(),
        timestamp: mark.timestamp.as_secs(),
    })
}

/// `None`, or the watermark's dict.
fn watermark_item<'py>(
    py: Python<'py>,
    mark: Option<&PyWatermark>,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    mark.map(|m| m.to_dict(py)).transpose()
}

/// A user's phone number, from the `getPhoneNumber` button or from the
/// `getuserphonenumber` API.
#[pyclass(frozen, module = "wxdecrypt", name = "PhoneNumber", eq)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyPhoneNumber {
    phone: wxdecrypt::PhoneNumber,
    watermark: Option<PyWatermark>,
}

impl PyPhoneNumber {
    /// The Python object for a decrypted phone payload; `validation` is the
    /// one its watermark was checked with (`None` when it was not checked).
    pub(crate) fn new(
        decrypted: Decrypted<wxdecrypt::PhoneNumber>,
        validation: Option<&Validation>,
    ) -> Self {
        let watermark = watermark(&decrypted, validation);
        Self {
            phone: decrypted.payload,
            watermark,
        }
    }
}

#[pymethods]
impl PyPhoneNumber {
    /// The number as WeChat shows it (`+1...` outside mainland China).
    #[getter]
    fn phone_number(&self) -> &str {
        self.phone.phone_number()
    }

    /// The number without the country code: 1 to 20 ASCII digits.
    #[getter]
    fn pure_phone_number(&self) -> &str {
        self.phone.pure_phone_number()
    }

    /// The country calling code as digits (`"86"`), however WeChat sent it.
    #[getter]
    fn country_code(&self) -> &str {
        self.phone.country_code()
    }

    /// The checked watermark; `None` only when accepted without one.
    #[getter]
    fn watermark(&self) -> Option<PyWatermark> {
        self.watermark.clone()
    }

    /// The pure number with its middle digits masked (`180****8610`).
    fn masked(&self) -> String {
        self.phone.masked()
    }

    /// `+` country code pure number, or `None` when that is no E.164 number.
    fn e164(&self) -> Option<String> {
        self.phone.e164()
    }

    /// The `wxdecrypt phone` JSON as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("phoneNumber", self.phone.phone_number())?;
        dict.set_item("purePhoneNumber", self.phone.pure_phone_number())?;
        dict.set_item("countryCode", self.phone.country_code())?;
        dict.set_item("watermark", watermark_item(py, self.watermark.as_ref())?)?;
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        // The library's Debug masks both numbers; the watermark is public.
        format!(
            "{:?} with {}",
            self.phone,
            repr_watermark(self.watermark.as_ref())
        )
    }
}

/// The watermark part of a `repr`.
fn repr_watermark(mark: Option<&PyWatermark>) -> String {
    mark.map_or_else(|| "no watermark".to_owned(), PyWatermark::__repr__)
}

/// A user's profile, from `getUserInfo`.
#[pyclass(frozen, module = "wxdecrypt", name = "UserInfo", eq)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyUserInfo {
    user: wxdecrypt::UserInfo,
    watermark: Option<PyWatermark>,
}

impl PyUserInfo {
    /// The Python object for a decrypted profile, as [`PyPhoneNumber::new`].
    pub(crate) fn new(
        decrypted: Decrypted<wxdecrypt::UserInfo>,
        validation: Option<&Validation>,
    ) -> Self {
        let watermark = watermark(&decrypted, validation);
        Self {
            user: decrypted.payload,
            watermark,
        }
    }
}

#[pymethods]
impl PyUserInfo {
    /// The openid, or `None` when absent (take it from code2session instead).
    #[getter]
    fn open_id(&self) -> Option<&str> {
        self.user.open_id()
    }

    /// The nickname, exactly as sent.
    #[getter]
    fn nick_name(&self) -> &str {
        self.user.nick_name()
    }

    /// `0` (not set), `1` or `2`.
    #[getter]
    fn gender(&self) -> u8 {
        self.user.gender().code()
    }

    /// The language, e.g. `zh_CN`; empty when not sent.
    #[getter]
    fn language(&self) -> &str {
        self.user.language()
    }

    /// The city; empty when not sent.
    #[getter]
    fn city(&self) -> &str {
        self.user.city()
    }

    /// The province; empty when not sent.
    #[getter]
    fn province(&self) -> &str {
        self.user.province()
    }

    /// The country; empty when not sent.
    #[getter]
    fn country(&self) -> &str {
        self.user.country()
    }

    /// The avatar URL; may be empty.
    #[getter]
    fn avatar_url(&self) -> &str {
        self.user.avatar_url()
    }

    /// The unionid, or `None` when absent.
    #[getter]
    fn union_id(&self) -> Option<&str> {
        self.user.union_id()
    }

    /// The checked watermark; `None` only when accepted without one.
    #[getter]
    fn watermark(&self) -> Option<PyWatermark> {
        self.watermark.clone()
    }

    /// The `wxdecrypt user-info` JSON as a dict: `openId` and `unionId` only
    /// when present, `gender` as a number.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let user = &self.user;
        let dict = PyDict::new(py);
        if let Some(open_id) = user.open_id() {
            dict.set_item("openId", open_id)?;
        }
        dict.set_item("nickName", user.nick_name())?;
        dict.set_item("gender", user.gender().code())?;
        dict.set_item("language", user.language())?;
        dict.set_item("city", user.city())?;
        dict.set_item("province", user.province())?;
        dict.set_item("country", user.country())?;
        dict.set_item("avatarUrl", user.avatar_url())?;
        if let Some(union_id) = user.union_id() {
            dict.set_item("unionId", union_id)?;
        }
        dict.set_item("watermark", watermark_item(py, self.watermark.as_ref())?)?;
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        // The library's Debug redacts the profile and the ids.
        format!(
            "{:?} with {}",
            self.user,
            repr_watermark(self.watermark.as_ref())
        )
    }
}
