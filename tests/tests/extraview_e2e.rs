//! The ExtraView SDK against the sandbox's ExtraView: sign-in in both token styles, records,
//! search paging to the end, writes and their history, metadata, users, the heartbeat,
//! attachments, a token that expires in the middle of a search, refusals (a wrong password, a
//! read-only user's write), another delimiter and ID title, forced failures whose errors
//! carry no secret, and the `first_issues` example.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use chrono::{NaiveDateTime, TimeDelta};
use extraview_sdk::{
    ApiErrorKind, AuthError, Client, ClientBuilder, Delimiter, DisabledUsers, Error,
    ExposeSecret as _, Fields, HistoryQuery, HttpError, MetaDataQuery, RetryPolicy, SearchQuery,
    TokenFormat, UserFilterType, UsernameDisplay, UsersQuery,
};
use futures::TryStreamExt as _;
use sdk_sandbox::{ForcedFailure, RunningSandbox, Sandbox, SandboxBuilder};

/// Issues the sandbox seeds: IDs 12301 to 12330.
const SEEDED: u64 = 30;
const FIRST_ID: u64 = 12_301;

async fn start(builder: SandboxBuilder) -> RunningSandbox {
    builder.start().await.expect("sandbox")
}

async fn sandbox() -> RunningSandbox {
    start(Sandbox::builder()).await
}

/// A builder pointed at the sandbox, with retries fast enough for tests.
fn builder(sandbox: &RunningSandbox) -> ClientBuilder {
    Client::builder()
        .base_url(sandbox.extraview_url())
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(10)))
}

/// The client a user builds from the sandbox's demo API user.
fn client(sandbox: &RunningSandbox) -> Client {
    let (user, password) = sandbox.extraview_credentials();
    builder(sandbox)
        .credentials(user, password)
        .build()
        .expect("client")
}

fn seeded_ids() -> Vec<String> {
    (FIRST_ID..FIRST_ID + SEEDED)
        .map(|n| n.to_string())
        .collect()
}

/// The issue ids a search stream gives, in order.
async fn stream_ids(client: &Client, query: SearchQuery) -> Vec<String> {
    client
        .search_stream(query)
        .map_ok(|r| r.id().unwrap_or_default().to_owned())
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Asserts that neither the error's `Display` nor its `Debug` holds any of `secrets`.
fn assert_no_secret(err: &Error, secrets: &[&str]) {
    let shown = format!("{err}\n{err:?}");
    for secret in secrets {
        assert!(!shown.contains(secret), "{secret:?} in {shown}");
    }
}

/// Seconds from now to the token's expiry.
fn lifetime_of(token: &sdk_auth::Token) -> u64 {
    let expiry = token.expiry().expect("a known expiry");
    let left = expiry.duration_since(SystemTime::now()).unwrap_or_default();
    left.as_secs_f64().round() as u64
}

#[tokio::test]
async fn sign_in_reads_the_text_the_documented_xml_and_the_well_formed_xml() {
    for (format, well_formed) in [
        (TokenFormat::Text, false),
        // The documented sample: `<Expiration Date>` closed by `</lifetime>`.
        (TokenFormat::Xml, false),
        (TokenFormat::Xml, true),
    ] {
        let sandbox = start(
            Sandbox::builder()
                .extraview_token_lifetime(Duration::from_secs(900))
                .extraview_well_formed_token_xml(well_formed),
        )
        .await;
        let (user, password) = sandbox.extraview_credentials();
        let client = builder(&sandbox)
            .credentials(user, password)
            .token_format(format)
            .build()
            .expect("client");
        let token = client.auth().token().await.expect("signed in");
        assert_eq!(token.access_token().expose_secret().len(), 43, "{format:?}");
        let lifetime = lifetime_of(&token);
        assert!((898..=900).contains(&lifetime), "{format:?}: {lifetime} s");
        assert!(client.heartbeat().await.expect("heartbeat").is_alive());
        let stats = sandbox.extraview().stats();
        assert_eq!(
            (stats.token_requests, stats.api_requests),
            (1, 1),
            "{format:?}: one sign-in for every call"
        );
    }
}

#[tokio::test]
async fn get_reads_titles_cdata_and_nested_groups() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let issue = client.get(12303).await.expect("issue");
    assert_eq!(issue.id(), Some("12303"));
    assert_eq!(issue.title("ID"), Some("Bug #"));
    let title = issue.text("SHORT_DESCR").expect("a title");
    assert!(
        title.contains('<') && title.contains('>') && title.contains('&'),
        "{title}"
    );
    let module = issue
        .path(&["MODULE_RECORD", "MODULE_NAME"])
        .expect("module");
    assert_eq!(module.title.as_deref(), Some("Module"));
    assert!(module.text().is_some_and(|m| !m.is_empty()));
    let found = issue
        .path(&["RELEASE_RECORD", "RELEASE_FOUND"])
        .expect("release");
    assert_eq!(found.title.as_deref(), Some("Version Open"));
    // A `]]>` inside CDATA, and non-ASCII letters, come back as they were.
    let description = client.get(12305).await.expect("12305");
    assert!(
        description
            .text("DESCRIPTION")
            .is_some_and(|d| d.contains("]]>")),
        "{description:?}"
    );
    let accented = client.get(12306).await.expect("12306");
    assert!(
        accented.text("SHORT_DESCR").is_some_and(|t| !t.is_ascii()),
        "{accented:?}"
    );
    // By alternate id (strict), and the refusals of unknown ids.
    let alt = issue.text("ALT_ID").expect("an ALT_ID").to_owned();
    let by_alt = client
        .get(extraview_sdk::IssueId::alt(alt))
        .await
        .expect("by ALT_ID");
    assert_eq!(by_alt.id(), Some("12303"));
    let missing = client.get(99_999).await.expect_err("no such issue");
    assert!(missing.is_not_found(), "{missing:?}");
    assert_eq!(missing.api_kind(), Some(ApiErrorKind::NotFound));
    let invalid = client
        .get(extraview_sdk::IssueId::alt("EXT-NONE"))
        .await
        .expect_err("no such ALT_ID");
    assert_eq!(invalid.api_kind(), Some(ApiErrorKind::InvalidId));
}

