//! Helpers only the fuzz targets need: the appid they check against, the
//! splitting of a fuzz input into fields, and the reference readings of the
//! watermark and `countryCode`. The encryptor, base64 and the reference JSON
//! reader they share with the tests come from `wxdecrypt-testkit`.
//!
//! Everything here is test machinery: a target panics (which libFuzzer
//! reports as a crash) when the crate under test disagrees with the reference.

use serde_json::Value;

/// The appid every fuzzed watermark is checked against, unless a target
/// reads another one from its input.
pub const APPID: &str = "wx4f4bc4dec97d474b";

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
