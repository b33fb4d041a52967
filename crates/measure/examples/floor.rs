//! The floor the full path is compared with: base64 (`base64-simd`, the
//! fastest decoder measured; the library itself decodes with the `base64`
//! crate, see BENCHMARKS.md) of the three strings and AES-128-CBC, with no
//! padding check, no UTF-8 check, no JSON and no validation.
//!
//! ```text
//! cargo run --release --example floor -- FIXTURE.json N
//! ```
//!
//! Same fixture format as `throughput`; used by `scripts/callgrind.sh` so that
//! instruction counts can be quoted as a ratio to this floor.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use aes::Aes128;
use cbc::cipher::{BlockModeDecrypt as _, InOutBuf, KeyIvInit as _};
use wxdecrypt_testkit::fixture::Fixture;

fn decode(text: &str, out: &mut [u8]) -> usize {
    base64_simd::STANDARD
        .decode(text.as_bytes(), base64_simd::Out::from_slice(out))
        .map_or(0, |decoded| decoded.len())
}

/// One floor operation; returns the plaintext's last byte so that nothing is
/// optimised away.
fn once(f: &Fixture, buf: &mut [u8]) -> u8 {
    let mut key = [0u8; 16];
    let mut iv = [0u8; 16];
    decode(black_box(&f.session_key), &mut key);
    decode(black_box(&f.iv), &mut iv);
    let n = decode(black_box(&f.encrypted_data), buf);
    let mut decryptor = cbc::Decryptor::<Aes128>::new(&key.into(), &iv.into());
    let (blocks, _) = InOutBuf::from(&mut buf[..n]).into_chunks();
    decryptor.decrypt_blocks_inout(blocks);
    buf[..n].last().copied().unwrap_or(0)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, n] = args.as_slice() else {
        eprintln!("usage: floor FIXTURE.json N");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("floor: N is not a whole number");
        return ExitCode::from(2);
    };
    let fixture = match Fixture::read(path) {
        Ok(fixture) => fixture,
        Err(e) => {
            eprintln!("floor: cannot load {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut buf = vec![0u8; fixture.encrypted_data.len()];
    let start = Instant::now();
    for _ in 0..n {
        black_box(once(&fixture, &mut buf));
    }
    #[allow(clippy::cast_precision_loss)] // an op count, printed
    let ns = start.elapsed().as_secs_f64() * 1e9 / (n.max(1) as f64);
    println!("floor: {n} ops, {ns:.1} ns/op");
    ExitCode::SUCCESS
}
