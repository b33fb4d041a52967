//! Unit tests of the watermark rules: presence, appid, freshness with its
//! leeway at both ends, defaults, extreme timestamps, and the appid-free
//! check the offline diagnosis uses.

use std::borrow::Cow;

use super::*;

const APPID: &str = "wx4f4bc4dec97d474b";
const T: u64 = 1_700_000_000;

fn mark(appid: &str, timestamp: u64) -> WatermarkRef<'_> {
    WatermarkRef {
        appid: Cow::Borrowed(appid),
        timestamp,
    }
}

fn check(v: &Validation, timestamp: u64, now: u64) -> Result<Option<Watermark>, Error> {
    v.check(Some(&mark(APPID, timestamp)), UnixTime::from_secs(now))
}

#[test]
fn fresh_watermark_with_matching_appid_is_returned() {
    let v = Validation::new(APPID);
    let w = check(&v, T, T + 10).unwrap().unwrap();
    assert_eq!(w.timestamp, UnixTime::from_secs(T));
}

#[test]
fn other_appid_is_rejected_with_both_appids() {
    let v = Validation::new(APPID);
    let err = v
        .check(Some(&mark("wxdaa2ab9ef87b5497", T)), UnixTime::from_secs(T))
        .unwrap_err();
    assert_eq!(
        err,
        Error::AppIdMismatch {
            expected: APPID.into(),
            found: "wxdaa2ab9ef87b5497".into()
        }
    );
}

#[test]
fn appid_comparison_is_exact() {
    let v = Validation::new(APPID);
    for near in [
        "WX4F4BC4DEC97D474B",
        "wx4f4bc4dec97d474b ",
        "wx4f4bc4dec97d474",
        "",
    ] {
        assert!(matches!(
            v.check(Some(&mark(near, T)), UnixTime::from_secs(T)),
            Err(Error::AppIdMismatch { .. })
        ));
    }
}

#[test]
fn empty_expected_appid_matches_nothing_not_even_an_empty_watermark_appid() {
    let v = Validation::new("");
    for found in ["", APPID] {
        assert!(matches!(
            v.check(Some(&mark(found, T)), UnixTime::from_secs(T)),
            Err(Error::AppIdMismatch { .. })
        ));
    }
}

#[test]
fn huge_foreign_appid_is_cut_in_the_error() {
    let v = Validation::new(APPID);
    let long = "x".repeat(10_000);
    let Err(Error::AppIdMismatch { found, .. }) =
        v.check(Some(&mark(&long, T)), UnixTime::from_secs(T))
    else {
        panic!("expected a mismatch");
    };
    assert_eq!(found.len(), 64);
}

#[test]
fn age_at_max_age_plus_leeway_is_ok_one_more_second_is_expired() {
    let v = Validation::new(APPID).with_max_age(600).with_leeway(30);
    assert!(check(&v, T, T + 630).is_ok());
    assert_eq!(
        check(&v, T, T + 631),
        Err(Error::Expired {
            timestamp: T,
            now: T + 631,
            max_age: 600
        })
    );
}

#[test]
fn future_within_leeway_is_ok_beyond_is_rejected() {
    let v = Validation::new(APPID).with_leeway(30);
    assert!(check(&v, T + 30, T).is_ok());
    assert_eq!(
        check(&v, T + 31, T),
        Err(Error::FromFuture {
            timestamp: T + 31,
            now: T,
            leeway: 30
        })
    );
}

#[test]
fn defaults_are_one_hour_and_five_minutes() {
    let v = Validation::new(APPID);
    assert_eq!(v.appid(), APPID);
    assert_eq!(v.max_age(), Some(3600));
    assert_eq!(v.leeway(), 300);
    assert!(v.requires_watermark());
    assert!(check(&v, T, T + 3900).is_ok());
    assert!(check(&v, T, T + 3901).is_err());
}

#[test]
fn extreme_timestamps_do_not_wrap() {
    let v = Validation::new(APPID)
        .with_max_age(u64::MAX)
        .with_leeway(u64::MAX);
    assert!(check(&v, u64::MAX, 0).is_ok());
    assert!(check(&v, 0, u64::MAX).is_ok());
    let strict = Validation::new(APPID).with_max_age(0).with_leeway(0);
    assert!(matches!(
        check(&strict, u64::MAX, 0),
        Err(Error::FromFuture { .. })
    ));
    assert!(matches!(
        check(&strict, 0, u64::MAX),
        Err(Error::Expired { .. })
    ));
    assert!(check(&strict, u64::MAX, u64::MAX).is_ok());
}

#[test]
fn without_max_age_accepts_old_data_but_not_future_data() {
    let v = Validation::new(APPID).without_max_age();
    assert!(check(&v, 0, u64::MAX).is_ok());
    assert!(matches!(
        check(&v, T + 301, T),
        Err(Error::FromFuture { .. })
    ));
}

#[test]
fn missing_watermark_is_rejected_unless_accepted_explicitly() {
    let now = UnixTime::from_secs(T);
    assert_eq!(
        Validation::new(APPID).check(None, now),
        Err(Error::MissingWatermark)
    );
    let lax = Validation::new(APPID).accept_missing_watermark();
    assert!(!lax.requires_watermark());
    assert_eq!(lax.check(None, now), Ok(None));
    assert!(matches!(
        lax.check(Some(&mark("wxother", T)), now),
        Err(Error::AppIdMismatch { .. })
    ));
}

