//! Strict RFC 8259 syntax: structure, whitespace, strings and escapes, numbers.

use std::fmt::Write as _;

use super::*;

// ---- strict syntax -----------------------------------------------------

#[test]
fn comments_are_rejected() {
    reject(r#"{"a":1}//x"#, JsonProblem::Syntax);
    reject(r#"{/*x*/"a":1}"#, JsonProblem::Syntax);
    reject("{\"a\":1 # x\n}", JsonProblem::Syntax);
}

#[test]
fn trailing_commas_are_rejected() {
    reject(r#"{"a":1,}"#, JsonProblem::Syntax);
    reject(r#"{"a":[1,]}"#, JsonProblem::Syntax);
    reject(r#"{"a":[,1]}"#, JsonProblem::Syntax);
    reject(r#"{,"a":1}"#, JsonProblem::Syntax);
    reject(r#"{"a":1,,"b":2}"#, JsonProblem::Syntax);
}

#[test]
fn single_quotes_and_unquoted_keys_are_rejected() {
    reject("{'a':1}", JsonProblem::Syntax);
    reject(r#"{"a":'x'}"#, JsonProblem::Syntax);
    reject("{a:1}", JsonProblem::Syntax);
    reject("{1:1}", JsonProblem::Syntax);
}

#[test]
fn missing_colons_and_commas_are_rejected() {
    reject(r#"{"a" 1}"#, JsonProblem::Syntax);
    reject(r#"{"a":1 "b":2}"#, JsonProblem::Syntax);
    reject(r#"{"a":[1 2]}"#, JsonProblem::Syntax);
    reject(r#"{"a"::1}"#, JsonProblem::Syntax);
    reject(r#"{"a":}"#, JsonProblem::Syntax);
    reject(r#"{"a"}"#, JsonProblem::Syntax);
}

#[test]
fn nan_and_infinity_are_rejected() {
    for json in ["NaN", "Infinity", "-Infinity", "nan", "inf", "-inf"] {
        reject_member(json, JsonProblem::Syntax);
    }
}

#[test]
fn malformed_numbers_are_rejected() {
    for json in [
        "01", "-01", "00", "+1", ".5", "-.5", "1.", "1.e5", "1e", "1e+", "1E-", "-", "--1", "0x10",
        "1_000", "1.5.5", "1e5e5", "- 1", "0-",
    ] {
        reject_member(json, JsonProblem::Syntax);
    }
}

#[test]
fn literals_must_be_exact() {
    for json in ["tru", "True", "nul", "nulll", "falsey", "f", "NULL"] {
        reject_member(json, JsonProblem::Syntax);
    }
    assert_eq!(member("true"), Value::Bool(true));
    assert_eq!(member("false"), Value::Bool(false));
    assert_eq!(member("null"), Value::Null);
}

#[test]
fn byte_order_mark_is_not_whitespace() {
    reject("\u{feff}{}", JsonProblem::Syntax);
    reject("{\u{feff}}", JsonProblem::Syntax);
    reject("{}\u{feff}", JsonProblem::Syntax);
}

#[test]
fn only_space_tab_newline_and_carriage_return_are_whitespace() {
    let (value, _) = accept(" \t\n\r{ \t\n\r\"a\" \t\n\r: \t\n\r[ 1 , 2 ] \t\n\r} \t\n\r");
    assert_eq!(value["a"][1], 2);
    for ws in ['\u{c}', '\u{b}', '\u{a0}', '\u{2028}', '\u{3000}', '\u{85}'] {
        reject(&format!("{{{ws}}}"), JsonProblem::Syntax);
        reject(&format!("{ws}{{}}"), JsonProblem::Syntax);
    }
}

#[test]
fn whitespace_after_a_colon_is_skipped_before_every_kind_of_value() {
    let text = "{\"s\" :\t\"x\", \"n\": \r\n1, \"m\" : -2, \"f\" : 1.5, \"t\":  true, \"z\" : null, \
                \"a\" : [ ], \"o\" :\n{ \"k\" : 0 } , \"watermark\" : \n {\"appid\" : \"wx\" , \"timestamp\" :\t7}}";
    let (value, watermark) = accept(text);
    assert_eq!(value["s"], "x");
    assert_eq!(value["n"], 1);
    assert_eq!(value["m"], -2);
    assert_eq!(value["o"]["k"], 0);
    let watermark = watermark.unwrap();
    assert_eq!((watermark.appid.as_ref(), watermark.timestamp), ("wx", 7));
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(PHONE).unwrap()).unwrap();
    let spaced = pretty.replace(':', " \t:\n ");
    let (phone, watermark) = parse::<PhoneWithWatermark>(&spaced).unwrap();
    assert_eq!(phone.country_code, "86");
    assert_eq!(phone.watermark.timestamp, 1_558_787_160);
    assert_eq!(watermark, Some(expected_watermark()));
}

#[test]
fn nul_bytes_are_rejected_inside_and_outside_strings() {
    reject("{\"a\":\"x\0y\"}", JsonProblem::Syntax);
    reject("{\"a\0\":1}", JsonProblem::Syntax);
    reject("{\0}", JsonProblem::Syntax);
    reject("{}\0", JsonProblem::Syntax);
    assert_eq!(member(r#""x\u0000y""#), Value::String("x\0y".into()));
}

#[test]
fn raw_control_characters_in_strings_are_rejected_but_delete_is_not() {
    for c in 0u8..0x20 {
        let text = format!("{{\"a\":\"x{}y\"}}", char::from(c));
        reject(&text, JsonProblem::Syntax);
        let escaped = format!("{{\"a\":\"x\\\\{}y\"}}", char::from(c));
        reject(&escaped, JsonProblem::Syntax);
    }
    assert_eq!(member("\"\u{7f}\""), Value::String("\u{7f}".into()));
}

#[test]
fn content_after_the_top_level_object_is_rejected() {
    for text in ["{}{}", "{} x", "{}]", "{}}", "{},", "{} 1", "{}\"\""] {
        reject(text, JsonProblem::Syntax);
    }
    accept("{}  \n\t\r ");
}

#[test]
fn top_level_values_other_than_objects_are_not_an_object() {
    for text in [
        "[]", "[1]", r#""s""#, "1", "-1", "0", "true", "false", "null", " []",
    ] {
        reject(text, JsonProblem::NotAnObject);
    }
}

#[test]
fn empty_or_garbage_input_is_syntax() {
    for text in ["", "   ", "x", "}", "]", ":", "\u{feff}", "'{}'", "\u{e9}"] {
        reject(text, JsonProblem::Syntax);
    }
}

#[test]
fn every_truncation_of_a_payload_is_rejected() {
    for (end, _) in PHONE.char_indices() {
        let prefix = &PHONE[..end];
        assert!(parse::<Value>(prefix).is_err(), "{prefix}");
        assert!(parse::<IgnoredAny>(prefix).is_err(), "{prefix}");
        assert!(parse::<Phone>(prefix).is_err(), "{prefix}");
    }
}

// ---- strings and escapes -----------------------------------------------

#[test]
fn standard_escapes_are_decoded() {
    assert_eq!(
        member(r#""\"\\\/\b\f\n\r\t""#),
        Value::String("\"\\/\u{8}\u{c}\n\r\t".into())
    );
}

#[test]
fn nonstandard_escapes_are_rejected() {
    for json in [
        r#""\a""#,
        r#""\x41""#,
        r#""\'""#,
        r#""\U0041""#,
        r#""\0""#,
        r#""\u12""#,
        r#""\u12G4""#,
        r#""\u""#,
        r#""\ ""#,
        r#""\""#,
        r#""\e""#,
    ] {
        reject_member(json, JsonProblem::Syntax);
    }
}

#[test]
fn unicode_escapes_decode_bmp_characters_in_either_case() {
    assert_eq!(
        member(r#""\u00e9\u00E9\u4e2d\u0041""#),
        Value::String("\u{e9}\u{e9}\u{4e2d}A".into())
    );
}

#[test]
fn surrogate_pairs_are_combined() {
    assert_eq!(
        member(r#""a\ud83d\ude00b\uD83D\uDE00""#),
        Value::String("a\u{1f600}b\u{1f600}".into())
    );
    assert_eq!(
        member(r#""\udbff\udfff""#),
        Value::String("\u{10ffff}".into())
    );
}

#[test]
fn lone_or_misordered_surrogates_are_rejected() {
    for json in [
        r#""\ud83d""#,
        r#""\ud83dx""#,
        r#""\ud83d\u0041""#,
        r#""\ud83d\ud83d""#,
        r#""\ude00""#,
        r#""\ude00\ud83d""#,
        r#""\ud83d\n""#,
        r#""\ud83d\ude0""#,
    ] {
        reject_member(json, JsonProblem::Syntax);
        reject(&format!("{{{json}:1}}"), JsonProblem::Syntax);
    }
}

#[test]
fn non_ascii_text_passes_through_unchanged() {
    let s = "\u{e9}\u{4e2d}\u{1f600}\u{10ffff} \u{2028}";
    assert_eq!(member(&format!("\"{s}\"")), Value::String(s.into()));
}

#[test]
fn long_escaped_strings_survive_scratch_growth() {
    let mut json = String::from("\"");
    let mut expected = String::new();
    for i in 0..500 {
        write!(json, "seg{i}\\n\\u00e9").unwrap();
        write!(expected, "seg{i}\n\u{e9}").unwrap();
    }
    json.push('"');
    assert_eq!(member(&json), Value::String(expected));
}

#[test]
fn strings_without_escapes_are_borrowed_and_escaped_ones_are_owned() {
    #[derive(Deserialize)]
    struct Borrowing<'a> {
        #[serde(borrow)]
        s: Cow<'a, str>,
        t: &'a str,
    }
    let (b, _) = parse::<Borrowing<'_>>(r#"{"s":"plain","t":"x"}"#).unwrap();
    assert!(matches!(b.s, Cow::Borrowed("plain")));
    assert_eq!(b.t, "x");
    let (b, _) = parse::<Borrowing<'_>>(r#"{"s":"a\nb","t":"x"}"#).unwrap();
    assert!(matches!(b.s, Cow::Owned(ref s) if s == "a\nb"));
    assert_eq!(
        kind_of::<Borrowing<'_>>(r#"{"s":"a","t":"\n"}"#),
        Some(JsonProblem::Shape)
    );
}

// ---- numbers -------------------------------------------------------------

#[test]
fn integers_at_the_u64_boundary_are_unsigned_then_float() {
    let max = member("18446744073709551615");
    assert_eq!(max.as_u64(), Some(u64::MAX));
    let over = member("18446744073709551616");
    assert!(over.is_f64());
    assert_eq!(over.as_f64(), Some(18_446_744_073_709_551_616.0));
    assert!(member("123456789012345678901234567890").is_f64());
}

#[test]
fn integers_at_the_i64_boundary_are_signed_then_float() {
    let min = member("-9223372036854775808");
    assert_eq!(min.as_i64(), Some(i64::MIN));
    assert!(!min.is_f64());
    let under = member("-9223372036854775809");
    assert!(under.is_f64());
    assert_eq!(member("-1").as_i64(), Some(-1));
    assert_eq!(member("0").as_u64(), Some(0));
}

#[test]
fn negative_zero_is_a_negative_float_like_serde_json() {
    let ours = member("-0");
    let theirs: Value = serde_json::from_str("-0").unwrap();
    assert!(ours.is_f64() && theirs.is_f64());
    assert!(ours.as_f64().unwrap().is_sign_negative());
    assert_eq!(
        ours.as_f64().unwrap().to_bits(),
        theirs.as_f64().unwrap().to_bits()
    );
}

#[test]
fn fractions_and_exponents_are_correctly_rounded_floats() {
    for json in [
        "1.0",
        "1e0",
        "1E+2",
        "1e-2",
        "-1.5e-3",
        "0.1",
        "2.2250738585072011e-308",
        "1.7976931348623157e308",
        "9007199254740993",
        "0.30000000000000004",
        "4.9e-324",
    ] {
        let value = member(json);
        assert!(value.is_f64() || value.is_u64(), "{json}");
        if value.is_f64() {
            assert_eq!(
                value.as_f64().unwrap().to_bits(),
                json.parse::<f64>().unwrap().to_bits(),
                "{json}"
            );
        }
    }
}

#[test]
fn overflowing_floats_are_syntax_errors_everywhere() {
    let huge = format!("1{}", "0".repeat(400));
    for json in ["1e400", "-1e400", "1e999999999999999999999", huge.as_str()] {
        reject_member(json, JsonProblem::Syntax);
        assert!(serde_json::from_str::<Value>(json).is_err());
        let text =
            format!(r#"{{"phoneNumber":"1","purePhoneNumber":"1","countryCode":"1","x":{json}}}"#);
        assert_eq!(kind_of::<Phone>(&text), Some(JsonProblem::Syntax));
    }
}

#[test]
fn underflowing_floats_become_zero() {
    assert_eq!(member("1e-400").as_f64(), Some(0.0));
    assert_eq!(member("0e999999999999999999999").as_f64(), Some(0.0));
    assert!(member("-1e-400").as_f64().unwrap().is_sign_negative());
}

#[test]
fn out_of_range_numbers_for_the_target_are_shape() {
    #[derive(Debug, Deserialize)]
    struct Small {
        #[allow(dead_code, reason = "only the error matters")]
        v: u8,
    }
    assert_eq!(kind_of::<Small>(r#"{"v":256}"#), Some(JsonProblem::Shape));
    assert_eq!(kind_of::<Small>(r#"{"v":-1}"#), Some(JsonProblem::Shape));
    assert_eq!(kind_of::<Small>(r#"{"v":1.5}"#), Some(JsonProblem::Shape));
    assert_eq!(parse::<Small>(r#"{"v":255}"#).unwrap().0.v, 255);
}
