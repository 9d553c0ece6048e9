//! Issues: `get`, `search`, `insert`, `update`, `delete` and `history`.

use std::collections::BTreeMap;

use axum::response::Response;

use super::data::{Comment, FIELDS, Field, Issue, Kind, Row, Store, field_named, list_value};
use super::xml::{View, row_value};
use super::{Call, dates, text};

/// Parameters every command may carry that are not field values.
const COMMON: [&str; 13] = [
    "statevar",
    "user_id",
    "password",
    "access_token",
    "username_display",
    "api_reverse_lookup",
    "ev_send_xml",
    "send_email",
    "p_template_file",
    "area",
    "project",
    "area_id",
    "proj_id",
];

/// Parameters of `search` that are not filters.
const SEARCH: [&str; 6] = [
    "page_length",
    "record_start",
    "record_count",
    "persist_handle",
    "report_id",
    "keyword",
];

/// Parameters of `update` (and `insert`, where `id` is no field either) that name the issue.
const LOOKUP: [&str; 2] = ["id", "strict"];

/// The field parameters of a call: every parameter that is not one of `reserved` (exact names)
/// resolved to its field in any letter case, the first value of each field kept.
fn field_params<'a>(
    call: &'a Call<'_>,
    reserved: &[&str],
) -> Result<Vec<(&'static Field, &'a str)>, String> {
    let mut seen = Vec::new();
    let mut fields = Vec::new();
    for (name, value) in call.params.pairs() {
        if COMMON.contains(&name.as_str()) || reserved.contains(&name.as_str()) {
            continue;
        }
        let field = field_named(name)
            .filter(|f| !(f.restricted && call.read_only()))
            .ok_or_else(|| text::invalid_field(name))?;
        if !seen.contains(&field.name) {
            seen.push(field.name);
            fields.push((field, value.as_str()));
        }
    }
    Ok(fields)
}

/// Writes `issues` as `<ROOT>` with one `PROBLEM_RECORD` each.
fn records<'i>(view: &View<'_>, root: &str, issues: impl Iterator<Item = &'i Issue>) -> Response {
    let mut out = format!("{}<{root}>\n", text::DECLARATION);
    for issue in issues {
        view.record(&mut out, issue, "  ");
    }
    out.push_str(&format!("</{root}>\n"));
    text::xml(out)
}

/// `get&id=N`: one issue as `PROBLEM_RECORD`.
pub(crate) fn get(call: &Call<'_>) -> Result<Response, String> {
    let id = call.required("id")?;
    let store = call.state.store();
    let found = call.find(&store, id)?;
    let issue = store
        .issues
        .get(&found)
        .ok_or_else(|| text::no_such_issue(call.state.id_prefix(), id))?;
    let view = call.view(&store)?;
    let mut out = text::DECLARATION.to_owned();
    view.record(&mut out, issue, "");
    Ok(text::xml(out))
}

/// A positive whole-number parameter, `None` when absent.
fn count(call: &Call<'_>, name: &str) -> Result<Option<usize>, String> {
    call.param(name)
        .map(|v| {
            v.parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| text::not_a_count(name))
        })
        .transpose()
}

/// `*` matches any run of characters; the rest must match in any letter case.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A date filter: `'from'-'to'` (inclusive; a day alone covers the whole day) or one date.
fn date_range(field: &Field, value: &str) -> Result<(i64, i64), String> {
    let bad = || text::bad_date(field.name, value);
    let end_of = |text: &str, at: i64| {
        if dates::is_date_only(text) {
            at + 86_399
        } else {
            at
        }
    };
    let trimmed = value.trim();
    let (from, to) = match trimmed.strip_prefix('\'') {
        Some(rest) => {
            let (from, to) = rest.split_once("'-'").ok_or_else(bad)?;
            (from, to.strip_suffix('\'').ok_or_else(bad)?)
        }
        None => (trimmed, trimmed),
    };
    let start = dates::parse(from).ok_or_else(bad)?;
    let end = dates::parse(to).ok_or_else(bad)?;
    Ok((start, end_of(to, end)))
}

/// Whether `issue` passes the filter `field=pattern`.
fn passes(issue: &Issue, field: &Field, pattern: &str) -> Result<bool, String> {
    let times: Vec<i64> = match field.name {
        "DATE_CREATED" => vec![issue.created],
        "TIMESTAMP" => vec![issue.modified],
        "TE_DATE" => issue.rows.iter().map(|r| r.date).collect(),
        _ => Vec::new(),
    };
    if matches!(field.kind, Kind::DateTime | Kind::Date) {
        let (from, to) = date_range(field, pattern)?;
        return Ok(times.iter().any(|t| (from..=to).contains(t)));
    }
    let values: Vec<String> = if field.row {
        issue
            .rows
            .iter()
            .map(|r| row_value(r, field.name))
            .collect()
    } else {
        vec![issue.raw(field.name)]
    };
    Ok(values.iter().any(|v| {
        glob(pattern, v)
            || (field.kind == Kind::List
                && list_value(field.name, v).is_some_and(|l| l.key.to_string() == pattern.trim()))
    }))
}

