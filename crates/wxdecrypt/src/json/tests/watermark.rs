//! Payload structs and the capture of the top-level watermark.

use std::collections::BTreeMap;

use super::*;

// ---- payloads and watermark ------------------------------------------

#[test]
fn phone_payload_fills_struct_with_watermark_field_and_captures_watermark() {
    let (phone, watermark) = parse::<PhoneWithWatermark>(PHONE).unwrap();
    assert_eq!(phone.phone_number, "18017448610");
    assert_eq!(phone.pure_phone_number, "18017448610");
    assert_eq!(phone.country_code, "86");
    assert_eq!(
        phone.watermark,
        OwnWatermark {
            appid: "wxdaa2ab9ef87b5497".into(),
            timestamp: 1_558_787_160
        }
    );
    assert_eq!(watermark, Some(expected_watermark()));
}

#[test]
fn phone_payload_into_struct_without_watermark_field_still_captures_watermark() {
    let (phone, watermark) = parse::<Phone>(PHONE).unwrap();
    assert_eq!(
        phone,
        Phone {
            phone_number: "18017448610".into(),
            pure_phone_number: "18017448610".into(),
            country_code: "86".into(),
        }
    );
    assert_eq!(watermark, Some(expected_watermark()));
}

#[test]
fn watermark_is_captured_when_target_ignores_everything_or_keeps_everything() {
    let (value, watermark) = accept(PHONE);
    assert_eq!(watermark, Some(expected_watermark()));
    assert_eq!(value["watermark"]["appid"], "wxdaa2ab9ef87b5497");
}

#[test]
fn watermark_is_captured_through_flatten_and_option_targets() {
    #[derive(Deserialize)]
    struct Flat {
        #[serde(rename = "countryCode")]
        country_code: String,
        #[serde(flatten)]
        rest: BTreeMap<String, Value>,
    }
    let (flat, watermark) = parse::<Flat>(PHONE).unwrap();
    assert_eq!(flat.country_code, "86");
    assert_eq!(flat.rest["watermark"]["timestamp"], 1_558_787_160);
    assert_eq!(watermark, Some(expected_watermark()));
    let (some, watermark) = parse::<Option<Phone>>(PHONE).unwrap();
    assert!(some.is_some());
    assert_eq!(watermark, Some(expected_watermark()));
}

#[test]
fn watermark_is_captured_when_target_is_an_enum_keyed_by_watermark() {
    #[derive(Debug, Deserialize)]
    enum Top {
        #[serde(rename = "watermark")]
        Watermark(IgnoredAny),
    }
    let text = r#"{"watermark":{"appid":"a","timestamp":7}}"#;
    let (Top::Watermark(_), watermark) = parse::<Top>(text).unwrap();
    assert_eq!(watermark.unwrap().timestamp, 7);
}

