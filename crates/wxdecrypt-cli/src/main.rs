//! `wxdecrypt`: decrypt a mini program's `encryptedData` from the command line.
//!
//! Exit status: 0 with JSON on stdout on success; 1 with one line on stderr
//! when the data is rejected; 2 for usage errors (clap's own, or an `--input`
//! file that cannot be read as the expected JSON object).
//!
//! A result that cannot be written is not a success: the tool exits 1, with
//! one line on stderr (`cannot write the result: ...`), or silently when
//! stdout is a pipe whose reader has gone (`wxdecrypt ... | head -c0`), as
//! a tool killed by SIGPIPE would. Nothing the tool writes to stderr can fail
//! it: a closed or full stderr leaves the exit status as it would be. (A
//! stdout closed outright, `>&-`, is reopened on `/dev/null` by the Rust
//! runtime: the tool cannot see that its result went nowhere.)
//!
//! Wiping the session key is best effort: the tool's own copies are wiped,
//! but `serde_json`'s scratch buffer (used for strings with escapes) and
//! clap's copy of `--session-key` are not under its control.
//!
//! The session key is never printed, and neither is any value from
//! `--input`: its errors are the tool's own words, naming fields and
//! positions only.

use std::io::{ErrorKind, Read as _, Write as _};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};

use wxdecrypt::api::{ApiError, PhoneResponseParser, ResponseKind};
use wxdecrypt::diagnose::{DiagnoseInput, DiagnoseOptions};
use wxdecrypt::{
    Decrypted, EncryptedData, Error, InputParser, Iv, PhoneNumber, SessionKey, UnixTime, UserInfo,
    Validation, Watermark,
};
use wxdecrypt_cli::input::{self, InputFile};
use zeroize::Zeroizing;

/// The largest `--input` accepted, in bytes: far above any real payload. The
/// file is read with this bound, so a huge one is refused after reading this
/// much; parsing an accepted one costs a bounded multiple of it.
const MAX_INPUT_BYTES: u64 = 1024 * 1024;

#[derive(Parser)]
#[command(
    name = "wxdecrypt",
    version,
    about = "Decrypt and verify WeChat mini-program encryptedData"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Clap's help text: plain words, no Markdown.
#[allow(clippy::doc_markdown)]
#[derive(Subcommand)]
enum Command {
    /// A getPhoneNumber payload: prints phoneNumber, purePhoneNumber, countryCode, watermark.
    Phone(Inputs),
    /// A getUserInfo payload: prints the profile and its watermark.
    UserInfo(Inputs),
    /// Any payload: prints the decrypted JSON object as it is.
    Raw(Inputs),
    /// The server response of the new flow (getuserphonenumber, the cloud
    /// call, or Authing): prints the same phone JSON as phone. An API error
    /// exits 1 with its code (errcode, errCode or apiCode) on stderr.
    PhoneResponse(ResponseArgs),
    /// Checks the legacy rawData signature, sha1(rawData + session_key):
    /// exit 0 when it matches, 1 when it does not.
    CheckSignature(SignatureArgs),
    /// For a developer's terminal, never a server: says which stage fails on
    /// these inputs and the likely cause (transport damage, lengths, a stale
    /// session_key, only the iv, the shape, the watermark). Same inputs as
    /// raw; an empty appid reports the watermark's appid without checking it.
    /// Exit 0 when the inputs decrypt and pass, 1 otherwise.
    Diagnose(Inputs),
}

// Clap's help text: plain words, no Markdown.
#[allow(clippy::doc_markdown)]
#[derive(Args)]
struct ResponseArgs {
    /// A file holding the response body, or - for standard input.
    #[arg(long, value_name = "FILE|-")]
    input: String,
    /// The mini program's appid: the watermark in phone_info / phoneInfo
    /// must name it and be fresh. Without it the watermark is not checked
    /// and "watermark" prints null. Authing sends no watermark.
    #[arg(long)]
    appid: Option<String>,
    /// The current time in Unix seconds (default: the system clock).
    #[arg(long, value_name = "UNIX_SECS")]
    now: Option<u64>,
    /// The maximum watermark age in seconds (default: 3600); needs --appid.
    #[arg(long, value_name = "SECS", requires = "appid")]
    max_age: Option<u64>,
}

