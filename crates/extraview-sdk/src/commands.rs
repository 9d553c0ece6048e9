//! The commands, as thin methods on [`Client`]: each builds its request through the
//! catalogue ([`Call`] refuses a name the catalogue does not list), sends it, and hands the
//! answer to its parser; a text where data was expected becomes an [`ApiError`].

use bytes::Bytes;
use futures::{Stream, StreamExt as _, TryStreamExt as _, stream};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use url::Url;

use crate::catalogue::{self, AUTH_PARAMS, Command, Method, Place};
use crate::client::Reply;
use crate::multipart::{self, Part};
use crate::parse::{self, ParseError, WriteVerb, server_message};
use crate::query::check_field_name;
use crate::{
    AllowedValue, ApiError, ApiErrorKind, Attachment, Client, Delimiter, Error, FieldListEntry,
    Fields, Heartbeat, HistoryEntry, HistoryQuery, IssueId, MetaDataEntry, MetaDataQuery, Record,
    SearchPage, SearchQuery, User, UsersQuery,
};

/// A form part of a multipart command.
struct FormPart {
    name: &'static str,
    file_name: Option<String>,
    content: Bytes,
}

/// One request of a command, built only from names the catalogue lists for it.
pub(crate) struct Call {
    command: &'static Command,
    query: Vec<(String, String)>,
    form: Vec<FormPart>,
}

impl Call {
    pub(crate) fn new(command: &'static Command) -> Self {
        Self {
            command,
            query: Vec::new(),
            form: Vec::new(),
        }
    }

    pub(crate) fn command(&self) -> &'static Command {
        self.command
    }

    /// Sets the parameter `name`, which the catalogue must list for this command; a
    /// parameter that is not repeatable replaces its earlier value.
    pub(crate) fn param(
        &mut self,
        name: &str,
        value: impl Into<String>,
    ) -> Result<&mut Self, Error> {
        let param = self.command.param(name).ok_or_else(|| {
            Error::invalid(format!(
                "`{name}` is not a parameter of `{}` in the catalogue",
                self.command.statevar
            ))
        })?;
        let value = value.into();
        if matches!(param.place, Place::Form | Place::QueryAndForm) {
            self.form.retain(|p| p.name != param.name);
            self.form.push(FormPart {
                name: param.name,
                file_name: None,
                content: Bytes::from(value.clone()),
            });
        }
        if matches!(param.place, Place::Query | Place::QueryAndForm) {
            if !param.repeatable {
                self.query.retain(|(n, _)| n != param.name);
            }
            self.query.push((param.name.to_owned(), value));
        }
        Ok(self)
    }

    /// Sets a form parameter to a file.
    fn file(&mut self, name: &str, file_name: &str, content: Bytes) -> Result<&mut Self, Error> {
        let param = self
            .command
            .param(name)
            .filter(|p| p.place == Place::Form)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "`{name}` is not a form parameter of `{}` in the catalogue",
                    self.command.statevar
                ))
            })?;
        let file_name = multipart::check_file_name(file_name)?;
        self.form.retain(|p| p.name != param.name);
        self.form.push(FormPart {
            name: param.name,
            file_name: Some(file_name.to_owned()),
            content,
        });
        Ok(self)
    }

    /// Adds a `FIELD=value` pair, for a command that takes them. The name must be a
    /// data-dictionary name and neither a parameter of the command nor an auth parameter,
    /// so a field can never replace the token or change what the command does.
    fn field(&mut self, name: &str, value: &str) -> Result<&mut Self, Error> {
        if !self.command.field_pairs {
            return Err(Error::invalid(format!(
                "`{}` takes no field values",
                self.command.statevar
            )));
        }
        let name = check_field_name(name)?;
        let reserved = AUTH_PARAMS
            .iter()
            .copied()
            .chain(self.command.params.iter().map(|p| p.name))
            .any(|p| p.eq_ignore_ascii_case(name));
        if reserved {
            return Err(Error::invalid(format!(
                "`{name}` is a parameter of `{}`, not a field",
                self.command.statevar
            )));
        }
        self.query.push((name.to_owned(), value.to_owned()));
        Ok(self)
    }

    /// The request URL: the endpoint with `statevar` first, then the query parameters.
    pub(crate) fn url(&self, endpoint: &Url) -> Url {
        let mut url = endpoint.clone();
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("statevar", self.command.statevar);
            for (name, value) in &self.query {
                pairs.append_pair(name, value);
            }
        }
        url
    }

    /// The `Content-Type` and body of a multipart command; `None` for a `GET`.
    pub(crate) fn multipart(&self) -> Result<Option<(String, Bytes)>, Error> {
        if self.command.method != Method::PostMultipart {
            return Ok(None);
        }
        let parts: Vec<Part<'_>> = self
            .form
            .iter()
            .map(|p| Part {
                name: p.name,
                file_name: p.file_name.as_deref(),
                content: &p.content,
            })
            .collect();
        multipart::form(&parts).map(Some)
    }
}

