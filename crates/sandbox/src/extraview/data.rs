//! The install's data dictionary (fields, list values), its users, and the seeded issues with
//! their history and attachments.

use std::collections::BTreeMap;

use super::dates;
use crate::shared::seed::SeededRng;

/// 2024-01-01 00:00 at the server (07:00 UTC): seeded issues are created in the 30 days
/// after this instant.
pub(crate) const EPOCH: i64 = 1_704_067_200 - dates::SERVER_OFFSET_SECS as i64;
/// Names the ExtraView stream of the seeded generator.
const SEED_TAG: u64 = 0x4556_4a41_5641;
/// The ID of the first seeded issue (the vendor's examples show five-digit IDs).
pub(crate) const FIRST_ID: u64 = 12_301;
/// The id of the first attachment (the vendor's examples show seven-digit ids).
pub(crate) const FIRST_ATTACHMENT_ID: u64 = 1_762_001;
/// The user id of the read-only demo user.
pub(crate) const READONLY_USER_ID: &str = "SANDBOX_READONLY";
/// Its password.
pub(crate) const READONLY_PASSWORD: &str = "sandbox-extraview-readonly";

/// What kind of value a field holds; decides validation, rendering and the layout prefixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The issue number.
    Id,
    /// One line of text.
    Text,
    /// Free text (`*` in the layouts).
    TextArea,
    /// A log area: an update appends an entry (`*` in the layouts).
    LogArea,
    /// A value of the field's allowed list.
    List,
    /// A user's login id (`%` in the layouts).
    User,
    /// A date and time the server sets.
    DateTime,
    /// A day.
    Date,
    /// A decimal number.
    Number,
}

/// One field of the data dictionary.
#[derive(Debug)]
pub(crate) struct Field {
    /// The data-dictionary name (`SHORT_DESCR`), the element name in XML.
    pub(crate) name: &'static str,
    /// The screen title, the `TITLE` attribute (`ID`'s comes from the configuration).
    pub(crate) title: &'static str,
    /// What it holds.
    pub(crate) kind: Kind,
    /// Whether an insert must give it (`+` in the layouts).
    pub(crate) required: bool,
    /// Whether insert and update may set it.
    pub(crate) writable: bool,
    /// Whether it is on the add layout (writable fields are all on the edit layout).
    pub(crate) on_add: bool,
    /// The element that wraps it in XML (`MODULE_RECORD`) or, for a repeating-row field,
    /// the row's name.
    pub(crate) group: Option<&'static str>,
    /// Whether it belongs to the repeating row (`~` in the layouts).
    pub(crate) row: bool,
    /// The list field whose value narrows this one's allowed values.
    pub(crate) parent: Option<&'static str>,
    /// Hidden from the read-only user: field security omits it silently.
    pub(crate) restricted: bool,
}

const fn field(name: &'static str, title: &'static str, kind: Kind) -> Field {
    Field {
        name,
        title,
        kind,
        required: false,
        writable: true,
        on_add: true,
        group: None,
        row: false,
        parent: None,
        restricted: false,
    }
}

const fn server_set(name: &'static str, title: &'static str, kind: Kind) -> Field {
    Field {
        writable: false,
        on_add: false,
        ..field(name, title, kind)
    }
}

const fn row_field(name: &'static str, title: &'static str, kind: Kind) -> Field {
    Field {
        group: Some(ROW),
        row: true,
        ..field(name, title, kind)
    }
}

/// The name of the repeating row (its fields are `TE_*`).
pub(crate) const ROW: &str = "TIME_ENTRY";