/// `search`: the issues that pass every filter and hold every keyword, by ID, one page of
/// them. `record_count` caps the whole result (it defaults to `page_length`, so a client
/// that pages past the first page without it gets an empty page, as the manual warns).
pub(crate) fn search(call: &Call<'_>) -> Result<Response, String> {
    if let Some(report) = call.param("report_id") {
        return Err(text::no_report(report));
    }
    let page_length = count(call, "page_length")?;
    let record_start = count(call, "record_start")?.unwrap_or(1);
    let record_count = count(call, "record_count")?.or(page_length);
    let filters = field_params(call, &SEARCH)?;
    let keywords: Vec<String> = call
        .param("keyword")
        .map(|k| k.split_whitespace().map(str::to_lowercase).collect())
        .unwrap_or_default();
    let store = call.state.store();
    let mut hits = Vec::new();
    for issue in store.issues.values() {
        let mut pass = true;
        for (field, pattern) in &filters {
            if !passes(issue, field, pattern)? {
                pass = false;
                break;
            }
        }
        if pass && !keywords.is_empty() {
            let mut haystack =
                format!("{}\n{}", issue.raw("SHORT_DESCR"), issue.raw("DESCRIPTION"));
            if !call.read_only() {
                haystack.push('\n');
                haystack.push_str(&issue.log_text());
            }
            let haystack = haystack.to_lowercase();
            pass = keywords.iter().all(|k| haystack.contains(k.as_str()));
        }
        if pass {
            hits.push(issue);
        }
    }
    hits.truncate(record_count.unwrap_or(usize::MAX));
    let page = hits
        .into_iter()
        .skip(record_start - 1)
        .take(page_length.unwrap_or(usize::MAX));
    let view = call.view(&store)?;
    Ok(records(&view, "EXTRAVIEW_RESULTS", page))
}

