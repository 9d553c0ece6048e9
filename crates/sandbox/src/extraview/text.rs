//! ExtraView's answers and every message the sandbox writes. The application answers HTTP 200
//! whatever happened, with plain text (CRLF line ends) or XML; only failures in front of it
//! (the fault knobs, an unknown path) get another status, as the servlet container's HTML page.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::data::Field;

/// Content type of the plain-text answers.
pub(crate) const TEXT: &str = "text/plain;charset=UTF-8";
/// Content type of the XML answers.
pub(crate) const XML: &str = "text/xml;charset=UTF-8";
/// The declaration that starts every XML answer.
pub(crate) const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Wrong or unknown user id or password, or a disabled user.
pub(crate) const SIGNON_FAILED: &str = "Invalid sign on. The user ID or password is not correct.";
/// An access token whose lifetime is over (or that the admin API expired).
pub(crate) const SESSION_EXPIRED: &str = "Invalid sign on. Your session has expired.";
/// An access token this server never issued.
pub(crate) const TOKEN_UNKNOWN: &str = "Invalid sign on. The access token is not valid.";
/// Neither a token nor a user id and password.
pub(crate) const NO_CREDENTIALS: &str =
    "Invalid sign on. Send user_id and password, or access_token.";
/// A token and a user id or password together, which the vendor tells clients not to send.
pub(crate) const TWO_CREDENTIALS: &str =
    "Invalid sign on. Send access_token or user_id and password, not both.";
/// `strict=yes` and no issue has that `ALT_ID` (the documented text).
pub(crate) const INVALID_ID: &str = "Invalid Id";
/// `list_attachment` of an issue without attachments.
pub(crate) const NO_ATTACHMENTS: &str = "No attachments";
/// `add_attachment` without a file part.
pub(crate) const NO_FILE: &str = "Error: no file was uploaded.";
/// `add_attachment` sent some other way than a multipart POST.
pub(crate) const NOT_MULTIPART: &str = "Error: add_attachment needs a multipart/form-data POST.";
/// An attachment over the size limit.
pub(crate) const TOO_LARGE: &str = "Error: the file is larger than the 10 MB attachment limit.";
/// A `username_display` other than `ID`, `FIRST` or `LAST`.
pub(crate) const BAD_USERNAME_DISPLAY: &str = "Error: username_display must be ID, FIRST or LAST.";

/// `Title (SHORT_DESCR)`: how messages name a field.
fn named(field: &Field, title: &str) -> String {
    format!("{title} ({})", field.name)
}

/// A parameter name that is no field of the dictionary.
pub(crate) fn invalid_field(name: &str) -> String {
    format!("Invalid field name: {name}")
}

/// A value a field does not take (unknown or disabled list value, unknown user, ...).
pub(crate) fn invalid_value(field: &Field, title: &str, value: &str) -> String {
    format!(
        "Invalid value \"{value}\" for field {}.",
        named(field, title)
    )
}

/// A required field without a value.
pub(crate) fn required(field: &Field, title: &str) -> String {
    format!("A value is required for field {}.", named(field, title))
}

/// A field the server sets.
pub(crate) fn read_only(field: &Field, title: &str) -> String {
    format!("Field {} cannot be updated.", named(field, title))
}

/// An `ALT_ID` another issue has.
pub(crate) fn alt_id_taken(field: &Field, title: &str, value: &str) -> String {
    format!(
        "The value \"{value}\" of field {} is already in use.",
        named(field, title)
    )
}

/// `ID` given to `insert` (the documented text, with the install's title of the ID field).
pub(crate) fn id_on_insert(id_title: &str) -> String {
    format!("You cannot provide a {id_title} when you are adding a new issue")
}

/// An issue that does not exist: `Bug # 99999 does not exist.`
pub(crate) fn no_such_issue(id_prefix: &str, id: &str) -> String {
    format!("{id_prefix}{id} does not exist.")
}

/// A write the user's role does not allow (clients look for `denied`).
pub(crate) fn denied(action: &str) -> String {
    format!("Access denied. You do not have permission to {action}.")
}

/// A required parameter that is missing.
pub(crate) fn missing(param: &str) -> String {
    format!("Error: missing parameter {param}.")
}

/// A paging parameter that is not a whole number of 1 or more.
pub(crate) fn not_a_count(param: &str) -> String {
    format!("Error: {param} must be a whole number of 1 or more.")
}

/// A date parameter the server cannot read.
pub(crate) fn bad_date(param: &str, text: &str) -> String {
    format!("Error: \"{text}\" is not a valid date for {param}.")
}

/// A `statevar` the server does not know.
pub(crate) fn unknown_command(statevar: &str) -> String {
    format!("Error: \"{statevar}\" is not a valid statevar.")
}

/// A server-side template: none is uploaded to the sandbox.
pub(crate) fn no_template(name: &str) -> String {
    format!("Error: template file \"{name}\" does not exist.")
}

/// A saved report: the sandbox has none.
pub(crate) fn no_report(id: &str) -> String {
    format!("Error: report {id} does not exist.")
}

/// An unknown attachment id.
pub(crate) fn no_such_attachment(id: &str) -> String {
    format!("Attachment {id} does not exist.")
}

/// `allowed_list` of a field that is not a list.
pub(crate) fn not_a_list(field: &Field, title: &str) -> String {
    format!("Field {} has no allowed values.", named(field, title))
}

/// `allowed_list` with a `parent` the field does not depend on.
pub(crate) fn no_dependency(
    field: &Field,
    title: &str,
    parent: &Field,
    parent_title: &str,
) -> String {
    format!(
        "Field {} does not depend on field {}.",
        named(field, title),
        named(parent, parent_title)
    )
}

/// A plain-text answer: every line ends with CRLF, the last one too.
pub(crate) fn lines<I: IntoIterator<Item = String>>(lines: I) -> Response {
    let body: String = lines.into_iter().map(|l| l + "\r\n").collect();
    ([(header::CONTENT_TYPE, TEXT)], body).into_response()
}

/// A one-line plain-text answer (a result or an error message).
pub(crate) fn message(text: impl Into<String>) -> Response {
    lines([text.into()])
}

/// An XML answer.
pub(crate) fn xml(body: String) -> Response {
    ([(header::CONTENT_TYPE, XML)], body).into_response()
}

/// The container's error page for a failure in front of the application (the fault
/// middleware's hook, an unknown path).
pub(crate) fn html_error(status: StatusCode, message: &str) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let code = status.as_u16();
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><title>HTTP Status {code} - {reason}</title>\
         </head><body><h1>HTTP Status {code} - {reason}</h1><p><b>Message</b> {}</p>\
         </body></html>",
        super::xml::escape(message)
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html;charset=utf-8")],
        body,
    )
        .into_response()
}
