//! What a response can report, or what can be wrong with it: [`ApiError`]
//! (the server's error codes, a response too large or [`Malformed`], a
//! watermark or session key refused), and the cleaning of text copied from
//! a response into an error, so that a server's message cannot forge a log
//! line.

use core::fmt;

use super::phone::ResponseKind;
use super::response::Message;
use crate::error::Error;
use crate::json::JsonProblem;

/// Keeps at most this many characters of a message from a response.
pub(super) const MAX_MESSAGE_CHARS: usize = 200;
/// Keeps at most this many characters of an Authing request id.
pub(super) const MAX_REQUEST_ID_CHARS: usize = 64;

/// What a response can report, or what can be wrong with it.
///
/// Messages never contain an access token, a session key or a phone number.
/// Text taken from a response (an `errmsg`, Authing's `message` and
/// `requestId`) is cut to a bounded length and stripped of control and
/// bidirectional-override characters before it is stored, so it cannot
/// forge log lines; it is still the server's text, shown quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiError {
    // ----- Errors WeChat reports (errcode / errCode) -----
    /// `-1`: WeChat is busy. Retry after a short delay.
    SystemBusy,
    /// `40029`: the code does not exist, has expired (codes last five
    /// minutes) or was already used. Ask the mini program for a new one.
    InvalidCode,
    /// `45011`: the API's rate limit was reached. Retry later.
    RateLimited,
    /// `40013`: the appid is not valid.
    InvalidAppId,
    /// `40001`: the `access_token` is not valid (or the app secret used to
    /// get it was wrong). Fetch a new token.
    InvalidAccessToken,
    /// `42001`: the `access_token` has expired. Fetch a new one.
    ExpiredAccessToken,
    /// Any other non-zero WeChat error code.
    WeChat {
        /// The `errcode` or `errCode`.
        code: i64,
        /// The `errmsg` or `errMsg`, cut to 200 characters and cleaned;
        /// empty when there was none.
        message: String,
    },

    // ----- Errors Authing reports -----
    /// Authing answered with a `statusCode` other than 200, or with a
    /// non-zero `apiCode`.
    Authing {
        /// The `statusCode`.
        status_code: i64,
        /// The `apiCode`, Authing's finer error code, when given.
        api_code: Option<i64>,
        /// The `message`, cut to 200 characters and cleaned; empty when there
        /// was none.
        message: String,
        /// The `requestId` to quote to Authing's support, cut to 64
        /// characters and cleaned.
        request_id: Option<String>,
    },

    // ----- The response itself is wrong -----
    /// The response is larger than the limit; it was not parsed.
    TooLarge {
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// The response is not what the API sends: see [`Malformed`]. A
    /// success code with missing or empty data is one of these, never a
    /// success.
    Malformed(Malformed),

    // ----- Checks on the data -----
    /// The phone data's watermark failed the [`Validation`](crate::Validation): a policy
    /// error of the crate's [`Error`] ([`Error::MissingWatermark`],
    /// [`Error::AppIdMismatch`], [`Error::Expired`] or [`Error::FromFuture`]).
    Watermark(Error),
    /// The `session_key` of a `code2session` response is not a valid key:
    /// the crate's input error, which never shows the key.
    SessionKey(Error),
}

/// How a response is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Malformed {
    /// The strict JSON parser refused the text ([`JsonProblem::Syntax`],
    /// [`JsonProblem::NotAnObject`], [`JsonProblem::DuplicateKey`],
    /// [`JsonProblem::TooDeep`]), or a field has the wrong type or an invalid
    /// value ([`JsonProblem::Shape`]): a code that is not an integer, phone
    /// data with a field missing, empty or inconsistent, a watermark that is
    /// not `{"appid": string, "timestamp": integer}`.
    Json(JsonProblem),
    /// The fields match none of the response shapes, or more than one.
    UnknownShape,
    /// A response of one kind where another was expected
    /// ([`PhoneResponseParser::expect`](super::PhoneResponseParser::expect)).
    OtherKind {
        /// The kind expected.
        expected: ResponseKind,
        /// The kind found.
        found: ResponseKind,
    },
    /// A field the response must have is absent, `null` or empty (the
    /// phone data of a success, the `errcode`, `openid`, `session_key`, ...).
    MissingField(&'static str),
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(problem) => problem.fmt(f),
            Self::UnknownShape => f.write_str(
                "not a getuserphonenumber, cloud call or Authing response \
                 (or fields of several)",
            ),
            Self::OtherKind { expected, found } => {
                write!(
                    f,
                    "a response of kind {found} where {expected} was expected"
                )
            }
            Self::MissingField(name) => write!(f, "{name} is missing, null or empty"),
        }
    }
}

impl ApiError {
    /// The numeric code the server gave: WeChat's `errcode` / `errCode`, or
    /// Authing's `apiCode` (its `statusCode` when no `apiCode` was given).
    /// `None` for errors found by this crate.
    #[must_use]
    pub const fn code(&self) -> Option<i64> {
        match self {
            Self::SystemBusy => Some(-1),
            Self::InvalidCode => Some(40029),
            Self::RateLimited => Some(45011),
            Self::InvalidAppId => Some(40013),
            Self::InvalidAccessToken => Some(40001),
            Self::ExpiredAccessToken => Some(42001),
            Self::WeChat { code, .. } => Some(*code),
            Self::Authing {
                status_code,
                api_code,
                ..
            } => match api_code {
                Some(code) => Some(*code),
                None => Some(*status_code),
            },
            Self::TooLarge { .. }
            | Self::Malformed(_)
            | Self::Watermark(_)
            | Self::SessionKey(_) => None,
        }
    }

