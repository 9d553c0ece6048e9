//! The inputs of the commands: ids, search and history queries, fields to write, and the
//! options of the metadata and user lists. Each is checked before any request.

use crate::Error;

/// An issue id: the number ExtraView assigns, or an alternate id (`ALT_ID`, sent with
/// `strict=yes`).
///
/// ```
/// use extraview_sdk::IssueId;
/// assert_eq!(IssueId::from(78512).as_str(), "78512");
/// assert!(IssueId::alt("EXT-7").is_alt());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IssueId {
    value: String,
    alt: bool,
}

impl IssueId {
    /// An alternate id (`ALT_ID`): sent with `strict=yes`, so an unknown one is
    /// `Invalid Id` rather than a match on the number.
    pub fn alt(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            alt: true,
        }
    }

    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Whether this is an alternate id.
    pub fn is_alt(&self) -> bool {
        self.alt
    }

    /// The trimmed id, refused when empty or holding control characters.
    pub(crate) fn checked(&self) -> Result<&str, Error> {
        let value = self.value.trim();
        if value.is_empty() {
            return Err(Error::invalid("the issue id is empty"));
        }
        if value.chars().any(char::is_control) {
            return Err(Error::invalid("the issue id holds control characters"));
        }
        Ok(value)
    }
}

impl From<u64> for IssueId {
    fn from(id: u64) -> Self {
        Self {
            value: id.to_string(),
            alt: false,
        }
    }
}

impl From<&str> for IssueId {
    fn from(id: &str) -> Self {
        Self {
            value: id.to_owned(),
            alt: false,
        }
    }
}

impl From<String> for IssueId {
    fn from(value: String) -> Self {
        Self { value, alt: false }
    }
}

impl From<&String> for IssueId {
    fn from(id: &String) -> Self {
        Self::from(id.as_str())
    }
}

/// How user fields are shown in answers (`username_display`), overriding the install's
/// setting for one call.
///
/// ```
/// assert_eq!(extraview_sdk::UsernameDisplay::Id.as_str(), "ID");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsernameDisplay {
    /// The login id: stable, and what writes expect.
    Id,
    /// Last name first.
    Last,
    /// First name first.
    First,
}

impl UsernameDisplay {
    /// The value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            UsernameDisplay::Id => "ID",
            UsernameDisplay::Last => "LAST",
            UsernameDisplay::First => "FIRST",
        }
    }
}

/// Checks a data-dictionary field name: letters, digits and `_` only, so it cannot collide
/// with the query syntax or smuggle in another parameter.
pub(crate) fn check_field_name(name: &str) -> Result<&str, Error> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("a field name is empty"));
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(Error::invalid(format!(
            "the field name {name:?} may only hold letters, digits and `_`"
        )));
    }
    Ok(name)
}

/// Sets `value` for `name` in `pairs`, replacing an earlier value of the same name (field
/// names are not case-sensitive).
fn upsert(pairs: &mut Vec<(String, String)>, name: &str, value: String) {
    match pairs.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        Some(pair) => pair.1 = value,
        None => pairs.push((name.to_owned(), value)),
    }
}

/// One page of a `search`, or where a stream of pages starts.
///
/// ```
/// let query = extraview_sdk::SearchQuery::new()
///     .filter("STATUS", "OPEN")
///     .filter("SHORT_DESCR", "*printer*")
///     .keyword("wireless PDA")
///     .page_length(50);
/// assert_eq!(query.filters().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub(crate) filters: Vec<(String, String)>,
    pub(crate) keyword: Option<String>,
    pub(crate) page_length: u64,
    pub(crate) record_start: u64,
    pub(crate) record_count: Option<u64>,
    pub(crate) report_id: Option<String>,
    pub(crate) persist_handle: Option<String>,
    pub(crate) username_display: Option<UsernameDisplay>,
}

/// The page length when none is set.
pub const DEFAULT_PAGE_LENGTH: u64 = 100;

impl Default for SearchQuery {
    fn default() -> Self {
        Self::new()
    }
}

impl SearchQuery {
    /// Every issue the user may see, 100 a page from the first.
    pub fn new() -> Self {
        Self {
            filters: Vec::new(),
            keyword: None,
            page_length: DEFAULT_PAGE_LENGTH,
            record_start: 1,
            record_count: None,
            report_id: None,
            persist_handle: None,
            username_display: None,
        }
    }

    /// Only issues whose `field` matches `value` (`*` is a wildcard; ranges such as
    /// `'2018-07-05'-'2018-07-30'` as ExtraView reads them). A second filter on the same
    /// field replaces the first.
    #[must_use]
    pub fn filter(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        upsert(&mut self.filters, &field.into(), value.into());
        self
    }

    /// Words to find anywhere in an issue.
    #[must_use]
    pub fn keyword(mut self, words: impl Into<String>) -> Self {
        self.keyword = Some(words.into());
        self
    }

    /// The most records per page (default 100; the server may send fewer).
    #[must_use]
    pub fn page_length(mut self, length: u64) -> Self {
        self.page_length = length;
        self
    }