/// The data dictionary, in the order records list the fields.
pub(crate) static FIELDS: [Field; 19] = [
    server_set("ID", "", Kind::Id),
    field("ALT_ID", "External ID", Kind::Text),
    field("STATUS", "Status", Kind::List),
    Field {
        required: true,
        ..field("SHORT_DESCR", "Title", Kind::Text)
    },
    Field {
        required: true,
        ..field("DESCRIPTION", "Description", Kind::TextArea)
    },
    Field {
        required: true,
        ..field("PRIORITY", "Priority", Kind::List)
    },
    field("SEVERITY_LEVEL", "Severity", Kind::List),
    field("PRODUCT_NAME", "Product", Kind::List),
    field("ASSIGNED_TO", "Assigned To", Kind::User),
    server_set("ORIGINATOR", "Originator", Kind::User),
    server_set("DATE_CREATED", "Created", Kind::DateTime),
    server_set("TIMESTAMP", "Last Modified", Kind::DateTime),
    Field {
        restricted: true,
        ..field("COMMENTS", "Comments", Kind::LogArea)
    },
    Field {
        group: Some("MODULE_RECORD"),
        parent: Some("PRODUCT_NAME"),
        ..field("MODULE_NAME", "Module", Kind::List)
    },
    Field {
        group: Some("RELEASE_RECORD"),
        ..field("RELEASE_FOUND", "Version Open", Kind::List)
    },
    Field {
        group: Some("RELEASE_RECORD"),
        on_add: false,
        ..field("RELEASE_FIXED", "Version Fixed", Kind::List)
    },
    row_field("TE_DATE", "Work Date", Kind::Date),
    row_field("TE_HOURS", "Hours", Kind::Number),
    row_field("TE_USER", "Worked By", Kind::User),
];

/// The field named `name` in any letter case.
pub(crate) fn field_named(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

/// One allowed value of a list field.
#[derive(Debug)]
pub(crate) struct ListValue {
    /// The internal key clients may send instead of the name.
    pub(crate) key: u32,
    /// The value as records show it.
    pub(crate) name: &'static str,
    /// The screen title (`api_reverse_lookup=YES` shows it).
    pub(crate) title: &'static str,
    /// The parent field's value this one belongs under.
    pub(crate) parent: Option<&'static str>,
    /// Disabled values stay on old issues but cannot be chosen.
    pub(crate) disabled: bool,
}

const fn value(key: u32, name: &'static str, title: &'static str) -> ListValue {
    ListValue {
        key,
        name,
        title,
        parent: None,
        disabled: false,
    }
}

const fn child(
    key: u32,
    name: &'static str,
    title: &'static str,
    parent: &'static str,
) -> ListValue {
    ListValue {
        parent: Some(parent),
        ..value(key, name, title)
    }
}

static STATUS: [ListValue; 6] = [
    value(1001, "NEW", "New"),
    value(1002, "OPEN", "Open"),
    value(1003, "ASSIGNED", "Assigned"),
    value(1004, "FIXED", "Fixed"),
    value(1005, "CLOSED", "Closed"),
    ListValue {
        disabled: true,
        ..value(1006, "DEFERRED", "Deferred")
    },
];
static PRIORITY: [ListValue; 4] = [
    value(1101, "P1", "P1 - Critical"),
    value(1102, "P2", "P2 - High"),
    value(1103, "P3", "P3 - Medium"),
    value(1104, "P4", "P4 - Low"),
];
static SEVERITY: [ListValue; 4] = [
    value(1201, "01", "01 - Outage"),
    value(1202, "02", "02 - Major"),
    value(1203, "03", "03 - Minor"),
    value(1204, "04", "04 - Cosmetic"),
];
static PRODUCT: [ListValue; 3] = [
    value(1301, "WIDGET", "Widget"),
    value(1302, "GADGET", "Gadget"),
    value(1303, "PORTAL", "Customer Portal"),
];
static MODULE: [ListValue; 6] = [
    child(1401, "POWER_SUPPLY", "Power Supply", "WIDGET"),
    child(1402, "FIRMWARE", "Firmware", "WIDGET"),
    child(1403, "DISPLAY", "Display", "GADGET"),
    child(1404, "BATTERY", "Battery", "GADGET"),
    child(1405, "SERVER", "Server", "PORTAL"),
    child(1406, "WEB_UI", "Web UI", "PORTAL"),
];
static RELEASE: [ListValue; 4] = [
    value(1501, "1.0.1", "1.0.1"),
    value(1502, "1.1.0", "1.1.0"),
    value(1503, "1.2.0", "1.2.0"),
    value(1504, "2.0.0", "2.0.0"),
];

/// The allowed values of list field `field`, disabled ones included (empty for others).
pub(crate) fn list_values(field: &str) -> &'static [ListValue] {
    match field {
        "STATUS" => &STATUS,
        "PRIORITY" => &PRIORITY,
        "SEVERITY_LEVEL" => &SEVERITY,
        "PRODUCT_NAME" => &PRODUCT,
        "MODULE_NAME" => &MODULE,
        "RELEASE_FOUND" | "RELEASE_FIXED" => &RELEASE,
        _ => &[],
    }
}