#[tokio::test]
async fn search_pages_to_the_end_with_every_issue_once() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let expected = seeded_ids();
    for page_length in [1, 4, 7, 29, 30, 31, 100] {
        let before = sandbox.extraview().stats().api_requests;
        let ids = stream_ids(&client, SearchQuery::new().page_length(page_length)).await;
        assert_eq!(ids, expected, "pages of {page_length}");
        // Every page, then the empty one that ends the stream.
        let pages = SEEDED.div_ceil(page_length) + 1;
        let requests = sandbox.extraview().stats().api_requests - before;
        assert_eq!(requests, pages, "pages of {page_length}");
    }
    // A filter: paged, the same issues in the same order as in one page.
    let gadgets = SearchQuery::new().filter("PRODUCT_NAME", "GADGET");
    let paged = stream_ids(&client, gadgets.clone().page_length(3)).await;
    let whole = client
        .search(&gadgets.clone().page_length(1000))
        .await
        .expect("one page");
    let whole: Vec<&str> = whole.records.iter().filter_map(|r| r.id()).collect();
    assert!(paged.len() > 3, "more than one page: {paged:?}");
    assert_eq!(paged, whole);
    // One page past the first, on its own.
    let page = client
        .search(&SearchQuery::new().page_length(10).record_start(21))
        .await
        .expect("page 3");
    let ids: Vec<&str> = page.records.iter().filter_map(|r| r.id()).collect();
    assert_eq!(
        ids,
        expected[20..]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    // The caller's record_count ends the stream.
    let first_twelve =
        stream_ids(&client, SearchQuery::new().page_length(5).record_count(12)).await;
    assert_eq!(first_twelve, expected[..12]);
}

