//! The access types serde drives: [`ArrayAccess`] and [`ObjectAccess`] over
//! the members of a container (checking separators, duplicate keys and the
//! end of early-stopping visitors), [`VariantAccess`] for `{"Variant": value}`
//! enums and [`KeyDeserializer`] for a decoded string (object keys and
//! variant names).

use std::fmt;

use serde::de::{self, DeserializeSeed, Visitor};

use super::JsonProblem;
use super::keys::KeySet;
use super::number::scan_number;
use super::read::Parser;
use super::string::Str;
use super::watermark::WATERMARK;

/// Progress through an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SeqState {
    /// No element read yet.
    First,
    /// At least one element read.
    More,
    /// The closing `]` was consumed.
    Done,
}

/// [`de::SeqAccess`] over the elements of one array.
#[derive(Debug)]
pub(super) struct ArrayAccess<'a, 'de> {
    /// The shared parser.
    pub(super) parser: &'a mut Parser<'de>,
    /// Progress so far.
    pub(super) state: SeqState,
}

impl ArrayAccess<'_, '_> {
    /// Moves to the next element; returns whether there is one.
    #[inline]
    fn advance(&mut self) -> Result<bool, JsonProblem> {
        match self.state {
            SeqState::Done => return Ok(false),
            SeqState::First => {
                if self.parser.peek_ws() == Some(b']') {
                    self.parser.pos += 1;
                    self.state = SeqState::Done;
                    return Ok(false);
                }
                self.state = SeqState::More;
            }
            SeqState::More => {
                if !self.parser.separator(b']')? {
                    self.state = SeqState::Done;
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

impl<'de> de::SeqAccess<'de> for ArrayAccess<'_, 'de> {
    type Error = JsonProblem;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, JsonProblem> {
        let more = self.advance();
        if !self.parser.track(more)? {
            return Ok(None);
        }
        // The parser's own errors inside the element were tracked there.
        seed.deserialize(&mut *self.parser).map(Some)
    }
}

/// Progress through an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MapState {
    /// No member read yet.
    First,
    /// A key was read; its value is next.
    Value,
    /// At least one member read.
    More,
    /// The closing `}` was consumed.
    Done,
}

/// [`de::MapAccess`] over the members of one object.
pub(super) struct ObjectAccess<'a, 'de> {
    /// The shared parser.
    pub(super) parser: &'a mut Parser<'de>,
    /// Keys seen so far.
    pub(super) keys: KeySet<'de>,
    /// Progress so far.
    pub(super) state: MapState,
    /// Whether this is the top-level object.
    pub(super) top: bool,
    /// Whether the pending value is the top-level watermark.
    pub(super) watermark_next: bool,
}

impl fmt::Debug for ObjectAccess<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectAccess")
            .field("state", &self.state)
            .field("top", &self.top)
            .finish_non_exhaustive()
    }
}

impl ObjectAccess<'_, '_> {
    /// Moves to the next member; returns whether there is one.
    #[inline]
    fn advance(&mut self) -> Result<bool, JsonProblem> {
        match self.state {
            MapState::Done => return Ok(false),
            MapState::Value => return Err(JsonProblem::Shape),
            MapState::First => {
                if self.parser.peek_ws() == Some(b'}') {
                    self.parser.pos += 1;
                    self.state = MapState::Done;
                    return Ok(false);
                }
            }
            MapState::More => {
                if !self.parser.separator(b'}')? {
                    self.state = MapState::Done;
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// Moves past the `:` to the value (capturing it if it is the top-level
    /// watermark).
    #[inline]
    fn enter_value(&mut self) -> Result<(), JsonProblem> {
        if self.state != MapState::Value {
            return Err(JsonProblem::Shape);
        }
        self.parser.colon()?;
        self.state = MapState::More;
        if self.watermark_next {
            self.watermark_next = false;
            self.parser.capture_watermark()?;
        }
        Ok(())
    }
}

impl<'de> de::MapAccess<'de> for ObjectAccess<'_, 'de> {
    type Error = JsonProblem;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, JsonProblem> {
        let more = self.advance();
        if !self.parser.track(more)? {
            return Ok(None);
        }
        let key = match self.parser.key(&mut self.keys) {
            Ok(key) => key,
            Err(e) => return self.parser.track(Err(e)),
        };
        self.watermark_next = self.top && key.as_str() == WATERMARK;
        self.state = MapState::Value;
        // A key deserializer fails only with `Shape`, which is not tracked.
        seed.deserialize(KeyDeserializer { key }).map(Some)
    }

    #[inline]
    fn next_value_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<T::Value, JsonProblem> {
        let ready = self.enter_value();
        self.parser.track(ready)?;
        // The parser's own errors inside the value were tracked there.
        let result = seed.deserialize(&mut *self.parser);
        self.parser.jump = None;
        result
    }
}

/// [`de::EnumAccess`]/[`de::VariantAccess`] for the `{"Variant": value}` form.
#[derive(Debug)]
pub(super) struct VariantAccess<'a, 'de> {
    /// The shared parser, just inside the `{`.
    pub(super) parser: &'a mut Parser<'de>,
}

impl<'de> de::EnumAccess<'de> for VariantAccess<'_, 'de> {
    type Error = JsonProblem;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self), JsonProblem> {
        let result = self.parser.variant_name(seed);
        let variant = self.parser.track(result)?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for VariantAccess<'_, 'de> {
    type Error = JsonProblem;

    fn unit_variant(self) -> Result<(), JsonProblem> {
        de::Deserialize::deserialize(&mut *self.parser)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, JsonProblem> {
        seed.deserialize(&mut *self.parser)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        de::Deserializer::deserialize_seq(&mut *self.parser, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        de::Deserializer::deserialize_map(&mut *self.parser, visitor)
    }
}

/// Deserializer for a decoded string that names something: an object key,
/// or an enum variant (both the `"Variant"` and the `{"Variant": value}`
/// forms). As an [`de::EnumAccess`] it is a unit variant.
#[derive(Debug)]
pub(super) struct KeyDeserializer<'s, 'de> {
    /// The decoded key.
    pub(super) key: Str<'de, 's>,
}

impl<'de> KeyDeserializer<'_, 'de> {
    /// Reads the key's text as a strict JSON number (for integer-keyed maps).
    fn number<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        let text = self.key.as_str();
        match scan_number(text, 0) {
            Ok((number, end)) if end == text.len() => number.visit(visitor),
            _ => Err(JsonProblem::Shape),
        }
    }
}

/// Implements `deserialize_$method` on [`KeyDeserializer`] via `number`.
macro_rules! key_numbers {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
                self.number(visitor)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for KeyDeserializer<'_, 'de> {
    type Error = JsonProblem;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        self.key.visit(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        match self.key.as_str() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => Err(JsonProblem::Shape),
        }
    }

    key_numbers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonProblem> {
        visitor.visit_some(self)
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
        visitor.visit_enum(self)
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map
        struct identifier ignored_any
    }
}

impl<'de> de::EnumAccess<'de> for KeyDeserializer<'_, 'de> {
    type Error = JsonProblem;
    type Variant = UnitVariant;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, UnitVariant), JsonProblem> {
        seed.deserialize(self).map(|variant| (variant, UnitVariant))
    }
}

/// The variant of an enum given as a bare string: only a unit variant fits.
#[derive(Debug)]
pub(super) struct UnitVariant;

impl<'de> de::VariantAccess<'de> for UnitVariant {
    type Error = JsonProblem;

    fn unit_variant(self) -> Result<(), JsonProblem> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        _seed: T,
    ) -> Result<T::Value, JsonProblem> {
        Err(JsonProblem::Shape)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        _visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        Err(JsonProblem::Shape)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        Err(JsonProblem::Shape)
    }
}
