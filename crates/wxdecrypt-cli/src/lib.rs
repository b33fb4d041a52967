//! The library half of the `wxdecrypt` command: what the binary and the fuzz
//! targets share. Not a stable API; use the `wxdecrypt` crate in programs.

#[doc(hidden)]
pub mod input;
