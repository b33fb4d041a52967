//! Compile-time guarantees about the public types: all of them can cross
//! threads (`Send + Sync + Unpin`), and the secret one cannot be copied,
//! cloned, serialized or printed. `Debug` output of secrets and personal data
//! is redacted.

use wxdecrypt::{
    Damage, Decrypted, EncryptedData, Error, Field, Gender, GroupEnterInfo, InputParser, Iv,
    PhoneNumber, RawPayload, SessionKey, ShareInfo, Stage, StepInfo, UnixTime, UserInfo,
    UserInfoFields, Validation, Watermark, WeRunData,
};
use wxdecrypt_testkit::vectors::{entry, real_world, text};

// ---------------------------------------------------------------------------
// Send + Sync + Unpin, checked when this file compiles
// ---------------------------------------------------------------------------

const fn assert_thread_safe<T: Send + Sync + Unpin>() {}

const _: () = {
    assert_thread_safe::<Error>();
    assert_thread_safe::<Field>();
    assert_thread_safe::<Damage>();
    assert_thread_safe::<Stage>();
    assert_thread_safe::<InputParser>();
    assert_thread_safe::<SessionKey>();
    assert_thread_safe::<Iv>();
    assert_thread_safe::<EncryptedData<'static>>();
    assert_thread_safe::<Decrypted<PhoneNumber>>();
    assert_thread_safe::<Decrypted<UserInfo>>();
    assert_thread_safe::<Decrypted<WeRunData>>();
    assert_thread_safe::<Decrypted<ShareInfo>>();
    assert_thread_safe::<Decrypted<GroupEnterInfo>>();
    assert_thread_safe::<Decrypted<RawPayload>>();
    assert_thread_safe::<PhoneNumber>();
    assert_thread_safe::<UserInfo>();
    assert_thread_safe::<Gender>();
    assert_thread_safe::<WeRunData>();
    assert_thread_safe::<StepInfo>();
    assert_thread_safe::<ShareInfo>();
    assert_thread_safe::<GroupEnterInfo>();
    assert_thread_safe::<RawPayload>();
    assert_thread_safe::<UnixTime>();
    assert_thread_safe::<Validation>();
    assert_thread_safe::<Watermark>();
};

/// Errors can be boxed as `dyn Error + Send + Sync + 'static`, as `anyhow`
/// and `?` in async handlers need.
const _: fn(Error) -> Box<dyn std::error::Error + Send + Sync + 'static> = |e| Box::new(e);

// ---------------------------------------------------------------------------
// Traits a type must NOT have, checked when this file compiles
// ---------------------------------------------------------------------------
//
// The trick behind `static_assertions::assert_not_impl_any!`: `T` has the
// blanket impl for `()`, and a second impl for `Marker` only when it has the
// trait. `<T as Ambiguous<_>>::item` then resolves only when exactly one impl
// applies, that is when `T` lacks the trait; otherwise compilation fails with
// "type annotations needed".

macro_rules! assert_lacks {
    ($ty:ty: $($bound:tt)+) => {
        const _: fn() = || {
            trait Ambiguous<A> {
                fn item() {}
            }
            impl<T: ?Sized> Ambiguous<()> for T {}
            struct Marker;
            impl<T: ?Sized + $($bound)+> Ambiguous<Marker> for T {}
            let _ = <$ty as Ambiguous<_>>::item;
        };
    };
}

// The session key cannot be duplicated, written out or printed in full.
assert_lacks!(SessionKey: Clone);
assert_lacks!(SessionKey: Copy);
assert_lacks!(SessionKey: serde::Serialize);
assert_lacks!(SessionKey: std::fmt::Display);
assert_lacks!(SessionKey: Default);
// The appid cannot be forgotten.
assert_lacks!(Validation: Default);
// The raw plaintext is not written out by accident.
assert_lacks!(RawPayload: serde::Serialize);
assert_lacks!(RawPayload: std::fmt::Display);

// ---------------------------------------------------------------------------
// Redacted Debug output
// ---------------------------------------------------------------------------

#[test]
fn session_key_debug_is_redacted_whatever_the_key() {
    for bytes in [[0u8; 16], [0xff; 16], *b"0123456789abcdef"] {
        let key = SessionKey::from_bytes(bytes);
        assert_eq!(format!("{key:?}"), "SessionKey([redacted])");
        assert_eq!(format!("{key:#?}"), "SessionKey([redacted])");
    }
    let file = real_world();
    let key_text = text(entry(&file, "decrypts", "gopay-phone"), "session_key");
    let key = SessionKey::from_base64(key_text).unwrap();
    assert_eq!(format!("{key:?}"), "SessionKey([redacted])");
}

#[test]
fn phone_number_debug_masks_the_middle_digits() {
    let phone: PhoneNumber = serde_json::from_str(
        r#"{"phoneNumber":"18017448610","purePhoneNumber":"18017448610","countryCode":"86"}"#,
    )
    .unwrap();
    let debug = format!("{phone:?}");
    assert!(!debug.contains("18017448610"), "{debug}");
    assert!(!debug.contains("0174"), "{debug}");
    assert!(debug.contains("180****8610"), "{debug}");
    assert_eq!(phone.masked(), "180****8610");
}

#[test]
fn user_info_debug_redacts_identity_and_profile_links() {
    let user = UserInfo::from(UserInfoFields {
        open_id: Some("oGZUI0egBJY1zhBYw2KhdUfwVJJE"),
        nick_name: "苏震巍",
        gender: Gender::Male,
        language: "zh_CN",
        city: "Suzhou",
        province: "Jiangsu",
        country: "CN",
        avatar_url: "http://wx.qlogo.cn/mmopen/x/0",
        union_id: Some("ocMvos6NjeKLIBqg5Mr9QjxrP1FA"),
    });
    let debug = format!("{user:?} {user:#?}");
    for secret in ["oGZUI0eg", "苏震巍", "qlogo", "ocMvos6N"] {
        assert!(!debug.contains(secret), "{debug}");
    }
}

#[test]
fn raw_payload_debug_shows_only_its_length() {
    let file = real_world();
    let e = entry(&file, "decrypts", "gopay-phone");
    let key = SessionKey::from_base64(text(e, "session_key")).unwrap();
    let iv = Iv::from_base64(text(e, "iv")).unwrap();
    let data = EncryptedData::from_base64(text(e, "encrypted_data")).unwrap();
    let validation = Validation::new(text(e, "appid"));
    let now = UnixTime::from_secs(e["watermark_timestamp"].as_u64().unwrap());
    let raw = wxdecrypt::decrypt_raw_at(&key, &iv, &data, &validation, now).unwrap();
    let plaintext = text(e, "plaintext");
    assert_eq!(
        format!("{:?}", raw.payload),
        format!("RawPayload({} bytes, [redacted])", plaintext.len())
    );
    let debug = format!("{raw:?}");
    assert!(!debug.contains("18017448610"), "{debug}");
    assert!(!debug.contains("phoneNumber"), "{debug}");
}
