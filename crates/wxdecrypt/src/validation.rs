//! The watermark check: which mini program the data was made for, and when.

use std::borrow::Cow;

use serde::Deserialize;

use crate::error::{Error, appid_for_error, looks_like_appid};

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
        self.check_with(watermark, now, |found| self.check_appid(found))
    }

    /// [`Self::check`] without comparing the watermark's appid with
    /// [`Self::appid`]: for the offline diagnosis when no appid is known.
    /// A watermark appid that is empty or not written as an appid can be
    /// still fails: there is no appid to report as the one to configure.
    pub(crate) fn check_skipping_appid(
        &self,
        watermark: Option<&WatermarkRef<'_>>,
        now: UnixTime,
    ) -> Result<Option<Watermark>, Error> {
        self.check_with(watermark, now, |found| {
            if looks_like_appid(found) {
                Ok(())
            } else {
                Err(Error::AppIdMismatch {
                    expected: String::new(),
                    found: String::new(),
                })
            }
        })
    }

    /// The rules in their order, with `appid_rule` for the appid.
    #[inline]
    fn check_with(
        &self,
        watermark: Option<&WatermarkRef<'_>>,
        now: UnixTime,
        appid_rule: impl FnOnce(&str) -> Result<(), Error>,
    ) -> Result<Option<Watermark>, Error> {
        let Some(watermark) = self.check_presence(watermark)? else {
            return Ok(None);
        };
        appid_rule(&watermark.appid)?;
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
mod tests;
