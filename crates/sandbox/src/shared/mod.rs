//! Pieces every emulated vendor uses, written once: the clock, seeded numbers, token issuing,
//! OAuth2 request parsing and authorization codes, fault knobs and their middleware, counters,
//! query and page handling, a per-minute request budget, webhook posting, the listeners and the
//! admin API.

pub(crate) mod admin;
pub(crate) mod clock;
pub(crate) mod delivery;
pub(crate) mod faults;
pub(crate) mod json;
pub(crate) mod oauth;
pub(crate) mod query;
pub(crate) mod ratelimit;
pub(crate) mod schedule;
pub(crate) mod seed;
pub(crate) mod server;
pub(crate) mod stats;
pub(crate) mod tokens;
pub(crate) mod vendor;
