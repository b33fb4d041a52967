//! The one error type, with variants grouped by the stage that failed.

use core::fmt;

/// Which input a problem was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// The user's `session_key` from `code2session`.
    SessionKey,
    /// The `iv` sent by the mini program with the encrypted data.
    Iv,
    /// The `encryptedData` sent by the mini program.
    EncryptedData,
}

impl Field {
    /// The field's name as WeChat's server API spells it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SessionKey => "session_key",
            Self::Iv => "iv",
            Self::EncryptedData => "encrypted_data",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What was done to base64 text on its way: transport damage, which
/// [`InputParser::lenient`](crate::InputParser::lenient) repairs, and
/// [`Hex`](Self::Hex), a value encoded otherwise, which it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Damage {
    /// A line break or tab: the text was wrapped.
    LineBreak,
    /// A `%`: the text is still URL-encoded.
    PercentEncoded,
    /// A `-` or `_`: the URL-safe base64 alphabet, not WeChat's standard one.
    UrlSafeAlphabet,
    /// A length that is not a multiple of 4: the `=` padding was lost.
    MissingPadding,
    /// Whitespace before or after the text and nowhere inside it: picked up
    /// with a copy and paste or a file's last line, rather than a `+` lost
    /// to form decoding (the text without it has a base64 length).
    SurroundingWhitespace,
    /// An iv of 32 hexadecimal digits: its 16 bytes were hex-encoded, not
    /// base64-encoded. Named for the iv only (its text is public); the
    /// lenient mode does not repair it.
    Hex,
}

/// Everything that can go wrong between the three base64 strings and a
/// verified payload.
///
/// The variants fall into three groups:
///
/// - **Input problems** ([`Empty`](Self::Empty) to
///   [`CandidateKeyCount`](Self::CandidateKeyCount)) are found before
///   anything is decrypted. They only describe public properties of the
///   inputs (a length, where a bad character sits, how many keys were
///   given), never the key's characters.
/// - **[`Decryption`](Self::Decryption)** is deliberately opaque: bad padding,
///   invalid UTF-8, malformed JSON and a payload of the wrong shape all give
///   this one value with one message, so a server that returns errors to its
///   clients cannot be used as a padding oracle.
/// - **Policy failures** ([`MissingWatermark`](Self::MissingWatermark) to
///   [`FromFuture`](Self::FromFuture)) are only reached after a complete,
///   well-formed payload was decrypted; they carry the values involved.
///
/// **Give each session key a failure budget.** The time a failed decryption
/// takes still says a little about the plaintext (the crate's README,
/// Security), and every way to use that needs many failures under one
/// `session_key`: tens per plaintext byte even over a perfect channel. Count
/// the errors of [`Stage::Decryption`] and [`Stage::Policy`] per session
/// key, never reset the count on a success, and after **5** drop the key
/// and make the client call `wx.login` again: what was learned under the
/// old key is worth nothing under the new one. A genuine client with a
/// stale key fails once or twice before it logs in again.
///
/// Messages never contain the session key, a phone number or any personal
/// data from the payload. The only decrypted values they carry are a
/// watermark's appid (only when it is written as an appid can be, cut to 64
/// characters, and escaped when displayed) and timestamp, which identify the
/// mini program and the moment, not the user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    // ----- Input problems -----
    /// The field is an empty string.
    Empty {
        /// The empty field.
        field: Field,
    },
    /// The text is longer than the configured limit; nothing was decoded.
    TooLarge {
        /// The field that is too large.
        field: Field,
        /// Its length in base64 characters.
        len: usize,
        /// The largest length accepted, in base64 characters.
        max: usize,
    },
    /// The text contains a space, where base64 has none. URL or form decoding
    /// turns `+` into a space; the lenient base64 mode repairs it.
    SpaceInBase64 {
        /// The field holding the space.
        field: Field,
        /// Byte offset of the first space (not given for the session key).
        position: Option<usize>,
    },
    /// The text shows a kind of transport damage other than a `+` turned
    /// into a space, or is an iv written in hex.
    DamagedBase64 {
        /// The damaged field.
        field: Field,
        /// What was found.
        damage: Damage,
        /// Byte offset of the first damaged character, when there is one
        /// (never given for the session key).
        position: Option<usize>,
    },
    /// The text is not valid standard base64 (an invalid character, bad
    /// padding, or non-zero trailing bits).
    InvalidBase64 {
        /// The field that failed to decode.
        field: Field,
        /// Byte offset of the first offending character when known, in the
        /// text as given (after the repair, in lenient mode); never given for
        /// the session key.
        position: Option<usize>,
    },
    /// A session key or iv that does not decode to exactly 16 bytes.
    WrongLength {
        /// The session key or the iv.
        field: Field,
        /// How many bytes the text holds once decoded (or would hold).
        len: usize,
    },
    /// Encrypted data whose decoded length is not a multiple of the 16-byte
    /// AES block.
    NotBlockAligned {
        /// The decoded length in bytes.
        len: usize,
    },
    /// A list of candidate session keys that is empty or longer than
    /// [`MAX_CANDIDATE_KEYS`](crate::MAX_CANDIDATE_KEYS), given to
    /// [`decrypt_with_keys`](crate::decrypt_with_keys).
    CandidateKeyCount {
        /// How many keys were given.
        count: usize,
        /// The most keys tried.
        max: usize,
    },

    // ----- Decryption: one opaque value on purpose -----
    /// The data did not decrypt to a well-formed payload under this key and
    /// iv. Padding, UTF-8, JSON syntax, duplicate keys and payload shape
    /// failures are indistinguishable by design.
    Decryption,

    // ----- Policy checks on a decrypted payload -----
    /// The payload has no `watermark`, and the [`Validation`](crate::Validation)
    /// did not accept that.
    MissingWatermark,
    /// The watermark names another mini program, or holds no appid at all.
    AppIdMismatch {
        /// The appid the validation expects.
        expected: String,
        /// The appid in the watermark, cut to 64 characters, when it is
        /// written with what an appid can hold (ASCII letters, digits, `_`,
        /// `-`, `.`); empty when the watermark's appid is empty or is not an
        /// appid (its text is then not copied).
        found: String,
    },
    /// The watermark is older than the allowed maximum age plus leeway.
    Expired {
        /// The watermark's timestamp, in Unix seconds.
        timestamp: u64,
        /// The time the check used, in Unix seconds.
        now: u64,
        /// The maximum age allowed, in seconds (before leeway).
        max_age: u64,
    },
    /// The watermark lies further in the future than the leeway allows.
    FromFuture {
        /// The watermark's timestamp, in Unix seconds.
        timestamp: u64,
        /// The time the check used, in Unix seconds.
        now: u64,
        /// The clock skew tolerated, in seconds.
        leeway: u64,
    },
}

