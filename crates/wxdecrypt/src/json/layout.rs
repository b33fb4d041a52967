//! The literal-layout fast path: a payload type names the members WeChat
//! sends, in the order and spelling it sends them ([`Layout`]), and a
//! top-level object written exactly that way is matched byte for byte
//! (keys, quotes, colons and commas compared as fixed text, values read in
//! place) instead of being scanned for its shape.
//!
//! How a type asks for it. Its `Deserialize` calls `deserialize_struct`
//! with its layout's [`Layout::fields`] (a `static`, recognised by its
//! address, so no other type's list can stand for it by accident). That
//! is an ordinary call for every other deserializer: `serde_json` and the
//! rest ignore where the list lives and read the type as before.
//!
//! Why it is sound for any target. A text that matches a layout is also a
//! text the template path (`template.rs`) takes: compact, escape-free keys
//! and strings, unsigned integers, the canonical watermark, distinct keys
//! (a layout's names are distinct, checked by the tests), nothing after the
//! object. [`LayoutAccess`] then hands the target's visitor exactly the
//! calls [`TemplateAccess`](super::template) (and so the general
//! `ObjectAccess`) makes for that text: the same keys in the same order,
//! each string borrowed, numbers and the watermark read by the general
//! parser itself. So the layout only decides how fast a text is read, never
//! what is accepted or what value comes out: a user type that passes the
//! same list (it cannot pass the same address) or a layout wired to the
//! wrong type would get the right answer, only without the saving. At the
//! first byte that differs, the template path and then the general parser
//! read the text from the start. `tests/layout.rs` and every fuzz build
//! compare the three paths.

use std::borrow::Cow;

use serde::de::{self, DeserializeSeed, Visitor};

use super::JsonProblem;
use super::access::KeyDeserializer;
use super::number::quick_u64;
use super::read::{Parser, is_plain, plain_end};
use super::string::Str;
use super::watermark::WATERMARK;
use crate::validation::WatermarkRef;

/// The most members a layout names (the watermark not counted): the
/// member match is written out for this many.
pub(crate) const MAX_LAYOUT_MEMBERS: usize = 12;

// Every known layout fits the written-out match (checked when compiling).
const _: () = assert!(
    crate::payload::PHONE_LAYOUT.members.len() <= MAX_LAYOUT_MEMBERS
        && crate::payload::USER_LAYOUT.members.len() <= MAX_LAYOUT_MEMBERS
);

/// How a member's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An escape-free string.
    Str,
    /// An unsigned integer without leading zeros.
    Uint,
}

/// One member of a [`Layout`].
#[derive(Debug)]
pub(crate) struct Member {
    /// `"name":`, the bytes that open the member.
    pub(crate) opening: &'static [u8],
    /// The name (`opening` without its quotes and colon).
    pub(crate) name: &'static str,
    /// How the value is written.
    pub(crate) kind: Kind,
    /// Whether WeChat may leave the member out.
    pub(crate) optional: bool,
}

/// Builds a [`Member`] from its name, its [`Kind`] and whether it is
/// optional.
macro_rules! member {
    ($name:literal, $kind:ident) => {
        $crate::json::layout::Member {
            opening: concat!("\"", $name, "\":").as_bytes(),
            name: $name,
            kind: $crate::json::layout::Kind::$kind,
            optional: false,
        }
    };
    ($name:literal, $kind:ident, optional) => {
        $crate::json::layout::Member {
            opening: concat!("\"", $name, "\":").as_bytes(),
            name: $name,
            kind: $crate::json::layout::Kind::$kind,
            optional: true,
        }
    };
}
pub(crate) use member;

/// The members of a payload as WeChat writes them: `{` then each member
/// (an optional one may be missing) separated by `,`, then
/// `"watermark":` and the canonical watermark, then `}`, and nothing
/// around it.
#[derive(Debug)]
pub(crate) struct Layout {
    /// What the type passes to `deserialize_struct` as its fields: the
    /// parser recognises the layout by this slice's address.
    pub(crate) fields: &'static [&'static str],
    /// The members, in order (at most [`MAX_LAYOUT_MEMBERS`]).
    pub(crate) members: &'static [Member],
}

