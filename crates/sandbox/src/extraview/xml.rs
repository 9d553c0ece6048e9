//! Writing records as ExtraView's XML: one element per field named as in the data dictionary,
//! with its screen title in `TITLE`, text in CDATA, grouped fields wrapped
//! (`MODULE_RECORD > MODULE_NAME`), and one `TIME_ENTRY_RECORD` per repeating row.

use super::data::{FIELDS, Field, Issue, Kind, Row, User, list_value};
use super::dates;
use crate::shared::json::UNKNOWN_ENUM_VALUE;

/// The element the `extra_fields` knob adds to every record: an install-specific field the
/// client has never seen.
pub(crate) const EXTRA_ELEMENT: &str = "SANDBOX_EXTRA_FIELD";

/// List fields whose values the `unknown_enum_values` knob replaces.
const ENUM_FIELDS: [&str; 3] = ["STATUS", "PRIORITY", "SEVERITY_LEVEL"];

/// `text` with the five XML special characters escaped.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// `text` in a CDATA section; a `]]>` inside is split over two sections, since it would end
/// the first one.
pub(crate) fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// How user fields are shown (`username_display`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UserDisplay {
    /// The login id.
    Id,
    /// `Last, First` (the install's default).
    Last,
    /// `First Last`.
    First,
}

/// Everything that decides how a record is written for one call.
#[derive(Debug)]
pub(crate) struct View<'a> {
    pub(crate) users: &'a [User],
    /// The ID field's screen title.
    pub(crate) id_title: &'a str,
    pub(crate) display: UserDisplay,
    /// `api_reverse_lookup=YES`: list titles instead of names.
    pub(crate) reverse_lookup: bool,
    /// Leave out restricted fields (the caller is the read-only user).
    pub(crate) hide_restricted: bool,
    /// Only these fields (`evhist_sellist`), when given.
    pub(crate) only: Option<Vec<&'static str>>,
    pub(crate) extra_field: bool,
    pub(crate) unknown_enums: bool,
}

impl View<'_> {
    /// The screen title of `field`.
    pub(crate) fn title(&self, field: &Field) -> &str {
        if field.kind == Kind::Id {
            self.id_title
        } else {
            field.title
        }
    }

    fn shows(&self, field: &Field) -> bool {
        !(self.hide_restricted && field.restricted)
            && self
                .only
                .as_ref()
                .is_none_or(|only| only.contains(&field.name))
    }

    /// A user field's value as `username_display` asks.
    pub(crate) fn user(&self, login: &str) -> String {
        let Some(user) = self
            .users
            .iter()
            .find(|u| u.login.eq_ignore_ascii_case(login))
        else {
            return login.to_owned();
        };
        match self.display {
            UserDisplay::Id => user.login.clone(),
            UserDisplay::Last => format!("{}, {}", user.last, user.first),
            UserDisplay::First => format!("{} {}", user.first, user.last),
        }
    }

    /// The element content of `field` holding `raw` (its stored text).
    fn content(&self, field: &Field, raw: &str) -> String {
        if raw.is_empty() {
            return String::new();
        }
        match field.kind {
            Kind::Text | Kind::TextArea | Kind::LogArea => cdata(raw),
            Kind::List if self.unknown_enums && ENUM_FIELDS.contains(&field.name) => {
                UNKNOWN_ENUM_VALUE.to_owned()
            }
            Kind::List if self.reverse_lookup => {
                escape(list_value(field.name, raw).map(|v| v.title).unwrap_or(raw))
            }
            Kind::User => escape(&self.user(raw)),
            _ => escape(raw),
        }
    }

    fn element(&self, out: &mut String, indent: &str, field: &Field, raw: &str) {
        out.push_str(&format!(
            "{indent}<{name} TITLE=\"{title}\">{content}</{name}>\n",
            name = field.name,
            title = escape(self.title(field)),
            content = self.content(field, raw),
        ));
    }

    /// Appends `<PROBLEM_RECORD>...</PROBLEM_RECORD>` for `issue`, indented by `indent`.
    pub(crate) fn record(&self, out: &mut String, issue: &Issue, indent: &str) {
        let inner = format!("{indent}  ");
        let nested = format!("{indent}    ");
        out.push_str(&format!("{indent}<PROBLEM_RECORD>\n"));
        let mut open: Option<&str> = None;
        for field in FIELDS.iter().filter(|f| !f.row && self.shows(f)) {
            if open != field.group {
                if let Some(group) = open {
                    out.push_str(&format!("{inner}</{group}>\n"));
                }
                if let Some(group) = field.group {
                    out.push_str(&format!("{inner}<{group}>\n"));
                }
                open = field.group;
            }
            let pad = if open.is_some() { &nested } else { &inner };
            self.element(out, pad, field, &issue.raw(field.name));
        }
        if let Some(group) = open {
            out.push_str(&format!("{inner}</{group}>\n"));
        }
        let row_fields: Vec<&Field> = FIELDS.iter().filter(|f| f.row && self.shows(f)).collect();
        if !row_fields.is_empty() {
            for row in &issue.rows {
                out.push_str(&format!("{inner}<{}_RECORD>\n", super::data::ROW));
                for field in &row_fields {
                    self.element(out, &nested, field, &row_value(row, field.name));
                }
                out.push_str(&format!("{inner}</{}_RECORD>\n", super::data::ROW));
            }
        }
        if self.extra_field {
            out.push_str(&format!(
                "{inner}<{EXTRA_ELEMENT} TITLE=\"Sandbox Extra Field\">{}</{EXTRA_ELEMENT}>\n",
                cdata("a field this client does not know")
            ));
        }
        out.push_str(&format!("{indent}</PROBLEM_RECORD>\n"));
    }
}

/// The stored text of repeating-row field `name` in `row`.
pub(crate) fn row_value(row: &Row, name: &str) -> String {
    match name {
        "TE_DATE" => dates::day(row.date),
        "TE_HOURS" => row.hours.clone(),
        "TE_USER" => row.user.clone(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_splits_cdata() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(cdata("x]]>y"), "<![CDATA[x]]]]><![CDATA[>y]]>");
    }
}
