//! The legacy route tested through the router (`tower::ServiceExt::oneshot`),
//! with an in-memory session, on the real vectors of
//! `tests/vectors/real-world.json` and on requests modelled on WeChat's
//! `getPhoneNumber` page (the seed document `004_bfdb9d8faac2c762.txt`:
//! `e.detail` holds `errMsg`, `iv` and `encryptedData`). These tests make no
//! WeChat call; `flows.rs` has those.

use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::IntoResponse as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;
use wxdecrypt::UnixTime;
use wxdecrypt_server::{
    AppState, Budget, Clock, Config, Lifetimes, Log as ServerLog, MAX_BODY_BYTES, MemoryStore,
    Outcome, PHONE_NUMBER_PATH, Refusal, SessionKeys, SessionStore, TokenDigest, UserDigest,
    router,
};
use wxdecrypt_testkit::encrypt::{b64, unb64};
use wxdecrypt_testkit::vectors::{entry, real_world, text};

/// The token the test sessions are stored under.
const TOKEN: &str = "test-token-5f1c9a";

/// The default maximum age plus leeway: the oldest watermark accepted is
/// this many seconds old (`Validation::DEFAULT_MAX_AGE_SECS` + `Validation::DEFAULT_LEEWAY_SECS`).
const OLDEST_ACCEPTED: u64 = 3600 + 300;

/// A response, whole.
#[derive(Debug, PartialEq)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    /// The body as JSON.
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("every body is JSON")
    }
}

async fn send(router: Router, request: Request<Body>) -> Reply {
    let response = router.oneshot(request).await.expect("a router never fails");
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX).await.expect("a complete body");
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// A JSON `POST` to the phone number route, with `authorization` as given.
fn post(authorization: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut request =
        Request::post(PHONE_NUMBER_PATH).header(header::CONTENT_TYPE, "application/json");
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    request.body(body.into()).expect("a valid request")
}

/// A JSON `POST` with `Authorization: Bearer <token>`.
fn post_as(token: &str, body: impl Into<Body>) -> Request<Body> {
    post(Some(&format!("Bearer {token}")), body)
}

fn body_of(iv: &str, encrypted_data: &str) -> String {
    json!({ "encryptedData": encrypted_data, "iv": iv }).to_string()
}

/// A real vector's fields.
#[derive(Clone)]
struct Vector {
    appid: String,
    session_key: String,
    iv: String,
    encrypted_data: String,
    timestamp: u64,
    plaintext: String,
}

fn vector(id: &str) -> Vector {
    let file = real_world();
    let e = entry(&file, "decrypts", id);
    Vector {
        appid: text(e, "appid").to_owned(),
        session_key: text(e, "session_key").to_owned(),
        iv: text(e, "iv").to_owned(),
        encrypted_data: text(e, "encrypted_data").to_owned(),
        timestamp: e["watermark_timestamp"].as_u64().expect("a timestamp"),
        plaintext: text(e, "plaintext").to_owned(),
    }
}

/// The log lines a state wrote.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn sink(&self) -> ServerLog {
        let lines = Arc::clone(&self.0);
        ServerLog::to(move |line| {
            lines
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(line.to_owned());
        })
    }
}

/// The value of a future that is ready at once, as the memory store's are.
fn ready<T>(future: impl Future<Output = T>) -> T {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("the memory store answers at once"),
    }
}

/// Settings for `appid`; the legacy route calls no WeChat API, so the base
/// URL is a port nothing listens on.
fn config(appid: &str) -> Config {
    Config::new(appid, "router-test-secret").with_wechat_base_url("http://127.0.0.1:9")
}

/// A memory store holding `session_key` under [`TOKEN`].
fn store_with(session_key: &str) -> MemoryStore {
    let store = MemoryStore::new(Lifetimes {
        session: Duration::from_secs(600),
        previous_key: Duration::from_secs(60),
    });
    let user = UserDigest::of_openid("oRouterTestOpenid");
    assert!(ready(store.open(&TokenDigest::of(TOKEN), &user, session_key)).is_ok());
    store
}

/// A state holding `session_key` under [`TOKEN`], expecting `appid`, with
/// the clock frozen at `now`, logging into `log`.
fn state(session_key: &str, appid: &str, now: u64, log: &Log) -> AppState<MemoryStore> {
    AppState::new(&config(appid), store_with(session_key))
        .expect("a usable config")
        .with_clock(Clock::Fixed(UnixTime::from_secs(now)))
        .with_log(log.sink())
}

/// The router for a real vector, its clock at the watermark.
fn router_for(v: &Vector, log: &Log) -> Router {
    router(state(&v.session_key, &v.appid, v.timestamp, log))
}