/// What tells a search page from the one before: the id of its first issue, or, when the
/// layout has no `ID` field, the whole page.
#[derive(PartialEq)]
enum PageMark {
    FirstId(String),
    Page(Vec<Record>),
}

impl PageMark {
    fn of(records: &[Record]) -> Self {
        match records.first().and_then(Record::id) {
            Some(id) => PageMark::FirstId(id.to_owned()),
            None => PageMark::Page(records.to_vec()),
        }
    }
}

/// Sets the issue id as `name`, with `strict=yes` for an alternate id.
fn with_id(call: &mut Call, id: &IssueId, name: &str) -> Result<(), Error> {
    call.param(name, id.checked()?)?;
    if id.is_alt() {
        call.param("strict", "yes")?;
    }
    Ok(())
}

fn yes_no(value: bool, yes: &str, no: &str) -> String {
    if value { yes } else { no }.to_owned()
}

/// A one-line text without a list delimiter that is a known refusal: a list answer of one
/// line is data whenever it has a delimiter.
fn list_refusal(text: &str) -> Option<(ApiErrorKind, &str)> {
    let text = text.trim();
    if text.lines().count() != 1 || text.contains(['|', ';', '\t']) {
        return None;
    }
    match server_message(text) {
        Some((Some(kind), message)) => Some((kind, message)),
        _ => None,
    }
}

impl Client {
    fn refusal(&self, command: &'static Command, kind: ApiErrorKind, text: &str) -> Error {
        Error::Api(ApiError::new(
            command.statevar,
            kind,
            text,
            self.auth().redactor(),
        ))
    }

    /// What an answer that did not parse means: a short text is ExtraView's refusal (of a
    /// known kind or not), anything else an answer of the wrong shape.
    fn not_parsed(&self, command: &'static Command, body: &[u8], err: &ParseError) -> Error {
        let text = parse::body_text(body);
        match server_message(&text) {
            Some((kind, message)) => {
                self.refusal(command, kind.unwrap_or(ApiErrorKind::Other), message)
            }
            None => sdk_auth::Error::decode(
                Some(StatusCode::OK),
                format!("`{}` answer: {err}", command.statevar),
                body,
                self.auth().redactor(),
            )
            .into(),
        }
    }

    /// Sends `call` and parses its XML answer.
    async fn xml<T>(
        &self,
        call: &Call,
        parse: fn(&str) -> Result<T, ParseError>,
    ) -> Result<T, Error> {
        let Reply { body, .. } = self.send(call).await?;
        parse(&parse::body_text(&body)).map_err(|e| self.not_parsed(call.command(), &body, &e))
    }

    /// Sends `call` and parses its text list.
    async fn list<T>(
        &self,
        call: &Call,
        parse: fn(&str, Delimiter) -> Result<Vec<T>, ParseError>,
    ) -> Result<Vec<T>, Error> {
        let Reply { body, .. } = self.send(call).await?;
        let text = parse::body_text(&body);
        if let Some((kind, message)) = list_refusal(&text) {
            return Err(self.refusal(call.command(), kind, message));
        }
        parse(&text, self.delimiter()).map_err(|e| self.not_parsed(call.command(), &body, &e))
    }