/// `DATE_CREATED` (`yyyy-MM-dd HH:mm:ss`, server time) one second earlier: a `history`
/// cutoff (exclusive) that keeps the issue's first version.
fn cutoff_before(created: &str) -> String {
    let at = NaiveDateTime::parse_from_str(created, "%Y-%m-%d %H:%M:%S").expect("a date");
    (at - TimeDelta::seconds(1))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

#[tokio::test]
async fn insert_update_history_and_delete() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = client
        .insert(
            &Fields::new()
                .set("SHORT_DESCR", "Label printer jams")
                .set("DESCRIPTION", "Every tenth label.")
                .set("PRIORITY", "P3")
                .set("PRODUCT_NAME", "GADGET")
                .set("MODULE_NAME", "DISPLAY")
                .send_email(false),
        )
        .await
        .expect("inserted");
    assert_eq!(id, FIRST_ID + SEEDED, "the next id");
    let issue = client.get(id).await.expect("read back");
    assert_eq!(issue.text("SHORT_DESCR"), Some("Label printer jams"));
    assert_eq!(issue.text("STATUS"), Some("NEW"), "the default status");
    let created = issue.text("DATE_CREATED").expect("created").to_owned();
    let since = HistoryQuery::since(cutoff_before(&created));
    let versions = |entries: Vec<extraview_sdk::HistoryEntry>| -> Vec<String> {
        entries
            .into_iter()
            .filter(|e| e.id.as_deref() == Some(id.to_string().as_str()))
            .map(|e| e.record.text("STATUS").unwrap_or_default().to_owned())
            .collect()
    };
    let after_insert = versions(client.history(&since).await.expect("history"));
    assert_eq!(after_insert, ["NEW"]);

    let updated = client
        .update(
            id,
            &Fields::new()
                .set("STATUS", "ASSIGNED")
                .set("ASSIGNED_TO", "jdoe")
                .set("COMMENTS", "Cleaned the rollers.")
                .username_display(UsernameDisplay::Id),
        )
        .await
        .expect("updated");
    assert_eq!(updated, id);
    let issue = client.get(id).await.expect("read back");
    assert_eq!(issue.text("STATUS"), Some("ASSIGNED"));
    assert!(
        issue
            .text("COMMENTS")
            .is_some_and(|c| c.ends_with("Cleaned the rollers.")),
        "{issue:?}"
    );
    let after_update = versions(client.history(&since).await.expect("history"));
    assert_eq!(after_update, ["NEW", "ASSIGNED"], "the history grew");

    // Refusals: an ID on insert (before any request), an unknown list value (the server's).
    let before = sandbox.extraview().stats().api_requests;
    let err = client
        .insert(&Fields::new().set("ID", "1").set("SHORT_DESCR", "x"))
        .await
        .expect_err("ID on insert");
    assert!(
        matches!(err, Error::Http(HttpError::InvalidRequest(_))),
        "{err:?}"
    );
    assert_eq!(
        sandbox.extraview().stats().api_requests,
        before,
        "nothing sent"
    );
    let err = client
        .update(id, &Fields::new().set("PRIORITY", "P9"))
        .await
        .expect_err("unknown value");
    assert_eq!(err.api_kind(), Some(ApiErrorKind::Validation), "{err:?}");

    assert_eq!(client.delete(id).await.expect("deleted"), id);
    let gone = client.get(id).await.expect_err("deleted");
    assert!(gone.is_not_found(), "{gone:?}");
}