// Clap's help text: plain words, no Markdown.
#[allow(clippy::doc_markdown)]
#[derive(Args)]
struct SignatureArgs {
    /// The user's session_key from code2session (base64). Command-line
    /// arguments are visible to other local users (ps, /proc): for a real key
    /// use --input - and pass the JSON on standard input instead.
    #[arg(long, required_unless_present = "input", conflicts_with = "input")]
    session_key: Option<String>,
    /// The rawData string exactly as wx.getUserInfo returned it.
    #[arg(long, required_unless_present = "input", conflicts_with = "input")]
    raw_data: Option<String>,
    /// The signature that came with it (40 hex digits, either case).
    #[arg(long, required_unless_present = "input", conflicts_with = "input")]
    signature: Option<String>,
    /// A JSON file, or - for standard input, holding {"session_key",
    /// "raw_data", "signature"} (sessionKey and rawData accepted too).
    #[arg(long, value_name = "FILE|-")]
    input: Option<String>,
}

// These doc comments are clap's help text: plain words, no Markdown.
#[allow(clippy::doc_markdown)]
#[derive(Args)]
struct Inputs {
    /// The mini program's appid, which the watermark must name.
    #[arg(long, required_unless_present = "input", conflicts_with = "input")]
    appid: Option<String>,
    /// The user's session_key from code2session (base64). Command-line
    /// arguments are visible to other local users (ps, /proc): for a real key
    /// use --input - and pass the JSON on standard input instead.
    #[arg(long, required_unless_present = "input", conflicts_with = "input")]
    session_key: Option<String>,
    /// The iv sent with the data (base64).
    #[arg(long, required_unless_present = "input", conflicts_with = "input")]
    iv: Option<String>,
    /// The encryptedData (base64).
    #[arg(long, required_unless_present = "input", conflicts_with = "input")]
    encrypted_data: Option<String>,
    /// A JSON file, or - for standard input, holding {"appid", "session_key",
    /// "iv", "encrypted_data"} (sessionKey and encryptedData accepted too).
    #[arg(long, value_name = "FILE|-")]
    input: Option<String>,
    /// The current time in Unix seconds (default: the system clock).
    #[arg(long, value_name = "UNIX_SECS")]
    now: Option<u64>,
    /// The maximum watermark age in seconds (default: 3600).
    #[arg(long, value_name = "SECS")]
    max_age: Option<u64>,
    /// The clock skew tolerated in seconds, both for the maximum age and for
    /// timestamps in the future (default: 300).
    #[arg(long, value_name = "SECS")]
    leeway: Option<u64>,
    /// Accept a payload that has no watermark (a watermark that is present is
    /// still checked); phone and user-info then print "watermark": null.
    /// Nothing then ties the data to the appid or to a time.
    #[arg(long)]
    accept_missing_watermark: bool,
    /// Repair base64 damaged in transit (spaces for `+`, line breaks, URL-safe
    /// alphabet, %2B/%2F/%3D, missing padding).
    #[arg(long)]
    lenient_base64: bool,
}

enum Failure {
    /// Exit 2: the command line or `--input` cannot be used.
    Usage(String),
    /// Exit 1: the data was refused.
    Rejected(Error),
    /// Exit 1: a check failed, with the tool's own words.
    Refused(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Phone(inputs) => run(inputs, |d, appid| phone_json(&d, appid)),
        Command::UserInfo(inputs) => run(inputs, |d, appid| user_info_json(&d, appid)),
        Command::Raw(inputs) => run_raw(inputs),
        Command::PhoneResponse(args) => phone_response(args),
        Command::CheckSignature(args) => check_signature(args),
        // A report whatever it finds, with its own exit status.
        Command::Diagnose(inputs) => return diagnose(inputs),
    };
    match result {
        Ok(text) => write_result(&text),
        Err(failure) => fail(failure),
    }
}

/// What the CLI adds to [`Error::Decryption`]'s message.
const DIAGNOSE_HINT: &str = "`wxdecrypt diagnose` with the same input tells these causes apart \
     (a stale session_key, data of another kind, altered data)";

/// Reports a failure on stderr; its exit status.
fn fail(failure: Failure) -> ExitCode {
    match failure {
        Failure::Usage(message) => {
            complain(message);
            ExitCode::from(2)
        }
        // The library's one opaque message, and where a developer learns
        // more: the offline diagnosis tells its causes apart.
        Failure::Rejected(Error::Decryption) => {
            complain(format_args!("{}; {DIAGNOSE_HINT}", Error::Decryption));
            ExitCode::from(1)
        }
        Failure::Rejected(error) => {
            complain(error);
            ExitCode::from(1)
        }
        Failure::Refused(message) => {
            complain(message);
            ExitCode::from(1)
        }
    }
}