    /// The first record, from 1 (default 1).
    #[must_use]
    pub fn record_start(mut self, start: u64) -> Self {
        self.record_start = start;
        self
    }

    /// `record_count`: how many records to read in all, counted from the first match (not
    /// from `record_start`). A search stream then ends after that many.
    ///
    /// Without it, each request sends the number of its own last record
    /// (`record_start + page_length - 1`): ExtraView needs `record_count` whenever
    /// `record_start` may exceed `page_length`, and an install that defaults it to
    /// `page_length` would otherwise answer every page after the first with no records.
    ///
    /// ```
    /// let query = extraview_sdk::SearchQuery::new().page_length(10).record_start(21);
    /// assert_eq!(query.effective_record_count(), 30);
    /// assert_eq!(query.record_count(25).effective_record_count(), 25);
    /// ```
    #[must_use]
    pub fn record_count(mut self, count: u64) -> Self {
        self.record_count = Some(count);
        self
    }

    /// The `record_count` a request of this query sends: the one set, else the number of the
    /// last record of the page (`record_start + page_length - 1`).
    pub fn effective_record_count(&self) -> u64 {
        self.record_count.unwrap_or_else(|| {
            self.record_start
                .saturating_add(self.page_length.saturating_sub(1))
        })
    }

    /// Records in the layout of this saved report.
    #[must_use]
    pub fn report_id(mut self, id: impl Into<String>) -> Self {
        self.report_id = Some(id.into());
        self
    }

    /// `persist_handle`: keeps the result set on the server between pages.
    #[must_use]
    pub fn persist_handle(mut self, handle: impl Into<String>) -> Self {
        self.persist_handle = Some(handle.into());
        self
    }

    /// How user fields are shown.
    #[must_use]
    pub fn username_display(mut self, display: UsernameDisplay) -> Self {
        self.username_display = Some(display);
        self
    }

    /// The filters, in the order they were set.
    pub fn filters(&self) -> &[(String, String)] {
        &self.filters
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.page_length == 0 {
            return Err(Error::invalid("page_length must be at least 1"));
        }
        if self.record_start == 0 {
            return Err(Error::invalid("record_start counts from 1"));
        }
        // ExtraView would answer an empty page, which reads as "no more records": refused
        // here so that a search can never end early without saying why.
        if let Some(count) = self.record_count
            && count < self.record_start
        {
            return Err(Error::invalid(format!(
                "record_count {count} ends the result before record_start {}",
                self.record_start
            )));
        }
        Ok(())
    }
}

/// The question of a `history` call: changes after `cutoff`, and how to show them.
///
/// ```
/// let query = extraview_sdk::HistoryQuery::since("2024-05-01 00:00")
///     .until("2024-05-02 00:00")
///     .fields(["ID", "STATUS", "TIMESTAMP"])
///     .filter("PRODUCT_NAME", "WIDGET");
/// assert_eq!(query.cutoff(), "2024-05-01 00:00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    pub(crate) cutoff: String,
    pub(crate) cutoff_end: Option<String>,
    pub(crate) fields: Vec<String>,
    pub(crate) range: Option<(String, String)>,
    pub(crate) show_attributes: Option<bool>,
    pub(crate) username_display: Option<UsernameDisplay>,
    pub(crate) filters: Vec<(String, String)>,
}

impl HistoryQuery {
    /// Every change after `cutoff` (exclusive), in any date format ExtraView reads, in the
    /// user's locale.
    pub fn since(cutoff: impl Into<String>) -> Self {
        Self {
            cutoff: cutoff.into(),
            cutoff_end: None,
            fields: Vec::new(),
            range: None,
            show_attributes: None,
            username_display: None,
            filters: Vec::new(),
        }
    }

    /// Only changes up to `end` (`cutoff_end`).
    #[must_use]
    pub fn until(mut self, end: impl Into<String>) -> Self {
        self.cutoff_end = Some(end.into());
        self
    }

    /// The fields of each entry (`evhist_sellist`; default: the detailed report layout).
    #[must_use]
    pub fn fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// Only updates in this range (`hist_range_start`, `hist_range_end`).
    #[must_use]
    pub fn range(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.range = Some((start.into(), end.into()));
        self
    }

    /// `show_attributes=YES|NO`.
    #[must_use]
    pub fn show_attributes(mut self, show: bool) -> Self {
        self.show_attributes = Some(show);
        self
    }

    /// How user fields are shown.
    #[must_use]
    pub fn username_display(mut self, display: UsernameDisplay) -> Self {
        self.username_display = Some(display);
        self
    }

    /// Only issues whose `field` matches `value`.
    #[must_use]
    pub fn filter(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        upsert(&mut self.filters, &field.into(), value.into());
        self
    }

    /// The cutoff.
    pub fn cutoff(&self) -> &str {
        &self.cutoff
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.cutoff.trim().is_empty() {
            return Err(Error::invalid("the history cutoff is empty"));
        }
        for field in &self.fields {
            check_field_name(field)?;
        }
        Ok(())
    }
}

