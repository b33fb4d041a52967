//! Offline diagnosis for developers: which stage failed, and the likely cause.
//!
//! The production path ([`decrypt`](crate::decrypt)) answers every failure
//! after the cipher with one opaque [`Error::Decryption`]. That is right for a
//! server and unhelpful at a developer's terminal, where the question is
//! "was it the key, the iv, or the transport?". [`diagnose`] answers it, and
//! is therefore a padding oracle by construction: see its documentation.

use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use zeroize::Zeroizing;

use crate::cipher;
use crate::error::{Damage, Error, Field, Stage, appid_for_error, write_position};
use crate::input::{BLOCK, EncryptedData, InputParser, Iv, SessionKey, transport_damage};
pub use crate::json::JsonProblem;
use crate::json::{self, MAX_DEPTH};
use crate::payload::{GroupEnterInfo, Members, PhoneNumber, ShareInfo, UserInfo, WeRunData};
use crate::validation::{UnixTime, Validation, Watermark, WatermarkRef};

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

// ----- The result -----

/// The stages of decryption, in the order they run; see
/// [`Diagnosis::stage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DiagnosisStage {
    /// Reading the three base64 texts and checking their lengths.
    Input,
    /// AES-128-CBC decryption and the PKCS#7 padding check.
    Cipher,
    /// Reading the plaintext as UTF-8 JSON.
    Plaintext,
    /// Recognising the payload kind from its members.
    Payload,
    /// Checking the watermark: appid and time.
    Watermark,
    /// Every check passed.
    Passed,
}

impl DiagnosisStage {
    /// The [`Stage`] of the error the production path returns for a failure
    /// at this stage; `None` for [`Passed`](Self::Passed).
    #[must_use]
    pub const fn error_stage(self) -> Option<Stage> {
        match self {
            Self::Input => Some(Stage::Input),
            Self::Cipher | Self::Plaintext | Self::Payload => Some(Stage::Decryption),
            Self::Watermark => Some(Stage::Policy),
            Self::Passed => None,
        }
    }

    /// What happens at this stage, in a few words.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::Input => "reading the inputs (base64, lengths)",
            Self::Cipher => "decrypting (AES-128-CBC, PKCS#7 padding)",
            Self::Plaintext => "reading the plaintext (UTF-8, JSON)",
            Self::Payload => "recognising the payload",
            Self::Watermark => "checking the watermark (appid, time)",
            Self::Passed => "all checks passed",
        }
    }
}

impl fmt::Display for DiagnosisStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// The payload kinds this crate has a type for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PayloadKind {
    /// [`PhoneNumber`], from `getPhoneNumber`.
    PhoneNumber,
    /// [`UserInfo`], from `getUserInfo`.
    UserInfo,
    /// [`WeRunData`], from `getWeRunData`.
    WeRunData,
    /// [`ShareInfo`], from `getShareInfo`.
    ShareInfo,
    /// [`GroupEnterInfo`], from `getGroupEnterInfo`.
    GroupEnterInfo,
}

impl PayloadKind {
    /// Every kind, in the order a plaintext is tried against them.
    const ALL: [Self; 5] = [
        Self::PhoneNumber,
        Self::UserInfo,
        Self::WeRunData,
        Self::ShareInfo,
        Self::GroupEnterInfo,
    ];

    /// The name of this crate's type for the kind.
    #[must_use]
    pub const fn type_name(self) -> &'static str {
        match self {
            Self::PhoneNumber => "PhoneNumber",
            Self::UserInfo => "UserInfo",
            Self::WeRunData => "WeRunData",
            Self::ShareInfo => "ShareInfo",
            Self::GroupEnterInfo => "GroupEnterInfo",
        }
    }

    /// The members the kind's type requires (as WeChat names them).
    #[must_use]
    pub const fn required_members(self) -> &'static [&'static str] {
        match self {
            Self::PhoneNumber => PhoneNumber::REQUIRED,
            Self::UserInfo => UserInfo::REQUIRED,
            Self::WeRunData => WeRunData::REQUIRED,
            Self::ShareInfo => ShareInfo::REQUIRED,
            Self::GroupEnterInfo => GroupEnterInfo::REQUIRED,
        }
    }

    /// The members the kind's type reads when they are present.
    const fn optional_members(self) -> &'static [&'static str] {
        match self {
            Self::PhoneNumber => PhoneNumber::OPTIONAL,
            Self::UserInfo => UserInfo::OPTIONAL,
            Self::WeRunData => WeRunData::OPTIONAL,
            Self::ShareInfo => ShareInfo::OPTIONAL,
            Self::GroupEnterInfo => GroupEnterInfo::OPTIONAL,
        }
    }

    /// Whether the kind's type reads a member of this name.
    fn knows(self, name: &str) -> bool {
        self.required_members().contains(&name) || self.optional_members().contains(&name)
    }

    /// Parses `text` as this kind, as the production path would; gives the
    /// captured watermark. The typed value is dropped at once.
    fn parse(self, text: &str) -> Result<Option<WatermarkRef<'_>>, JsonProblem> {
        fn mark<T>(parsed: (T, Option<WatermarkRef<'_>>)) -> Option<WatermarkRef<'_>> {
            parsed.1
        }
        match self {
            Self::PhoneNumber => json::parse::<PhoneNumber>(text).map(mark),
            Self::UserInfo => json::parse::<UserInfo>(text).map(mark),
            Self::WeRunData => json::parse::<WeRunData>(text).map(mark),
            Self::ShareInfo => json::parse::<ShareInfo>(text).map(mark),
            Self::GroupEnterInfo => json::parse::<GroupEnterInfo>(text).map(mark),
        }
    }
}

