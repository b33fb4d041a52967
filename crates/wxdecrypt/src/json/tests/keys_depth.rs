//! Duplicate keys at every depth and the nesting limit.

use std::fmt::Write as _;

use super::*;

// ---- duplicate keys ------------------------------------------------------

#[test]
fn duplicate_top_level_key_is_rejected() {
    reject(r#"{"a":1,"a":1}"#, JsonProblem::DuplicateKey);
    reject(r#"{"":1,"":2}"#, JsonProblem::DuplicateKey);
    assert_eq!(
        kind_of::<Phone>(
            r#"{"phoneNumber":"1","phoneNumber":"2","purePhoneNumber":"1","countryCode":"86"}"#
        ),
        Some(JsonProblem::DuplicateKey)
    );
}

#[test]
fn duplicate_key_in_nested_object_is_rejected() {
    reject(r#"{"a":{"b":{"c":1,"c":2}}}"#, JsonProblem::DuplicateKey);
}

#[test]
fn duplicate_key_in_nested_array_object_is_rejected() {
    reject(
        r#"{"a":[1,[{"x":1}],{"c":1,"d":2,"c":3}]}"#,
        JsonProblem::DuplicateKey,
    );
}

#[test]
fn duplicate_key_inside_a_value_the_target_skips_is_rejected() {
    let text =
        r#"{"phoneNumber":"1","purePhoneNumber":"1","countryCode":"86","extra":[{"k":1,"k":2}]}"#;
    assert_eq!(kind_of::<Phone>(text), Some(JsonProblem::DuplicateKey));
}

#[test]
fn escaped_and_unescaped_spellings_of_one_key_are_duplicates() {
    for text in [
        r#"{"a":1,"\u0061":2}"#,
        r#"{"\u0061":1,"a":2}"#,
        r#"{"\u0061":1,"\u0061":2}"#,
        r#"{"/":1,"\/":2}"#,
        r#"{"\u00e9":1,"é":2}"#,
        r#"{"\ud83d\ude00":1,"😀":2}"#,
        r#"{"x":{"a\nb":1,"a\u000ab":2}}"#,
    ] {
        reject(text, JsonProblem::DuplicateKey);
    }
}

#[test]
fn keys_that_differ_are_accepted() {
    let (value, _) = accept(r#"{"a":1,"ab":2,"A":3,"\u0062":4,"a ":5,"":6}"#);
    assert_eq!(value.as_object().unwrap().len(), 6);
}

/// `"k0":0,"k1":1,...` with `count` members and a trailing comma.
fn numbered_members(count: usize) -> String {
    let mut members = String::new();
    for i in 0..count {
        write!(members, r#""k{i}":{i},"#).unwrap();
    }
    members
}

#[test]
fn duplicates_are_found_beyond_sixteen_keys_and_with_escaped_keys() {
    let many = numbered_members(40);
    accept(&format!("{{{many}\"end\":0}}"));
    reject(&format!("{{{many}\"k3\":0}}"), JsonProblem::DuplicateKey);
    reject(&format!("{{{many}\"k39\":0}}"), JsonProblem::DuplicateKey);
    reject(
        &format!("{{{many}\"k\\u00339\":0}}"),
        JsonProblem::DuplicateKey,
    );
    reject(
        &format!("{{\"\\u006b0\":1,{many}\"end\":0}}"),
        JsonProblem::DuplicateKey,
    );
    let few = numbered_members(16);
    accept(&format!("{{{few}\"\\u006b16\":0}}"));
    reject(
        &format!("{{{few}\"\\u006b15\":0}}"),
        JsonProblem::DuplicateKey,
    );
    reject(
        &format!("{{{few}\"k16\":0,\"k0\":0}}"),
        JsonProblem::DuplicateKey,
    );
}

#[test]
fn object_with_100k_keys_is_parsed_without_quadratic_work() {
    let mut text = String::from("{");
    for i in 0..100_000 {
        write!(text, r#""key{i}":{i},"#).unwrap();
    }
    text.push_str(r#""last":true}"#);
    let (value, _) = parse::<Value>(&text).unwrap();
    assert_eq!(value.as_object().unwrap().len(), 100_001);
    assert!(parse::<IgnoredAny>(&text).is_ok());
    let duplicated = text.replace(r#""last""#, r#""key0""#);
    reject(&duplicated, JsonProblem::DuplicateKey);
    let escaped = text.replace(r#""last""#, r#""k\u0065y99999""#);
    reject(&escaped, JsonProblem::DuplicateKey);
}

// ---- depth -----------------------------------------------------------------

/// `count` nested arrays (the top-level object adds one level).
fn nested_arrays(count: usize) -> String {
    format!(r#"{{"a":{}{}}}"#, "[".repeat(count), "]".repeat(count))
}

/// `count` nested objects including the top-level one.
fn nested_objects(count: usize) -> String {
    format!("{}1{}", r#"{"a":"#.repeat(count), "}".repeat(count))
}

#[test]
fn nesting_at_max_depth_is_accepted() {
    for text in [nested_arrays(MAX_DEPTH - 1), nested_objects(MAX_DEPTH)] {
        assert!(parse::<Value>(&text).is_ok());
        assert!(parse::<IgnoredAny>(&text).is_ok());
        // Well within serde_json's own limit (128), which agrees.
        assert!(serde_json::from_str::<Value>(&text).is_ok());
    }
    accept(&nested_objects(MAX_DEPTH - 1));
}

#[test]
fn nesting_beyond_max_depth_is_too_deep() {
    reject(&nested_arrays(MAX_DEPTH), JsonProblem::TooDeep);
    reject(&nested_objects(MAX_DEPTH + 1), JsonProblem::TooDeep);
    let text = format!(
        r#"{{"watermark":{{"appid":"a","timestamp":1,"x":{}{}}}}}"#,
        "[".repeat(MAX_DEPTH),
        "]".repeat(MAX_DEPTH)
    );
    reject(&text, JsonProblem::TooDeep);
}

/// Runs `f` on a thread with a stack of `kib` KiB.
fn on_stack(kib: usize, f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(kib * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

/// Stack for targets whose own frames are large (`serde_json`'s `Value`
/// needs about 2.7 KiB per level in unoptimized builds, under 1 KiB in
/// optimized ones).
const VALUE_STACK_KIB: usize = if cfg!(debug_assertions) { 1024 } else { 256 };

#[test]
fn hundred_thousand_open_brackets_are_too_deep_without_stack_overflow() {
    let text = format!(r#"{{"countryCode":"1","a":{}"#, "[".repeat(100_000));
    let copy = text.clone();
    on_stack(256, move || {
        assert_eq!(kind_of::<Phone>(&copy), Some(JsonProblem::TooDeep));
        assert_eq!(kind_of::<IgnoredAny>(&copy), Some(JsonProblem::TooDeep));
    });
    on_stack(VALUE_STACK_KIB, move || {
        assert_eq!(kind_of::<Value>(&text), Some(JsonProblem::TooDeep));
    });
}

#[test]
fn hundred_thousand_nested_objects_are_too_deep_without_stack_overflow() {
    let text = format!(r#"{{"countryCode":"1",{}"#, r#""a":{"#.repeat(100_000));
    let copy = text.clone();
    on_stack(256, move || {
        assert_eq!(kind_of::<Phone>(&copy), Some(JsonProblem::TooDeep));
        assert_eq!(kind_of::<IgnoredAny>(&copy), Some(JsonProblem::TooDeep));
    });
    on_stack(VALUE_STACK_KIB, move || {
        assert_eq!(kind_of::<Value>(&text), Some(JsonProblem::TooDeep));
    });
}

#[test]
fn deepest_accepted_nesting_fits_in_a_small_stack() {
    on_stack(256, || {
        assert!(parse::<IgnoredAny>(&nested_objects(MAX_DEPTH)).is_ok());
        assert!(parse::<IgnoredAny>(&nested_arrays(MAX_DEPTH - 1)).is_ok());
    });
    on_stack(VALUE_STACK_KIB, || {
        assert!(parse::<Value>(&nested_objects(MAX_DEPTH)).is_ok());
        assert!(parse::<Value>(&nested_arrays(MAX_DEPTH - 1)).is_ok());
    });
}
