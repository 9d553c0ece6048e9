//! The rows of ExtraView's delimited text answers: field layouts, allowed values, metadata,
//! users and attachments.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One line of `add_field_list` / `edit_field_list`: a field of the add or edit layout.
///
/// ```
/// let fields = extraview_sdk::parse::field_list("+*DESCRIPTION|Description|\r\n", extraview_sdk::Delimiter::Auto)?;
/// assert_eq!(fields[0].name, "DESCRIPTION");
/// assert!(fields[0].flags.required && fields[0].flags.text_area);
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FieldListEntry {
    /// The data-dictionary name, without the prefix characters.
    pub name: String,
    /// The screen title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The parent field, for a child of a dependent list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The prefix characters as sent, such as `+*`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prefix: String,
    /// What the prefix says.
    pub flags: FieldFlags,
}

/// The prefix flags of an `add_field_list` line.
///
/// ```
/// let flags = extraview_sdk::FieldFlags::from_prefix("+~");
/// assert!(flags.required && flags.repeating && !flags.user);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FieldFlags {
    /// `+`: required (assumed: the manual's prefix list was cut off there).
    pub required: bool,
    /// `*`: a text area or log area.
    pub text_area: bool,
    /// `~`: a field of a repeating row.
    pub repeating: bool,
    /// `%`: a user-type field.
    pub user: bool,
}

impl FieldFlags {
    /// The flags of a prefix; unknown characters are ignored (and kept in
    /// [`FieldListEntry::prefix`]).
    pub fn from_prefix(prefix: &str) -> Self {
        Self {
            required: prefix.contains('+'),
            text_area: prefix.contains('*'),
            repeating: prefix.contains('~'),
            user: prefix.contains('%'),
        }
    }
}

/// One allowed value of a list field (`allowed_list`): `key<d>title`.
///
/// ```
/// let values = extraview_sdk::parse::allowed_values("1022:POWER_SUPPLY:\n", extraview_sdk::Delimiter::Auto)?;
/// assert_eq!(values[0].key, "1022");
/// assert_eq!(values[0].title, "POWER_SUPPLY");
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AllowedValue {
    /// The internal key, which insert and update expect for list fields.
    pub key: String,
    /// The title users see (may itself hold the delimiter).
    pub title: String,
}

/// One line of `get_valid_meta_data`: `field_name<d>meta_data_name<d>meta_data_title`.
///
/// ```
/// let meta = extraview_sdk::parse::meta_data("PRIORITY|P1|Urgent\n", extraview_sdk::Delimiter::Auto)?;
/// assert_eq!((meta[0].field.as_str(), meta[0].name.as_str(), meta[0].title.as_str()), ("PRIORITY", "P1", "Urgent"));
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MetaDataEntry {
    /// The field the value belongs to.
    pub field: String,
    /// The value's name (its key).
    pub name: String,
    /// The value's title (may itself hold the delimiter; empty when not sent).
    pub title: String,
}

/// One user of `get_users`: `login<d>first<d>last`, further columns kept in order.
///
/// ```
/// let users = extraview_sdk::parse::users("jdoe|Jane|Doe\r\n", extraview_sdk::Delimiter::Auto)?;
/// assert_eq!(users[0].id, "jdoe");
/// assert_eq!(users[0].last_name.as_deref(), Some("Doe"));
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct User {
    /// The login id.
    pub id: String,
    /// The first name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// The last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Columns after the third, as sent (their meaning differs per install).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// One attachment of `list_attachment`:
/// `date<d>file name<d>size<d>uploader<d>attachment id<d>description<d>MIME type`.
///
/// The column order is taken from public client code, not from the manual; the id column is
/// an assumption.
///
/// ```
/// let list = extraview_sdk::parse::attachments(
///     "2014-05-05;screenshot.PNG;88871;xchange;1762332;null;image/png\r\n",
///     extraview_sdk::Delimiter::Auto,
/// )?;
/// assert_eq!(list[0].id.as_deref(), Some("1762332"));
/// assert_eq!(list[0].description, None, "`null` means none");
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Attachment {
    /// When it was added, in the user's date format.
    pub date: String,
    /// The file name.
    pub file_name: String,
    /// The size in bytes, when it is a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Who added it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploaded_by: Option<String>,
    /// The attachment id, for `download_attachment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The description (`null` in the answer means none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The MIME type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Columns after the seventh, as sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}