impl fmt::Display for PayloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::PhoneNumber => "phone number",
            Self::UserInfo => "user info",
            Self::WeRunData => "WeRun data",
            Self::ShareInfo => "share info",
            Self::GroupEnterInfo => "group enter info",
        };
        write!(f, "{name} ({})", self.type_name())
    }
}

/// What the length of a wrongly sized value suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LengthHint {
    /// The text has 16 characters: the raw bytes were passed where their
    /// base64 belongs (the value was decoded once too often).
    AlreadyDecoded,
    /// The text is 32 hexadecimal digits: hex, not base64.
    Hex,
    /// None of the above: cut short, or another value altogether.
    Unknown,
}

/// The top-level member names of a decrypted object, never their values.
///
/// Only names that are plain ASCII identifiers (a letter or `_`, then
/// letters, digits or `_`, at most 40 bytes) are kept, at most 16 of them;
/// the others are only counted, so that no value that happens to sit in a
/// key's place can be shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberNames {
    shown: Vec<String>,
    hidden: usize,
}

/// At most this many member names are shown.
const MAX_SHOWN_NAMES: usize = 16;

impl MemberNames {
    /// The names shown, in the order of the object.
    #[must_use]
    pub fn shown(&self) -> &[String] {
        &self.shown
    }

    /// How many members are not shown (unusual names, or beyond the first 16).
    #[must_use]
    pub const fn hidden(&self) -> usize {
        self.hidden
    }
}

impl fmt::Display for MemberNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.shown.is_empty() && self.hidden == 0 {
            return f.write_str("no members");
        }
        f.write_str(&self.shown.join(", "))?;
        match (self.shown.is_empty(), self.hidden) {
            (_, 0) => Ok(()),
            (true, n) => write!(f, "{n} not shown"),
            (false, n) => write!(f, " and {n} more not shown"),
        }
    }
}

/// A watermark that passed its checks (or was not checked against an appid).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SeenWatermark {
    /// The appid it names (cut to 64 characters). Appids are public.
    pub appid: String,
    /// When WeChat made the data.
    pub timestamp: UnixTime,
}

/// What [`diagnose`] found: the first problem, or that there was none.
///
/// Nothing here holds a secret or personal data: no key, no plaintext, no
/// value from the payload except a watermark's appid and timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    // ----- Input -----
    /// The field is an empty string.
    Empty {
        /// The empty field.
        field: Field,
    },
    /// The field is longer than the limit; nothing was decoded.
    TooLarge {
        /// The field.
        field: Field,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A space where base64 has none: a `+` lost to URL or form decoding.
    SpaceForPlus {
        /// The damaged field.
        field: Field,
        /// Byte offset of the first space (not given for the session key).
        position: Option<usize>,
        /// Whether [`InputParser::lenient`] accepts the field.
        lenient_repairs: bool,
    },
    /// Another kind of transport damage.
    TransportDamage {
        /// The damaged field.
        field: Field,
        /// What was found.
        damage: Damage,
        /// Byte offset of the first damaged character, when there is one
        /// (not given for the session key).
        position: Option<usize>,
        /// Whether [`InputParser::lenient`] accepts the field.
        lenient_repairs: bool,
    },
    /// Not base64, and no known transport damage explains it.
    NotBase64 {
        /// The field.
        field: Field,
        /// Byte offset of the first bad character, when known (not given for
        /// the session key).
        position: Option<usize>,
    },
    /// A session key or iv that does not decode to 16 bytes.
    WrongLength {
        /// The session key or the iv.
        field: Field,
        /// Its decoded length in bytes.
        len: usize,
        /// What the length suggests.
        hint: LengthHint,
    },
    /// Encrypted data whose decoded length is not a multiple of 16.
    NotBlockAligned {
        /// Its decoded length in bytes.
        len: usize,
    },
    /// What the text decodes to is itself valid base64 of the field: the
    /// value was base64-encoded twice.
    EncodedTwice {
        /// The field.
        field: Field,
        /// Whether production gets as far as the cipher all the same (an
        /// `encryptedData` whose doubly-encoded text still decodes to whole
        /// blocks), and so answers [`Error::Decryption`] rather than an
        /// input error.
        reaches_cipher: bool,
    },

    // ----- Cipher -----
    /// The plaintext is random bytes: the data was not encrypted with this
    /// session key (most often a stale key).
    KeyWrongOrStale {
        /// The data is one 16-byte block, so a wrong iv gives the same result.
        single_block: bool,
        /// The padding check passed by chance (1 in 256), but what it framed
        /// is random.
        padding_passed: bool,
    },
    /// The padding check fails, yet the text before it reads as JSON: the key
    /// is right, the data was cut at a 16-byte boundary or its end altered.
    Truncated,

    // ----- Plaintext -----
    /// Only the first 16 bytes of the plaintext are garbage; the rest is the
    /// end of a well-formed JSON object: the iv is wrong.
    IvWrong {
        /// The payload kind the readable part looks like, by member names.
        resembles: Option<PayloadKind>,
    },
    /// The padding is right and most of the plaintext is text, but some bytes
    /// are not UTF-8.
    NotUtf8,
    /// The plaintext is UTF-8 but not a well-formed JSON object.
    MalformedJson {
        /// What is wrong with it.
        problem: JsonProblem,
    },

    // ----- Payload -----
    /// A JSON object that none of the payload types accepts.
    UnexpectedShape {
        /// The kind whose member names it shares the most, if any.
        resembles: Option<PayloadKind>,
        /// The members of that kind that are missing.
        missing: Vec<&'static str>,
        /// Its top-level member names.
        members: MemberNames,
    },

    // ----- Watermark -----
    /// A payload without a watermark, where one is required.
    MissingWatermark {
        /// The payload kind.
        kind: PayloadKind,
    },
    /// The watermark names another mini program.
    AppIdMismatch {
        /// The payload kind.
        kind: PayloadKind,
        /// The appid expected (empty when an empty one was given: an empty
        /// appid matches nothing).
        expected: String,
        /// The appid in the watermark (cut to 64 characters).
        found: String,
    },
    /// The watermark is older than the maximum age plus leeway.
    Expired {
        /// The payload kind.
        kind: PayloadKind,
        /// The watermark's timestamp, in Unix seconds.
        timestamp: u64,
        /// The time used, in Unix seconds.
        now: u64,
        /// The maximum age, in seconds.
        max_age: u64,
        /// The leeway, in seconds.
        leeway: u64,
    },
    /// The watermark lies further in the future than the leeway allows.
    FromFuture {
        /// The payload kind.
        kind: PayloadKind,
        /// The watermark's timestamp, in Unix seconds.
        timestamp: u64,
        /// The time used, in Unix seconds.
        now: u64,
        /// The leeway, in seconds.
        leeway: u64,
    },

    // ----- Passed -----
    /// Every check passed.
    Valid {
        /// The payload kind.
        kind: PayloadKind,
        /// The watermark; `None` when a missing one was accepted.
        watermark: Option<SeenWatermark>,
        /// Whether the watermark's appid was checked (an appid was given).
        appid_checked: bool,
    },
}