/// The layouts the parser knows, each named so that its match can take
/// it as the constant it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Known {
    /// [`crate::payload::PHONE_LAYOUT`].
    Phone,
    /// [`crate::payload::USER_LAYOUT`].
    Profile,
}

impl Known {
    /// Every known layout.
    #[cfg(test)]
    pub(super) const ALL: [Self; 2] = [Self::Phone, Self::Profile];

    /// The phone layout's number, as the map access's type names it.
    pub(super) const PHONE: u8 = Self::Phone as u8;
    /// The profile layout's number.
    pub(super) const PROFILE: u8 = Self::Profile as u8;

    /// The layout numbered `index` (the profile's for any number but the
    /// phone's).
    #[inline]
    const fn from_index(index: u8) -> Self {
        if index == Self::PHONE {
            Self::Phone
        } else {
            Self::Profile
        }
    }

    /// The layout itself.
    #[inline]
    pub(super) fn layout(self) -> &'static Layout {
        match self {
            Self::Phone => &crate::payload::PHONE_LAYOUT,
            Self::Profile => &crate::payload::USER_LAYOUT,
        }
    }
}

#[cfg(test)]
thread_local! {
    /// How many texts this thread read on the layout path (the tests check
    /// which texts take it).
    pub(super) static VISITS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The known layout whose `fields` is `fields` itself (the same slice, not
/// an equal one).
#[inline]
pub(super) fn recognise(fields: &'static [&'static str]) -> Option<Known> {
    if core::ptr::eq(fields, crate::payload::PHONE_LAYOUT.fields) {
        Some(Known::Phone)
    } else if core::ptr::eq(fields, crate::payload::USER_LAYOUT.fields) {
        Some(Known::Profile)
    } else {
        None
    }
}

/// Whether `rest` starts with `opening`: compared eight bytes at a time
/// (the last eight overlapping the ones before), not through `memcmp`.
#[inline]
fn opens_with(rest: &[u8], opening: &[u8]) -> bool {
    let Some(rest) = rest.get(..opening.len()) else {
        return false;
    };
    let word = |bytes: &[u8], at: usize| {
        bytes
            .get(at..)
            .and_then(<[u8]>::first_chunk::<8>)
            .map(|word| u64::from_le_bytes(*word))
    };
    let Some(last) = opening.len().checked_sub(8) else {
        return rest == opening;
    };
    // (`at <= last` would compare the last word twice: the one mutant here
    // no test can see, excluded in `.cargo/mutants.toml`.)
    let mut at = 0;
    while at < last {
        if word(rest, at) != word(opening, at) {
            return false;
        }
        at += 8;
    }
    word(rest, last) == word(opening, last)
}

/// `,"watermark":`: what follows the last member.
const THEN_WATERMARK: &[u8] = b",\"watermark\":";

/// `,"watermark":{"appid":"`: the watermark with its appid first.
const THEN_WATERMARK_APPID: &[u8] = b",\"watermark\":{\"appid\":\"";

/// Where a matched text's members are: for each member present, its index
/// in the layout and its value's span; then the watermark and its span.
pub(super) struct Matched<'de> {
    /// `(value start, value end)` of each member present (apart from the
    /// indices: a tuple with a `u8` would be zeroed field by field).
    values: [(u32, u32); MAX_LAYOUT_MEMBERS],
    /// The layout index of each member present.
    indices: [u8; MAX_LAYOUT_MEMBERS],
    /// How many members are present.
    len: usize,
    /// The watermark and its value's span.
    watermark: Option<(WatermarkRef<'de>, usize, usize)>,
}

impl Matched<'_> {
    /// Nothing matched yet.
    pub(super) const fn new() -> Self {
        Self {
            values: [(0, 0); MAX_LAYOUT_MEMBERS],
            indices: [0; MAX_LAYOUT_MEMBERS],
            len: 0,
            watermark: None,
        }
    }
}

