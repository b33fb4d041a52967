//! Naming the transport damage in base64 text, and the lenient repair.
//!
//! Everything here runs on public text, on a session key's text after it
//! was rejected (to say why), in the lenient mode's repair (which branches
//! on a key's characters, as the JSON parser that delivered it did already),
//! or in the offline diagnosis. A valid key parsed strictly never comes here.

use std::borrow::Cow;

use zeroize::Zeroizing;

use super::BLOCK;
use super::codec::{DECODE, INVALID, padded_decoded_len};
use crate::error::{Damage, Error, Field};

/// Checks that `text` has the length of 16 bytes in padded base64, and gives
/// the space hint first since it is the most common damage.
pub(super) fn check_16_shape(field: Field, text: &str, public: bool) -> Result<(), Error> {
    if let Some(damage) = damage(field, text.as_bytes(), public) {
        return Err(damage);
    }
    // A public value is scanned for the first character outside the
    // alphabet; a secret one is left to the constant-time decoder.
    let outside = |b: u8| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    if public && let Some(at) = text.bytes().position(outside) {
        return Err(Error::InvalidBase64 {
            field,
            position: Some(at),
        });
    }
    // 32 hex digits are base64 characters too, of 24 bytes: name the hex.
    if public && text.len() == 2 * BLOCK && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::DamagedBase64 {
            field,
            damage: Damage::Hex,
            position: None,
        });
    }
    // Only 24 characters ending `==` give 16 bytes: no length check needed.
    match padded_decoded_len(text.as_bytes()) {
        Some(BLOCK) => Ok(()),
        Some(len) => Err(Error::WrongLength { field, len }),
        None => Err(Error::InvalidBase64 {
            field,
            position: None,
        }),
    }
}

/// Names the transport damage in `text`, if any, most common first: a space
/// (a `+` lost to form decoding), a line break, a `%` escape, the URL-safe
/// alphabet, lost padding. Only called once decoding has failed; positions
/// are only given for public values.
pub(super) fn damage(field: Field, text: &[u8], public: bool) -> Option<Error> {
    let first = |pred: fn(&u8) -> bool| text.iter().position(pred);
    if let Some(at) = surrounding_whitespace(text) {
        return Some(Error::DamagedBase64 {
            field,
            damage: Damage::SurroundingWhitespace,
            position: public.then_some(at),
        });
    }
    if let Some(at) = first(|&b| b == b' ') {
        return Some(Error::SpaceInBase64 {
            field,
            position: public.then_some(at),
        });
    }
    let found = [
        (
            Damage::LineBreak,
            first(|&b| matches!(b, b'\r' | b'\n' | b'\t')),
        ),
        (Damage::PercentEncoded, first(|&b| b == b'%')),
        (Damage::UrlSafeAlphabet, first(|&b| b == b'-' || b == b'_')),
    ];
    if let Some((damage, at)) = found
        .into_iter()
        .find_map(|(damage, at)| at.map(|at| (damage, at)))
    {
        return Some(Error::DamagedBase64 {
            field,
            damage,
            position: public.then_some(at),
        });
    }
    let unpadded = text.iter().all(|&b| DECODE[usize::from(b)] != INVALID);
    (unpadded && !text.len().is_multiple_of(4)).then_some(Error::DamagedBase64 {
        field,
        damage: Damage::MissingPadding,
        position: None,
    })
}

/// The offset of the first whitespace byte when `text` has whitespace at
/// its start or end, none inside, and a base64 length (a multiple of 4)
/// without it. A `+` lost to form decoding at either end leaves a length
/// one short of that, so it is not taken for this.
fn surrounding_whitespace(text: &[u8]) -> Option<usize> {
    let inner = text.trim_ascii();
    let whitespace = |b: &u8| b.is_ascii_whitespace();
    if inner.len() == text.len() || inner.iter().any(whitespace) {
        return None;
    }
    if !inner.len().is_multiple_of(4) {
        return None;
    }
    text.iter().position(whitespace)
}

/// The transport damage in `text`, as strict parsing names it, whatever error
/// parsing stopped at: for the offline diagnosis.
pub(crate) fn transport_damage(field: Field, text: &str) -> Option<Error> {
    damage(field, text.as_bytes(), field != Field::SessionKey)
}