/// The stage an [`Error`] comes from: what a server needs to choose its
/// response without matching every variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stage {
    /// The inputs were refused before anything was decrypted. Errors about
    /// the `iv` and `encryptedData` are safe to report in detail to the
    /// client that sent them; errors about the session key describe what
    /// your server stored, so log them rather than return them.
    Input,
    /// [`Error::Decryption`]: answer every one of these the same way.
    Decryption,
    /// A complete payload failed the [`Validation`](crate::Validation).
    Policy,
}

impl Error {
    /// The stage this error comes from.
    #[must_use]
    pub const fn stage(&self) -> Stage {
        match self {
            Self::Empty { .. }
            | Self::TooLarge { .. }
            | Self::SpaceInBase64 { .. }
            | Self::DamagedBase64 { .. }
            | Self::InvalidBase64 { .. }
            | Self::WrongLength { .. }
            | Self::NotBlockAligned { .. }
            | Self::CandidateKeyCount { .. } => Stage::Input,
            Self::Decryption => Stage::Decryption,
            Self::MissingWatermark
            | Self::AppIdMismatch { .. }
            | Self::Expired { .. }
            | Self::FromFuture { .. } => Stage::Policy,
        }
    }
}

/// The message of [`Error::Decryption`], kept in one place so that every
/// failure after the cipher reads the same.
pub(crate) const DECRYPTION_MESSAGE: &str = "decryption failed: the data is not a valid payload under this session_key and iv \
     (most often the session_key was replaced by a later wx.login; \
     otherwise the iv belongs to other data or the data was altered)";

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty { field } => write!(f, "{field} is empty"),
            Self::TooLarge { field, len, max } => write!(
                f,
                "{field} is too large: {len} base64 characters, the limit is {max}"
            ),
            Self::SpaceInBase64 { field, position } => {
                write!(f, "{field} contains a space")?;
                write_position(f, *position)?;
                f.write_str(
                    ": a `+` was probably turned into a space by URL or form decoding \
                     (send it as a JSON body, or use the lenient base64 mode)",
                )
            }
            Self::DamagedBase64 {
                field,
                damage,
                position,
            } => write_damage(f, *field, *damage, *position),
            Self::InvalidBase64 { field, position } => {
                write!(f, "{field} is not valid base64")?;
                if let Some(position) = position {
                    write!(f, " (bad character at byte {position})")?;
                }
                Ok(())
            }
            Self::WrongLength { field, len } => write!(
                f,
                "{field} must decode to 16 bytes, got {len} \
                 (24 base64 characters expected: was it base64-decoded twice, or not at all?)"
            ),
            Self::NotBlockAligned { len } => write!(
                f,
                "encrypted_data must decode to a multiple of 16 bytes, got {len} \
                 (was it truncated, or base64-decoded twice?)"
            ),
            Self::CandidateKeyCount { count: 0, max } => write!(
                f,
                "no candidate session_key was given: pass the current one \
                 (and up to {} previous ones)",
                max.saturating_sub(1)
            ),
            Self::CandidateKeyCount { count, max } => write!(
                f,
                "{count} candidate session keys were given, at most {max} are tried \
                 (the current one and the one before it are enough for the wx.login race)"
            ),
            Self::Decryption => f.write_str(DECRYPTION_MESSAGE),
            Self::MissingWatermark => f.write_str(
                "the payload has no watermark; this validation requires one \
                 (use accept_missing_watermark for payloads that carry none)",
            ),
            Self::AppIdMismatch { expected, .. } if expected.is_empty() => f.write_str(
                "no appid is configured in the validation, so no watermark can match \
                 (give Validation::new your mini program's appid)",
            ),
            Self::AppIdMismatch { expected, found } if found.is_empty() => write!(
                f,
                "the watermark's appid is empty or not an appid (characters no appid has), \
                 so it cannot match the expected appid {expected:?} \
                 (the data is not a payload made for this mini program)"
            ),
            Self::AppIdMismatch { expected, found } => write!(
                f,
                "watermark appid {:?} does not match the expected appid {expected:?} \
                 (the data was made for another mini program)",
                found.as_str()
            ),
            Self::Expired {
                timestamp,
                now,
                max_age,
            } => write!(
                f,
                "watermark is too old: timestamp {timestamp} is {} s before now ({now}), \
                 the maximum age is {max_age} s",
                now.saturating_sub(*timestamp)
            ),
            Self::FromFuture {
                timestamp,
                now,
                leeway,
            } => write!(
                f,
                "watermark is from the future: timestamp {timestamp} is {} s after now ({now}), \
                 the leeway is {leeway} s",
                timestamp.saturating_sub(*now)
            ),
        }
    }
}