#[tokio::test]
async fn metadata_field_flags_allowed_values_and_meta_data() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let fields = client.add_field_list().await.expect("add layout");
    let field = |name: &str| {
        fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{name} in {fields:?}"))
    };
    let required: BTreeSet<&str> = fields
        .iter()
        .filter(|f| f.flags.required)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        required,
        BTreeSet::from(["SHORT_DESCR", "DESCRIPTION", "PRIORITY"])
    );
    assert!(field("DESCRIPTION").flags.text_area);
    assert!(field("COMMENTS").flags.text_area);
    assert!(field("ASSIGNED_TO").flags.user);
    let worked_by = field("TE_USER");
    assert!(
        worked_by.flags.repeating && worked_by.flags.user,
        "{worked_by:?}"
    );
    assert_eq!(field("MODULE_NAME").parent.as_deref(), Some("PRODUCT_NAME"));
    assert_eq!(field("SHORT_DESCR").title.as_deref(), Some("Title"));
    assert!(
        !fields.iter().any(|f| f.name == "ID"),
        "the server sets ID: not on the add layout"
    );
    let edit = client.edit_field_list().await.expect("edit layout");
    assert!(edit.iter().any(|f| f.name == "STATUS"));

    let modules = client.allowed_list("MODULE_NAME", None).await.expect("all");
    assert_eq!(modules.len(), 6, "{modules:?}");
    let gadget = client
        .allowed_list("MODULE_NAME", Some(("PRODUCT_NAME", "GADGET")))
        .await
        .expect("under GADGET");
    let titles: Vec<&str> = gadget.iter().map(|v| v.title.as_str()).collect();
    // Keys and screen titles; writes take the key (or the name), never the title.
    assert_eq!(titles, ["Display", "Battery"]);
    assert!(
        gadget.iter().all(|v| v.key.parse::<u32>().is_ok()),
        "{gadget:?}"
    );
    let err = client
        .allowed_list("MODULE_NAME", Some(("PRIORITY", "P1")))
        .await
        .expect_err("not its parent");
    assert!(err.api().is_some(), "{err:?}");
    // The disabled DEFERRED status only with disabled_values.
    let statuses = |all: &[extraview_sdk::MetaDataEntry]| -> Vec<String> {
        all.iter()
            .filter(|m| m.field == "STATUS")
            .map(|m| m.name.clone())
            .collect()
    };
    let meta = client
        .get_valid_meta_data(&MetaDataQuery::new().field("STATUS").all(true))
        .await
        .expect("meta data");
    assert!(
        !statuses(&meta).contains(&"DEFERRED".to_owned()),
        "{meta:?}"
    );
    let meta = client
        .get_valid_meta_data(
            &MetaDataQuery::new()
                .field("STATUS")
                .all(true)
                .disabled_values(true),
        )
        .await
        .expect("meta data");
    assert_eq!(
        statuses(&meta),
        ["NEW", "OPEN", "ASSIGNED", "FIXED", "CLOSED", "DEFERRED"]
    );
}

#[tokio::test]
async fn users_by_state_and_filter() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let active = client.get_users(&UsersQuery::new()).await.expect("users");
    let ids: BTreeSet<&str> = active.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "SANDBOX_API",
            "SANDBOX_READONLY",
            "JDOE",
            "ASMITH",
            "MCHEN",
            "RPATEL"
        ])
    );
    let disabled = client
        .get_users(&UsersQuery::new().disabled(DisabledUsers::Only))
        .await
        .expect("disabled");
    assert_eq!(
        disabled.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        ["KLEE"]
    );
    let smith = client
        .get_users(&UsersQuery::new().filter("*smith*", [UserFilterType::Id]))
        .await
        .expect("filtered");
    assert_eq!(smith.len(), 1, "{smith:?}");
    assert_eq!(smith[0].id, "ASMITH");
    assert!(smith[0].first_name.is_some() && smith[0].last_name.is_some());
}

#[tokio::test]
async fn heartbeat_with_tasks() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let plain = client.heartbeat().await.expect("heartbeat");
    assert!(plain.is_alive() && plain.is_db_confirmed(), "{plain:?}");
    assert!(plain.tasks.is_empty(), "tasks only when asked: {plain:?}");
    let beat = client.heartbeat_with_tasks().await.expect("with tasks");
    assert_eq!(beat.total_memory_mb, Some(512));
    assert!(beat.free_memory_mb.is_some_and(|f| f <= 512), "{beat:?}");
    assert!(beat.db_datetime.is_some() && beat.exec_time_ms.is_some());
    assert_eq!(beat.tasks.len(), 2, "{beat:?}");
    for task in &beat.tasks {
        assert!(task.task.is_some() && task.node_id.is_some(), "{task:?}");
        assert_eq!(task.task_state.as_deref(), Some("STARTED"));
        assert_eq!(task.threads.len(), 1, "{task:?}");
        assert!(task.threads[0].secs_since_execution.is_some());
    }
}

