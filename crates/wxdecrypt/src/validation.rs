//! The watermark check: which mini program the data was made for, and when.

use std::borrow::Cow;

use serde::Deserialize;

use crate::error::{Error, appid_for_error};

/// A point in time, in whole seconds since the Unix epoch.
///
/// Time is passed in rather than read deep inside the checks, so that tests
/// (and replays of old data) can say what "now" is. Every entry point that
/// checks a watermark comes in two forms: `f(..)`, which reads the system
/// clock, and `f_at(.., now)`, which takes this value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(u64);

impl UnixTime {
    /// The time `secs` seconds after the Unix epoch.
    #[must_use]
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs)
    }

    /// Seconds since the Unix epoch.
    #[must_use]
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// The system clock, read now; a clock set before 1970 reads as 0.
    ///
    /// Not built for `wasm32-unknown-unknown`, which has no clock (reading
    /// it there traps): take the time your host gives with
    /// [`UnixTime::from_secs`].
    #[must_use]
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    pub fn now() -> Self {
        use std::time::{SystemTime, UNIX_EPOCH};
        Self(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_secs()),
        )
    }
}

/// The checked `watermark` of a payload: when the user acted.
///
/// Its appid is not repeated here: a watermark is only returned when its
/// appid equals [`Validation::appid`], byte for byte, so there is nothing to
/// copy (and nothing to allocate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Watermark {
    /// When WeChat produced the data.
    pub timestamp: UnixTime,
}

/// A `watermark` as the data states it, not yet checked: what
/// [`Validation`] reads, apart from the payload type (as a JWT library reads
/// its claims). The JSON layer captures it while a payload is parsed; the
/// response parsers of [`crate::api`] deserialize it from the phone data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct WatermarkRef<'a> {
    /// The `appid` member, borrowed from the text unless it held escapes.
    #[serde(borrow)]
    pub(crate) appid: Cow<'a, str>,
    /// The `timestamp` member, in Unix seconds.
    pub(crate) timestamp: u64,
}

/// What a decrypted payload's watermark must satisfy.
///
/// There is no `Default`: the appid cannot be forgotten.
///
/// ```
/// use wxdecrypt::Validation;
/// let validation = Validation::new("wx4f4bc4dec97d474b")
///     .with_max_age(10 * 60)
///     .with_leeway(30);
/// # let _ = validation;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    appid: String,
    max_age: Option<u64>,
    leeway: u64,
    require_watermark: bool,
}

impl Validation {
    /// The default maximum age of a watermark: one hour.
    pub const DEFAULT_MAX_AGE_SECS: u64 = 60 * 60;

    /// The default clock skew tolerated in both directions: five minutes.
    pub const DEFAULT_LEEWAY_SECS: u64 = 5 * 60;

    /// Expects a watermark naming `appid` (compared byte for byte; an empty
    /// `appid` matches no watermark, so a missing configuration value fails
    /// closed), at most
    /// [`Self::DEFAULT_MAX_AGE_SECS`] (one hour) old, with
    /// [`Self::DEFAULT_LEEWAY_SECS`] (five minutes) of clock skew tolerated either
    /// way. A payload without a watermark is rejected.
    #[must_use]
    pub fn new(appid: impl Into<String>) -> Self {
        Self {
            appid: appid.into(),
            max_age: Some(Self::DEFAULT_MAX_AGE_SECS),
            leeway: Self::DEFAULT_LEEWAY_SECS,
            require_watermark: true,
        }
    }

    /// Rejects watermarks older than `secs` seconds (plus the leeway).
    #[must_use]
    pub fn with_max_age(self, secs: u64) -> Self {
        Self {
            max_age: Some(secs),
            ..self
        }
    }

    /// Accepts watermarks of any age. Old data stays valid forever: use it for
    /// offline tools and replays, not for a live server.
    #[must_use]
    pub fn without_max_age(self) -> Self {
        Self {
            max_age: None,
            ..self
        }
    }

