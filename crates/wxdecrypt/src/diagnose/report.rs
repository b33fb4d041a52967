//! The report text: `Display` for a finding and a diagnosis, with the
//! likely cause and the fix of each finding.

use core::fmt;

use crate::error::{Damage, Field, Stage, write_position};

use super::JsonProblem;
use super::finding::{Diagnosis, Finding, LengthHint, SeenWatermark};
use super::members::{MemberNames, PayloadKind};

// ----- Display -----

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty { field } => write!(f, "{field} is empty"),
            Self::TooLarge { field, len, max } => {
                write!(f, "{field} has {len} bytes, over the limit of {max}")
            }
            Self::SpaceForPlus {
                field, position, ..
            } => {
                write!(f, "{field} contains a space")?;
                write_position(f, *position)
            }
            Self::TransportDamage {
                field,
                damage,
                position,
                ..
            } => write_damage(f, *field, *damage, *position),
            Self::NotBase64 { field, position } => {
                write!(f, "{field} is not base64")?;
                write_position(f, *position)
            }
            Self::WrongLength { field, len, .. } => {
                write!(f, "{field} decodes to {len} bytes, not 16")
            }
            Self::EncodedTwice { field, .. } => {
                write!(f, "{field} is base64 of base64: it was encoded twice")
            }
            Self::NotBlockAligned { len } => write!(
                f,
                "encrypted_data decodes to {len} bytes, not a multiple of the 16-byte AES block"
            ),
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
            Self::MissingWatermark { kind } => write!(f, "a {kind} payload without a watermark"),
            Self::AppIdMismatch { expected, .. } if expected.is_empty() => {
                f.write_str("an empty appid was given, and an empty appid matches no watermark")
            }
            Self::AppIdMismatch {
                kind,
                expected,
                found,
            } => write!(
                f,
                "a {kind} payload made for appid {found:?}, not for {expected:?}"
            ),
            Self::Expired {
                kind,
                timestamp,
                now,
                max_age,
                leeway,
            } => write!(
                f,
                "a {kind} payload made at {timestamp}, {} s before now ({now}); \
                 the limit is {max_age} s plus {leeway} s of leeway",
                now.saturating_sub(*timestamp)
            ),
            Self::FromFuture {
                kind,
                timestamp,
                now,
                leeway,
            } => write!(
                f,
                "a {kind} payload made at {timestamp}, {} s after now ({now}); \
                 the leeway is {leeway} s",
                timestamp.saturating_sub(*now)
            ),
            Self::Valid {
                kind,
                watermark,
                appid_checked,
            } => write_valid(f, *kind, watermark.as_ref(), *appid_checked),
        }
    }
}

fn write_damage(
    f: &mut fmt::Formatter<'_>,
    field: Field,
    damage: Damage,
    position: Option<usize>,
) -> fmt::Result {
    match damage {
        Damage::LineBreak => write!(f, "{field} contains a line break or tab")?,
        Damage::PercentEncoded => write!(f, "{field} still contains a `%` escape")?,
        Damage::UrlSafeAlphabet => {
            write!(f, "{field} uses the URL-safe base64 alphabet (`-`, `_`)")?;
        }
        Damage::MissingPadding => write!(f, "{field} has lost its `=` padding")?,
    }
    write_position(f, position)
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
    watermark: Option<&SeenWatermark>,
    appid_checked: bool,
) -> fmt::Result {
    let Some(mark) = watermark else {
        return write!(
            f,
            "a valid {kind} payload without a watermark (accepted as asked)"
        );
    };
    write!(
        f,
        "a valid {kind} payload for appid {:?}, made at {}",
        mark.appid,
        mark.timestamp.as_secs()
    )?;
    if !appid_checked {
        f.write_str(" (the appid was not checked: none was given)")?;
    }
    Ok(())
}

/// The likely cause and the fix for a finding; `None` when all passed.
fn cause_and_fix(finding: &Finding) -> Option<(&'static str, &'static str)> {
    Some(match finding {
        Finding::Empty { .. } => (
            "the field was not sent, or was read under another name",
            "check the request body and the code2session response \
             (WeChat names them session_key, iv and encryptedData)",
        ),
        Finding::TooLarge { .. } => (
            "not the value expected (a whole request body?), or far larger than WeChat's \
             payloads (under 4 KiB)",
            "pass the field alone; raise the limit only for payloads you expect to be large",
        ),
        Finding::SpaceForPlus { .. } => (
            "a `+` was turned into a space by URL or form decoding (the value travelled \
             in a query string or an x-www-form-urlencoded body)",
            "send the values in a JSON body (or encodeURIComponent them), \
             or read them with the lenient base64 mode",
        ),
        Finding::TransportDamage { damage, .. } => damage_cause_and_fix(*damage),
        Finding::NotBase64 { .. } => (
            "the text is not what WeChat sent: another field, a placeholder, \
             or text altered on the way",
            "compare the field with what the mini program sent \
             (its length, its first characters; never print the session_key)",
        ),
        Finding::WrongLength { hint, .. } => length_cause_and_fix(*hint),
        Finding::NotBlockAligned { .. } => (
            "the text was cut short (a database column or a log line too short?), \
             or is not the encryptedData",
            "pass the field exactly as received",
        ),
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
        Finding::MissingWatermark { .. } => (
            "WeChat adds a watermark to every payload: this one was made elsewhere \
             (a test fixture, another SDK's sample)",
            "for such data only: Validation::accept_missing_watermark \
             (--accept-missing-watermark)",
        ),
        Finding::AppIdMismatch { .. } => (
            "the session_key came from code2session with another mini program's appid and \
             secret (a test and a production app mixed up), or the appid configured is wrong",
            "use the same appid for code2session and for the Validation",
        ),
        Finding::Expired { .. } => (
            "the payload was stored and replayed, or the clock used (the server's, or --now) \
             is wrong",
            "decrypt payloads as they arrive; for old samples, pass the time they were made \
             (decrypt_at, --now) or a larger maximum age",
        ),
        Finding::FromFuture { .. } => (
            "the server's clock is behind, or the time given (--now) is wrong",
            "synchronise the clock (NTP), or check --now",
        ),
        Finding::Valid { .. } => return None,
    })
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
        let stage = self.stage();
        let verdict = if self.is_valid() { "" } else { ": failed" };
        writeln!(f, "stage:   {stage}{verdict}")?;
        writeln!(f, "finding: {}", self.finding)?;
        if let Some((cause, fix)) = cause_and_fix(&self.finding) {
            writeln!(f, "cause:   {cause}")?;
            writeln!(f, "fix:     {fix}")?;
        }
        if self.finding.lenient_repairs() {
            writeln!(f, "repair:  the lenient base64 mode repairs this field")?;
        }
        write!(f, "in production: ")?;
        match (stage.error_stage(), &self.finding) {
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
