//! Unit tests of the payload types: the phone rules and masking, the
//! country code forms, genders, how a profile holds its texts, and what
//! `Debug` shows.

use super::phone::{Inline, all_digits, is_phone_text, mask};
use super::*;

#[test]
fn mask_keeps_three_and_four_of_a_mainland_number() {
    assert_eq!(mask("18017448610"), "180****8610");
}

#[test]
fn mask_of_short_numbers_shows_at_most_half_and_hides_at_least_four() {
    let cases = [
        ("1234567890", "12*****890"),
        ("123456789", "12*****89"),
        ("61234567", "61****67"),
        ("1234567", "1****67"),
        ("123456", "1****6"),
        ("12345", "****5"),
        ("1234", "****"),
        ("12", "**"),
        ("", ""),
    ];
    for (number, masked) in cases {
        assert_eq!(mask(number), masked, "{number}");
    }
}

proptest::proptest! {
    #[test]
    fn mask_never_panics_and_never_shows_more_than_it_should(number in "\\PC{0,24}") {
        let masked = mask(&number);
        let n = number.chars().count();
        proptest::prop_assert_eq!(masked.chars().count(), n);
        let shown = number.chars().zip(masked.chars()).filter(|(a, b)| a == b && *a != '*').count();
        let allowed = if n >= 11 { 7 } else { n / 2 };
        proptest::prop_assert!(shown <= allowed, "{} shows {}", masked, shown);
    }
}

#[test]
fn e164_needs_a_plausible_country_code_and_at_most_fifteen_digits() {
    let with = |code: &str, pure: &str| {
        phone(&format!(
            r#"{{"phoneNumber":"{pure}","purePhoneNumber":"{pure}","countryCode":"{code}"}}"#
        ))
    };
    let e164 = |code: &str, pure: &str| with(code, pure).unwrap().e164();
    assert_eq!(e164("852", "61234567").as_deref(), Some("+85261234567"));
    assert_eq!(e164("1268", "4641234").as_deref(), Some("+12684641234"));
    assert_eq!(
        e164("86", "1234567890123").as_deref(),
        Some("+861234567890123")
    );
    // Accepted when decoded, but not E.164.
    for (code, pure) in [
        ("0", "18017448610"),
        ("0852", "61234567"),
        ("86", "12345678901234"),
    ] {
        assert_eq!(e164(code, pure), None, "{code:?} {pure:?}");
    }
    // What the fields could once be set to: now refused when decoded, so
    // no `PhoneNumber` holds them.
    for (code, pure) in [
        ("", "18017448610"),
        ("12345", "1801744"),
        ("86", ""),
        ("86", "180 1744 8610"),
        ("８６", "18017448610"),
    ] {
        assert!(with(code, pure).is_err(), "{code:?} {pure:?}");
    }
    // `+86` is normalised when decoded.
    let plus = with("+86", "18017448610").unwrap();
    assert_eq!(plus.country_code(), "86");
    assert_eq!(plus.e164().as_deref(), Some("+8618017448610"));
}

#[test]
fn phone_serializes_with_wechats_names_and_reads_through_accessors() {
    let p = phone(
        r#"{"phoneNumber":"+86 138-2252-8774","purePhoneNumber":"13822528774","countryCode":86}"#,
    )
    .unwrap();
    assert_eq!(p.phone_number(), "+86 138-2252-8774");
    assert_eq!(p.pure_phone_number(), "13822528774");
    assert_eq!(p.country_code(), "86");
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        serde_json::json!({
            "phoneNumber": "+86 138-2252-8774",
            "purePhoneNumber": "13822528774",
            "countryCode": "86",
        })
    );
    let again: PhoneNumber = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
    assert_eq!(again, p);
}

#[test]
fn same_text_compares_whole_texts_of_any_length() {
    let shown = |t: &str| Inline::<32>::checked(t.as_bytes(), is_phone_text).expect("phone text");
    let pure = |t: &str| Inline::<20>::checked(t.as_bytes(), all_digits).expect("digits");
    assert!(shown("18017448610").same_text(&pure("18017448610")));
    assert!(shown("1").same_text(&pure("1")));
    assert!(!shown("18017448611").same_text(&pure("18017448610")));
    // A longer or shorter text with the same start, and the same digits
    // behind a prefix, are other texts.
    assert!(!shown("180174486100").same_text(&pure("18017448610")));
    assert!(!shown("1801744861").same_text(&pure("18017448610")));
    assert!(!shown("+8618017448610").same_text(&pure("18017448610")));
    // The last of twenty bytes counts.
    assert!(shown("12345678901234567890").same_text(&pure("12345678901234567890")));
    assert!(!shown("12345678901234567891").same_text(&pure("12345678901234567890")));
}

