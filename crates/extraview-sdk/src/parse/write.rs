//! The confirmations of `insert`, `update` and `delete`.

use super::ParseError;

/// The verb a write confirmation ends with.
///
/// ```
/// assert_eq!(extraview_sdk::parse::WriteVerb::Added.as_str(), "added");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteVerb {
    /// `insert`: `... # 12352 added.`
    Added,
    /// `update`: `... # 12352 updated.`
    Updated,
    /// `delete`: `... # 12352 deleted.`
    Deleted,
}

impl WriteVerb {
    /// The word as ExtraView writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            WriteVerb::Added => "added",
            WriteVerb::Updated => "updated",
            WriteVerb::Deleted => "deleted",
        }
    }
}

/// The issue id of a write confirmation, whatever the install calls its id field: the
/// confirmation starts with the id field's screen title (`Bug # 12352 added.`,
/// `ID #78512 added.`), so only `# <digits> <verb>` is matched.
///
/// # Errors
/// No `# <digits> <verb>` in the text, or an id beyond `u64`.
///
/// ```
/// use extraview_sdk::parse::{WriteVerb, write_confirmation};
/// assert_eq!(write_confirmation("Bug # 12352 added.", WriteVerb::Added)?, 12352);
/// assert_eq!(write_confirmation("ID #78512 added.\r\n", WriteVerb::Added)?, 78512);
/// assert_eq!(write_confirmation("Ticket # 9 Updated.", WriteVerb::Updated)?, 9);
/// assert!(write_confirmation("Bug # 12352 added.", WriteVerb::Deleted).is_err());
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
pub fn write_confirmation(text: &str, verb: WriteVerb) -> Result<u64, ParseError> {
    let mut too_large = false;
    for (hash, _) in text.match_indices('#') {
        let rest = text.get(hash + 1..).unwrap_or_default().trim_start();
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (digits, after) = rest.split_at(digits_end);
        if digits.is_empty() || !after.starts_with(char::is_whitespace) {
            continue;
        }
        let word = after.trim_start();
        let matches = word
            .get(..verb.as_str().len())
            .is_some_and(|w| w.eq_ignore_ascii_case(verb.as_str()));
        if !matches {
            continue;
        }
        match digits.parse::<u64>() {
            Ok(id) => return Ok(id),
            Err(_) => too_large = true,
        }
    }
    if too_large {
        return Err(ParseError::new("the id in the confirmation is too large"));
    }
    Err(ParseError::new(format!(
        "no `# <id> {}` confirmation in the answer ({} bytes)",
        verb.as_str(),
        text.len()
    )))
}