impl Finding {
    /// The stage this finding belongs to.
    #[must_use]
    pub const fn stage(&self) -> DiagnosisStage {
        match self {
            Self::Empty { .. }
            | Self::TooLarge { .. }
            | Self::SpaceForPlus { .. }
            | Self::TransportDamage { .. }
            | Self::NotBase64 { .. }
            | Self::WrongLength { .. }
            | Self::NotBlockAligned { .. }
            | Self::EncodedTwice {
                reaches_cipher: false,
                ..
            } => DiagnosisStage::Input,
            Self::KeyWrongOrStale { .. }
            | Self::Truncated
            | Self::EncodedTwice {
                reaches_cipher: true,
                ..
            } => DiagnosisStage::Cipher,
            Self::IvWrong { .. } | Self::NotUtf8 | Self::MalformedJson { .. } => {
                DiagnosisStage::Plaintext
            }
            Self::UnexpectedShape { .. } => DiagnosisStage::Payload,
            Self::MissingWatermark { .. }
            | Self::AppIdMismatch { .. }
            | Self::Expired { .. }
            | Self::FromFuture { .. } => DiagnosisStage::Watermark,
            Self::Valid { .. } => DiagnosisStage::Passed,
        }
    }

    /// Whether this is transport damage that the lenient mode repairs.
    const fn lenient_repairs(&self) -> bool {
        matches!(
            self,
            Self::SpaceForPlus {
                lenient_repairs: true,
                ..
            } | Self::TransportDamage {
                lenient_repairs: true,
                ..
            }
        )
    }
}

/// The result of [`diagnose`]: the first problem found (or none), and, when
/// the problem is transport damage that the lenient mode repairs, what the
/// repaired inputs give.
///
/// `Display` writes a few lines for a terminal: the stage, the finding, its
/// likely cause and the fix, and what the production path returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    finding: Finding,
    after_repair: Option<Box<Diagnosis>>,
}

impl Diagnosis {
    /// What was found.
    #[must_use]
    pub const fn finding(&self) -> &Finding {
        &self.finding
    }

    /// The stage that failed, or [`DiagnosisStage::Passed`].
    #[must_use]
    pub const fn stage(&self) -> DiagnosisStage {
        self.finding.stage()
    }

    /// Whether every check passed.
    #[must_use]
    pub const fn is_valid(&self) -> bool {
        matches!(self.finding, Finding::Valid { .. })
    }

    /// When the finding is transport damage that [`InputParser::lenient`]
    /// repairs: the diagnosis of the inputs read leniently.
    #[must_use]
    pub fn after_repair(&self) -> Option<&Self> {
        self.after_repair.as_deref()
    }
}

// ----- The diagnosis -----

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
/// use wxdecrypt::diagnose::{DiagnoseInput, DiagnoseOptions, DiagnosisStage, Finding, diagnose_at};
/// use wxdecrypt::{UnixTime, Validation};
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
/// assert_eq!(diagnosis.stage(), DiagnosisStage::Plaintext);
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

/// Parses the three fields in the production order.
fn parse_inputs<'a>(
    input: &DiagnoseInput<'a>,
    parser: InputParser,
) -> Result<(SessionKey, Iv, EncryptedData<'a>), Finding> {
    let found = |field| move |error| input_finding(error, field, input, parser);
    let key = parser
        .session_key(input.session_key)
        .map_err(found(Field::SessionKey))?;
    let iv = parser.iv(input.iv).map_err(found(Field::Iv))?;
    let data = parser
        .encrypted_data(input.encrypted_data)
        .map_err(found(Field::EncryptedData))?;
    Ok((key, iv, data))
}

