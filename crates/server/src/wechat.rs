//! [`WeChat`]: the client of the three WeChat APIs the server calls
//! (`code2session`, `cgi-bin/token` with `client_credential`, and
//! `getuserphonenumber`), over reqwest and rustls, at a configurable base
//! URL.
//!
//! The requests are the library's [`HttpRequest`] values (their URL moved to
//! the configured base); the responses are read bounded
//! ([`DEFAULT_MAX_RESPONSE_LEN`]) and parsed by the library's parsers. The
//! access token is cached until shortly before it expires and refreshed
//! once, by one request for all, when WeChat calls it invalid (40001) or
//! expired (42001).
//!
//! The cache is this instance's: several instances each fetch their own
//! token (WeChat keeps a replaced one valid for five minutes, and a call
//! refused with 40001 refreshes). Sharing one through Redis, or WeChat's
//! `stable_token`, would save those fetches; it is not built here.
//!
//! Nothing here logs, and no error holds a URL (reqwest's errors quote the
//! URL, which holds the app secret or the access token): a
//! [`WeChatError`] is a library [`ApiError`] or a few fixed words.

use std::fmt;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;
use wxdecrypt::api::{
    AccessToken, ApiError, AppSecret, Code2Session, DEFAULT_MAX_RESPONSE_LEN, HttpRequest, Method,
    PhoneResponse, PhoneResponseParser, RequestError, ResponseKind, parse_code2session,
};
use wxdecrypt::{UnixTime, Validation};
use zeroize::Zeroizing;

use crate::config::{Config, DEFAULT_WECHAT_BASE_URL};

/// How long before its announced expiry a cached access token is replaced.
const TOKEN_MARGIN: Duration = Duration::from_secs(300);
/// The shortest an access token is cached, whatever `expires_in` says.
const MIN_TOKEN_LIFE: Duration = Duration::from_secs(60);
/// The longest a call to WeChat may take, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a call to WeChat gave no answer the server can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeChatError {
    /// WeChat answered with an error, or an answer the library refused.
    Api(ApiError),
    /// An argument could not go into a request (an empty or oversized
    /// code, say): the client's fault.
    Request(RequestError),
    /// No usable answer: the fixed words say which way it failed.
    Transport(&'static str),
}

impl WeChatError {
    fn transport(error: &reqwest::Error) -> Self {
        Self::Transport(if error.is_timeout() {
            "wechat timed out"
        } else if error.is_connect() {
            "cannot connect to wechat"
        } else {
            "wechat request failed"
        })
    }
}

impl fmt::Display for WeChatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api(error) => write!(f, "wechat answered: {error}"),
            Self::Request(error) => write!(f, "bad request argument: {error}"),
            Self::Transport(words) => f.write_str(words),
        }
    }
}

impl std::error::Error for WeChatError {}

/// A cached access token.
struct Cached {
    text: Zeroizing<String>,
    generation: u64,
    fresh_until: Instant,
}

/// The WeChat API client of one server instance.
pub struct WeChat {
    http: reqwest::Client,
    base_url: String,
    appid: String,
    secret: AppSecret,
    secret_text: Zeroizing<String>,
    /// Held across a token fetch: requests that need a token while one is
    /// being fetched wait for it instead of fetching their own.
    token: Mutex<Option<Cached>>,
}

impl WeChat {
    /// A client for the mini program and WeChat base URL of `config`.
    ///
    /// # Errors
    /// [`WeChatError::Request`] when the app secret is empty, oversized or
    /// holds a control character; [`WeChatError::Transport`] when the HTTP
    /// client cannot be built.
    pub fn new(config: &Config) -> Result<Self, WeChatError> {
        // reqwest is built without a TLS crypto provider: ring is ours. A
        // provider installed earlier (by the host program) is kept.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(2))
            .redirect(reqwest::redirect::Policy::none());
        if is_loopback(config.wechat_base_url()) {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|_| WeChatError::Transport("cannot build the HTTP client"))?;
        Ok(Self {
            http,
            base_url: config.wechat_base_url().to_owned(),
            appid: config.appid().to_owned(),
            secret: AppSecret::new(config.secret()).map_err(WeChatError::Request)?,
            secret_text: Zeroizing::new(config.secret().to_owned()),
            token: Mutex::new(None),
        })
    }

