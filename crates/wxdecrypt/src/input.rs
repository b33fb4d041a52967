//! Input parsing: the three base64 strings become typed values, once.
//!
//! Strict standard base64 is the default. The lenient mode repairs the damage
//! that transport does to base64 text (see [`InputParser::lenient`]).

use std::borrow::Cow;

use zeroize::{Zeroize, Zeroizing};

use crate::error::{Damage, Error, Field};

/// Length of an AES-128 key, an iv and an AES block, in bytes.
pub(crate) const BLOCK: usize = 16;

/// Length of the base64 text of 16 bytes, with its `==` padding.
const BASE64_16_LEN: usize = 24;

/// A user's `session_key`: the AES-128 key WeChat encrypted the data with.
///
/// It is a secret: its base64 text is decoded in constant time, it is wiped
/// from memory when dropped, it prints as `[redacted]`, and it is neither
/// `Clone` nor serializable.
pub struct SessionKey {
    bytes: [u8; BLOCK],
}

impl SessionKey {
    /// Parses the base64 `session_key` returned by `code2session`, strictly.
    ///
    /// # Errors
    /// [`Error::Empty`], [`Error::SpaceInBase64`], [`Error::InvalidBase64`] or
    /// [`Error::WrongLength`], none of which reveal the key's characters.
    pub fn from_base64(text: &str) -> Result<Self, Error> {
        InputParser::new().session_key(text)
    }

    /// Wraps 16 raw key bytes, for keys already decoded elsewhere.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; BLOCK]) -> Self {
        Self { bytes }
    }

    /// The raw key bytes.
    pub(crate) const fn expose(&self) -> &[u8; BLOCK] {
        &self.bytes
    }

    /// The key's canonical base64 text (22 characters and `==`), encoded in
    /// constant time, in a buffer wiped when dropped.
    ///
    /// This is exactly the text WeChat gave out: the strict decoder accepts
    /// only canonical text (alphabet characters, zero trailing bits, `==`),
    /// and the lenient mode repairs transport damage into that text before
    /// decoding, so re-encoding gives back the same 24 characters.
    pub(crate) fn to_base64(&self) -> Zeroizing<[u8; BASE64_16_LEN]> {
        let mut text = Zeroizing::new([b'='; BASE64_16_LEN]);
        let bytes = &self.bytes;
        for (triple, quad) in bytes.chunks_exact(3).zip(text.chunks_exact_mut(4)) {
            let n = u32::from(triple[0]) << 16 | u32::from(triple[1]) << 8 | u32::from(triple[2]);
            for (slot, shift) in quad.iter_mut().zip([18, 12, 6, 0]) {
                *slot = base64_char(n >> shift);
            }
        }
        // The 16th byte: 6 bits, then 2 bits followed by four zero bits.
        let last = u32::from(bytes[15]);
        text[20] = base64_char(last >> 2);
        text[21] = base64_char(last << 4);
        text
    }
}

/// The base64 character for the low 6 bits of `v`, computed with arithmetic
/// only (no branch and no table lookup depends on `v`): the inverse of
/// [`sextet`].
///
/// The character is `v` plus an offset: that of `A`, moved on to the offset
/// of the next range each time `v` is past a range's last value (`a` from
/// 26, `0` from 52, `+` at 62, `/` at 63). `(last - v) >> 8` is all ones
/// exactly when `v` is past `last`, and zero otherwise.
#[inline]
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 6 bits in, 43..=122 out
fn base64_char(v: u32) -> u8 {
    let v = (v & 0x3f) as i16;
    let past = |last: i16| (last - v) >> 8;
    let upper = i16::from(b'A');
    let lower = i16::from(b'a') - 26;
    let digit = i16::from(b'0') - 52;
    let plus = i16::from(b'+') - 62;
    let slash = i16::from(b'/') - 63;
    let offset = upper
        + (past(25) & (lower - upper))
        + (past(51) & (digit - lower))
        + (past(61) & (plus - digit))
        + (past(62) & (slash - plus));
    (v + offset) as u8
}

impl Drop for SessionKey {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl core::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SessionKey([redacted])")
    }
}

/// The 16-byte initialisation vector sent with the encrypted data. Public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Iv {
    bytes: [u8; BLOCK],
}

impl Iv {
    /// Parses the base64 `iv` sent by the mini program, strictly.
    ///
    /// # Errors
    /// [`Error::Empty`], [`Error::SpaceInBase64`], [`Error::InvalidBase64`] or
    /// [`Error::WrongLength`].
    pub fn from_base64(text: &str) -> Result<Self, Error> {
        InputParser::new().iv(text)
    }

    /// Wraps 16 raw iv bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; BLOCK]) -> Self {
        Self { bytes }
    }

    /// The raw iv bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; BLOCK] {
        &self.bytes
    }
}

/// The `encryptedData` text, checked for size and shape.
///
/// Parsing checks what can be checked without decoding (not empty, under the
/// size limit, a padded length that decodes to whole AES blocks). The text is
/// decoded during decryption, straight into the work buffer, so a bad
/// character is reported by the decrypt call, still as an input error naming
/// [`Field::EncryptedData`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedData<'a> {
    text: Cow<'a, str>,
    decoded_len: usize,
}

impl<'a> EncryptedData<'a> {
    /// Checks the base64 `encryptedData` sent by the mini program, strictly,
    /// with the default size limit.
    ///
    /// # Errors
    /// [`Error::Empty`], [`Error::TooLarge`], [`Error::InvalidBase64`] (a
    /// length that is not a multiple of 4) or [`Error::NotBlockAligned`].
    pub fn from_base64(text: &'a str) -> Result<Self, Error> {
        InputParser::new().encrypted_data(text)
    }

    /// The length of the ciphertext once decoded, in bytes.
    #[must_use]
    pub const fn decoded_len(&self) -> usize {
        self.decoded_len
    }