    /// Sends `call` and reads the id of its write confirmation.
    async fn confirmed(&self, call: &Call, verb: WriteVerb) -> Result<u64, Error> {
        let Reply { body, .. } = self.send(call).await?;
        parse::write_confirmation(&parse::body_text(&body), verb)
            .map_err(|e| self.not_parsed(call.command(), &body, &e))
    }

    /// One issue with every field the user may read (`get`).
    ///
    /// ```no_run
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// let issue = client.get(78512).await?;
    /// println!("{:?}: {:?}", issue.id(), issue.text("SHORT_DESCR"));
    /// let by_alt_id = client.get(extraview_sdk::IssueId::alt("EXT-7")).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// An empty id before any request; [`Error::Api`] with
    /// [`ApiErrorKind::NotFound`] (`... does not exist`) or [`ApiErrorKind::InvalidId`]
    /// (see [`Error::is_not_found`]); the call's [`Error::Http`].
    pub async fn get(&self, id: impl Into<IssueId>) -> Result<Record, Error> {
        let mut call = Call::new(&catalogue::GET);
        with_id(&mut call, &id.into(), "id")?;
        self.xml(&call, parse::record).await
    }

    /// One page of the issues matching `query` (`search`). Only the fields of the user's
    /// detailed report layout come back; use [`Client::get`] for whole records.
    ///
    /// Every request carries `record_count` (see [`SearchQuery::record_count`]): the manual
    /// requires it once `record_start` may exceed `page_length`, and without it an install
    /// answers a later page with no records, which looks like the end of the result.
    ///
    /// ```no_run
    /// use extraview_sdk::SearchQuery;
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// let page = client.search(&SearchQuery::new().filter("STATUS", "OPEN").page_length(50)).await?;
    /// println!("{} records from {}", page.records.len(), page.record_start);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A zero page length or start, a `record_count` below `record_start`, or a bad filter
    /// name, before any request; a refusal; the call's [`Error::Http`].
    pub async fn search(&self, query: &SearchQuery) -> Result<SearchPage, Error> {
        query.check()?;
        let mut call = Call::new(&catalogue::SEARCH);
        call.param("page_length", query.page_length.to_string())?
            .param("record_start", query.record_start.to_string())?
            .param("record_count", query.effective_record_count().to_string())?;
        if let Some(id) = &query.report_id {
            call.param("report_id", id)?;
        }
        if let Some(handle) = &query.persist_handle {
            call.param("persist_handle", handle)?;
        }
        if let Some(keyword) = &query.keyword {
            call.param("keyword", keyword)?;
        }
        if let Some(display) = query.username_display {
            call.param("username_display", display.as_str())?;
        }
        for (field, value) in &query.filters {
            call.field(field, value)?;
        }
        let records = self.xml(&call, parse::search_results).await?;
        Ok(SearchPage {
            records,
            record_start: query.record_start,
            page_length: query.page_length,
        })
    }

