//! Timing side channels of the decrypt path, dudect-style
//! (`dudect-bencher`): Welch's t-test between the decryption times of two
//! classes of ciphertexts that both fail with `Error::Decryption`. Each bench
//! asks one question an attacker would ask through a server's response time:
//!
//! - `padding_random`, `padding_ascii`: is the padding valid? Left: the last
//!   block carries valid PKCS#7 padding (a random length), so decryption
//!   goes on and fails later; right: the last byte is no pad length. Ten
//!   blocks (a phone payload's size) of random bytes (UTF-8 fails within the
//!   first bytes) or printable ASCII (UTF-8 passes, JSON fails at byte 0).
//! - `first_byte_bad_padding`: is the first plaintext byte `{`? One block,
//!   last byte `0x0f` (a bad padding that announces a 1-byte text), 14
//!   random bytes between; left: the first byte is `{`, right: `x`. With
//!   `iv' || C`, an attacker sets every plaintext byte through the iv, so
//!   this answers "is P[0] `{`?" byte value by byte value.
//! - `first_byte_valid_padding`, `first_byte_valid_padding_ascii`: the same
//!   on one block with a valid 1-byte padding (a 15-byte text), the 14 bytes
//!   between random or lowercase letters.
//! - `json_depth_open`: does the text fail early or late? Ten blocks, valid
//!   padding, equal lengths; left: `x` then ASCII letters (JSON fails at
//!   byte 0); right: `{"` then ASCII letters, a string that never closes
//!   (JSON fails at the end).
//! - `json_depth_braced`: the same, with both texts opening with `{` and
//!   closing with `}` (`{x...}` against `{"...}`): what is left once a text
//!   looks like an object at both ends (see the crate's README, Security).
//! - `control`: both classes drawn from one distribution (one block, bad
//!   padding, random bytes): the |t| that noise alone gives.
//!
//! `|t|` under 4.5 (dudect's usual bar; the crate's own output calls 5
//! strong evidence) means no difference was found with this many samples;
//! `(5/tau)^2` is dudect's estimate of the samples needed to reach t = 5,
//! i.e. to decide one such question on this machine. Nothing here asserts a
//! time: run it by hand, and read `max t`.
//!
//! ```sh
//! cargo run --release -p wxdecrypt-measure --example dudect_padding   # one pass of each
//! cargo run --release -p wxdecrypt-measure --example dudect_padding -- --filter first_byte
//! cargo run --release -p wxdecrypt-measure --example dudect_padding -- --continuous control
//! ```
//! (An example rather than a bench: `cargo bench` passes a `--bench` flag
//! that dudect-bencher's command line refuses.)

use dudect_bencher::rand::RngExt as _;
use dudect_bencher::{BenchRng, Class, CtRunner, ctbench_main};
use wxdecrypt::{EncryptedData, Error, Iv, SessionKey, UnixTime, Validation};
use wxdecrypt_testkit::encrypt::encrypt_blocks;

/// Blocks per ciphertext of the padding and depth benches: a phone payload
/// is 10.
const BLOCKS: usize = 10;
/// Ciphertexts per pass, half of each class on average.
const SAMPLES: usize = 200_000;
const KEY: [u8; 16] = *b"dudect-sess-key!";
const IV: [u8; 16] = *b"dudect-init-vec!";

/// `blocks` blocks of random bytes, or of random lowercase letters.
fn random_bytes(rng: &mut BenchRng, blocks: usize, ascii: bool) -> Vec<u8> {
    let mut bytes = vec![0u8; blocks * 16];
    rng.fill(&mut bytes[..]);
    if ascii {
        for b in &mut bytes {
            *b = b'a' + *b % 26;
        }
    }
    bytes
}

/// Gives the last block a valid PKCS#7 padding of `pad` bytes.
fn pad_with(bytes: &mut [u8], pad: u8) {
    let at = bytes.len() - usize::from(pad);
    bytes[at..].fill(pad);
}

/// A class chosen at random.
fn coin(rng: &mut BenchRng) -> Class {
    if rng.random::<bool>() {
        Class::Left
    } else {
        Class::Right
    }
}

/// Valid padding of a random length (left) or a last byte that is no pad
/// length (right).
fn padding_verdict(rng: &mut BenchRng, ascii: bool) -> (Class, Vec<u8>) {
    let mut bytes = random_bytes(rng, BLOCKS, ascii);
    let class = coin(rng);
    if matches!(class, Class::Left) {
        pad_with(&mut bytes, rng.random_range(1..=16));
    } else {
        // 0 or 17..=255: never a pad length.
        let last = bytes.len() - 1;
        bytes[last] = rng.random_range(17..=256u16).try_into().unwrap_or(0);
    }
    (class, bytes)
}

