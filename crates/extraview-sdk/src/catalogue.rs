//! The commands this SDK speaks, as data: each command's `statevar`, parameters, HTTP method
//! and answer format.
//!
//! ExtraView has one endpoint and selects the command with `statevar`, so a command is a
//! name and a set of parameter names, not a path. The client's methods build their requests
//! through [`Command`], which refuses a parameter the catalogue does not list: the
//! catalogue is the single source of every name on the wire, the tests check each command
//! against a mock server, and `cargo xtask regen` writes it to
//! `specs/extraview/commands.json` for review.
//!
//! ```
//! use extraview_sdk::catalogue::{self, Answer};
//! let search = catalogue::command("search").expect("listed");
//! assert_eq!(search.answer, Answer::Xml { root: "EXTRAVIEW_RESULTS" });
//! assert!(search.param("record_start").is_some());
//! assert!(catalogue::COMMANDS.iter().all(|c| c.statevar == c.statevar.to_lowercase()));
//! ```

use serde::Serialize;

/// How a command is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// `GET` with every parameter in the query.
    Get,
    /// `POST` of a `multipart/form-data` body; some parameters in the query, some in the
    /// body.
    PostMultipart,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// The query string.
    Query,
    /// A part of the multipart body.
    Form,
    /// Both (the manual asks for `p_id` in both when a template is used).
    QueryAndForm,
}

/// One parameter of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Param {
    /// The name on the wire.
    pub name: &'static str,
    /// Whether the command needs it.
    pub required: bool,
    /// Whether it may be sent more than once.
    pub repeatable: bool,
    /// Whether its value is a secret (never shown, scrubbed from errors).
    pub secret: bool,
    /// Where it goes.
    pub place: Place,
    /// What it means.
    pub doc: &'static str,
}

/// The format of a command's answer (with HTTP 200 either way; a refusal is a short text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum Answer {
    /// `Key:Value` lines, or XML with `ev_send_xml=true`.
    Token,
    /// An XML document with this root element.
    Xml {
        /// The root element.
        root: &'static str,
    },
    /// Delimited text lines with these columns.
    TextList {
        /// The columns, in order.
        columns: &'static [&'static str],
    },
    /// `<id title> # <id> <verb>.`
    Confirmation {
        /// `added`, `updated` or `deleted`.
        verb: &'static str,
    },
    /// The bytes of a file.
    Binary,
    /// A line of text.
    Text,
}

/// One command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Command {
    /// The `statevar` value.
    pub statevar: &'static str,
    /// The client method that sends it.
    pub method_name: &'static str,
    /// How it is sent.
    pub method: Method,
    /// Its named parameters.
    pub params: &'static [Param],
    /// Whether it also takes `FIELD=value` pairs named by the data dictionary (filters, or
    /// the fields to write).
    pub field_pairs: bool,
    /// Its answer.
    pub answer: Answer,
    /// What it does.
    pub doc: &'static str,
}

