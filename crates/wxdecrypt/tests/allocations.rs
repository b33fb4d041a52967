//! Heap allocations per decrypt, counted with a counting global allocator:
//! none for a phone number (its texts are held inline), one for a profile
//! (its texts share one buffer; the work buffer lives on the stack), and
//! nothing proportional to a refused input.
//!
//! Run with `RUSTFLAGS="--cfg wxdecrypt_count_allocations" cargo test --test
//! allocations`: the counting allocator is a dev-dependency only under that
//! cfg, so it never replaces the allocator of other tests or benchmarks.
#![cfg(wxdecrypt_count_allocations)]

use serde::de::DeserializeOwned;
use wxdecrypt::{EncryptedData, Iv, PhoneNumber, SessionKey, UnixTime, UserInfo, Validation};
use wxdecrypt_testkit::fixture::{Fixture, load as fixture};

/// Counts the allocations of one full-path decrypt (inputs parsed from their
/// strings), with the validation built beforehand as a server would.
fn count<T: DeserializeOwned>(f: &Fixture) -> (u64, T) {
    let validation = Validation::new(f.appid.as_str());
    let mut out = None;
    let info = allocation_counter::measure(|| {
        let key = SessionKey::from_base64(&f.session_key).expect("key");
        let iv = Iv::from_base64(&f.iv).expect("iv");
        let data = EncryptedData::from_base64(&f.encrypted_data).expect("data");
        let now = UnixTime::from_secs(f.now);
        out =
            Some(wxdecrypt::decrypt_at::<T>(&key, &iv, &data, &validation, now).expect("decrypts"));
    });
    let decrypted = out.expect("ran");
    // Shown with `--nocapture`; BENCHMARKS.md quotes it.
    eprintln!(
        "{}: {} allocations, {} bytes per decrypt",
        std::any::type_name::<T>(),
        info.count_total,
        info.bytes_total
    );
    assert!(decrypted.watermark.is_some());
    (info.count_total, decrypted.payload)
}

#[test]
fn phone_decrypt_allocates_nothing() {
    // phoneNumber, purePhoneNumber and countryCode are held inline.
    let (allocations, phone) = count::<PhoneNumber>(&fixture("phone"));
    assert_eq!(phone.pure_phone_number(), "18017448610");
    assert_eq!(allocations, 0, "{allocations} allocations");
}

#[test]
fn user_info_decrypt_allocates_one_buffer_for_its_texts() {
    // Its eight texts (nickName, language, city, province, country,
    // avatarUrl and both ids) are copied into one buffer of exactly their
    // length.
    let (allocations, user) = count::<UserInfo>(&fixture("user-info"));
    assert!(user.open_id().is_some() && user.union_id().is_some());
    assert_eq!(allocations, 1, "{allocations} allocations");
}

#[test]
fn refused_huge_input_allocates_nothing_proportional_to_it() {
    let huge = "A".repeat(32 * 1024 * 1024);
    let info = allocation_counter::measure(|| {
        for lenient in [false, true] {
            let parser = if lenient {
                wxdecrypt::InputParser::new().lenient()
            } else {
                wxdecrypt::InputParser::new()
            };
            assert!(matches!(
                parser.session_key(&huge),
                Err(wxdecrypt::Error::TooLarge { .. })
            ));
            assert!(matches!(
                parser.iv(&huge),
                Err(wxdecrypt::Error::TooLarge { .. })
            ));
        }
        assert!(matches!(
            EncryptedData::from_base64(&huge),
            Err(wxdecrypt::Error::TooLarge { .. })
        ));
        assert!(
            wxdecrypt::InputParser::new()
                .lenient()
                .encrypted_data(&huge)
                .is_err()
        );
    });
    assert!(
        info.bytes_total < 1024,
        "{} bytes allocated",
        info.bytes_total
    );
}