    /// Whether the same request may succeed if sent again after a delay:
    /// [`SystemBusy`](Self::SystemBusy) and
    /// [`RateLimited`](Self::RateLimited). An expired token needs a new
    /// token first, and a code is used once, so neither is retryable as is.
    #[must_use]
    pub const fn is_retryable(&self) -> bool {
        matches!(self, Self::SystemBusy | Self::RateLimited)
    }

    /// The error for a non-zero WeChat code.
    pub(super) fn wechat(code: i64, message: Option<Message>) -> Self {
        match code {
            -1 => Self::SystemBusy,
            40029 => Self::InvalidCode,
            45011 => Self::RateLimited,
            40013 => Self::InvalidAppId,
            40001 => Self::InvalidAccessToken,
            42001 => Self::ExpiredAccessToken,
            _ => Self::WeChat {
                code,
                message: message.map(|m| m.0).unwrap_or_default(),
            },
        }
    }
}

impl From<JsonProblem> for ApiError {
    fn from(problem: JsonProblem) -> Self {
        // The top-level watermark rule is the decrypted payloads'; in a
        // response, a malformed member of that name is a field of the wrong
        // shape like any other.
        Self::Malformed(Malformed::Json(match problem {
            JsonProblem::BadWatermark => JsonProblem::Shape,
            other => other,
        }))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SystemBusy => f.write_str("wechat error -1: the system is busy, retry later"),
            Self::InvalidCode => f.write_str(
                "wechat error 40029: the code is invalid, expired or already used \
                 (ask the mini program for a new one)",
            ),
            Self::RateLimited => {
                f.write_str("wechat error 45011: the API's rate limit was reached, retry later")
            }
            Self::InvalidAppId => f.write_str("wechat error 40013: the appid is invalid"),
            Self::InvalidAccessToken => {
                f.write_str("wechat error 40001: the access_token is invalid (fetch a new one)")
            }
            Self::ExpiredAccessToken => {
                f.write_str("wechat error 42001: the access_token has expired (fetch a new one)")
            }
            Self::WeChat { code, message } => write!(f, "wechat error {code}: {message:?}"),
            Self::Authing {
                status_code,
                api_code,
                message,
                request_id,
            } => {
                write!(f, "authing error: statusCode {status_code}")?;
                if let Some(api_code) = api_code {
                    write!(f, ", apiCode {api_code}")?;
                }
                if let Some(request_id) = request_id {
                    write!(f, ", requestId {request_id:?}")?;
                }
                write!(f, ": {message:?}")
            }
            Self::TooLarge { len, max } => write!(
                f,
                "the response is too large: {len} bytes, the limit is {max}"
            ),
            Self::Malformed(malformed) => write!(f, "malformed response: {malformed}"),
            Self::Watermark(error) => write!(f, "the phone data's watermark is refused: {error}"),
            Self::SessionKey(error) => {
                write!(
                    f,
                    "the session_key in the code2session response is refused: {error}"
                )
            }
        }
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Watermark(error) | Self::SessionKey(error) => Some(error),
            _ => None,
        }
    }
}

/// Text from a response, made safe to log: control and bidirectional
/// formatting characters dropped, cut to `max` characters (an ellipsis marks
/// the cut).
pub(super) fn clean(text: &str, max: usize) -> String {
    let mut kept = text
        .chars()
        .filter(|&c| !c.is_control() && !is_bidi_control(c));
    let mut out: String = kept.by_ref().take(max).collect();
    if kept.next().is_some() {
        out.push('…');
    }
    out
}

/// The invisible characters that reorder displayed text.
const fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_drops_control_and_bidi_characters_and_marks_the_cut() {
        assert_eq!(clean("a\nb\u{1b}[31mc\u{202e}d", 100), "ab[31mcd");
        assert_eq!(clean("abcdef", 3), "abc…");
        assert_eq!(clean("abc", 3), "abc");
        assert_eq!(clean("", 3), "");
    }

    #[test]
    fn every_json_kind_maps_to_a_malformed_kind() {
        let cases = [
            (JsonProblem::Syntax, Malformed::Json(JsonProblem::Syntax)),
            (
                JsonProblem::NotAnObject,
                Malformed::Json(JsonProblem::NotAnObject),
            ),
            (
                JsonProblem::DuplicateKey,
                Malformed::Json(JsonProblem::DuplicateKey),
            ),
            (JsonProblem::TooDeep, Malformed::Json(JsonProblem::TooDeep)),
            (
                JsonProblem::BadWatermark,
                Malformed::Json(JsonProblem::Shape),
            ),
            (JsonProblem::Shape, Malformed::Json(JsonProblem::Shape)),
        ];
        for (kind, expected) in cases {
            assert_eq!(ApiError::from(kind), ApiError::Malformed(expected));
        }
    }
}
