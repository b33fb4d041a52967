//! Capture of the top-level `watermark` member: a fast path for the two
//! canonical compact forms, a full reading of any other form (judging it
//! [`JsonProblem::BadWatermark`] or not), and the jump that lets a target
//! that ignores the member skip it without reading it twice.

use std::borrow::Cow;

use super::JsonProblem;
use super::keys::KeySet;
use super::number::{Number, quick_u64};
use super::read::{Parser, plain_end};
use crate::validation::WatermarkRef;

/// Name of the top-level member captured as [`WatermarkRef`].
pub(crate) const WATERMARK: &str = "watermark";

/// Which watermark member a key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WatermarkField {
    /// `appid`.
    Appid,
    /// `timestamp`.
    Timestamp,
    /// Anything else (ignored).
    Other,
}

impl<'de> Parser<'de> {
    /// Reads the watermark value at the cursor, leaving the cursor after it.
    pub(super) fn read_watermark(&mut self) -> Result<WatermarkRef<'de>, JsonProblem> {
        self.peek_ws();
        if let Some((watermark, end)) = self.quick_watermark(self.pos) {
            self.pos = end;
            return Ok(watermark);
        }
        self.parse_watermark()
    }

    /// Fast path for the two canonical compact watermarks,
    /// `{"timestamp":N,"appid":"S"}` and `{"appid":"S","timestamp":N}`, with
    /// no escapes in `S`. Returns the watermark and its end, or `None` for
    /// anything else, which [`Self::parse_watermark`] then judges. `at` is
    /// where the value starts (the cursor, or a member the template reads).
    pub(super) fn quick_watermark(&self, at: usize) -> Option<(WatermarkRef<'de>, usize)> {
        const TIMESTAMP_FIRST: &[u8] = br#"{"timestamp":"#;
        const THEN_APPID: &[u8] = br#","appid":""#;
        const APPID_FIRST: &[u8] = br#"{"appid":""#;
        const THEN_TIMESTAMP: &[u8] = br#","timestamp":"#;
        let rest = self.bytes.get(at..)?;
        let (appid, timestamp, len);
        if let Some(after) = rest.strip_prefix(TIMESTAMP_FIRST) {
            let (value, digits) = quick_u64(after)?;
            let after = after.get(digits..)?.strip_prefix(THEN_APPID)?;
            let (text, quoted) = self.quick_str(after)?;
            if after.get(quoted) != Some(&b'}') {
                return None;
            }
            (appid, timestamp) = (text, value);
            len = TIMESTAMP_FIRST.len() + digits + THEN_APPID.len() + quoted + 1;
        } else if let Some(after) = rest.strip_prefix(APPID_FIRST) {
            let (text, quoted) = self.quick_str(after)?;
            let after = after.get(quoted..)?.strip_prefix(THEN_TIMESTAMP)?;
            let (value, digits) = quick_u64(after)?;
            if after.get(digits) != Some(&b'}') {
                return None;
            }
            (appid, timestamp) = (text, value);
            len = APPID_FIRST.len() + quoted + THEN_TIMESTAMP.len() + digits + 1;
        } else {
            return None;
        }
        let watermark = WatermarkRef {
            appid: Cow::Borrowed(appid),
            timestamp,
        };
        Some((watermark, at + len))
    }

    /// The escape-free string body at the start of `tail` (a suffix of the
    /// input) and the length including its closing quote.
    pub(super) fn quick_str(&self, tail: &[u8]) -> Option<(&'de str, usize)> {
        let start = self.bytes.len() - tail.len();
        let end = plain_end(self.bytes, start);
        if self.bytes.get(end) != Some(&b'"') {
            return None;
        }
        Some((self.text.get(start..end)?, end - start + 1))
    }

    /// Parses the watermark value at the cursor, leaving the cursor after it.
    pub(super) fn parse_watermark(&mut self) -> Result<WatermarkRef<'de>, JsonProblem> {
        if self.peek_ws() != Some(b'{') {
            return Err(JsonProblem::BadWatermark);
        }
        self.enter()?;
        self.pos += 1;
        let mut appid = None;
        let mut timestamp = None;
        if self.peek_ws() == Some(b'}') {
            self.pos += 1;
        } else {
            let mut keys = KeySet::new();
            loop {
                let field = match self.key(&mut keys)?.as_str() {
                    "appid" => WatermarkField::Appid,
                    "timestamp" => WatermarkField::Timestamp,
                    _ => WatermarkField::Other,
                };
                self.colon()?;
                match field {
                    WatermarkField::Appid => {
                        if self.peek_ws() != Some(b'"') {
                            return Err(JsonProblem::BadWatermark);
                        }
                        appid = Some(self.parse_str()?.into_cow());
                    }
                    WatermarkField::Timestamp => {
                        if !matches!(self.peek_ws(), Some(b'-' | b'0'..=b'9')) {
                            return Err(JsonProblem::BadWatermark);
                        }
                        match self.parse_number()? {
                            Number::U64(v) => timestamp = Some(v),
                            _ => return Err(JsonProblem::BadWatermark),
                        }
                    }
                    WatermarkField::Other => self.skip_value()?,
                }
                if !self.separator(b'}')? {
                    break;
                }
            }
        }
        self.leave();
        match (appid, timestamp) {
            (Some(appid), Some(timestamp)) => Ok(WatermarkRef { appid, timestamp }),
            _ => Err(JsonProblem::BadWatermark),
        }
    }

    /// Parses the watermark value at the cursor without moving the cursor,
    /// and remembers where it ends.
    #[cold]
    #[inline(never)]
    pub(super) fn capture_watermark(&mut self) -> Result<(), JsonProblem> {
        self.peek_ws();
        let start = self.pos;
        let watermark = self.read_watermark()?;
        self.jump = Some((start, self.pos));
        self.pos = start;
        self.watermark = Some(watermark);
        Ok(())
    }
}