impl<'de> Parser<'de> {
    /// Matches the object at the cursor (at depth 0) against `layout`,
    /// filling `matched` (which must be empty); `None` at the first byte
    /// that differs (another path then reads the text from the start).
    #[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
    #[inline(always)]
    pub(super) fn match_layout(&self, layout: &Layout, matched: &mut Matched<'de>) -> Option<()> {
        let bytes = self.bytes;
        // The positions are held as `u32`.
        u32::try_from(bytes.len()).ok()?;
        let members = layout.members;
        // At the `{`: the first member follows it, the others a `,`. The
        // members are written out one by one rather than looped over, so
        // that a layout known as a constant leaves no loop and compares
        // each opening as immediates.
        let mut at = self.pos;
        macro_rules! each_member {
            ($($index:literal)*) => {$(
                if let Some(member) = members.get($index) {
                    self.match_member($index, member, &mut at, matched)?;
                }
            )*};
        }
        // One for each of the `MAX_LAYOUT_MEMBERS` a layout may have.
        each_member!(0 1 2 3 4 5 6 7 8 9 10 11);
        // `at` is at the `,` after the last member (or at the `{` when
        // every member was optional and absent: then no `,` is there and
        // the match fails).
        let value = at + THEN_WATERMARK.len();
        let (watermark, end) = if let Some(found) = self.closing_watermark(at) {
            found
        } else {
            // The other canonical order, read as the template reads it
            // (a watermark that opens with its timestamp is
            // `closing_watermark`'s, whole).
            if !bytes.get(at..)?.starts_with(THEN_WATERMARK_APPID) {
                return None;
            }
            let (watermark, end) = self.quick_watermark(value)?;
            if bytes.get(end) != Some(&b'}') || end + 1 != bytes.len() {
                return None;
            }
            (watermark, end)
        };
        matched.watermark = Some((watermark, value, end));
        Some(())
    }

    /// Matches `member` (the layout's `index`th) after the `{` or `,` at
    /// `at`, recording its value and moving `at` to the `,` after it; an
    /// optional member that is not there leaves both as they are.
    #[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
    #[inline(always)]
    fn match_member(
        &self,
        index: u8,
        member: &Member,
        at: &mut usize,
        matched: &mut Matched<'de>,
    ) -> Option<()> {
        let bytes = self.bytes;
        let start = *at + 1;
        if !opens_with(bytes.get(start..)?, member.opening) {
            return member.optional.then_some(());
        }
        let value = start + member.opening.len();
        let end = match member.kind {
            Kind::Str => {
                if bytes.get(value) != Some(&b'"') {
                    return None;
                }
                let close = plain_end(bytes, value + 1);
                if bytes.get(close) != Some(&b'"') {
                    return None;
                }
                close + 1
            }
            Kind::Uint => value + quick_u64(bytes.get(value..)?)?.1,
        };
        if bytes.get(end) != Some(&b',') {
            return None;
        }
        #[allow(clippy::cast_possible_truncation)] // checked by `match_layout`
        let slot = (value as u32, end as u32);
        *matched.values.get_mut(matched.len)? = slot;
        *matched.indices.get_mut(matched.len)? = index;
        matched.len += 1;
        *at = end;
        Some(())
    }

    /// `,"watermark":{"timestamp":N,"appid":"S"}}` at `at`, running to the
    /// end of the text: the watermark and where its value ends (the last
    /// `}`), or `None`. Because the text must end with `"}}`, the appid's
    /// end is known and only its bytes are checked (no escape, quote or
    /// control character), where `quick_watermark` would scan for the end:
    /// both accept exactly the texts whose first byte after `S` that stops
    /// a string is that closing quote.
    #[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
    #[inline(always)]
    fn closing_watermark(&self, at: usize) -> Option<(WatermarkRef<'de>, usize)> {
        const OPENING: &[u8] = b",\"watermark\":{\"timestamp\":";
        const THEN_APPID: &[u8] = b",\"appid\":\"";
        let bytes = self.bytes;
        let (timestamp, digits) = quick_u64(bytes.get(at..)?.strip_prefix(OPENING)?)?;
        let then = at + OPENING.len() + digits;
        if !bytes.get(then..)?.starts_with(THEN_APPID) {
            return None;
        }
        let start = then + THEN_APPID.len();
        let close = bytes.len().checked_sub(3)?;
        if bytes.get(close..) != Some(b"\"}}".as_slice()) || !is_plain(bytes.get(start..close)?) {
            return None;
        }
        let watermark = WatermarkRef {
            appid: Cow::Borrowed(self.text.get(start..close)?),
            timestamp,
        };
        // Its value ends at the object's `}`, the text's last byte.
        Some((watermark, bytes.len() - 1))
    }

