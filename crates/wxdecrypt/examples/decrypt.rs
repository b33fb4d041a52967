//! The library in one page: decrypt WeChat's official `getUserInfo` sample
//! with [`wxdecrypt::decrypt_at`], print the nickname, and answer each
//! [`Stage`] of error the way a server should, on the sample and on three
//! spoiled copies of it.
//!
//! ```sh
//! cargo run -p wxdecrypt --example decrypt
//! ```
//!
//! A live server calls `wxdecrypt::decrypt`, which reads the system clock;
//! the sample was made in 2016, so its time is given here.

use wxdecrypt::{EncryptedData, Error, Iv, SessionKey, Stage, UnixTime, UserInfo, Validation};

/// The official sample (`tests/vectors/official-sample.json`).
const APPID: &str = "wx4f4bc4dec97d474b";
const SESSION_KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
const IV: &str = "r7BXXKkLb8qrSNn05n0qiA==";
const ENCRYPTED_DATA: &str = concat!(
    "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7f",
    "JlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hk",
    "ue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn",
    "/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5",
    "Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf",
    "7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb",
    "/XcxxmK01EpqOyuxINew==",
);
/// The sample's watermark time.
const SAMPLE_TIME: UnixTime = UnixTime::from_secs(1_477_314_187);

/// What a request handler sends back: a status and a body.
struct Response {
    status: u16,
    body: String,
}

/// Handles one request carrying `iv` and `encryptedData` for the user whose
/// stored session key is `stored_key`.
fn handle(stored_key: &str, iv: &str, encrypted_data: &str, appid: &str) -> Response {
    // The key comes from your own session store, not from the client: if it
    // does not parse, the fault is on the server. Log it; tell the client
    // nothing about it.
    let Ok(key) = SessionKey::from_base64(stored_key) else {
        eprintln!("log: the stored session key is unusable");
        return respond(500, "internal_error");
    };
    let validation = Validation::new(appid);
    let result = Iv::from_base64(iv)
        .and_then(|iv| Ok((iv, EncryptedData::from_base64(encrypted_data)?)))
        .and_then(|(iv, data)| {
            wxdecrypt::decrypt_at::<UserInfo>(&key, &iv, &data, &validation, SAMPLE_TIME)
        });
    match result {
        Ok(user) => respond(200, &format!("hello, {}", user.payload.nick_name())),
        Err(error) => refuse(&error),
    }
}

/// The response to each kind of error.
fn refuse(error: &Error) -> Response {
    match error.stage() {
        // Decided before anything was decrypted, from the iv or the
        // encryptedData the client sent: safe to explain to that client.
        Stage::Input => respond(400, &format!("bad_input: {error}")),
        // Bad padding, bad UTF-8, bad JSON, a wrong shape: one opaque error.
        // Answer every one the same way and log only the stage; count these
        // per session and drop the session key after a few.
        Stage::Decryption => {
            eprintln!("log: decryption failed");
            respond(400, "cannot_decrypt")
        }
        // A complete payload failed the validation (another appid, an old or
        // future watermark): a success would have shown as much.
        Stage::Policy => respond(400, &format!("rejected: {error}")),
        // `Stage` may grow: treat anything new as opaque.
        _ => respond(400, "cannot_decrypt"),
    }
}

fn respond(status: u16, body: &str) -> Response {
    Response {
        status,
        body: body.to_owned(),
    }
}

fn main() {
    let spaced = ENCRYPTED_DATA.replace('+', " "); // form decoding ate the `+`
    let mut flipped = ENCRYPTED_DATA.to_owned(); // one character changed
    flipped.replace_range(300..301, "A");
    let cases = [
        ("the official sample", ENCRYPTED_DATA, APPID),
        ("`+` turned into spaces", spaced.as_str(), APPID),
        ("one character changed", flipped.as_str(), APPID),
        ("another mini program", ENCRYPTED_DATA, "wx0000000000000000"),
    ];
    for (what, data, appid) in cases {
        let response = handle(SESSION_KEY, IV, data, appid);
        println!("{what}: {} {}", response.status, response.body);
    }
}