/// The text of one field.
const fn text_of<'a>(input: &DiagnoseInput<'a>, field: Field) -> &'a str {
    match field {
        Field::SessionKey => input.session_key,
        Field::Iv => input.iv,
        Field::EncryptedData => input.encrypted_data,
    }
}

/// Turns an input error about `field` into a finding, with the hints that
/// need another look at the text.
fn input_finding(
    error: Error,
    field: Field,
    input: &DiagnoseInput<'_>,
    parser: InputParser,
) -> Finding {
    let text = text_of(input, field);
    // Parsing may stop at a length before it sees the damage that caused it.
    let error = match error {
        Error::WrongLength { .. } | Error::NotBlockAligned { .. } | Error::InvalidBase64 { .. } => {
            transport_damage(field, text).unwrap_or(error)
        }
        other => other,
    };
    match error {
        Error::Empty { field } => Finding::Empty { field },
        Error::TooLarge { field, len, max } => Finding::TooLarge { field, len, max },
        Error::SpaceInBase64 { field, position } => Finding::SpaceForPlus {
            field,
            position,
            lenient_repairs: parses(field, text, parser.lenient()),
        },
        // Unpadded text that no padding makes the right length: cut short.
        Error::DamagedBase64 {
            damage: Damage::MissingPadding,
            ..
        } if !parses(field, text, parser.lenient()) => {
            let len = text.len() / 4 * 3 + (text.len() % 4).saturating_sub(1);
            match field {
                Field::EncryptedData => Finding::NotBlockAligned { len },
                Field::SessionKey | Field::Iv => Finding::WrongLength {
                    field,
                    len,
                    hint: length_hint(text),
                },
            }
        }
        Error::DamagedBase64 {
            field,
            damage,
            position,
        } => Finding::TransportDamage {
            field,
            damage,
            position,
            lenient_repairs: parses(field, text, parser.lenient()),
        },
        // `field` is the one being parsed: the error names the same.
        Error::WrongLength { .. } | Error::NotBlockAligned { .. } if encoded_twice(field, text) => {
            Finding::EncodedTwice {
                field,
                reaches_cipher: false,
            }
        }
        Error::WrongLength { field, len } => Finding::WrongLength {
            field,
            len,
            hint: length_hint(text),
        },
        Error::NotBlockAligned { len } => Finding::NotBlockAligned { len },
        Error::InvalidBase64 { field, position } => Finding::NotBase64 { field, position },
        // Parsing gives none of the later errors; this arm is never taken.
        _ => Finding::NotBase64 {
            field,
            position: None,
        },
    }
}

/// Whether `parser` reads `text` as `field`, decoding included.
fn parses(field: Field, text: &str, parser: InputParser) -> bool {
    match field {
        Field::SessionKey => parser.session_key(text).is_ok(),
        Field::Iv => parser.iv(text).is_ok(),
        Field::EncryptedData => parser.encrypted_data(text).is_ok_and(|data| {
            let mut out = vec![0u8; data.decoded_len()];
            data.decode_into(&mut out).is_ok()
        }),
    }
}

/// What the text of a key or iv that decodes to the wrong length suggests.
/// (It branches on the key's characters: this is the offline path.)
fn length_hint(text: &str) -> LengthHint {
    if text.chars().count() == BLOCK {
        LengthHint::AlreadyDecoded
    } else if text.len() == 2 * BLOCK && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        LengthHint::Hex
    } else {
        LengthHint::Unknown
    }
}

/// Whether `text` is strict base64 of the strict base64 of a valid `field`
/// (not constant-time on a key: this is the offline path).
fn encoded_twice(field: Field, text: &str) -> bool {
    let Ok(once) = base64_simd::STANDARD.decode_to_vec(text) else {
        return false;
    };
    let once = Zeroizing::new(once);
    std::str::from_utf8(&once).is_ok_and(|inner| parses(field, inner, InputParser::new()))
}

// ----- Reading the plaintext -----

/// The padding check failed: a wrong key, unless the text still reads.
fn padding_failed(plain: &[u8]) -> Finding {
    let blocks = plain.len() / BLOCK;
    if blocks >= 2 && 2 * text_blocks(plain) >= blocks {
        Finding::Truncated
    } else {
        Finding::KeyWrongOrStale {
            single_block: blocks == 1,
            padding_passed: false,
        }
    }
}

/// The padding check passed: reads the plaintext as UTF-8 JSON, then as a
/// payload.
fn read_plaintext(
    plain: &[u8],
    blocks: usize,
    options: &DiagnoseOptions,
    now: UnixTime,
) -> Finding {
    let Ok(text) = std::str::from_utf8(plain) else {
        if let Some(tail) = tail_object(plain) {
            return Finding::IvWrong {
                resembles: tail.resembles(),
            };
        }
        let total = plain.len().div_ceil(BLOCK);
        return if 2 * text_blocks(plain) >= total {
            Finding::NotUtf8
        } else {
            Finding::KeyWrongOrStale {
                single_block: blocks == 1,
                padding_passed: true,
            }
        };
    };
    match json::parse::<TopLevel>(text) {
        Ok((top, _)) => read_payload(text, &top, options, now),
        Err(error) => {
            // Duplicate keys and the like are no garbling of 16 bytes.
            let syntax = matches!(error, JsonProblem::Syntax | JsonProblem::NotAnObject);
            if syntax && let Some(tail) = tail_object(plain) {
                return Finding::IvWrong {
                    resembles: tail.resembles(),
                };
            }
            // The target reads any object, so a shape error is the text's.
            let problem = if error == JsonProblem::Shape {
                JsonProblem::Syntax
            } else {
                error
            };
            Finding::MalformedJson { problem }
        }
    }
}

