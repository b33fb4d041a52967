//! Criterion benchmarks: the full path, a baseline of base64 + AES-128-CBC
//! alone with the same crates (so that every report shows our overhead as a
//! ratio measured in the same run), and each stage of the decrypt path.
//!
//! ```text
//! cargo bench --bench decrypt                     # full path and baseline
//! RUSTFLAGS="--cfg wxdecrypt_bench_internals" \
//!     cargo bench --bench decrypt                 # and every stage
//! ```

use std::hint::black_box;

use aes::Aes128;
use cbc::cipher::{BlockModeDecrypt as _, InOutBuf, KeyIvInit as _};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use serde::de::DeserializeOwned;
use wxdecrypt::{
    EncryptedData, Iv, PhoneNumber, SessionKey, UnixTime, UserInfo, Validation, WeRunData,
};
use wxdecrypt_testkit::fixture::{Fixture, load};

/// One payload kind: its fixture and the payload type's entry points.
struct Case {
    name: &'static str,
    fixture: Fixture,
    /// The full path with the payload type: three strings in, payload out.
    full: fn(&Fixture, &Validation) -> bool,
    /// The JSON stage alone with the payload type.
    #[cfg(wxdecrypt_bench_internals)]
    parse: fn(&str) -> bool,
    /// The same payload type through `serde_json::from_str`, for reference
    /// (no duplicate-key check, no watermark capture).
    #[cfg_attr(not(wxdecrypt_bench_internals), allow(dead_code))]
    serde_json: fn(&str) -> bool,
}

fn full<T: DeserializeOwned>(f: &Fixture, validation: &Validation) -> bool {
    let run = || -> Result<T, wxdecrypt::Error> {
        let key = SessionKey::from_base64(black_box(&f.session_key))?;
        let iv = Iv::from_base64(black_box(&f.iv))?;
        let data = EncryptedData::from_base64(black_box(&f.encrypted_data))?;
        let now = UnixTime::from_secs(f.now);
        Ok(wxdecrypt::decrypt_at::<T>(&key, &iv, &data, validation, now)?.payload)
    };
    black_box(run()).is_ok()
}

#[cfg(wxdecrypt_bench_internals)]
fn parse<T: DeserializeOwned>(text: &str) -> bool {
    black_box(wxdecrypt::bench_internals::parse::<T>(black_box(text))).is_some()
}

fn with_serde_json<T: DeserializeOwned>(text: &str) -> bool {
    black_box(serde_json::from_str::<T>(black_box(text))).is_ok()
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "phone",
            fixture: load("phone"),
            full: full::<PhoneNumber>,
            #[cfg(wxdecrypt_bench_internals)]
            parse: parse::<PhoneNumber>,
            serde_json: with_serde_json::<PhoneNumber>,
        },
        Case {
            name: "user-info",
            fixture: load("user-info"),
            full: full::<UserInfo>,
            #[cfg(wxdecrypt_bench_internals)]
            parse: parse::<UserInfo>,
            serde_json: with_serde_json::<UserInfo>,
        },
        Case {
            name: "werun-31",
            fixture: load("werun-31"),
            full: full::<WeRunData>,
            #[cfg(wxdecrypt_bench_internals)]
            parse: parse::<WeRunData>,
            serde_json: with_serde_json::<WeRunData>,
        },
    ]
}

/// Base64 (`base64-simd`, the fastest decoder measured; the library itself
/// decodes with the `base64` crate, see BENCHMARKS.md) + AES-128-CBC, no
/// padding check, no JSON: the floor, the same as crates/measure's `floor`.
fn baseline(f: &Fixture, buf: &mut [u8]) -> usize {
    let decode = |text: &str, out: &mut [u8]| {
        base64_simd::STANDARD
            .decode(text.as_bytes(), base64_simd::Out::from_slice(out))
            .map_or(0, |decoded| decoded.len())
    };
    let mut key = [0u8; 16];
    let mut iv = [0u8; 16];
    let ok = decode(black_box(&f.session_key), &mut key) == 16
        && decode(black_box(&f.iv), &mut iv) == 16;
    let n = decode(black_box(&f.encrypted_data), buf);
    let mut decryptor = cbc::Decryptor::<Aes128>::new(&key.into(), &iv.into());
    let (blocks, _) = InOutBuf::from(&mut buf[..n]).into_chunks();
    decryptor.decrypt_blocks_inout(blocks);
    usize::from(ok) + n
}

