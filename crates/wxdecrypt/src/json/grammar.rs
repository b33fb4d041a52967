//! The grammar: the serde [`de::Deserializer`] for [`Parser`], which reads
//! one value at the cursor and hands it to the target's visitor (arrays and
//! objects through the access types, enums as strings or one-key objects).

use serde::de::{self, DeserializeSeed, Visitor};

use super::JsonProblem;
use super::access::{
    ArrayAccess, KeyDeserializer, MapState, ObjectAccess, SeqState, VariantAccess,
};
use super::keys::KeySet;
use super::layout::{self, Known, Matched};
use super::read::Parser;
use super::template::Template;
use super::watermark::WATERMARK;

impl<'de> Parser<'de> {
    /// Hands the array at the cursor to `visitor`.
    #[inline(never)]
    pub(super) fn visit_array<V: Visitor<'de>>(
        &mut self,
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        self.enter()?;
        self.pos += 1;
        let mut access = ArrayAccess {
            parser: self,
            state: SeqState::First,
        };
        let value = visitor.visit_seq(&mut access)?;
        let state = access.state;
        match state {
            SeqState::Done => {}
            SeqState::First | SeqState::More => {
                // The visitor stopped early: only `]` may follow.
                if self.peek_ws() != Some(b']') {
                    return Err(JsonProblem::Shape);
                }
                self.pos += 1;
            }
        }
        self.leave();
        Ok(value)
    }

    /// Hands the object at the cursor to `visitor`.
    ///
    /// Not inlined so that the key set lives only in object frames.
    #[inline(never)]
    pub(super) fn visit_object<V: Visitor<'de>>(
        &mut self,
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        self.enter()?;
        self.pos += 1;
        let top = self.depth == 1;
        let mut access = ObjectAccess {
            parser: self,
            keys: KeySet::new(),
            state: MapState::First,
            top,
            watermark_next: false,
        };
        let value = visitor.visit_map(&mut access)?;
        let state = access.state;
        drop(access);
        match state {
            MapState::Done => {}
            MapState::Value => return Err(JsonProblem::Shape),
            MapState::First | MapState::More => {
                // The visitor stopped early: only `}` may follow.
                if self.peek_ws() != Some(b'}') {
                    return Err(JsonProblem::Shape);
                }
                self.pos += 1;
            }
        }
        self.leave();
        Ok(value)
    }

    /// Body of `deserialize_any`.
    #[inline]
    pub(super) fn any<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, JsonProblem> {
        match self.peek_ws() {
            Some(b'"') => self.parse_str()?.visit(visitor),
            Some(b'{') => {
                // The top-level object in WeChat's compact shape: the fast
                // path, which accepts it exactly as `visit_object` would.
                if self.depth == 0 && self.fast {
                    let mut template = Template::new();
                    if self.scan_template(&mut template).is_some() {
                        return self.visit_template(&template, visitor);
                    }
                }
                self.visit_object(visitor)
            }
            Some(b'[') => self.visit_array(visitor),
            Some(b't') => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            Some(b'f') => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            Some(b'n') => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            Some(b'-' | b'0'..=b'9') => self.parse_number()?.visit(visitor),
            _ => Err(JsonProblem::Syntax),
        }
    }

    /// Body of `deserialize_enum`.
    pub(super) fn enumeration<V: Visitor<'de>>(
        &mut self,
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        match self.peek_ws() {
            Some(b'"') => visitor.visit_enum(KeyDeserializer {
                key: self.parse_str()?,
            }),
            Some(b'{') => {
                self.enter()?;
                self.pos += 1;
                let value = visitor.visit_enum(VariantAccess { parser: self })?;
                match self.peek_ws() {
                    Some(b'}') => self.pos += 1,
                    Some(b',') => return Err(JsonProblem::Shape),
                    _ => return Err(JsonProblem::Syntax),
                }
                self.leave();
                Ok(value)
            }
            Some(b'[' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => Err(JsonProblem::Shape),
            _ => Err(JsonProblem::Syntax),
        }
    }

    /// Reads the `"Variant":` part of `{"Variant": value}`.
    pub(super) fn variant_name<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, JsonProblem> {
        let (variant, is_watermark) = match self.peek_ws() {
            Some(b'"') => {
                let key = self.parse_str()?;
                let is_watermark = key.as_str() == WATERMARK;
                (seed.deserialize(KeyDeserializer { key })?, is_watermark)
            }
            Some(b'}') => return Err(JsonProblem::Shape),
            _ => return Err(JsonProblem::Syntax),
        };
        self.colon()?;
        if is_watermark && self.depth == 1 {
            self.capture_watermark()?;
        }
        Ok(variant)
    }

    /// Reads the top-level struct at the cursor on the literal-layout path
    /// when its text is written as `layout` says, else as any value. Apart
    /// from `deserialize_struct`, so that the structs without a layout do
    /// not carry its frame.
    #[inline(never)]
    fn layout_or_any<V: Visitor<'de>>(
        &mut self,
        known: Known,
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        if self.peek_ws() == Some(b'{') {
            let mut matched = Matched::new();
            // Each layout matched and visited as the constant it is.
            match known {
                Known::Phone => {
                    if self
                        .match_layout(&crate::payload::PHONE_LAYOUT, &mut matched)
                        .is_some()
                    {
                        let result =
                            self.visit_layout::<{ Known::PHONE }, V>(&mut matched, visitor);
                        return self.track(result);
                    }
                }
                Known::Profile => {
                    if self
                        .match_layout(&crate::payload::USER_LAYOUT, &mut matched)
                        .is_some()
                    {
                        let result =
                            self.visit_layout::<{ Known::PROFILE }, V>(&mut matched, visitor);
                        return self.track(result);
                    }
                }
            }
        }
        let result = self.any(visitor);
        self.track(result)
    }

    /// Body of `deserialize_ignored_any`.
    pub(super) fn ignore(&mut self) -> Result<(), JsonProblem> {
        self.peek_ws();
        if let Some((start, end)) = self.jump
            && start == self.pos
        {
            self.jump = None;
            self.pos = end;
            return Ok(());
        }
        self.skip_value()
    }
}

impl<'de> de::Deserializer<'de> for &mut Parser<'de> {
    type Error = JsonProblem;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        let result = self.any(visitor);
        self.track(result)
    }

    /// Fast path for the common case of a string where a string is wanted.
    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        let result = if self.peek_ws() == Some(b'"') {
            self.parse_str().and_then(|s| s.visit(visitor))
        } else {
            self.any(visitor)
        };
        self.track(result)
    }

    #[inline]
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        let result = if self.peek_ws() == Some(b'n') {
            self.literal(b"null").and_then(|()| visitor.visit_none())
        } else {
            visitor.visit_some(&mut *self)
        };
        self.track(result)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        let result = self.enumeration(visitor);
        self.track(result)
    }

    /// A struct whose fields name a known layout (`layout.rs`) tries the
    /// literal-layout path; any other struct is read as any value.
    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        if self.depth == 0
            && self.layouts
            && let Some(known) = layout::recognise(fields)
        {
            return self.layout_or_any(known, visitor);
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        let result = self.ignore();
        self.track(result)?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}
