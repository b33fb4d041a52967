//! End-to-end tests of the `wxdecrypt` command-line tool, against the
//! contract in README.md: JSON with `WeChat`'s names on stdout and exit 0 on
//! success; exit 1, one line on stderr and nothing on stdout for rejected
//! data; exit 2 for usage errors; the session key never printed.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use wxdecrypt::{Error, Field, InputParser};
use wxdecrypt_testkit::encrypt;
use wxdecrypt_testkit::vectors::{self, all_session_keys, entry, generated, real_world, text};

/// The library crate, where the tool runs (the vectors are under its `tests/`).
const LIBRARY_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../wxdecrypt");

const OFFICIAL: &str = "official-wxbizdatacrypt-userinfo";
const GOPAY: &str = "gopay-phone";
const WXJAVA_666: &str = "wxjava-issue-666-plus-as-space-phone";

// ---------------------------------------------------------------------------
// Running the tool
// ---------------------------------------------------------------------------

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Where the tool's stdout or stderr goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sink {
    /// A pipe that the test reads.
    Captured,
    /// A pipe whose read end is closed before the tool writes (the tool
    /// must be given stdin, which it reads to the end before writing).
    ClosedPipe,
    /// `/dev/full`: every write fails with ENOSPC.
    Full,
}

impl Sink {
    fn stdio(self) -> Stdio {
        match self {
            Self::Captured | Self::ClosedPipe => Stdio::piped(),
            Self::Full => Stdio::from(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .expect("/dev/full opens"),
            ),
        }
    }
}

/// Runs the tool with `args` (and `stdin` if given), and checks what every
/// run must satisfy: it exited (no signal, no crash) and printed no session
/// key, neither one from the vector files nor one given in `args`.
fn run_with(args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    run_io(args, stdin, Sink::Captured, Sink::Captured)
}

/// [`run_with`], with stdout and stderr sent where the test says.
fn run_io(args: &[&str], stdin: Option<Vec<u8>>, stdout: Sink, stderr: Sink) -> Run {
    assert!(
        stdin.is_some() || (stdout != Sink::ClosedPipe && stderr != Sink::ClosedPipe),
        "a closed pipe needs stdin, or the tool may write before it is closed"
    );
    let mut command = Command::new(env!("CARGO_BIN_EXE_wxdecrypt"));
    command
        .args(args)
        .current_dir(LIBRARY_DIR)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(stdout.stdio())
        .stderr(stderr.stdio());
    let mut child = command.spawn().expect("the tool starts");
    // Closed before any stdin is written: the tool cannot have written yet.
    if stdout == Sink::ClosedPipe {
        drop(child.stdout.take());
    }
    if stderr == Sink::ClosedPipe {
        drop(child.stderr.take());
    }
    let writer = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // The tool may stop reading early (size limit): a broken pipe is
        // fine here.
        std::thread::spawn(move || drop(pipe.write_all(&bytes)))
    });
    let output = child.wait_with_output().expect("the tool runs");
    if let Some(writer) = writer {
        writer.join().expect("stdin writer");
    }
    let run = Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    };
    assert!(run.code.is_some(), "killed by a signal: {}", run.stderr);
    let mut secrets = all_session_keys();
    secrets.extend(
        args.windows(2)
            .filter(|w| w[0] == "--session-key")
            .map(|w| w[1].to_owned()),
    );
    for key in &secrets {
        let key = key.trim_end_matches('=');
        assert!(!run.stdout.contains(key), "stdout shows a session key");
        assert!(!run.stderr.contains(key), "stderr shows a session key");
    }
    run
}

fn run(args: &[&str]) -> Run {
    run_with(args, None)
}

/// The line (without its prefix) every decryption failure prints: the
/// library's one message, and the pointer to `diagnose`.
fn decryption_line() -> String {
    format!(
        "{}; `wxdecrypt diagnose` with the same input tells these causes apart \
         (a stale session_key, data of another kind, altered data)",
        Error::Decryption
    )
}

impl Run {
    /// Exit 0, one line of JSON on stdout, nothing on stderr.
    fn json(&self) -> Value {
        assert_eq!(self.code, Some(0), "stderr: {}", self.stderr);
        assert_eq!(self.stderr, "");
        assert!(self.stdout.ends_with('\n'));
        assert_eq!(self.stdout.lines().count(), 1, "{}", self.stdout);
        serde_json::from_str(&self.stdout).expect("stdout is JSON")
    }

    /// Exit 1, nothing on stdout, exactly one line on stderr; returns it
    /// without its `wxdecrypt: ` prefix.
    fn rejected(&self) -> &str {
        assert_eq!(
            self.code,
            Some(1),
            "stdout: {} stderr: {}",
            self.stdout,
            self.stderr
        );
        assert_eq!(self.stdout, "");
        assert!(self.stderr.ends_with('\n'), "{:?}", self.stderr);
        assert_eq!(self.stderr.lines().count(), 1, "{:?}", self.stderr);
        self.stderr
            .trim_end_matches('\n')
            .strip_prefix("wxdecrypt: ")
            .unwrap_or_else(|| panic!("prefixed: {:?}", self.stderr))
    }

    /// A usage error found by the tool itself (not by clap): exit 2, nothing
    /// on stdout, exactly one line on stderr; returns it without its
    /// `wxdecrypt: ` prefix.
    fn own_usage_error(&self) -> &str {
        self.usage_error();
        assert!(self.stderr.ends_with('\n'), "{:?}", self.stderr);
        assert_eq!(self.stderr.lines().count(), 1, "{:?}", self.stderr);
        self.stderr
            .trim_end_matches('\n')
            .strip_prefix("wxdecrypt: ")
            .unwrap_or_else(|| panic!("prefixed: {:?}", self.stderr))
    }

    /// Exit 2, nothing on stdout, something on stderr.
    fn usage_error(&self) {
        assert_eq!(
            self.code,
            Some(2),
            "stdout: {} stderr: {}",
            self.stdout,
            self.stderr
        );
        assert_eq!(self.stdout, "");
        assert!(!self.stderr.trim().is_empty());
    }
}

/// The four flags for an entry, with `appid` given explicitly.
fn flags<'a>(e: &'a Value, appid: &'a str) -> Vec<&'a str> {
    vec![
        "--appid",
        appid,
        "--session-key",
        text(e, "session_key"),
        "--iv",
        text(e, "iv"),
        "--encrypted-data",
        text(e, "encrypted_data"),
    ]
}

fn timestamp(e: &Value) -> u64 {
    e["watermark_timestamp"].as_u64().expect("a watermark")
}

fn plaintext_json(e: &Value) -> Value {
    serde_json::from_str(text(e, "plaintext")).unwrap()
}

fn vector_path(name: &str) -> String {
    vectors::path(name).display().to_string()
}