/// One block: `{` (left) or `x` (right) at byte 0, 14 random bytes (or
/// letters), and the given last byte.
fn first_byte(rng: &mut BenchRng, last: u8, ascii: bool) -> (Class, Vec<u8>) {
    let mut bytes = random_bytes(rng, 1, ascii);
    let class = coin(rng);
    bytes[0] = if matches!(class, Class::Left) {
        b'{'
    } else {
        b'x'
    };
    bytes[15] = last;
    (class, bytes)
}

/// Ten blocks of letters with a valid 1-byte padding: the text fails JSON at
/// byte 0 (left: `x...`) or at its end (right: `{"...`, an open string);
/// with `braced`, both texts also open with `{` and close with `}`.
fn json_depth(rng: &mut BenchRng, braced: bool) -> (Class, Vec<u8>) {
    let mut bytes = random_bytes(rng, BLOCKS, true);
    let class = coin(rng);
    let head: &[u8] = match (class, braced) {
        (Class::Left, false) => b"x",
        (Class::Left, true) => b"{x",
        (Class::Right, _) => b"{\"",
    };
    bytes[..head.len()].copy_from_slice(head);
    pad_with(&mut bytes, 1);
    if braced {
        let end = bytes.len() - 2;
        bytes[end] = b'}';
    }
    (class, bytes)
}

/// Both classes from one distribution: one block, bad padding.
fn identical(rng: &mut BenchRng) -> (Class, Vec<u8>) {
    let mut bytes = random_bytes(rng, 1, false);
    bytes[15] = 0x0f;
    (coin(rng), bytes)
}

/// Encrypts `SAMPLES` plaintexts from `make`, then times the decryption of
/// each under its class. Every one must fail with the opaque error.
fn run(
    runner: &mut CtRunner,
    rng: &mut BenchRng,
    make: impl Fn(&mut BenchRng) -> (Class, Vec<u8>),
) {
    let key = SessionKey::from_bytes(KEY);
    let iv = Iv::from_bytes(IV);
    let validation = Validation::new("wx0000000000000000");
    let now = UnixTime::from_secs(1_700_000_000);
    let inputs: Vec<(Class, String)> = (0..SAMPLES)
        .map(|_| {
            let (class, plaintext) = make(rng);
            let text =
                base64_simd::STANDARD.encode_to_string(encrypt_blocks(&KEY, &IV, &plaintext));
            (class, text)
        })
        .collect();
    for (class, text) in &inputs {
        let data = EncryptedData::from_base64(text).expect("well-formed base64");
        runner.run_one(*class, || {
            let result = wxdecrypt::decrypt_raw_at(&key, &iv, &data, &validation, now);
            assert!(matches!(result, Err(Error::Decryption)));
        });
    }
}

/// Padding verdict, random plaintext: UTF-8 stops within the first bytes.
fn padding_random(runner: &mut CtRunner, rng: &mut BenchRng) {
    run(runner, rng, |rng| padding_verdict(rng, false));
}

/// Padding verdict, printable ASCII: UTF-8 passes, JSON fails at byte 0.
fn padding_ascii(runner: &mut CtRunner, rng: &mut BenchRng) {
    run(runner, rng, |rng| padding_verdict(rng, true));
}

/// `{` against `x` at byte 0 under a bad padding announcing a 1-byte text.
fn first_byte_bad_padding(runner: &mut CtRunner, rng: &mut BenchRng) {
    run(runner, rng, |rng| first_byte(rng, 0x0f, false));
}

/// `{` against `x` at byte 0 under a valid 1-byte padding.
fn first_byte_valid_padding(runner: &mut CtRunner, rng: &mut BenchRng) {
    run(runner, rng, |rng| first_byte(rng, 0x01, false));
}

/// The same with letters between: UTF-8 passes, JSON fails at byte 0 or 1.
fn first_byte_valid_padding_ascii(runner: &mut CtRunner, rng: &mut BenchRng) {
    run(runner, rng, |rng| first_byte(rng, 0x01, true));
}

/// JSON failing at byte 0 against failing at the end, equal lengths.
fn json_depth_open(runner: &mut CtRunner, rng: &mut BenchRng) {
    run(runner, rng, |rng| json_depth(rng, false));
}

/// The same with both texts braced at both ends.
fn json_depth_braced(runner: &mut CtRunner, rng: &mut BenchRng) {
    run(runner, rng, |rng| json_depth(rng, true));
}

/// Identical classes: what noise alone gives.
fn control(runner: &mut CtRunner, rng: &mut BenchRng) {
    run(runner, rng, identical);
}

ctbench_main!(
    padding_random,
    padding_ascii,
    first_byte_bad_padding,
    first_byte_valid_padding,
    first_byte_valid_padding_ascii,
    json_depth_open,
    json_depth_braced,
    control
);
