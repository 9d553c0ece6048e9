//! Metadata and the server: `allowed_list`, `get_valid_meta_data`, `add_field_list` and
//! `edit_field_list`, `get_users`, `get_heartbeat`. Text lines are joined with the install's
//! delimiter.

use axum::response::Response;

use super::data::{FIELDS, Field, Kind, ROW, User, field_named, list_value, list_values};
use super::records::glob;
use super::{Call, dates, text};
use crate::shared::seed::hash;

/// The screen title of `field` on this install.
fn title<'a>(call: &'a Call<'_>, field: &'a Field) -> &'a str {
    if field.kind == Kind::Id {
        call.state.id_title()
    } else {
        field.title
    }
}

/// A field parameter's field, or the invalid-name message.
fn field(call: &Call<'_>, name: &str) -> Result<&'static Field, String> {
    field_named(name)
        .filter(|f| !(f.restricted && call.read_only()))
        .ok_or_else(|| text::invalid_field(name))
}

/// `allowed_list&field=F[&parent=P&parent_val=V]`: `key<d>title` per enabled value (for a
/// user field, `login<d>name` per enabled user).
pub(crate) fn allowed_list(call: &Call<'_>) -> Result<Response, String> {
    let field = field(call, call.required("field")?)?;
    let store = call.state.store();
    match field.kind {
        Kind::List => {
            let mut parent_value = None;
            if let Some(parent_name) = call.param("parent") {
                let parent = self::field(call, parent_name)?;
                if field.parent != Some(parent.name) {
                    return Err(text::no_dependency(
                        field,
                        title(call, field),
                        parent,
                        title(call, parent),
                    ));
                }
                let value = call.required("parent_val")?;
                let found = list_value(parent.name, value)
                    .ok_or_else(|| text::invalid_value(parent, title(call, parent), value))?;
                parent_value = Some(found.name);
            }
            let lines = list_values(field.name)
                .iter()
                .filter(|v| !v.disabled && parent_value.is_none_or(|p| v.parent == Some(p)))
                .map(|v| call.state.join(&[&v.key.to_string(), v.title]));
            Ok(text::lines(lines))
        }
        Kind::User => {
            let view = call.view(&store)?;
            let lines = store
                .users
                .iter()
                .filter(|u| !u.disabled)
                .map(|u| call.state.join(&[&u.login, &view.user(&u.login)]));
            Ok(text::lines(lines.collect::<Vec<_>>()))
        }
        _ => Err(text::not_a_list(field, title(call, field))),
    }
}

/// `get_valid_meta_data[&fields=F...][&user_info=Y|N][&disabled_values=Y][&all=Y]`:
/// `field<d>name<d>title` per list value, and per user of user fields unless `user_info=N`.
/// The sandbox has one area and project, so `all` changes nothing.
pub(crate) fn valid_meta_data(call: &Call<'_>) -> Result<Response, String> {
    let mut chosen = Vec::new();
    for name in call
        .params
        .all("fields")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        chosen.push(field(call, name)?);
    }
    if chosen.is_empty() {
        chosen = FIELDS
            .iter()
            .filter(|f| matches!(f.kind, Kind::List | Kind::User))
            .filter(|f| !(f.restricted && call.read_only()))
            .collect();
    }
    let user_info = call.param("user_info").is_none_or(super::is_yes);
    let disabled = call.flag("disabled_values");
    let store = call.state.store();
    let view = call.view(&store)?;
    let mut lines = Vec::new();
    for field in chosen {
        match field.kind {
            Kind::List => lines.extend(
                list_values(field.name)
                    .iter()
                    .filter(|v| disabled || !v.disabled)
                    .map(|v| call.state.join(&[field.name, v.name, v.title])),
            ),
            Kind::User if user_info => {
                lines.extend(store.users.iter().filter(|u| !u.disabled).map(|u| {
                    call.state
                        .join(&[field.name, &u.login, &view.user(&u.login)])
                }))
            }
            _ => {}
        }
    }
    Ok(text::lines(lines))
}

