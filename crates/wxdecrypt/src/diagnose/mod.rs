//! ⚠️ **A padding oracle by construction: for a developer's terminal, never
//! for a server's responses.**
//!
//! Everything this module reports tells apart the failures that the
//! production path keeps behind one opaque [`Error::Decryption`]: a wrong
//! padding, a garbled first block, malformed JSON. Those are exactly the
//! answers that let whoever sees them decrypt or forge data block by block.
//! Run it on inputs you captured (the `wxdecrypt diagnose` command) or in an
//! operator-only tool; never return a [`Diagnosis`], its text, or anything
//! that depends on it to a client.
//!
//! # Offline diagnosis
//!
//! Which stage failed, and the likely cause. The production path
//! ([`decrypt`](crate::decrypt)) answers every failure after the cipher with
//! [`Error::Decryption`]. That is right for a server and unhelpful at a
//! developer's terminal, where the question is "was it the key, the iv, or
//! the transport?". [`diagnose`] (or [`diagnose_at`], with the time given)
//! answers it from a [`DiagnoseInput`] under [`DiagnoseOptions`]: a
//! [`Diagnosis`] whose [`Finding`] carries production's own [`Error`] where
//! production names the problem, and says what lies behind the opaque error
//! where it does not.

mod finding;
mod inputs;
mod members;
mod plaintext;
mod report;
#[cfg(test)]
mod tests;

use core::fmt;

use zeroize::Zeroizing;

use crate::cipher;
use crate::error::{Error, Field, appid_for_error};
use crate::input::{BLOCK, InputParser};
pub use crate::json::JsonProblem;
use crate::validation::{UnixTime, Validation, Watermark, WatermarkRef};

pub use finding::{Diagnosis, Finding, LengthHint};
pub use members::{MemberNames, PayloadKind};

use inputs::{input_finding, parse_inputs, parses};
use plaintext::{padding_failed, read_plaintext};

// ----- The entry points -----

/// Diagnoses why the three texts do (or do not) decrypt to a valid payload:
/// which stage fails, and the likely cause, for a developer's terminal.
///
/// # ⚠️ Never behind a server response
///
/// This function is a padding oracle by construction: it tells a wrong
/// padding from a garbled first block from malformed JSON, which is exactly
/// what lets an attacker decrypt or forge data block by block. Run it on
/// your own machine, on inputs you captured (the `wxdecrypt diagnose`
/// command), or behind an operator-only tool; never return its result, or
/// anything that depends on it, to a client. The production path
/// ([`decrypt`](crate::decrypt)) keeps [`Error::Decryption`] opaque.
///
/// The diagnosis never contains the session key, the plaintext or any value
/// from it other than a watermark's appid and timestamp; member names are
/// shown only as plain identifiers (see [`MemberNames`]). Nothing panics, and
/// the work is bounded by the options' size limit.
///
/// # What it tells apart
///
/// - Transport damage to the base64 (a space for `+`, line breaks, `%2B`,
///   the URL-safe alphabet, lost `=`), whether the lenient mode repairs it,
///   and what the repaired inputs then give ([`Diagnosis::after_repair`]).
/// - A key or iv of the wrong length, with what the length suggests (raw
///   bytes, base64 twice, hex).
/// - A wrong or stale session key: the padding fails and nothing decrypts
///   to text.
/// - Data cut short: the padding fails but the text before it reads.
/// - Only the iv wrong: in CBC, the iv only enters the first block, so a
///   wrong iv garbles the first 16 bytes of plaintext and nothing else.
/// - Plaintext that is not UTF-8 or not JSON, or JSON of an unexpected shape
///   (by member names).
/// - A watermark for another appid, too old, from the future, or missing.
///
/// ```
/// use wxdecrypt::diagnose::{DiagnoseInput, DiagnoseOptions, Finding, diagnose_at};
/// use wxdecrypt::{Stage, UnixTime, Validation};
/// // WeChat's official sample, with the iv of other data: only the first
/// // block is garbage.
/// let input = DiagnoseInput {
///     session_key: "tiihtNczf5v6AKRyjwEUhQ==",
///     iv: "Cds8j3VYoGvnTp1BrjXdJg==",
///     encrypted_data: "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7f\
///         JlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hk\
///         ue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn\
///         /Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5\
///         Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf\
///         7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb\
///         /XcxxmK01EpqOyuxINew==",
/// };
/// let options = DiagnoseOptions::new(Validation::new("wx4f4bc4dec97d474b"));
/// let diagnosis = diagnose_at(&input, &options, UnixTime::from_secs(1_477_314_187));
/// // Production answers the opaque Error::Decryption; the finding says why.
/// assert_eq!(diagnosis.stage(), Some(Stage::Decryption));
/// assert!(matches!(diagnosis.finding(), Finding::IvWrong { .. }));
/// println!("{diagnosis}");
/// ```
///
/// Reads the system clock, so it is not built for `wasm32-unknown-unknown`,
/// which has none: call [`diagnose_at`] with the time there.
#[must_use]
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub fn diagnose(input: &DiagnoseInput<'_>, options: &DiagnoseOptions) -> Diagnosis {
    diagnose_at(input, options, UnixTime::now())
}