#[tokio::test]
async fn attachments_round_trip_byte_for_byte() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let seeded = client.list_attachments(12301).await.expect("listed");
    assert_eq!(seeded.len(), 1);
    assert_eq!(seeded[0].file_name, "server.log");
    assert_eq!(seeded[0].mime_type.as_deref(), Some("text/plain"));
    let log = client
        .download_attachment(seeded[0].id.as_deref().expect("an id"))
        .await
        .expect("downloaded");
    assert_eq!(Some(log.len() as u64), seeded[0].size);

    // Every byte value, CRLFs and something that looks like a multipart boundary.
    let mut content: Vec<u8> = (0..=255).collect();
    content.extend_from_slice(b"\r\n--boundary\r\n\r\nend");
    let before = client.list_attachments(12304).await.expect("listed");
    let answer = client
        .upload_attachment(12304, "e2e capture", "capture.bin", content.clone())
        .await
        .expect("uploaded");
    assert!(answer.contains("added"), "{answer}");
    let after = client.list_attachments(12304).await.expect("listed");
    assert_eq!(after.len(), before.len() + 1);
    let new = after
        .iter()
        .find(|a| a.file_name == "capture.bin")
        .expect("the upload");
    assert_eq!(new.size, Some(content.len() as u64));
    assert_eq!(new.description.as_deref(), Some("e2e capture"));
    assert_eq!(new.uploaded_by.as_deref(), Some("SANDBOX_API"));
    let id = new.id.as_deref().expect("an id");
    assert!(answer.contains(id), "the confirmation names it: {answer}");
    let back = client.download_attachment(id).await.expect("downloaded");
    assert_eq!(back.as_ref(), content.as_slice(), "the same bytes");

    let none = client.list_attachments(12310).await.expect("listed");
    assert!(
        none.iter().all(|a| a.file_name != "capture.bin"),
        "{none:?}"
    );
    let missing = client
        .download_attachment("99")
        .await
        .expect_err("no such attachment");
    assert!(missing.is_not_found(), "{missing:?}");
}

#[tokio::test]
async fn a_token_expired_between_pages_costs_one_sign_in_and_the_search_completes() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let admin = reqwest::Client::new();
    let mut stream = std::pin::pin!(client.search_stream(SearchQuery::new().page_length(10)));
    let mut ids = Vec::new();
    let mut expired = None;
    while let Some(issue) = stream.try_next().await.unwrap_or_else(|e| panic!("{e}")) {
        ids.push(issue.id().unwrap_or_default().to_owned());
        if ids.len() == 10 {
            // The first page is used up, the second not asked for yet: expire through the
            // admin API, as a user of the sandbox binary would.
            let answer: serde_json::Value = admin
                .post(format!("{}/extraview/tokens/expire", sandbox.admin_url()))
                .send()
                .await
                .expect("admin")
                .json()
                .await
                .expect("json");
            expired = answer["expired"].as_u64();
            assert_eq!(sandbox.extraview().stats().token_requests, 1);
        }
    }
    assert_eq!(expired, Some(1), "the one live token");
    assert_eq!(
        ids,
        seeded_ids(),
        "every issue once, none lost at the refusal"
    );
    let stats = sandbox.extraview().stats();
    assert_eq!(
        stats.token_requests, 2,
        "exactly one more get_token: {stats:?}"
    );
    // Four pages (the last empty) and the refused second page.
    assert_eq!(stats.api_requests, 5, "{stats:?}");
}

#[tokio::test]
async fn a_wrong_password_is_a_typed_error_without_the_password() {
    let sandbox = sandbox().await;
    let (user, _) = sandbox.extraview_credentials();
    let wrong = "wrong-password-7f3a9c";
    let client = builder(&sandbox)
        .credentials(user, wrong)
        .build()
        .expect("client");
    let err = client.heartbeat().await.expect_err("refused");
    match &err {
        Error::Http(HttpError::Auth(auth @ AuthError::Rejected { status, .. })) => {
            assert_eq!(*status, 200, "ExtraView refuses in a 200");
            assert!(auth.is_rejected());
        }
        other => panic!("expected a rejected sign-in, got {other:?}"),
    }
    assert!(err.to_string().contains("Invalid sign on"), "{err}");
    assert_no_secret(&err, &[wrong]);
    let stats = sandbox.extraview().stats();
    assert_eq!(
        (stats.token_requests, stats.api_requests),
        (1, 0),
        "{stats:?}"
    );
}