impl Command {
    /// The parameter `name`, if the command has it.
    ///
    /// ```
    /// assert!(extraview_sdk::catalogue::GET.param("id").is_some_and(|p| p.required));
    /// assert!(extraview_sdk::catalogue::GET.param("page_length").is_none());
    /// ```
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

const fn query(name: &'static str, doc: &'static str) -> Param {
    Param {
        name,
        required: false,
        repeatable: false,
        secret: false,
        place: Place::Query,
        doc,
    }
}

const fn required(name: &'static str, doc: &'static str) -> Param {
    Param {
        required: true,
        ..query(name, doc)
    }
}

const fn repeatable(name: &'static str, doc: &'static str) -> Param {
    Param {
        repeatable: true,
        ..query(name, doc)
    }
}

const USERNAME_DISPLAY: Param = query(
    "username_display",
    "how user fields are shown: ID, LAST or FIRST",
);
const STRICT: Param = query(
    "strict",
    "yes: `id` is the alternate id (ALT_ID) only; no match is `Invalid Id`",
);
const SEND_EMAIL: Param = query("send_email", "no: send no notification mail");
const ID: Param = required("id", "the issue id");

/// `get_token`: a token for `user_id` and `password`.
pub const GET_TOKEN: Command = Command {
    statevar: "get_token",
    method_name: "(sign-in)",
    method: Method::Get,
    params: &[
        required("user_id", "the login id"),
        Param {
            secret: true,
            ..required(
                "password",
                "the password (in the query string, as documented)",
            )
        },
        query(
            "ev_send_xml",
            "true: answer in XML instead of `Key:Value` lines",
        ),
    ],
    field_pairs: false,
    answer: Answer::Token,
    doc: "Signs in and returns an access token, sent as `access_token` with every other command",
};

/// `get`: one issue.
pub const GET: Command = Command {
    statevar: "get",
    method_name: "get",
    method: Method::Get,
    params: &[ID, STRICT, USERNAME_DISPLAY],
    field_pairs: false,
    answer: Answer::Xml {
        root: "PROBLEM_RECORD",
    },
    doc: "Every field of one issue the user may read",
};

/// `search`: one page of the issues matching the filters.
pub const SEARCH: Command = Command {
    statevar: "search",
    method_name: "search",
    method: Method::Get,
    params: &[
        query("page_length", "the most records in the answer"),
        query("record_start", "the first record, from 1"),
        query("record_count", "how many records to read in all"),
        query(
            "persist_handle",
            "keeps a result set on the server between pages",
        ),
        query(
            "report_id",
            "the saved report whose layout the records follow",
        ),
        query("keyword", "words to find anywhere"),
        USERNAME_DISPLAY,
    ],
    field_pairs: true,
    answer: Answer::Xml {
        root: "EXTRAVIEW_RESULTS",
    },
    doc: "One page of the issues matching `FIELD=value` filters (`*` as a wildcard)",
};

/// `insert`: a new issue.
pub const INSERT: Command = Command {
    statevar: "insert",
    method_name: "insert",
    method: Method::Get,
    params: &[SEND_EMAIL, USERNAME_DISPLAY],
    field_pairs: true,
    answer: Answer::Confirmation { verb: "added" },
    doc: "Creates an issue from `FIELD=value` pairs (never `ID`)",
};

/// `update`: changes fields of an issue.
pub const UPDATE: Command = Command {
    statevar: "update",
    method_name: "update",
    method: Method::Get,
    params: &[ID, STRICT, SEND_EMAIL, USERNAME_DISPLAY],
    field_pairs: true,
    answer: Answer::Confirmation { verb: "updated" },
    doc: "Changes the given fields of an issue",
};

/// `delete`: deletes an issue.
pub const DELETE: Command = Command {
    statevar: "delete",
    method_name: "delete",
    method: Method::Get,
    params: &[ID, STRICT],
    field_pairs: false,
    answer: Answer::Confirmation { verb: "deleted" },
    doc: "Deletes an issue (needs the PR_RESOLUTION.DELETE_BUTTON permission)",
};

/// `history`: the versions of issues changed after a time.
pub const HISTORY: Command = Command {
    statevar: "history",
    method_name: "history",
    method: Method::Get,
    params: &[
        required(
            "cutoff",
            "only changes after this time (exclusive), in the user's format",
        ),
        query("cutoff_end", "only changes up to this time"),
        query(
            "evhist_sellist",
            "the fields of each entry, comma-separated",
        ),
        query("hist_range_start", "start of a range of update times"),
        query("hist_range_end", "end of a range of update times"),
        query("show_attributes", "YES or NO"),
        USERNAME_DISPLAY,
    ],
    field_pairs: true,
    answer: Answer::Xml { root: "HISTORY" },
    doc: "Every version of the issues changed after `cutoff`, filtered by `FIELD=value` pairs",
};

/// `add_field_list`: the fields of the add layout.
pub const ADD_FIELD_LIST: Command = Command {
    statevar: "add_field_list",
    method_name: "add_field_list",
    method: Method::Get,
    params: &[query("include_images", "1: include image fields")],
    field_pairs: false,
    answer: Answer::TextList {
        columns: &["prefix+name", "title", "parent"],
    },
    doc: "The fields of the add layout, with prefix flags",
};

/// `edit_field_list`: the fields of the edit layout.
pub const EDIT_FIELD_LIST: Command = Command {
    statevar: "edit_field_list",
    method_name: "edit_field_list",
    ..ADD_FIELD_LIST
};

/// `allowed_list`: the allowed values of a list field.
pub const ALLOWED_LIST: Command = Command {
    statevar: "allowed_list",
    method_name: "allowed_list",
    method: Method::Get,
    params: &[
        required("field", "the list field"),
        query("parent", "its parent field, for a dependent list"),
        query("parent_val", "the parent's value"),
    ],
    field_pairs: false,
    answer: Answer::TextList {
        columns: &["key", "title"],
    },
    doc: "The allowed values of a list field, optionally those under a parent value",
};

/// `get_valid_meta_data`: list values of many fields at once.
pub const GET_VALID_META_DATA: Command = Command {
    statevar: "get_valid_meta_data",
    method_name: "get_valid_meta_data",
    method: Method::Get,
    params: &[
        repeatable("fields", "a field to include"),
        query("user_info", "Y or N: include users"),
        query("disabled_values", "Y: include disabled values"),
        query("all", "Y: every area and project, no relationship filter"),
    ],
    field_pairs: false,
    answer: Answer::TextList {
        columns: &["field", "name", "title"],
    },
    doc: "Metadata: the values of list fields (and users), by field",
};

/// `get_users`: the users.
pub const GET_USERS: Command = Command {
    statevar: "get_users",
    method_name: "get_users",
    method: Method::Get,
    params: &[
        query("disabled", "Y, N or ONLY"),
        query("filter", "a pattern with `*` wildcards"),
        repeatable("filter_type", "what the filter matches: ID, FIRST or LAST"),
    ],
    field_pairs: false,
    answer: Answer::TextList {
        columns: &["id", "first_name", "last_name"],
    },
    doc: "Users, optionally filtered",
};

/// `get_heartbeat`: liveness.
pub const GET_HEARTBEAT: Command = Command {
    statevar: "get_heartbeat",
    method_name: "heartbeat",
    method: Method::Get,
    params: &[query("tasks", "yes: include the background tasks")],
    field_pairs: false,
    answer: Answer::Xml {
        root: "EV_HEARTBEAT",
    },
    doc: "Whether the server and its database are up",
};

/// `list_attachment`: the attachments of an issue.
pub const LIST_ATTACHMENT: Command = Command {
    statevar: "list_attachment",
    method_name: "list_attachments",
    method: Method::Get,
    params: &[ID, USERNAME_DISPLAY],
    field_pairs: false,
    answer: Answer::TextList {
        columns: &[
            "date",
            "file_name",
            "size",
            "uploaded_by",
            "id",
            "description",
            "mime_type",
        ],
    },
    doc: "The attachments of an issue, or `No attachments`",
};

/// `get_attachment`: the bytes of an attachment.
pub const GET_ATTACHMENT: Command = Command {
    statevar: "get_attachment",
    method_name: "download_attachment",
    method: Method::Get,
    params: &[required("attachment_id", "the attachment")],
    field_pairs: false,
    answer: Answer::Binary,
    doc: "The content of an attachment",
};

/// `add_attachment`: uploads a file to an issue.
pub const ADD_ATTACHMENT: Command = Command {
    statevar: "add_attachment",
    method_name: "upload_attachment",
    method: Method::PostMultipart,
    params: &[
        Param {
            place: Place::QueryAndForm,
            ..required("p_id", "the issue id")
        },
        Param {
            place: Place::Form,
            ..query("p_attach_desc", "the description")
        },
        Param {
            place: Place::Form,
            ..required("file", "the file, with its name")
        },
        STRICT,
    ],
    field_pairs: false,
    answer: Answer::Text,
    doc: "Adds a file to an issue",
};

/// Every command, in the order of the manual's command summary.
pub const COMMANDS: &[Command] = &[
    GET_TOKEN,
    GET,
    SEARCH,
    INSERT,
    UPDATE,
    DELETE,
    HISTORY,
    ADD_FIELD_LIST,
    EDIT_FIELD_LIST,
    ALLOWED_LIST,
    GET_VALID_META_DATA,
    GET_USERS,
    GET_HEARTBEAT,
    LIST_ATTACHMENT,
    GET_ATTACHMENT,
    ADD_ATTACHMENT,
];

/// The parameters every command may carry besides its own: the credentials of the sign-in
/// and the token of every other call. A field pair never takes these names.
pub const AUTH_PARAMS: &[&str] = &["statevar", "access_token", "user_id", "password"];

/// The command whose `statevar` is `statevar`.
///
/// ```
/// assert_eq!(extraview_sdk::catalogue::command("get_heartbeat").map(|c| c.method_name), Some("heartbeat"));
/// assert!(extraview_sdk::catalogue::command("drop_database").is_none());
/// ```
pub fn command(statevar: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.statevar == statevar)
}

