//! ExtraView's delimited text lists: one record a line, columns split by the install's
//! `DEFAULT_TEXT_REPORT_DELIMITER` (`|`, `;` and `:` are all seen in the wild), CRLF or LF line
//! ends, and sometimes a delimiter at the end of every line.

use super::ParseError;
use crate::{AllowedValue, Attachment, FieldFlags, FieldListEntry, MetaDataEntry, User};

/// The column delimiter of text answers.
///
/// `Auto` (the default) looks at each answer: the first of `|`, `;`, tab and `:` that every
/// line holds (else the one most lines hold). Set the install's delimiter when a one-line
/// answer could hold several (a title with a colon in a `;` list).
///
/// ```
/// use extraview_sdk::{Delimiter, parse::allowed_values};
/// let auto = allowed_values("1|10:00 slot\r\n2|11:00 slot\r\n", Delimiter::Auto)?;
/// assert_eq!(auto[0].title, "10:00 slot");
/// let fixed = allowed_values("1;a|b\n", Delimiter::Semicolon)?;
/// assert_eq!(fixed[0].title, "a|b");
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delimiter {
    /// Detected per answer.
    #[default]
    Auto,
    /// `|`.
    Pipe,
    /// `;`.
    Semicolon,
    /// `:` (the manual's examples).
    Colon,
    /// A tab.
    Tab,
    /// Any other character.
    Custom(char),
}

/// The candidates of [`Delimiter::Auto`], most telling first: a colon also appears inside
/// times and messages, so it comes last.
const CANDIDATES: [char; 4] = ['|', ';', '\t', ':'];

impl Delimiter {
    /// The character, or `None` for [`Delimiter::Auto`].
    ///
    /// ```
    /// assert_eq!(extraview_sdk::Delimiter::Pipe.as_char(), Some('|'));
    /// ```
    pub fn as_char(self) -> Option<char> {
        match self {
            Delimiter::Auto => None,
            Delimiter::Pipe => Some('|'),
            Delimiter::Semicolon => Some(';'),
            Delimiter::Colon => Some(':'),
            Delimiter::Tab => Some('\t'),
            Delimiter::Custom(c) => Some(c),
        }
    }

    /// The delimiter of `lines`: the configured one, or the detected one (`None` when no
    /// candidate appears at all: one column).
    fn resolve(self, lines: &[&str]) -> Option<char> {
        if let Some(c) = self.as_char() {
            return Some(c);
        }
        if let Some(all) = CANDIDATES
            .iter()
            .find(|c| lines.iter().all(|line| line.contains(**c)))
        {
            return Some(*all);
        }
        let count = |c: char| lines.iter().filter(|line| line.contains(c)).count();
        CANDIDATES
            .iter()
            .copied()
            .filter(|c| count(*c) > 0)
            // `max_by_key` keeps the last of equals; reversing keeps the first candidate.
            .rev()
            .max_by_key(|c| count(*c))
    }
}

/// The non-blank lines, CR removed, numbered from 1 for error messages.
fn lines(body: &str) -> Vec<(usize, &str)> {
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    body.split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| (i + 1, line))
        .collect()
}

/// The columns of `line`: trailing delimiters dropped, each column trimmed; with `max`, the
/// last column keeps the rest of the line (delimiters inside a title survive).
fn columns(line: &str, delimiter: Option<char>, max: Option<usize>) -> Vec<String> {
    let Some(d) = delimiter else {
        return vec![line.trim().to_owned()];
    };
    let line = line.trim_end_matches(|c: char| c == d || c.is_whitespace());
    let parts: Vec<&str> = match max {
        Some(n) => line.splitn(n, d).collect(),
        None => line.split(d).collect(),
    };
    parts.into_iter().map(|p| p.trim().to_owned()).collect()
}

/// The rows of a list answer with at least `min` columns (`max` as in [`columns`]).
fn rows(
    body: &str,
    delimiter: Delimiter,
    min: usize,
    max: Option<usize>,
) -> Result<Vec<Vec<String>>, ParseError> {
    let lines = lines(body);
    let plain: Vec<&str> = lines.iter().map(|(_, l)| *l).collect();
    let d = delimiter.resolve(&plain);
    lines
        .iter()
        .map(|(number, line)| {
            let cols = columns(line, d, max);
            if cols.len() < min || cols.first().is_none_or(String::is_empty) {
                return Err(ParseError::new(format!(
                    "line {number} has {} column(s) with a first one {}, at least {min} expected",
                    cols.len(),
                    if cols.first().is_none_or(String::is_empty) {
                        "empty"
                    } else {
                        "set"
                    }
                )));
            }
            Ok(cols)
        })
        .collect()
}