#[tokio::test]
async fn a_read_only_users_writes_are_permission_errors() {
    let sandbox = sandbox().await;
    let (user, password) = sandbox.extraview_readonly_credentials();
    let client = builder(&sandbox)
        .credentials(user, password)
        .build()
        .expect("client");
    let issue = client.get(12303).await.expect("it may read");
    assert!(
        issue.get("COMMENTS").is_none(),
        "field security hides COMMENTS"
    );
    let insert = client
        .insert(
            &Fields::new()
                .set("SHORT_DESCR", "x")
                .set("DESCRIPTION", "y")
                .set("PRIORITY", "P4"),
        )
        .await
        .expect_err("no insert");
    let update = client
        .update(12303, &Fields::new().set("STATUS", "CLOSED"))
        .await
        .expect_err("no update");
    let delete = client.delete(12303).await.expect_err("no delete");
    let upload = client
        .upload_attachment(12303, "", "a.txt", b"a".to_vec())
        .await
        .expect_err("no upload");
    for err in [&insert, &update, &delete, &upload] {
        assert_eq!(
            err.api_kind(),
            Some(ApiErrorKind::PermissionDenied),
            "{err:?}"
        );
        assert_no_secret(err, &[password]);
    }
    assert_eq!(insert.api().map(|a| a.command), Some("insert"));
    assert!(insert.to_string().contains("denied"), "{insert}");
    assert_eq!(sandbox.extraview().stats().token_requests, 1);
}

#[tokio::test]
async fn a_semicolon_delimiter_and_the_id_hash_title() {
    let sandbox = start(
        Sandbox::builder()
            .extraview_delimiter(";")
            .extraview_id_title("ID #"),
    )
    .await;
    for delimiter in [Delimiter::Auto, Delimiter::Semicolon] {
        let (user, password) = sandbox.extraview_credentials();
        let client = builder(&sandbox)
            .credentials(user, password)
            .delimiter(delimiter)
            .build()
            .expect("client");
        let values = client
            .allowed_list("PRIORITY", None)
            .await
            .expect("allowed values");
        let pairs: Vec<(&str, &str)> = values
            .iter()
            .map(|v| (v.key.as_str(), v.title.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("1101", "P1 - Critical"),
                ("1102", "P2 - High"),
                ("1103", "P3 - Medium"),
                ("1104", "P4 - Low")
            ],
            "{delimiter:?}"
        );
        let users = client.get_users(&UsersQuery::new()).await.expect("users");
        assert!(
            users
                .iter()
                .any(|u| u.id == "JDOE" && u.last_name.is_some())
        );
        let fields = client.add_field_list().await.expect("fields");
        let module = fields
            .iter()
            .find(|f| f.name == "MODULE_NAME")
            .expect("module");
        assert_eq!(
            module.parent.as_deref(),
            Some("PRODUCT_NAME"),
            "{delimiter:?}"
        );
        let files = client.list_attachments(12301).await.expect("listed");
        assert_eq!(files[0].file_name, "server.log", "{delimiter:?}");
        assert!(
            files[0].id.is_some() && files[0].size.is_some(),
            "{files:?}"
        );
    }
    let client = client(&sandbox);
    // `ID #12331 added.`: no space before the number.
    let id = client
        .insert(
            &Fields::new()
                .set("SHORT_DESCR", "Semicolons")
                .set("DESCRIPTION", "a;b;c")
                .set("PRIORITY", "P2"),
        )
        .await
        .expect("inserted");
    assert_eq!(id, FIRST_ID + SEEDED);
    let issue = client.get(id).await.expect("read back");
    assert_eq!(issue.title("ID"), Some("ID #"));
    assert_eq!(issue.text("DESCRIPTION"), Some("a;b;c"));
    assert_eq!(
        client
            .update(id, &Fields::new().set("PRIORITY", "P1"))
            .await
            .expect("updated"),
        id
    );
    assert_eq!(client.delete(id).await.expect("deleted"), id);
}

