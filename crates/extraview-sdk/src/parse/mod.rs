//! The parsers of ExtraView's answers, usable on their own (for answers stored earlier, or
//! fetched some other way). None of them panics, whatever the input: a body that does not
//! have the expected shape is a [`ParseError`] that says what is wrong and where, without
//! quoting the body (it may hold a token or a password the server echoed).
//!
//! * The token answer of `get_token`: [`token`] (plain text or the malformed documented XML).
//! * XML answers: [`record`] (`get`), [`search_results`], [`history`], [`heartbeat`].
//! * Delimited text lists: [`field_list`], [`allowed_values`], [`meta_data`], [`users`],
//!   [`attachments`], each with a [`Delimiter`] (configured, or detected per answer).
//! * Write confirmations: [`write_confirmation`] (`Bug # 12352 added.`).
//! * Error texts in a 200: [`classify_message`].

mod message;
mod text;
mod token;
mod write;
mod xml;

use std::fmt;

pub use message::{MAX_MESSAGE_LEN, classify_message};
pub use text::{Delimiter, allowed_values, attachments, field_list, meta_data, users};
pub use token::token;
pub use write::{WriteVerb, write_confirmation};
pub use xml::{heartbeat, history, record, search_results};

pub(crate) use message::server_message;
pub(crate) use token::looks_like_token_answer;

/// Why an answer could not be read. It names the problem and its place (line, byte, element
/// name), never a value of the answer.
///
/// ```
/// let err = extraview_sdk::parse::record("not xml").unwrap_err();
/// assert!(err.to_string().contains("XML"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    detail: String,
}

impl ParseError {
    pub(crate) fn new(detail: impl Into<String>) -> Self {
        Self {
            detail: detail.into(),
        }
    }

    /// What was wrong.
    ///
    /// ```
    /// let err = extraview_sdk::parse::write_confirmation("", extraview_sdk::parse::WriteVerb::Added).unwrap_err();
    /// assert!(!err.detail().is_empty());
    /// ```
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for ParseError {}

/// A name from the answer (an element name) as it may appear in an error: only when it looks
/// like a name, so an error never carries a value.
pub(crate) fn quoted_name(name: &str) -> String {
    let plain = !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'));
    if plain {
        format!("<{name}>")
    } else {
        "an element".to_owned()
    }
}

/// The text of a body: lossy UTF-8 (one bad byte must not lose a whole answer), without a
/// byte-order mark.
pub(crate) fn body_text(body: &[u8]) -> std::borrow::Cow<'_, str> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    String::from_utf8_lossy(body)
}