/// [`diagnose`] with the time given: for captured inputs, whose watermark is
/// judged at the time they were received, and for tests.
#[must_use]
pub fn diagnose_at(
    input: &DiagnoseInput<'_>,
    options: &DiagnoseOptions,
    now: UnixTime,
) -> Diagnosis {
    let strict = InputParser::new().with_max_encrypted_data_len(options.max_encrypted_data_len);
    let finding = run(input, options, now, strict);
    let after_repair = finding.lenient_repairs().then(|| {
        Box::new(Diagnosis {
            finding: run(input, options, now, strict.lenient()),
            after_repair: None,
        })
    });
    Diagnosis {
        finding,
        after_repair,
    }
}

// ----- The inputs and the options -----

/// The three texts exactly as your server received them, before any parsing.
///
/// Named fields, so that the key, the iv and the data cannot be swapped by
/// position. `Debug` shows only their lengths.
#[derive(Clone, Copy)]
pub struct DiagnoseInput<'a> {
    /// The user's `session_key`, base64 as `code2session` returned it.
    pub session_key: &'a str,
    /// The `iv` the mini program sent with the data.
    pub iv: &'a str,
    /// The `encryptedData` the mini program sent.
    pub encrypted_data: &'a str,
}

impl fmt::Debug for DiagnoseInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiagnoseInput")
            .field("session_key", &format_args!("[redacted]"))
            .field("iv", &format_args!("[{} bytes]", self.iv.len()))
            .field(
                "encrypted_data",
                &format_args!("[{} bytes]", self.encrypted_data.len()),
            )
            .finish()
    }
}

/// What [`diagnose`] checks a decrypted payload against: a production
/// [`Validation`], whose appid may be left unchecked when you do not know it
/// yet; and the size limit on `encryptedData`.
///
/// ```
/// use wxdecrypt::Validation;
/// use wxdecrypt::diagnose::DiagnoseOptions;
/// // The checks `decrypt` makes with this validation:
/// let options = DiagnoseOptions::new(Validation::new("wx4f4bc4dec97d474b"));
/// // The default policy, reporting the watermark's appid instead of checking it:
/// let any_appid = DiagnoseOptions::without_appid();
/// // A policy of your own, appid unchecked:
/// let old_data = DiagnoseOptions::new(Validation::new("").without_max_age()).unchecked_appid();
/// # let _ = (options, any_appid, old_data);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnoseOptions {
    validation: Validation,
    check_appid: bool,
    max_encrypted_data_len: usize,
}

impl From<Validation> for DiagnoseOptions {
    fn from(validation: Validation) -> Self {
        Self::new(validation)
    }
}

