//! The inputs stage: the three texts read as production reads them, and the
//! hints (transport damage, lengths, double encoding) that need another look
//! at the text.

use zeroize::Zeroizing;

use crate::error::{Damage, Error, Field};
use crate::input::{BLOCK, EncryptedData, InputParser, Iv, SessionKey, transport_damage};

use super::{DiagnoseInput, Finding, LengthHint};

/// Parses the three fields in the production order.
pub(super) fn parse_inputs<'a>(
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
pub(super) fn input_finding(
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
    let repairs = || parses(field, text, parser.lenient());
    let plain = |error| Finding::Input {
        error,
        lenient_repairs: false,
        hint: None,
    };
    match error {
        // Unpadded text that no padding makes the right length: cut short.
        Error::DamagedBase64 {
            damage: Damage::MissingPadding,
            ..
        } if !repairs() => {
            let len = text.len() / 4 * 3 + (text.len() % 4).saturating_sub(1);
            match field {
                Field::EncryptedData => plain(Error::NotBlockAligned { len }),
                Field::SessionKey | Field::Iv => Finding::Input {
                    error: Error::WrongLength { field, len },
                    lenient_repairs: false,
                    hint: Some(length_hint(text)),
                },
            }
        }
        Error::SpaceInBase64 { .. } | Error::DamagedBase64 { .. } => Finding::Input {
            lenient_repairs: repairs(),
            error,
            hint: None,
        },
        // `field` is the one being parsed: the error names the same.
        Error::WrongLength { .. } | Error::NotBlockAligned { .. } if encoded_twice(field, text) => {
            Finding::EncodedTwice {
                field,
                reaches_cipher: false,
            }
        }
        Error::WrongLength { .. } => Finding::Input {
            error,
            lenient_repairs: false,
            hint: Some(length_hint(text)),
        },
        error => plain(error),
    }
}

/// Whether `parser` reads `text` as `field`, decoding included.
pub(super) fn parses(field: Field, text: &str, parser: InputParser) -> bool {
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
    let Ok(once) = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text) else {
        return false;
    };
    let once = Zeroizing::new(once);
    std::str::from_utf8(&once).is_ok_and(|inner| parses(field, inner, InputParser::new()))
}