#[test]
fn the_checks_run_presence_then_appid_then_time() {
    let v = Validation::new(APPID).with_max_age(0).with_leeway(0);
    let now = UnixTime::from_secs(T);
    assert_eq!(v.check_presence(None), Err(Error::MissingWatermark));
    let other = mark("wxother", 0);
    // A foreign appid is named before the age.
    assert!(matches!(
        v.check(Some(&other), now),
        Err(Error::AppIdMismatch { .. })
    ));
    assert_eq!(v.check_appid(APPID), Ok(()));
    assert!(v.check_appid("wxother").is_err());
    assert!(matches!(v.check_time(0, now), Err(Error::Expired { .. })));
}

#[test]
fn skipping_the_appid_keeps_the_presence_and_time_rules() {
    let v = Validation::new(APPID).with_max_age(600).with_leeway(30);
    let now = UnixTime::from_secs(T);
    // Any appid but an empty one passes.
    for appid in ["wxother", APPID, "x"] {
        assert_eq!(
            v.check_skipping_appid(Some(&mark(appid, T)), now),
            Ok(Some(Watermark {
                timestamp: UnixTime::from_secs(T)
            })),
            "{appid}"
        );
    }
    assert_eq!(
        v.check_skipping_appid(Some(&mark("", T)), now),
        Err(Error::AppIdMismatch {
            expected: String::new(),
            found: String::new()
        })
    );
    // The same time rules as the full check.
    assert_eq!(
        v.check_skipping_appid(Some(&mark("wxother", T - 631)), now),
        Err(Error::Expired {
            timestamp: T - 631,
            now: T,
            max_age: 600
        })
    );
    assert!(
        v.check_skipping_appid(Some(&mark("wxother", T - 630)), now)
            .is_ok()
    );
    assert_eq!(
        v.check_skipping_appid(Some(&mark("wxother", T + 31)), now),
        Err(Error::FromFuture {
            timestamp: T + 31,
            now: T,
            leeway: 30
        })
    );
    // And the same presence rule.
    assert_eq!(
        v.check_skipping_appid(None, now),
        Err(Error::MissingWatermark)
    );
    let lax = v.accept_missing_watermark();
    assert_eq!(lax.check_skipping_appid(None, now), Ok(None));
    // An empty validation appid does not matter when it is skipped.
    let empty = Validation::new("");
    assert!(
        empty
            .check_skipping_appid(Some(&mark(APPID, T)), now)
            .is_ok()
    );
    assert!(empty.check(Some(&mark(APPID, T)), now).is_err());
}

/// Watermark appids that are no appid: the error must not carry their text.
const NOT_APPIDS: [&str; 8] = [
    "wx\"\nforged log line",
    "<script>alert(1)</script>",
    "wx4f4bc4dec97d474b\0",
    "wx\u{1b}[31mred",
    "微信小程序",
    "wx 4f4b",
    "wx4f4bc4dec97d474b/../x",
    "+86 13800138000",
];

#[test]
fn a_watermark_appid_that_is_no_appid_is_not_copied_into_the_error() {
    let v = Validation::new(APPID);
    for hostile in NOT_APPIDS {
        let err = v
            .check(Some(&mark(hostile, T)), UnixTime::from_secs(T))
            .unwrap_err();
        assert_eq!(
            err,
            Error::AppIdMismatch {
                expected: APPID.into(),
                found: String::new()
            },
            "{hostile:?}"
        );
        let shown = format!("{err} {err:?}");
        assert!(shown.contains("not an appid"), "{shown}");
        for part in hostile.split(|c: char| !c.is_ascii_alphanumeric()) {
            // Pieces of the hostile text (`4f4b` and the expected appid's
            // own characters aside) do not appear.
            if part.len() > 4 && !APPID.contains(part) {
                assert!(!shown.contains(part), "{part:?} in {shown}");
            }
        }
    }
}

#[test]
fn an_appid_written_as_appids_are_is_kept() {
    let v = Validation::new(APPID);
    for found in ["wxdaa2ab9ef87b5497", "wx.test-app_1", "A", "0"] {
        let err = v
            .check(Some(&mark(found, T)), UnixTime::from_secs(T))
            .unwrap_err();
        assert_eq!(
            err,
            Error::AppIdMismatch {
                expected: APPID.into(),
                found: found.into()
            }
        );
    }
    // One character outside the set anywhere, even past the 64 kept, and
    // nothing is kept.
    let long = format!("{}!", "a".repeat(100));
    let Err(Error::AppIdMismatch { found, .. }) =
        v.check(Some(&mark(&long, T)), UnixTime::from_secs(T))
    else {
        panic!("expected a mismatch");
    };
    assert_eq!(found, "");
}

#[test]
fn skipping_the_appid_still_refuses_one_that_is_no_appid() {
    let v = Validation::new(APPID);
    let now = UnixTime::from_secs(T);
    for hostile in NOT_APPIDS {
        assert_eq!(
            v.check_skipping_appid(Some(&mark(hostile, T)), now),
            Err(Error::AppIdMismatch {
                expected: String::new(),
                found: String::new()
            }),
            "{hostile:?}"
        );
    }
    assert!(
        v.check_skipping_appid(Some(&mark("wx.test-app_1", T)), now)
            .is_ok()
    );
}

#[test]
fn the_appid_characters_are_exactly_letters_digits_and_three_separators() {
    for b in 0..=127u8 {
        let text = char::from(b).to_string();
        let expected = b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
        assert_eq!(looks_like_appid(&text), expected, "{b:#04x}");
    }
    assert!(!looks_like_appid(""));
    assert!(!looks_like_appid("é"));
}