fn full_and_baseline(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("full");
    for case in cases {
        let validation = Validation::new(case.fixture.appid.as_str());
        assert!(
            (case.full)(&case.fixture, &validation),
            "{} decrypts",
            case.name
        );
        group.throughput(Throughput::Bytes(case.fixture.encrypted_data.len() as u64));
        group.bench_function(BenchmarkId::from_parameter(case.name), |b| {
            b.iter(|| (case.full)(&case.fixture, &validation));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("baseline-base64-aes");
    for case in cases {
        let mut buf = vec![0u8; case.fixture.encrypted_data.len()];
        group.throughput(Throughput::Bytes(case.fixture.encrypted_data.len() as u64));
        group.bench_function(BenchmarkId::from_parameter(case.name), |b| {
            b.iter(|| baseline(&case.fixture, &mut buf));
        });
    }
    group.finish();
}

#[cfg(wxdecrypt_bench_internals)]
fn stages(c: &mut Criterion, cases: &[Case]) {
    use wxdecrypt::bench_internals as stage;

    let mut group = c.benchmark_group("stage");
    for case in cases {
        let f = &case.fixture;
        group.throughput(Throughput::Bytes(f.encrypted_data.len() as u64));
        group.bench_function(BenchmarkId::new("inputs", case.name), |b| {
            b.iter(|| {
                let key = SessionKey::from_base64(black_box(&f.session_key));
                let iv = Iv::from_base64(black_box(&f.iv));
                let data = EncryptedData::from_base64(black_box(&f.encrypted_data));
                black_box((key.is_ok(), iv.is_ok(), data.is_ok()))
            });
        });
        let key = SessionKey::from_base64(&f.session_key).expect("fixture key");
        let iv = Iv::from_base64(&f.iv).expect("fixture iv");
        let data = EncryptedData::from_base64(&f.encrypted_data).expect("fixture data");
        let mut buf = vec![0u8; data.decoded_len()];
        group.bench_function(BenchmarkId::new("base64", case.name), |b| {
            b.iter(|| stage::decode(black_box(&data), &mut buf));
        });
        let mut ciphertext = vec![0u8; data.decoded_len()];
        stage::decode(&data, &mut ciphertext).expect("fixture base64");
        group.bench_function(BenchmarkId::new("cipher-unpad", case.name), |b| {
            b.iter(|| {
                buf.copy_from_slice(&ciphertext);
                stage::decrypt_in_place(&key, &iv, black_box(&mut buf))
            });
        });
        buf.copy_from_slice(&ciphertext);
        let len = stage::decrypt_in_place(&key, &iv, &mut buf).expect("fixture padding");
        let text = std::str::from_utf8(&buf[..len]).expect("fixture utf-8");
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_function(BenchmarkId::new("parse", case.name), |b| {
            b.iter(|| (case.parse)(text));
        });
        group.bench_function(
            BenchmarkId::new("parse-serde_json-reference", case.name),
            |b| {
                b.iter(|| (case.serde_json)(text));
            },
        );
        let validation = Validation::new(f.appid.as_str());
        let now = UnixTime::from_secs(f.now);
        group.bench_function(BenchmarkId::new("validate", case.name), |b| {
            b.iter(|| stage::validate(&validation, black_box(&f.appid), f.now, now).is_ok());
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let cases = cases();
    full_and_baseline(c, &cases);
    #[cfg(wxdecrypt_bench_internals)]
    stages(c, &cases);
}

criterion_group!(decrypt, benches);
criterion_main!(decrypt);