/// A JSON object: which payload kind it is, then its watermark.
fn read_payload(text: &str, top: &TopLevel, options: &DiagnoseOptions, now: UnixTime) -> Finding {
    for kind in PayloadKind::ALL {
        if let Ok(watermark) = kind.parse(text) {
            return check_watermark(kind, watermark.as_ref(), options, now);
        }
    }
    if let Some(kind) = garbled_first_member(text, top) {
        return Finding::IvWrong {
            resembles: Some(kind),
        };
    }
    let resembles = top.resembles();
    Finding::UnexpectedShape {
        resembles,
        missing: resembles.map(|kind| top.missing(kind)).unwrap_or_default(),
        members: top.member_names(),
    }
}

/// A well-formed object that no kind accepts because members it needs are
/// missing, while names that no kind knows sit in the first 16 bytes, each
/// a missing name with a few bytes changed: a wrong iv that changed a few
/// bytes of the first block (a one-byte change of the iv changes one byte).
fn garbled_first_member(text: &str, top: &TopLevel) -> Option<PayloadKind> {
    let first = top_level_keys_before(text.as_bytes(), BLOCK).min(top.names.len());
    let strangers: Vec<&str> = top
        .names
        .get(..first)
        .unwrap_or_default()
        .iter()
        .filter(|name| !name.known())
        .filter_map(|name| name.raw.as_deref().map(String::as_str))
        .collect();
    PayloadKind::ALL.into_iter().find(|&kind| {
        let missing = top.missing(kind);
        let mut unused = strangers.clone();
        !missing.is_empty()
            && missing.iter().all(|name| {
                unused
                    .iter()
                    .position(|stranger| nearly_equal(stranger, name))
                    .map(|at| unused.swap_remove(at))
                    .is_some()
            })
    })
}

/// Equal lengths, and at most 3 bytes differ.
fn nearly_equal(garbled: &str, name: &str) -> bool {
    garbled.len() == name.len()
        && garbled
            .bytes()
            .zip(name.bytes())
            .filter(|(a, b)| a != b)
            .count()
            <= 3
}

/// The watermark checks, with the production [`Validation`].
fn check_watermark(
    kind: PayloadKind,
    watermark: Option<&WatermarkRef<'_>>,
    options: &DiagnoseOptions,
    now: UnixTime,
) -> Finding {
    match options.check(watermark, now) {
        Ok(_) => Finding::Valid {
            kind,
            watermark: watermark.map(|mark| SeenWatermark {
                appid: appid_for_error(&mark.appid),
                timestamp: UnixTime::from_secs(mark.timestamp),
            }),
            appid_checked: options.check_appid && watermark.is_some(),
        },
        Err(Error::AppIdMismatch { expected, found }) => Finding::AppIdMismatch {
            kind,
            expected,
            found,
        },
        Err(Error::Expired {
            timestamp,
            now,
            max_age,
        }) => Finding::Expired {
            kind,
            timestamp,
            now,
            max_age,
            leeway: options.validation.leeway(),
        },
        Err(Error::FromFuture {
            timestamp,
            now,
            leeway,
        }) => Finding::FromFuture {
            kind,
            timestamp,
            now,
            leeway,
        },
        // `MissingWatermark`, the only other error the check gives.
        Err(_) => Finding::MissingWatermark { kind },
    }
}

/// How many 16-byte blocks of `bytes` read as text: UTF-8 (a character cut
/// at either edge of the block allowed) without control characters other
/// than tab, CR and LF. Random bytes almost never do (about 1 block in 10⁶).
fn text_blocks(bytes: &[u8]) -> usize {
    bytes
        .chunks(BLOCK)
        .filter(|block| reads_as_text(block))
        .count()
}

fn reads_as_text(block: &[u8]) -> bool {
    let block = skip_continuation_bytes(block);
    let text = match std::str::from_utf8(block) {
        Ok(text) => text,
        // A character cut by the block's end.
        Err(e) if e.error_len().is_none() => block
            .get(..e.valid_up_to())
            .and_then(|valid| std::str::from_utf8(valid).ok())
            .unwrap_or_default(),
        Err(_) => return false,
    };
    !text.is_empty()
        && text
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
}

/// `bytes` without the (at most 3) continuation bytes of a UTF-8 character
/// that began before it.
fn skip_continuation_bytes(bytes: &[u8]) -> &[u8] {
    let skip = bytes
        .iter()
        .take(3)
        .take_while(|&&b| b & 0xc0 == 0x80)
        .count();
    bytes.get(skip..).unwrap_or_default()
}

// ----- The end of a JSON object, after a garbled first block -----

/// Where the first block's end may fall in the JSON text, and what stands in
/// for the lost start so that the rest parses.
#[derive(Clone, Copy)]
enum Cut {
    /// Where a member (or, in an array, a value) begins.
    MemberStart,
    /// Inside a key.
    InKey,
    /// Just after a key, before its `:`.
    AfterKey,
    /// Where a member's value begins.
    ValueStart,
    /// Inside a string value.
    InString,
    /// Just after a value (at a `,` or the closing bracket).
    AfterValue,
    /// Inside a number or a `true`, `false` or `null`: the rest of the token
    /// is skipped.
    InToken,
    /// Inside a string, just after a `\\`.
    AfterBackslash,
}