/// The fields of an `insert` or `update`, by data-dictionary name, and its options.
///
/// ```
/// let fields = extraview_sdk::Fields::new()
///     .set("SHORT_DESCR", "Printer offline")
///     .set("PRIORITY", "P2")
///     .send_email(false);
/// assert_eq!(fields.get("priority"), Some("P2"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    pub(crate) pairs: Vec<(String, String)>,
    pub(crate) send_email: Option<bool>,
    pub(crate) username_display: Option<UsernameDisplay>,
}

impl Fields {
    /// No fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `field` to `value` (list fields take the key from `allowed_list`); a second value
    /// for the same field replaces the first. A log area field appends `value`.
    #[must_use]
    pub fn set(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        upsert(&mut self.pairs, &field.into(), value.into());
        self
    }

    /// Whether ExtraView sends its notification mail (`send_email`; default: the install's
    /// rules).
    #[must_use]
    pub fn send_email(mut self, send: bool) -> Self {
        self.send_email = Some(send);
        self
    }

    /// How user fields are read from the values.
    #[must_use]
    pub fn username_display(mut self, display: UsernameDisplay) -> Self {
        self.username_display = Some(display);
        self
    }

    /// The value set for `field`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(field))
            .map(|(_, v)| v.as_str())
    }

    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Fields {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        iter.into_iter()
            .fold(Fields::new(), |fields, (k, v)| fields.set(k, v))
    }
}

/// The options of `get_valid_meta_data`.
///
/// ```
/// let query = extraview_sdk::MetaDataQuery::new().field("STATUS").field("PRIORITY").all(true);
/// assert_eq!(query.fields.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetaDataQuery {
    /// Only these fields (`fields`, once each; default: all).
    pub fields: Vec<String>,
    /// Users too (`user_info=Y`) or not (`N`); default: the server's.
    pub user_info: Option<bool>,
    /// Disabled values too (`disabled_values=Y`).
    pub disabled_values: bool,
    /// Every area and project, without the allowed-value relationships (`all=Y`).
    pub all: bool,
}

impl MetaDataQuery {
    /// Everything the server sends by default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a field.
    #[must_use]
    pub fn field(mut self, name: impl Into<String>) -> Self {
        self.fields.push(name.into());
        self
    }

    /// Users too, or not.
    #[must_use]
    pub fn user_info(mut self, include: bool) -> Self {
        self.user_info = Some(include);
        self
    }

    /// Disabled values too.
    #[must_use]
    pub fn disabled_values(mut self, include: bool) -> Self {
        self.disabled_values = include;
        self
    }

    /// Every area and project.
    #[must_use]
    pub fn all(mut self, all: bool) -> Self {
        self.all = all;
        self
    }
}

/// Which users `get_users` lists by their state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisabledUsers {
    /// Disabled users too (`Y`).
    Include,
    /// Active users only (`N`).
    Exclude,
    /// Disabled users only (`ONLY`).
    Only,
}

/// What a user filter is matched against (`filter_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserFilterType {
    /// The login id.
    Id,
    /// The first name.
    First,
    /// The last name.
    Last,
}

/// The options of `get_users`.
///
/// ```
/// use extraview_sdk::{UserFilterType, UsersQuery};
/// let query = UsersQuery::new().filter("*OB*", [UserFilterType::Id, UserFilterType::Last]);
/// assert_eq!(query.filter.as_deref(), Some("*OB*"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UsersQuery {
    /// By state (`disabled`); default: the server's.
    pub disabled: Option<DisabledUsers>,
    /// A pattern with `*` wildcards (`filter`).
    pub filter: Option<String>,
    /// What the pattern is matched against (`filter_type`, once each).
    pub filter_types: Vec<UserFilterType>,
}

impl UsersQuery {
    /// Every user the server lists by default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Users by state.
    #[must_use]
    pub fn disabled(mut self, disabled: DisabledUsers) -> Self {
        self.disabled = Some(disabled);
        self
    }

    /// Users matching `pattern` in these columns.
    #[must_use]
    pub fn filter(
        mut self,
        pattern: impl Into<String>,
        types: impl IntoIterator<Item = UserFilterType>,
    ) -> Self {
        self.filter = Some(pattern.into());
        self.filter_types = types.into_iter().collect();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_identifiers() {
        assert_eq!(check_field_name(" STATUS ").expect("ok"), "STATUS");
        for bad in ["", "STATUS&x=1", "a b", "ä"] {
            assert!(check_field_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_field_set_twice_keeps_the_last_value() {
        let fields = Fields::new().set("status", "OPEN").set("STATUS", "CLOSED");
        assert_eq!(fields.pairs, [("status".to_owned(), "CLOSED".to_owned())]);
        let collected: Fields = [("A", "1"), ("B", "2")].into_iter().collect();
        assert_eq!(collected.get("b"), Some("2"));
    }

    #[test]
    fn ids_are_checked() {
        assert!(IssueId::from("  ").checked().is_err());
        assert!(IssueId::from("1\n2").checked().is_err());
        assert_eq!(IssueId::from(" 7 ").checked().expect("ok"), "7");
    }
}
