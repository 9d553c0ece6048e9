//! Benchmarks of the SDKs; the code is in `benches/`, the results in `README.md`. This library
//! holds what the benchmarks share: the loopback HTTP server.
//!
//! ```text
//! cargo bench -p sdk-bench --bench overhead
//! cargo bench -p sdk-bench --bench token_burst
//! ```

pub mod server;
