//! The library's known-answer vector files (`crates/wxdecrypt/tests/vectors/`,
//! described in the README there): the three top-level files, built into the
//! test binaries, the response bodies of `responses/`, read at run time, and
//! the helpers that pick sections, entries and fields out of them.

use std::path::PathBuf;

use serde_json::Value;

/// The vector directory, `crates/wxdecrypt/tests/vectors`.
pub const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../wxdecrypt/tests/vectors");

/// The published vectors (`WeChat`'s own data and third-party fixtures):
/// `real-world.json`.
pub const REAL_WORLD: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../wxdecrypt/tests/vectors/real-world.json"
));
/// Vectors made by `generate.py` with Python's `cryptography` package:
/// `generated.json`.
pub const GENERATED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../wxdecrypt/tests/vectors/generated.json"
));
/// The command-line tool's input for `WeChat`'s official sample:
/// `official-sample.json`.
pub const OFFICIAL_SAMPLE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../wxdecrypt/tests/vectors/official-sample.json"
));

/// The path of `NAME` in the vector directory (`responses/authing-ok.json`).
#[must_use]
pub fn path(name: &str) -> PathBuf {
    PathBuf::from(DIR).join(name)
}

/// The response body `responses/NAME.json`, as text.
///
/// # Panics
/// If there is no such file.
#[must_use]
pub fn response(name: &str) -> String {
    let file = path(&format!("responses/{name}.json"));
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// The real-world vector file, parsed.
///
/// # Panics
/// Never, unless the file is broken.
#[must_use]
pub fn real_world() -> Value {
    serde_json::from_str(REAL_WORLD).expect("real-world.json is JSON")
}

/// The generated vector file, parsed.
///
/// # Panics
/// Never, unless the file is broken.
#[must_use]
pub fn generated() -> Value {
    serde_json::from_str(GENERATED).expect("generated.json is JSON")
}

/// One section (`decrypts`, `rejects`, ...) of a vector file.
///
/// # Panics
/// If the section is missing, not an array, or empty.
#[must_use]
pub fn section<'a>(file: &'a Value, name: &str) -> &'a [Value] {
    let entries = file[name]
        .as_array()
        .unwrap_or_else(|| panic!("section {name} is an array"));
    assert!(!entries.is_empty(), "section {name} is empty");
    entries
}

/// The entry of section `section_name` whose `id` is `id`.
///
/// # Panics
/// If there is none (or the section is bad, as [`section`]).
#[must_use]
pub fn entry<'a>(file: &'a Value, section_name: &str, id: &str) -> &'a Value {
    section(file, section_name)
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no entry {id} in {section_name}"))
}

/// A string field of an entry.
///
/// # Panics
/// If the field is missing or not a string.
#[must_use]
pub fn text<'a>(entry: &'a Value, name: &str) -> &'a str {
    entry[name]
        .as_str()
        .unwrap_or_else(|| panic!("{}: field {name} is a string", entry["id"]))
}

/// Every session key that appears in the two vector files, as base64 text,
/// sorted and without repeats.
///
/// # Panics
/// Never, unless a file is broken.
#[must_use]
pub fn all_session_keys() -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::{
        OFFICIAL_SAMPLE, all_session_keys, entry, generated, path, real_world, response, section,
        text,
    };

    #[test]
    fn the_files_are_there() {
        let file = real_world();
        assert!(!section(&file, "decrypts").is_empty());
        assert!(!section(&generated(), "decrypts").is_empty());
        let official = entry(&file, "decrypts", "official-wxbizdatacrypt-userinfo");
        assert!(!text(official, "session_key").is_empty());
        assert!(serde_json::from_str::<serde_json::Value>(OFFICIAL_SAMPLE).is_ok());
        assert!(response("getuserphonenumber-ok").contains("phone_info"));
        assert!(path("README.md").is_file());
        assert!(all_session_keys().len() > 1);
    }
}
