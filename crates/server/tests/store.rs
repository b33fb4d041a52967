//! One suite for both session stores: every test runs against
//! [`MemoryStore`] and against [`RedisStore`] on a `redis-server` of its own
//! (see `common/mod.rs` for when that server is missing).

mod common;

use std::time::Duration;

use common::{KEY_A, KEY_B, Redis};
use wxdecrypt_server::{
    Budget, Lifetimes, MemoryStore, Outcome, RedisStore, SessionStore, TokenDigest, UserDigest,
};

const LONG: Lifetimes = Lifetimes {
    session: Duration::from_secs(600),
    previous_key: Duration::from_secs(600),
};

fn token(name: &str) -> TokenDigest {
    TokenDigest::of(name)
}

fn user(name: &str) -> UserDigest {
    UserDigest::of_openid(name)
}

/// Runs `suite` on a memory store and on a Redis store with `lifetimes`.
macro_rules! both_backends {
    ($memory:ident, $redis:ident, $lifetimes:expr, $suite:ident) => {
        #[tokio::test]
        async fn $memory() {
            $suite(MemoryStore::new($lifetimes)).await;
        }

        #[tokio::test]
        async fn $redis() {
            let Some(redis) = Redis::start() else { return };
            let store = RedisStore::connect(&redis.url(), "wxd-test", $lifetimes)
                .await
                .expect("redis is up");
            $suite(store).await;
        }
    };
}

/// The keys `token` finds, as (current, previous) text.
async fn keys_of(store: &impl SessionStore, name: &str) -> Option<(String, Option<String>)> {
    let keys = store
        .keys(&token(name))
        .await
        .ok()
        .expect("the store answers")?;
    Some((
        keys.current.to_string(),
        keys.previous.as_ref().map(|key| key.as_str().to_owned()),
    ))
}

async fn open(store: &impl SessionStore, token_name: &str, user_name: &str, key: &str) {
    assert!(
        store
            .open(&token(token_name), &user(user_name), key)
            .await
            .is_ok(),
        "open failed"
    );
}

async fn a_login_is_found_by_its_token_only(store: impl SessionStore) {
    open(&store, "t1", "alice", KEY_A).await;
    assert_eq!(keys_of(&store, "t1").await, Some((KEY_A.to_owned(), None)));
    assert_eq!(keys_of(&store, "t2").await, None);
    let found = store
        .keys(&token("t1"))
        .await
        .ok()
        .flatten()
        .expect("found");
    assert_eq!(found.user, user("alice"));
}
both_backends!(
    memory_login_is_found_by_its_token_only,
    redis_login_is_found_by_its_token_only,
    LONG,
    a_login_is_found_by_its_token_only
);

async fn a_relogin_keeps_the_replaced_key_for_every_token(store: impl SessionStore) {
    open(&store, "old-token", "alice", KEY_A).await;
    open(&store, "bob-token", "bob", KEY_A).await;
    open(&store, "new-token", "alice", KEY_B).await;
    let both = Some((KEY_B.to_owned(), Some(KEY_A.to_owned())));
    assert_eq!(keys_of(&store, "old-token").await, both);
    assert_eq!(keys_of(&store, "new-token").await, both);
    // Another user's session is untouched.
    assert_eq!(
        keys_of(&store, "bob-token").await,
        Some((KEY_A.to_owned(), None))
    );
    // A re-login that returns the same key keeps the candidate as it was.
    open(&store, "third-token", "alice", KEY_B).await;
    assert_eq!(keys_of(&store, "third-token").await, both);
}
both_backends!(
    memory_relogin_keeps_the_replaced_key_for_every_token,
    redis_relogin_keeps_the_replaced_key_for_every_token,
    LONG,
    a_relogin_keeps_the_replaced_key_for_every_token
);

const SHORT_WINDOW: Lifetimes = Lifetimes {
    session: Duration::from_secs(600),
    previous_key: Duration::from_secs(1),
};