fn non_empty(value: Option<&String>) -> Option<String> {
    value.filter(|v| !v.is_empty()).cloned()
}

/// `add_field_list` / `edit_field_list`: `<prefix><FIELD><d><Title><d><parent>` per line;
/// prefixes `+` (required), `*` (text or log area), `~` (repeating row), `%` (user field).
/// When no delimiter is found at all, the name ends at the first space (the manual's
/// examples read `+SHORT_DESCR Title`).
///
/// # Errors
/// A line without a field name.
///
/// ```
/// use extraview_sdk::{Delimiter, parse::field_list};
/// let fields = field_list("+SHORT_DESCR|Title|\r\n%ASSIGNED_TO|Assigned To|\r\n~PART_NO|Part|PARTS\r\n", Delimiter::Auto)?;
/// assert!(fields[0].flags.required && fields[1].flags.user && fields[2].flags.repeating);
/// assert_eq!(fields[2].parent.as_deref(), Some("PARTS"));
/// let spaced = field_list("+SHORT_DESCR Title\n", Delimiter::Auto)?;
/// assert_eq!((spaced[0].name.as_str(), spaced[0].title.as_deref()), ("SHORT_DESCR", Some("Title")));
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
pub fn field_list(body: &str, delimiter: Delimiter) -> Result<Vec<FieldListEntry>, ParseError> {
    let lines = lines(body);
    let plain: Vec<&str> = lines.iter().map(|(_, l)| *l).collect();
    let d = delimiter.resolve(&plain);
    lines
        .iter()
        .map(|(number, line)| {
            let mut cols = columns(line, d, None);
            if d.is_none()
                && let Some((name, title)) = cols
                    .first()
                    .and_then(|c| c.split_once(char::is_whitespace))
                    .map(|(n, t)| (n.to_owned(), t.trim().to_owned()))
            {
                cols = vec![name, title];
            }
            let first = cols.first().map(String::as_str).unwrap_or_default();
            let name_at = first
                .find(|c: char| c.is_alphanumeric() || c == '_')
                .unwrap_or(first.len());
            let (prefix, name) = first.split_at(name_at);
            let name = name.trim();
            if name.is_empty() {
                return Err(ParseError::new(format!("line {number} has no field name")));
            }
            Ok(FieldListEntry {
                name: name.to_owned(),
                title: non_empty(cols.get(1)),
                parent: non_empty(cols.get(2)),
                prefix: prefix.trim().to_owned(),
                flags: FieldFlags::from_prefix(prefix),
            })
        })
        .collect()
}

/// `allowed_list`: `key<d>title` per line; the title keeps any further delimiters.
///
/// # Errors
/// A line without both columns.
///
/// ```
/// use extraview_sdk::{Delimiter, parse::allowed_values};
/// let values = allowed_values("1022:POWER_SUPPLY:\r\n1023:CABLE:\r\n", Delimiter::Auto)?;
/// assert_eq!(values.len(), 2);
/// assert!(allowed_values("no delimiter here", Delimiter::Pipe).is_err());
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
pub fn allowed_values(body: &str, delimiter: Delimiter) -> Result<Vec<AllowedValue>, ParseError> {
    Ok(rows(body, delimiter, 2, Some(2))?
        .into_iter()
        .map(|cols| {
            let mut cols = cols.into_iter();
            AllowedValue {
                key: cols.next().unwrap_or_default(),
                title: cols.next().unwrap_or_default(),
            }
        })
        .collect())
}

/// `get_valid_meta_data`: `field<d>name<d>title` per line; the title keeps any further
/// delimiters and may be missing.
///
/// # Errors
/// A line with fewer than two columns.
///
/// ```
/// use extraview_sdk::{Delimiter, parse::meta_data};
/// let meta = meta_data("STATUS;OPEN;Open: new\r\nSTATUS;CLOSED\r\n", Delimiter::Auto)?;
/// assert_eq!(meta[0].title, "Open: new");
/// assert_eq!(meta[1].title, "");
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
pub fn meta_data(body: &str, delimiter: Delimiter) -> Result<Vec<MetaDataEntry>, ParseError> {
    Ok(rows(body, delimiter, 2, Some(3))?
        .into_iter()
        .map(|cols| {
            let mut cols = cols.into_iter();
            MetaDataEntry {
                field: cols.next().unwrap_or_default(),
                name: cols.next().unwrap_or_default(),
                title: cols.next().unwrap_or_default(),
            }
        })
        .collect())
}