/// `add_field_list` / `edit_field_list`: `<prefix><FIELD><d><Title><d><parent>` per field of
/// the layout. Prefixes: `+` required, `~` repeating-row field, `*` text area or log area,
/// `%` user field; the parent is the list a field depends on, or the row it belongs to.
pub(crate) fn field_list(call: &Call<'_>, add: bool) -> Result<Response, String> {
    let lines = FIELDS
        .iter()
        .filter(|f| if add { f.on_add } else { f.writable })
        .filter(|f| !(f.restricted && call.read_only()))
        .map(|f| {
            let mut prefix = String::new();
            if f.required {
                prefix.push('+');
            }
            if f.row {
                prefix.push('~');
            }
            match f.kind {
                Kind::TextArea | Kind::LogArea => prefix.push('*'),
                Kind::User => prefix.push('%'),
                _ => {}
            }
            let parent = f.parent.unwrap_or(if f.row { ROW } else { "" });
            call.state
                .join(&[&format!("{prefix}{}", f.name), title(call, f), parent])
        });
    Ok(text::lines(lines.collect::<Vec<_>>()))
}

/// `get_users[&disabled=Y|N|ONLY][&filter=*OB*][&filter_type=ID|FIRST|LAST ...]`:
/// `login<d>first<d>last` per user.
pub(crate) fn users(call: &Call<'_>) -> Result<Response, String> {
    let which = call
        .param("disabled")
        .map(str::to_ascii_uppercase)
        .unwrap_or_else(|| "N".to_owned());
    let keep: fn(&User) -> bool = match which.as_str() {
        "N" => |u| !u.disabled,
        "Y" => |_| true,
        "ONLY" => |u| u.disabled,
        _ => return Err("Error: disabled must be Y, N or ONLY.".to_owned()),
    };
    let mut types = Vec::new();
    for t in call.params.all("filter_type").map(str::trim) {
        match t.to_ascii_uppercase().as_str() {
            "ID" | "FIRST" | "LAST" => types.push(t.to_ascii_uppercase()),
            _ => return Err("Error: filter_type must be ID, FIRST or LAST.".to_owned()),
        }
    }
    if types.is_empty() {
        types.push("ID".to_owned());
    }
    let filter = call.param("filter");
    let store = call.state.store();
    let lines = store
        .users
        .iter()
        .filter(|u| keep(u))
        .filter(|u| {
            filter.is_none_or(|f| {
                types.iter().any(|t| match t.as_str() {
                    "FIRST" => glob(f, u.first),
                    "LAST" => glob(f, u.last),
                    _ => glob(f, &u.login),
                })
            })
        })
        .map(|u| call.state.join(&[&u.login, u.first, u.last]));
    Ok(text::lines(lines.collect::<Vec<_>>()))
}

/// Background tasks `tasks=yes` reports: name, poll interval in seconds.
const TASKS: [(&str, u64); 2] = [("EMAIL_NOTIFICATION", 60), ("INCOMING_EMAIL", 300)];

/// `get_heartbeat[&tasks=yes]`: the `EV_HEARTBEAT` document. Memory and execution time vary
/// with the minute, from the seed.
pub(crate) fn heartbeat(call: &Call<'_>) -> Result<Response, String> {
    let now = call.now();
    let wobble = hash(call.state.seed, &[now.div_euclid(60) as u64]);
    let mut out = format!(
        "{}<EV_HEARTBEAT>\n  <EV_STATUS>EXTRAVIEW ALIVE</EV_STATUS>\n  \
         <DB_STATUS>DB CONNECTION CONFIRMED</DB_STATUS>\n  <DB_DATETIME>{}</DB_DATETIME>\n  \
         <FREE_MEMORY>{}</FREE_MEMORY>\n  <TOTAL_MEMORY>512</TOTAL_MEMORY>\n  \
         <HEARTBEAT_EXEC_TIME>{}</HEARTBEAT_EXEC_TIME>\n",
        text::DECLARATION,
        dates::heartbeat(now),
        150 + wobble % 200,
        5 + (wobble >> 16) % 40,
    );
    if call.flag("tasks") {
        for (task, interval) in TASKS {
            let since = now.rem_euclid(interval as i64);
            out.push_str(&format!(
                "  <TASK_INFO TASK=\"{task}\">\n    <NODE_ID>sandbox-node-1</NODE_ID>\n    \
                 <START_OPTION>START_ON_BOOT</START_OPTION>\n    \
                 <TASK_STATE>STARTED</TASK_STATE>\n    \
                 <POLL_INTERVAL>{interval}</POLL_INTERVAL>\n    <THREAD_INFO>\n      \
                 <THREAD_STATE>SLEEPING</THREAD_STATE>\n      \
                 <SECS_SINCE_EXECUTION>{since}</SECS_SINCE_EXECUTION>\n    </THREAD_INFO>\n  \
                 </TASK_INFO>\n"
            ));
        }
    }
    out.push_str("</EV_HEARTBEAT>\n");
    Ok(text::xml(out))
}