#[test]
fn payload_without_watermark_yields_no_watermark() {
    let (_, watermark) = accept(r#"{"phoneNumber":"1","countryCode":"86"}"#);
    assert_eq!(watermark, None);
    let (_, watermark) = accept("{}");
    assert_eq!(watermark, None);
}

#[test]
fn nested_watermark_members_are_not_captured() {
    let (_, watermark) =
        accept(r#"{"x":{"watermark":{"appid":"a","timestamp":1}},"y":[{"watermark":1}]}"#);
    assert_eq!(watermark, None);
}

#[test]
fn watermark_that_is_not_an_object_is_bad_watermark() {
    for json in [r#""wx""#, "null", "[]", "1", "true", r#"["appid"]"#] {
        reject(
            &format!(r#"{{"watermark":{json}}}"#),
            JsonProblem::BadWatermark,
        );
    }
}

#[test]
fn watermark_missing_appid_or_timestamp_is_bad_watermark() {
    for json in [
        "{}",
        r#"{"appid":"a"}"#,
        r#"{"timestamp":1}"#,
        r#"{"Appid":"a","timestamp":1}"#,
    ] {
        reject(
            &format!(r#"{{"watermark":{json}}}"#),
            JsonProblem::BadWatermark,
        );
    }
}

#[test]
fn watermark_appid_must_be_a_string() {
    for appid in ["1", "null", "[]", "{}", "true"] {
        let text = format!(r#"{{"watermark":{{"appid":{appid},"timestamp":1}}}}"#);
        reject(&text, JsonProblem::BadWatermark);
    }
}

#[test]
fn watermark_timestamp_must_be_a_plain_unsigned_integer() {
    for timestamp in [
        "-1",
        "-0",
        "1.0",
        "1e3",
        "0.5",
        "18446744073709551616",
        r#""1558787160""#,
        "null",
        "[1]",
    ] {
        let text = format!(r#"{{"watermark":{{"appid":"a","timestamp":{timestamp}}}}}"#);
        reject(&text, JsonProblem::BadWatermark);
    }
}

#[test]
fn watermark_timestamp_accepts_zero_and_u64_max() {
    for (json, expected) in [("0", 0), ("18446744073709551615", u64::MAX)] {
        let text = format!(r#"{{"watermark":{{"timestamp":{json},"appid":"a"}}}}"#);
        let (_, watermark) = accept(&text);
        assert_eq!(watermark.unwrap().timestamp, expected);
    }
}

#[test]
fn watermark_unknown_members_are_ignored_but_validated() {
    let text = r#"{"watermark":{"x":[1,{"y":null}],"appid":"a","timestamp":2,"z":"q"}}"#;
    let (_, watermark) = accept(text);
    assert_eq!(
        watermark,
        Some(WatermarkRef {
            appid: Cow::Borrowed("a"),
            timestamp: 2
        })
    );
    reject(
        r#"{"watermark":{"x":{"y":1,"y":2},"appid":"a","timestamp":2}}"#,
        JsonProblem::DuplicateKey,
    );
    reject(
        r#"{"watermark":{"x":01,"appid":"a","timestamp":2}}"#,
        JsonProblem::Syntax,
    );
}

#[test]
fn watermark_duplicate_member_is_rejected() {
    for text in [
        r#"{"watermark":{"appid":"a","appid":"b","timestamp":1}}"#,
        r#"{"watermark":{"appid":"a","timestamp":1,"timestamp":1}}"#,
        r#"{"watermark":{"appid":"a","\u0061ppid":"a","timestamp":1}}"#,
    ] {
        reject(text, JsonProblem::DuplicateKey);
    }
}

#[test]
fn duplicate_top_level_watermark_is_rejected() {
    let one = r#"{"appid":"a","timestamp":1}"#;
    reject(
        &format!(r#"{{"watermark":{one},"watermark":{one}}}"#),
        JsonProblem::DuplicateKey,
    );
    reject(
        &format!(r#"{{"watermark":{one},"w\u0061termark":{one}}}"#),
        JsonProblem::DuplicateKey,
    );
}

#[test]
fn watermark_with_escapes_is_decoded_into_an_owned_appid() {
    let text = r#"{"w\u0061termark":{"\u0061ppid":"wx\u0041\/b","timestamp":5}}"#;
    let (_, watermark) = accept(text);
    let watermark = watermark.unwrap();
    assert_eq!(watermark.appid, "wxA/b");
    assert!(matches!(watermark.appid, Cow::Owned(_)));
    let (_, plain) = parse::<Phone>(PHONE).unwrap();
    assert!(matches!(plain.unwrap().appid, Cow::Borrowed(_)));
}

#[test]
fn compact_and_spaced_watermarks_are_judged_alike() {
    // Compact forms may take the fast path; a space after `{` forces the
    // general one. Both must agree on every input.
    let cases = [
        r#"{"timestamp":1558787160,"appid":"wxdaa2ab9ef87b5497"}"#,
        r#"{"appid":"wx","timestamp":0}"#,
        r#"{"timestamp":18446744073709551615,"appid":""}"#,
        r#"{"timestamp":18446744073709551616,"appid":"a"}"#,
        r#"{"appid":"a","timestamp":99999999999999999999}"#,
        r#"{"timestamp":01,"appid":"a"}"#,
        r#"{"appid":"a","timestamp":00}"#,
        r#"{"timestamp":1.5,"appid":"a"}"#,
        r#"{"timestamp":1e3,"appid":"a"}"#,
        r#"{"timestamp":-1,"appid":"a"}"#,
        r#"{"timestamp":1,"appid":"aA"}"#,
        r#"{"timestamp":1,"appid":"a","x":1}"#,
        r#"{"appid":"a","timestamp":1,"appid":"b"}"#,
        r#"{"timestamp":1,"appid":"a"}"#,
        r#"{"timestamp":1,"appid":"a"#,
        r#"{"timestamp":1,"appid":"a"]"#,
    ];
    for case in cases {
        let spaced = case.replacen('{', "{ ", 1);
        let compact = format!(r#"{{"watermark":{case}}}"#);
        let general = format!(r#"{{"watermark":{spaced}}}"#);
        let got = |text: &str| {
            let visited = parse::<Value>(text).map(|(_, w)| owned(w));
            let skipped = parse::<IgnoredAny>(text).map(|(_, w)| owned(w));
            let own = parse::<BTreeMap<String, Value>>(text).map(|(_, w)| owned(w));
            assert_eq!(visited, skipped, "{text}");
            assert_eq!(visited, own, "{text}");
            visited
        };
        assert_eq!(got(&compact), got(&general), "{case}");
    }
}

#[test]
fn bad_watermark_is_reported_even_when_target_ignores_it() {
    let text =
        r#"{"phoneNumber":"1","purePhoneNumber":"1","countryCode":"86","watermark":{"appid":"a"}}"#;
    assert_eq!(kind_of::<Phone>(text), Some(JsonProblem::BadWatermark));
}