    /// Hands the matched object at the cursor to `visitor`, leaving the
    /// cursor after it: the calls `visit_template` makes for the same text.
    pub(super) fn visit_layout<const L: u8, V: Visitor<'de>>(
        &mut self,
        matched: &mut Matched<'de>,
        visitor: V,
    ) -> Result<V::Value, JsonProblem> {
        #[cfg(test)]
        VISITS.with(|count| count.set(count.get() + 1));
        self.enter()?;
        let mut access = LayoutAccess::<L> {
            parser: self,
            matched,
            next: 0,
            value_pending: false,
        };
        let value = visitor.visit_map(&mut access)?;
        // Stopping early, or after a key, is refused as `visit_object`
        // refuses it (no `}` follows).
        if access.value_pending || access.next != matched.len + 1 {
            return Err(JsonProblem::Shape);
        }
        self.pos = self.bytes.len();
        self.leave();
        // The visitor asked for the watermark's value (or `next` would not
        // be past it), where the other paths keep the watermark.
        self.watermark = matched.watermark.take().map(|(watermark, _, _)| watermark);
        Ok(value)
    }
}

/// [`de::MapAccess`] over a [`Matched`] object: its members, then the
/// watermark.
///
/// The layout is `L` ([`Known::PHONE`] or [`Known::PROFILE`]), part of
/// the type, so that the visitor's code sees it as a constant.
struct LayoutAccess<'a, 'p, 'de, const L: u8> {
    /// The shared parser (it reads numbers and the watermark).
    parser: &'p mut Parser<'de>,
    /// Where the members are.
    matched: &'a Matched<'de>,
    /// Index of the member whose key is next (`matched.len` for the
    /// watermark).
    next: usize,
    /// Whether a key was handed out and its value is next.
    value_pending: bool,
}

impl<const L: u8> LayoutAccess<'_, '_, '_, L> {
    /// The layout matched.
    #[inline]
    fn layout() -> &'static Layout {
        Known::from_index(L).layout()
    }
}

impl<'de, const L: u8> de::MapAccess<'de> for LayoutAccess<'_, '_, 'de, L> {
    type Error = JsonProblem;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, JsonProblem> {
        if self.value_pending {
            return Err(JsonProblem::Shape);
        }
        let name = match self.matched.indices.get(..self.matched.len) {
            Some(indices) => match indices.get(self.next) {
                Some(&index) => {
                    let member = Self::layout().members.get(usize::from(index));
                    member.ok_or(JsonProblem::Syntax)?.name
                }
                None if self.next == indices.len() => WATERMARK,
                None => return Ok(None),
            },
            None => return Ok(None),
        };
        self.value_pending = true;
        seed.deserialize(KeyDeserializer {
            key: Str::Borrowed(name),
        })
        .map(Some)
    }

    #[inline]
    fn next_value_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<T::Value, JsonProblem> {
        if !self.value_pending {
            return Err(JsonProblem::Shape);
        }
        self.value_pending = false;
        let next = self.next;
        self.next += 1;
        if let Some(&(start, end)) = self
            .matched
            .values
            .get(..self.matched.len)
            .and_then(|values| values.get(next))
        {
            let (start, end) = (start as usize, end as usize);
            let index = self.matched.indices.get(next).copied();
            let kind = index
                .and_then(|index| Self::layout().members.get(usize::from(index)))
                .map(|m| m.kind);
            if kind == Some(Kind::Str) {
                return self.parser.plain_value(seed, start, end);
            }
            // A number: read by the general parser, as `ObjectAccess`
            // reads it.
            self.parser.pos = start;
            return seed.deserialize(&mut *self.parser);
        }
        // The watermark, already checked: its value to be jumped over (and
        // the watermark itself kept once the visitor is done).
        let &(_, start, end) = self.matched.watermark.as_ref().ok_or(JsonProblem::Syntax)?;
        self.parser.pos = start;
        self.parser.jump = Some((start, end));
        let result = seed.deserialize(&mut *self.parser);
        self.parser.jump = None;
        result
    }
}
