//! The skipping parser: validates and steps over a value the target does not
//! want (`deserialize_ignored_any`), with the same checks as the visiting
//! path (strict syntax, duplicate keys, depth, top-level watermark).

use super::JsonProblem;
use super::keys::KeySet;
use super::read::Parser;
use super::watermark::WATERMARK;

impl Parser<'_> {
    /// Validates and skips one value, checking duplicate keys and depth.
    pub(super) fn skip_value(&mut self) -> Result<(), JsonProblem> {
        match self.peek_ws() {
            Some(b'"') => self.skip_str(),
            Some(b'{') => self.skip_object(),
            Some(b'[') => self.skip_array(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.parse_number().map(drop),
            _ => Err(JsonProblem::Syntax),
        }
    }

    /// Skips the array whose `[` is at the cursor.
    pub(super) fn skip_array(&mut self) -> Result<(), JsonProblem> {
        self.enter()?;
        self.pos += 1;
        if self.peek_ws() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                self.skip_value()?;
                if !self.separator(b']')? {
                    break;
                }
            }
        }
        self.leave();
        Ok(())
    }

    /// Skips the object whose `{` is at the cursor (capturing the watermark
    /// if this is the top-level object).
    pub(super) fn skip_object(&mut self) -> Result<(), JsonProblem> {
        self.enter()?;
        let top = self.depth == 1;
        self.pos += 1;
        if self.peek_ws() == Some(b'}') {
            self.pos += 1;
        } else {
            let mut keys = KeySet::new();
            loop {
                let is_watermark = self.key(&mut keys)?.as_str() == WATERMARK;
                self.colon()?;
                if top && is_watermark {
                    let watermark = self.read_watermark()?;
                    self.watermark = Some(watermark);
                } else {
                    self.skip_value()?;
                }
                if !self.separator(b'}')? {
                    break;
                }
            }
        }
        self.leave();
        Ok(())
    }
}