async fn the_replaced_key_expires_after_its_window(store: impl SessionStore) {
    open(&store, "t1", "alice", KEY_A).await;
    open(&store, "t2", "alice", KEY_B).await;
    assert_eq!(
        keys_of(&store, "t1").await,
        Some((KEY_B.to_owned(), Some(KEY_A.to_owned())))
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(keys_of(&store, "t1").await, Some((KEY_B.to_owned(), None)));
}
both_backends!(
    memory_replaced_key_expires_after_its_window,
    redis_replaced_key_expires_after_its_window,
    SHORT_WINDOW,
    the_replaced_key_expires_after_its_window
);

const SHORT_SESSION: Lifetimes = Lifetimes {
    session: Duration::from_millis(1500),
    previous_key: Duration::from_millis(1500),
};

async fn a_session_expires_and_a_new_login_starts_over(store: impl SessionStore) {
    open(&store, "t1", "alice", KEY_A).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(keys_of(&store, "t1").await.is_some());
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(keys_of(&store, "t1").await, None);
    // After expiry, a login is a fresh session: no previous key.
    open(&store, "t2", "alice", KEY_B).await;
    assert_eq!(keys_of(&store, "t2").await, Some((KEY_B.to_owned(), None)));
    assert_eq!(keys_of(&store, "t1").await, None);
}
both_backends!(
    memory_session_expires_and_a_new_login_starts_over,
    redis_session_expires_and_a_new_login_starts_over,
    SHORT_SESSION,
    a_session_expires_and_a_new_login_starts_over
);

async fn attempt(store: &impl SessionStore, name: &str, outcome: Outcome) -> Budget {
    let u = user(name);
    match store
        .begin_attempt(&u, 3)
        .await
        .ok()
        .expect("the store answers")
    {
        Budget::Within(_) => store
            .end_attempt(&u, outcome, 3)
            .await
            .ok()
            .expect("the store answers"),
        other => other,
    }
}

async fn the_failure_budget_drops_the_keys_at_its_last_failure(store: impl SessionStore) {
    open(&store, "t1", "alice", KEY_A).await;
    open(&store, "t2", "alice", KEY_B).await;
    open(&store, "bob", "bob", KEY_A).await;
    // Budget 3: two failures, then successes, which count nothing.
    assert_eq!(
        attempt(&store, "alice", Outcome::Failed).await,
        Budget::Within(1)
    );
    assert_eq!(
        attempt(&store, "alice", Outcome::Failed).await,
        Budget::Within(2)
    );
    for _ in 0..3 {
        assert_eq!(
            attempt(&store, "alice", Outcome::Decrypted).await,
            Budget::Within(2)
        );
    }
    assert!(keys_of(&store, "t1").await.is_some());
    // The third failure spends it: both keys go, for every token.
    assert_eq!(
        attempt(&store, "alice", Outcome::Failed).await,
        Budget::Exhausted
    );
    assert_eq!(keys_of(&store, "t1").await, None);
    assert_eq!(keys_of(&store, "t2").await, None);
    assert!(keys_of(&store, "bob").await.is_some());
    // A new login starts a new budget and has no previous key.
    open(&store, "t3", "alice", KEY_A).await;
    assert_eq!(keys_of(&store, "t3").await, Some((KEY_A.to_owned(), None)));
    assert_eq!(
        attempt(&store, "alice", Outcome::Failed).await,
        Budget::Within(1)
    );
}
both_backends!(
    memory_failure_budget_drops_the_keys_at_its_last_failure,
    redis_failure_budget_drops_the_keys_at_its_last_failure,
    LONG,
    the_failure_budget_drops_the_keys_at_its_last_failure
);

async fn attempts_under_way_take_slots_before_they_decrypt(store: impl SessionStore) {
    open(&store, "t1", "alice", KEY_A).await;
    let u = user("alice");
    let begin = async || store.begin_attempt(&u, 3).await.ok().expect("answers");
    let end = async |outcome| {
        store
            .end_attempt(&u, outcome, 3)
            .await
            .ok()
            .expect("answers")
    };
    assert_eq!(begin().await, Budget::Within(1));
    assert_eq!(begin().await, Budget::Within(2));
    assert_eq!(begin().await, Budget::Within(3));
    // A fourth while three are under way could overspend: refused, and
    // nothing is dropped.
    assert_eq!(begin().await, Budget::Busy);
    assert!(keys_of(&store, "t1").await.is_some());
    // One fails: one failure counted, two still under way, room for none.
    assert_eq!(end(Outcome::Failed).await, Budget::Within(1));
    assert_eq!(begin().await, Budget::Busy);
    // The two under way decrypt: room again.
    for _ in 0..2 {
        assert_eq!(end(Outcome::Decrypted).await, Budget::Within(1));
    }
    assert_eq!(begin().await, Budget::Within(2));
    assert_eq!(end(Outcome::Failed).await, Budget::Within(2));
    assert_eq!(begin().await, Budget::Within(3));
    assert_eq!(end(Outcome::Failed).await, Budget::Exhausted);
    assert_eq!(keys_of(&store, "t1").await, None);
    assert_eq!(begin().await, Budget::Exhausted);
}
both_backends!(
    memory_attempts_under_way_take_slots_before_they_decrypt,
    redis_attempts_under_way_take_slots_before_they_decrypt,
    LONG,
    attempts_under_way_take_slots_before_they_decrypt
);

#[tokio::test]
async fn memory_store_debug_shows_counts_only() {
    let store = MemoryStore::new(LONG);
    open(&store, "t1", "alice", KEY_A).await;
    open(&store, "t2", "alice", KEY_B).await;
    let debug = format!("{store:?}");
    assert_eq!(debug, "MemoryStore { users: 1, tokens: 2, .. }");
}

#[tokio::test]
async fn redis_holds_digests_only_and_every_key_expires() {
    let Some(redis) = Redis::start() else { return };
    let store = RedisStore::connect(&redis.url(), "wxd", SHORT_WINDOW)
        .await
        .expect("redis is up");
    let token_text = "a-bearer-token-never-stored-7e1";
    let openid = "oNeverStoredOpenid0000000001";
    store
        .open(
            &TokenDigest::of(token_text),
            &UserDigest::of_openid(openid),
            KEY_A,
        )
        .await
        .expect("open");
    store
        .open(
            &TokenDigest::of("second"),
            &UserDigest::of_openid(openid),
            KEY_B,
        )
        .await
        .expect("open");
    let u = UserDigest::of_openid(openid);
    let Ok(Budget::Within(1)) = store.begin_attempt(&u, 5).await else {
        panic!("room for an attempt")
    };
    store
        .end_attempt(&u, Outcome::Failed, 5)
        .await
        .expect("end");

    let mut connection = redis.connection().await;
    let names: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut connection)
        .await
        .expect("KEYS");
    // Two tokens, the current and previous key, the failure count, the
    // count of attempts under way.
    assert_eq!(names.len(), 6, "{names:?}");
    for name in &names {
        assert!(name.starts_with("wxd:"), "{name}");
        assert!(
            !name.contains(token_text) && !name.contains(openid),
            "{name}"
        );
        let ms: i64 = redis::cmd("PTTL")
            .arg(name)
            .query_async(&mut connection)
            .await
            .expect("PTTL");
        assert!(ms > 0, "{name} has no expiry ({ms})");
        let value: Option<String> = redis::cmd("GET")
            .arg(name)
            .query_async(&mut connection)
            .await
            .expect("GET");
        let value = value.unwrap_or_default();
        assert!(
            !value.contains(token_text) && !value.contains(openid),
            "{name}"
        );
    }
}