    /// The (possibly repaired) base64 text.
    #[must_use]
    pub fn as_base64(&self) -> &str {
        &self.text
    }

    /// Decodes the text into `out`, which must be exactly
    /// [`decoded_len`](Self::decoded_len) bytes long.
    pub(crate) fn decode_into(&self, out: &mut [u8]) -> Result<(), Error> {
        let text = self.text.as_bytes();
        // `base64_simd` panics when `out` is shorter than the decoded length
        // it computes; it computes it exactly as `padded_decoded_len` does
        // (length and trailing `=`), which gave `decoded_len`. Checked anyway.
        if out.len() == self.decoded_len
            && let Ok(decoded) =
                base64_simd::STANDARD.decode(text, base64_simd::Out::from_slice(out))
            && decoded.len() == self.decoded_len
        {
            return Ok(());
        }
        Err(explain_invalid(Field::EncryptedData, text, true))
    }
}

/// How the three inputs are parsed: strict or lenient base64, and the size
/// limit on `encryptedData`.
///
/// ```
/// use wxdecrypt::InputParser;
/// // A `+` turned into a space by form decoding, repaired:
/// let parser = InputParser::new().lenient();
/// let iv = parser.iv("r7BXXKkLb8qrSNn05n0qiA==")?;
/// # Ok::<(), wxdecrypt::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputParser {
    lenient: bool,
    max_encrypted_data_len: usize,
}

impl Default for InputParser {
    fn default() -> Self {
        Self::new()
    }
}

impl InputParser {
    /// The default limit on `encryptedData`, in base64 characters: 64 KiB of
    /// text, about 48 KiB once decoded. Real payloads are under 4 KiB.
    pub const DEFAULT_MAX_ENCRYPTED_DATA_LEN: usize = 64 * 1024;

    /// Strict standard base64 (RFC 4648 alphabet, `=` padding required, no
    /// whitespace, no non-zero trailing bits), and `encryptedData` limited to
    /// [`Self::DEFAULT_MAX_ENCRYPTED_DATA_LEN`] characters.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            lenient: false,
            max_encrypted_data_len: Self::DEFAULT_MAX_ENCRYPTED_DATA_LEN,
        }
    }

    /// Repairs transport damage before decoding: a space becomes `+` (URL and
    /// form decoding turn `+` into a space), CR, LF and TAB are removed (and
    /// spaces too, when the text was wrapped over lines), the URL-safe
    /// alphabet (`-`, `_`) is mapped to the standard one, `%2B`, `%2F` and
    /// `%3D` are decoded, and missing `=` padding is added. Where both
    /// readings of the spaces are possible, the expected decoded length
    /// decides. Text that strict parsing accepts is left unchanged.
    ///
    /// The repair of a session key branches on its characters, as the JSON
    /// parser that delivered it did already; the decoding itself stays
    /// constant-time.
    #[must_use]
    pub const fn lenient(self) -> Self {
        Self {
            lenient: true,
            ..self
        }
    }

    /// Sets the largest `encryptedData` accepted, in base64 characters as
    /// received. Longer text is refused before any decoding.
    #[must_use]
    pub const fn with_max_encrypted_data_len(self, max: usize) -> Self {
        Self {
            max_encrypted_data_len: max,
            ..self
        }
    }

    /// Whether this parser repairs damaged base64.
    #[must_use]
    pub const fn is_lenient(&self) -> bool {
        self.lenient
    }

    /// The largest `encryptedData` accepted, in base64 characters.
    #[must_use]
    pub const fn max_encrypted_data_len(&self) -> usize {
        self.max_encrypted_data_len
    }

    /// Parses a base64 `session_key`. The key is decoded in constant time
    /// (arithmetic only, no branch or table lookup on its characters); errors
    /// never mention its characters.
    ///
    /// # Errors
    /// As [`SessionKey::from_base64`].
    pub fn session_key(&self, text: &str) -> Result<SessionKey, Error> {
        let mut text = self.prepare(Field::SessionKey, text, MAX_16_TEXT, |n| n == BLOCK)?;
        let result = decode_16_secret(&text);
        if let Cow::Owned(repaired) = &mut text {
            repaired.zeroize();
        }
        result.map(SessionKey::from_bytes)
    }

    /// Parses a base64 `iv`.
    ///
    /// # Errors
    /// As [`Iv::from_base64`].
    pub fn iv(&self, text: &str) -> Result<Iv, Error> {
        let text = self.prepare(Field::Iv, text, MAX_16_TEXT, |n| n == BLOCK)?;
        if let Some(bytes) = decode_16_public(text.as_bytes()) {
            return Ok(Iv::from_bytes(bytes));
        }
        // The slow path only explains the failure.
        check_16_shape(Field::Iv, &text, true)?;
        Err(explain_invalid(Field::Iv, text.as_bytes(), true))
    }

    /// Checks a base64 `encryptedData`.
    ///
    /// # Errors
    /// As [`EncryptedData::from_base64`].
    pub fn encrypted_data<'a>(&self, text: &'a str) -> Result<EncryptedData<'a>, Error> {
        let field = Field::EncryptedData;
        let text = self.prepare(field, text, self.max_encrypted_data_len, |n| {
            n > 0 && n.is_multiple_of(BLOCK)
        })?;
        let Some(decoded_len) = padded_decoded_len(text.as_bytes()) else {
            return Err(
                damage(field, text.as_bytes(), true).unwrap_or(Error::InvalidBase64 {
                    field,
                    position: None,
                }),
            );
        };
        if decoded_len == 0 || !decoded_len.is_multiple_of(BLOCK) {
            // Damage in transit (line breaks, say) can leave a length that
            // is a multiple of 4 but not of a block: name the damage first.
            return Err(damage(field, text.as_bytes(), true)
                .unwrap_or(Error::NotBlockAligned { len: decoded_len }));
        }
        Ok(EncryptedData { text, decoded_len })
    }

    /// The checks shared by the three fields: not empty, not too large, and
    /// the lenient repair when asked for.
    fn prepare<'t>(
        &self,
        field: Field,
        text: &'t str,
        max: usize,
        decoded_len_ok: impl Fn(usize) -> bool,
    ) -> Result<Cow<'t, str>, Error> {
        if text.is_empty() {
            return Err(Error::Empty { field });
        }
        if text.len() > max {
            return Err(Error::TooLarge {
                field,
                len: text.len(),
                max,
            });
        }
        if self.lenient {
            repair(field, text, decoded_len_ok)
        } else {
            Ok(Cow::Borrowed(text))
        }
    }
}