#[test]
fn mask_counts_characters_not_bytes() {
    assert_eq!(mask("+1 650 555 0100"), "+1 ********0100");
}

#[test]
fn phone_debug_shows_no_whole_number() {
    let phone = phone(
        r#"{"phoneNumber":"+8613822528774","purePhoneNumber":"13822528774","countryCode":"86"}"#,
    )
    .unwrap();
    let debug = format!("{phone:?}");
    assert!(!debug.contains("13822528774"), "{debug}");
    assert!(!debug.contains("2528"), "{debug}");
    assert!(debug.contains("138****8774"), "{debug}");
}

#[test]
fn user_info_debug_redacts_identity() {
    let info = UserInfo::from(UserInfoFields {
        union_id: None,
        ..sample_fields()
    });
    let debug = format!("{info:?}");
    for secret in ["oGZUI0", "Band", "qlogo"] {
        assert!(!debug.contains(secret), "{debug}");
    }
    assert!(debug.contains("union_id: None"), "{debug}");
}

#[test]
fn raw_payload_debug_prints_only_its_length() {
    let raw = RawPayload::new(r#"{"phoneNumber":"13822528774"}"#);
    assert_eq!(format!("{raw:?}"), "RawPayload(29 bytes, [redacted])");
}

#[test]
fn raw_payload_gives_back_its_text() {
    let text = r#"{"phoneNumber":"13822528774"}"#;
    let raw = RawPayload::new(text);
    assert_eq!(raw.as_str(), text);
    assert_eq!(raw.into_string().as_str(), text);
}

#[test]
fn a_member_name_that_is_no_string_is_refused_with_what_was_expected() {
    use serde::de::IntoDeserializer as _;
    let seed = MemberSeed(|name: &[u8]| name.len());
    let refused = seed.deserialize(7u64.into_deserializer());
    let error: serde::de::value::Error = refused.expect_err("a number is no member name");
    assert!(
        error.to_string().ends_with("expected a member name"),
        "{error}"
    );
    let read = MemberSeed(|name: &[u8]| name.len()).deserialize("city".into_deserializer());
    assert_eq!(read, Ok::<_, serde::de::value::Error>(4));
    let bytes = serde::de::value::BytesDeserializer::<serde::de::value::Error>::new(b"nickName");
    assert_eq!(
        MemberSeed(|name: &[u8]| name.len()).deserialize(bytes),
        Ok(8)
    );
}

fn phone(json: &str) -> Result<PhoneNumber, serde_json::Error> {
    serde_json::from_str(json)
}

#[test]
fn phone_number_with_country_code_ending_in_the_pure_number_is_accepted() {
    let p =
        phone(r#"{"phoneNumber":"+16505550100","purePhoneNumber":"6505550100","countryCode":1}"#)
            .unwrap();
    assert_eq!(p.country_code(), "1");
    assert!(phone(r#"{"phoneNumber":"+86 138-2252-8774","purePhoneNumber":"13822528774","countryCode":"+86"}"#).is_ok());
}

#[test]
fn phone_number_not_ending_in_the_pure_number_is_rejected() {
    // What dropping the first block of a real payload and rewriting the
    // new first block would give: a suffix of the number.
    assert!(
        phone(r#"{"phoneNumber":"8610","purePhoneNumber":"18017448610","countryCode":"86"}"#)
            .is_err()
    );
    assert!(
        phone(
            r#"{"phoneNumber":"18017448611","purePhoneNumber":"18017448610","countryCode":"86"}"#
        )
        .is_err()
    );
    assert!(
        phone(r#"{"phoneNumber":"","purePhoneNumber":"18017448610","countryCode":"86"}"#).is_err()
    );
}

#[test]
fn pure_phone_number_must_be_one_to_twenty_digits() {
    for pure in [
        "",
        "1801744861a",
        "+8618017448610",
        "180 1744 8610",
        "123456789012345678901",
    ] {
        let json =
            format!(r#"{{"phoneNumber":"{pure}","purePhoneNumber":"{pure}","countryCode":"86"}}"#);
        assert!(phone(&json).is_err(), "{pure:?}");
    }
    assert!(phone(r#"{"phoneNumber":"1","purePhoneNumber":"1","countryCode":"86"}"#).is_ok());
}

#[test]
fn share_and_group_debug_redact_ids() {
    let share = ShareInfo {
        open_gid: "tGzzSecretGroup".into(),
    };
    assert_eq!(format!("{share:?}"), "ShareInfo { open_gid: [redacted] }");
    let group = GroupEnterInfo {
        opengid: Some("tGzzSecretGroup".into()),
        open_single_roomid: None,
        group_openid: Some("gh_secret".into()),
        chat_type: 3,
    };
    let debug = format!("{group:?}");
    assert!(
        !debug.contains("Secret") && !debug.contains("secret"),
        "{debug}"
    );
    assert!(debug.contains("open_single_roomid: None"), "{debug}");
}

#[test]
fn a_country_code_number_outside_one_to_four_digits_is_refused() {
    // Negative numbers reach the visitor as i64, the others as u64.
    for code in ["-86", "-1", "0", "10000"] {
        let text = format!(
            r#"{{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":{code}}}"#
        );
        assert_eq!(
            crate::json::parse::<PhoneNumber>(&text).err(),
            Some(crate::json::JsonProblem::Shape),
            "{code}"
        );
    }
    let text = r#"{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":86}"#;
    let (phone, _) = crate::json::parse::<PhoneNumber>(text).unwrap();
    assert_eq!(phone.country_code(), "86");
}

#[test]
fn phone_number_holds_only_what_a_phone_number_is_written_with() {
    let with_shown = |shown: &str| {
        let json = serde_json::json!({
            "phoneNumber": shown,
            "purePhoneNumber": "13822528774",
            "countryCode": "86",
        });
        (
            serde_json::from_value::<PhoneNumber>(json.clone()),
            crate::json::parse::<PhoneNumber>(&json.to_string()).map(|(p, _)| p),
        )
    };
    for shown in [
        "13822528774",
        "+8613822528774",
        "+86 138-2252-8774",
        "+86 (138) 2252 8774",
        // 32 characters, the longest accepted.
        "+86 (0) 138 -- 2252 -- 8774     ",
    ] {
        let (serde, ours) = with_shown(shown);
        assert_eq!(serde.expect(shown).phone_number(), shown);
        assert_eq!(ours.expect(shown).phone_number(), shown);
    }
    let long = format!("{}13822528774", "1".repeat(40_000));
    for shown in [
        "+1 555 0100 ext 13822528774",
        "<b>13822528774</b>",
        "\u{0}13822528774",
        "\n13822528774",
        "1382252877\u{34}\u{200b}4",
        "++8613822528774",
        "86+13822528774",
        "+86 138.2252.8774",
        "８６13822528774",
        "+86 (0) 138 -- 2252 -- 8774      ",
        long.as_str(),
    ] {
        let (serde, ours) = with_shown(shown);
        assert!(serde.is_err(), "{shown:?}");
        assert_eq!(
            ours.err(),
            Some(crate::json::JsonProblem::Shape),
            "{shown:?}"
        );
    }
}

#[test]
fn phone_debug_shows_digits_and_separators_only() {
    let phone = phone(
        r#"{"phoneNumber":"+86 (138) 2252-8774","purePhoneNumber":"13822528774","countryCode":"86"}"#,
    )
    .unwrap();
    let debug = format!("{phone:?}");
    assert!(
        debug
            .chars()
            .filter(|c| !"PhoneNumber{}:,_\"".contains(*c))
            .all(|c| c.is_ascii_digit() || " +-()*".contains(c) || c.is_ascii_lowercase()),
        "{debug}"
    );
    assert!(!debug.contains("2252"), "{debug}");
}

#[test]
fn phone_members_are_read_once_and_all_are_required() {
    let full = r#""phoneNumber":"13822528774","purePhoneNumber":"13822528774","countryCode":"86""#;
    assert!(phone(&format!("{{{full}}}")).is_ok());
    assert!(phone(&format!(r#"{{{full},"phoneNumber":"13822528774"}}"#)).is_err());
    assert!(phone(&format!(r#"{{{full},"purePhoneNumber":"13822528774"}}"#)).is_err());
    assert!(phone(&format!(r#"{{{full},"countryCode":"86"}}"#)).is_err());
    assert!(phone(&format!(r#"{{{full},"other":[1,{{"a":null}}]}}"#)).is_ok());
    for missing in ["phoneNumber", "purePhoneNumber", "countryCode"] {
        let mut object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&format!("{{{full}}}")).unwrap();
        object.remove(missing);
        assert!(
            serde_json::from_value::<PhoneNumber>(serde_json::Value::Object(object)).is_err(),
            "{missing}"
        );
    }
    assert!(phone("[]").is_err());
    assert!(phone(r#""13822528774""#).is_err());
}

#[test]
fn equal_phone_numbers_compare_and_hash_alike() {
    use std::hash::{BuildHasher as _, RandomState};
    let a = phone(r#"{"phoneNumber":"+1 650","purePhoneNumber":"650","countryCode":1}"#).unwrap();
    let b =
        phone(r#"{"phoneNumber":"+1 650","purePhoneNumber":"650","countryCode":"+1"}"#).unwrap();
    let c = phone(r#"{"phoneNumber":"+1 6650","purePhoneNumber":"650","countryCode":1}"#).unwrap();
    let state = RandomState::new();
    assert_eq!(a, b);
    assert_eq!(state.hash_one(&a), state.hash_one(&b));
    assert_ne!(a, c);
    assert_eq!(a.clone(), a);
}

#[test]
fn the_word_at_a_time_digit_checks_agree_with_the_byte_at_a_time_ones() {
    // Every byte value at every position of texts of 0 to 24 digits (three
    // whole words and every length of a short last one).
    let phone_byte = |b: u8| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'(' | b')');
    for len in 0..=24usize {
        let digits = vec![b'7'; len];
        assert!(all_digits(&digits), "{len}");
        assert!(is_phone_text(&digits), "{len}");
        for at in 0..len {
            for b in 0..=255u8 {
                let mut text = digits.clone();
                text[at] = b;
                assert_eq!(all_digits(&text), b.is_ascii_digit(), "{len} {at} {b:#x}");
                let expected = phone_byte(b) || (at == 0 && b == b'+');
                assert_eq!(is_phone_text(&text), expected, "{len} {at} {b:#x}");
            }
        }
    }
    // Mixed texts: the word check fails, the byte walk decides.
    assert!(is_phone_text(b"+86 (138) 2252-8774"));
    assert!(!is_phone_text(b"+86 138.2252.8774"));
    assert!(!is_phone_text(b"++8613822528774"));
}

/// The official sample's profile, with its members in WeChat's order.
const SAMPLE_USER: &str = r#"{"openId":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/x","unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA"}"#;

fn sample_fields() -> UserInfoFields<'static> {
    UserInfoFields {
        open_id: Some("oGZUI0egBJY1zhBYw2KhdUfwVJJE"),
        nick_name: "Band",
        gender: Gender::Male,
        language: "zh_CN",
        city: "Guangzhou",
        province: "Guangdong",
        country: "CN",
        avatar_url: "http://wx.qlogo.cn/x",
        union_id: Some("ocMvos6NjeKLIBqg5Mr9QjxrP1FA"),
    }
}

fn hash_of(user: &UserInfo) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(user)
}

#[test]
fn each_accessor_reads_its_own_text() {
    for user in [
        serde_json::from_str::<UserInfo>(SAMPLE_USER).unwrap(),
        crate::json::parse::<UserInfo>(SAMPLE_USER).unwrap().0,
        UserInfo::from(sample_fields()),
    ] {
        assert_eq!(user.fields(), sample_fields());
        assert_eq!(user.open_id(), Some("oGZUI0egBJY1zhBYw2KhdUfwVJJE"));
        assert_eq!(user.nick_name(), "Band");
        assert_eq!(user.gender(), Gender::Male);
        assert_eq!(user.language(), "zh_CN");
        assert_eq!(user.city(), "Guangzhou");
        assert_eq!(user.province(), "Guangdong");
        assert_eq!(user.country(), "CN");
        assert_eq!(user.avatar_url(), "http://wx.qlogo.cn/x");
        assert_eq!(user.union_id(), Some("ocMvos6NjeKLIBqg5Mr9QjxrP1FA"));
    }
}

#[test]
fn a_profile_is_the_same_whatever_its_member_order() {
    let reordered = r#"{"unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA","avatarUrl":"http://wx.qlogo.cn/x","country":"CN","province":"Guangdong","city":"Guangzhou","language":"zh_CN","gender":1,"nickName":"Band","openId":"oGZUI0egBJY1zhBYw2KhdUfwVJJE"}"#;
    let a: UserInfo = serde_json::from_str(SAMPLE_USER).unwrap();
    let b: UserInfo = serde_json::from_str(reordered).unwrap();
    assert_eq!(a, b);
    assert_eq!(hash_of(&a), hash_of(&b));
    assert_eq!(a, UserInfo::from(sample_fields()));
    assert_eq!(UserInfo::from(a.fields()), a);
}

#[test]
fn profiles_that_differ_only_where_one_text_ends_are_different() {
    // The same bytes in all, split differently between city and province.
    let mut one = sample_fields();
    (one.city, one.province) = ("Guang", "zhouGuangdong");
    let mut other = sample_fields();
    (other.city, other.province) = ("Guangzhou", "Guangdong");
    let (one, other) = (UserInfo::from(one), UserInfo::from(other));
    assert_ne!(one, other);
    assert_eq!(one.city(), "Guang");
    assert_eq!(one.province(), "zhouGuangdong");
    // An id sent empty is present; one not sent is absent.
    let mut empty = sample_fields();
    empty.open_id = Some("");
    let mut absent = sample_fields();
    absent.open_id = None;
    let (empty, absent) = (UserInfo::from(empty), UserInfo::from(absent));
    assert_ne!(empty, absent);
    assert_eq!(empty.open_id(), Some(""));
    assert_eq!(absent.open_id(), None);
    assert_eq!(empty.nick_name(), "Band");
}

#[test]
fn ids_may_be_null_or_left_out_and_other_texts_default_to_empty() {
    let user: UserInfo =
        serde_json::from_str(r#"{"openId":null,"nickName":"n","gender":0,"unionId":null}"#)
            .unwrap();
    assert_eq!(user.open_id(), None);
    assert_eq!(user.union_id(), None);
    assert_eq!(user.gender(), Gender::Unknown);
    for text in [
        user.language(),
        user.city(),
        user.province(),
        user.country(),
        user.avatar_url(),
    ] {
        assert_eq!(text, "");
    }
    let (bare, _) = crate::json::parse::<UserInfo>(r#"{"nickName":"n","gender":0}"#).unwrap();
    assert_eq!(bare, user);
}

#[test]
fn a_profile_refuses_what_its_fields_cannot_hold() {
    for text in [
        r#"{"gender":1}"#,
        r#"{"nickName":"n"}"#,
        r#"{"nickName":null,"gender":1}"#,
        r#"{"nickName":"n","gender":1,"city":null}"#,
        r#"{"nickName":"n","gender":1,"city":3}"#,
        r#"{"nickName":"n","gender":3}"#,
        r#"{"nickName":"n","gender":1,"openId":7}"#,
        // Only serde_json lets these reach the type; ours refuses them first.
        r#"{"nickName":"n","gender":1,"city":"a","city":"b"}"#,
        r#"{"nickName":"n","gender":1,"gender":1}"#,
        r#"{"nickName":"n","gender":1,"unionId":null,"unionId":"u"}"#,
    ] {
        assert!(serde_json::from_str::<UserInfo>(text).is_err(), "{text}");
        assert!(crate::json::parse::<UserInfo>(text).is_err(), "{text}");
    }
}

#[test]
fn escaped_texts_are_held_unescaped_between_borrowed_ones() {
    let text = r#"{"nickName":"\u82cf\"x\"","gender":1,"city":"a\\b","province":"p"}"#;
    for user in [
        serde_json::from_str::<UserInfo>(text).unwrap(),
        crate::json::parse::<UserInfo>(text).unwrap().0,
    ] {
        assert_eq!(user.nick_name(), "苏\"x\"");
        assert_eq!(user.city(), r"a\b");
        assert_eq!(user.province(), "p");
    }
}

#[test]
fn a_profile_serializes_to_wechats_members_in_wechats_order() {
    let user = UserInfo::from(sample_fields());
    assert_eq!(serde_json::to_string(&user).unwrap(), SAMPLE_USER);
    let mut no_ids = sample_fields();
    (no_ids.open_id, no_ids.union_id) = (None, None);
    assert_eq!(
        serde_json::to_string(&UserInfo::from(no_ids)).unwrap(),
        r#"{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/x"}"#
    );
}

#[test]
fn user_info_fields_debug_redacts_as_the_profile_does() {
    let fields = sample_fields();
    let debug = format!("{fields:?}");
    for secret in ["oGZUI0", "Band", "Guangzhou", "qlogo", "ocMvos"] {
        assert!(!debug.contains(secret), "{debug}");
    }
    assert!(debug.starts_with("UserInfoFields {"), "{debug}");
    assert!(debug.contains("zh_CN"), "{debug}");
    assert_eq!(
        format!("{:?}", UserInfo::from(fields)),
        debug.replacen("UserInfoFields", "UserInfo", 1)
    );
}

#[test]
fn a_profile_serializes_to_exactly_its_members_and_their_count() {
    use serde_test::{Token, assert_ser_tokens};
    let texts = |open_id: bool, union_id: bool| {
        let mut tokens = vec![Token::Struct {
            name: "UserInfo",
            len: 7 + usize::from(open_id) + usize::from(union_id),
        }];
        if open_id {
            tokens.extend([Token::Str("openId"), Token::Str("o")]);
        }
        tokens.extend([
            Token::Str("nickName"),
            Token::Str("n"),
            Token::Str("gender"),
            Token::U8(2),
        ]);
        for (name, value) in [
            ("language", "l"),
            ("city", "c"),
            ("province", "p"),
            ("country", "C"),
            ("avatarUrl", "a"),
        ] {
            tokens.extend([Token::Str(name), Token::Str(value)]);
        }
        if union_id {
            tokens.extend([Token::Str("unionId"), Token::Str("u")]);
        }
        tokens.push(Token::StructEnd);
        tokens
    };
    for (open_id, union_id) in [(true, true), (true, false), (false, true), (false, false)] {
        let user = UserInfo::from(UserInfoFields {
            open_id: open_id.then_some("o"),
            nick_name: "n",
            gender: Gender::Female,
            language: "l",
            city: "c",
            province: "p",
            country: "C",
            avatar_url: "a",
            union_id: union_id.then_some("u"),
        });
        assert_ser_tokens(&user, &texts(open_id, union_id));
    }
}

#[test]
fn genders_serialize_to_wechats_numbers() {
    for (gender, code) in [
        (Gender::Unknown, "0"),
        (Gender::Male, "1"),
        (Gender::Female, "2"),
    ] {
        assert_eq!(serde_json::to_string(&gender).unwrap(), code);
    }
}

#[test]
fn unknown_members_as_long_as_known_ones_are_ignored() {
    // One unknown name of each length a known name has, and one spelled
    // like a known name but for its case.
    let text = r#"{"nickName":"n","gender":1,"town":"t","status":1,"headUrl":"h","nickname":"x","watermarks":0,"cityCode":"c","Gender":"g"}"#;
    for user in [
        serde_json::from_str::<UserInfo>(text).unwrap(),
        crate::json::parse::<UserInfo>(text).unwrap().0,
    ] {
        let bare = UserInfo::from(UserInfoFields {
            open_id: None,
            nick_name: "n",
            gender: Gender::Male,
            language: "",
            city: "",
            province: "",
            country: "",
            avatar_url: "",
            union_id: None,
        });
        assert_eq!(user, bare);
    }
}

#[test]
fn serde_messages_name_the_member_and_what_was_expected() {
    let refusal = |text: &str| {
        serde_json::from_str::<UserInfo>(text)
            .unwrap_err()
            .to_string()
    };
    for name in [
        "openId",
        "nickName",
        "language",
        "city",
        "province",
        "country",
        "avatarUrl",
        "unionId",
        "gender",
    ] {
        let value = if name == "gender" { "1" } else { r#""a""# };
        let text = format!(r#"{{"nickName":"n","gender":1,"{name}":{value},"{name}":{value}}}"#);
        let message = refusal(&text);
        assert!(
            message.starts_with(&format!("duplicate field `{name}`")),
            "{name}: {message}"
        );
    }
    assert!(refusal("3").contains("expected a user profile object"));
    assert!(refusal(r#"{"nickName":3,"gender":1}"#).contains("expected a string"));
    // serde_json reads an id's value as a string once it is not `null`;
    // serde_test hands the number to the id's own visitor.
    assert!(refusal(r#"{"nickName":"n","gender":1,"openId":3}"#).contains("expected a string"));
    serde_test::assert_de_tokens_error::<UserInfo>(
        &[
            serde_test::Token::Map { len: None },
            serde_test::Token::Str("openId"),
            serde_test::Token::U8(3),
        ],
        "invalid type: integer `3`, expected a string or null",
    );
}

#[test]
fn owned_strings_handed_over_are_kept() {
    // serde_json's `Value` hands its strings over as `String`s.
    let value: serde_json::Value = serde_json::from_str(SAMPLE_USER).unwrap();
    let user: UserInfo = serde_json::from_value(value).unwrap();
    assert_eq!(user.fields(), sample_fields());
}