    /// Exchanges the code of `wx.login` for the user's openid and session
    /// key; the key also comes back as its base64 text, for the store.
    ///
    /// # Errors
    /// [`WeChatError`]: WeChat's error (40029 for a used or expired code),
    /// a refused answer, or no answer.
    pub async fn code2session(
        &self,
        code: &str,
    ) -> Result<(Code2Session, Zeroizing<String>), WeChatError> {
        // The parser checks the key; its text is what the store keeps.
        #[derive(Deserialize)]
        struct KeyText {
            session_key: String,
        }
        let request = HttpRequest::code2session(&self.appid, &self.secret, code)
            .map_err(WeChatError::Request)?;
        let text = self.send(&request).await?;
        let session = parse_code2session(&text).map_err(WeChatError::Api)?;
        let key = serde_json::from_str::<KeyText>(&text)
            .map_err(|_| WeChatError::Transport("code2session answer unreadable"))?;
        Ok((session, Zeroizing::new(key.session_key)))
    }

    /// Exchanges the code of the newer phone number button for the phone
    /// number, its watermark checked by `validation` at `now`.
    ///
    /// # Errors
    /// [`WeChatError`]: WeChat's error (40029 for a used or expired code),
    /// a refused answer, or no answer. An invalid or expired access token
    /// is refreshed and the call made once more.
    pub async fn phone_number(
        &self,
        code: &str,
        validation: &Validation,
        now: UnixTime,
    ) -> Result<PhoneResponse, WeChatError> {
        let (token, generation) = self.access_token(None).await?;
        match self.phone_number_with(&token, code, validation, now).await {
            Err(WeChatError::Api(ApiError::InvalidAccessToken | ApiError::ExpiredAccessToken)) => {
                let (token, _) = self.access_token(Some(generation)).await?;
                self.phone_number_with(&token, code, validation, now).await
            }
            other => other,
        }
    }

    async fn phone_number_with(
        &self,
        token: &AccessToken,
        code: &str,
        validation: &Validation,
        now: UnixTime,
    ) -> Result<PhoneResponse, WeChatError> {
        let request =
            HttpRequest::get_user_phone_number(token, code).map_err(WeChatError::Request)?;
        let text = self.send(&request).await?;
        PhoneResponseParser::new(validation)
            .expect(ResponseKind::GetUserPhoneNumber)
            .parse_at(&text, now)
            .map_err(WeChatError::Api)
    }

    /// The cached access token and its generation, fetched when there is
    /// none, it is about to expire, or it is generation `stale` (the one a
    /// call just found refused). One fetch serves every request waiting.
    async fn access_token(&self, stale: Option<u64>) -> Result<(AccessToken, u64), WeChatError> {
        let mut cache = self.token.lock().await;
        if let Some(cached) = cache.as_ref()
            && cached.fresh_until > Instant::now()
            && Some(cached.generation) != stale
        {
            let token = AccessToken::new(&cached.text).map_err(WeChatError::Request)?;
            return Ok((token, cached.generation));
        }
        let (text, expires_in) = self.fetch_access_token().await?;
        let generation = cache.as_ref().map_or(1, |c| c.generation + 1);
        let life = expires_in.saturating_sub(TOKEN_MARGIN).max(MIN_TOKEN_LIFE);
        let token = AccessToken::new(&text)
            .map_err(|_| WeChatError::Transport("token answer holds an unusable token"))?;
        *cache = Some(Cached {
            text,
            generation,
            fresh_until: Instant::now() + life,
        });
        Ok((token, generation))
    }

    /// `GET {base}/cgi-bin/token?grant_type=client_credential&appid=..&secret=..`.
    async fn fetch_access_token(&self) -> Result<(Zeroizing<String>, Duration), WeChatError> {
        let mut url = Zeroizing::new(String::with_capacity(256));
        url.push_str(&self.base_url);
        url.push_str("/cgi-bin/token?grant_type=client_credential&appid=");
        percent_encode(&mut url, &self.appid);
        url.push_str("&secret=");
        percent_encode(&mut url, &self.secret_text);
        let response = self
            .http
            .get(url.as_str())
            .send()
            .await
            .map_err(|e| WeChatError::transport(&e))?;
        let text = read_bounded(response).await?;
        parse_token(&text)
    }

