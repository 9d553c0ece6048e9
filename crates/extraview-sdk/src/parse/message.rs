//! Error texts that ExtraView sends with HTTP 200.

use crate::ApiErrorKind;

/// The longest answer read as a possible error text; a longer one is data.
pub const MAX_MESSAGE_LEN: usize = 2048;

/// Phrases, in lower case, and what they mean. Sign-on comes first: "access denied: invalid
/// sign on" is a sign-on failure. The manual documents `Invalid Id` and "You cannot provide
/// a ..."; clients in the wild check for `does not exist` and `denied`; the sign-on and
/// expired-session texts are not documented, so these are the usual wordings.
const PHRASES: &[(&str, ApiErrorKind)] = &[
    ("invalid sign on", ApiErrorKind::SignOn),
    ("invalid sign-on", ApiErrorKind::SignOn),
    ("invalid signon", ApiErrorKind::SignOn),
    ("sign on failed", ApiErrorKind::SignOn),
    ("sign-on failed", ApiErrorKind::SignOn),
    ("signon failed", ApiErrorKind::SignOn),
    ("not signed on", ApiErrorKind::SignOn),
    ("invalid login", ApiErrorKind::SignOn),
    ("login failed", ApiErrorKind::SignOn),
    ("not logged in", ApiErrorKind::SignOn),
    ("authentication failed", ApiErrorKind::SignOn),
    ("session expired", ApiErrorKind::SignOn),
    ("session has expired", ApiErrorKind::SignOn),
    ("session is expired", ApiErrorKind::SignOn),
    ("expired session", ApiErrorKind::SignOn),
    ("token expired", ApiErrorKind::SignOn),
    ("token has expired", ApiErrorKind::SignOn),
    ("token is expired", ApiErrorKind::SignOn),
    ("expired token", ApiErrorKind::SignOn),
    ("expired access token", ApiErrorKind::SignOn),
    ("invalid token", ApiErrorKind::SignOn),
    ("invalid access token", ApiErrorKind::SignOn),
    ("access token is invalid", ApiErrorKind::SignOn),
    ("invalid user id or password", ApiErrorKind::SignOn),
    ("invalid user or password", ApiErrorKind::SignOn),
    ("invalid password", ApiErrorKind::SignOn),
    ("invalid id", ApiErrorKind::InvalidId),
    ("does not exist", ApiErrorKind::NotFound),
    ("not found", ApiErrorKind::NotFound),
    ("denied", ApiErrorKind::PermissionDenied),
    ("not authorized", ApiErrorKind::PermissionDenied),
    ("not permitted", ApiErrorKind::PermissionDenied),
    ("no permission", ApiErrorKind::PermissionDenied),
    ("you cannot provide", ApiErrorKind::Validation),
    ("is required", ApiErrorKind::Validation),
    ("invalid value", ApiErrorKind::Validation),
    ("is not a valid", ApiErrorKind::Validation),
];

/// What a text from ExtraView means, when it is one of the known error texts: `Invalid Id`,
/// `... does not exist`, `... denied`, an invalid sign-on or expired session, "You cannot
/// provide a ...". Only the first [`MAX_MESSAGE_LEN`] bytes are read, without regard to case
/// or runs of spaces, with `_` read as a space.
///
/// ```
/// use extraview_sdk::{ApiErrorKind, parse::classify_message};
/// assert_eq!(classify_message("Bug #9 does not exist."), Some(ApiErrorKind::NotFound));
/// assert_eq!(classify_message("Error:  Invalid   sign on"), Some(ApiErrorKind::SignOn));
/// assert_eq!(classify_message("Bug # 12352 added."), None);
/// ```
pub fn classify_message(text: &str) -> Option<ApiErrorKind> {
    let mut end = text.len().min(MAX_MESSAGE_LEN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    // `_` reads as a space: a text may name the parameter (`Invalid access_token`).
    let normalized = text[..end].replace('_', " ");
    let normalized = normalized
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    PHRASES
        .iter()
        .find(|(phrase, _)| normalized.contains(phrase))
        .map(|(_, kind)| *kind)
}

/// A server message in a 200: a short text that is not XML, and its kind when known. `None`
/// for anything that may be data (empty, XML, long).
pub(crate) fn server_message(text: &str) -> Option<(Option<ApiErrorKind>, &str)> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_MESSAGE_LEN || text.starts_with('<') {
        return None;
    }
    Some((classify_message(text), text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_and_common_texts() {
        for (text, kind) in [
            ("Invalid Id", ApiErrorKind::InvalidId),
            (
                "You cannot provide a Bug # when you are adding a new issue",
                ApiErrorKind::Validation,
            ),
            ("Access denied", ApiErrorKind::PermissionDenied),
            ("Access denied: invalid sign on", ApiErrorKind::SignOn),
            ("Your session has expired.", ApiErrorKind::SignOn),
            ("Error: token expired\r\n", ApiErrorKind::SignOn),
            ("Issue 5 does not exist", ApiErrorKind::NotFound),
        ] {
            assert_eq!(classify_message(text), Some(kind), "{text}");
        }
        assert_eq!(classify_message("ID #78512 updated."), None);
    }

    #[test]
    fn the_parameter_name_access_token_is_read_as_words() {
        for text in ["Invalid access_token", "Error: access_token is invalid"] {
            assert_eq!(classify_message(text), Some(ApiErrorKind::SignOn), "{text}");
        }
    }

    #[test]
    fn a_message_is_short_text_only() {
        assert!(server_message("  ").is_none());
        assert!(server_message("<?xml version=\"1.0\"?><EV_HEARTBEAT/>").is_none());
        assert!(server_message(&"x".repeat(MAX_MESSAGE_LEN + 1)).is_none());
        assert_eq!(
            server_message(" Invalid Id \r\n"),
            Some((Some(ApiErrorKind::InvalidId), "Invalid Id"))
        );
    }

    #[test]
    fn multibyte_text_is_cut_on_a_character_boundary() {
        let text = "é".repeat(MAX_MESSAGE_LEN);
        assert_eq!(classify_message(&text), None);
    }
}
