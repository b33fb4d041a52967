//! The report text: `Display` for a finding and a diagnosis (the step that
//! failed, the finding, its likely cause and the fix, what production
//! returns). Where production names the problem, the finding is written as
//! the production [`Error`] writes itself.

use core::fmt;

use crate::error::{Damage, Error, Stage};

use super::JsonProblem;
use super::finding::{Diagnosis, Finding, LengthHint};
use super::members::{MemberNames, PayloadKind};
use crate::validation::Watermark;

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input { error, .. } => write!(f, "{error}"),
            Self::EncodedTwice { field, .. } => {
                write!(f, "{field} is base64 of base64: it was encoded twice")
            }
            Self::KeyWrongOrStale {
                single_block,
                padding_passed,
            } => write_key_wrong(f, *single_block, *padding_passed),
            Self::Truncated => f.write_str(
                "the padding check fails, yet the text before it reads as JSON: \
                 the session_key is right, the end of the data is wrong",
            ),
            Self::IvWrong { resembles } => {
                f.write_str(
                    "only the iv is wrong: the first 16 bytes of the plaintext are garbage, \
             the rest is the end of a well-formed JSON object",
                )?;
                match resembles {
                    Some(kind) => write!(f, " (a {kind} payload, by its member names)"),
                    None => Ok(()),
                }
            }
            Self::NotUtf8 => f.write_str(
                "the padding is right and most of the plaintext is text, \
                 but some bytes are not UTF-8",
            ),
            Self::MalformedJson { problem } => f.write_str(plaintext_problem(*problem)),
            Self::UnexpectedShape {
                resembles,
                missing,
                members,
            } => write_shape(f, *resembles, missing, members),
            Self::Policy { kind, error } => write!(f, "a {kind} payload: {error}"),
            Self::Valid {
                kind,
                watermark,
                appid,
                appid_checked,
            } => write_valid(
                f,
                *kind,
                watermark.as_ref(),
                appid.as_deref(),
                *appid_checked,
            ),
        }
    }
}

fn write_key_wrong(
    f: &mut fmt::Formatter<'_>,
    single_block: bool,
    padding_passed: bool,
) -> fmt::Result {
    f.write_str(if padding_passed {
        "the padding check passed by chance (1 in 256), but the plaintext is random \
         bytes: this encryptedData was not encrypted with this session_key"
    } else {
        "the padding check fails and nothing decrypts to text: \
         this encryptedData was not encrypted with this session_key"
    })?;
    if single_block {
        f.write_str(" (or, as the data is a single block, a wrong iv gives the same result)")?;
    }
    Ok(())
}

fn write_shape(
    f: &mut fmt::Formatter<'_>,
    resembles: Option<PayloadKind>,
    missing: &[&str],
    members: &MemberNames,
) -> fmt::Result {
    write!(f, "a JSON object with {members}: ")?;
    match resembles {
        None => f.write_str("none of the payload kinds"),
        Some(kind) if missing.is_empty() => write!(
            f,
            "the members of a {kind} payload, but a value has the wrong type or breaks a rule"
        ),
        Some(kind) => write!(
            f,
            "closest to a {kind} payload, which needs {} too",
            missing.join(", ")
        ),
    }
}

fn write_valid(
    f: &mut fmt::Formatter<'_>,
    kind: PayloadKind,
    watermark: Option<&Watermark>,
    appid: Option<&str>,
    appid_checked: bool,
) -> fmt::Result {
    let (Some(mark), Some(appid)) = (watermark, appid) else {
        return write!(
            f,
            "a valid {kind} payload without a watermark (accepted as asked)"
        );
    };
    write!(
        f,
        "a valid {kind} payload for appid {appid:?}, made at {}",
        mark.timestamp.as_secs()
    )?;
    if !appid_checked {
        f.write_str(" (the appid was not checked: none was given)")?;
    }
    Ok(())
}

/// What the report's first line says failed: the step of decryption the
/// finding belongs to (finer than its [`Stage`]), or that all passed.
const fn step(finding: &Finding) -> &'static str {
    match finding {
        Finding::Input { .. }
        | Finding::EncodedTwice {
            reaches_cipher: false,
            ..
        } => "reading the inputs (base64, lengths)",
        Finding::EncodedTwice {
            reaches_cipher: true,
            ..
        }
        | Finding::KeyWrongOrStale { .. }
        | Finding::Truncated => "decrypting (AES-128-CBC, PKCS#7 padding)",
        Finding::IvWrong { .. } | Finding::NotUtf8 | Finding::MalformedJson { .. } => {
            "reading the plaintext (UTF-8, JSON)"
        }
        Finding::UnexpectedShape { .. } => "recognising the payload",
        Finding::Policy { .. } => "checking the watermark (appid, time)",
        Finding::Valid { .. } => "all checks passed",
    }
}