/// A file in cargo's scratch directory for integration tests.
fn scratch_file(name: &str, contents: &[u8]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    std::fs::write(&path, contents).expect("scratch file written");
    path
}

// ---------------------------------------------------------------------------
// Success
// ---------------------------------------------------------------------------

#[test]
fn user_info_from_the_official_sample_file_prints_the_profile_and_watermark() {
    let file = real_world();
    let e = entry(&file, "decrypts", OFFICIAL);
    let now = timestamp(e).to_string();
    let out = run(&[
        "user-info",
        "--input",
        &vector_path("official-sample.json"),
        "--now",
        &now,
    ]);
    // WeChat's names, every field of the plaintext, the watermark as sent.
    assert_eq!(out.json(), plaintext_json(e));
}

#[test]
fn the_official_sample_file_matches_the_real_world_vector() {
    let file = real_world();
    let e = entry(&file, "decrypts", OFFICIAL);
    let input: Value = serde_json::from_str(vectors::OFFICIAL_SAMPLE).unwrap();
    for field in ["appid", "session_key", "iv", "encrypted_data"] {
        assert_eq!(input[field], e[field], "{field}");
    }
}

#[test]
fn phone_from_flags_prints_wechats_names_with_the_country_code_as_a_string() {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let now = timestamp(e).to_string();
    let mut args = vec!["phone"];
    args.extend(flags(e, text(e, "appid")));
    args.extend(["--now", &now]);
    let got = run(&args).json();
    let want = plaintext_json(e);
    assert!(got["countryCode"].is_string(), "{got}");
    assert_eq!(got, want);
    let keys: Vec<&String> = got.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4, "{keys:?}");
    assert_eq!(
        got["watermark"],
        json!({"appid": text(e, "appid"), "timestamp": timestamp(e)})
    );
}

#[test]
fn phone_with_a_numeric_country_code_prints_it_as_a_string() {
    let file = generated();
    let e = entry(&file, "decrypts", "phone/country-code-number");
    let now = timestamp(e).to_string();
    let mut args = vec!["phone"];
    args.extend(flags(e, text(e, "appid")));
    args.extend(["--now", &now]);
    let got = run(&args).json();
    let want = plaintext_json(e);
    assert!(want["countryCode"].is_number());
    assert_eq!(
        got["countryCode"],
        Value::String(want["countryCode"].to_string())
    );
    assert_eq!(got["phoneNumber"], want["phoneNumber"]);
    assert_eq!(got["purePhoneNumber"], want["purePhoneNumber"]);
    assert_eq!(got["watermark"], want["watermark"]);
}

#[test]
fn every_typed_real_world_phone_and_user_info_decrypts_from_flags() {
    let file = real_world();
    let mut n = 0;
    for e in vectors::section(&file, "decrypts") {
        let command = match text(e, "kind") {
            "phone" => "phone",
            "user_info" => "user-info",
            _ => continue,
        };
        n += 1;
        let now = timestamp(e).to_string();
        let mut args = vec![command];
        args.extend(flags(e, text(e, "appid")));
        args.extend(["--now", &now]);
        // Exactly the plaintext's members: none missing, none added (an
        // absent unionId stays absent).
        assert_eq!(run(&args).json(), plaintext_json(e), "{}", e["id"]);
    }
    assert_eq!(n, 4);
}

#[test]
fn raw_prints_the_decrypted_object_exactly_as_it_is() {
    let file = real_world();
    for id in [OFFICIAL, GOPAY] {
        let e = entry(&file, "decrypts", id);
        let now = timestamp(e).to_string();
        let mut args = vec!["raw"];
        args.extend(flags(e, text(e, "appid")));
        args.extend(["--now", &now]);
        let out = run(&args);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert_eq!(out.stdout, format!("{}\n", text(e, "plaintext")), "{id}");
        assert_eq!(out.stderr, "");
    }
}

#[test]
fn input_dash_reads_the_json_object_from_stdin() {
    let file = real_world();
    let e = entry(&file, "decrypts", OFFICIAL);
    let now = timestamp(e).to_string();
    let stdin = vectors::OFFICIAL_SAMPLE.as_bytes().to_vec();
    for command in ["user-info", "raw"] {
        let out = run_with(
            &[command, "--input", "-", "--now", &now],
            Some(stdin.clone()),
        );
        assert_eq!(out.json(), plaintext_json(e), "{command}");
    }
}

#[test]
fn input_file_accepts_the_camel_case_aliases() {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let input = json!({
        "appid": e["appid"],
        "sessionKey": e["session_key"],
        "iv": e["iv"],
        "encryptedData": e["encrypted_data"],
    });
    let path = scratch_file("aliases.json", input.to_string().as_bytes());
    let now = timestamp(e).to_string();
    let out = run(&["phone", "--input", path.to_str().unwrap(), "--now", &now]);
    assert_eq!(out.json(), plaintext_json(e));
    let stdin = run_with(
        &["phone", "--input", "-", "--now", &now],
        Some(input.to_string().into()),
    );
    assert_eq!(stdin.json(), plaintext_json(e));
}

// ---------------------------------------------------------------------------
// Rejected data: exit 1, one line on stderr, nothing on stdout
// ---------------------------------------------------------------------------

#[test]
fn data_under_a_stale_or_wrong_key_is_rejected_with_the_decryption_message() {
    let file = real_world();
    for e in vectors::section(&file, "does_not_decrypt") {
        for command in ["phone", "user-info", "raw"] {
            let mut args = vec![command];
            args.extend(flags(e, "wx4f4bc4dec97d474b"));
            args.extend(["--now", "1700000000"]);
            let out = run(&args);
            assert_eq!(out.rejected(), decryption_line(), "{}", e["id"]);
        }
    }
}

#[test]
fn user_info_given_to_phone_gets_the_decryption_message_and_the_diagnose_pointer() {
    // A new user's mistake: the wrong subcommand. The library says only its
    // one message; the CLI adds where to learn which cause it is.
    let file = real_world();
    let e = entry(&file, "decrypts", OFFICIAL);
    let now = timestamp(e).to_string();
    let mut args = vec!["phone"];
    args.extend(flags(e, text(e, "appid")));
    args.extend(["--now", &now]);
    let line = run(&args).rejected().to_owned();
    assert_eq!(line, decryption_line());
    assert!(line.starts_with(&Error::Decryption.to_string()), "{line}");
    assert!(line.contains("wxdecrypt diagnose"), "{line}");
    // The same input as user info decrypts: the data was fine.
    let mut args = vec!["user-info"];
    args.extend(flags(e, text(e, "appid")));
    args.extend(["--now", &now]);
    run(&args).json();
}

