//! Helpers shared by the fuzz targets: an encryptor that does not use the
//! crate under test, and independent checks of what the crate accepted.
//!
//! Everything here is test machinery: it panics (which libFuzzer reports as
//! a crash) when the crate under test disagrees with the reference.

use aes::Aes128;
use base64::Engine as _;
use cbc::cipher::{BlockModeEncrypt as _, InOutBuf, KeyIvInit as _};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The appid every fuzzed watermark is checked against, unless a target
/// reads another one from its input.
pub const APPID: &str = "wx4f4bc4dec97d474b";

/// Standard base64 with padding, as WeChat sends it.
#[must_use]
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// AES-128-CBC with PKCS#7 added by hand, as WeChat encrypts.
#[must_use]
pub fn encrypt(key: &[u8; 16], iv: &[u8; 16], plaintext: &[u8]) -> Vec<u8> {
    encrypt_blocks(key, iv, pkcs7(plaintext))
}

/// `plaintext` followed by its PKCS#7 padding.
#[must_use]
pub fn pkcs7(plaintext: &[u8]) -> Vec<u8> {
    let pad = 16 - plaintext.len() % 16;
    let mut buf = plaintext.to_vec();
    buf.resize(plaintext.len() + pad, u8::try_from(pad).unwrap_or(16));
    buf
}

/// AES-128-CBC over whole blocks, nothing added.
#[must_use]
pub fn encrypt_blocks(key: &[u8; 16], iv: &[u8; 16], mut blocks: Vec<u8>) -> Vec<u8> {
    let mut encryptor = cbc::Encryptor::<Aes128>::new(key.into(), iv.into());
    let (chunks, tail) = InOutBuf::from(&mut blocks[..]).into_chunks();
    assert!(tail.is_empty(), "whole blocks only");
    encryptor.encrypt_blocks_inout(chunks);
    blocks
}

/// Splits `data` at the first `n - 1` newlines into `n` byte fields; the
/// last field keeps any further newlines. `None` when there are fewer.
#[must_use]
pub fn fields<const N: usize>(data: &[u8]) -> Option<[&[u8]; N]> {
    let mut out = [&data[..0]; N];
    let mut rest = data;
    for slot in out.iter_mut().take(N - 1) {
        let at = rest.iter().position(|&b| b == b'\n')?;
        *slot = &rest[..at];
        rest = &rest[at + 1..];
    }
    out[N - 1] = rest;
    Some(out)
}

/// [`fields`], each of them UTF-8; `None` when one is not.
#[must_use]
pub fn text_fields<const N: usize>(data: &[u8]) -> Option<[&str; N]> {
    let raw = fields::<N>(data)?;
    let mut out = [""; N];
    for (slot, bytes) in out.iter_mut().zip(raw) {
        *slot = std::str::from_utf8(bytes).ok()?;
    }
    Some(out)
}

/// What an independent reading of a plaintext says about it: serde_json's
/// value, or `None` when serde_json refuses it or finds a duplicate key (at
/// any depth) or nesting deeper than the crate's limit of 32.
#[must_use]
pub fn reference_object(text: &str) -> Option<serde_json::Map<String, Value>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let clean = Checked { depth: 0 }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    if !clean {
        return None;
    }
    match serde_json::from_str::<Value>(text).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Visits a JSON value and says whether it is free of duplicate keys and
/// nests at most 32 levels.
#[derive(Clone, Copy)]
struct Checked {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Checked {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Checked {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(true)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(true)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(true)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(true)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(true)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(true)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let inner = Checked {
            depth: self.depth + 1,
        };
        let mut clean = inner.depth <= 32;
        while let Some(ok) = seq.next_element_seed(inner)? {
            clean &= ok;
        }
        Ok(clean)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let inner = Checked {
            depth: self.depth + 1,
        };
        let mut clean = inner.depth <= 32;
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            clean &= seen.insert(key);
            clean &= map.next_value_seed(inner)?;
        }
        Ok(clean)
    }
}

/// Whether the reference accepts the object's watermark under the default
/// policy: it names `appid`, and its integer timestamp is at most 3600 s old
/// and at most 300 s in the future (the leeway) at `now`.
#[must_use]
pub fn watermark_ok(object: &serde_json::Map<String, Value>, appid: &str, now: u64) -> bool {
    let Some(mark) = object.get("watermark").and_then(Value::as_object) else {
        return false;
    };
    let Some(stamp) = mark.get("timestamp").and_then(Value::as_u64) else {
        return false;
    };
    mark.get("appid").and_then(Value::as_str) == Some(appid)
        && stamp <= now.saturating_add(300)
        && now.saturating_sub(stamp) <= 3600 + 300
}

/// The reference reading of `countryCode`: `"86"`, `"+86"` or `86`, as the
/// digits alone.
#[must_use]
pub fn reference_country_code(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.strip_prefix('+').unwrap_or(text).to_owned()),
        Value::Number(number) => number.as_u64().map(|n| n.to_string()),
        _ => None,
    }
}

/// Reads `bytes` as a decimal `u64`, or `None`.
#[must_use]
pub fn decimal(bytes: &[u8]) -> Option<u64> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}
