//! Duplicate-key detection: [`KeySet`], the keys seen in one object, held
//! inline (with a one-word bloom filter) for small objects of plain keys and in
//! a hash set, wiped on drop, beyond that.

use std::borrow::Cow;
use std::collections::HashSet;

use zeroize::Zeroize;

use super::JsonProblem;
use super::read::Parser;
use super::string::Str;

/// Keys of objects with at most this many unescaped keys are tracked without
/// allocating.
pub(super) const INLINE_KEYS: usize = 16;

/// Set of the keys seen so far in one object, for duplicate detection.
///
/// Lives in every object's recursion frame, so it is kept small: the hash
/// set is boxed and only created for large objects or escaped keys.
pub(super) struct KeySet<'de> {
    /// Bit [`key_bit`] of every key in `inline`: a key whose bit is clear is
    /// new, without comparing it to the others.
    bloom: u64,
    /// The first keys, while all are borrowed and there are few.
    inline: [&'de str; INLINE_KEYS],
    /// Number of used slots in `inline`.
    len: usize,
    /// All keys, once an escaped key or too many keys were seen.
    spill: Option<Box<SpilledKeys<'de>>>,
}

/// Hash set of keys; copied (escaped) keys are wiped when it drops.
#[derive(Default)]
pub(super) struct SpilledKeys<'de> {
    /// The keys.
    set: HashSet<Cow<'de, str>>,
    /// Whether `set` holds copied keys.
    owns_keys: bool,
}

impl Drop for SpilledKeys<'_> {
    fn drop(&mut self) {
        if self.owns_keys {
            for key in self.set.drain() {
                if let Cow::Owned(mut key) = key {
                    key.zeroize();
                }
            }
        }
    }
}

/// A hash of `key` (its length and its first and last bytes) as one bit
/// of a `u64`.
#[inline]
pub(super) fn key_bit(key: &str) -> u64 {
    let bytes = key.as_bytes();
    let byte = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
    let len = bytes.len();
    let mix = (len as u64) | byte(0) << 16 | byte(len.wrapping_sub(1)) << 24;
    1 << (mix.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
}

impl<'de> KeySet<'de> {
    /// An empty set.
    #[inline]
    pub(super) fn new() -> Self {
        Self {
            bloom: 0,
            inline: [""; INLINE_KEYS],
            len: 0,
            spill: None,
        }
    }

    /// Records `key`, failing if it was already seen.
    #[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
    #[inline(always)]
    pub(super) fn insert(&mut self, key: &Str<'de, '_>) -> Result<(), JsonProblem> {
        match *key {
            Str::Borrowed(key) => self.insert_borrowed(key),
            Str::Copied(key) => self.spill().insert_copy(key),
        }
    }

    /// Records a key borrowed from the input, failing if it was already seen.
    #[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
    #[inline(always)]
    pub(super) fn insert_borrowed(&mut self, key: &'de str) -> Result<(), JsonProblem> {
        if let Some(spilled) = &mut self.spill {
            return spilled.insert(key);
        }
        let len = self.len;
        let bit = key_bit(key);
        if self.bloom & bit != 0 {
            let Some(seen) = self.inline.get(..len) else {
                return Err(JsonProblem::DuplicateKey);
            };
            for &other in seen {
                if other.len() == key.len() && other == key {
                    return Err(JsonProblem::DuplicateKey);
                }
            }
        }
        match self.inline.get_mut(len) {
            Some(slot) => {
                *slot = key;
                self.len = len + 1;
                self.bloom |= bit;
                Ok(())
            }
            None => self.spill().insert(key),
        }
    }

    /// The hash set, created from the inline keys on first use.
    #[cold]
    pub(super) fn spill(&mut self) -> &mut SpilledKeys<'de> {
        let inline = &self.inline[..];
        let len = self.len;
        self.spill.get_or_insert_with(|| {
            let mut spilled = Box::<SpilledKeys<'de>>::default();
            spilled.set.reserve(INLINE_KEYS * 2);
            spilled
                .set
                .extend(inline.iter().take(len).map(|&k| Cow::Borrowed(k)));
            spilled
        })
    }
}

impl<'de> SpilledKeys<'de> {
    /// Records a borrowed key, failing if it was already seen.
    pub(super) fn insert(&mut self, key: &'de str) -> Result<(), JsonProblem> {
        if self.set.insert(Cow::Borrowed(key)) {
            Ok(())
        } else {
            Err(JsonProblem::DuplicateKey)
        }
    }

    /// Records a copy of an unescaped key, failing if it was already seen.
    pub(super) fn insert_copy(&mut self, key: &str) -> Result<(), JsonProblem> {
        if self.set.contains(key) {
            return Err(JsonProblem::DuplicateKey);
        }
        self.set.insert(Cow::Owned(key.to_owned()));
        self.owns_keys = true;
        Ok(())
    }
}

impl<'de> Parser<'de> {
    /// Parses an object key (after optional whitespace) and records it in
    /// `keys`, failing if the object already has it. Every object reader
    /// (visiting, skipping, the watermark's) reads its keys here.
    #[allow(clippy::inline_always, reason = "measured with scripts/callgrind.sh")]
    #[inline(always)]
    pub(super) fn key(&mut self, keys: &mut KeySet<'de>) -> Result<Str<'de, '_>, JsonProblem> {
        if self.peek_ws() != Some(b'"') {
            return Err(JsonProblem::Syntax);
        }
        let key = self.parse_str()?;
        keys.insert(&key)?;
        Ok(key)
    }
}
