//! `wxdecrypt`: decrypt a mini program's `encryptedData` from the command line.
//!
//! Exit status: 0 with JSON on stdout on success; 1 with one line on stderr
//! when the data is rejected; 2 for usage errors (clap's own, or an `--input`
//! file that cannot be read as the expected JSON object).

use std::io::Read as _;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde::Deserialize;
use serde_json::{Value, json};
use wxdecrypt::{
    Decrypted, Error, InputParser, PhoneNumber, UnixTime, UserInfo, Validation, Watermark,
};
use zeroize::Zeroizing;

/// The largest `--input` accepted, in bytes: far above any real payload, and
/// read with a bound so that a huge file costs no more memory than this.
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

#[derive(Subcommand)]
enum Command {
    /// A getPhoneNumber payload: prints phoneNumber, purePhoneNumber, countryCode, watermark.
    Phone(Inputs),
    /// A getUserInfo payload: prints the profile and its watermark.
    UserInfo(Inputs),
    /// Any payload: prints the decrypted JSON object as it is.
    Raw(Inputs),
}

// These doc comments are clap's help text: plain words, no Markdown.
#[allow(clippy::doc_markdown)]
#[derive(Args)]
struct Inputs {
    /// The mini program's appid, which the watermark must name.
    #[arg(long, required_unless_present = "input", conflicts_with = "input")]
    appid: Option<String>,
    /// The user's session_key from code2session (base64).
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
    /// Repair base64 damaged in transit (spaces for `+`, line breaks, URL-safe
    /// alphabet, %2B/%2F/%3D, missing padding).
    #[arg(long)]
    lenient_base64: bool,
}

/// The `--input` file. The session key is wiped when dropped.
#[derive(Deserialize)]
struct InputFile {
    appid: String,
    #[serde(alias = "sessionKey")]
    session_key: Zeroizing<String>,
    iv: String,
    #[serde(alias = "encryptedData")]
    encrypted_data: String,
}

enum Failure {
    Usage(String),
    Rejected(Error),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Phone(inputs) => run(inputs, |d, appid| phone_json(&d, appid)),
        Command::UserInfo(inputs) => run(inputs, |d, appid| user_info_json(&d, appid)),
        Command::Raw(inputs) => run_raw(inputs),
    };
    match result {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(Failure::Rejected(error)) => {
            eprintln!("wxdecrypt: {error}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(message)) => {
            eprintln!("wxdecrypt: {message}");
            ExitCode::from(2)
        }
    }
}

fn run<T: serde::de::DeserializeOwned>(
    inputs: &Inputs,
    render: impl FnOnce(Decrypted<T>, &str) -> Value,
) -> Result<String, Failure> {
    let file = load(inputs)?;
    let (parser, validation, now) = settings(inputs, &file.appid);
    let key = parser
        .session_key(&file.session_key)
        .map_err(Failure::Rejected)?;
    let iv = parser.iv(&file.iv).map_err(Failure::Rejected)?;
    let data = parser
        .encrypted_data(&file.encrypted_data)
        .map_err(Failure::Rejected)?;
    let decrypted = wxdecrypt::decrypt_at::<T>(&key, &iv, &data, &validation, now)
        .map_err(Failure::Rejected)?;
    Ok(render(decrypted, validation.appid()).to_string())
}

fn run_raw(inputs: &Inputs) -> Result<String, Failure> {
    let file = load(inputs)?;
    let (parser, validation, now) = settings(inputs, &file.appid);
    let key = parser
        .session_key(&file.session_key)
        .map_err(Failure::Rejected)?;
    let iv = parser.iv(&file.iv).map_err(Failure::Rejected)?;
    let data = parser
        .encrypted_data(&file.encrypted_data)
        .map_err(Failure::Rejected)?;
    let decrypted =
        wxdecrypt::decrypt_raw_at(&key, &iv, &data, &validation, now).map_err(Failure::Rejected)?;
    Ok(decrypted.payload.as_str().to_owned())
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
    let mut text = Zeroizing::new(Vec::new());
    let read = if path == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut text))
    };
    read.map_err(|e| Failure::Usage(format!("cannot read --input {path}: {e}")))?;
    if text.len() as u64 > MAX_INPUT_BYTES {
        return Err(Failure::Usage(format!(
            "--input is larger than {MAX_INPUT_BYTES} bytes; real payloads are under 4 KiB"
        )));
    }
    serde_json::from_slice(&text).map_err(|e| {
        // serde_json's messages name fields and positions, never values.
        Failure::Usage(format!(
            "--input must be a JSON object with appid, session_key, iv and encrypted_data: {e}"
        ))
    })
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
        "phoneNumber": phone.phone_number,
        "purePhoneNumber": phone.pure_phone_number,
        "countryCode": phone.country_code,
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