/// ` at byte N` when the position is known (it never is for the key).
pub(crate) fn write_position(f: &mut fmt::Formatter<'_>, position: Option<usize>) -> fmt::Result {
    match position {
        Some(at) => write!(f, " at byte {at}"),
        None => Ok(()),
    }
}

/// The message of [`Error::DamagedBase64`]: what was found, then the remedy.
fn write_damage(
    f: &mut fmt::Formatter<'_>,
    field: Field,
    damage: Damage,
    position: Option<usize>,
) -> fmt::Result {
    let remedy = match damage {
        Damage::LineBreak => {
            write!(f, "{field} contains a line break or tab")?;
            write_position(f, position)?;
            ": it was wrapped in transit (remove the whitespace"
        }
        Damage::PercentEncoded => {
            write!(f, "{field} is still URL-encoded: a `%`")?;
            write_position(f, position)?;
            " (decode it once more"
        }
        Damage::UrlSafeAlphabet => {
            write!(f, "{field} uses the URL-safe base64 alphabet: a `-` or `_`")?;
            write_position(f, position)?;
            " (WeChat sends standard base64: map `-` to `+` and `_` to `/`"
        }
        Damage::MissingPadding => {
            write!(f, "{field} has lost its `=` padding")?;
            ": its length is not a multiple of 4 (restore it"
        }
        Damage::SurroundingWhitespace => {
            write!(f, "{field} has whitespace before or after it")?;
            write_position(f, position)?;
            ", picked up by a copy and paste or a file's last line; its `+` characters \
             are intact (trim the text"
        }
        Damage::Hex => {
            return write!(
                f,
                "{field} is 32 hexadecimal digits: its 16 bytes were hex-encoded, \
                 where WeChat sends 24 base64 characters (pass the value as the mini \
                 program received it, or encode the 16 bytes as base64)"
            );
        }
    };
    write!(f, "{remedy}, or use the lenient base64 mode)")
}

impl std::error::Error for Error {}

/// Keeps at most this many characters of a foreign appid in an error.
const MAX_APPID_IN_ERROR: usize = 64;

/// Whether `text` is written only with what an appid can hold: ASCII
/// letters, digits, `_`, `-` and `.` (WeChat's are `wx` and 16 hex digits),
/// and is not empty.
pub(crate) fn looks_like_appid(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Copies an appid taken from a decrypted watermark into an error: its first
/// 64 characters when it [looks like an appid](looks_like_appid), else the
/// empty string, so that no decrypted free text (markup, control
/// characters, a log line) reaches a public field.
pub(crate) fn appid_for_error(found: &str) -> String {
    if looks_like_appid(found) {
        found.chars().take(MAX_APPID_IN_ERROR).collect()
    } else {
        String::new()
    }
}