    /// Every issue matching `query`, page after page as the stream is polled: `record_start`
    /// moves on by the records each page held (a server that caps pages below `page_length`
    /// loses nothing) until a page is empty, or until the query's
    /// [`record_count`](SearchQuery::record_count) records have come.
    ///
    /// Each page asks for `record_count` up to its own last record (unless the query sets
    /// one), so an install that would cut the result at the first page's length cannot end
    /// the stream early: an empty page really is the end.
    ///
    /// ```no_run
    /// use extraview_sdk::SearchQuery;
    /// use futures::TryStreamExt;
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// let open: Vec<_> = client.search_stream(SearchQuery::new().filter("STATUS", "OPEN")).try_collect().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// The stream ends with an error when a page starts with the same issue as the page
    /// before, or, for a layout without the `ID` field, is the same page as the one before (a
    /// server that ignores `record_start` would otherwise repeat it forever), and
    /// with the error of any page that fails: it never ends early without one.
    pub fn search_stream(
        &self,
        query: SearchQuery,
    ) -> impl Stream<Item = Result<Record, Error>> + Send + '_ {
        stream::try_unfold(Some((query, None::<PageMark>)), move |state| async move {
            let Some((mut query, previous)) = state else {
                return Ok::<_, Error>(None);
            };
            let mut page = self.search(&query).await?;
            if let Some(count) = query.record_count {
                // `check` keeps `record_start <= count`: this page may hold the rest at most.
                let room = usize::try_from(count - query.record_start + 1).unwrap_or(usize::MAX);
                page.records.truncate(room);
            }
            let Some(next) = page.next_start() else {
                return Ok(None);
            };
            let mark = PageMark::of(&page.records);
            if previous.as_ref() == Some(&mark) {
                return Err(Error::Http(sdk_auth::Error::decode(
                    Some(StatusCode::OK),
                    format!(
                        "the page at record_start={} repeats the page before (its first issue, or the whole page without ids); does the server ignore record_start?",
                        page.record_start
                    ),
                    b"",
                    self.auth().redactor(),
                )));
            }
            // The caller's record_count is reached: nothing past it may come, so no request
            // is spent on the empty page.
            let done = query.record_count.is_some_and(|count| next > count);
            query.record_start = next;
            let state = (!done).then_some((query, Some(mark)));
            Ok(Some((stream::iter(page.records.into_iter().map(Ok)), state)))
        })
        .try_flatten()
        .boxed()
    }

    /// Creates an issue (`insert`) and returns its id, read from `... # 12352 added.`.
    ///
    /// ```no_run
    /// use extraview_sdk::Fields;
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// let id = client
    ///     .insert(&Fields::new().set("SHORT_DESCR", "Printer offline").set("PRIORITY", "P2").send_email(false))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// No field, an `ID` field or a bad field name before any request; a refusal (such as
    /// an unknown list value); the call's [`Error::Http`].
    pub async fn insert(&self, fields: &Fields) -> Result<u64, Error> {
        if fields.is_empty() {
            return Err(Error::invalid("an insert needs at least one field"));
        }
        if fields.get("ID").is_some() {
            return Err(Error::invalid(
                "an insert cannot set `ID`: ExtraView assigns it",
            ));
        }
        let mut call = Call::new(&catalogue::INSERT);
        write_options(&mut call, fields)?;
        self.confirmed(&call, WriteVerb::Added).await
    }

    /// Changes the given fields of an issue (`update`) and returns its id, read from
    /// `... # 12352 updated.`.
    ///
    /// ```no_run
    /// use extraview_sdk::Fields;
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// client.update(12352, &Fields::new().set("STATUS", "CLOSED")).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// An empty id, no field or a bad field name before any request; a refusal (the whole
    /// update fails when one field may not be written); the call's [`Error::Http`].
    pub async fn update(&self, id: impl Into<IssueId>, fields: &Fields) -> Result<u64, Error> {
        if fields.is_empty() {
            return Err(Error::invalid("an update needs at least one field"));
        }
        let mut call = Call::new(&catalogue::UPDATE);
        with_id(&mut call, &id.into(), "id")?;
        write_options(&mut call, fields)?;
        self.confirmed(&call, WriteVerb::Updated).await
    }

    /// Deletes an issue (`delete`) and returns its id, read from `... # 12352 deleted.`.
    ///
    /// ```no_run
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// client.delete(12352).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// An empty id before any request; a refusal; the call's [`Error::Http`].
    pub async fn delete(&self, id: impl Into<IssueId>) -> Result<u64, Error> {
        let mut call = Call::new(&catalogue::DELETE);
        with_id(&mut call, &id.into(), "id")?;
        self.confirmed(&call, WriteVerb::Deleted).await
    }

    /// Every version of the issues changed after the query's cutoff (`history`): poll it to
    /// follow changes (ExtraView has no webhooks).
    ///
    /// ```no_run
    /// use extraview_sdk::HistoryQuery;
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// for entry in client.history(&HistoryQuery::since("2024-05-01 00:00")).await? {
    ///     println!("{:?} changed at {:?}", entry.id, entry.timestamp);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// An empty cutoff or a bad field name before any request; a refusal; the call's
    /// [`Error::Http`].
    pub async fn history(&self, query: &HistoryQuery) -> Result<Vec<HistoryEntry>, Error> {
        query.check()?;
        let mut call = Call::new(&catalogue::HISTORY);
        call.param("cutoff", query.cutoff.trim())?;
        if let Some(end) = &query.cutoff_end {
            call.param("cutoff_end", end)?;
        }
        if !query.fields.is_empty() {
            call.param("evhist_sellist", query.fields.join(","))?;
        }
        if let Some((start, end)) = &query.range {
            call.param("hist_range_start", start)?
                .param("hist_range_end", end)?;
        }
        if let Some(show) = query.show_attributes {
            call.param("show_attributes", yes_no(show, "YES", "NO"))?;
        }
        if let Some(display) = query.username_display {
            call.param("username_display", display.as_str())?;
        }
        for (field, value) in &query.filters {
            call.field(field, value)?;
        }
        self.xml(&call, parse::history).await
    }

    /// The fields of the add layout (`add_field_list`), with their flags.
    ///
    /// ```no_run
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// let required: Vec<_> = client.add_field_list().await?.into_iter().filter(|f| f.flags.required).collect();
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A refusal; a line without a field name; the call's [`Error::Http`].
    pub async fn add_field_list(&self) -> Result<Vec<FieldListEntry>, Error> {
        self.list(&Call::new(&catalogue::ADD_FIELD_LIST), parse::field_list)
            .await
    }

    /// The fields of the edit layout (`edit_field_list`).
    ///
    /// ```no_run
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// let fields = client.edit_field_list().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Client::add_field_list`].
    pub async fn edit_field_list(&self) -> Result<Vec<FieldListEntry>, Error> {
        self.list(&Call::new(&catalogue::EDIT_FIELD_LIST), parse::field_list)
            .await
    }

    /// The allowed values of a list field (`allowed_list`), or those under a value of its
    /// parent field: `Some(("PRODUCT_NAME", "WIDGET"))`.
    ///
    /// ```no_run
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// let modules = client.allowed_list("MODULE_ID", Some(("PRODUCT_NAME", "WIDGET"))).await?;
    /// let key = modules.iter().find(|v| v.title == "POWER_SUPPLY").map(|v| v.key.clone());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A bad field name before any request; a refusal (both fields must exist); the call's
    /// [`Error::Http`].
    pub async fn allowed_list(
        &self,
        field: &str,
        parent: Option<(&str, &str)>,
    ) -> Result<Vec<AllowedValue>, Error> {
        let mut call = Call::new(&catalogue::ALLOWED_LIST);
        call.param("field", check_field_name(field)?)?;
        if let Some((parent, value)) = parent {
            call.param("parent", check_field_name(parent)?)?
                .param("parent_val", value)?;
        }
        self.list(&call, parse::allowed_values).await
    }

    /// The values of list fields, by field (`get_valid_meta_data`). Without
    /// [`MetaDataQuery::all`] ExtraView limits them to the user's current area and project.
    ///
    /// ```no_run
    /// use extraview_sdk::MetaDataQuery;
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// let meta = client.get_valid_meta_data(&MetaDataQuery::new().field("STATUS").all(true)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A bad field name before any request; a refusal; the call's [`Error::Http`].
    pub async fn get_valid_meta_data(
        &self,
        query: &MetaDataQuery,
    ) -> Result<Vec<MetaDataEntry>, Error> {
        let mut call = Call::new(&catalogue::GET_VALID_META_DATA);
        for field in &query.fields {
            call.param("fields", check_field_name(field)?)?;
        }
        if let Some(users) = query.user_info {
            call.param("user_info", yes_no(users, "Y", "N"))?;
        }
        if query.disabled_values {
            call.param("disabled_values", "Y")?;
        }
        if query.all {
            call.param("all", "Y")?;
        }
        self.list(&call, parse::meta_data).await
    }

    /// The users (`get_users`).
    ///
    /// ```no_run
    /// use extraview_sdk::{UserFilterType, UsersQuery};
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// let users = client.get_users(&UsersQuery::new().filter("*DOE*", [UserFilterType::Last])).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A refusal; the call's [`Error::Http`].
    pub async fn get_users(&self, query: &UsersQuery) -> Result<Vec<User>, Error> {
        use crate::{DisabledUsers, UserFilterType};
        let mut call = Call::new(&catalogue::GET_USERS);
        if let Some(disabled) = query.disabled {
            let value = match disabled {
                DisabledUsers::Include => "Y",
                DisabledUsers::Exclude => "N",
                DisabledUsers::Only => "ONLY",
            };
            call.param("disabled", value)?;
        }
        if let Some(filter) = &query.filter {
            call.param("filter", filter)?;
        }
        for filter_type in &query.filter_types {
            let value = match filter_type {
                UserFilterType::Id => "ID",
                UserFilterType::First => "FIRST",
                UserFilterType::Last => "LAST",
            };
            call.param("filter_type", value)?;
        }
        self.list(&call, parse::users).await
    }

    /// Whether the server and its database are up (`get_heartbeat`).
    ///
    /// ```no_run
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// let beat = client.heartbeat().await?;
    /// assert!(beat.is_alive() && beat.is_db_confirmed());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A refusal; the call's [`Error::Http`].
    pub async fn heartbeat(&self) -> Result<Heartbeat, Error> {
        self.xml(&Call::new(&catalogue::GET_HEARTBEAT), parse::heartbeat)
            .await
    }

    /// The heartbeat with the background tasks (`tasks=yes`).
    ///
    /// ```no_run
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// for task in client.heartbeat_with_tasks().await?.tasks {
    ///     println!("{:?}: {:?}", task.task, task.task_state);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Client::heartbeat`].
    pub async fn heartbeat_with_tasks(&self) -> Result<Heartbeat, Error> {
        let mut call = Call::new(&catalogue::GET_HEARTBEAT);
        call.param("tasks", "yes")?;
        self.xml(&call, parse::heartbeat).await
    }

    /// The attachments of an issue (`list_attachment`); empty for `No attachments`.
    ///
    /// ```no_run
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// for file in client.list_attachments(78512).await? {
    ///     println!("{} ({:?} bytes), id {:?}", file.file_name, file.size, file.id);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// An empty id before any request; a refusal; the call's [`Error::Http`].
    pub async fn list_attachments(&self, id: impl Into<IssueId>) -> Result<Vec<Attachment>, Error> {
        let mut call = Call::new(&catalogue::LIST_ATTACHMENT);
        with_id(&mut call, &id.into(), "id")?;
        self.list(&call, parse::attachments).await
    }

    /// The content of an attachment (`get_attachment`).
    ///
    /// ```no_run
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// let bytes = client.download_attachment("1762332").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// An empty id before any request; a refusal, recognized only in a short text answer
    /// (a file is never read as one unless it is a one-line text holding a known error
    /// phrase); the call's [`Error::Http`].
    pub async fn download_attachment(&self, attachment_id: &str) -> Result<Bytes, Error> {
        let id = IssueId::from(attachment_id);
        let mut call = Call::new(&catalogue::GET_ATTACHMENT);
        call.param("attachment_id", id.checked()?)?;
        let Reply { headers, body } = self.send(&call).await?;
        let textual = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|t| t.trim_start().to_ascii_lowercase().starts_with("text/"));
        if textual
            && body.len() <= parse::MAX_MESSAGE_LEN
            && let Some((kind, message)) = list_refusal(&parse::body_text(&body))
        {
            return Err(self.refusal(call.command(), kind, message));
        }
        Ok(body)
    }

    /// Adds a file to an issue (`add_attachment`, a multipart `POST`) and returns the
    /// server's confirmation text (its format is not documented).
    ///
    /// The body is built in memory, so it can be sent again after ExtraView refused an
    /// expired token; it is never resent after any other failure.
    ///
    /// ```no_run
    /// # async fn demo(client: extraview_sdk::Client) -> Result<(), extraview_sdk::Error> {
    /// let log = std::fs::read("boot.log").expect("readable");
    /// client.upload_attachment(78512, "boot log", "boot.log", log).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// An empty id or file name, or one with control characters, before any request; a
    /// refusal; the call's [`Error::Http`].
    pub async fn upload_attachment(
        &self,
        id: impl Into<IssueId>,
        description: &str,
        file_name: &str,
        content: impl Into<Bytes>,
    ) -> Result<String, Error> {
        let mut call = Call::new(&catalogue::ADD_ATTACHMENT);
        with_id(&mut call, &id.into(), "p_id")?;
        call.param("p_attach_desc", description)?
            .file("file", file_name, content.into())?;
        let Reply { body, .. } = self.send(&call).await?;
        let text = parse::body_text(&body);
        if let Some((Some(kind), message)) = server_message(&text) {
            return Err(self.refusal(call.command(), kind, message));
        }
        Ok(text.trim().to_owned())
    }
}