/// The value of list `field` that `text` names: its key, or its name in any letter case.
pub(crate) fn list_value(field: &str, text: &str) -> Option<&'static ListValue> {
    let text = text.trim();
    list_values(field)
        .iter()
        .find(|v| v.name.eq_ignore_ascii_case(text) || v.key.to_string() == text)
}

/// What a user may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Everything.
    Admin,
    /// Reads only; no writes, no restricted fields.
    ReadOnly,
}

/// A user of the install.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub(crate) login: String,
    pub(crate) first: &'static str,
    pub(crate) last: &'static str,
    pub(crate) password: Option<String>,
    pub(crate) disabled: bool,
    pub(crate) role: Role,
}

impl User {
    fn seeded(login: &str, first: &'static str, last: &'static str) -> Self {
        Self {
            login: login.to_owned(),
            first,
            last,
            password: None,
            disabled: false,
            role: Role::Admin,
        }
    }
}

/// The seeded users without the API user: those issues are assigned to.
const WORKERS: [(&str, &str, &str); 4] = [
    ("JDOE", "Jane", "Doe"),
    ("ASMITH", "Alan", "Smith"),
    ("MCHEN", "Mei", "Chen"),
    ("RPATEL", "Ravi", "Patel"),
];

/// The login of the seeded user who is disabled.
pub(crate) const DISABLED_USER: &str = "KLEE";

/// Every login the seed takes, so the configured API user cannot collide with one.
pub(crate) fn seeded_logins() -> impl Iterator<Item = &'static str> {
    [READONLY_USER_ID, DISABLED_USER]
        .into_iter()
        .chain(WORKERS.iter().map(|w| w.0))
}

/// A log-area entry.
#[derive(Clone, Debug)]
pub(crate) struct Comment {
    pub(crate) at: i64,
    pub(crate) user: String,
    pub(crate) text: String,
}

/// One repeating row.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub(crate) date: i64,
    pub(crate) hours: String,
    pub(crate) user: String,
}

/// An issue (ExtraView's `PROBLEM_RECORD`).
#[derive(Clone, Debug)]
pub(crate) struct Issue {
    pub(crate) id: u64,
    /// Text, list and user fields by name (list values by name, users by login id).
    pub(crate) values: BTreeMap<&'static str, String>,
    /// The `COMMENTS` log, oldest first.
    pub(crate) comments: Vec<Comment>,
    pub(crate) rows: Vec<Row>,
    pub(crate) created: i64,
    pub(crate) modified: i64,
}

impl Issue {
    /// The stored text of a field that is not a repeating-row field (list names, logins).
    pub(crate) fn raw(&self, name: &str) -> String {
        match name {
            "ID" => self.id.to_string(),
            "DATE_CREATED" => dates::record(self.created),
            "TIMESTAMP" => dates::record(self.modified),
            "COMMENTS" => self.log_text(),
            _ => self.values.get(name).cloned().unwrap_or_default(),
        }
    }