/// The likely cause and the fix for a finding; `None` when all passed.
fn cause_and_fix(finding: &Finding) -> Option<(&'static str, &'static str)> {
    Some(match finding {
        Finding::Input { error, hint, .. } => input_cause_and_fix(error, *hint),
        Finding::EncodedTwice { .. } => (
            "what it decodes to is base64 again: the value was base64-encoded twice",
            "decode it once before passing it, or drop the extra encoding",
        ),
        Finding::KeyWrongOrStale { .. } => (
            "most often a stale session_key: wx.login ran in the button's callback \
             (or after the tap), so code2session returned a new key that WeChat did not \
             encrypt with; otherwise the key belongs to another user or mini program",
            "call wx.login before the user taps the button (or wx.checkSession in the \
             callback) and keep the key code2session returned for that login; a key can be \
             checked without decrypting: getUserInfo's signature must equal \
             sha1(rawData + session_key)",
        ),
        Finding::Truncated => (
            "the encryptedData was cut at a 16-byte boundary (a database column, a buffer \
             or a log line too short) or its end was altered",
            "store and pass the whole encryptedData (a few KiB of base64)",
        ),
        Finding::IvWrong { .. } => (
            "the iv is not the one sent with this encryptedData: in CBC the iv only enters \
             the first block (a wrong key would garble every block); an iv from another \
             request, or one altered on the way",
            "pass the iv from the same event (e.detail.iv) as the encryptedData",
        ),
        Finding::NotUtf8 => (
            "the encryptedData was altered in the middle (a changed ciphertext block garbles \
             its own 16 bytes and one byte of the next), or the payload is not WeChat's",
            "compare the encryptedData with what the mini program sent",
        ),
        Finding::MalformedJson { .. } | Finding::UnexpectedShape { .. } => (
            "WeChat sends compact JSON objects of known shapes: this data comes from another \
             encryptor (a test fixture, another SDK), is a payload kind this crate has no \
             type for, or was altered",
            "for other payload kinds, use decrypt_raw or your own serde type; \
             otherwise check where the data comes from",
        ),
        Finding::Policy { error, .. } => policy_cause_and_fix(error),
        Finding::Valid { .. } => return None,
    })
}

/// The likely cause and the fix for an input error.
const fn input_cause_and_fix(
    error: &Error,
    hint: Option<LengthHint>,
) -> (&'static str, &'static str) {
    match error {
        Error::Empty { .. } => (
            "the field was not sent, or was read under another name",
            "check the request body and the code2session response \
             (WeChat names them session_key, iv and encryptedData)",
        ),
        Error::TooLarge { .. } => (
            "not the value expected (a whole request body?), or far larger than WeChat's \
             payloads (under 4 KiB)",
            "pass the field alone; raise the limit only for payloads you expect to be large",
        ),
        Error::SpaceInBase64 { .. } => (
            "a `+` was turned into a space by URL or form decoding (the value travelled \
             in a query string or an x-www-form-urlencoded body)",
            "send the values in a JSON body (or encodeURIComponent them), \
             or read them with the lenient base64 mode",
        ),
        Error::DamagedBase64 { damage, .. } => damage_cause_and_fix(*damage),
        Error::WrongLength { .. } => match hint {
            Some(hint) => length_cause_and_fix(hint),
            None => length_cause_and_fix(LengthHint::Unknown),
        },
        Error::NotBlockAligned { .. } => (
            "the text was cut short (a database column or a log line too short?), \
             or is not the encryptedData",
            "pass the field exactly as received",
        ),
        // `InvalidBase64`; the parser gives no other input error.
        _ => (
            "the text is not what WeChat sent: another field, a placeholder, \
             or text altered on the way",
            "compare the field with what the mini program sent \
             (its length, its first characters; never print the session_key)",
        ),
    }
}

/// The likely cause and the fix for a policy error.
const fn policy_cause_and_fix(error: &Error) -> (&'static str, &'static str) {
    match error {
        Error::AppIdMismatch { .. } => (
            "the session_key came from code2session with another mini program's appid and \
             secret (a test and a production app mixed up), or the appid configured is wrong",
            "use the same appid for code2session and for the Validation",
        ),
        Error::Expired { .. } => (
            "the payload was stored and replayed, or the clock used (the server's, or --now) \
             is wrong",
            "decrypt payloads as they arrive; for old samples, pass the time they were made \
             (decrypt_at, --now) or a larger maximum age",
        ),
        Error::FromFuture { .. } => (
            "the server's clock is behind, or the time given (--now) is wrong",
            "synchronise the clock (NTP), or check --now",
        ),
        // `MissingWatermark`, the only other error the check gives.
        _ => (
            "WeChat adds a watermark to every payload: this one was made elsewhere \
             (a test fixture, another SDK's sample)",
            "for such data only: Validation::accept_missing_watermark \
             (--accept-missing-watermark)",
        ),
    }
}