/// `get_users`: `login<d>first<d>last[<d>...]` per line.
///
/// # Errors
/// A line whose first column is empty.
///
/// ```
/// use extraview_sdk::{Delimiter, parse::users};
/// let list = users("jdoe;Jane;Doe;jane@example.com\nbot\n", Delimiter::Auto)?;
/// assert_eq!(list[0].extra, ["jane@example.com"]);
/// assert_eq!(list[1].first_name, None);
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
pub fn users(body: &str, delimiter: Delimiter) -> Result<Vec<User>, ParseError> {
    Ok(rows(body, delimiter, 1, None)?
        .into_iter()
        .map(|cols| User {
            id: cols.first().cloned().unwrap_or_default(),
            first_name: non_empty(cols.get(1)),
            last_name: non_empty(cols.get(2)),
            extra: cols.iter().skip(3).cloned().collect(),
        })
        .collect())
}

/// `list_attachment`: `No attachments`, or one line per file:
/// `date<d>file name<d>size<d>uploader<d>id<d>description<d>MIME type`.
///
/// # Errors
/// A line without at least a date and a file name.
///
/// ```
/// use extraview_sdk::{Delimiter, parse::attachments};
/// assert!(attachments("No attachments\r\n", Delimiter::Auto)?.is_empty());
/// let list = attachments("2024-05-02|log.txt|12|jdoe|77|boot log|text/plain|\n", Delimiter::Auto)?;
/// assert_eq!(list[0].size, Some(12));
/// assert_eq!(list[0].description.as_deref(), Some("boot log"));
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
pub fn attachments(body: &str, delimiter: Delimiter) -> Result<Vec<Attachment>, ParseError> {
    if body
        .trim()
        .to_ascii_lowercase()
        .starts_with("no attachments")
    {
        return Ok(Vec::new());
    }
    Ok(rows(body, delimiter, 2, None)?
        .into_iter()
        .map(|cols| {
            let get = |i: usize| non_empty(cols.get(i));
            Attachment {
                date: cols.first().cloned().unwrap_or_default(),
                file_name: cols.get(1).cloned().unwrap_or_default(),
                size: cols.get(2).and_then(|s| s.parse().ok()),
                uploaded_by: get(3),
                id: get(4),
                description: get(5).filter(|d| !d.eq_ignore_ascii_case("null")),
                mime_type: get(6),
                extra: cols.iter().skip(7).cloned().collect(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_prefers_a_delimiter_on_every_line() {
        let resolve = |body: &str| {
            let l = lines(body);
            let plain: Vec<&str> = l.iter().map(|(_, s)| *s).collect();
            Delimiter::Auto.resolve(&plain)
        };
        assert_eq!(resolve("a|b\nc|d:e\n"), Some('|'));
        assert_eq!(resolve("a;b\r\nc;d\r\n"), Some(';'));
        assert_eq!(resolve("a:b\nc:d\n"), Some(':'));
        assert_eq!(resolve("a\tb\n"), Some('\t'));
        assert_eq!(resolve("a:b\nc|d\nd|e\n"), Some('|'), "most lines");
        assert_eq!(
            resolve("a:b\nc|d\n"),
            Some('|'),
            "a tie goes to the first candidate"
        );
        assert_eq!(resolve("abc\n"), None);
    }

    #[test]
    fn trailing_delimiters_and_crlf() {
        let values = allowed_values(
            "1022:POWER_SUPPLY:\r\n\r\n1023:CABLE::\r\n",
            Delimiter::Auto,
        )
        .expect("parses");
        assert_eq!(
            values,
            [
                AllowedValue {
                    key: "1022".into(),
                    title: "POWER_SUPPLY".into()
                },
                AllowedValue {
                    key: "1023".into(),
                    title: "CABLE".into()
                }
            ]
        );
    }

    #[test]
    fn errors_name_the_line_not_the_value() {
        let err = allowed_values("1|a\nsecret-value\n", Delimiter::Pipe).expect_err("short");
        assert!(err.detail().contains("line 2"), "{err}");
        assert!(!err.detail().contains("secret-value"), "{err}");
        assert!(field_list("+*|Title\n", Delimiter::Auto).is_err());
    }
}