impl Cut {
    const ALL: [Self; 8] = [
        Self::MemberStart,
        Self::InKey,
        Self::AfterKey,
        Self::ValueStart,
        Self::InString,
        Self::AfterValue,
        Self::InToken,
        Self::AfterBackslash,
    ];

    const fn inside_string(self) -> bool {
        matches!(self, Self::InKey | Self::InString | Self::AfterBackslash)
    }

    /// What to put before the rest, inside an object or an array.
    const fn stand_in(self, in_object: bool) -> Option<&'static str> {
        match (self, in_object) {
            (Self::MemberStart, _) => Some(""),
            (Self::InKey, true) | (Self::InString, false) => Some("\""),
            (Self::AfterKey, true) => Some("\"\""),
            (Self::ValueStart, true) => Some("\"\":"),
            (Self::InString, true) => Some("\"\":\""),
            (Self::AfterValue | Self::InToken, true) => Some("\"\":0"),
            (Self::AfterValue | Self::InToken, false) => Some("0"),
            (Self::AfterBackslash, true) => Some("\"\":\"\\"),
            (Self::AfterBackslash, false) => Some("\"\\"),
            (Self::InKey | Self::AfterKey | Self::ValueStart, false) => None,
        }
    }
}

/// Whether the plaintext after its first block is the end of a well-formed
/// JSON object, whatever the first block held; its top level if so.
///
/// In CBC, plaintext block `i` is the decryption of ciphertext block `i`
/// combined (by XOR) with ciphertext block `i - 1`, or with the iv for block
/// 0: a wrong iv changes the first 16 bytes and nothing else.
fn tail_object(plain: &[u8]) -> Option<TopLevel> {
    let tail = skip_continuation_bytes(plain.get(BLOCK..)?);
    let tail = std::str::from_utf8(tail).ok()?;
    Cut::ALL
        .into_iter()
        .find_map(|cut| object_ending_with(tail, cut))
}

/// Puts the shortest stand-in for the lost start before `rest` (cut at
/// `cut`), opening every bracket that `rest` closes, and parses the result.
fn object_ending_with(rest: &str, cut: Cut) -> Option<TopLevel> {
    let rest = match cut {
        Cut::InToken => {
            let token = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-');
            let after = rest.trim_start_matches(token);
            if after.len() == rest.len() {
                return None;
            }
            after
        }
        _ => rest,
    };
    let closers = unmatched_closers(
        rest,
        cut.inside_string(),
        matches!(cut, Cut::AfterBackslash),
    )?;
    let (&innermost, outer) = closers.split_first()?;
    let in_object = innermost == b'}';
    let stand_in = cut.stand_in(in_object)?;
    let mut text = Zeroizing::new(String::with_capacity(rest.len() + 4 * closers.len() + 8));
    for &closer in outer.iter().rev() {
        text.push_str(if closer == b'}' { "{\"\":" } else { "[" });
    }
    text.push(if in_object { '{' } else { '[' });
    text.push_str(stand_in);
    text.push_str(rest);
    json::parse::<TopLevel>(&text).ok().map(|(top, _)| top)
}

/// The brackets `rest` closes without opening them, innermost first; `None`
/// unless the outermost is an object's `}` (and at most [`MAX_DEPTH`]).
fn unmatched_closers(rest: &str, inside: bool, escaped: bool) -> Option<Vec<u8>> {
    let mut closers = Vec::new();
    let mut depth = 0usize;
    let mut strings = Strings { inside, escaped };
    for &b in rest.as_bytes() {
        if strings.inside(b) {
            continue;
        }
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth > 0 => depth -= 1,
            b'}' | b']' => {
                if closers.len() == MAX_DEPTH {
                    return None;
                }
                closers.push(b);
            }
            _ => {}
        }
    }
    (closers.last() == Some(&b'}')).then_some(closers)
}

/// Where JSON text is inside a string, fed one byte at a time.
#[derive(Default)]
struct Strings {
    /// Inside a string.
    inside: bool,
    /// Just after a `\\` inside a string.
    escaped: bool,
}

impl Strings {
    /// Feeds the next byte; whether it lies inside a string, after the
    /// opening quote (the closing quote included).
    fn inside(&mut self, b: u8) -> bool {
        if !self.inside {
            self.inside = b == b'"';
            return false;
        }
        if self.escaped {
            self.escaped = false;
        } else if b == b'\\' {
            self.escaped = true;
        } else if b == b'"' {
            self.inside = false;
        }
        true
    }
}