/// Applies the field parameters of an insert or update to `issue` (a working copy: nothing is
/// stored when this fails).
fn apply(
    call: &Call<'_>,
    store: &Store,
    issue: &mut Issue,
    fields: &[(&'static Field, &str)],
    inserting: bool,
) -> Result<(), String> {
    let title = |f: &Field| {
        if f.kind == Kind::Id {
            call.state.id_title().to_owned()
        } else {
            f.title.to_owned()
        }
    };
    let now = call.now();
    let mut row: BTreeMap<&str, String> = BTreeMap::new();
    let mut module_given = false;
    for &(field, value) in fields {
        let value = value.trim();
        if field.kind == Kind::Id && inserting {
            return Err(text::id_on_insert(call.state.id_title()));
        }
        if !field.writable {
            return Err(text::read_only(field, &title(field)));
        }
        let invalid = || text::invalid_value(field, &title(field), value);
        if field.row {
            if !value.is_empty() {
                row.insert(field.name, value.to_owned());
            }
            continue;
        }
        let stored = match field.kind {
            _ if value.is_empty() => String::new(),
            Kind::List => list_value(field.name, value)
                .filter(|v| !v.disabled)
                .ok_or_else(invalid)?
                .name
                .to_owned(),
            Kind::User => store
                .user(value)
                .filter(|u| !u.disabled)
                .ok_or_else(invalid)?
                .login
                .clone(),
            _ => value.to_owned(),
        };
        if field.name == "ALT_ID"
            && !stored.is_empty()
            && store
                .issues
                .values()
                .any(|i| i.id != issue.id && i.raw("ALT_ID") == stored)
        {
            return Err(text::alt_id_taken(field, &title(field), &stored));
        }
        if field.kind == Kind::LogArea {
            // A log area keeps every entry: the new text is added, nothing is replaced.
            if !stored.is_empty() {
                issue.comments.push(Comment {
                    at: now,
                    user: call.caller.login.clone(),
                    text: stored,
                });
            }
            continue;
        }
        module_given |= field.name == "MODULE_NAME";
        issue.values.insert(field.name, stored);
    }
    let module = issue.raw("MODULE_NAME");
    let fits = module.is_empty()
        || list_value("MODULE_NAME", &module)
            .and_then(|m| m.parent)
            .is_some_and(|p| p == issue.raw("PRODUCT_NAME"));
    if !fits {
        let field = field_named("MODULE_NAME").ok_or_else(|| text::invalid_field("MODULE_NAME"))?;
        if module_given {
            return Err(text::invalid_value(field, field.title, &module));
        }
        // The product changed under a module of the old one: the module no longer applies.
        issue.values.insert("MODULE_NAME", String::new());
    }
    if let Some(field) = FIELDS
        .iter()
        .find(|f| f.required && issue.raw(f.name).is_empty())
    {
        return Err(text::required(field, &title(field)));
    }
    if !row.is_empty() {
        issue.rows.push(new_row(call, store, &row, now)?);
    }
    Ok(())
}

/// A repeating row from the `TE_*` parameters: hours required, the date defaulting to today
/// and the user to the caller.
fn new_row(
    call: &Call<'_>,
    store: &Store,
    given: &BTreeMap<&str, String>,
    now: i64,
) -> Result<Row, String> {
    let field = |name: &str| field_named(name).ok_or_else(|| text::invalid_field(name));
    let hours_field = field("TE_HOURS")?;
    let hours = given
        .get("TE_HOURS")
        .ok_or_else(|| text::required(hours_field, hours_field.title))?;
    if !hours
        .parse::<f64>()
        .is_ok_and(|h| h.is_finite() && h >= 0.0)
    {
        return Err(text::invalid_value(hours_field, hours_field.title, hours));
    }
    let date = match given.get("TE_DATE") {
        None => now,
        Some(d) => {
            let f = field("TE_DATE")?;
            dates::parse(d).ok_or_else(|| text::invalid_value(f, f.title, d))?
        }
    };
    let user = match given.get("TE_USER") {
        None => call.caller.login.clone(),
        Some(u) => {
            let f = field("TE_USER")?;
            store
                .user(u)
                .filter(|u| !u.disabled)
                .ok_or_else(|| text::invalid_value(f, f.title, u))?
                .login
                .clone()
        }
    };
    Ok(Row {
        date,
        hours: hours.clone(),
        user,
    })
}

/// `insert`: a new issue from the field parameters; `Bug # N added.`
pub(crate) fn insert(call: &Call<'_>) -> Result<Response, String> {
    if call.read_only() {
        return Err(text::denied("add issues"));
    }
    let fields = field_params(call, &[])?;
    let mut store = call.state.store();
    let now = call.now();
    let mut values = BTreeMap::new();
    values.insert("STATUS", "NEW".to_owned());
    values.insert("ORIGINATOR", call.caller.login.clone());
    let mut issue = Issue {
        id: store.next_id,
        values,
        comments: Vec::new(),
        rows: Vec::new(),
        created: now,
        modified: now,
    };
    apply(call, &store, &mut issue, &fields, true)?;
    let id = issue.id;
    store.next_id += 1;
    store.save(issue);
    Ok(text::message(format!(
        "{}{id} added.",
        call.state.id_prefix()
    )))
}

/// `update&id=N`: the given fields changed (a log area gets a new entry); `Bug # N updated.`
pub(crate) fn update(call: &Call<'_>) -> Result<Response, String> {
    if call.read_only() {
        return Err(text::denied("update issues"));
    }
    let id = call.required("id")?;
    let fields = field_params(call, &LOOKUP)?;
    let mut store = call.state.store();
    let found = call.find(&store, id)?;
    let mut issue = store
        .issues
        .get(&found)
        .cloned()
        .ok_or_else(|| text::no_such_issue(call.state.id_prefix(), id))?;
    apply(call, &store, &mut issue, &fields, false)?;
    issue.modified = call.now();
    store.save(issue);
    Ok(text::message(format!(
        "{}{found} updated.",
        call.state.id_prefix()
    )))
}

/// `delete&id=N`: the issue, its history and attachments gone; `Bug # N deleted.`
pub(crate) fn delete(call: &Call<'_>) -> Result<Response, String> {
    if call.read_only() {
        return Err(text::denied("delete issues"));
    }
    let id = call.required("id")?;
    let mut store = call.state.store();
    let found = call.find(&store, id)?;
    store.remove(found);
    Ok(text::message(format!(
        "{}{found} deleted.",
        call.state.id_prefix()
    )))
}

/// `history&cutoff=...`: every version saved after `cutoff` (exclusive) and up to
/// `cutoff_end` (inclusive), oldest first, as `HISTORY`; `evhist_sellist` picks the fields.
pub(crate) fn history(call: &Call<'_>) -> Result<Response, String> {
    let cutoff_text = call.required("cutoff")?;
    let cutoff = dates::parse(cutoff_text).ok_or_else(|| text::bad_date("cutoff", cutoff_text))?;
    let end = call
        .param("cutoff_end")
        .map(|t| dates::parse(t).ok_or_else(|| text::bad_date("cutoff_end", t)))
        .transpose()?;
    let only = call
        .param("evhist_sellist")
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| {
                    field_named(n)
                        .map(|f| f.name)
                        .ok_or_else(|| text::invalid_field(n))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let store = call.state.store();
    let mut versions: Vec<&Issue> = store
        .history
        .iter()
        .filter(|v| v.modified > cutoff && end.is_none_or(|e| v.modified <= e))
        .collect();
    // Stable: versions saved in the same second keep the order they were saved in.
    versions.sort_by_key(|v| v.modified);
    let mut view = call.view(&store)?;
    view.only = only;
    Ok(records(&view, "HISTORY", versions.into_iter()))
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn wildcards() {
        assert!(glob("*ap181827", "xx-AP181827"));
        assert!(glob("vpn*", "VPN drops every hour"));
        assert!(glob("*drops*", "VPN drops every hour"));
        assert!(glob("open", "OPEN"));
        assert!(!glob("open", "OPENED"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(glob("*", ""));
    }
}