/// Explains why text of a valid length failed strict decoding: the first
/// space (the usual damage), else the first character outside the alphabet
/// or a `=` before the final padding, else non-zero trailing bits in the last
/// character. Positions are only given for public values.
pub(super) fn explain_invalid(field: Field, text: &[u8], public: bool) -> Error {
    if let Some(damage) = damage(field, text, public) {
        return damage;
    }
    let padding = text
        .iter()
        .rev()
        .take(2)
        .take_while(|&&b| b == b'=')
        .count();
    let data = &text[..text.len() - padding];
    let bad = data
        .iter()
        .position(|&b| DECODE[usize::from(b)] == INVALID)
        .or_else(|| data.len().checked_sub(1));
    Error::InvalidBase64 {
        field,
        position: bad.filter(|_| public),
    }
}

/// Undoes transport damage to base64 text (see [`InputParser::lenient`]).
///
/// Returns the text unchanged when it has nothing to repair.
pub(super) fn repair(
    field: Field,
    text: &str,
    decoded_len_ok: impl Fn(usize) -> bool,
) -> Result<Cow<'_, str>, Error> {
    let damaged = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'-' | b'_' | b'%');
    if text.len().is_multiple_of(4) && !text.bytes().any(damaged) {
        return Ok(Cow::Borrowed(text));
    }
    let wrapped = text.bytes().any(|b| b == b'\r' || b == b'\n');
    let fits = |reading: &Result<Zeroizing<String>, Error>| {
        reading
            .as_ref()
            .is_ok_and(|t| decoded_len_ok(unpadded_decoded_len(t)))
    };
    // Both readings are wiped when dropped: the session key's text is secret.
    let preferred = repair_with(field, text, !wrapped);
    let winner = if fits(&preferred) || !text.contains(' ') {
        preferred
    } else {
        // The other reading of the spaces wins when it fits, or when the
        // preferred one is not base64 at all (a space after the `=`).
        let other = repair_with(field, text, wrapped);
        if fits(&other) || (preferred.is_err() && other.is_ok()) {
            other
        } else {
            preferred
        }
    };
    winner.map(|mut repaired| Cow::Owned(std::mem::take(&mut *repaired)))
}

/// One reading of damaged text: spaces become `+` when `space_is_plus`, or
/// are dropped as line-wrapping whitespace otherwise.
fn repair_with(field: Field, text: &str, space_is_plus: bool) -> Result<Zeroizing<String>, Error> {
    let bytes = text.as_bytes();
    let position = |at: usize| (field != Field::SessionKey).then_some(at);
    if let Some(at) = bytes.iter().position(|b| !b.is_ascii()) {
        return Err(Error::InvalidBase64 {
            field,
            position: position(at),
        });
    }
    let mut out = Zeroizing::new(String::with_capacity(bytes.len() + 2));
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        match b {
            b' ' if space_is_plus => out.push('+'),
            b'\t' | b'\r' | b'\n' | b' ' => {}
            b'-' => out.push('+'),
            b'_' => out.push('/'),
            b'%' => {
                let escaped = match bytes.get(i..i + 2) {
                    Some([b'2', b'B' | b'b']) => '+',
                    Some([b'2', b'F' | b'f']) => '/',
                    Some([b'3', b'D' | b'd']) => '=',
                    _ => {
                        return Err(Error::InvalidBase64 {
                            field,
                            position: position(i - 1),
                        });
                    }
                };
                out.push(escaped);
                i += 2;
            }
            _ => out.push(char::from(b)),
        }
    }
    // Normalise the padding: drop what is there, add what the length needs.
    let unpadded = out.trim_end_matches('=').len();
    out.truncate(unpadded);
    match unpadded % 4 {
        0 => {}
        2 => out.push_str("=="),
        3 => out.push('='),
        _ => {
            return Err(Error::InvalidBase64 {
                field,
                position: None,
            });
        }
    }
    Ok(out)
}

/// The decoded length of repaired (canonically padded) text.
fn unpadded_decoded_len(text: &str) -> usize {
    padded_decoded_len(text.as_bytes()).unwrap_or(0)
}