/// How many top-level keys of the JSON object `text` begin before `end`.
fn top_level_keys_before(text: &[u8], end: usize) -> usize {
    let (mut depth, mut keys, mut key_next) = (0usize, 0, false);
    let mut strings = Strings::default();
    for &b in text.iter().take(end) {
        if strings.inside(b) {
            continue;
        }
        match b {
            b'"' => {
                if depth == 1 && key_next {
                    keys += 1;
                }
                key_next = false;
            }
            b'{' | b'[' => {
                depth += 1;
                key_next = depth == 1 && b == b'{';
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' => key_next = depth == 1,
            _ => {}
        }
    }
    keys
}

// ----- Member names -----

/// The top-level member of a payload captured as its watermark.
const WATERMARK: &str = "watermark";

/// At most this many member names are kept (the count goes on).
const MAX_KEPT_NAMES: usize = 64;

/// The top-level member names of a JSON object, values skipped.
struct TopLevel {
    /// The first [`MAX_KEPT_NAMES`] names.
    names: Vec<Name>,
    /// How many members there are.
    count: usize,
}

/// A member name: its text when it is a plain identifier; and, for the
/// first few short names (those that may lie in the first block), the raw
/// text, wiped when dropped and never shown.
struct Name {
    shown: Option<String>,
    raw: Option<Zeroizing<String>>,
}

/// Raw text is kept for this many leading names.
const RAW_NAMES: usize = 4;

impl Name {
    /// Whether some payload kind reads a member of this name, or it is the
    /// watermark.
    fn known(&self) -> bool {
        self.shown.as_deref().is_some_and(|name| {
            name == WATERMARK || PayloadKind::ALL.iter().any(|kind| kind.knows(name))
        })
    }
}

impl TopLevel {
    fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n.shown.as_deref() == Some(name))
    }

    /// The members `kind` requires that are missing.
    fn missing(&self, kind: PayloadKind) -> Vec<&'static str> {
        kind.required_members()
            .iter()
            .copied()
            .filter(|name| !self.has(name))
            .collect()
    }

    /// The kind sharing the most member names with this object, if any.
    fn resembles(&self) -> Option<PayloadKind> {
        let shared = |kind: PayloadKind| {
            self.names
                .iter()
                .filter_map(|name| name.shown.as_deref())
                .filter(|name| kind.knows(name))
                .count()
        };
        let mut best = None;
        for kind in PayloadKind::ALL {
            let score = shared(kind);
            if score > best.map_or(0, |(_, s)| s) {
                best = Some((kind, score));
            }
        }
        best.map(|(kind, _)| kind)
    }

    fn member_names(&self) -> MemberNames {
        let shown: Vec<String> = self
            .names
            .iter()
            .filter_map(|name| name.shown.clone())
            .take(MAX_SHOWN_NAMES)
            .collect();
        MemberNames {
            hidden: self.count - shown.len(),
            shown,
        }
    }
}

/// Whether a member name is safe to show: a plain ASCII identifier.
fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    name.len() <= 40
        && bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl<'de> de::Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut top = TopLevel {
            names: Vec::new(),
            count: 0,
        };
        while let Some(name) = map.next_key_seed(NameSeed {
            keep_raw: top.count < RAW_NAMES,
        })? {
            map.next_value::<IgnoredAny>()?;
            top.count += 1;
            if top.names.len() < MAX_KEPT_NAMES {
                top.names.push(name);
            }
        }
        Ok(top)
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