    /// The log area as one text: newest entry first, each a `M/D/YY h:mm AM <user>` line and
    /// the comment, entries apart by a blank line.
    pub(crate) fn log_text(&self) -> String {
        self.comments
            .iter()
            .rev()
            .map(|c| format!("{} {}\n{}", dates::log_header(c.at), c.user, c.text))
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

/// A file attached to an issue.
#[derive(Clone, Debug)]
pub(crate) struct Attachment {
    pub(crate) id: u64,
    pub(crate) issue: u64,
    pub(crate) at: i64,
    pub(crate) filename: String,
    pub(crate) data: Vec<u8>,
    pub(crate) uploader: String,
    pub(crate) description: Option<String>,
    pub(crate) mime: String,
}

/// Everything the install holds.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) issues: BTreeMap<u64, Issue>,
    /// A copy of an issue after each insert and update, in the order they happened.
    pub(crate) history: Vec<Issue>,
    pub(crate) attachments: BTreeMap<u64, Attachment>,
    pub(crate) users: Vec<User>,
    pub(crate) next_id: u64,
    pub(crate) next_attachment: u64,
}

const TITLES: [&str; 24] = [
    "VPN drops every hour",
    "Printer offline after driver update",
    "Login page times out under load",
    "Password reset mail never arrives",
    "Dashboard shows stale totals",
    "Battery drains overnight in standby",
    "Firmware update stalls at 90%",
    "Display flickers at low brightness",
    "Report export cuts off long names",
    "Search ignores accented letters",
    "Power supply fan is loud",
    "Session lost after switching tabs",
    "Invoice PDF has the wrong tax rate",
    "Sync skips records edited offline",
    "Wrong time zone in reminder mails",
    "Upload of large files fails",
    "Charts render blank in dark mode",
    "Duplicate notifications on mobile",
    "Keyboard shortcuts stop working",
    "Audit log misses deletions",
    "Status page reports a false outage",
    "Scanner not detected over USB-C",
    "CSV import rejects quoted commas",
    "Help link opens a 404 page",
];

const STEPS: [&str; 5] = [
    "Happens on every attempt.",
    "Seen twice this week by the same customer.",
    "Only after the nightly backup runs.",
    "Reproduced on a clean install.",
    "Intermittent; no pattern yet.",
];

const NOTES: [&str; 5] = [
    "Reproduced here; collecting logs.",
    "Customer confirmed the workaround helps.",
    "Waiting for the next maintenance window.",
    "Fix is in review.",
    "Could not reproduce on the latest build.",
];

/// Statuses a seeded issue may end in (the disabled `DEFERRED` never).
const END_STATUSES: [&str; 5] = ["NEW", "OPEN", "ASSIGNED", "FIXED", "CLOSED"];

impl Store {
    /// The install fixed by `seed`: the users (the API user `user_id` first) and `issues`
    /// issues with their history; the first two issues carry an attachment each.
    pub(crate) fn generate(seed: u64, issues: usize, user_id: &str, password: &str) -> Self {
        let mut users = vec![
            User {
                password: Some(password.to_owned()),
                ..User::seeded(user_id, "Sandbox", "API")
            },
            User {
                password: Some(READONLY_PASSWORD.to_owned()),
                role: Role::ReadOnly,
                ..User::seeded(READONLY_USER_ID, "Sandbox", "Read-Only")
            },
        ];
        users.extend(WORKERS.iter().map(|(l, f, s)| User::seeded(l, f, s)));
        users.push(User {
            disabled: true,
            ..User::seeded(DISABLED_USER, "Kim", "Lee")
        });
        let mut store = Self {
            issues: BTreeMap::new(),
            history: Vec::new(),
            attachments: BTreeMap::new(),
            users,
            next_id: FIRST_ID,
            next_attachment: FIRST_ATTACHMENT_ID,
        };
        let step = (30 * 86_400 / i64::try_from(issues.max(1)).unwrap_or(1)).max(2);
        for i in 0..issues {
            let mut rng = SeededRng::derive(seed, &[SEED_TAG, i as u64]);
            let created = EPOCH + i as i64 * step + rng.int(0, step / 2);
            let (first, last) = seeded_issue(&mut rng, store.next_id, i, created);
            let issue = last.clone().unwrap_or_else(|| first.clone());
            store.history.push(first);
            store.history.extend(last);
            store.next_id += 1;
            if i < 2 {
                store.seed_attachment(&mut rng, &issue, i == 0);
            }
            store.issues.insert(issue.id, issue);
        }
        store
    }

