//! How long a failure takes when the padding is valid versus invalid, as a
//! padding-oracle attacker would probe it: only the last byte of the
//! second-to-last ciphertext block changes, so that the last plaintext byte
//! becomes `0x01` (valid padding, the text then fails later) or a byte above
//! 16 (invalid padding).
//!
//! ```text
//! cargo run --release --example padding_timing -- phone|user-info|werun-31
//! ```
//!
//! Prints the median of 31 runs of 20,000 decrypts each, for both cases, and
//! their gap. Timings on a shared machine are noisy: compare the two figures
//! of one run, and repeat.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use base64::Engine as _;
use wxdecrypt::{EncryptedData, Iv, SessionKey, UnixTime, Validation};
use wxdecrypt_testkit::fixture::Fixture;

fn main() -> ExitCode {
    let Some(name) = std::env::args().nth(1) else {
        eprintln!("usage: padding_timing phone|user-info|werun-31");
        return ExitCode::from(2);
    };
    let Ok(f) = Fixture::named(&name) else {
        eprintln!("padding_timing: cannot load the fixture {name}");
        return ExitCode::from(2);
    };
    let engine = base64::engine::general_purpose::STANDARD;
    let (Ok(key), Ok(iv), Ok(ciphertext)) = (
        SessionKey::from_base64(&f.session_key),
        Iv::from_base64(&f.iv),
        engine.decode(&f.encrypted_data),
    ) else {
        eprintln!("padding_timing: the fixture's inputs do not parse");
        return ExitCode::from(2);
    };
    let validation = Validation::new(f.appid.as_str());
    let now = UnixTime::from_secs(f.now);
    let decrypt = |text: &str| {
        EncryptedData::from_base64(text).and_then(|data| {
            wxdecrypt::decrypt_raw_at(&key, &iv, &data, &validation, now).map(drop)
        })
    };
    // The real pad length, from the untouched payload.
    let Ok(data) = EncryptedData::from_base64(&f.encrypted_data) else {
        return ExitCode::from(2);
    };
    let Ok(raw) = wxdecrypt::decrypt_raw_at(&key, &iv, &data, &validation, now) else {
        eprintln!("padding_timing: the fixture does not decrypt");
        return ExitCode::from(1);
    };
    let n = ciphertext.len();
    let Ok(pad) = u8::try_from(n - raw.payload.as_str().len()) else {
        return ExitCode::from(1);
    };
    let with_last_byte = |last: u8| {
        let mut changed = ciphertext.clone();
        changed[n - 17] ^= pad ^ last;
        engine.encode(changed)
    };
    let valid = with_last_byte(0x01);
    let invalid = with_last_byte(0x40);
    assert!(decrypt(&valid).is_err() && decrypt(&invalid).is_err());
    let time = |text: &str| {
        let start = Instant::now();
        for _ in 0..20_000 {
            black_box(decrypt(black_box(text)).is_err());
        }
        start.elapsed().as_secs_f64() * 1e9 / 20_000.0
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..31 {
        a.push(time(&valid));
        b.push(time(&invalid));
    }
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    println!(
        "{name}: valid padding {:.1} ns, invalid padding {:.1} ns, gap {:+.1} ns",
        a[15],
        b[15],
        a[15] - b[15]
    );
    ExitCode::SUCCESS
}
