//! Parsing of the `--input` JSON object.
//!
//! Public through the crate's library target so that the fuzz crate
//! (`fuzz/fuzz_targets/entry_points.rs`) runs the parser the binary runs.

use serde_json::{Map, Value};
use zeroize::{Zeroize as _, Zeroizing};

/// The four inputs, from the flags or from `--input`. The session key is
/// wiped when dropped.
pub struct InputFile {
    /// The mini program's appid.
    pub appid: String,
    /// The `session_key`, base64.
    pub session_key: Zeroizing<String>,
    /// The `iv`, base64.
    pub iv: String,
    /// The `encryptedData`, base64.
    pub encrypted_data: String,
}

impl std::fmt::Debug for InputFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InputFile")
            .field("appid", &self.appid)
            .field("session_key", &format_args!("[redacted]"))
            .field("iv", &format_args!("[{} bytes]", self.iv.len()))
            .field(
                "encrypted_data",
                &format_args!("[{} bytes]", self.encrypted_data.len()),
            )
            .finish()
    }
}

/// The inputs of `check-signature`, from `--input`. The session key is
/// wiped when dropped.
pub struct SignatureFile {
    /// The `session_key`, base64.
    pub session_key: Zeroizing<String>,
    /// The `rawData` text that was signed.
    pub raw_data: String,
    /// The signature the mini program sent (hex SHA-1).
    pub signature: String,
}

impl std::fmt::Debug for SignatureFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureFile")
            .field("session_key", &format_args!("[redacted]"))
            .field("raw_data", &format_args!("[{} bytes]", self.raw_data.len()))
            .field("signature", &self.signature)
            .finish()
    }
}

/// Parses an `--input` file's bytes. The error is a usage message that
/// names fields and positions, never values.
///
/// # Errors
/// A usage message naming the field or position at fault.
pub fn parse(text: &[u8]) -> Result<InputFile, String> {
    let map = parse_object(text, "appid, session_key, iv and encrypted_data")?;
    take_fields(map)
}

/// Parses a `check-signature --input` file's bytes, like [`parse`].
///
/// # Errors
/// As [`parse`].
pub fn parse_signature(text: &[u8]) -> Result<SignatureFile, String> {
    let mut map = parse_object(text, "session_key, raw_data and signature")?;
    Ok(SignatureFile {
        session_key: Zeroizing::new(take_string(&mut map, &["session_key", "sessionKey"])?),
        raw_data: take_string(&mut map, &["raw_data", "rawData"])?,
        signature: take_string(&mut map, &["signature"])?,
    })
}

/// The JSON object in `text`, without duplicate keys; `fields` names what it
/// should hold, for the message when it is not an object.
fn parse_object(text: &[u8], fields: &str) -> Result<WipedMap, String> {
    // serde_json's messages quote the values they did not expect (a string,
    // an integer): none of its text is printed, only its position.
    let value: Value = serde_json::from_slice(text).map_err(|e| {
        format!(
            "--input is not valid JSON ({} at line {}, column {})",
            match e.classify() {
                serde_json::error::Category::Eof => "unexpected end",
                _ => "syntax error",
            },
            e.line(),
            e.column()
        )
    })?;
    let map = match value {
        Value::Object(map) => WipedMap(map),
        other => {
            let found = type_name(&other);
            wipe(other);
            return Err(format!(
                "--input must be a JSON object with {fields}, not {found}"
            ));
        }
    };
    // `Value` keeps the last of two equal keys: refuse them instead, as the
    // library refuses them in payloads.
    if let Ok(FirstDuplicate(Some(key))) = serde_json::from_slice(text) {
        return Err(format!(
            "--input has the key {key:?} twice: ambiguous, give it once"
        ));
    }
    Ok(map)
}

/// The first top-level key of an object that appears twice, if any.
struct FirstDuplicate(Option<String>);

impl<'de> serde::Deserialize<'de> for FirstDuplicate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FirstDuplicate(None))
    }
}

impl<'de> serde::de::Visitor<'de> for FirstDuplicate {
    type Value = Self;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut seen = std::collections::HashSet::new();
        let mut first = None;
        // Read to the end: serde_json checks that the object was consumed.
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<serde::de::IgnoredAny>()?;
            if !seen.insert(key.clone()) && first.is_none() {
                first = Some(key);
            }
        }
        Ok(Self(first))
    }
}

/// The four fields of an `--input` object; anything else in it is ignored.
fn take_fields(mut map: WipedMap) -> Result<InputFile, String> {
    Ok(InputFile {
        appid: take_string(&mut map, &["appid"])?,
        session_key: Zeroizing::new(take_string(&mut map, &["session_key", "sessionKey"])?),
        iv: take_string(&mut map, &["iv"])?,
        encrypted_data: take_string(&mut map, &["encrypted_data", "encryptedData"])?,
    })
}

/// The string under `names[0]` or one of its other spellings. The messages
/// name the field, never its value.
fn take_string(map: &mut WipedMap, names: &[&str]) -> Result<String, String> {
    let present: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| map.0.contains_key(*name))
        .collect();
    match present[..] {
        [] => Err(format!("--input is missing {}", names.join(" or "))),
        [name] => match map.0.remove(name).unwrap_or_default() {
            Value::String(text) => Ok(text),
            other => {
                let found = type_name(&other);
                wipe(other);
                Err(format!(
                    "--input field {name} must be a string, not {found}"
                ))
            }
        },
        _ => Err(format!(
            "--input has both {}: ambiguous, give only one",
            present.join(" and ")
        )),
    }
}

/// An `--input` object whose strings (keys and values alike, which may hold
/// the session key under any name) are wiped when it is dropped.
struct WipedMap(Map<String, Value>);

impl Drop for WipedMap {
    fn drop(&mut self) {
        wipe(Value::Object(std::mem::take(&mut self.0)));
    }
}

/// Wipes every string in `value`.
fn wipe(value: Value) {
    match value {
        Value::String(mut text) => text.zeroize(),
        Value::Array(items) => items.into_iter().for_each(wipe),
        Value::Object(map) => {
            for (mut key, item) in map {
                key.zeroize();
                wipe(item);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// A JSON type, with its article, for messages that must not show the value.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
