//! Shared authentication and request layer for the vendor SDKs of this workspace.
//!
//! Every client carries an [`Auth`] handle; generated clients call it through progenitor's
//! `ClientHooks` ([`impl_client_hooks!`]), hand-written ones through [`Auth::send`]. The
//! pieces are small and separate, after the smithy-rs runtime:
//!
//! * **Credential**: [`Token`] (secret, refresh token, absolute expiry, generation) and the
//!   [`TokenSource`] that hands it out. [`TokenCache`] fetches through a [`TokenFetcher`] in a
//!   detached task shared by every waiting caller, keeps rejections for a cool-down, and saves
//!   every new token to a [`TokenStore`] ([`MemoryStore`], [`FileStore`]).
//! * **Placement**: [`AuthScheme`] puts the token in a header or a query parameter.
//! * **Meaning**: a chain of [`Classifier`]s says, for each answer, retry (after a delay),
//!   token rejected (fetch, place, resend once), or done. Vendors append their own rules.
//! * **Fetcher toolkit**: [`fetch`] (HTTP settings shared with the API client, the token
//!   request, the lenient answer, "refresh, else sign in") and [`oauth`], the OAuth2 grants.
//! * **Errors**: [`Error`] for any call, [`AuthError`] for tokens; secrets are scrubbed by
//!   value ([`Redactor`]) and by shape ([`redacted_excerpt`]) from every message.
//!
//! ```
//! use sdk_auth::{Auth, TokenCache, fetch::HttpSettings, oauth::OAuth2Config};
//!
//! # fn main() -> Result<(), sdk_auth::AuthError> {
//! let http = HttpSettings::new("my-sdk/1.0");
//! let config = OAuth2Config::client_credentials(
//!     "https://auth.example.com/oauth/token",
//!     "my-client",
//!     "my-secret",
//! )?;
//! let auth = Auth::new(TokenCache::new(config.into_fetcher(&http)?));
//! assert!(!format!("{auth:?}").contains("my-secret"));
//! assert_eq!(auth.redactor().scrub("my-secret"), "[redacted]");
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod cache;
mod classify;
mod clock;
mod env;
mod error;
mod excerpt;
pub mod fetch;
mod fixed;
mod hooks;
mod layer;
pub mod oauth;
mod redact;
mod retry;
pub mod runtime;
mod scheme;
mod store;
mod token;
mod url_check;

pub use cache::{TokenCache, TokenCacheBuilder, TokenFetcher};
pub use classify::{
    Classifier, MAX_CLASSIFIED_BODY, Outcome, RateLimitReset, RetryAfter, StatusRules, Verdict,
    default_classifiers,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use env::{env_value, required_env};
pub use error::{AuthError, Error};
pub use excerpt::redacted_excerpt;
pub use fixed::StaticToken;
pub use layer::Auth;
pub use redact::Redactor;
pub use retry::{RetryPolicy, retry_after};
pub use scheme::AuthScheme;
pub use secrecy::{ExposeSecret, SecretString};
pub use store::{FileStore, MemoryStore, TokenStore};
pub use token::{BoxFuture, MAX_LIFETIME, Token, TokenSource};
pub use url_check::{is_loopback, shown_url, validate_base_url};

/// The examples of README.md, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// Re-exports used by [`impl_client_hooks!`]; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use progenitor_client;
    pub use reqwest;
}