const fn damage_cause_and_fix(damage: Damage) -> (&'static str, &'static str) {
    match damage {
        Damage::LineBreak => (
            "the text was wrapped on the way (a logger, a mail or MIME encoder)",
            "remove the whitespace, or read it with the lenient base64 mode",
        ),
        Damage::PercentEncoded => (
            "the value was URL-encoded once more than it was decoded",
            "decode it once more, or read it with the lenient base64 mode",
        ),
        Damage::UrlSafeAlphabet => (
            "it was re-encoded as base64url between the mini program and your server",
            "map `-` to `+` and `_` to `/`, or read it with the lenient base64 mode",
        ),
        Damage::MissingPadding => (
            "a URL, cookie or storage step dropped the trailing `=`",
            "restore the padding, or read it with the lenient base64 mode",
        ),
        Damage::SurroundingWhitespace => (
            "whitespace came with the text (a copy and paste, a file's last line)",
            "trim the text, or read it with the lenient base64 mode",
        ),
        Damage::Hex => (
            "the text is 32 hexadecimal digits: the value was hex-encoded, not base64",
            "pass the base64 text WeChat sent, or the 16 bytes to from_bytes",
        ),
    }
}

const fn length_cause_and_fix(hint: LengthHint) -> (&'static str, &'static str) {
    match hint {
        LengthHint::AlreadyDecoded => (
            "the text has 16 characters: the raw bytes were passed where their base64 \
             belongs (decoded once too often)",
            "pass the value as WeChat sent it: 24 base64 characters ending in `==`",
        ),
        LengthHint::Hex => (
            "the text is 32 hexadecimal digits: the value was hex-encoded, not base64",
            "pass the base64 text WeChat sent, or the 16 bytes to from_bytes",
        ),
        LengthHint::Unknown => (
            "the text was cut short, or is another value",
            "pass the field exactly as received (a key or iv is 24 base64 characters)",
        ),
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.is_valid() { "" } else { ": failed" };
        writeln!(f, "stage:   {}{verdict}", step(&self.finding))?;
        writeln!(f, "finding: {}", self.finding)?;
        if let Some((cause, fix)) = cause_and_fix(&self.finding) {
            writeln!(f, "cause:   {cause}")?;
            writeln!(f, "fix:     {fix}")?;
        }
        if self.finding.lenient_repairs() {
            writeln!(f, "repair:  the lenient base64 mode repairs this field")?;
        }
        write!(f, "in production: ")?;
        match (self.stage(), &self.finding) {
            (Some(Stage::Decryption), _) => f.write_str(
                "Error::Decryption, opaque on purpose; never pass this diagnosis \
                 (or anything that depends on it) to a client: it is a padding oracle",
            )?,
            (Some(Stage::Policy), _) => f.write_str("a policy error (Stage::Policy)")?,
            (Some(_), _) => f.write_str("an input error (Stage::Input), before any decryption")?,
            (
                None,
                Finding::Valid {
                    kind,
                    appid_checked,
                    ..
                },
            ) => {
                write!(f, "decrypt::<{}> accepts it", kind.type_name())?;
                if !appid_checked {
                    f.write_str(" if the Validation names this appid")?;
                }
            }
            (None, _) => f.write_str("accepted")?,
        }
        if let Some(repaired) = &self.after_repair {
            f.write_str("\nafter the lenient repair:")?;
            for line in repaired.to_string().lines() {
                write!(f, "\n  {line}")?;
            }
        }
        Ok(())
    }
}

/// What a [`JsonProblem`] says about a decrypted plaintext.
const fn plaintext_problem(problem: JsonProblem) -> &'static str {
    match problem {
        JsonProblem::DuplicateKey => "the plaintext is JSON with a key given twice",
        JsonProblem::TooDeep => "the plaintext is JSON nested more than 32 levels deep",
        JsonProblem::NotAnObject => "the plaintext is JSON but not an object",
        JsonProblem::BadWatermark => {
            "the plaintext's watermark is not {\"appid\": string, \"timestamp\": integer}"
        }
        JsonProblem::Syntax | JsonProblem::Shape => {
            "the plaintext is text but not a well-formed JSON object"
        }
    }
}