/// A bound on the text of a 16-byte value: generous for lenient input (URL
/// escapes, line breaks), tiny compared with memory.
const MAX_16_TEXT: usize = 256;

/// Value of each base64 character, or `INVALID`.
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < alphabet.len() {
        #[allow(clippy::cast_possible_truncation)] // i < 64
        {
            table[alphabet[i] as usize] = i as u8;
        }
        i += 1;
    }
    table
};
const INVALID: u8 = 0xff;

/// Decodes the canonical base64 of 16 public bytes (22 characters, `==`, and
/// zero trailing bits), or gives `None`. A fixed-size table decode: the
/// general-purpose engine spends five times as long on such a short input.
/// Never used for the session key (its table lookups are not constant-time).
fn decode_16_public(text: &[u8]) -> Option<[u8; BLOCK]> {
    let Ok(text) = <&[u8; BASE64_16_LEN]>::try_from(text) else {
        return None;
    };
    let (chars, padding) = text.split_at(22);
    if padding != b"==" {
        return None;
    }
    let mut out = [0u8; BLOCK];
    let mut invalid = 0u8;
    let mut value = |c: u8| {
        let v = DECODE[usize::from(c)];
        invalid |= v;
        u32::from(v)
    };
    for (quad, bytes) in chars.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        let n = value(quad[0]) << 18 | value(quad[1]) << 12 | value(quad[2]) << 6 | value(quad[3]);
        bytes.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    let (c20, c21) = (value(chars[20]), value(chars[21]));
    // The last character carries 2 bits of data and 4 bits that must be 0.
    #[allow(clippy::cast_possible_truncation)] // 8 bits by construction
    {
        out[15] = ((c20 << 2) | (c21 >> 4)) as u8;
    }
    (invalid & 0xc0 == 0 && c21.trailing_zeros() >= 4).then_some(out)
}

/// Decodes a secret 16-byte value in constant time. The text is only
/// inspected further (for a space, or its length) once decoding has failed.
fn decode_16_secret(text: &str) -> Result<[u8; BLOCK], Error> {
    let field = Field::SessionKey;
    if let Ok(chars) = <&[u8; BASE64_16_LEN]>::try_from(text.as_bytes()) {
        let mut bytes = [0u8; BLOCK];
        if decode_16_constant_time(chars, &mut bytes) {
            return Ok(bytes);
        }
        bytes.zeroize();
    }
    check_16_shape(field, text, false)?;
    Err(Error::InvalidBase64 {
        field,
        position: None,
    })
}

/// The value (0 to 63) of a base64 character, or -1, computed with
/// arithmetic only: no branch and no table lookup depends on the character.
///
/// `((lo - c) & (c - hi)) >> 8` is all ones exactly when `lo < c < hi` (both
/// differences are then negative, and every difference stays within
/// `-256..256`), and zero otherwise; each range adds its offset to the
/// starting -1 only when `c` falls inside it.
#[inline]
fn sextet(c: u8) -> i16 {
    let c = i16::from(c);
    let inside = |lo: i16, hi: i16| ((lo - c) & (c - hi)) >> 8;
    -1 + (inside(0x40, 0x5b) & (c - 0x40)) // A-Z: 0..=25
        + (inside(0x60, 0x7b) & (c - 0x46)) // a-z: 26..=51
        + (inside(0x2f, 0x3a) & (c + 0x05)) // 0-9: 52..=61
        + (inside(0x2a, 0x2c) & 63) // '+': 62
        + (inside(0x2e, 0x30) & 64) // '/': 63
}

/// Decodes the canonical base64 of 16 secret bytes into `out` in constant
/// time, and says whether the text was valid (22 alphabet characters whose
/// last one has zero trailing bits, then `==`). Only the final verdict is a
/// branch.
///
/// Measured with callgrind, this costs about a third of a general
/// constant-time decoder (`base64ct`) on a session key, and it is checked
/// against `base64ct` on random and edge-case inputs in the tests.
fn decode_16_constant_time(text: &[u8; BASE64_16_LEN], out: &mut [u8; BLOCK]) -> bool {
    // Two simple loops over fixed-size arrays, so that the compiler can
    // vectorise them; the values of the two `=` are computed and ignored.
    let mut values = [0i16; BASE64_16_LEN];
    for (value, &c) in values.iter_mut().zip(text) {
        *value = sextet(c);
    }
    let invalid = values[..22].iter().fold(0, |acc, &v| acc | v);
    // The sign bit is set when a character was not in the alphabet (its
    // value was -1); the low 4 bits of the last character must be zero in
    // canonical base64.
    let invalid = (invalid & i16::MIN) | (values[21] & 0x0f);
    #[allow(clippy::cast_sign_loss)] // masked to 6 bits
    let bits = |v: i16| (v & 0x3f) as u32;
    for (quad, bytes) in values.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        let n = bits(quad[0]) << 18 | bits(quad[1]) << 12 | bits(quad[2]) << 6 | bits(quad[3]);
        bytes.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    #[allow(clippy::cast_possible_truncation)] // 8 bits by construction
    {
        out[15] = (bits(values[20]) << 2 | bits(values[21]) >> 4) as u8;
    }
    values.zeroize();
    let padded = text[22] == b'=' && text[23] == b'=';
    core::hint::black_box(invalid) == 0 && padded
}

