//! What a diagnosis finds: the stage, the finding and the diagnosis, as
//! types; their report text is in `report`.

use core::fmt;

use crate::error::{Damage, Field, Stage};
use crate::validation::UnixTime;

use super::JsonProblem;
use super::members::{MemberNames, PayloadKind};

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
    pub(super) const fn lenient_repairs(&self) -> bool {
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
    pub(super) finding: Finding,
    pub(super) after_repair: Option<Box<Diagnosis>>,
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
