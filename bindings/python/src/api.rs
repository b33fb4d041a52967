//! The newer flows: `parse_phone_response` (getuserphonenumber, the cloud
//! call, Authing), `parse_code2session` into a `Code2Session` whose key is
//! a `SessionKey`, and the request builders, whose `Request` your HTTP
//! client sends. Every failure of a parser is an `ApiError`.

use pyo3::prelude::*;
use wxdecrypt::api::{
    AccessToken, ApiError, AppSecret, AuthingConnection, HttpRequest, PhoneResponseParser,
    ResponseKind, parse_code2session as parse_session,
};
use wxdecrypt::{Error, Validation};

use crate::args::{Text, clock, seconds};
use crate::errors::{from_api_error, from_request_error};
use crate::keys::PySessionKey;
use crate::payloads::PyPhoneNumber;

/// Reads a phone-number response. With `appid`, the watermark must name
/// it and be fresh (Authing sends none, and is accepted without); without,
/// the watermark is not checked and the result's `watermark` is `None`.
#[pyfunction]
#[pyo3(signature = (body, *, appid=None, now=None, max_age=None, leeway=None))]
pub(crate) fn parse_phone_response(
    body: &Bound<'_, PyAny>,
    appid: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
    max_age: Option<&Bound<'_, PyAny>>,
    leeway: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyPhoneNumber> {
    let py = body.py();
    let text = Text::new(body, "body")?;
    let appid = appid
        .filter(|a| !a.is_none())
        .map(|a| Text::new(a, "appid"))
        .transpose()?;
    let max_age = seconds(max_age, "max_age")?;
    let leeway = seconds(leeway, "leeway")?;
    let now = clock(now)?;
    let api = |e: &ApiError| from_api_error(py, e);
    let Some(appid) = appid else {
        let parsed = PhoneResponseParser::without_watermark_check()
            .parse_at(text.as_str(), now)
            .map_err(|e| api(&e))?;
        return Ok(PyPhoneNumber::new(parsed.phone, None));
    };
    let mut validation = Validation::new(appid.as_str());
    if let Some(max_age) = max_age {
        validation = validation.with_max_age(max_age);
    }
    if let Some(leeway) = leeway {
        validation = validation.with_leeway(leeway);
    }
    match PhoneResponseParser::new(&validation).parse_at(text.as_str(), now) {
        Ok(parsed) => Ok(PyPhoneNumber::new(parsed.phone, Some(&validation))),
        // Authing sends no watermark: as the `wxdecrypt phone-response`
        // command does, its phone data is taken unchecked.
        Err(ApiError::Watermark(Error::MissingWatermark)) => {
            let parsed = PhoneResponseParser::without_watermark_check()
                .expect(ResponseKind::Authing)
                .parse_at(text.as_str(), now);
            match parsed {
                Ok(parsed) => Ok(PyPhoneNumber::new(parsed.phone, None)),
                Err(_) => Err(api(&ApiError::Watermark(Error::MissingWatermark))),
            }
        }
        Err(e) => Err(api(&e)),
    }
}

/// What `code2session` returned: the openid, the unionid and the session
/// key, which stays a `SessionKey`. `repr()` redacts all three.
#[pyclass(frozen, module = "wxdecrypt", name = "Code2Session")]
pub(crate) struct PyCode2Session {
    /// The user's openid for this mini program.
    #[pyo3(get)]
    openid: String,
    /// The unionid, or `None` when absent.
    #[pyo3(get)]
    unionid: Option<String>,
    session_key: Py<PySessionKey>,
}

#[pymethods]
impl PyCode2Session {
    /// The session key: pass it to the decrypt functions.
    #[getter]
    fn session_key(&self, py: Python<'_>) -> Py<PySessionKey> {
        self.session_key.clone_ref(py)
    }

    fn __repr__(&self) -> String {
        format!(
            "Code2Session(openid=[redacted], session_key=SessionKey([redacted]), unionid={})",
            if self.unionid.is_some() {
                "[redacted]"
            } else {
                "None"
            }
        )
    }
}

/// Reads a `code2session` response.
#[pyfunction]
pub(crate) fn parse_code2session(body: &Bound<'_, PyAny>) -> PyResult<PyCode2Session> {
    let py = body.py();
    let text = Text::new(body, "body")?;
    let session = parse_session(text.as_str()).map_err(|e| from_api_error(py, &e))?;
    Ok(PyCode2Session {
        openid: session.openid,
        unionid: session.unionid,
        session_key: Py::new(
            py,
            PySessionKey {
                key: session.session_key,
            },
        )?,
    })
}

/// A request for your HTTP client to send: `method`, `url`, `body` (or
/// `None`) and `content_type` (or `None`). `repr()` hides the URL's query
/// and the body, which hold secrets.
#[pyclass(frozen, module = "wxdecrypt", name = "Request")]
pub(crate) struct PyRequest {
    request: HttpRequest,
}

#[pymethods]
impl PyRequest {
    /// `"GET"` or `"POST"`.
    #[getter]
    fn method(&self) -> &'static str {
        self.request.method().as_str()
    }

    /// The URL, with its secrets (access token, app secret) in the query.
    #[getter]
    fn url(&self) -> &str {
        self.request.url()
    }

    /// The JSON body, or `None` for a GET.
    #[getter]
    fn body(&self) -> Option<&str> {
        self.request.body()
    }

    /// `"application/json"` with a body, else `None`.
    #[getter]
    fn content_type(&self) -> Option<&'static str> {
        self.request.content_type()
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.request)
    }
}

