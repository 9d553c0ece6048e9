#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod catalogue;
mod client;
mod commands;
mod error;
mod model;
mod multipart;
pub mod parse;
mod query;
mod schemas;
mod sign_in;

pub use client::{Client, ClientBuilder, ENDPOINT_FILE};
pub use error::{ApiError, ApiErrorKind, Error};
pub use model::{
    AccessToken, AllowedValue, Attachment, Field, FieldFlags, FieldListEntry, Heartbeat,
    HistoryEntry, MetaDataEntry, Record, SearchPage, TaskInfo, ThreadInfo, User,
};
pub use parse::Delimiter;
pub use query::{
    DEFAULT_PAGE_LENGTH, DisabledUsers, Fields, HistoryQuery, IssueId, MetaDataQuery, SearchQuery,
    UserFilterType, UsernameDisplay, UsersQuery,
};
/// The HTTP client crate this SDK is built on (for [`ClientBuilder::configure_http`]).
pub use reqwest;
#[doc(hidden)]
pub use schemas::{documents, schemas};
/// The error of the HTTP side of a call (see [`Error::Http`]): the one every SDK of this
/// workspace shares.
pub use sdk_auth::Error as HttpError;
pub use sdk_auth::{
    Auth, AuthError, ExposeSecret, RetryPolicy, SecretString, StaticToken, TokenSource,
};
pub use sign_in::{SignOnRejected, TokenFormat};