impl DiagnoseOptions {
    /// Checks everything `validation` checks, as [`decrypt`](crate::decrypt)
    /// does, with `encryptedData` limited to
    /// [`InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN`] characters.
    #[must_use]
    pub const fn new(validation: Validation) -> Self {
        Self {
            validation,
            check_appid: true,
            max_encrypted_data_len: InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN,
        }
    }

    /// The defaults of [`Validation::new`] (one hour, five minutes of leeway,
    /// a watermark required), with the watermark's appid reported rather than
    /// checked.
    #[must_use]
    pub fn without_appid() -> Self {
        Self::new(Validation::new("")).unchecked_appid()
    }

    /// Keeps the validation's rules on time and on a missing watermark, but
    /// reports the watermark's appid instead of checking it.
    #[must_use]
    pub fn unchecked_appid(self) -> Self {
        Self {
            check_appid: false,
            ..self
        }
    }

    /// As [`InputParser::with_max_encrypted_data_len`].
    #[must_use]
    pub fn with_max_encrypted_data_len(self, max: usize) -> Self {
        Self {
            max_encrypted_data_len: max,
            ..self
        }
    }

    /// The validation whose rules are applied.
    #[must_use]
    pub const fn validation(&self) -> &Validation {
        &self.validation
    }

    /// Whether the watermark's appid is checked against the validation's.
    #[must_use]
    pub const fn checks_appid(&self) -> bool {
        self.check_appid
    }

    /// The largest `encryptedData` accepted, in base64 characters.
    #[must_use]
    pub const fn max_encrypted_data_len(&self) -> usize {
        self.max_encrypted_data_len
    }

    /// Checks a watermark with the validation's rules, its appid included
    /// only when asked.
    fn check(
        &self,
        watermark: Option<&WatermarkRef<'_>>,
        now: UnixTime,
    ) -> Result<Option<Watermark>, Error> {
        if self.check_appid {
            self.validation.check(watermark, now)
        } else {
            self.validation.check_skipping_appid(watermark, now)
        }
    }
}

// ----- The stages, in order -----

/// One pass over the stages with the given parser.
fn run(
    input: &DiagnoseInput<'_>,
    options: &DiagnoseOptions,
    now: UnixTime,
    parser: InputParser,
) -> Finding {
    let (key, iv, data) = match parse_inputs(input, parser) {
        Ok(parsed) => parsed,
        Err(finding) => return finding,
    };
    let mut buf = Zeroizing::new(vec![0u8; data.decoded_len()]);
    if let Err(error) = data.decode_into(&mut buf) {
        return input_finding(error, Field::EncryptedData, input, parser);
    }
    // Real ciphertext is never all base64 characters.
    if std::str::from_utf8(&buf)
        .is_ok_and(|inner| parses(Field::EncryptedData, inner, InputParser::new()))
    {
        return Finding::EncodedTwice {
            field: Field::EncryptedData,
            reaches_cipher: true,
        };
    }
    let blocks = buf.len() / BLOCK;
    match cipher::decrypt_in_place(key.expose(), iv.as_bytes(), &mut buf) {
        Err(_) => padding_failed(&buf),
        Ok(len) => read_plaintext(buf.get(..len).unwrap_or_default(), blocks, options, now),
    }
}

/// The watermark checks, with the production [`Validation`].
fn check_watermark(
    kind: PayloadKind,
    watermark: Option<&WatermarkRef<'_>>,
    options: &DiagnoseOptions,
    now: UnixTime,
) -> Finding {
    match options.check(watermark, now) {
        Ok(checked) => Finding::Valid {
            kind,
            watermark: checked,
            appid: watermark.map(|mark| appid_for_error(&mark.appid)),
            appid_checked: options.check_appid && watermark.is_some(),
        },
        Err(error) => Finding::Policy { kind, error },
    }
}