/// Reads a key as a [`Name`].
struct NameSeed {
    keep_raw: bool,
}

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = Name;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for NameSeed {
    type Value = Name;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Name, E> {
        Ok(Name {
            shown: is_identifier(name).then(|| name.to_owned()),
            raw: (self.keep_raw && name.len() <= BLOCK).then(|| Zeroizing::new(name.to_owned())),
        })
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn closers(rest: &str, in_string: bool) -> Option<Vec<u8>> {
        unmatched_closers(rest, in_string, false)
    }

    #[test]
    fn unmatched_closers_are_listed_innermost_first_and_strings_are_skipped() {
        assert_eq!(
            closers(r#""a}":1},"b":2}"#, false),
            Some(b"}}".to_vec()),
            "the brace inside the string is skipped"
        );
        assert_eq!(closers(r#"1}],"c":{}}"#, false), Some(b"}]}".to_vec()));
        assert_eq!(closers(r#"x\"}"}"#, true), Some(b"}".to_vec()));
        assert_eq!(
            closers("1]", false),
            None,
            "the outermost must be an object"
        );
        assert_eq!(closers(r#""a":1"#, false), None, "nothing closed");
    }

    #[test]
    fn the_end_of_an_object_is_recognised_wherever_the_first_block_ends() {
        let texts = [
            // The layout of WeChat's getPhoneNumber doc (seeds/004).
            r#"{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86","watermark":{"appid":"APPID","timestamp":1477314187}}"#,
            // Nested arrays and objects, as in WeRun data.
            r#"{"stepInfoList":[{"timestamp":1445866601,"step":100},{"timestamp":1445876601,"step":120}],"watermark":{"appid":"APPID","timestamp":1477314187}}"#,
            // Escapes, CJK, literals and a negative fraction.
            r#"{"nickName":"a\"b\\c\u00e9\/苏震巍","flag":true,"none":null,"x":-1.5e3,"watermark":{"appid":"APPID","timestamp":1}}"#,
        ];
        for text in texts {
            for cut in 1..text.len() - 1 {
                let mut plain = vec![0xffu8; BLOCK];
                plain.extend_from_slice(&text.as_bytes()[cut..]);
                assert!(tail_object(&plain).is_some(), "cut at {cut} of {text}");
            }
        }
    }

    #[test]
    fn a_defect_after_the_first_block_is_not_read_as_a_wrong_iv() {
        let texts = [
            r#"{"phoneNumber":"1","x":NaN,"purePhoneNumber":"1"}"#,
            r#"{"phoneNumber":"13580006666","purePhoneNumber":"1",}"#,
            r#"{"phoneNumber":"13580006666","watermark":{"appid":"A","timestamp":1}"#,
            r#"{"phoneNumber":"13580006666"}{"purePhoneNumber":"1"}"#,
        ];
        for text in texts {
            let mut plain = vec![0xffu8; BLOCK];
            plain.extend_from_slice(&text.as_bytes()[BLOCK..]);
            assert!(tail_object(&plain).is_none(), "{text}");
        }
    }

    #[test]
    fn keys_in_the_first_block_are_counted_at_the_top_level_only() {
        assert_eq!(top_level_keys_before(br#"{"a":1,"b":{"c":2}}"#, 16), 2);
        assert_eq!(top_level_keys_before(br#"{"a":"x,\"y","b":1}"#, 99), 2);
        assert_eq!(top_level_keys_before(br#"{"phoneNumber":"1"}"#, 16), 1);
    }

    #[test]
    fn only_plain_identifiers_are_shown_as_names() {
        assert!(is_identifier("phoneNumber"));
        assert!(is_identifier("open_single_roomid"));
        assert!(!is_identifier("13800138000"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("a b"));
        assert!(!is_identifier(&"a".repeat(41)));
    }
    /// A deserializer that only records the member names a serde derive
    /// asks `deserialize_struct` for.
    struct FieldProbe;

    /// What the probe found: the field list, or `None` when no struct was
    /// asked for.
    #[derive(Debug)]
    struct Probed(Option<&'static [&'static str]>);

    impl fmt::Display for Probed {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{:?}", self.0)
        }
    }

    impl std::error::Error for Probed {}

    impl de::Error for Probed {
        fn custom<T: fmt::Display>(_: T) -> Self {
            Self(None)
        }
    }

    impl<'de> Deserializer<'de> for FieldProbe {
        type Error = Probed;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Probed> {
            Err(Probed(None))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Probed> {
            Err(Probed(Some(fields)))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }

    /// The member names `T`'s serde derive reads.
    fn serde_fields<T: de::Deserialize<'static>>() -> Vec<&'static str> {
        match T::deserialize(FieldProbe) {
            Err(Probed(Some(fields))) => fields.to_vec(),
            _ => panic!("no struct was deserialized"),
        }
    }

    /// `T`'s member lists hold exactly the names its serde derive reads,
    /// once each; and `sample` (every member present) parses, still parses
    /// without each optional member, and fails without each required one.
    fn check_members<T: Members + serde::de::DeserializeOwned>(sample: &str) {
        let name = core::any::type_name::<T>();
        let mut listed: Vec<&str> = T::REQUIRED.iter().chain(T::OPTIONAL).copied().collect();
        let mut fields = serde_fields::<T>();
        listed.sort_unstable();
        fields.sort_unstable();
        let before = listed.len();
        listed.dedup();
        assert_eq!(listed.len(), before, "{name}: a member listed twice");
        assert_eq!(listed, fields, "{name}");
        let serde_json::Value::Object(full) = serde_json::from_str(sample).expect("JSON") else {
            panic!("{name}: the sample is no object");
        };
        assert_eq!(
            full.len(),
            fields.len(),
            "{name}: the sample has every member"
        );
        let without = |member: &str| {
            let mut object = full.clone();
            assert!(
                object.remove(member).is_some(),
                "{name}: {member} not in the sample"
            );
            serde_json::from_value::<T>(serde_json::Value::Object(object))
        };
        assert!(
            serde_json::from_value::<T>(serde_json::Value::Object(full.clone())).is_ok(),
            "{name}: the sample parses"
        );
        for member in T::REQUIRED {
            assert!(without(member).is_err(), "{name}: {member} is required");
        }
        for member in T::OPTIONAL {
            assert!(without(member).is_ok(), "{name}: {member} is optional");
        }
    }

    #[test]
    fn each_member_list_is_the_serde_derives_own() {
        check_members::<PhoneNumber>(
            r#"{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86"}"#,
        );
        check_members::<UserInfo>(
            r#"{"openId":"o","nickName":"n","gender":1,"language":"zh_CN","city":"c",
                "province":"p","country":"c","avatarUrl":"a","unionId":"u"}"#,
        );
        check_members::<WeRunData>(r#"{"stepInfoList":[{"timestamp":1,"step":2}]}"#);
        check_members::<ShareInfo>(r#"{"openGId":"g"}"#);
        check_members::<GroupEnterInfo>(
            r#"{"opengid":"g","open_single_roomid":"r","group_openid":"o","chat_type":3}"#,
        );
    }

    #[test]
    fn every_kind_reads_its_types_member_lists() {
        let lists = [
            (
                PayloadKind::PhoneNumber,
                PhoneNumber::REQUIRED,
                PhoneNumber::OPTIONAL,
            ),
            (
                PayloadKind::UserInfo,
                UserInfo::REQUIRED,
                UserInfo::OPTIONAL,
            ),
            (
                PayloadKind::WeRunData,
                WeRunData::REQUIRED,
                WeRunData::OPTIONAL,
            ),
            (
                PayloadKind::ShareInfo,
                ShareInfo::REQUIRED,
                ShareInfo::OPTIONAL,
            ),
            (
                PayloadKind::GroupEnterInfo,
                GroupEnterInfo::REQUIRED,
                GroupEnterInfo::OPTIONAL,
            ),
        ];
        assert_eq!(lists.len(), PayloadKind::ALL.len());
        for (kind, required, optional) in lists {
            assert_eq!(kind.required_members(), required, "{kind}");
            assert_eq!(kind.optional_members(), optional, "{kind}");
        }
    }
}