/// Prints the result and its newline; a success only once they are written.
fn write_result(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader has gone: nobody is left to tell.
        Err(e) if e.kind() == ErrorKind::BrokenPipe => ExitCode::from(1),
        Err(e) => {
            complain(format_args!("cannot write the result: {e}"));
            ExitCode::from(1)
        }
    }
}

/// One line on stderr. A stderr that cannot be written is ignored: the exit
/// status still says what happened.
fn complain(message: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "wxdecrypt: {message}");
}

fn run<T: serde::de::DeserializeOwned>(
    inputs: &Inputs,
    render: impl FnOnce(Decrypted<T>, &str) -> Value,
) -> Result<String, Failure> {
    let (decrypted, validation) = decrypt_inputs(inputs, wxdecrypt::decrypt_at::<T>)?;
    Ok(render(decrypted, validation.appid()).to_string())
}

fn run_raw(inputs: &Inputs) -> Result<String, Failure> {
    let (decrypted, _) = decrypt_inputs(inputs, wxdecrypt::decrypt_raw_at)?;
    Ok(decrypted.payload.as_str().to_owned())
}

/// `diagnose`: the report on stdout whatever it finds; exit 0 only when the
/// inputs decrypt and pass every check.
fn diagnose(inputs: &Inputs) -> ExitCode {
    let file = match load(inputs) {
        Ok(file) => file,
        Err(failure) => return fail(failure),
    };
    let (_, validation, now) = settings(inputs, &file.appid);
    let mut options = DiagnoseOptions::new(validation);
    if file.appid.is_empty() {
        options = options.unchecked_appid();
    }
    let input = DiagnoseInput {
        session_key: &file.session_key,
        iv: &file.iv,
        encrypted_data: &file.encrypted_data,
    };
    let diagnosis = wxdecrypt::diagnose::diagnose_at(&input, &options, now);
    match write_result(&diagnosis.to_string()) {
        code if code == ExitCode::SUCCESS && !diagnosis.is_valid() => ExitCode::from(1),
        code => code,
    }
}

/// `phone-response`: the phone JSON of `phone`, from any of the three
/// response shapes.
fn phone_response(args: &ResponseArgs) -> Result<String, Failure> {
    let bytes = read_bounded(&args.input)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        Failure::Usage(format!(
            "--input is not UTF-8 (at byte {})",
            e.valid_up_to()
        ))
    })?;
    let now = args.now.map_or_else(UnixTime::now, UnixTime::from_secs);
    let api = |e: ApiError| Failure::Refused(e.to_string());
    // Which shape it is decides the check: Authing sends no watermark.
    let unchecked = PhoneResponseParser::without_watermark_check()
        .parse_at(text, now)
        .map_err(api)?;
    let appid = match args.appid.as_deref() {
        Some("") => {
            return Err(Failure::Usage(
                "the appid is empty: give your mini program's appid, or leave --appid out".into(),
            ));
        }
        Some(appid) if unchecked.kind != ResponseKind::Authing => appid,
        _ => return Ok(phone_json(&unchecked.phone, "").to_string()),
    };
    let mut validation = Validation::new(appid);
    if let Some(max_age) = args.max_age {
        validation = validation.with_max_age(max_age);
    }
    let checked = PhoneResponseParser::new(&validation)
        .parse_at(text, now)
        .map_err(api)?;
    Ok(phone_json(&checked.phone, appid).to_string())
}

/// `check-signature`: `{"matches":true}` on a match, a refusal otherwise.
fn check_signature(args: &SignatureArgs) -> Result<String, Failure> {
    let file = match (
        &args.input,
        &args.session_key,
        &args.raw_data,
        &args.signature,
    ) {
        (Some(path), ..) => input::parse_signature(&read_bounded(path)?).map_err(Failure::Usage)?,
        (None, Some(key), Some(raw_data), Some(signature)) => input::SignatureFile {
            session_key: Zeroizing::new(key.clone()),
            raw_data: raw_data.clone(),
            signature: signature.clone(),
        },
        _ => {
            return Err(Failure::Usage(
                "missing input: use the three flags or --input".into(),
            ));
        }
    };
    let key = SessionKey::from_base64(&file.session_key).map_err(Failure::Rejected)?;
    if wxdecrypt::verify_raw_data(&key, &file.raw_data, &file.signature) {
        Ok(json!({ "matches": true }).to_string())
    } else {
        Err(Failure::Refused(
            "the signature does not match rawData under this session_key: the stored \
             session_key is not the one WeChat used (a later wx.login replaced it), or \
             rawData or the signature was altered"
                .into(),
        ))
    }
}