/// Checks that `text` has the length of 16 bytes in padded base64, and gives
/// the space hint first since it is the most common damage.
fn check_16_shape(field: Field, text: &str, public: bool) -> Result<(), Error> {
    if let Some(damage) = damage(field, text.as_bytes(), public) {
        return Err(damage);
    }
    // A public value is scanned for the first character outside the
    // alphabet; a secret one is left to the constant-time decoder.
    let outside = |b: u8| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    if public && let Some(at) = text.bytes().position(outside) {
        return Err(Error::InvalidBase64 {
            field,
            position: Some(at),
        });
    }
    match padded_decoded_len(text.as_bytes()) {
        Some(BLOCK) if text.len() == BASE64_16_LEN => Ok(()),
        Some(len) => Err(Error::WrongLength { field, len }),
        None => Err(Error::InvalidBase64 {
            field,
            position: None,
        }),
    }
}

/// The decoded length of padded base64 text, from its length and trailing
/// `=` alone; `None` when the length is not a multiple of 4.
fn padded_decoded_len(text: &[u8]) -> Option<usize> {
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let pad = text
        .iter()
        .rev()
        .take(2)
        .take_while(|&&b| b == b'=')
        .count();
    Some(text.len() / 4 * 3 - pad)
}

/// Names the transport damage in `text`, if any, most common first: a space
/// (a `+` lost to form decoding), a line break, a `%` escape, the URL-safe
/// alphabet, lost padding. Only called once decoding has failed; positions
/// are only given for public values.
fn damage(field: Field, text: &[u8], public: bool) -> Option<Error> {
    let first = |pred: fn(&u8) -> bool| text.iter().position(pred);
    if let Some(at) = first(|&b| b == b' ') {
        return Some(Error::SpaceInBase64 {
            field,
            position: public.then_some(at),
        });
    }
    let found = [
        (
            Damage::LineBreak,
            first(|&b| matches!(b, b'\r' | b'\n' | b'\t')),
        ),
        (Damage::PercentEncoded, first(|&b| b == b'%')),
        (Damage::UrlSafeAlphabet, first(|&b| b == b'-' || b == b'_')),
    ];
    if let Some((damage, at)) = found
        .into_iter()
        .find_map(|(damage, at)| at.map(|at| (damage, at)))
    {
        return Some(Error::DamagedBase64 {
            field,
            damage,
            position: public.then_some(at),
        });
    }
    let unpadded = text.iter().all(|&b| DECODE[usize::from(b)] != INVALID);
    (unpadded && !text.len().is_multiple_of(4)).then_some(Error::DamagedBase64 {
        field,
        damage: Damage::MissingPadding,
        position: None,
    })
}

/// The transport damage in `text`, as strict parsing names it, whatever error
/// parsing stopped at: for the offline diagnosis.
pub(crate) fn transport_damage(field: Field, text: &str) -> Option<Error> {
    damage(field, text.as_bytes(), field != Field::SessionKey)
}

/// Explains why text of a valid length failed strict decoding: the first
/// space (the usual damage), else the first character outside the alphabet
/// or a `=` before the final padding, else non-zero trailing bits in the last
/// character. Positions are only given for public values.
fn explain_invalid(field: Field, text: &[u8], public: bool) -> Error {
    if let Some(damage) = damage(field, text, public) {
        return damage;
    }
    let padding = text
        .iter()
        .rev()
        .take(2)
        .take_while(|&&b| b == b'=')
        .count();
    let data = &text[..text.len() - padding];
    let bad = data
        .iter()
        .position(|&b| DECODE[usize::from(b)] == INVALID)
        .or_else(|| data.len().checked_sub(1));
    Error::InvalidBase64 {
        field,
        position: bad.filter(|_| public),
    }
}

/// Undoes transport damage to base64 text (see [`InputParser::lenient`]).
///
/// Returns the text unchanged when it has nothing to repair.
fn repair(
    field: Field,
    text: &str,
    decoded_len_ok: impl Fn(usize) -> bool,
) -> Result<Cow<'_, str>, Error> {
    let damaged = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'-' | b'_' | b'%');
    if text.len().is_multiple_of(4) && !text.bytes().any(damaged) {
        return Ok(Cow::Borrowed(text));
    }
    let wrapped = text.bytes().any(|b| b == b'\r' || b == b'\n');
    // Both readings are wiped when dropped: the session key's text is secret.
    let mut preferred = repair_with(field, text, !wrapped)?;
    if decoded_len_ok(unpadded_decoded_len(&preferred)) || !text.contains(' ') {
        return Ok(Cow::Owned(std::mem::take(&mut *preferred)));
    }
    let mut other = repair_with(field, text, wrapped)?;
    let winner = if decoded_len_ok(unpadded_decoded_len(&other)) {
        &mut other
    } else {
        &mut preferred
    };
    Ok(Cow::Owned(std::mem::take(&mut **winner)))
}

