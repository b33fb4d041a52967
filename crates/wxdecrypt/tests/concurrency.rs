//! Decrypting from many threads at once gives exact results: nothing in the
//! decrypt path is shared and mutable.

use std::sync::Arc;
use wxdecrypt_testkit::fixture::{Fixture, load as fixture};

use wxdecrypt::{EncryptedData, Iv, PhoneNumber, SessionKey, UnixTime, UserInfo, Validation};

fn decrypt<T: serde::de::DeserializeOwned>(f: &Fixture, validation: &Validation) -> T {
    let key = SessionKey::from_base64(&f.session_key).expect("key");
    let iv = Iv::from_base64(&f.iv).expect("iv");
    let data = EncryptedData::from_base64(&f.encrypted_data).expect("data");
    wxdecrypt::decrypt_at::<T>(&key, &iv, &data, validation, UnixTime::from_secs(f.now))
        .expect("decrypts")
        .payload
}

#[test]
fn sixteen_threads_decrypting_two_payloads_all_get_exact_results() {
    let phone = Arc::new(fixture("phone"));
    let user = Arc::new(fixture("user-info"));
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let (phone, user) = (Arc::clone(&phone), Arc::clone(&user));
            std::thread::spawn(move || {
                let phone_validation = Validation::new(phone.appid.as_str());
                let user_validation = Validation::new(user.appid.as_str());
                for round in 0..200 {
                    if (i + round) % 2 == 0 {
                        let p: PhoneNumber = decrypt(&phone, &phone_validation);
                        assert_eq!(p.phone_number(), "18017448610");
                        assert_eq!(p.country_code(), "86");
                    } else {
                        let u: UserInfo = decrypt(&user, &user_validation);
                        assert_eq!(u.nick_name(), "Band");
                        assert_eq!(u.union_id(), Some("ocMvos6NjeKLIBqg5Mr9QjxrP1FA"));
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no thread panicked");
    }
}