/// `text` (base64) with the lowest bit of byte `index` flipped.
fn flip(text: &str, index: usize) -> String {
    let mut bytes = unb64(text);
    bytes[index] ^= 1;
    b64(&bytes)
}

#[tokio::test]
async fn gopay_phone_vector_returns_its_phone_json() {
    let v = vector("gopay-phone");
    let log = Log::default();
    let reply = send(
        router_for(&v, &log),
        post_as(TOKEN, body_of(&v.iv, &v.encrypted_data)),
    )
    .await;

    assert_eq!(reply.status, StatusCode::OK);
    // Written by hand from the vector's `plaintext` (go-pay's decrypted
    // sample), in the field order of `wxdecrypt phone`'s names.
    assert_eq!(
        reply.body,
        r#"{"phoneNumber":"18017448610","purePhoneNumber":"18017448610","countryCode":"86","watermark":{"appid":"wxdaa2ab9ef87b5497","timestamp":1558787160}}"#
    );
    let plaintext: Value = serde_json::from_str(&v.plaintext).expect("JSON plaintext");
    assert_eq!(reply.json(), plaintext);
    assert_eq!(reply.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(reply.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(
        log.lines(),
        ["request 1: phone number decrypted (current key)"]
    );
}

#[tokio::test]
async fn both_real_phone_vectors_decrypt_until_the_watermark_is_too_old() {
    for id in ["gopay-phone", "wxjava-issue-666-plus-as-space-phone"] {
        let v = vector(id);
        let plaintext: Value = serde_json::from_str(&v.plaintext).expect("JSON plaintext");
        for now in [v.timestamp, v.timestamp + OLDEST_ACCEPTED] {
            let log = Log::default();
            let reply = send(
                router(state(&v.session_key, &v.appid, now, &log)),
                post_as(TOKEN, body_of(&v.iv, &v.encrypted_data)),
            )
            .await;
            assert_eq!(reply.status, StatusCode::OK, "{id} at {now}");
            assert_eq!(reply.json(), plaintext, "{id} at {now}");
        }
    }
}

#[tokio::test]
async fn the_whole_button_event_detail_is_accepted() {
    // `e.detail` as WeChat's getPhoneNumber page shows it (seed 004):
    // errMsg, iv, encryptedData; extra fields are ignored.
    let v = vector("gopay-phone");
    let detail = json!({
        "errMsg": "getPhoneNumber:ok",
        "iv": v.iv,
        "encryptedData": v.encrypted_data,
    });
    let reply = send(
        router_for(&v, &Log::default()),
        post_as(TOKEN, detail.to_string()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["purePhoneNumber"], "18017448610");
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let v = vector("gopay-phone");
    let authorization = format!("bEARER {TOKEN}");
    let reply = send(
        router_for(&v, &Log::default()),
        post(Some(&authorization), body_of(&v.iv, &v.encrypted_data)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

/// One way a decryption can fail, and the stage the log must name.
struct Case {
    name: &'static str,
    session_key: String,
    appid: String,
    now: u64,
    body: String,
    stage: &'static str,
}

/// A case on the `gopay-phone` session, its clock at the watermark.
fn gopay_case(name: &'static str, body: String, stage: &'static str) -> Case {
    let gopay = vector("gopay-phone");
    Case {
        name,
        session_key: gopay.session_key,
        appid: gopay.appid,
        now: gopay.timestamp,
        body,
        stage,
    }
}

/// Failures of the cipher or of the payload's shape.
fn decryption_stage_cases() -> Vec<Case> {
    let gopay = vector("gopay-phone");
    let file = real_world();
    let mut cases = Vec::new();
    // Wrong or stale keys: real inputs that do not decrypt.
    for (name, id) in [
        (
            "wrong key (WxJava testDecrypt)",
            "wxjava-testDecrypt-garbage",
        ),
        (
            "stale key (WeiXinMPSDK #1869)",
            "weixinmpsdk-issue-1869-stale-session-key",
        ),
        ("stale key (weapp #5)", "royalrick-weapp-issue-5-panic"),
    ] {
        let e = entry(&file, "does_not_decrypt", id);
        cases.push(Case {
            session_key: text(e, "session_key").to_owned(),
            ..gopay_case(
                name,
                body_of(text(e, "iv"), text(e, "encrypted_data")),
                "decryption",
            )
        });
    }
    // Tampering: the iv rewrites the first block; a ciphertext byte garbles
    // its block and flips a bit in the next.
    for (name, iv, data) in [
        (
            "tampered iv",
            flip(&gopay.iv, 0),
            gopay.encrypted_data.clone(),
        ),
        (
            "tampered last block",
            gopay.iv.clone(),
            flip(&gopay.encrypted_data, 159),
        ),
        (
            "tampered middle block",
            gopay.iv.clone(),
            flip(&gopay.encrypted_data, 40),
        ),
    ] {
        cases.push(gopay_case(name, body_of(&iv, &data), "decryption"));
    }
    // A genuine payload of another kind: WeChat's user-info sample, with its
    // own key, decrypts but is no phone number.
    let official = vector("official-wxbizdatacrypt-userinfo");
    cases.push(Case {
        name: "user info posted as a phone number",
        body: body_of(&official.iv, &official.encrypted_data),
        session_key: official.session_key,
        appid: official.appid,
        now: official.timestamp,
        stage: "decryption",
    });
    cases
}

/// Inputs refused before anything is decrypted.
fn input_stage_cases() -> Vec<Case> {
    let gopay = vector("gopay-phone");
    let data = &gopay.encrypted_data;
    let mut cases = vec![
        gopay_case(
            "iv not base64",
            body_of("not base64, not an iv!!", data),
            "input",
        ),
        gopay_case("iv of 12 bytes", body_of(&b64(&[7; 12]), data), "input"),
        gopay_case(
            "data not block-aligned",
            body_of(&gopay.iv, &b64(&[7; 24])),
            "input",
        ),
        gopay_case("empty data", body_of(&gopay.iv, ""), "input"),
    ];
    let file = real_world();
    let wxjava = entry(&file, "decrypts", "wxjava-issue-666-plus-as-space-phone");
    cases.push(Case {
        session_key: text(wxjava, "session_key").to_owned(),
        ..gopay_case(
            "`+` turned into spaces (WxJava #666 as reported)",
            body_of(
                text(wxjava, "iv"),
                text(wxjava, "encrypted_data_as_reported"),
            ),
            "input",
        )
    });
    for (name, stored) in [
        ("stored key not base64", "not a session key".to_owned()),
        ("stored key of 32 bytes", b64(&[7; 32])),
    ] {
        cases.push(Case {
            session_key: stored,
            ..gopay_case(name, body_of(&gopay.iv, data), "input")
        });
    }
    cases
}

/// Complete payloads whose watermark is refused.
fn policy_stage_cases() -> Vec<Case> {
    let gopay = vector("gopay-phone");
    let genuine = body_of(&gopay.iv, &gopay.encrypted_data);
    vec![
        Case {
            // The official sample's appid: another real mini program.
            appid: "wx4f4bc4dec97d474b".to_owned(),
            ..gopay_case("another appid", genuine.clone(), "policy")
        },
        Case {
            now: gopay.timestamp + OLDEST_ACCEPTED + 1,
            ..gopay_case("expired watermark", genuine.clone(), "policy")
        },
        Case {
            now: gopay.timestamp - 300 - 1,
            ..gopay_case("watermark from the future", genuine, "policy")
        },
    ]
}

#[tokio::test]
async fn every_decryption_failure_gets_one_identical_response() {
    let mut cases = decryption_stage_cases();
    cases.extend(input_stage_cases());
    cases.extend(policy_stage_cases());
    assert_eq!(cases.len(), 17);
    let mut first: Option<Reply> = None;
    for case in cases {
        let log = Log::default();
        let app = router(state(&case.session_key, &case.appid, case.now, &log));
        let reply = send(app, post_as(TOKEN, case.body.clone())).await;

        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", case.name);
        assert_eq!(reply.json()["error"], "cannot_decrypt", "{}", case.name);
        assert_eq!(reply.headers[header::CONTENT_TYPE], "application/json");
        // Only the stage is logged: no key, token, body or value.
        assert_eq!(
            log.lines(),
            [format!(
                "request 1: cannot_decrypt ({} stage), failure 1 of 5",
                case.stage
            )],
            "{}",
            case.name
        );
        match &first {
            None => first = Some(reply),
            Some(first) => assert_eq!(&reply, first, "{} differs", case.name),
        }
    }
}

#[tokio::test]
async fn missing_or_unknown_sessions_get_one_401_before_the_body_is_read() {
    let v = vector("gopay-phone");
    let genuine = body_of(&v.iv, &v.encrypted_data);
    let too_long = "t".repeat(257);
    let cases = [
        ("no header", None, genuine.clone()),
        (
            "basic scheme",
            Some(format!("Basic {TOKEN}")),
            genuine.clone(),
        ),
        ("empty token", Some("Bearer ".to_owned()), genuine.clone()),
        (
            "no token at all",
            Some("Bearer".to_owned()),
            genuine.clone(),
        ),
        (
            "unknown token",
            Some("Bearer unknown-token-77".to_owned()),
            genuine.clone(),
        ),
        (
            "token of 257 characters",
            Some(format!("Bearer {too_long}")),
            genuine.clone(),
        ),
        (
            "token with a space",
            Some(format!("Bearer {TOKEN} x")),
            genuine,
        ),
        ("no token, malformed body", None, "{\"iv\":".to_owned()),
    ];
    let mut first: Option<Reply> = None;
    for (name, authorization, body) in cases {
        let log = Log::default();
        let reply = send(router_for(&v, &log), post(authorization.as_deref(), body)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(reply.headers[header::WWW_AUTHENTICATE], "Bearer", "{name}");
        assert_eq!(reply.json()["error"], "invalid_session", "{name}");
        let lines = log.lines();
        assert_eq!(lines.len(), 1, "{name}");
        assert!(lines[0].starts_with("request 1: refused, "), "{name}");
        assert!(!lines[0].contains("unknown-token") && !lines[0].contains(TOKEN));
        match &first {
            None => first = Some(reply),
            Some(first) => assert_eq!(&reply, first, "{name} differs"),
        }
    }
}

#[tokio::test]
async fn a_body_over_16_kib_gets_413_and_one_of_16_kib_is_read() {
    let v = vector("gopay-phone");
    // Pad the ciphertext field so that the whole body is exactly the limit.
    let frame = body_of(&v.iv, "").len();
    let at_limit = body_of(&v.iv, &"A".repeat(MAX_BODY_BYTES - frame));
    assert_eq!(at_limit.len(), 16 * 1024);
    let over = body_of(&v.iv, &"A".repeat(MAX_BODY_BYTES - frame + 1));

    let reply = send(router_for(&v, &Log::default()), post_as(TOKEN, over)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.json()["error"], "payload_too_large");

    let reply = send(router_for(&v, &Log::default()), post_as(TOKEN, at_limit)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"], "cannot_decrypt");
}

#[tokio::test]
async fn malformed_bodies_get_a_fixed_json_body_that_quotes_nothing() {
    let v = vector("gopay-phone");
    let cases = [
        (
            "broken JSON",
            "{\"encryptedData\":",
            StatusCode::BAD_REQUEST,
        ),
        (
            "no iv",
            "{\"encryptedData\":\"AAAA\"}",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "iv as a number",
            "{\"encryptedData\":\"AAAA\",\"iv\":918273645}",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("a string", "\"AAAA\"", StatusCode::UNPROCESSABLE_ENTITY),
        // The button's refusal event (seed 004's errMsg), forwarded as is.
        (
            "user denied",
            "{\"errMsg\":\"getPhoneNumber:fail user deny\"}",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    let mut bodies = Vec::new();
    for (name, body, status) in cases {
        let log = Log::default();
        let reply = send(router_for(&v, &log), post_as(TOKEN, body)).await;
        assert_eq!(reply.status, status, "{name}");
        assert_eq!(reply.json()["error"], "invalid_request", "{name}");
        assert!(!reply.body.windows(9).any(|w| w == b"918273645"), "{name}");
        assert_eq!(
            log.lines(),
            [format!("request 1: refused body ({})", status.as_u16())]
        );
        bodies.push(reply.body);
    }
    let wrong_type = Request::post(PHONE_NUMBER_PATH)
        .header(header::CONTENT_TYPE, "text/plain")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::from(body_of(&v.iv, &v.encrypted_data)))
        .expect("a valid request");
    let reply = send(router_for(&v, &Log::default()), wrong_type).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    bodies.push(reply.body);
    assert!(bodies.iter().all(|b| *b == bodies[0]));
}

#[tokio::test]
async fn only_post_is_routed() {
    let v = vector("gopay-phone");
    let request = Request::get(PHONE_NUMBER_PATH)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .expect("a valid request");
    let reply = send(router_for(&v, &Log::default()), request).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
}

/// A store whose backend is down.
struct DownStore;

impl SessionStore for DownStore {
    type Error = &'static str;

    fn open(
        &self,
        _token: &TokenDigest,
        _user: &UserDigest,
        _session_key: &str,
    ) -> impl Future<Output = Result<(), &'static str>> + Send {
        std::future::ready(Err("connection refused"))
    }

    fn keys(
        &self,
        _token: &TokenDigest,
    ) -> impl Future<Output = Result<Option<SessionKeys>, &'static str>> + Send {
        std::future::ready(Err("connection refused"))
    }

    fn begin_attempt(
        &self,
        _user: &UserDigest,
        _budget: u32,
    ) -> impl Future<Output = Result<Budget, &'static str>> + Send {
        std::future::ready(Err("connection refused"))
    }

    fn end_attempt(
        &self,
        _user: &UserDigest,
        _outcome: Outcome,
        _budget: u32,
    ) -> impl Future<Output = Result<Budget, &'static str>> + Send {
        std::future::ready(Err("connection refused"))
    }
}

#[tokio::test]
async fn a_failing_store_gets_503_and_its_error_is_logged_without_the_token() {
    let v = vector("gopay-phone");
    let log = Log::default();
    let state = AppState::new(&config(&v.appid), DownStore).expect("a usable config");
    let app = router(state.with_log(log.sink()));
    let reply = send(app, post_as(TOKEN, body_of(&v.iv, &v.encrypted_data))).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json()["error"], "session_store_unavailable");
    assert_eq!(
        log.lines(),
        ["request 1: session store failed: connection refused"]
    );
}

#[tokio::test]
async fn the_system_clock_refuses_the_2019_sample() {
    // The production constructor reads the real clock: go-pay's 2019
    // watermark is years past the one-hour window.
    let v = vector("gopay-phone");
    let log = Log::default();
    let state = AppState::new(&config(&v.appid), store_with(&v.session_key));
    let app = router(state.expect("a usable config").with_log(log.sink()));
    let reply = send(app, post_as(TOKEN, body_of(&v.iv, &v.encrypted_data))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        log.lines(),
        ["request 1: cannot_decrypt (policy stage), failure 1 of 5"]
    );
}

#[tokio::test]
async fn request_numbers_count_up_on_one_router() {
    let v = vector("gopay-phone");
    let log = Log::default();
    let app = router_for(&v, &log);
    let body = body_of(&v.iv, &v.encrypted_data);
    for _ in 0..3 {
        let reply = send(app.clone(), post_as(TOKEN, body.clone())).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let reply = send(app, post(None, body)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        log.lines(),
        [
            "request 1: phone number decrypted (current key)",
            "request 2: phone number decrypted (current key)",
            "request 3: phone number decrypted (current key)",
            "request 4: refused, no bearer token",
        ]
    );
}

#[tokio::test]
async fn every_refusal_has_its_pinned_status_and_body() {
    // The contract a mini program codes against, written out by hand.
    let cases = [
        (
            Refusal::CannotDecrypt,
            400,
            r#"{"error":"cannot_decrypt","hint":"log in again, calling wx.login before the button is tapped and never in its callback; then retry"}"#,
        ),
        (
            Refusal::InvalidSession,
            401,
            r#"{"error":"invalid_session","hint":"call wx.login and log in again"}"#,
        ),
        (
            Refusal::TooLarge,
            413,
            r#"{"error":"payload_too_large","hint":"send only the fields the route reads"}"#,
        ),
        (
            Refusal::InvalidButtonRequest(StatusCode::UNPROCESSABLE_ENTITY),
            422,
            r#"{"error":"invalid_request","hint":"send Content-Type: application/json with the button event's encryptedData and iv as strings"}"#,
        ),
        (
            Refusal::InvalidCodeRequest(StatusCode::BAD_REQUEST),
            400,
            r#"{"error":"invalid_request","hint":"send Content-Type: application/json with the code as a string"}"#,
        ),
        (
            Refusal::InvalidCode,
            400,
            r#"{"error":"invalid_code","hint":"get a new code (wx.login, or tap the button again) and retry"}"#,
        ),
        (
            Refusal::TooManyAttempts,
            429,
            r#"{"error":"too_many_attempts","hint":"wait for the session's other requests to finish, then retry"}"#,
        ),
        (
            Refusal::StoreUnavailable,
            503,
            r#"{"error":"session_store_unavailable","hint":"retry later"}"#,
        ),
        (
            Refusal::WeChatUnavailable,
            503,
            r#"{"error":"wechat_unavailable","hint":"retry later"}"#,
        ),
        (
            Refusal::WeChatError,
            502,
            r#"{"error":"wechat_error","hint":"retry later; if it persists, the server's WeChat settings are wrong"}"#,
        ),
    ];
    for (refusal, status, body) in cases {
        let (parts, got) = refusal.into_response().into_parts();
        let got = to_bytes(got, usize::MAX).await.expect("a complete body");
        assert_eq!(parts.status.as_u16(), status, "{refusal:?}");
        assert_eq!(got, body, "{refusal:?}");
        assert_eq!(parts.headers[header::CONTENT_TYPE], "application/json");
        let challenge = parts.headers.get(header::WWW_AUTHENTICATE);
        assert_eq!(challenge.is_some(), status == 401, "{refusal:?}");
    }
}
