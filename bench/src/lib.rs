//! Benchmarks of the SDKs; the code is in `benches/`, the results in `README.md`.
//!
//! ```text
//! cargo bench -p sdk-bench --bench overhead
//! ```