#[test]
fn an_old_watermark_without_now_is_rejected_as_expired() {
    let file = real_world();
    let e = entry(&file, "decrypts", OFFICIAL);
    let out = run(&["user-info", "--input", &vector_path("official-sample.json")]);
    let line = out.rejected();
    let prefix = format!("watermark is too old: timestamp {} is ", timestamp(e));
    assert!(line.starts_with(&prefix), "{line}");
}

#[test]
fn a_watermark_for_another_appid_is_rejected_with_both_appids() {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let now = timestamp(e).to_string();
    let other = "wx4f4bc4dec97d474b";
    for command in ["phone", "raw"] {
        let mut args = vec![command];
        args.extend(flags(e, other));
        args.extend(["--now", &now]);
        let expected = Error::AppIdMismatch {
            expected: other.into(),
            found: text(e, "appid").into(),
        };
        assert_eq!(run(&args).rejected(), expected.to_string());
    }
}

#[test]
fn a_payload_without_a_watermark_is_rejected() {
    let file = generated();
    let e = entry(&file, "decrypts", "raw/len-15");
    let mut args = vec!["raw"];
    args.extend(flags(e, text(e, "appid")));
    assert_eq!(run(&args).rejected(), Error::MissingWatermark.to_string());
}

#[test]
fn a_generated_reject_is_rejected_with_the_decryption_message() {
    let file = generated();
    let baseline = entry(&file, "decrypts", "phone/baseline");
    let now = timestamp(baseline).to_string();
    // Guard: the payload most rejects are made from is accepted.
    let mut args = vec!["phone"];
    args.extend(flags(baseline, text(baseline, "appid")));
    args.extend(["--now", &now]);
    assert_eq!(run(&args).json(), plaintext_json(baseline));
    for e in vectors::section(&file, "rejects") {
        let mut args = vec!["phone"];
        args.extend(flags(e, text(baseline, "appid")));
        args.extend(["--now", &now]);
        assert_eq!(run(&args).rejected(), decryption_line(), "{}", e["id"]);
    }
}