/// Loads and parses the inputs, then runs `decrypt` on them; also returns
/// the validation used.
fn decrypt_inputs<R>(
    inputs: &Inputs,
    decrypt: impl FnOnce(
        &SessionKey,
        &Iv,
        &EncryptedData<'_>,
        &Validation,
        UnixTime,
    ) -> Result<R, Error>,
) -> Result<(R, Validation), Failure> {
    let file = load(inputs)?;
    if file.appid.is_empty() {
        return Err(Failure::Usage(
            "the appid is empty: give your mini program's appid".into(),
        ));
    }
    let (parser, validation, now) = settings(inputs, &file.appid);
    let key = parser
        .session_key(&file.session_key)
        .map_err(Failure::Rejected)?;
    let iv = parser.iv(&file.iv).map_err(Failure::Rejected)?;
    let data = parser
        .encrypted_data(&file.encrypted_data)
        .map_err(Failure::Rejected)?;
    let result = decrypt(&key, &iv, &data, &validation, now).map_err(Failure::Rejected)?;
    Ok((result, validation))
}

fn settings(inputs: &Inputs, appid: &str) -> (InputParser, Validation, UnixTime) {
    let parser = if inputs.lenient_base64 {
        InputParser::new().lenient()
    } else {
        InputParser::new()
    };
    let mut validation = Validation::new(appid);
    if let Some(max_age) = inputs.max_age {
        validation = validation.with_max_age(max_age);
    }
    if let Some(leeway) = inputs.leeway {
        validation = validation.with_leeway(leeway);
    }
    if inputs.accept_missing_watermark {
        validation = validation.accept_missing_watermark();
    }
    let now = inputs.now.map_or_else(UnixTime::now, UnixTime::from_secs);
    (parser, validation, now)
}

/// The four inputs, from the flags or from `--input`.
fn load(inputs: &Inputs) -> Result<InputFile, Failure> {
    let Some(path) = &inputs.input else {
        let missing = || Failure::Usage("missing input: use the four flags or --input".into());
        return Ok(InputFile {
            appid: inputs.appid.clone().ok_or_else(missing)?,
            session_key: Zeroizing::new(inputs.session_key.clone().ok_or_else(missing)?),
            iv: inputs.iv.clone().ok_or_else(missing)?,
            encrypted_data: inputs.encrypted_data.clone().ok_or_else(missing)?,
        });
    };
    let text = read_bounded(path)?;
    input::parse(&text).map_err(Failure::Usage)
}

/// Reads `--input` (a file, or `-` for stdin) into a wiped buffer, refusing
/// more than [`MAX_INPUT_BYTES`].
fn read_bounded(path: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    // Room for the whole bound up front: a buffer that grew would leave
    // copies of the key behind in freed memory, out of reach of the wipe.
    let capacity = usize::try_from(MAX_INPUT_BYTES + 1).unwrap_or(usize::MAX);
    let mut text = Zeroizing::new(Vec::with_capacity(capacity));
    let read = if path == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut text))
    };
    read.map_err(|e| Failure::Usage(format!("cannot read --input {path:?}: {e}")))?;
    if text.len() as u64 > MAX_INPUT_BYTES {
        return Err(Failure::Usage(format!(
            "--input is larger than {MAX_INPUT_BYTES} bytes; real payloads are under 4 KiB"
        )));
    }
    Ok(text)
}

/// The watermark as WeChat writes it; its appid is the validation's, which
/// it was checked to equal.
fn watermark_json(watermark: Option<&Watermark>, appid: &str) -> Value {
    watermark.map_or(
        Value::Null,
        |w| json!({ "appid": appid, "timestamp": w.timestamp.as_secs() }),
    )
}

fn phone_json(decrypted: &Decrypted<PhoneNumber>, appid: &str) -> Value {
    let phone = &decrypted.payload;
    json!({
        "phoneNumber": phone.phone_number(),
        "purePhoneNumber": phone.pure_phone_number(),
        "countryCode": phone.country_code(),
        "watermark": watermark_json(decrypted.watermark.as_ref(), appid),
    })
}

fn user_info_json(decrypted: &Decrypted<UserInfo>, appid: &str) -> Value {
    let mut value = serde_json::to_value(&decrypted.payload).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert(
            "watermark".into(),
            watermark_json(decrypted.watermark.as_ref(), appid),
        );
    }
    value
}
