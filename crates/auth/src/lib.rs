//! Shared authentication and request layer for the vendor SDKs of this workspace.
//!
//! Every generated client carries an [`Auth`] handle as its progenitor *inner type*. The SDK
//! crates implement progenitor's `ClientHooks` with [`impl_client_hooks!`], which sends every
//! request through this crate:
//!
//! * [`TokenSource`] / [`TokenCache`]: a cached access token with an expiry margin. The hot path
//!   reads it without holding any lock across an `.await`; an expired token is fetched once for
//!   all concurrent callers (single flight).
//! * [`oauth`]: OAuth2 grants (client credentials, password, refresh token) on the `oauth2` crate
//!   over our own reqwest 0.13 transport, which also bends to vendor quirks (JSON bodies, string
//!   `expires_in`, a missing `token_type`, enveloped responses, 201 on success).
//! * [`Auth::execute`]: bearer injection, 401 -> invalidate and resend once, retries of idempotent
//!   requests with backoff, jitter and `Retry-After`, and one tracing span per request.
//! * [`Error`]: the one error type of every SDK call, keeping the HTTP status and raw body.
//!
//! Secrets (client secret, password, tokens) are held in types whose `Debug` is redacted and are
//! never written to errors, logs or spans.
//!
//! ```
//! use sdk_auth::{Auth, TokenCache, oauth::OAuth2Config};
//!
//! # fn main() -> Result<(), sdk_auth::AuthError> {
//! let config = OAuth2Config::client_credentials(
//!     "https://auth.example.com/oauth/token",
//!     "my-client",
//!     "my-secret",
//! )?;
//! let auth = Auth::new(TokenCache::new(config.into_fetcher()?));
//! assert!(!format!("{auth:?}").contains("my-secret"));
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod cache;
mod decode;
mod error;
mod excerpt;
mod hooks;
mod layer;
pub mod oauth;
pub mod runtime;
mod replay;
mod retry;
mod token;
mod url_check;
mod url_join;

pub use cache::{TokenCache, TokenFetcher};
pub use decode::decode_json;
pub use error::{AuthError, Error};
pub use excerpt::redacted_excerpt;
pub use layer::Auth;
pub use retry::RetryPolicy;
pub use secrecy::{ExposeSecret, SecretString};
pub use token::{BoxFuture, Token, TokenSource};
pub use url_check::validate_base_url;
pub use url_join::join_url;

/// Re-exports used by [`impl_client_hooks!`]; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use progenitor_client;
    pub use reqwest;
}