#[test]
fn bad_base64_is_rejected_naming_the_field_without_showing_the_key() {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let key = text(e, "session_key").replacen('Y', "!", 1);
    let args = [
        "phone",
        "--appid",
        text(e, "appid"),
        "--session-key",
        &key,
        "--iv",
        text(e, "iv"),
        "--encrypted-data",
        text(e, "encrypted_data"),
    ];
    let expected = Error::InvalidBase64 {
        field: Field::SessionKey,
        position: None,
    };
    assert_eq!(run(&args).rejected(), expected.to_string());
    let iv_as_text = "0123456789abcdef";
    let mut args = vec!["phone"];
    args.extend(flags(e, text(e, "appid")));
    args[6] = iv_as_text;
    let expected = Error::WrongLength {
        field: Field::Iv,
        len: 12,
    };
    assert_eq!(run(&args).rejected(), expected.to_string());
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

#[test]
fn lenient_base64_repairs_wxjava_issue_666_which_is_rejected_without_it() {
    let file = real_world();
    let e = entry(&file, "decrypts", WXJAVA_666);
    let as_reported = text(e, "encrypted_data_as_reported");
    let now = timestamp(e).to_string();
    let mut args = vec![
        "phone",
        "--appid",
        text(e, "appid"),
        "--session-key",
        text(e, "session_key"),
        "--iv",
        text(e, "iv"),
        "--encrypted-data",
        as_reported,
        "--now",
        &now,
    ];
    let expected = Error::SpaceInBase64 {
        field: Field::EncryptedData,
        position: as_reported.find(' '),
    };
    assert_eq!(run(&args).rejected(), expected.to_string());
    args.push("--lenient-base64");
    assert_eq!(run(&args).json(), plaintext_json(e));
}

#[test]
fn max_age_sets_the_oldest_watermark_accepted_with_five_minutes_of_leeway() {
    let file = real_world();
    let e = entry(&file, "decrypts", OFFICIAL);
    let ts = timestamp(e);
    let path = vector_path("official-sample.json");
    let at = |max_age: Option<u64>, now: u64| {
        let now = now.to_string();
        let max_age = max_age.map(|m| m.to_string());
        let mut args = vec!["user-info", "--input", &path, "--now", &now];
        if let Some(max_age) = &max_age {
            args.extend(["--max-age", max_age]);
        }
        run(&args)
    };
    // --max-age 50: accepted up to 50 + 300 s of age, not one second more.
    assert_eq!(at(Some(50), ts + 350).json(), plaintext_json(e));
    let expected = Error::Expired {
        timestamp: ts,
        now: ts + 351,
        max_age: 50,
    };
    assert_eq!(at(Some(50), ts + 351).rejected(), expected.to_string());
    // Default: one hour plus the leeway.
    assert_eq!(at(None, ts + 3900).json(), plaintext_json(e));
    let expected = Error::Expired {
        timestamp: ts,
        now: ts + 3901,
        max_age: 3600,
    };
    assert_eq!(at(None, ts + 3901).rejected(), expected.to_string());
    // The future is refused whatever the maximum age.
    let expected = Error::FromFuture {
        timestamp: ts,
        now: ts - 301,
        leeway: 300,
    };
    assert_eq!(
        at(Some(u64::MAX), ts - 301).rejected(),
        expected.to_string()
    );
}

#[test]
fn a_large_max_age_accepts_the_2016_sample_by_the_system_clock() {
    let file = real_world();
    let e = entry(&file, "decrypts", OFFICIAL);
    let path = vector_path("official-sample.json");
    // A hundred years.
    let out = run(&["user-info", "--input", &path, "--max-age", "3155760000"]);
    assert_eq!(out.json(), plaintext_json(e));
}

#[test]
fn leeway_sets_the_clock_skew_tolerated_both_ways() {
    let file = real_world();
    let e = entry(&file, "decrypts", OFFICIAL);
    let ts = timestamp(e);
    let path = vector_path("official-sample.json");
    let at = |leeway: u64, max_age: Option<u64>, now: u64| {
        let (leeway, now) = (leeway.to_string(), now.to_string());
        let max_age = max_age.map(|m| m.to_string());
        let mut args = vec!["user-info", "--input", &path, "--now", &now];
        args.extend(["--leeway", &leeway]);
        if let Some(max_age) = &max_age {
            args.extend(["--max-age", max_age]);
        }
        run(&args)
    };
    // No leeway: exactly the maximum age, and nothing from the future.
    assert_eq!(at(0, Some(50), ts).json(), plaintext_json(e));
    assert_eq!(at(0, Some(50), ts + 50).json(), plaintext_json(e));
    let expected = Error::Expired {
        timestamp: ts,
        now: ts + 51,
        max_age: 50,
    };
    assert_eq!(at(0, Some(50), ts + 51).rejected(), expected.to_string());
    let expected = Error::FromFuture {
        timestamp: ts,
        now: ts - 1,
        leeway: 0,
    };
    assert_eq!(at(0, Some(50), ts - 1).rejected(), expected.to_string());
    // A wide leeway, with the default maximum age.
    assert_eq!(at(1000, None, ts - 1000).json(), plaintext_json(e));
    let expected = Error::FromFuture {
        timestamp: ts,
        now: ts - 1001,
        leeway: 1000,
    };
    assert_eq!(at(1000, None, ts - 1001).rejected(), expected.to_string());
    assert_eq!(at(1000, None, ts + 4600).json(), plaintext_json(e));
    let expected = Error::Expired {
        timestamp: ts,
        now: ts + 4601,
        max_age: 3600,
    };
    assert_eq!(at(1000, None, ts + 4601).rejected(), expected.to_string());
    // Not a number of seconds.
    run(&["user-info", "--input", &path, "--leeway", "-1"]).usage_error();
    run(&["user-info", "--input", &path, "--leeway", "5m"]).usage_error();
}

#[test]
fn accept_missing_watermark_lets_raw_decrypt_a_payload_without_one() {
    let real = real_world();
    let generated = generated();
    let cases = [
        // appid null in the vector file: any appid will do.
        (
            entry(&real, "decrypts", "synthetic-share-opengid"),
            "wx4f4bc4dec97d474b",
        ),
        (
            entry(&generated, "decrypts", "raw/len-15"),
            "wx4f4bc4dec97d474b",
        ),
    ];
    for (e, appid) in cases {
        assert!(e.get("watermark_timestamp").is_none(), "{}", e["id"]);
        let mut args = vec!["raw"];
        args.extend(flags(e, appid));
        assert_eq!(
            run(&args).rejected(),
            Error::MissingWatermark.to_string(),
            "{}",
            e["id"]
        );
        args.push("--accept-missing-watermark");
        let out = run(&args);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert_eq!(
            out.stdout,
            format!("{}\n", text(e, "plaintext")),
            "{}",
            e["id"]
        );
        assert_eq!(out.stderr, "");
    }
}

#[test]
fn accept_missing_watermark_prints_a_null_watermark_for_phone_and_user_info() {
    let file = real_world();
    for (command, id) in [("phone", GOPAY), ("user-info", OFFICIAL)] {
        let e = entry(&file, "decrypts", id);
        // The same payload with its watermark taken out, encrypted again
        // under the entry's key and iv.
        let mut payload = plaintext_json(e);
        payload.as_object_mut().unwrap().remove("watermark");
        let data = encrypt::encrypt(
            &encrypt::unb64_16(text(e, "session_key")),
            &encrypt::unb64_16(text(e, "iv")),
            payload.to_string().as_bytes(),
        );
        let data = encrypt::b64(&data);
        let mut args = vec![
            command,
            "--appid",
            text(e, "appid"),
            "--session-key",
            text(e, "session_key"),
            "--iv",
            text(e, "iv"),
            "--encrypted-data",
            &data,
        ];
        assert_eq!(
            run(&args).rejected(),
            Error::MissingWatermark.to_string(),
            "{command}"
        );
        args.push("--accept-missing-watermark");
        let mut want = payload.clone();
        want["watermark"] = Value::Null;
        assert_eq!(run(&args).json(), want, "{command}");
    }
}

#[test]
fn accept_missing_watermark_still_checks_a_watermark_that_is_present() {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let ts = timestamp(e);
    let now = ts.to_string();
    // Present and valid: printed as usual.
    let mut args = vec!["phone"];
    args.extend(flags(e, text(e, "appid")));
    args.extend(["--now", &now, "--accept-missing-watermark"]);
    assert_eq!(run(&args).json(), plaintext_json(e));
    // Another appid.
    let other = "wx4f4bc4dec97d474b";
    let mut args = vec!["phone"];
    args.extend(flags(e, other));
    args.extend(["--now", &now, "--accept-missing-watermark"]);
    let expected = Error::AppIdMismatch {
        expected: other.into(),
        found: text(e, "appid").into(),
    };
    assert_eq!(run(&args).rejected(), expected.to_string());
    // Too old.
    let late = (ts + 3901).to_string();
    let mut args = vec!["raw"];
    args.extend(flags(e, text(e, "appid")));
    args.extend(["--now", &late, "--accept-missing-watermark"]);
    let expected = Error::Expired {
        timestamp: ts,
        now: ts + 3901,
        max_age: 3600,
    };
    assert_eq!(run(&args).rejected(), expected.to_string());
}

#[test]
fn the_session_key_help_warns_that_arguments_are_visible_to_other_users() {
    for command in ["phone", "user-info", "raw"] {
        for help in ["-h", "--help"] {
            let out = run(&[command, help]);
            assert_eq!(out.code, Some(0), "{}", out.stderr);
            let words = out.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
            let start = words.find("--session-key").expect("--session-key listed");
            let end = words[start..]
                .find("--iv")
                .map_or(words.len(), |i| start + i);
            let key_help = &words[start..end];
            assert!(
                key_help.contains("visible to other local users"),
                "{key_help}"
            );
            assert!(key_help.contains("ps"), "{key_help}");
            assert!(key_help.contains("--input -"), "{key_help}");
        }
    }
}

// ---------------------------------------------------------------------------
// The --input object
// ---------------------------------------------------------------------------

#[test]
fn an_input_that_is_a_json_string_is_refused_without_echoing_it() {
    // The session key alone, as someone might pipe it in by mistake. The
    // leak check in `run_with` covers this key (it is WeChat's sample key).
    let key = "tiihtNczf5v6AKRyjwEUhQ==";
    assert!(all_session_keys().iter().any(|k| k == key));
    let stdin = format!("\"{key}\"").into_bytes();
    let message = run_with(&["phone", "--input", "-"], Some(stdin))
        .own_usage_error()
        .to_owned();
    assert!(message.contains("JSON object"), "{message}");
    assert!(message.contains("string"), "{message}");
    // Other scalars: no value echoed either.
    for (input, value) in [
        ("31415926535897932", "31415926535897932"),
        ("-271828182845", "271828182845"),
        ("1.5e300", "1.5e300"),
        ("true", "true"),
        ("null", "null"),
    ] {
        let out = run_with(&["phone", "--input", "-"], Some(input.into()));
        let message = out.own_usage_error();
        assert!(message.contains("JSON object"), "{message}");
        if input != "null" && input != "true" {
            assert!(!out.stderr.contains(value), "{}", out.stderr);
        }
    }
}

#[test]
fn an_input_that_is_an_array_is_refused_even_with_the_four_values() {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let now = timestamp(e).to_string();
    let input = json!([e["appid"], e["session_key"], e["iv"], e["encrypted_data"]]);
    let out = run_with(
        &["phone", "--input", "-", "--now", &now],
        Some(input.to_string().into()),
    );
    let message = out.own_usage_error();
    assert!(message.contains("JSON object"), "{message}");
    assert!(message.contains("array"), "{message}");
    // The same as a file.
    let path = scratch_file("array.json", input.to_string().as_bytes());
    run(&["phone", "--input", path.to_str().unwrap(), "--now", &now]).own_usage_error();
}

#[test]
fn an_input_field_that_is_not_a_string_is_named_without_its_value() {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let key = text(e, "session_key");
    let good = json!({
        "appid": e["appid"],
        "session_key": key,
        "iv": e["iv"],
        "encrypted_data": e["encrypted_data"],
    });
    for (field, value, shown) in [
        (
            "session_key",
            json!(31_415_926_535_897_932_u64),
            "31415926535897932",
        ),
        ("session_key", json!(-27_182_818_284_i64), "27182818284"),
        ("session_key", json!(1.5e300), "1.5e300"),
        ("session_key", json!([key]), key),
        ("session_key", json!({ "key": key }), key),
        ("session_key", json!(null), ""),
        ("appid", json!(271_828_182_845_u64), "271828182845"),
        ("iv", json!(false), ""),
        ("encrypted_data", json!(16_180_339_887_u64), "16180339887"),
    ] {
        let mut input = good.clone();
        input[field] = value;
        let out = run_with(&["phone", "--input", "-"], Some(input.to_string().into()));
        let message = out.own_usage_error();
        assert!(message.contains(field), "{message}");
        assert!(message.contains("string"), "{message}");
        // (null and false are named by their type, which is all they are.)
        if !shown.is_empty() {
            assert!(!out.stderr.contains(shown), "{}", out.stderr);
        }
    }
    // camelCase spellings are named as written.
    let input = json!({
        "appid": e["appid"],
        "sessionKey": 31_415_926_535_897_932_u64,
        "iv": e["iv"],
        "encryptedData": e["encrypted_data"],
    });
    let out = run_with(&["phone", "--input", "-"], Some(input.to_string().into()));
    let message = out.own_usage_error();
    assert!(message.contains("sessionKey"), "{message}");
    assert!(!message.contains("31415926535897932"), "{message}");
}

#[test]
fn an_input_missing_a_field_names_it() {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let good = json!({
        "appid": e["appid"],
        "session_key": e["session_key"],
        "iv": e["iv"],
        "encrypted_data": e["encrypted_data"],
    });
    for field in ["appid", "session_key", "iv", "encrypted_data"] {
        let mut input = good.clone();
        input.as_object_mut().unwrap().remove(field);
        let out = run_with(&["phone", "--input", "-"], Some(input.to_string().into()));
        let message = out.own_usage_error();
        assert!(message.contains(&format!("missing {field}")), "{message}");
    }
}

#[test]
fn an_input_with_both_spellings_of_a_field_is_refused_as_ambiguous() {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let now = timestamp(e).to_string();
    let both_keys = json!({
        "appid": e["appid"],
        "session_key": e["session_key"],
        "sessionKey": e["session_key"],
        "iv": e["iv"],
        "encrypted_data": e["encrypted_data"],
    });
    let both_data = json!({
        "appid": e["appid"],
        "sessionKey": e["session_key"],
        "iv": e["iv"],
        "encrypted_data": e["encrypted_data"],
        "encryptedData": "AAAA",
    });
    for (input, snake, camel) in [
        (both_keys, "session_key", "sessionKey"),
        (both_data, "encrypted_data", "encryptedData"),
    ] {
        let out = run_with(
            &["phone", "--input", "-", "--now", &now],
            Some(input.to_string().into()),
        );
        let message = out.own_usage_error();
        assert!(message.contains(snake), "{message}");
        assert!(message.contains(camel), "{message}");
        assert!(message.contains("ambiguous"), "{message}");
    }
}

#[test]
fn an_input_syntax_error_gives_the_position_and_none_of_the_text() {
    let key = "tiihtNczf5v6AKRyjwEUhQ==";
    for (input, line, column) in [
        // A missing comma after the key.
        (
            format!("{{\"appid\": \"wx\",\n \"session_key\": \"{key}\" \"iv\": \"x\"}}"),
            2,
            44,
        ),
        // The key unquoted.
        (format!("{{\"session_key\": {key}}}"), 1, 18),
        // Cut off inside the key.
        (format!("{{\"session_key\": \"{key}"), 1, 41),
    ] {
        let out = run_with(&["phone", "--input", "-"], Some(input.into_bytes()));
        let message = out.own_usage_error();
        assert!(message.contains("not valid JSON"), "{message}");
        assert!(
            message.contains(&format!("line {line}, column {column}")),
            "{message}"
        );
    }
    // Not UTF-8.
    let out = run_with(
        &["phone", "--input", "-"],
        Some(b"{\"appid\": \"\xff\"}".to_vec()),
    );
    assert!(out.own_usage_error().contains("not valid JSON"));
    // Nothing at all.
    let out = run_with(&["phone", "--input", "-"], Some(Vec::new()));
    assert!(out.own_usage_error().contains("not valid JSON"));
}

#[test]
fn unknown_input_fields_are_ignored() {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let now = timestamp(e).to_string();
    // The benchmark fixture adds "now" (which the tool does not read: the
    // time still comes from --now).
    let fixture = format!("{}/phone.json", wxdecrypt_testkit::fixture::DIR);
    let out = run(&["phone", "--input", &fixture, "--now", &now]);
    assert_eq!(out.json(), plaintext_json(e));
    // A vector-file entry as it is, with all its extra fields.
    let out = run_with(
        &["phone", "--input", "-", "--now", &now],
        Some(e.to_string().into()),
    );
    assert_eq!(out.json(), plaintext_json(e));
}

// ---------------------------------------------------------------------------
// Output that cannot be written
// ---------------------------------------------------------------------------

/// GOPAY as `--input -`, which makes the tool wait for stdin before writing.
fn gopay_stdin() -> (Vec<u8>, String) {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    (e.to_string().into_bytes(), timestamp(e).to_string())
}

#[test]
fn a_result_that_cannot_be_written_exits_1_with_one_line() {
    let (stdin, now) = gopay_stdin();
    for command in ["phone", "raw"] {
        let out = run_io(
            &[command, "--input", "-", "--now", &now],
            Some(stdin.clone()),
            Sink::Full,
            Sink::Captured,
        );
        assert_eq!(out.code, Some(1), "{}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{:?}", out.stderr);
        assert!(
            out.stderr
                .starts_with("wxdecrypt: cannot write the result: "),
            "{:?}",
            out.stderr
        );
    }
}

#[test]
fn a_result_written_to_a_closed_pipe_exits_1_quietly() {
    let (stdin, now) = gopay_stdin();
    for command in ["phone", "raw"] {
        let out = run_io(
            &[command, "--input", "-", "--now", &now],
            Some(stdin.clone()),
            Sink::ClosedPipe,
            Sink::Captured,
        );
        assert_eq!(out.code, Some(1), "{}", out.stderr);
        assert_eq!(out.stderr, "");
    }
}

#[test]
fn a_full_or_closed_stderr_keeps_the_exit_status() {
    let (stdin, now) = gopay_stdin();
    let mut wrong_appid: Value = serde_json::from_slice(&stdin).unwrap();
    wrong_appid["appid"] = json!("wx4f4bc4dec97d474b");
    let wrong_appid = wrong_appid.to_string().into_bytes();
    for stderr in [Sink::Full, Sink::ClosedPipe] {
        // Rejected data: 1.
        let out = run_io(
            &["phone", "--input", "-", "--now", &now],
            Some(wrong_appid.clone()),
            Sink::Captured,
            stderr,
        );
        assert_eq!(out.code, Some(1));
        assert_eq!(out.stdout, "");
        // The tool's own usage error: 2.
        let out = run_io(
            &["phone", "--input", "-"],
            Some(b"[]".to_vec()),
            Sink::Captured,
            stderr,
        );
        assert_eq!(out.code, Some(2));
        assert_eq!(out.stdout, "");
        // Both streams unwritable.
        let out = run_io(
            &["phone", "--input", "-", "--now", &now],
            Some(stdin.clone()),
            Sink::Full,
            stderr,
        );
        assert_eq!(out.code, Some(1));
    }
}

// ---------------------------------------------------------------------------
// Usage errors: exit 2
// ---------------------------------------------------------------------------

#[test]
fn missing_flags_are_a_usage_error() {
    run(&["phone"]).usage_error();
    run(&["phone", "--appid", "wx4f4bc4dec97d474b"]).usage_error();
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let mut args = vec!["phone"];
    args.extend(flags(e, text(e, "appid")));
    args.truncate(args.len() - 2); // no --encrypted-data
    run(&args).usage_error();
}

#[test]
fn input_together_with_a_flag_is_a_usage_error() {
    let file = real_world();
    let e = entry(&file, "decrypts", OFFICIAL);
    let path = vector_path("official-sample.json");
    run(&["user-info", "--input", &path, "--iv", text(e, "iv")]).usage_error();
    run(&[
        "user-info",
        "--input",
        &path,
        "--appid",
        "wx4f4bc4dec97d474b",
    ])
    .usage_error();
}

#[test]
fn an_unknown_or_missing_subcommand_is_a_usage_error() {
    let path = vector_path("official-sample.json");
    run(&["email", "--input", &path]).usage_error();
    run(&["--input", &path]).usage_error();
    run(&[]).usage_error();
}

#[test]
fn malformed_option_values_are_a_usage_error() {
    let path = vector_path("official-sample.json");
    run(&["user-info", "--input", &path, "--now", "yesterday"]).usage_error();
    run(&["user-info", "--input", &path, "--max-age", "-1"]).usage_error();
    run(&["user-info", "--input", &path, "--unknown-flag"]).usage_error();
}

#[test]
fn an_unreadable_or_malformed_input_file_is_a_usage_error() {
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-does-not-exist.json");
    run(&["phone", "--input", missing.to_str().unwrap()]).usage_error();
    let not_json = scratch_file("not-json.json", b"appid=wx&iv=x");
    run(&["phone", "--input", not_json.to_str().unwrap()]).usage_error();
    let incomplete = scratch_file("incomplete.json", br#"{"appid": "wx4f4bc4dec97d474b"}"#);
    run(&["phone", "--input", incomplete.to_str().unwrap()]).usage_error();
    run_with(&["phone", "--input", "-"], Some(b"[1, 2]".to_vec())).usage_error();
}

#[test]
fn a_malformed_input_file_error_does_not_echo_the_session_key() {
    // serde_json quotes unexpected values in its messages: the session key
    // must not reach stderr even when it is the value that is wrong.
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let key = text(e, "session_key");
    for input in [
        json!({"appid": "wx", "session_key": key, "iv": 5, "encrypted_data": "x"}),
        json!({"appid": "wx", "session_key": [key], "iv": "x", "encrypted_data": "x"}),
        json!({"appid": key, "session_key": key, "iv": "x"}),
    ] {
        let out = run_with(&["phone", "--input", "-"], Some(input.to_string().into()));
        out.usage_error();
    }
}

// ---------------------------------------------------------------------------
// Size limits
// ---------------------------------------------------------------------------

#[test]
fn a_30_mib_input_file_is_refused_without_a_crash() {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let mut big = format!(
        r#"{{"appid":"{}","session_key":"{}","iv":"{}","encrypted_data":""#,
        text(e, "appid"),
        text(e, "session_key"),
        text(e, "iv")
    )
    .into_bytes();
    big.resize(30 * 1024 * 1024, b'A');
    big.extend_from_slice(b"\"}");
    let path = scratch_file("30mib.json", &big);
    let out = run(&[
        "phone",
        "--input",
        path.to_str().unwrap(),
        "--now",
        "1558787160",
    ]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("larger than 1048576 bytes"),
        "{}",
        out.stderr
    );
    // The same through stdin.
    let out = run_with(&["phone", "--input", "-"], Some(big));
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("larger than 1048576 bytes"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_30_mib_stdin_is_not_read_past_the_bound() {
    // The tool reads at most 1 MiB + 1 byte of `--input -` and exits: the
    // writer of an endless stdin sees the pipe close after about that much
    // (plus what the pipe buffers), not after all of it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_wxdecrypt"))
        .args(["phone", "--input", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the tool starts");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || {
        let chunk = vec![b' '; 64 * 1024];
        let mut written = 0usize;
        while written < 30 * 1024 * 1024 {
            if pipe.write_all(&chunk).is_err() {
                break;
            }
            written += chunk.len();
        }
        written
    });
    let output = child.wait_with_output().expect("the tool runs");
    let written = writer.join().expect("stdin writer");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("larger than 1048576 bytes"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        written < 2 * 1024 * 1024,
        "{written} bytes of stdin were consumed"
    );
}

/// A valid `--input` object padded with spaces (JSON whitespace) to exactly
/// `len` bytes.
fn padded_input(len: usize) -> Vec<u8> {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let mut object = format!(
        r#"{{"appid":"{}","session_key":"{}","iv":"{}","encrypted_data":"{}"}}"#,
        text(e, "appid"),
        text(e, "session_key"),
        text(e, "iv"),
        text(e, "encrypted_data")
    )
    .into_bytes();
    object.resize(len, b' ');
    object
}

#[test]
fn input_of_exactly_one_mib_is_accepted_one_byte_more_is_refused() {
    let limit = 1024 * 1024;
    for (name, len, code) in [("at.json", limit, 0), ("over.json", limit + 1, 2)] {
        let bytes = padded_input(len);
        let path = scratch_file(name, &bytes);
        let args = [
            "phone",
            "--input",
            path.to_str().unwrap(),
            "--now",
            "1558787160",
        ];
        let out = run(&args);
        assert_eq!(
            out.code,
            Some(code),
            "{len} bytes from a file: {}",
            out.stderr
        );
        let args = ["phone", "--input", "-", "--now", "1558787160"];
        let out = run_with(&args, Some(bytes));
        assert_eq!(out.code, Some(code), "{len} bytes on stdin: {}", out.stderr);
    }
}

#[test]
fn a_key_given_twice_in_the_input_is_refused_as_ambiguous() {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    for key in ["session_key", "session\\u005fkey"] {
        let input = format!(
            r#"{{"appid":"{}","session_key":"AAAAAAAAAAAAAAAAAAAAAA==","{key}":"{}","iv":"{}","encrypted_data":"{}"}}"#,
            text(e, "appid"),
            text(e, "session_key"),
            text(e, "iv"),
            text(e, "encrypted_data")
        );
        let out = run_with(
            &["phone", "--input", "-", "--now", "1558787160"],
            Some(input.into_bytes()),
        );
        assert_eq!(out.code, Some(2), "{key}: {}", out.stderr);
        assert!(out.stderr.contains("twice"), "{}", out.stderr);
        assert_eq!(out.stdout, "");
    }
}

#[test]
fn an_empty_appid_is_a_usage_error() {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let out = run(&[
        "phone",
        "--appid",
        "",
        "--session-key",
        text(e, "session_key"),
        "--iv",
        text(e, "iv"),
        "--encrypted-data",
        text(e, "encrypted_data"),
        "--now",
        "1558787160",
    ]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("appid is empty"), "{}", out.stderr);
}

#[test]
fn encrypted_data_over_the_limit_is_rejected_as_too_large() {
    let file = real_world();
    let e = entry(&file, "decrypts", GOPAY);
    let data = "A".repeat(InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN + 4);
    let input = json!({
        "appid": e["appid"],
        "session_key": e["session_key"],
        "iv": e["iv"],
        "encrypted_data": data,
    });
    let out = run_with(&["phone", "--input", "-"], Some(input.to_string().into()));
    let expected = Error::TooLarge {
        field: Field::EncryptedData,
        len: data.len(),
        max: InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN,
    };
    assert_eq!(out.rejected(), expected.to_string());
}

// ---------------------------------------------------------------------------
// check-signature
// ---------------------------------------------------------------------------

/// The `rawData` signature vectors of tests/vectors/real-world.json.
fn raw_data_signatures() -> Vec<Value> {
    let file = real_world();
    let all: Vec<Value> = file["signatures"].as_array().unwrap().clone();
    let raw: Vec<Value> = all
        .into_iter()
        .filter(|v| v["kind"] == "rawdata_sha1")
        .collect();
    assert_eq!(raw.len(), 2, "WeChat's example and WeiXinMPSDK's");
    raw
}

#[test]
fn check_signature_exits_0_on_the_real_signatures_in_either_case() {
    for v in raw_data_signatures() {
        assert_eq!(v["matches"], true);
        let signature = text(&v, "signature");
        for presented in [signature.to_owned(), signature.to_ascii_uppercase()] {
            let out = run(&[
                "check-signature",
                "--session-key",
                text(&v, "session_key"),
                "--raw-data",
                text(&v, "raw_data"),
                "--signature",
                &presented,
            ]);
            assert_eq!(out.json(), json!({ "matches": true }));
        }
    }
}

#[test]
fn check_signature_exits_1_when_anything_differs() {
    let v = &raw_data_signatures()[0];
    let (key, raw, signature) = (
        text(v, "session_key"),
        text(v, "raw_data"),
        text(v, "signature"),
    );
    let other_key = text(&raw_data_signatures()[1], "session_key").to_owned();
    let mut flipped = signature.to_owned().into_bytes();
    flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).unwrap();
    let altered = raw.replacen("Band", "Bend", 1);
    for (key, raw, signature) in [
        (other_key.as_str(), raw, signature),
        (key, altered.as_str(), signature),
        (key, raw, flipped.as_str()),
        (key, raw, &signature[..39]),
        (key, raw, "not hex at all, forty characters long.."),
    ] {
        let out = run(&[
            "check-signature",
            "--session-key",
            key,
            "--raw-data",
            raw,
            "--signature",
            signature,
        ]);
        assert_eq!(out.code, Some(1), "{}", out.stderr);
        assert_eq!(out.stdout, "");
        assert!(
            out.stderr
                .starts_with("wxdecrypt: the signature does not match rawData"),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("wx.login"), "{}", out.stderr);
    }
}

#[test]
fn check_signature_with_a_key_that_is_not_base64_names_the_key() {
    let v = &raw_data_signatures()[0];
    let out = run(&[
        "check-signature",
        "--session-key",
        "HyVFkGl5F5OQWJZZaNzBBg",
        "--raw-data",
        text(v, "raw_data"),
        "--signature",
        text(v, "signature"),
    ]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("session_key"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------
// diagnose
// ---------------------------------------------------------------------------

/// An `--input` object for `diagnose` built from a vector entry, with
/// `encrypted_data` changed by `damage`.
fn diagnose_input(e: &Value, appid: &str, damage: fn(&str) -> String) -> Vec<u8> {
    json!({
        "appid": appid,
        "session_key": text(e, "session_key"),
        "iv": text(e, "iv"),
        "encrypted_data": damage(text(e, "encrypted_data")),
    })
    .to_string()
    .into_bytes()
}

#[test]
fn diagnose_passes_the_official_sample_and_exits_0() {
    let out = run(&[
        "diagnose",
        "--input",
        &vector_path("official-sample.json"),
        "--now",
        "1477314187",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout.starts_with("stage:   all checks passed\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("UserInfo"), "{}", out.stdout);
    assert!(
        !out.stdout.contains("Band"),
        "no profile value: {}",
        out.stdout
    );
}

#[test]
fn diagnose_names_a_stale_key_for_every_vector_that_does_not_decrypt() {
    let file = real_world();
    for e in file["does_not_decrypt"].as_array().unwrap() {
        let input = diagnose_input(e, "wx4f4bc4dec97d474b", str::to_owned);
        let out = run_with(&["diagnose", "--input", "-"], Some(input));
        assert_eq!(out.code, Some(1), "{}", out.stderr);
        assert!(out.stdout.contains("padding check fails"), "{}", out.stdout);
        assert!(out.stdout.contains("stale session_key"), "{}", out.stdout);
        assert!(out.stdout.contains("padding oracle"), "{}", out.stdout);
    }
}

#[test]
fn diagnose_names_the_lost_plus_and_what_the_repair_gives() {
    let file = real_world();
    let e = entry(&file, "decrypts", WXJAVA_666);
    let input = diagnose_input(e, text(e, "appid"), |data| data.replace('+', " "));
    let out = run_with(
        &[
            "diagnose",
            "--input",
            "-",
            "--now",
            &timestamp(e).to_string(),
        ],
        Some(input),
    );
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stdout.contains(
            "\nfinding: encrypted_data contains a space at byte 15: a `+` was probably \
             turned into a space by URL or form decoding (send it as a JSON body, or use \
             the lenient base64 mode)\n"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("after the lenient repair:\n  stage:   all checks passed")
    );
    let phone = plaintext_json(e)["purePhoneNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        !out.stdout.contains(&phone),
        "no phone number: {}",
        out.stdout
    );
}

#[test]
fn diagnose_tells_a_wrong_iv_from_a_wrong_key() {
    let file = real_world();
    let gopay = entry(&file, "decrypts", GOPAY);
    let official = entry(&file, "decrypts", OFFICIAL);
    // The go-pay data and key with the official sample's iv: only the first
    // block is garbled.
    let out = run(&[
        "diagnose",
        "--appid",
        text(gopay, "appid"),
        "--session-key",
        text(gopay, "session_key"),
        "--iv",
        text(official, "iv"),
        "--encrypted-data",
        text(gopay, "encrypted_data"),
        "--now",
        &timestamp(gopay).to_string(),
    ]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stdout.contains("only the iv is wrong"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("stale session_key"), "{}", out.stdout);
}

// ---------------------------------------------------------------------------
// phone-response
// ---------------------------------------------------------------------------

/// A response body from tests/vectors/responses/.
fn response_path(name: &str) -> String {
    vector_path(&format!("responses/{name}"))
}

/// `13580006666` as tests/vectors/responses/README.md describes it, with
/// the watermark the two WeChat fixtures carry.
fn expected_phone(watermark: &Value) -> Value {
    json!({
        "phoneNumber": "13580006666",
        "purePhoneNumber": "13580006666",
        "countryCode": "86",
        "watermark": watermark,
    })
}

#[test]
fn phone_response_prints_the_phone_json_for_both_wechat_shapes() {
    for name in ["getuserphonenumber-ok.json", "cloud-call-ok.json"] {
        let path = response_path(name);
        // Checked against the appid and a clock 60 s after the watermark.
        let out = run(&[
            "phone-response",
            "--input",
            &path,
            "--appid",
            "wx4f4bc4dec97d474b",
            "--now",
            "1637744334",
        ]);
        let watermark = json!({ "appid": "wx4f4bc4dec97d474b", "timestamp": 1_637_744_274 });
        assert_eq!(out.json(), expected_phone(&watermark), "{name}");
        // Without an appid the watermark is not checked, and prints null.
        let out = run_with(
            &["phone-response", "--input", "-"],
            Some(std::fs::read(&path).unwrap()),
        );
        assert_eq!(out.json(), expected_phone(&Value::Null), "{name}");
    }
}

#[test]
fn phone_response_reads_authing_and_checks_no_watermark_there() {
    let out = run(&[
        "phone-response",
        "--input",
        &response_path("authing-ok.json"),
        "--appid",
        "wx4f4bc4dec97d474b",
    ]);
    assert_eq!(
        out.json(),
        json!({
            "phoneNumber": "+8618812348888",
            "purePhoneNumber": "18812348888",
            "countryCode": "86",
            "watermark": null,
        })
    );
}

#[test]
fn phone_response_refuses_another_appid_and_an_old_watermark() {
    let path = response_path("getuserphonenumber-ok.json");
    for (appid, now, expected) in [
        ("wx0000000000000000", "1637744334", "wx0000000000000000"),
        ("wx4f4bc4dec97d474b", "1700000000", "too old"),
    ] {
        let out = run(&[
            "phone-response",
            "--input",
            &path,
            "--appid",
            appid,
            "--now",
            now,
        ]);
        assert_eq!(out.code, Some(1), "{}", out.stderr);
        assert_eq!(out.stdout, "");
        assert!(out.stderr.contains("watermark"), "{}", out.stderr);
        assert!(out.stderr.contains(expected), "{}", out.stderr);
    }
}

#[test]
fn phone_response_api_errors_exit_1_with_their_numeric_code() {
    for (name, code) in [
        ("getuserphonenumber-40029.json", "40029"),
        ("getuserphonenumber-busy.json", "-1"),
        ("cloud-call-40029.json", "40029"),
        ("authing-error.json", "2001"),
    ] {
        let out = run(&["phone-response", "--input", &response_path(name)]);
        assert_eq!(out.code, Some(1), "{name}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{name}");
        assert_eq!(out.stderr.lines().count(), 1, "{name}: {}", out.stderr);
        assert!(out.stderr.contains(code), "{name}: {}", out.stderr);
    }
}

#[test]
fn phone_response_refuses_placeholder_and_malformed_bodies() {
    // WeChat's documentation sample has "xxxxxx" for the number.
    let out = run(&[
        "phone-response",
        "--input",
        &response_path("getuserphonenumber-doc-sample.json"),
    ]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    for body in [
        &b"not json"[..],
        b"{\"errcode\":0,\"errmsg\":\"ok\"}",
        b"{\"errcode\":0,\"errcode\":40029}",
        b"\xff\xfe",
    ] {
        let out = run_with(&["phone-response", "--input", "-"], Some(body.to_vec()));
        assert!(matches!(out.code, Some(1 | 2)), "{}", out.stderr);
        assert_eq!(out.stdout, "");
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    }
}

#[test]
fn check_signature_reads_its_inputs_from_stdin_too() {
    for v in raw_data_signatures() {
        let input = json!({
            "sessionKey": text(&v, "session_key"),
            "rawData": text(&v, "raw_data"),
            "signature": text(&v, "signature"),
        });
        let out = run_with(
            &["check-signature", "--input", "-"],
            Some(input.to_string().into_bytes()),
        );
        assert_eq!(out.json(), json!({ "matches": true }));
        // One character of rawData changed: a mismatch, exit 1.
        let mut altered = input.clone();
        altered["rawData"] = Value::from(text(&v, "raw_data").replacen('"', "'", 1));
        let out = run_with(
            &["check-signature", "--input", "-"],
            Some(altered.to_string().into_bytes()),
        );
        assert_eq!(out.code, Some(1), "{}", out.stderr);
    }
    // A field missing is a usage error that names it.
    let out = run_with(
        &["check-signature", "--input", "-"],
        Some(br#"{"session_key":"HyVFkGl5F5OQWJZZaNzBBg==","signature":"00"}"#.to_vec()),
    );
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("raw_data or rawData"), "{}", out.stderr);
}
