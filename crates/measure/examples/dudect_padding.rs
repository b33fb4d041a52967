//! Constant-time check of the padding verdict, dudect-style
//! (`dudect-bencher`): Welch's t-test between the decryption times of two
//! classes of ciphertexts that both fail with `Error::Decryption`:
//!
//! - Left: the last block carries valid PKCS#7 padding (a random length),
//!   so decryption goes on to the UTF-8 and JSON stages and fails there;
//! - Right: the last byte is no valid pad length, so the padding check fails.
//!
//! If the two took measurably different times, a server would be a padding
//! oracle. `|t|` under 4.5 (dudect's usual bar; the crate's own output calls
//! 5 strong evidence) means no difference was found with this many samples.
//! Nothing here asserts a time: run it by hand, and read `max t`.
//!
//! ```sh
//! cargo run --release --example dudect_padding        # one pass of each
//! cargo run --release --example dudect_padding -- --continuous random_plaintext
//! ```
//! (An example rather than a bench: `cargo bench` passes a `--bench` flag
//! that dudect-bencher's command line refuses.)
//! The two benches differ in the plaintext: random bytes (UTF-8 fails within
//! the first bytes) and printable ASCII (UTF-8 succeeds, so the whole buffer
//! is scanned, and JSON fails at the first byte).

use dudect_bencher::rand::RngExt as _;
use dudect_bencher::{BenchRng, Class, CtRunner, ctbench_main};
use wxdecrypt::{EncryptedData, Error, Iv, SessionKey, UnixTime, Validation};
use wxdecrypt_testkit::encrypt::encrypt_blocks;

/// Blocks per ciphertext: a phone payload is 10.
const BLOCKS: usize = 10;
/// Ciphertexts per pass, half of each class on average.
const SAMPLES: usize = 200_000;
const KEY: [u8; 16] = *b"dudect-sess-key!";
const IV: [u8; 16] = *b"dudect-init-vec!";

/// A plaintext of `BLOCKS` blocks: random bytes or random printable ASCII.
fn plaintext(rng: &mut BenchRng, ascii: bool) -> Vec<u8> {
    let mut bytes = vec![0u8; BLOCKS * 16];
    rng.fill(&mut bytes[..]);
    if ascii {
        for b in &mut bytes {
            *b = b'a' + *b % 26;
        }
    }
    bytes
}

/// One ciphertext of each class, as base64 text.
fn sample(rng: &mut BenchRng, ascii: bool) -> (Class, String) {
    let mut bytes = plaintext(rng, ascii);
    let last = bytes.len() - 1;
    let class = if rng.random::<bool>() {
        let pad: u8 = rng.random_range(1..=16);
        for b in &mut bytes[last + 1 - usize::from(pad)..] {
            *b = pad;
        }
        Class::Left
    } else {
        // 0 or 17..=255: never a pad length.
        let wrong: u8 = rng.random_range(17..=256u16).try_into().unwrap_or(0);
        bytes[last] = wrong;
        Class::Right
    };
    let text = base64_simd::STANDARD.encode_to_string(encrypt_blocks(&KEY, &IV, &bytes));
    (class, text)
}

fn run(runner: &mut CtRunner, rng: &mut BenchRng, ascii: bool) {
    let key = SessionKey::from_bytes(KEY);
    let iv = Iv::from_bytes(IV);
    let validation = Validation::new("wx0000000000000000");
    let now = UnixTime::from_secs(1_700_000_000);
    let inputs: Vec<(Class, String)> = (0..SAMPLES).map(|_| sample(rng, ascii)).collect();
    for (class, text) in &inputs {
        let data = EncryptedData::from_base64(text).expect("well-formed base64");
        runner.run_one(*class, || {
            let result = wxdecrypt::decrypt_raw_at(&key, &iv, &data, &validation, now);
            assert!(matches!(result, Err(Error::Decryption)));
        });
    }
}

/// Random plaintext: the UTF-8 check stops within the first bytes.
fn random_plaintext(runner: &mut CtRunner, rng: &mut BenchRng) {
    run(runner, rng, false);
}

/// Printable ASCII: UTF-8 passes and JSON fails at the first byte.
fn ascii_plaintext(runner: &mut CtRunner, rng: &mut BenchRng) {
    run(runner, rng, true);
}

ctbench_main!(random_plaintext, ascii_plaintext);