    fn seed_attachment(&mut self, rng: &mut SeededRng, issue: &Issue, text: bool) {
        let (filename, mime, data, description) = if text {
            let lines: String = (0..4)
                .map(|n| {
                    format!(
                        "{} ERROR connection reset by peer (code {})\n",
                        dates::record(issue.created + n * 61),
                        rng.int(100, 999)
                    )
                })
                .collect();
            (
                "server.log",
                "text/plain",
                lines.into_bytes(),
                Some("Server log from the customer".to_owned()),
            )
        } else {
            // A PNG signature and seeded bytes: binary content, with a zero byte and CR/LF in
            // it, to catch clients that read attachments as text.
            let mut data = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
            data.extend((0..64).map(|_| rng.below(256) as u8));
            ("screenshot.png", "image/png", data, None)
        };
        let id = self.next_attachment;
        self.next_attachment += 1;
        self.attachments.insert(
            id,
            Attachment {
                id,
                issue: issue.id,
                at: issue.created + 3600,
                filename: filename.to_owned(),
                data,
                uploader: WORKERS[0].0.to_owned(),
                description,
                mime: mime.to_owned(),
            },
        );
    }

    /// The user with login id `login`, in any letter case.
    pub(crate) fn user(&self, login: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.login.eq_ignore_ascii_case(login.trim()))
    }

    /// The issue `id` names: with `strict`, only an `ALT_ID`; otherwise an `ID`, then an
    /// `ALT_ID`.
    pub(crate) fn find(&self, id: &str, strict: bool) -> Option<u64> {
        let id = id.trim();
        let by_alt = || {
            self.issues
                .values()
                .find(|i| i.values.get("ALT_ID").is_some_and(|a| a == id))
                .map(|i| i.id)
        };
        if strict {
            return by_alt();
        }
        id.parse::<u64>()
            .ok()
            .filter(|n| self.issues.contains_key(n))
            .or_else(by_alt)
    }

    /// Stores `issue` and records the version in the history.
    pub(crate) fn save(&mut self, issue: Issue) {
        self.history.push(issue.clone());
        self.issues.insert(issue.id, issue);
    }

    /// Removes issue `id`, its history and its attachments.
    pub(crate) fn remove(&mut self, id: u64) {
        self.issues.remove(&id);
        self.history.retain(|v| v.id != id);
        self.attachments.retain(|_, a| a.issue != id);
    }
}

