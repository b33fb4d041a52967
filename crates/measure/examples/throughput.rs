//! Full-path throughput: from the three base64 strings to a checked payload.
//!
//! ```text
//! cargo run --release --example throughput -- FIXTURE.json N KIND [THREADS]
//! ```
//!
//! FIXTURE is `{"appid", "session_key", "iv", "encrypted_data", "now"}` (`now`
//! in Unix seconds is the clock used); KIND is `phone` or `user-info`. Each of
//! the N iterations parses the three strings and decrypts, as a server does
//! per request. Prints operations per second and nanoseconds per operation.
//! With THREADS (default 1), that many threads each run N decrypts at once
//! and the total rate is printed: how throughput scales with cores.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use serde::de::DeserializeOwned;
use wxdecrypt::{EncryptedData, Iv, PhoneNumber, SessionKey, UnixTime, UserInfo, Validation};
use wxdecrypt_testkit::fixture::Fixture;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, n, kind, threads) = match args.as_slice() {
        [path, n, kind] => (path, n, kind, "1"),
        [path, n, kind, threads] => (path, n, kind, threads.as_str()),
        _ => {
            eprintln!("usage: throughput FIXTURE.json N phone|user-info [THREADS]");
            return ExitCode::from(2);
        }
    };
    let Ok(threads @ 1..) = threads.parse::<u64>() else {
        eprintln!("throughput: THREADS must be a whole number from 1");
        return ExitCode::from(2);
    };
    let fixture = match Fixture::read(path) {
        Ok(fixture) => fixture,
        Err(e) => {
            eprintln!("throughput: cannot load {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("throughput: N must be a whole number");
        return ExitCode::from(2);
    };
    let result = match kind.as_str() {
        "phone" => run_threads::<PhoneNumber>(&fixture, n, threads),
        "user-info" => run_threads::<UserInfo>(&fixture, n, threads),
        _ => {
            eprintln!("throughput: KIND must be phone or user-info");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(seconds) => {
            let total = n * threads;
            #[allow(clippy::cast_precision_loss)] // an op count, printed
            let ops = total as f64;
            println!(
                "{kind}: {total} decrypts on {threads} thread(s) in {seconds:.3} s: \
                 {:.0} ops/s, {:.1} ns/op",
                ops / seconds,
                seconds * 1e9 / ops
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("throughput: {e}");
            ExitCode::from(1)
        }
    }
}

/// Runs `n` full-path decrypts on each of `threads` threads at once and
/// returns the wall-clock seconds they took.
fn run_threads<T: DeserializeOwned>(
    fixture: &Fixture,
    n: u64,
    threads: u64,
) -> Result<f64, wxdecrypt::Error> {
    if threads == 1 {
        return run::<T>(fixture, n);
    }
    let start = Instant::now();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| run::<T>(fixture, n)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a decrypt thread panicked"))
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok(start.elapsed().as_secs_f64())
}

/// Runs `n` full-path decrypts and returns the seconds they took.
fn run<T: DeserializeOwned>(fixture: &Fixture, n: u64) -> Result<f64, wxdecrypt::Error> {
    let validation = Validation::new(fixture.appid.as_str());
    let now = UnixTime::from_secs(fixture.now);
    let once = || -> Result<T, wxdecrypt::Error> {
        let key = SessionKey::from_base64(black_box(&fixture.session_key))?;
        let iv = Iv::from_base64(black_box(&fixture.iv))?;
        let data = EncryptedData::from_base64(black_box(&fixture.encrypted_data))?;
        Ok(wxdecrypt::decrypt_at::<T>(&key, &iv, &data, &validation, now)?.payload)
    };
    // Fail before timing if the fixture does not decrypt.
    once()?;
    let start = Instant::now();
    for _ in 0..n {
        black_box(once()?);
    }
    Ok(start.elapsed().as_secs_f64())
}
