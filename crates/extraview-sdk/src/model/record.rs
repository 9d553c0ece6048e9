//! Issue records (`get`, `search`, `history`) and the pages of a search.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One issue: the fields the user may read, in the order the server sent them.
///
/// Fields differ per install, so they are kept by name rather than mapped to Rust fields.
/// Nested groups (`MODULE_RECORD > MODULE_NAME`) and repeated elements (the rows of a
/// repeating-row field) stay as the server nested and repeated them.
///
/// ```
/// let record = extraview_sdk::parse::record(
///     r#"<PROBLEM_RECORD><ID TITLE="ID">78512</ID>
///        <MODULE_RECORD><MODULE_NAME TITLE="Module">Server</MODULE_NAME></MODULE_RECORD>
///        </PROBLEM_RECORD>"#,
/// )?;
/// assert_eq!(record.id(), Some("78512"));
/// assert_eq!(record.title("ID"), Some("ID"));
/// assert_eq!(record.path(&["MODULE_RECORD", "MODULE_NAME"]).and_then(|f| f.text()), Some("Server"));
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Record {
    /// Every field element, in document order; a name may repeat.
    pub fields: Vec<Field>,
}

/// One element of a record: a value (`text`), a group of elements (`children`), or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Field {
    /// The data-dictionary name, such as `SHORT_DESCR`.
    pub name: String,
    /// The `TITLE` attribute: the field's screen label on this install, such as `Title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Any other attribute, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// The value as text: CDATA as sent (line ends as LF, as XML reads them), other text
    /// without surrounding whitespace. Present (possibly empty) on every element without
    /// children.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The nested elements of a group, in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Field>,
}

/// Finds the first field named `name` (ASCII case-insensitive: the docs spell field names in
/// lower case, the XML in upper case).
fn first<'a>(fields: &'a [Field], name: &str) -> Option<&'a Field> {
    fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

impl Record {
    /// The first field named `name`.
    ///
    /// ```
    /// let record = extraview_sdk::parse::record("<PROBLEM_RECORD><STATUS>OPEN</STATUS></PROBLEM_RECORD>")?;
    /// assert_eq!(record.get("status").map(|f| f.name.as_str()), Some("STATUS"));
    /// # Ok::<(), extraview_sdk::parse::ParseError>(())
    /// ```
    pub fn get(&self, name: &str) -> Option<&Field> {
        first(&self.fields, name)
    }

    /// Every field named `name`: the rows of a repeated element.
    ///
    /// ```
    /// let record = extraview_sdk::parse::record(
    ///     "<PROBLEM_RECORD><PART><N>1</N></PART><PART><N>2</N></PART></PROBLEM_RECORD>",
    /// )?;
    /// let rows: Vec<_> = record.all("PART").filter_map(|row| row.child("N")?.text()).collect();
    /// assert_eq!(rows, ["1", "2"]);
    /// # Ok::<(), extraview_sdk::parse::ParseError>(())
    /// ```
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields
            .iter()
            .filter(move |f| f.name.eq_ignore_ascii_case(name))
    }

    /// The text of the first field named `name`.
    ///
    /// ```
    /// let record = extraview_sdk::parse::record("<PROBLEM_RECORD><STATUS>OPEN</STATUS></PROBLEM_RECORD>")?;
    /// assert_eq!(record.text("STATUS"), Some("OPEN"));
    /// # Ok::<(), extraview_sdk::parse::ParseError>(())
    /// ```
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Field::text)
    }

    /// The `TITLE` of the first field named `name`.
    ///
    /// ```
    /// let record = extraview_sdk::parse::record(r#"<PROBLEM_RECORD><ID TITLE="Bug #">7</ID></PROBLEM_RECORD>"#)?;
    /// assert_eq!(record.title("ID"), Some("Bug #"));
    /// # Ok::<(), extraview_sdk::parse::ParseError>(())
    /// ```
    pub fn title(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|f| f.title.as_deref())
    }

    /// The issue id (`ID`).
    ///
    /// ```
    /// let record = extraview_sdk::parse::record("<PROBLEM_RECORD><ID>7</ID></PROBLEM_RECORD>")?;
    /// assert_eq!(record.id(), Some("7"));
    /// # Ok::<(), extraview_sdk::parse::ParseError>(())
    /// ```
    pub fn id(&self) -> Option<&str> {
        self.text("ID")
    }

    /// The field at `path`, each step the first child of that name: `["MODULE_RECORD",
    /// "MODULE_NAME"]`.
    ///
    /// ```
    /// let record = extraview_sdk::parse::record(
    ///     "<PROBLEM_RECORD><RELEASE_RECORD><RELEASE_FOUND>1.0</RELEASE_FOUND></RELEASE_RECORD></PROBLEM_RECORD>",
    /// )?;
    /// let found = record.path(&["RELEASE_RECORD", "RELEASE_FOUND"]);
    /// assert_eq!(found.and_then(|f| f.text()), Some("1.0"));
    /// assert!(record.path(&[]).is_none());
    /// # Ok::<(), extraview_sdk::parse::ParseError>(())
    /// ```
    pub fn path(&self, path: &[&str]) -> Option<&Field> {
        let (head, rest) = path.split_first()?;
        rest.iter()
            .try_fold(self.get(head)?, |field, step| field.child(step))
    }
}