/// One reading of damaged text: spaces become `+` when `space_is_plus`, or
/// are dropped as line-wrapping whitespace otherwise.
fn repair_with(field: Field, text: &str, space_is_plus: bool) -> Result<Zeroizing<String>, Error> {
    let bytes = text.as_bytes();
    let position = |at: usize| (field != Field::SessionKey).then_some(at);
    if let Some(at) = bytes.iter().position(|b| !b.is_ascii()) {
        return Err(Error::InvalidBase64 {
            field,
            position: position(at),
        });
    }
    let mut out = Zeroizing::new(String::with_capacity(bytes.len() + 2));
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        match b {
            b' ' if space_is_plus => out.push('+'),
            b'\t' | b'\r' | b'\n' | b' ' => {}
            b'-' => out.push('+'),
            b'_' => out.push('/'),
            b'%' => {
                let escaped = match bytes.get(i..i + 2) {
                    Some([b'2', b'B' | b'b']) => '+',
                    Some([b'2', b'F' | b'f']) => '/',
                    Some([b'3', b'D' | b'd']) => '=',
                    _ => {
                        return Err(Error::InvalidBase64 {
                            field,
                            position: position(i - 1),
                        });
                    }
                };
                out.push(escaped);
                i += 2;
            }
            _ => out.push(char::from(b)),
        }
    }
    // Normalise the padding: drop what is there, add what the length needs.
    let unpadded = out.trim_end_matches('=').len();
    out.truncate(unpadded);
    match unpadded % 4 {
        0 => {}
        2 => out.push_str("=="),
        3 => out.push('='),
        _ => {
            return Err(Error::InvalidBase64 {
                field,
                position: None,
            });
        }
    }
    Ok(out)
}

