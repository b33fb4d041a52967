//! Helpers shared by the integration tests: the vector files, base64, and a
//! test-only AES-128-CBC encryptor built from the `aes` and `cbc` crates
//! (PKCS#7 added by hand), so that round trips never use the crate under test
//! to produce their input.
#![allow(dead_code)] // every test binary uses a different subset

use aes::Aes128;
use base64::Engine as _;
use cbc::cipher::{BlockModeEncrypt as _, InOutBuf, KeyIvInit as _};
use serde_json::Value;

/// The published vectors (`WeChat`'s own data and third-party fixtures).
pub(crate) const REAL_WORLD: &str = include_str!("../vectors/real-world.json");
/// Vectors made by `generate.py` with Python's `cryptography` package.
pub(crate) const GENERATED: &str = include_str!("../vectors/generated.json");
/// CLI input for `WeChat`'s official sample.
pub(crate) const OFFICIAL_SAMPLE: &str = include_str!("../vectors/official-sample.json");

/// The real-world vector file, parsed.
pub(crate) fn real_world() -> Value {
    serde_json::from_str(REAL_WORLD).expect("real-world.json is JSON")
}

/// The generated vector file, parsed.
pub(crate) fn generated() -> Value {
    serde_json::from_str(GENERATED).expect("generated.json is JSON")
}

/// One section (`decrypts`, `rejects`, ...) of a vector file; never empty.
pub(crate) fn section<'a>(file: &'a Value, name: &str) -> &'a [Value] {
    let entries = file[name]
        .as_array()
        .unwrap_or_else(|| panic!("section {name} is an array"));
    assert!(!entries.is_empty(), "section {name} is empty");
    entries
}

/// The entry of `section` with this `id`.
pub(crate) fn entry<'a>(file: &'a Value, section_name: &str, id: &str) -> &'a Value {
    section(file, section_name)
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no entry {id} in {section_name}"))
}

/// A string field of an entry.
pub(crate) fn text<'a>(entry: &'a Value, name: &str) -> &'a str {
    entry[name]
        .as_str()
        .unwrap_or_else(|| panic!("{}: field {name} is a string", entry["id"]))
}

/// Standard padded base64.
pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard padded base64 (test data only).
pub(crate) fn unb64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("test data is valid base64")
}

/// Decodes a 16-byte key or iv (test data only).
pub(crate) fn unb64_16(text: &str) -> [u8; 16] {
    unb64(text).try_into().expect("16 bytes")
}

/// Appends PKCS#7 padding: 1 to 16 bytes, each equal to the pad length.
pub(crate) fn pkcs7(plaintext: &[u8]) -> Vec<u8> {
    let pad = 16 - plaintext.len() % 16;
    let mut out = plaintext.to_vec();
    out.resize(plaintext.len() + pad, u8::try_from(pad).expect("pad <= 16"));
    out
}

/// AES-128-CBC over whole blocks, no padding added.
pub(crate) fn encrypt_blocks(key: &[u8; 16], iv: &[u8; 16], blocks: &[u8]) -> Vec<u8> {
    assert_eq!(blocks.len() % 16, 0, "whole blocks only");
    let mut buf = blocks.to_vec();
    let mut encryptor = cbc::Encryptor::<Aes128>::new(key.into(), iv.into());
    let (chunks, tail) = InOutBuf::from(&mut buf[..]).into_chunks();
    assert!(tail.is_empty());
    encryptor.encrypt_blocks_inout(chunks);
    buf
}

/// AES-128-CBC with PKCS#7, as `WeChat` encrypts.
pub(crate) fn encrypt(key: &[u8; 16], iv: &[u8; 16], plaintext: &[u8]) -> Vec<u8> {
    encrypt_blocks(key, iv, &pkcs7(plaintext))
}

/// Every session key that appears in the vector files, as base64 text.
pub(crate) fn all_session_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for file in [real_world(), generated()] {
        for section in file.as_object().expect("object").values() {
            for entry in section.as_array().into_iter().flatten() {
                if let Some(key) = entry["session_key"].as_str() {
                    keys.push(key.to_owned());
                }
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// The benchmark fixture format, shared with `benches/` and `examples/`.
#[allow(dead_code, unreachable_pub)] // each test crate uses its own part
#[path = "../../benches/fixtures/fixture.rs"]
mod bench_fixture;

pub(crate) use bench_fixture::Fixture;

/// Loads `benches/fixtures/NAME.json`.
pub(crate) fn fixture(name: &str) -> Fixture {
    Fixture::named(name).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}
