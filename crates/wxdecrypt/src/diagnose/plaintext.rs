//! The cipher and plaintext stages: after a failed padding check, a stale key
//! or truncated data; after a passed one, a wrong iv (only the first block
//! garbled), text that is not UTF-8, or JSON that is malformed.

use zeroize::Zeroizing;

use crate::input::BLOCK;
use crate::json::{self, MAX_DEPTH};
use crate::validation::UnixTime;

use super::members::{TopLevel, read_payload};
use super::{DiagnoseOptions, Finding, JsonProblem};

// ----- Reading the plaintext -----

/// The padding check failed: a wrong key, unless the text still reads.
pub(super) fn padding_failed(plain: &[u8]) -> Finding {
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
pub(super) fn read_plaintext(
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
pub(super) fn tail_object(plain: &[u8]) -> Option<TopLevel> {
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
pub(super) fn unmatched_closers(rest: &str, inside: bool, escaped: bool) -> Option<Vec<u8>> {
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
pub(super) struct Strings {
    /// Inside a string.
    inside: bool,
    /// Just after a `\\` inside a string.
    escaped: bool,
}

impl Strings {
    /// Feeds the next byte; whether it lies inside a string, after the
    /// opening quote (the closing quote included).
    pub(super) fn inside(&mut self, b: u8) -> bool {
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
