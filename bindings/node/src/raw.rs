//! The crate's only hand-written `unsafe`: one N-API call that napi-rs's
//! safe API does not offer, reading a JavaScript string's UTF-8 form into a
//! buffer the caller already has.
//!
//! napi-rs reads a string with two N-API calls (its length, then the copy)
//! into a zero-filled `Vec` it allocates for the purpose. The decrypt path
//! reads four short strings on every call; reading each with one call into
//! a buffer allocated once per thread (or on the stack, for the session
//! key, so that its one copy is wiped where it lies) is what this module
//! is for. What it bought is measured in BENCHMARKS.md › Node. The text
//! is N-API's own UTF-8 conversion (a lone surrogate becomes U+FFFD), the
//! same bytes napi-rs's reads give; only where they are written differs.
#![allow(
    unsafe_code,
    reason = "the one N-API call the safe API lacks; each block has its SAFETY note"
)]

use napi::{JsString, JsValue, sys};

/// Room that must be left unwritten for a read to be known complete: N-API
/// stops before a character that does not fit (at most 4 bytes in UTF-8)
/// and then writes a NUL.
pub(crate) const SLACK: usize = 5;

/// Copies the UTF-8 form of `text` to the start of `buf` and returns its
/// length in bytes, or `None` when it may not have fitted (read it another
/// way then). N-API writes a NUL after the text, so `buf[len]` is 0.
///
/// # Errors
/// N-API's failure, when `text` is not a string after all.
pub(crate) fn utf8_into(text: &JsString<'_>, buf: &mut [u8]) -> napi::Result<Option<usize>> {
    if buf.len() < SLACK {
        return Ok(None);
    }
    let value = text.value();
    let mut copied = 0_usize;
    // SAFETY: `value.env` and `value.value` are the environment and the
    // handle napi-rs built this `JsString` from, valid for the callback
    // that holds it (the borrow `'_` cannot outlive that call). `buf` is
    // writable for `buf.len()` bytes and N-API writes at most `bufsize`
    // bytes there (at most `bufsize - 1` of text and one NUL); `copied` is
    // a valid `usize` to write the count to. N-API keeps neither pointer.
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            value.env,
            value.value,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &raw mut copied,
        )
    };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::new(
            napi::Status::StringExpected,
            "a string argument could not be read".to_owned(),
        ));
    }
    // Complete when a character of any size would still have fitted.
    Ok((copied + SLACK <= buf.len()).then_some(copied))
}

/// The text of `bytes` that N-API wrote, checked as UTF-8; for ASCII, the
/// common case, by a faster test than the full UTF-8 check.
pub(crate) fn text(bytes: &[u8]) -> Option<&str> {
    if bytes.is_ascii() {
        // SAFETY: every byte is below 0x80 (checked just above), and a
        // sequence of ASCII bytes is valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes).ok()
    }
}