#[tokio::test]
async fn a_forced_500_and_redirects_are_errors_without_a_secret() {
    let sandbox = sandbox().await;
    let (_, password) = sandbox.extraview_credentials();
    let client = client(&sandbox);
    let token = client.auth().token().await.expect("signed in");
    let token = token.access_token().expose_secret().to_owned();
    let controls = sandbox.extraview();

    let mut faults = controls.faults();
    faults.fail_api = Some(ForcedFailure::new(500, 1));
    controls.set_faults(faults).expect("knobs");
    let err = client.get(12301).await.expect_err("500");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err:?}");
    assert!(
        err.api().is_none(),
        "an HTTP failure, not a refusal in text"
    );
    assert!(!err.is_retryable(), "a 500 is not retried");
    assert_no_secret(&err, &[password, &token]);
    controls.reset_faults();

    // An API call redirected to a sign-on page: never followed, the token stays here.
    let mut faults = controls.faults();
    faults.redirect_api = 1;
    controls.set_faults(faults).expect("knobs");
    let err = client.get(12301).await.expect_err("302");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302), "{err:?}");
    assert_no_secret(&err, &[password, &token]);
    controls.reset_faults();
    client.get(12301).await.expect("the next call goes through");

    // The sign-in redirected: the password was in that URL, and is in no error.
    let fresh = self::client(&sandbox);
    let mut faults = controls.faults();
    faults.redirect_tokens = 1;
    controls.set_faults(faults).expect("knobs");
    let err = fresh.heartbeat().await.expect_err("sign-in redirected");
    assert!(matches!(&err, Error::Http(HttpError::Auth(_))), "{err:?}");
    assert_no_secret(&err, &[password, &token]);
    controls.reset_faults();
    let stats = controls.stats();
    assert_eq!(
        stats.tokens_issued, 1,
        "the redirect issued no token: {stats:?}"
    );
}

#[allow(
    dead_code,
    reason = "the example's `main`, which reads the process environment"
)]
#[path = "../../crates/extraview-sdk/examples/first_issues.rs"]
mod first_issues;

/// The client `Client::from_env` builds from what the sandbox prints, without touching the
/// process environment (tests share it).
fn from_sandbox_env(sandbox: &RunningSandbox, password: Option<&str>) -> Client {
    let env = sandbox.extraview_env();
    Client::from_lookup(|name| match (name, password) {
        ("EXTRAVIEW_PASSWORD", Some(password)) => Some(password.to_owned()),
        _ => env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()),
    })
    .expect("client")
}

#[tokio::test]
async fn the_first_issues_example_prints_the_heartbeat_and_a_page() {
    let sandbox = sandbox().await;
    let client = from_sandbox_env(&sandbox, None);
    let mut out = Vec::new();
    let printed = first_issues::print_first_issues(&client, &mut out)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let out = String::from_utf8(out).expect("utf-8");
    assert!(printed.alive, "{out}");
    assert_eq!(printed.issues, 10, "{out}");
    assert!(
        out.starts_with("EXTRAVIEW ALIVE, DB CONNECTION CONFIRMED (server time "),
        "{out}"
    );
    assert!(out.contains("\n   12301  "), "{out}");
    assert!(out.ends_with("\n10 issues on the first page\n"), "{out}");
    assert_eq!(out.lines().count(), 12, "{out}");
    let stats = sandbox.extraview().stats();
    assert_eq!(
        (stats.token_requests, stats.api_requests),
        (1, 2),
        "{stats:?}"
    );
}

#[tokio::test]
async fn the_first_issues_example_stops_at_a_wrong_password() {
    let sandbox = sandbox().await;
    let client = from_sandbox_env(&sandbox, Some("not-the-password"));
    let mut out = Vec::new();
    let err = first_issues::print_first_issues(&client, &mut out)
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("Invalid sign on"), "{err}");
    assert!(!err.to_string().contains("not-the-password"), "{err}");
    assert!(out.is_empty(), "nothing printed before the sign-in");
    assert_eq!(sandbox.extraview().stats().api_requests, 0);
}
