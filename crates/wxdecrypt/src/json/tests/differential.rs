//! Differential tests against `serde_json` on generated and mutated objects.

use wxdecrypt_testkit::reference::{self, Refusal};

use super::*;

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z\"\\\\/\u{0}-\u{1f}\u{7f}\u{e9}\u{4e2d}\u{1f600}\u{feff}\u{2028} ]{0,12}",
        Just("watermark".to_owned()),
    ]
}

fn arb_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        (-1000.0..1000.0f64).prop_map(Value::from),
        prop::sample::select(vec![
            Value::from(u64::MAX),
            Value::from(i64::MIN),
            Value::from(i64::MAX),
            Value::from(0),
            Value::from(-0.0),
            Value::from(f64::MAX),
            Value::from(f64::MIN_POSITIVE),
            Value::from(5e-324),
        ]),
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        arb_number(),
        arb_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z\u{e9}\\\\\"]{0,3}", inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// A top-level object, sometimes with a valid watermark.
fn arb_object() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec((arb_string(), arb_value()), 0..6),
        prop::option::of((
            arb_string(),
            any::<u64>(),
            prop::collection::vec(("[a-z]{1,3}", arb_value()), 0..3),
        )),
    )
        .prop_map(|(members, watermark)| {
            let mut object: serde_json::Map<String, Value> = members.into_iter().collect();
            object.remove(WATERMARK);
            if let Some((appid, timestamp, extra)) = watermark {
                let mut w: serde_json::Map<String, Value> = extra.into_iter().collect();
                w.insert("appid".into(), appid.into());
                w.insert("timestamp".into(), timestamp.into());
                object.insert(WATERMARK.into(), Value::Object(w));
            }
            Value::Object(object)
        })
}

/// The watermark `value` should yield, or `None` if it has none, or
/// `Err` if its watermark is malformed.
fn expected_watermark_of(value: &Value) -> Result<Option<(String, u64)>, ()> {
    let Some(w) = value.get(WATERMARK) else {
        return Ok(None);
    };
    match (
        w.get("appid").and_then(Value::as_str),
        w.get("timestamp").and_then(Value::as_u64),
    ) {
        (Some(appid), Some(ts)) if w.is_object() && !w["timestamp"].is_f64() => {
            Ok(Some((appid.to_owned(), ts)))
        }
        _ => Err(()),
    }
}

/// Characters used to mutate valid text.
const MUTATIONS: &[char] = &[
    '{', '}', '[', ']', '"', ',', ':', '\\', '/', '0', '1', '9', '-', '+', '.', 'e', 'E', 't', 'f',
    'n', 'u', 'l', 'a', 'r', 's', 'd', 'D', '8', 'x', ' ', '\t', '\n', '\r', '\0', '\u{1f}',
    '\u{7f}', '\u{e9}', '\u{feff}', '\u{a0}', '\'',
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn generated_objects_parse_exactly_like_serde_json(object in arb_object()) {
        let expected = expected_watermark_of(&object).unwrap();
        for text in [serde_json::to_string(&object).unwrap(), serde_json::to_string_pretty(&object).unwrap()] {
            let (ours, watermark) = parse::<Value>(&text).unwrap();
            prop_assert_eq!(&ours, &object);
            let theirs: Value = serde_json::from_str(&text).unwrap();
            prop_assert!(same(&ours, &theirs));
            prop_assert_eq!(owned(watermark), expected.clone());
            let (IgnoredAny, skipped) = parse::<IgnoredAny>(&text).unwrap();
            prop_assert_eq!(owned(skipped), expected.clone());
        }
    }

    #[test]
    fn mutated_text_is_accepted_only_when_serde_json_accepts_it(
        object in arb_object(),
        pretty in any::<bool>(),
        edits in prop::collection::vec((0u8..3, any::<prop::sample::Index>(), prop::sample::select(MUTATIONS)), 1..4),
    ) {
        let text = if pretty { serde_json::to_string_pretty(&object) } else { serde_json::to_string(&object) }.unwrap();
        let mut chars: Vec<char> = text.chars().collect();
        for (op, at, c) in edits {
            let i = at.index(chars.len() + 1);
            match op {
                0 if i < chars.len() => { chars.remove(i); }
                1 => chars.insert(i, c),
                _ if i < chars.len() => chars[i] = c,
                _ => chars.push(c),
            }
        }
        let text: String = chars.into_iter().collect();
        let ours = parse::<Value>(&text);
        let skipped = parse::<IgnoredAny>(&text);
        prop_assert_eq!(ours.as_ref().err(), skipped.as_ref().err(), "{:?}", text);
        match reference::read(&text) {
            Err(Refusal::NotJson) => prop_assert!(ours.is_err(), "accepted {:?}", text),
            Err(Refusal::NotAnObject) => prop_assert_eq!(ours.err(), Some(JsonProblem::NotAnObject)),
            Err(Refusal::DuplicateKey | Refusal::TooDeep) => {
                prop_assert!(ours.is_err(), "duplicates or depth accepted {:?}", text);
            }
            Ok(object) => {
                let theirs = Value::Object(object);
                match expected_watermark_of(&theirs) {
                    Err(()) => prop_assert_eq!(ours.err(), Some(JsonProblem::BadWatermark)),
                    Ok(expected) => {
                        let (value, watermark) = ours.map_err(|e| TestCaseError::fail(format!("{e:?} for {text:?}")))?;
                        prop_assert!(same(&value, &theirs), "{:?}", text);
                        prop_assert_eq!(owned(watermark), expected.clone());
                        prop_assert_eq!(owned(skipped.unwrap().1), expected);
                    }
                }
            }
        }
    }
}
