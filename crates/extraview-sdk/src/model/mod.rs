//! The answers of ExtraView, as hand-written models: serde and `schemars::JsonSchema` derive
//! on each, and `cargo xtask regen` writes their JSON Schemas to `specs/extraview/`.
//!
//! ExtraView has no fixed schema: every install defines its own fields, titles and layouts.
//! The models therefore keep what the server sent (names, titles, text, nesting, order)
//! rather than mapping it onto fixed Rust fields, and offer typed accessors on top.

mod heartbeat;
mod lists;
mod record;
mod token;

pub use heartbeat::{Heartbeat, TaskInfo, ThreadInfo};
pub use lists::{AllowedValue, Attachment, FieldFlags, FieldListEntry, MetaDataEntry, User};
pub use record::{Field, HistoryEntry, Record, SearchPage};
pub use token::AccessToken;