/// The fields and options of an insert or update.
fn write_options(call: &mut Call, fields: &Fields) -> Result<(), Error> {
    if let Some(send) = fields.send_email {
        call.param("send_email", yes_no(send, "yes", "no"))?;
    }
    if let Some(display) = fields.username_display {
        call.param("username_display", display.as_str())?;
    }
    for (field, value) in &fields.pairs {
        call.field(field, value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> Url {
        Url::parse("https://ev.example.com/evj/ExtraView/ev_api.action").expect("url")
    }

    #[test]
    fn a_call_speaks_only_the_catalogue() {
        let mut call = Call::new(&catalogue::GET);
        call.param("id", "7").expect("listed");
        assert!(call.param("page_length", "10").is_err());
        assert!(call.field("STATUS", "OPEN").is_err(), "get takes no fields");
        assert_eq!(call.url(&endpoint()).query(), Some("statevar=get&id=7"));
    }

    #[test]
    fn fields_cannot_take_a_parameter_or_the_token() {
        let mut call = Call::new(&catalogue::SEARCH);
        for name in ["access_token", "PAGE_LENGTH", "statevar", "password", "x=1"] {
            assert!(call.field(name, "v").is_err(), "{name}");
        }
        call.field("STATUS", "OPEN & CLOSED").expect("a field");
        assert_eq!(
            call.url(&endpoint()).query(),
            Some("statevar=search&STATUS=OPEN+%26+CLOSED")
        );
    }

    #[test]
    fn repeatable_parameters_repeat_and_others_replace() {
        let mut call = Call::new(&catalogue::GET_USERS);
        call.param("filter_type", "ID").expect("ok");
        call.param("filter_type", "LAST").expect("ok");
        call.param("filter", "a").expect("ok");
        call.param("filter", "b").expect("ok");
        assert_eq!(
            call.url(&endpoint()).query(),
            Some("statevar=get_users&filter_type=ID&filter_type=LAST&filter=b")
        );
    }

    #[test]
    fn one_line_refusals_in_lists() {
        assert_eq!(
            list_refusal("Access denied\r\n").map(|(k, _)| k),
            Some(ApiErrorKind::PermissionDenied)
        );
        assert_eq!(
            list_refusal("1|Access denied"),
            None,
            "data with a delimiter"
        );
        assert_eq!(list_refusal("Access denied\nmore"), None);
    }
}
