//! Unit tests of the strict parser, one file per topic; this file holds the
//! payload types and the accept/reject helpers they share.

use std::borrow::Cow;
use std::fmt;

use proptest::prelude::*;
use serde::Deserialize;
use serde::de::{self, IgnoredAny, Visitor};
use serde_json::Value;

use super::watermark::WATERMARK;
use super::*;

mod differential;
mod keys_depth;
pub(super) mod layout;
mod map_keys;
mod scans;
mod serde_surface;
mod syntax;
mod template;
mod watermark;

const PHONE: &str = r#"{"phoneNumber":"18017448610","purePhoneNumber":"18017448610","countryCode":"86","watermark":{"timestamp":1558787160,"appid":"wxdaa2ab9ef87b5497"}}"#;

/// WeChat's profile sample (the official demo's plaintext), compact.
const USER: &str = r#"{"openId":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/aSKcBBPpibyKNicHNTMM0qJVh8Kjgiak2AHWr8MHM4WgMEm7GFhsf8OYrySdbvAMvTsw3mo8ibKicsnfN5pRjl1p8HQ/0","unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA","watermark":{"timestamp":1477314187,"appid":"wx4f4bc4dec97d474b"}}"#;

/// [`PHONE`] or [`USER`] (`which`) with one byte replaced, inserted or
/// removed (`edit`) at `at`: the mutations the fast paths' property tests
/// read, when the result is still UTF-8.
fn edited_wechat_text(which: usize, at: prop::sample::Index, byte: u8, edit: u8) -> Option<String> {
    let mut bytes = [PHONE, USER][which].as_bytes().to_vec();
    let i = at.index(bytes.len());
    match edit {
        0 => bytes[i] = byte,
        1 => bytes.insert(i, byte),
        _ => {
            bytes.remove(i);
        }
    }
    String::from_utf8(bytes).ok()
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::struct_field_names, reason = "mirrors the WeChat payload")]
struct Phone {
    phone_number: String,
    pure_phone_number: String,
    country_code: String,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::struct_field_names, reason = "mirrors the WeChat payload")]
struct PhoneWithWatermark {
    phone_number: String,
    pure_phone_number: String,
    country_code: String,
    watermark: OwnWatermark,
}

#[derive(Debug, PartialEq, Deserialize)]
struct OwnWatermark {
    appid: String,
    timestamp: u64,
}

fn expected_watermark() -> WatermarkRef<'static> {
    WatermarkRef {
        appid: Cow::Borrowed("wxdaa2ab9ef87b5497"),
        timestamp: 1_558_787_160,
    }
}

/// Parses into `Value` and `IgnoredAny`; both must succeed, agree on the
/// watermark, and the `Value` must equal `serde_json`'s.
fn accept(text: &str) -> (Value, Option<WatermarkRef<'_>>) {
    let (value, watermark) = parse::<Value>(text).expect("Value parse");
    let (IgnoredAny, skipped) = parse::<IgnoredAny>(text).expect("IgnoredAny parse");
    assert_eq!(watermark, skipped);
    let reference: Value = serde_json::from_str(text).expect("serde_json parse");
    assert!(same(&value, &reference), "{value} vs {reference}");
    (value, watermark)
}

/// Both the visiting and the skipping path must fail with `kind`.
fn reject(text: &str, kind: JsonProblem) {
    assert_eq!(parse::<Value>(text).map(drop), Err(kind), "Value: {text:?}");
    assert_eq!(
        parse::<IgnoredAny>(text).map(drop),
        Err(kind),
        "IgnoredAny: {text:?}"
    );
}

/// Parses `{"v": <json>}` and returns the value of `v`.
fn member(json: &str) -> Value {
    let text = format!(r#"{{"v":{json}}}"#);
    accept(&text).0["v"].clone()
}

/// `{"v": <json>}` must be rejected with `kind`.
fn reject_member(json: &str, kind: JsonProblem) {
    reject(&format!(r#"{{"v":{json}}}"#), kind);
}

fn kind_of<'de, T: Deserialize<'de>>(text: &'de str) -> Option<JsonProblem> {
    parse::<T>(text).err()
}

/// Whether two values are equal, allowing floats to differ by a few ulps
/// (`serde_json`'s default float parsing is not correctly rounded: it reads
/// `-1.9294441799204558e-196` two ulps off).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            x.is_sign_negative() == y.is_sign_negative() && x.to_bits().abs_diff(y.to_bits()) <= 16
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn owned(w: Option<WatermarkRef<'_>>) -> Option<(String, u64)> {
    w.map(|w| (w.appid.into_owned(), w.timestamp))
}