    /// Tolerates `secs` seconds of clock skew, for both the maximum age and
    /// timestamps in the future.
    #[must_use]
    pub fn with_leeway(self, secs: u64) -> Self {
        Self {
            leeway: secs,
            ..self
        }
    }

    /// Accepts payloads that carry no watermark at all. A watermark that is
    /// present is still checked in full.
    ///
    /// Without a watermark nothing ties the data to your mini program or to a
    /// moment in time; use this only for payload kinds that genuinely have
    /// none.
    #[must_use]
    pub fn accept_missing_watermark(self) -> Self {
        Self {
            require_watermark: false,
            ..self
        }
    }

    /// The appid a watermark must name.
    #[must_use]
    pub fn appid(&self) -> &str {
        &self.appid
    }

    /// The maximum age in seconds, if one is enforced.
    #[must_use]
    pub const fn max_age(&self) -> Option<u64> {
        self.max_age
    }

    /// The clock skew tolerated, in seconds.
    #[must_use]
    pub const fn leeway(&self) -> u64 {
        self.leeway
    }

    /// Whether a payload without a watermark is rejected.
    #[must_use]
    pub const fn requires_watermark(&self) -> bool {
        self.require_watermark
    }

    /// Checks a captured watermark against this policy at time `now`: its
    /// presence, its appid, then its time.
    pub(crate) fn check(
        &self,
        watermark: Option<&WatermarkRef<'_>>,
        now: UnixTime,
    ) -> Result<Option<Watermark>, Error> {
        let Some(watermark) = self.check_presence(watermark)? else {
            return Ok(None);
        };
        self.check_appid(&watermark.appid)?;
        self.check_time(watermark.timestamp, now)?;
        Ok(Some(Watermark {
            timestamp: UnixTime(watermark.timestamp),
        }))
    }

    /// [`Self::check`] without comparing the watermark's appid with
    /// [`Self::appid`]: for the offline diagnosis when no appid is known.
    /// An empty appid in the watermark still fails, as it fails under every
    /// validation (none can name it).
    pub(crate) fn check_skipping_appid(
        &self,
        watermark: Option<&WatermarkRef<'_>>,
        now: UnixTime,
    ) -> Result<Option<Watermark>, Error> {
        let Some(watermark) = self.check_presence(watermark)? else {
            return Ok(None);
        };
        if watermark.appid.is_empty() {
            return Err(Error::AppIdMismatch {
                expected: String::new(),
                found: String::new(),
            });
        }
        self.check_time(watermark.timestamp, now)?;
        Ok(Some(Watermark {
            timestamp: UnixTime(watermark.timestamp),
        }))
    }

    /// The presence rule: the watermark, or `None` when a missing one is
    /// accepted.
    fn check_presence<'w, 'a>(
        &self,
        watermark: Option<&'w WatermarkRef<'a>>,
    ) -> Result<Option<&'w WatermarkRef<'a>>, Error> {
        match watermark {
            None if self.require_watermark => Err(Error::MissingWatermark),
            watermark => Ok(watermark),
        }
    }

    /// The appid rule: `found` equals [`Self::appid`] byte for byte.
    fn check_appid(&self, found: &str) -> Result<(), Error> {
        // An empty expected appid matches nothing: a misconfigured
        // validation fails closed.
        if self.appid.is_empty() || found != self.appid.as_str() {
            return Err(Error::AppIdMismatch {
                expected: self.appid.clone(),
                found: appid_for_error(found),
            });
        }
        Ok(())
    }

    /// The freshness rule, with saturating arithmetic so that no timestamp
    /// (0, `u64::MAX`) can wrap around.
    fn check_time(&self, timestamp: u64, now: UnixTime) -> Result<(), Error> {
        let now = now.0;
        if timestamp.saturating_sub(now) > self.leeway {
            return Err(Error::FromFuture {
                timestamp,
                now,
                leeway: self.leeway,
            });
        }
        if let Some(max_age) = self.max_age
            && now.saturating_sub(timestamp) > max_age.saturating_add(self.leeway)
        {
            return Err(Error::Expired {
                timestamp,
                now,
                max_age,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
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
}