/// The `getuserphonenumber` request for a phone `code`.
#[pyfunction]
pub(crate) fn get_user_phone_number_request(
    access_token: &Bound<'_, PyAny>,
    code: &Bound<'_, PyAny>,
) -> PyResult<PyRequest> {
    let py = access_token.py();
    let token = Text::new(access_token, "access_token")?;
    let code = Text::new(code, "code")?;
    let token = AccessToken::new(token.as_str()).map_err(|e| from_request_error(py, &e))?;
    HttpRequest::get_user_phone_number(&token, code.as_str())
        .map(|request| PyRequest { request })
        .map_err(|e| from_request_error(py, &e))
}

/// The `code2session` request for the `js_code` of `wx.login`.
#[pyfunction]
pub(crate) fn code2session_request(
    appid: &Bound<'_, PyAny>,
    secret: &Bound<'_, PyAny>,
    js_code: &Bound<'_, PyAny>,
) -> PyResult<PyRequest> {
    let py = appid.py();
    let appid = Text::new(appid, "appid")?;
    let secret = Text::new(secret, "secret")?;
    let js_code = Text::new(js_code, "js_code")?;
    let secret = AppSecret::new(secret.as_str()).map_err(|e| from_request_error(py, &e))?;
    HttpRequest::code2session(appid.as_str(), &secret, js_code.as_str())
        .map(|request| PyRequest { request })
        .map_err(|e| from_request_error(py, &e))
}

/// Authing's `get_wechat_miniprogram_phone` request for a phone `code`.
#[pyfunction]
pub(crate) fn authing_phone_request(
    app_host: &Bound<'_, PyAny>,
    ext_idp_connidentifier: &Bound<'_, PyAny>,
    code: &Bound<'_, PyAny>,
) -> PyResult<PyRequest> {
    let py = app_host.py();
    let host = Text::new(app_host, "app_host")?;
    let connection = Text::new(ext_idp_connidentifier, "ext_idp_connidentifier")?;
    let code = Text::new(code, "code")?;
    let connection = AuthingConnection::new(host.as_str(), connection.as_str())
        .map_err(|e| from_request_error(py, &e))?;
    HttpRequest::authing_phone(&connection, code.as_str())
        .map(|request| PyRequest { request })
        .map_err(|e| from_request_error(py, &e))
}
