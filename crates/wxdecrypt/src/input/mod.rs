//! Input parsing: the three base64 strings become typed values, once.
//!
//! Strict standard base64 is the default. The lenient mode repairs the damage
//! that transport does to base64 text (see [`InputParser::lenient`]).
//!
//! This file owns the input types ([`SessionKey`], [`Iv`], [`EncryptedData`])
//! and the [`InputParser`] that makes them. The fixed-size base64 codecs,
//! public and constant-time, are in `codec.rs`; naming transport damage and
//! the lenient repair are in `damage.rs`; the tests are in `tests.rs`, and
//! those that compare the parser's first and general paths in
//! `path_tests.rs`, and `encryptedData`'s decoder with the `base64` crate in
//! `ciphertext_tests.rs`.

#[cfg(test)]
mod ciphertext_tests;
mod codec;
mod damage;
#[cfg(test)]
mod path_tests;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Field};

use codec::{BASE64_16_LEN, decode_16_constant_time, decode_16_public, padded_decoded_len};
pub(crate) use damage::transport_damage;
use damage::{check_16_shape, damage, explain_invalid, repair};

/// Length of an AES-128 key, an iv and an AES block, in bytes.
pub(crate) const BLOCK: usize = 16;

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
        codec::encode_16_constant_time(&self.bytes)
    }
}

impl Drop for SessionKey {
    fn drop(&mut self) {
        self.bytes.zeroize();
        #[cfg(test)]
        crate::decrypt::wipes::record(crate::decrypt::wipes::Kind::SessionKey, &self.bytes);
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
        if out.len() == self.decoded_len && codec::decode_ciphertext(text, out) {
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
    #[inline]
    pub fn session_key(&self, text: &str) -> Result<SessionKey, Error> {
        // The usual case first, inlined: canonical text, which every check
        // of the general path would pass and the lenient repair would leave
        // as it is.
        let mut bytes = [0u8; BLOCK];
        if decode_canonical_key(text, &mut bytes) {
            return Ok(SessionKey::from_bytes(bytes));
        }
        self.session_key_general(text)
    }

    /// [`Self::session_key`] for any text: the shared checks, the lenient
    /// repair, and the error that explains a failure.
    fn session_key_general(&self, text: &str) -> Result<SessionKey, Error> {
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
    #[inline]
    pub fn iv(&self, text: &str) -> Result<Iv, Error> {
        // Canonical text first, inlined (see `session_key`).
        if let Some(bytes) = decode_16_public(text.as_bytes()) {
            return Ok(Iv::from_bytes(bytes));
        }
        self.iv_general(text)
    }

    /// [`Self::iv`] for any text.
    fn iv_general(&self, text: &str) -> Result<Iv, Error> {
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
    #[inline]
    pub fn encrypted_data<'a>(&self, text: &'a str) -> Result<EncryptedData<'a>, Error> {
        // Strict text that passes every check first, inlined: exactly what
        // the general path accepts in strict mode, with the same result.
        if !self.lenient
            && text.len() <= self.max_encrypted_data_len
            && let Some(decoded_len) = padded_decoded_len(text.as_bytes())
            && whole_blocks(decoded_len)
        {
            return Ok(EncryptedData {
                text: Cow::Borrowed(text),
                decoded_len,
            });
        }
        self.encrypted_data_general(text)
    }

    /// [`Self::encrypted_data`] for any text.
    fn encrypted_data_general<'a>(&self, text: &'a str) -> Result<EncryptedData<'a>, Error> {
        let field = Field::EncryptedData;
        let text = self.prepare(field, text, self.max_encrypted_data_len, whole_blocks)?;
        let Some(decoded_len) = padded_decoded_len(text.as_bytes()) else {
            return Err(
                damage(field, text.as_bytes(), true).unwrap_or(Error::InvalidBase64 {
                    field,
                    position: None,
                }),
            );
        };
        if !whole_blocks(decoded_len) {
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

/// Decodes a secret 16-byte value in constant time. The text is only
/// inspected further (for a space, or its length) once decoding has failed.
fn decode_16_secret(text: &str) -> Result<[u8; BLOCK], Error> {
    let field = Field::SessionKey;
    let mut bytes = [0u8; BLOCK];
    if decode_canonical_key(text, &mut bytes) {
        return Ok(bytes);
    }
    check_16_shape(field, text, false)?;
    Err(Error::InvalidBase64 {
        field,
        position: None,
    })
}

/// Decodes a key written as canonical base64 (24 characters) into `bytes`
/// in constant time, and says whether it was; `bytes` is wiped when not.
#[inline]
fn decode_canonical_key(text: &str, bytes: &mut [u8; BLOCK]) -> bool {
    let Ok(chars) = <&[u8; BASE64_16_LEN]>::try_from(text.as_bytes()) else {
        return false;
    };
    if decode_16_constant_time(chars, bytes) {
        return true;
    }
    bytes.zeroize();
    false
}

/// Whether `decoded_len` bytes are whole AES blocks, at least one: the
/// length rule of `encryptedData`.
#[inline]
const fn whole_blocks(decoded_len: usize) -> bool {
    decoded_len >= BLOCK && decoded_len.is_multiple_of(BLOCK)
}