/// Seeded issue `i`: the version as entered and, unless it is still `NEW`, the version it
/// ended in.
fn seeded_issue(rng: &mut SeededRng, id: u64, i: usize, created: i64) -> (Issue, Option<Issue>) {
    let pick = |rng: &mut SeededRng, n: usize| rng.below(n as u64) as usize;
    let title = match i {
        2 => "Export fails when a name holds <, > or & characters".to_owned(),
        5 => "Umlaute in Straßennamen brechen die Suche".to_owned(),
        _ => TITLES[pick(rng, TITLES.len())].to_owned(),
    };
    let product = &PRODUCT[pick(rng, PRODUCT.len())];
    let modules: Vec<&ListValue> = MODULE
        .iter()
        .filter(|m| m.parent == Some(product.name))
        .collect();
    let module = modules[pick(rng, modules.len())];
    let found = pick(rng, RELEASE.len() - 1);
    let description = if i == 4 {
        "The XML export writes ]]> inside a CDATA section and the importer stops there.".to_owned()
    } else {
        format!(
            "{title}. Seen on {} {}. {}",
            product.title,
            RELEASE[found].name,
            STEPS[pick(rng, STEPS.len())]
        )
    };
    let originator = WORKERS[pick(rng, WORKERS.len())].0;
    let mut values = BTreeMap::new();
    values.insert("ALT_ID", format!("EXT-{}", 40_000 + i * 17 + pick(rng, 17)));
    values.insert("STATUS", "NEW".to_owned());
    values.insert("SHORT_DESCR", title);
    values.insert("DESCRIPTION", description);
    values.insert(
        "PRIORITY",
        PRIORITY[pick(rng, PRIORITY.len())].name.to_owned(),
    );
    values.insert(
        "SEVERITY_LEVEL",
        SEVERITY[pick(rng, SEVERITY.len())].name.to_owned(),
    );
    values.insert("PRODUCT_NAME", product.name.to_owned());
    values.insert("MODULE_NAME", module.name.to_owned());
    values.insert("RELEASE_FOUND", RELEASE[found].name.to_owned());
    values.insert("ORIGINATOR", originator.to_owned());
    let first = Issue {
        id,
        values,
        comments: Vec::new(),
        rows: Vec::new(),
        created,
        modified: created,
    };
    let status = END_STATUSES[pick(rng, END_STATUSES.len())];
    if status == "NEW" {
        return (first, None);
    }
    let mut last = first.clone();
    let modified = created + rng.int(3600, 72 * 3600);
    let worker = WORKERS[pick(rng, WORKERS.len())].0;
    last.modified = modified;
    last.values.insert("STATUS", status.to_owned());
    last.values.insert("ASSIGNED_TO", worker.to_owned());
    if matches!(status, "FIXED" | "CLOSED") {
        let fixed = found + 1 + pick(rng, RELEASE.len() - 1 - found);
        last.values
            .insert("RELEASE_FIXED", RELEASE[fixed].name.to_owned());
    }
    let span = (modified - created).max(2);
    for n in 0..1 + pick(rng, 2) {
        last.comments.push(Comment {
            at: created + span * (n as i64 + 1) / 3,
            user: worker.to_owned(),
            text: NOTES[pick(rng, NOTES.len())].to_owned(),
        });
    }
    if matches!(status, "ASSIGNED" | "FIXED" | "CLOSED") {
        for n in 0..pick(rng, 3) {
            last.rows.push(Row {
                date: created + n as i64 * 86_400,
                hours: format!("{:.1}", rng.int(1, 16) as f64 / 2.0),
                user: worker.to_owned(),
            });
        }
    }
    (first, Some(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_fixes_the_issues() {
        let a = Store::generate(7, 30, "API", "pw");
        let b = Store::generate(7, 30, "API", "pw");
        let c = Store::generate(8, 30, "API", "pw");
        let text = |s: &Store| format!("{:?}", s.issues);
        assert_eq!(text(&a), text(&b));
        assert_ne!(text(&a), text(&c));
        assert_eq!(a.issues.len(), 30);
        assert_eq!(a.next_id, FIRST_ID + 30);
        assert_eq!(a.attachments.len(), 2);
        assert!(a.history.len() >= 30);
    }

    #[test]
    fn seeded_values_are_allowed_and_consistent() {
        let store = Store::generate(42, 200, "API", "pw");
        let mut alt_ids = std::collections::HashSet::new();
        for issue in store.issues.values() {
            for f in FIELDS.iter().filter(|f| f.kind == Kind::List) {
                let v = issue.raw(f.name);
                assert!(v.is_empty() || list_value(f.name, &v).is_some(), "{v}");
            }
            let module = list_value("MODULE_NAME", &issue.raw("MODULE_NAME"));
            assert_eq!(
                module.and_then(|m| m.parent),
                Some(issue.raw("PRODUCT_NAME").as_str())
            );
            assert!(alt_ids.insert(issue.raw("ALT_ID")));
            assert!(issue.modified >= issue.created);
        }
    }

    #[test]
    fn lookups() {
        let store = Store::generate(1, 3, "API", "pw");
        let alt = store.issues[&FIRST_ID].raw("ALT_ID");
        assert_eq!(store.find(&FIRST_ID.to_string(), false), Some(FIRST_ID));
        assert_eq!(store.find(&alt, false), Some(FIRST_ID));
        assert_eq!(store.find(&alt, true), Some(FIRST_ID));
        assert_eq!(store.find(&FIRST_ID.to_string(), true), None);
        assert!(store.user("jdoe").is_some());
        assert_eq!(list_value("PRIORITY", "1102").map(|v| v.name), Some("P2"));
        assert_eq!(list_value("PRIORITY", "p2").map(|v| v.key), Some(1102));
        assert!(list_value("PRIORITY", "P2 - High").is_none());
    }
}