/// The decoded length of repaired (canonically padded) text.
fn unpadded_decoded_len(text: &str) -> usize {
    padded_decoded_len(text.as_bytes()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
    const IV: &str = "r7BXXKkLb8qrSNn05n0qiA==";
    /// WxJava issue 666: real encryptedData after a form decode turned its
    /// three `+` into spaces, and the same text intact.
    const AS_REPORTED: &str = "SoMlHIchlE03nBR c2FSwJKI8v/cOpON1Bf/lzxRu kLZpwOOUhMDss0WtFFKZ EIDkt1/oLz7KqiqxFCPBdksiMEQQuB/ZVDbnXKRDSYldLb5fZItJVX0dLSOs2rPIebW2RqNmeiSV/RFC2Gy8Rt4SLS3lOz1VtOOBfQX1XA3ke9cUV3xP60p1HjEhlptTbIfSNSi4lmDY5vKf7Hcc51w==";
    const INTACT: &str = "SoMlHIchlE03nBR+c2FSwJKI8v/cOpON1Bf/lzxRu+kLZpwOOUhMDss0WtFFKZ+EIDkt1/oLz7KqiqxFCPBdksiMEQQuB/ZVDbnXKRDSYldLb5fZItJVX0dLSOs2rPIebW2RqNmeiSV/RFC2Gy8Rt4SLS3lOz1VtOOBfQX1XA3ke9cUV3xP60p1HjEhlptTbIfSNSi4lmDY5vKf7Hcc51w==";

    fn lenient() -> InputParser {
        InputParser::new().lenient()
    }

    #[test]
    fn official_key_and_iv_decode_to_their_bytes() {
        let key = SessionKey::from_base64(KEY).unwrap();
        assert_eq!(
            key.expose(),
            &[
                0xb6, 0x28, 0xa1, 0xb4, 0xd7, 0x33, 0x7f, 0x9b, 0xfa, 0x00, 0xa4, 0x72, 0x8f, 0x01,
                0x14, 0x85
            ]
        );
        let iv = Iv::from_base64(IV).unwrap();
        assert_eq!(iv.as_bytes()[..4], [0xaf, 0xb0, 0x57, 0x5c]);
    }

    #[test]
    fn session_key_debug_is_redacted() {
        let key = SessionKey::from_base64(KEY).unwrap();
        assert_eq!(format!("{key:?}"), "SessionKey([redacted])");
    }

    #[test]
    fn raw_sixteen_byte_iv_is_reported_as_wrong_length() {
        // 16 characters of text: the iv was used without base64-decoding.
        assert_eq!(
            Iv::from_base64("0123456789abcdef").unwrap_err(),
            Error::WrongLength {
                field: Field::Iv,
                len: 12
            }
        );
    }

    #[test]
    fn unpadded_24_characters_are_reported_as_18_bytes() {
        assert_eq!(
            Iv::from_base64("r7BXXKkLb8qrSNn05n0qiAAA").unwrap_err(),
            Error::WrongLength {
                field: Field::Iv,
                len: 18
            }
        );
    }

    #[test]
    fn double_encoded_key_is_reported_as_wrong_length() {
        // base64 of the base64 text: 24 bytes once decoded.
        assert_eq!(
            SessionKey::from_base64("dGlpaHROY3pmNXY2QUtSeWp3RVVoUT09").unwrap_err(),
            Error::WrongLength {
                field: Field::SessionKey,
                len: 24
            }
        );
    }

    #[test]
    fn space_in_iv_gets_the_plus_hint_with_position() {
        assert_eq!(
            Iv::from_base64("r7BXXKkLb8qrSNn05n0qiA ==").unwrap_err(),
            Error::SpaceInBase64 {
                field: Field::Iv,
                position: Some(22)
            }
        );
    }

    #[test]
    fn space_in_key_gets_the_plus_hint_without_position() {
        assert_eq!(
            SessionKey::from_base64("lyY4HPQbaOYzZdG JcYK9w==").unwrap_err(),
            Error::SpaceInBase64 {
                field: Field::SessionKey,
                position: None
            }
        );
    }

    #[test]
    fn invalid_key_character_is_not_located() {
        assert_eq!(
            SessionKey::from_base64("tiihtNczf5v6AKRyjwEUh!==").unwrap_err(),
            Error::InvalidBase64 {
                field: Field::SessionKey,
                position: None
            }
        );
    }

    #[test]
    fn non_canonical_trailing_bits_are_rejected_strictly() {
        // "hR" and "hQ" decode to the same byte; only "hQ" is canonical.
        assert!(SessionKey::from_base64("tiihtNczf5v6AKRyjwEUhR==").is_err());
        assert!(matches!(
            Iv::from_base64("r7BXXKkLb8qrSNn05n0qiB=="),
            Err(Error::InvalidBase64 {
                field: Field::Iv,
                ..
            })
        ));
    }

    #[test]
    fn missing_padding_is_rejected_strictly_and_repaired_leniently() {
        assert!(Iv::from_base64("r7BXXKkLb8qrSNn05n0qiA").is_err());
        assert_eq!(
            lenient().iv("r7BXXKkLb8qrSNn05n0qiA").unwrap(),
            Iv::from_base64(IV).unwrap()
        );
    }

    #[test]
    fn encrypted_data_shape_is_checked_before_decoding() {
        assert_eq!(
            EncryptedData::from_base64("AAAA").unwrap_err(),
            Error::NotBlockAligned { len: 3 }
        );
        assert_eq!(
            EncryptedData::from_base64("AAAAA").unwrap_err(),
            Error::DamagedBase64 {
                field: Field::EncryptedData,
                damage: Damage::MissingPadding,
                position: None
            }
        );
        assert_eq!(
            EncryptedData::from_base64("AAAA!").unwrap_err(),
            Error::InvalidBase64 {
                field: Field::EncryptedData,
                position: None
            }
        );
        let ok = EncryptedData::from_base64(INTACT).unwrap();
        assert_eq!(ok.decoded_len(), 160);
    }

    #[test]
    fn oversized_encrypted_data_is_refused_before_decoding() {
        let huge = "!".repeat(InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN + 1);
        assert_eq!(
            EncryptedData::from_base64(&huge).unwrap_err(),
            Error::TooLarge {
                field: Field::EncryptedData,
                len: InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN + 1,
                max: InputParser::DEFAULT_MAX_ENCRYPTED_DATA_LEN
            }
        );
        let small = InputParser::new().with_max_encrypted_data_len(100);
        assert!(matches!(
            small.encrypted_data(INTACT),
            Err(Error::TooLarge { max: 100, .. })
        ));
        assert!(matches!(
            Iv::from_base64(&"A".repeat(1000)),
            Err(Error::TooLarge {
                field: Field::Iv,
                ..
            })
        ));
    }

    #[test]
    fn space_in_encrypted_data_is_reported_when_decoding() {
        let data = EncryptedData::from_base64(AS_REPORTED).unwrap();
        let mut out = vec![0; data.decoded_len()];
        assert_eq!(
            data.decode_into(&mut out).unwrap_err(),
            Error::SpaceInBase64 {
                field: Field::EncryptedData,
                position: Some(15)
            }
        );
    }

    #[test]
    fn lenient_mode_repairs_wxjava_issue_666() {
        let repaired = lenient().encrypted_data(AS_REPORTED).unwrap();
        assert_eq!(repaired.as_base64(), INTACT);
    }

    #[test]
    fn lenient_mode_leaves_valid_text_borrowed_and_unchanged() {
        let data = lenient().encrypted_data(INTACT).unwrap();
        assert!(matches!(data.text, Cow::Borrowed(_)));
        assert_eq!(data, EncryptedData::from_base64(INTACT).unwrap());
    }

    #[test]
    fn lenient_mode_undoes_url_escapes_and_url_safe_alphabet() {
        let escaped = INTACT
            .replace('+', "%2B")
            .replacen('/', "%2f", 1)
            .replace('/', "%2F")
            .replace('=', "%3D");
        assert_eq!(
            lenient().encrypted_data(&escaped).unwrap().as_base64(),
            INTACT
        );
        let url_safe = INTACT.replace('+', "-").replace('/', "_").replace('=', "");
        assert_eq!(
            lenient().encrypted_data(&url_safe).unwrap().as_base64(),
            INTACT
        );
    }

    #[test]
    fn lenient_mode_drops_line_wrapping_including_indentation() {
        let mut wrapped = String::new();
        for line in INTACT.as_bytes().chunks(40) {
            wrapped.push_str(std::str::from_utf8(line).unwrap());
            wrapped.push_str("\r\n    ");
        }
        assert_eq!(
            lenient().encrypted_data(&wrapped).unwrap().as_base64(),
            INTACT
        );
    }

    #[test]
    fn lenient_mode_uses_the_length_when_spaces_are_wrapping() {
        // Spaces only (no line break) that are wrapping, not lost `+` signs:
        // read as `+` they would give a length that is not whole blocks.
        let spaced = format!("{} {}", &INTACT[..100], &INTACT[100..]);
        assert_eq!(
            lenient().encrypted_data(&spaced).unwrap().as_base64(),
            INTACT
        );
    }

    #[test]
    fn lenient_mode_repairs_key_and_iv_spaces() {
        let key = lenient().session_key("lyY4HPQbaOYzZdG JcYK9w==").unwrap();
        assert_eq!(
            key.expose(),
            SessionKey::from_base64("lyY4HPQbaOYzZdG+JcYK9w==")
                .unwrap()
                .expose()
        );
        assert_eq!(
            lenient().iv("Cds8j3VYoGvnTp1BrjXdJg").unwrap(),
            Iv::from_base64("Cds8j3VYoGvnTp1BrjXdJg==").unwrap()
        );
    }

    #[test]
    fn lenient_mode_rejects_other_percent_escapes_and_non_ascii() {
        assert_eq!(
            lenient().encrypted_data("%41AAA").unwrap_err(),
            Error::InvalidBase64 {
                field: Field::EncryptedData,
                position: Some(0)
            }
        );
        assert!(lenient().iv("r7BXXKkLb8qrSNn05n0qiA%").is_err());
        assert_eq!(
            lenient().iv("r7BXXKkLb8qrSNn05n0qiAé").unwrap_err(),
            Error::InvalidBase64 {
                field: Field::Iv,
                position: Some(22)
            }
        );
    }

    #[test]
    fn lenient_mode_rejects_impossible_lengths() {
        assert!(lenient().encrypted_data("A").is_err());
        assert!(lenient().encrypted_data("AAAAA").is_err());
    }

    /// The fixed-size iv decoder agrees with the base64 crate's strict
    /// decoder on every input: same bytes when both accept, and it accepts
    /// exactly what strict decoding of 16 bytes accepts.
    mod decode_16_public_agrees_with_the_base64_crate {
        use base64::Engine as _;
        use proptest::prelude::*;

        use super::super::decode_16_public;

        fn reference(text: &[u8]) -> Option<[u8; 16]> {
            let mut out = [0u8; 16];
            match base64::engine::general_purpose::STANDARD.decode_slice(text, &mut out) {
                Ok(16) if text.len() == 24 => Some(out),
                _ => None,
            }
        }

        proptest! {
            #[test]
            fn on_encodings_of_random_bytes(bytes in any::<[u8; 16]>()) {
                let text = base64::engine::general_purpose::STANDARD.encode(bytes);
                prop_assert_eq!(decode_16_public(text.as_bytes()), Some(bytes));
            }

            #[test]
            fn on_random_text_near_the_alphabet(
                text in proptest::collection::vec(
                    prop_oneof![
                        8 => proptest::sample::select(
                            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".to_vec()
                        ),
                        1 => Just(b'='),
                        1 => any::<u8>(),
                    ],
                    22..=26,
                )
            ) {
                let mut padded = text.clone();
                if padded.len() >= 24 {
                    padded.truncate(22);
                    padded.extend_from_slice(b"==");
                }
                for candidate in [&text, &padded] {
                    prop_assert_eq!(decode_16_public(candidate), reference(candidate));
                }
            }
        }

        #[test]
        fn every_last_character_is_checked_for_trailing_bits() {
            let base = *b"r7BXXKkLb8qrSNn05n0qiA==";
            for c in 0..=255u8 {
                let mut text = base;
                text[21] = c;
                assert_eq!(decode_16_public(&text), reference(&text), "last char {c}");
            }
        }
    }

    /// The constant-time key encoder gives back the canonical text: what
    /// the base64 crate encodes, and exactly the text the key was parsed from.
    mod session_key_to_base64_is_canonical {
        use base64::Engine as _;
        use proptest::prelude::*;

        use super::super::{BASE64_16_LEN, InputParser, SessionKey, base64_char, sextet};

        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

        fn reencoded(text: &[u8]) -> Option<Vec<u8>> {
            let text = std::str::from_utf8(text).ok()?;
            let key = SessionKey::from_base64(text).ok()?;
            Some(key.to_base64().to_vec())
        }

        #[test]
        fn every_sextet_maps_to_its_alphabet_character() {
            for (v, &c) in (0u32..).zip(ALPHABET) {
                assert_eq!(base64_char(v), c, "value {v}");
                assert_eq!(sextet(c), i16::try_from(v).unwrap(), "value {v}");
            }
        }

        #[test]
        fn every_byte_value_at_every_position_is_accepted_only_in_canonical_form() {
            let base = *b"tiihtNczf5v6AKRyjwEUhQ==";
            let mut accepted = 0;
            for at in 0..BASE64_16_LEN {
                for c in 0..=255u8 {
                    let mut text = base;
                    text[at] = c;
                    if let Some(again) = reencoded(&text) {
                        assert_eq!(again, text, "byte {c} at {at}");
                        accepted += 1;
                    }
                }
            }
            // 64 characters at each of the first 21 positions, 4 at the last
            // one (two data bits, four zero bits), and only `=` at each of the
            // two padding positions.
            assert_eq!(accepted, 21 * 64 + 4 + 2);
        }

        #[test]
        fn a_key_repaired_by_the_lenient_mode_gives_the_undamaged_text() {
            let key = InputParser::new()
                .lenient()
                .session_key("lyY4HPQbaOYzZdG JcYK9w")
                .unwrap();
            assert_eq!(&key.to_base64()[..], b"lyY4HPQbaOYzZdG+JcYK9w==");
        }

        proptest! {
            #[test]
            fn on_random_keys(key in any::<[u8; 16]>()) {
                let expected = base64::engine::general_purpose::STANDARD.encode(key);
                let key = SessionKey::from_bytes(key);
                prop_assert_eq!(&key.to_base64()[..], expected.as_bytes());
            }

            #[test]
            fn on_random_canonical_text(picks in any::<[u8; 22]>()) {
                // 21 free characters, then one whose low 4 bits are zero.
                let mut text: Vec<u8> = picks[..21]
                    .iter()
                    .map(|&p| ALPHABET[usize::from(p % 64)])
                    .collect();
                text.push(b"AQgw"[usize::from(picks[21] % 4)]);
                text.extend_from_slice(b"==");
                prop_assert_eq!(reencoded(&text), Some(text));
            }
        }
    }

    /// The constant-time key decoder agrees with `base64ct` (a general
    /// constant-time decoder) and with the base64 crate on every input.
    mod decode_16_constant_time_agrees_with_base64ct {
        use base64::Engine as _;
        use base64ct::Encoding as _;
        use proptest::prelude::*;

        use super::super::{BASE64_16_LEN, decode_16_constant_time, sextet};

        fn ours(text: &[u8; BASE64_16_LEN]) -> Option<[u8; 16]> {
            let mut out = [0u8; 16];
            decode_16_constant_time(text, &mut out).then_some(out)
        }

        fn reference(text: &[u8; BASE64_16_LEN]) -> Option<[u8; 16]> {
            let mut out = [0u8; 16];
            let ct_len = base64ct::Base64::decode(text, &mut out).map(<[u8]>::len);
            let ct = (ct_len == Ok(16)).then_some(out);
            let mut out2 = [0u8; 16];
            let std = base64::engine::general_purpose::STANDARD
                .decode_slice(text, &mut out2)
                .ok()
                .filter(|&n| n == 16)
                .map(|_| out2);
            assert_eq!(ct, std, "the two references disagree on {text:?}");
            ct
        }

        #[test]
        fn every_byte_value_maps_like_the_alphabet() {
            let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            for c in 0..=255u8 {
                let expected = alphabet
                    .iter()
                    .position(|&a| a == c)
                    .map_or(-1, |i| i16::try_from(i).unwrap());
                assert_eq!(sextet(c), expected, "byte {c}");
            }
        }

        #[test]
        fn every_byte_value_at_every_position_matches_the_references() {
            let base = *b"tiihtNczf5v6AKRyjwEUhQ==";
            for at in 0..BASE64_16_LEN {
                for c in 0..=255u8 {
                    let mut text = base;
                    text[at] = c;
                    assert_eq!(ours(&text), reference(&text), "byte {c} at {at}");
                }
            }
        }

        proptest! {
            #[test]
            fn on_encodings_of_random_keys(key in any::<[u8; 16]>()) {
                let text = base64::engine::general_purpose::STANDARD.encode(key);
                let text: [u8; BASE64_16_LEN] = text.as_bytes().try_into().unwrap();
                prop_assert_eq!(ours(&text), Some(key));
            }

            #[test]
            fn on_random_text(text in any::<[u8; BASE64_16_LEN]>()) {
                prop_assert_eq!(ours(&text), reference(&text));
            }
        }
    }

    /// Strict decoding of `encryptedData` accepts exactly what the base64
    /// crate's strict engine accepts, with the same bytes.
    mod encrypted_data_decoding_agrees_with_the_base64_crate {
        use base64::Engine as _;
        use proptest::prelude::*;

        use super::super::EncryptedData;
        use crate::Error;

        fn ours(text: &str) -> Option<Vec<u8>> {
            let data = EncryptedData::from_base64(text).ok()?;
            let mut out = vec![0; data.decoded_len()];
            match data.decode_into(&mut out) {
                Ok(()) => Some(out),
                Err(
                    Error::InvalidBase64 { .. }
                    | Error::SpaceInBase64 { .. }
                    | Error::DamagedBase64 { .. },
                ) => None,
                Err(other) => panic!("unexpected {other:?}"),
            }
        }

        fn reference(text: &str) -> Option<Vec<u8>> {
            let out = base64::engine::general_purpose::STANDARD
                .decode(text)
                .ok()?;
            (!out.is_empty() && out.len() % 16 == 0).then_some(out)
        }

        proptest! {
            #[test]
            fn on_encodings_of_random_blocks(blocks in proptest::collection::vec(any::<[u8; 16]>(), 1..40)) {
                let bytes = blocks.concat();
                let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
                prop_assert_eq!(ours(&text), Some(bytes));
            }

            #[test]
            fn on_damaged_encodings(
                blocks in proptest::collection::vec(any::<[u8; 16]>(), 1..8),
                at in any::<prop::sample::Index>(),
                byte in prop_oneof![Just(b'='), Just(b' '), Just(b'-'), any::<u8>().prop_filter("ascii", u8::is_ascii)],
            ) {
                let mut text = base64::engine::general_purpose::STANDARD.encode(blocks.concat()).into_bytes();
                let at = at.index(text.len());
                text[at] = byte;
                let text = String::from_utf8(text).unwrap();
                prop_assert_eq!(ours(&text), reference(&text));
            }
        }
    }

    #[test]
    fn each_kind_of_transport_damage_is_named_with_its_position() {
        let cases = [
            ("r7BXXKkLb8qrSNn05n0qiA\n==", Damage::LineBreak, Some(22)),
            (
                "r7BXXKkLb8qrSNn05n0qiA%3D%3D",
                Damage::PercentEncoded,
                Some(22),
            ),
            ("r7BXX-kLb8qrSNn05n0qiA==", Damage::UrlSafeAlphabet, Some(5)),
            ("r7BXXKkLb8qrSNn05n0qiA", Damage::MissingPadding, None),
        ];
        for (text, damage, position) in cases {
            assert_eq!(
                Iv::from_base64(text).unwrap_err(),
                Error::DamagedBase64 {
                    field: Field::Iv,
                    damage,
                    position
                },
                "{text:?}"
            );
            assert!(lenient().iv(text).is_ok(), "lenient mode repairs {text:?}");
        }
    }

    #[test]
    fn damage_in_the_key_is_named_without_position() {
        assert_eq!(
            SessionKey::from_base64("tiihtNczf5v6AKRyjwEUhQ%3D%3D").unwrap_err(),
            Error::DamagedBase64 {
                field: Field::SessionKey,
                damage: Damage::PercentEncoded,
                position: None
            }
        );
        assert_eq!(
            SessionKey::from_base64("tiihtNczf5v6AKRyjwEUhQ").unwrap_err(),
            Error::DamagedBase64 {
                field: Field::SessionKey,
                damage: Damage::MissingPadding,
                position: None
            }
        );
    }

    #[test]
    fn damage_in_encrypted_data_is_named_when_decoding() {
        let wrapped = format!("{}\n{}", &INTACT[..76], &INTACT[76..]);
        assert!(matches!(
            EncryptedData::from_base64(&wrapped),
            Err(Error::DamagedBase64 {
                damage: Damage::LineBreak,
                position: Some(76),
                ..
            })
        ));
        let url_safe = INTACT.replace('+', "-");
        let data = EncryptedData::from_base64(&url_safe).unwrap();
        let mut out = vec![0; data.decoded_len()];
        assert_eq!(
            data.decode_into(&mut out).unwrap_err(),
            Error::DamagedBase64 {
                field: Field::EncryptedData,
                damage: Damage::UrlSafeAlphabet,
                position: Some(15)
            }
        );
    }
}