/// The catalogue as JSON, as `cargo xtask regen` writes it.
///
/// ```
/// let json = extraview_sdk::catalogue::to_json();
/// assert_eq!(json["commands"][1]["statevar"], "get");
/// ```
pub fn to_json() -> serde_json::Value {
    serde_json::json!({ "commands": COMMANDS })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_never_an_auth_parameter() {
        for (i, a) in COMMANDS.iter().enumerate() {
            assert!(
                COMMANDS[i + 1..].iter().all(|b| b.statevar != a.statevar),
                "{} twice",
                a.statevar
            );
            for (j, p) in a.params.iter().enumerate() {
                assert!(
                    a.params[j + 1..].iter().all(|q| q.name != p.name),
                    "{}: {} twice",
                    a.statevar,
                    p.name
                );
                if a.statevar != "get_token" {
                    assert!(!AUTH_PARAMS.contains(&p.name), "{}: {}", a.statevar, p.name);
                }
            }
        }
    }

    #[test]
    fn only_the_sign_in_has_a_secret() {
        let secrets: Vec<(&str, &str)> = COMMANDS
            .iter()
            .flat_map(|c| {
                c.params
                    .iter()
                    .filter(|p| p.secret)
                    .map(|p| (c.statevar, p.name))
            })
            .collect();
        assert_eq!(secrets, [("get_token", "password")]);
    }

    #[test]
    fn the_json_lists_every_command() {
        let json = to_json();
        let listed = json["commands"].as_array().map(Vec::len);
        assert_eq!(listed, Some(COMMANDS.len()));
        assert_eq!(json["commands"][2]["answer"]["format"], "xml");
    }
}
