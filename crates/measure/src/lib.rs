//! Measurement programs for `wxdecrypt`: see `examples/` and BENCHMARKS.md.
//! This library is empty; the bench fixtures they read and the test
//! encryptor come from `wxdecrypt-testkit` (`crates/testkit`).