    /// Sends `request` to the configured base URL and reads the answer.
    async fn send(&self, request: &HttpRequest) -> Result<Zeroizing<String>, WeChatError> {
        let path = request
            .url()
            .strip_prefix(DEFAULT_WECHAT_BASE_URL)
            .ok_or(WeChatError::Transport("request for another host"))?;
        let mut url = Zeroizing::new(String::with_capacity(self.base_url.len() + path.len()));
        url.push_str(&self.base_url);
        url.push_str(path);
        let builder = match request.method() {
            Method::Get => self.http.get(url.as_str()),
            _ => self.http.post(url.as_str()),
        };
        let builder = match (request.body(), request.content_type()) {
            (Some(body), Some(content_type)) => builder
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(body.to_owned()),
            _ => builder,
        };
        let response = builder
            .send()
            .await
            .map_err(|e| WeChatError::transport(&e))?;
        read_bounded(response).await
    }
}

impl fmt::Debug for WeChat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeChat")
            .field("base_url", &self.base_url)
            .field("appid", &self.appid)
            .finish_non_exhaustive()
    }
}

/// The body of a 200 answer, at most [`DEFAULT_MAX_RESPONSE_LEN`] bytes of
/// UTF-8, in a buffer wiped on drop.
async fn read_bounded(mut response: reqwest::Response) -> Result<Zeroizing<String>, WeChatError> {
    if !response.status().is_success() {
        return Err(WeChatError::Transport("wechat answered with an HTTP error"));
    }
    let mut body = Zeroizing::new(Vec::with_capacity(4096));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| WeChatError::transport(&e))?
    {
        if body.len() + chunk.len() > DEFAULT_MAX_RESPONSE_LEN {
            return Err(WeChatError::Api(ApiError::TooLarge {
                len: body.len() + chunk.len(),
                max: DEFAULT_MAX_RESPONSE_LEN,
            }));
        }
        body.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(std::mem::take(&mut *body))
        .map_err(|_| WeChatError::Transport("wechat answer is not UTF-8"))?;
    Ok(Zeroizing::new(text))
}

/// Reads `{"access_token":"..","expires_in":7200}` or WeChat's error.
fn parse_token(text: &str) -> Result<(Zeroizing<String>, Duration), WeChatError> {
    #[derive(Deserialize)]
    struct TokenAnswer {
        access_token: Option<String>,
        expires_in: Option<u64>,
        errcode: Option<i64>,
    }
    let answer: TokenAnswer = serde_json::from_str(text)
        .map_err(|_| WeChatError::Transport("token answer unreadable"))?;
    match (answer.errcode, answer.access_token, answer.expires_in) {
        (None | Some(0), Some(token), Some(expires_in)) if !token.is_empty() => {
            Ok((Zeroizing::new(token), Duration::from_secs(expires_in)))
        }
        (Some(code), _, _) if code != 0 => Err(WeChatError::Api(api_error(code))),
        _ => Err(WeChatError::Transport("token answer without a token")),
    }
}

/// The library's error for a WeChat error code (`-1` is
/// [`ApiError::SystemBusy`], 40013 [`ApiError::InvalidAppId`], ...). The
/// library builds these values only in its parsers, so the code goes
/// through one: an error answer of `code2session`'s shape, which they share.
fn api_error(code: i64) -> ApiError {
    let text = format!(r#"{{"errcode":{code},"errmsg":""}}"#);
    parse_code2session(&text).err().unwrap_or(ApiError::WeChat {
        code,
        message: String::new(),
    })
}

/// Appends `value` percent-encoded (every byte but RFC 3986's unreserved).
fn percent_encode(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

/// Whether `base_url` names this machine (no proxy is used for it).
fn is_loopback(base_url: &str) -> bool {
    let rest = base_url
        .strip_prefix("http://")
        .or_else(|| base_url.strip_prefix("https://"))
        .unwrap_or(base_url);
    ["127.0.0.1", "localhost", "[::1]"].iter().any(|host| {
        rest == *host
            || rest.starts_with(&format!("{host}:"))
            || rest.starts_with(&format!("{host}/"))
    })
}
