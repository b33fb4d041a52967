//! The plain N-API callbacks of the three decrypt functions, and their
//! registration next to the `#[napi]` exports.
//!
//! `#[napi]` wraps every call that takes arguments in borrow bookkeeping
//! (a scope on a thread-local stack, a barrier, a deferred release) that
//! this synchronous code does not need and that cost about as much as
//! reading the inputs; `#[js_function]` (napi's `compat-mode`) reads the
//! arguments once and calls straight through. The callbacks only hand
//! their context to the safe functions in `decrypt.rs`.
//!
//! This module holds nothing but that glue, because `#[js_function]`
//! expands to `unsafe` FFI code without allowing it itself: the lint is
//! relaxed here for the macro's output. No `unsafe` is written by hand.
#![allow(
    unsafe_code,
    reason = "the output of #[js_function]; nothing here is written by hand"
)]
#![allow(
    clippy::inline_always,
    clippy::needless_pass_by_value,
    clippy::unnecessary_wraps,
    reason = "the signature #[js_function] requires and the attribute it adds"
)]

use napi::CallContext;
use napi::bindgen_prelude::{JsObjectValue, Object};
use napi_derive::{js_function, napi};

use crate::{RecordString, decrypt};

#[js_function(9)]
fn decrypt_phone(ctx: CallContext) -> napi::Result<RecordString> {
    Ok(decrypt::decrypt_phone(&ctx))
}

#[js_function(9)]
fn decrypt_user_info(ctx: CallContext) -> napi::Result<RecordString> {
    Ok(decrypt::decrypt_user_info(&ctx))
}

#[js_function(9)]
fn decrypt_raw(ctx: CallContext) -> napi::Result<RecordString> {
    Ok(decrypt::decrypt_raw(&ctx))
}

/// Adds the three callbacks to the addon's exports.
#[napi(module_exports)]
pub(crate) fn register(mut exports: Object<'_>) -> napi::Result<()> {
    exports.create_named_method("decryptPhone", decrypt_phone)?;
    exports.create_named_method("decryptUserInfo", decrypt_user_info)?;
    exports.create_named_method("decryptRaw", decrypt_raw)?;
    Ok(())
}
