#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod account;
mod authorization;
mod client;
pub mod data;
mod error;
mod graphql;
mod lenient;
mod open_enum;
mod rate_limit;
mod rest;
mod schemas;
pub mod webhooks;

pub use account::{Company, CurrentCompany, Partner, ProfileData, TokenInfo, UserInfo, UsersMe};
pub use authorization::AuthorizationFlow;
pub use client::{
    AUTHORIZE_PATH, Client, ClientBuilder, DEFAULT_DOMAIN, PASSWORD_GRANT_SCOPE, TOKEN_PATH,
};
pub use error::{Error, GraphQlError, GraphQlErrors, PathSegment};
pub use graphql::GRAPHQL_PATH;
pub use rate_limit::RateLimit;
/// The HTTP client crate this SDK is built on (for [`ClientBuilder::configure_http`] and
/// [`reqwest::StatusCode`]).
pub use reqwest;
#[doc(hidden)]
pub use schemas::schemas;
/// The error of the HTTP side of a call (see [`Error::Http`]): the one every SDK of this
/// workspace shares.
pub use sdk_auth::Error as HttpError;
/// A sign-in in progress (see [`AuthorizationFlow::authorize_url`]): its `state` and PKCE
/// verifier, which its `Debug` never shows.
pub use sdk_auth::oauth::PendingAuthorization;
pub use sdk_auth::{
    Auth, AuthError, BoxFuture, ExposeSecret, FileStore, MemoryStore, RetryPolicy, SecretString,
    StaticToken, Token, TokenFetcher, TokenSource, TokenStore,
};
pub use webhooks::{WebhookEventType, WebhookSubscription};