impl Field {
    /// The value, for an element that has one.
    ///
    /// ```
    /// let field = extraview_sdk::Field { name: "STATUS".into(), text: Some("OPEN".into()), ..Default::default() };
    /// assert_eq!(field.text(), Some("OPEN"));
    /// ```
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The first nested element named `name`.
    ///
    /// ```
    /// let record = extraview_sdk::parse::record(
    ///     "<PROBLEM_RECORD><MODULE_RECORD><MODULE_NAME>Server</MODULE_NAME></MODULE_RECORD></PROBLEM_RECORD>",
    /// )?;
    /// let group = record.get("MODULE_RECORD").expect("a group");
    /// assert_eq!(group.child("MODULE_NAME").and_then(|f| f.text()), Some("Server"));
    /// # Ok::<(), extraview_sdk::parse::ParseError>(())
    /// ```
    pub fn child(&self, name: &str) -> Option<&Field> {
        first(&self.children, name)
    }

    /// Whether this element groups others.
    ///
    /// ```
    /// let leaf = extraview_sdk::Field { name: "ID".into(), text: Some("7".into()), ..Default::default() };
    /// assert!(!leaf.is_group());
    /// ```
    pub fn is_group(&self) -> bool {
        !self.children.is_empty()
    }
}

/// One page of a `search`: the records and where the page started.
///
/// ```
/// let page = extraview_sdk::SearchPage { records: Vec::new(), record_start: 1, page_length: 50 };
/// assert_eq!(page.next_start(), None, "an empty page is the last");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SearchPage {
    /// The records of this page (an empty page means there are no more).
    pub records: Vec<Record>,
    /// The 1-based `record_start` this page was asked for.
    pub record_start: u64,
    /// The `page_length` this page was asked for; the server may send fewer records.
    pub page_length: u64,
}

impl SearchPage {
    /// The `record_start` of the next page: after the records this page holds (the server
    /// may cap a page below the length asked for), or `None` after an empty page.
    ///
    /// ```
    /// let record = extraview_sdk::Record::default();
    /// let page = extraview_sdk::SearchPage { records: vec![record; 3], record_start: 11, page_length: 10 };
    /// assert_eq!(page.next_start(), Some(14));
    /// ```
    pub fn next_start(&self) -> Option<u64> {
        if self.records.is_empty() {
            return None;
        }
        let count = u64::try_from(self.records.len()).unwrap_or(u64::MAX);
        self.record_start.checked_add(count)
    }
}

/// One historic version of an issue, from `history`.
///
/// ```
/// let entries = extraview_sdk::parse::history(
///     "<HISTORY><PROBLEM_RECORD><ID>7</ID><TIMESTAMP>2024-05-03 16:40</TIMESTAMP></PROBLEM_RECORD></HISTORY>",
/// )?;
/// assert_eq!(entries[0].id.as_deref(), Some("7"));
/// assert_eq!(entries[0].timestamp.as_deref(), Some("2024-05-03 16:40"));
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HistoryEntry {
    /// The issue's `ID`, copied from the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The `TIMESTAMP` of this version, copied from the record, in the user's date format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The fields of this version.
    pub record: Record,
}
