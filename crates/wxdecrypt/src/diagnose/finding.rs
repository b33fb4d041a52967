//! What a diagnosis finds, as types: the finding (the production [`Error`]
//! where production names the problem, an insight of its own where it is
//! opaque) and the diagnosis; their report text is in `report`.

use crate::error::{Error, Field, Stage};
use crate::validation::Watermark;

use super::JsonProblem;
use super::members::{MemberNames, PayloadKind};

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

/// What [`diagnose`](super::diagnose) found: the first problem, or that
/// there was none.
///
/// Where production names the problem (the inputs, the policy), the finding
/// carries production's own [`Error`]; where production answers the opaque
/// [`Error::Decryption`], the finding says what lies behind it (the cipher,
/// the plaintext, the payload). [`Finding::stage`] gives the production
/// [`Stage`].
///
/// Nothing here holds a secret or personal data: no key, no plaintext, no
/// value from the payload except a watermark's appid and timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    // ----- Input -----
    /// The inputs are refused before any decryption, with the error the
    /// production parser gives ([`Stage::Input`]): an empty or oversized
    /// field, transport damage, text that is not base64, a wrong length.
    ///
    /// Two readings go beyond the parser's first word: when parsing stops at
    /// a length or an invalid character before it reaches transport damage
    /// further on, the error is the damage; and unpadded text that no
    /// padding makes the right length is the length error it amounts to
    /// ([`Error::WrongLength`] or [`Error::NotBlockAligned`]), as the text
    /// was cut short rather than stripped of its `=`.
    Input {
        /// The input error.
        error: Error,
        /// Whether [`InputParser::lenient`](crate::InputParser::lenient) accepts the field: transport
        /// damage that the lenient mode repairs.
        lenient_repairs: bool,
        /// For [`Error::WrongLength`], what the text's length suggests;
        /// `None` for the other errors.
        hint: Option<LengthHint>,
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

    // ----- Cipher (Stage::Decryption) -----
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

    // ----- Plaintext (Stage::Decryption) -----
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

    // ----- Payload (Stage::Decryption) -----
    /// A JSON object that none of the payload types accepts.
    UnexpectedShape {
        /// The kind whose member names it shares the most, if any.
        resembles: Option<PayloadKind>,
        /// The members of that kind that are missing.
        missing: Vec<&'static str>,
        /// Its top-level member names.
        members: MemberNames,
    },

    // ----- Policy -----
    /// A complete payload that fails the validation ([`Stage::Policy`]),
    /// with the error production gives: [`Error::MissingWatermark`],
    /// [`Error::AppIdMismatch`], [`Error::Expired`] or [`Error::FromFuture`].
    Policy {
        /// The payload kind.
        kind: PayloadKind,
        /// The policy error.
        error: Error,
    },

    // ----- Passed -----
    /// Every check passed.
    Valid {
        /// The payload kind.
        kind: PayloadKind,
        /// The watermark as production returns it; `None` when a missing
        /// one was accepted.
        watermark: Option<Watermark>,
        /// The watermark's appid (cut to 64 characters), present with the
        /// watermark: when it was checked, the validation's appid; when not,
        /// the appid to configure. Appids are public.
        appid: Option<String>,
        /// Whether the watermark's appid was checked against the
        /// validation's (an appid was given and there is a watermark).
        appid_checked: bool,
    },
}

impl Finding {
    /// The stage of the error production returns for the same inputs:
    /// [`Stage::Decryption`] for every finding about the cipher, the
    /// plaintext or the payload; `None` when every check passed.
    #[must_use]
    pub const fn stage(&self) -> Option<Stage> {
        match self {
            Self::Input { .. }
            | Self::EncodedTwice {
                reaches_cipher: false,
                ..
            } => Some(Stage::Input),
            Self::EncodedTwice {
                reaches_cipher: true,
                ..
            }
            | Self::KeyWrongOrStale { .. }
            | Self::Truncated
            | Self::IvWrong { .. }
            | Self::NotUtf8
            | Self::MalformedJson { .. }
            | Self::UnexpectedShape { .. } => Some(Stage::Decryption),
            Self::Policy { .. } => Some(Stage::Policy),
            Self::Valid { .. } => None,
        }
    }

    /// Whether this is transport damage that the lenient mode repairs.
    pub(super) const fn lenient_repairs(&self) -> bool {
        matches!(
            self,
            Self::Input {
                lenient_repairs: true,
                ..
            }
        )
    }
}

/// The result of [`diagnose`](super::diagnose): the first problem found (or
/// none), and, when the problem is transport damage that the lenient mode
/// repairs, what the repaired inputs give.
///
/// `Display` writes a few lines for a terminal: the step that failed, the
/// finding, its likely cause and the fix, and what the production path
/// returns.
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

    /// The stage of the error production returns; `None` when every check
    /// passed. As [`Finding::stage`].
    #[must_use]
    pub const fn stage(&self) -> Option<Stage> {
        self.finding.stage()
    }

    /// Whether every check passed.
    #[must_use]
    pub const fn is_valid(&self) -> bool {
        matches!(self.finding, Finding::Valid { .. })
    }

    /// When the finding is transport damage that [`InputParser::lenient`](crate::InputParser::lenient)
    /// repairs: the diagnosis of the inputs read leniently.
    #[must_use]
    pub fn after_repair(&self) -> Option<&Self> {
        self.after_repair.as_deref()
    }
}
