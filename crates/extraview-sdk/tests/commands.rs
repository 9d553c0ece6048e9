//! Every command against a mock server: the exact query parameters (`statevar`, the token as
//! `access_token`, the command's own), and the parsed answer, refusals in a 200 included.

mod common;

use common::*;
use extraview_sdk::catalogue::COMMANDS;
use extraview_sdk::{
    ApiErrorKind, DisabledUsers, Error, Fields, HistoryQuery, IssueId, MetaDataQuery, SearchQuery,
    UserFilterType, UsernameDisplay, UsersQuery,
};
use futures::TryStreamExt as _;
use httpmock::Method::POST;
use httpmock::MockServer;

/// The commands this file exercises; checked against the catalogue below, so a command added
/// to the catalogue without a test here fails.
const EXERCISED: &[&str] = &[
    "get_token",
    "get",
    "search",
    "insert",
    "update",
    "delete",
    "history",
    "add_field_list",
    "edit_field_list",
    "allowed_list",
    "get_valid_meta_data",
    "get_users",
    "get_heartbeat",
    "list_attachment",
    "get_attachment",
    "add_attachment",
];

#[test]
fn every_command_of_the_catalogue_is_exercised_here() {
    let mut listed: Vec<&str> = COMMANDS.iter().map(|c| c.statevar).collect();
    let mut exercised = EXERCISED.to_vec();
    listed.sort_unstable();
    exercised.sort_unstable();
    assert_eq!(listed, exercised);
}

#[tokio::test]
async fn get_reads_the_record_with_titles_groups_and_rows() {
    let server = MockServer::start_async().await;
    let token = sign_in(&server, TOKEN).await;
    let get = command(&server, "get", &[("id", "78512")], RECORD_XML).await;
    let record = client(&server).get(78512).await.expect("record");
    get.assert_calls_async(1).await;
    token.assert_calls_async(1).await;
    assert_eq!(record.id(), Some("78512"));
    assert_eq!(record.title("ID"), Some("ID"));
    assert_eq!(
        record.text("SHORT_DESCR"),
        Some("VPN drops <every> hour & reconnects")
    );
    assert_eq!(record.text("PRODUCT_NAME"), Some("Widgets & Gadgets"));
    assert_eq!(record.text("ALT_ID"), Some(""));
    assert_eq!(
        record
            .path(&["MODULE_RECORD", "MODULE_NAME"])
            .and_then(|f| f.title.as_deref()),
        Some("Module")
    );
    let rows: Vec<&str> = record
        .all("PARTS_ROW")
        .filter_map(|row| row.child("PART_NO")?.text())
        .collect();
    assert_eq!(rows, ["A-100", "B-7"]);
}

#[tokio::test]
async fn get_by_alternate_id_is_strict() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let get = command(
        &server,
        "get",
        &[("id", "EXT-7"), ("strict", "yes")],
        "Invalid Id\r\n",
    )
    .await;
    let err = client(&server)
        .get(IssueId::alt("EXT-7"))
        .await
        .expect_err("refused");
    get.assert_calls_async(1).await;
    assert_eq!(err.api_kind(), Some(ApiErrorKind::InvalidId));
    assert!(err.is_not_found());
}

#[tokio::test]
async fn get_of_an_unknown_id_is_not_found() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    command(&server, "get", &[("id", "99")], "Bug #99 does not exist.").await;
    let err = client(&server).get("99").await.expect_err("unknown");
    let Error::Api(api) = &err else {
        panic!("expected a refusal, got {err:?}");
    };
    assert_eq!(api.command, "get");
    assert_eq!(api.kind, ApiErrorKind::NotFound);
    assert_eq!(api.message, "Bug #99 does not exist.");
    assert_eq!(
        err.to_string(),
        "ExtraView refused `get` (not found): Bug #99 does not exist."
    );
}

#[tokio::test]
async fn get_answering_broken_xml_is_a_decode_error() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    command(&server, "get", &[("id", "1")], "<PROBLEM_RECORD><ID>1</ID>").await;
    let err = client(&server).get(1).await.expect_err("truncated");
    assert!(
        matches!(&err, Error::Http(extraview_sdk::HttpError::Decode { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("`get` answer"), "{err}");
}

#[tokio::test]
async fn search_sends_paging_filters_and_options() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let search = command(
        &server,
        "search",
        &[
            ("page_length", "50"),
            ("record_start", "11"),
            ("record_count", "200"),
            ("keyword", "wireless PDA"),
            ("username_display", "ID"),
            ("STATUS", "OPEN"),
            ("SHORT_DESCR", "*printer*"),
        ],
        SEARCH_PAGE_1,
    )
    .await;
    let query = SearchQuery::new()
        .filter("STATUS", "OPEN")
        .filter("SHORT_DESCR", "*printer*")
        .keyword("wireless PDA")
        .username_display(UsernameDisplay::Id)
        .page_length(50)
        .record_start(11)
        .record_count(200);
    let page = client(&server).search(&query).await.expect("page");
    search.assert_calls_async(1).await;
    assert_eq!(page.records.len(), 2);
    assert_eq!((page.record_start, page.page_length), (11, 50));
    assert_eq!(page.next_start(), Some(13));
    assert_eq!(page.records[1].id(), Some("12267"));
}

#[tokio::test]
async fn search_stream_moves_by_the_records_received_until_an_empty_page() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let page = |start: &'static str, count: &'static str, body: &'static str| {
        let server = &server;
        async move {
            command(
                server,
                "search",
                &[
                    ("page_length", "2"),
                    ("record_start", start),
                    ("record_count", count),
                    ("STATUS", "OPEN"),
                ],
                body,
            )
            .await
        }
    };
    // Each page asks for the records up to its own last one.
    let first = page("1", "2", SEARCH_PAGE_1).await;
    let second = page("3", "4", SEARCH_PAGE_2).await;
    let last = page("4", "5", SEARCH_EMPTY).await;
    let records: Vec<_> = client(&server)
        .search_stream(SearchQuery::new().filter("STATUS", "OPEN").page_length(2))
        .try_collect()
        .await
        .expect("every page");
    let ids: Vec<_> = records.iter().filter_map(|r| r.id()).collect();
    assert_eq!(ids, ["12266", "12267", "12268"]);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    last.assert_calls_async(1).await;
}

#[tokio::test]
async fn search_stream_stops_when_the_server_repeats_a_page() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    for (start, count) in [("1", "2"), ("3", "4")] {
        command(
            &server,
            "search",
            &[
                ("page_length", "2"),
                ("record_start", start),
                ("record_count", count),
            ],
            SEARCH_PAGE_1,
        )
        .await;
    }
    let result: Result<Vec<_>, _> = client(&server)
        .search_stream(SearchQuery::new().page_length(2))
        .try_collect()
        .await;
    let err = result.expect_err("a loop is refused");
    assert!(err.to_string().contains("record_start"), "{err}");
}

/// An install as the manual describes paging: `record_count` caps the whole result and
/// defaults to `page_length`, so a page past the first comes back empty without it.
async fn paging_install(server: &MockServer, issues: u64) -> httpmock::Mock<'_> {
    server
        .mock_async(move |when, then| {
            when.method(httpmock::Method::GET)
                .path(PATH)
                .query_param("statevar", "search");
            then.respond_with(move |req: &httpmock::HttpMockRequest| {
                let params: Vec<(String, String)> = req
                    .uri()
                    .query()
                    .map(|q| {
                        url::form_urlencoded::parse(q.as_bytes())
                            .into_owned()
                            .collect()
                    })
                    .unwrap_or_default();
                let number = |name: &str| {
                    params
                        .iter()
                        .find(|(k, _)| k == name)
                        .and_then(|(_, v)| v.parse::<u64>().ok())
                };
                let length = number("page_length").unwrap_or(u64::MAX);
                let start = number("record_start").unwrap_or(1);
                let count = number("record_count").unwrap_or(length).min(issues);
                let mut body = String::from("<?xml version=\"1.0\"?>\r\n<EXTRAVIEW_RESULTS>\r\n");
                for n in (start..=count).take(usize::try_from(length).unwrap_or(usize::MAX)) {
                    body.push_str(&format!(
                        "<PROBLEM_RECORD><ID TITLE=\"Bug #\">{}</ID></PROBLEM_RECORD>\r\n",
                        12300 + n
                    ));
                }
                body.push_str("</EXTRAVIEW_RESULTS>\r\n");
                http::Response::builder()
                    .status(200)
                    .body(body.into_bytes())
                    .expect("response")
                    .into()
            });
        })
        .await
}

#[tokio::test]
async fn search_stream_reads_past_the_first_page_where_record_count_defaults_to_page_length() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    paging_install(&server, 7).await;
    let client = client(&server);
    let ids: Vec<String> = client
        .search_stream(SearchQuery::new().page_length(3))
        .map_ok(|r| r.id().unwrap_or_default().to_owned())
        .try_collect()
        .await
        .expect("every page");
    let expected: Vec<String> = (12301..=12307).map(|n| n.to_string()).collect();
    assert_eq!(ids, expected, "every issue, once, in order");
    // One page alone, past the first: full as well.
    let page = client
        .search(&SearchQuery::new().page_length(3).record_start(4))
        .await
        .expect("page 2");
    assert_eq!(page.records.len(), 3);
}

#[tokio::test]
async fn search_stream_stops_at_the_callers_record_count_without_another_request() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let install = paging_install(&server, 30).await;
    let client = client(&server);
    let ids: Vec<String> = client
        .search_stream(SearchQuery::new().page_length(4).record_count(10))
        .map_ok(|r| r.id().unwrap_or_default().to_owned())
        .try_collect()
        .await
        .expect("ten records");
    assert_eq!(ids.len(), 10);
    assert_eq!(ids.last().map(String::as_str), Some("12310"));
    install.assert_calls_async(3).await;
    // A start past the count would read an empty page, i.e. end silently: refused first.
    let err = client
        .search(&SearchQuery::new().record_start(11).record_count(10))
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("record_count 10"), "{err}");
}

#[tokio::test]
async fn insert_returns_the_id_whatever_the_title() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let fields = Fields::new()
        .set("SHORT_DESCR", "Printer offline")
        .set("PRIORITY", "P2")
        .send_email(false)
        .username_display(UsernameDisplay::Id);
    let params = [
        ("send_email", "no"),
        ("username_display", "ID"),
        ("SHORT_DESCR", "Printer offline"),
        ("PRIORITY", "P2"),
    ];
    let docs = command(&server, "insert", &params, "Bug # 12352 added.\r\n").await;
    let client = client(&server);
    assert_eq!(client.insert(&fields).await.expect("added"), 12352);
    docs.assert_calls_async(1).await;
    docs.delete_async().await;
    command(&server, "insert", &params, "ID #78512 added.").await;
    assert_eq!(client.insert(&fields).await.expect("added"), 78512);
}

#[tokio::test]
async fn insert_refusals_are_typed() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    command(
        &server,
        "insert",
        &[("SHORT_DESCR", "x"), ("PRIORITY", "P9")],
        "You cannot provide a value P9 for PRIORITY",
    )
    .await;
    let err = client(&server)
        .insert(&Fields::new().set("SHORT_DESCR", "x").set("PRIORITY", "P9"))
        .await
        .expect_err("refused");
    assert_eq!(err.api_kind(), Some(ApiErrorKind::Validation));
}

#[tokio::test]
async fn update_and_delete_return_the_id() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let update = command(
        &server,
        "update",
        &[("id", "78512"), ("STATUS", "CLOSED"), ("send_email", "no")],
        "ID #78512 updated.",
    )
    .await;
    let delete = command(
        &server,
        "delete",
        &[("id", "12352")],
        "Bug # 12352 deleted.",
    )
    .await;
    let client = client(&server);
    let updated = client
        .update(
            78512,
            &Fields::new().set("STATUS", "CLOSED").send_email(false),
        )
        .await
        .expect("updated");
    assert_eq!(updated, 78512);
    assert_eq!(client.delete(12352).await.expect("deleted"), 12352);
    update.assert_calls_async(1).await;
    delete.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_update_refused_for_a_field_is_permission_denied() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    command(
        &server,
        "update",
        &[("id", "5"), ("STATUS", "CLOSED")],
        "Access to field STATUS denied",
    )
    .await;
    let err = client(&server)
        .update(5, &Fields::new().set("STATUS", "CLOSED"))
        .await
        .expect_err("denied");
    assert_eq!(err.api_kind(), Some(ApiErrorKind::PermissionDenied));
}

#[tokio::test]
async fn history_sends_every_option() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let history = command(
        &server,
        "history",
        &[
            ("cutoff", "2024-05-01 00:00"),
            ("cutoff_end", "2024-05-04 00:00"),
            ("evhist_sellist", "ID,STATUS,TIMESTAMP"),
            ("hist_range_start", "2024-05-02"),
            ("hist_range_end", "2024-05-03"),
            ("show_attributes", "NO"),
            ("username_display", "LAST"),
            ("PRODUCT_NAME", "WIDGET"),
        ],
        HISTORY_XML,
    )
    .await;
    let query = HistoryQuery::since("2024-05-01 00:00")
        .until("2024-05-04 00:00")
        .fields(["ID", "STATUS", "TIMESTAMP"])
        .range("2024-05-02", "2024-05-03")
        .show_attributes(false)
        .username_display(UsernameDisplay::Last)
        .filter("PRODUCT_NAME", "WIDGET");
    let entries = client(&server).history(&query).await.expect("history");
    history.assert_calls_async(1).await;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].timestamp.as_deref(), Some("2024-05-03 16:40"));
    assert_eq!(entries[1].record.text("ASSIGNED_TO"), Some("jdoe"));
}

#[tokio::test]
async fn field_lists_of_both_layouts() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let add = command(&server, "add_field_list", &[], ADD_FIELD_LIST).await;
    let edit = command(&server, "edit_field_list", &[], "STATUS|Status|\r\n").await;
    let client = client(&server);
    let fields = client.add_field_list().await.expect("add layout");
    assert_eq!(fields.len(), 7);
    assert!(fields[1].flags.required && fields[1].flags.text_area);
    assert!(fields[2].flags.user);
    assert_eq!(fields[4].parent.as_deref(), Some("PRODUCT_NAME"));
    assert!(fields[5].flags.repeating);
    let edit_fields = client.edit_field_list().await.expect("edit layout");
    assert_eq!(edit_fields[0].name, "STATUS");
    add.assert_calls_async(1).await;
    edit.assert_calls_async(1).await;
}

#[tokio::test]
async fn allowed_list_with_and_without_a_parent() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let child = command(
        &server,
        "allowed_list",
        &[
            ("field", "MODULE_ID"),
            ("parent", "PRODUCT_NAME"),
            ("parent_val", "WIDGET"),
        ],
        ALLOWED_LIST,
    )
    .await;
    let all = command(
        &server,
        "allowed_list",
        &[("field", "PRIORITY")],
        "P1|Urgent\n",
    )
    .await;
    let client = client(&server);
    let values = client
        .allowed_list("MODULE_ID", Some(("PRODUCT_NAME", "WIDGET")))
        .await
        .expect("values");
    assert_eq!(values.len(), 3);
    assert_eq!(values[2].title, "Fan 12:00 model");
    let priorities = client.allowed_list("PRIORITY", None).await.expect("values");
    assert_eq!(priorities[0].key, "P1");
    child.assert_calls_async(1).await;
    all.assert_calls_async(1).await;
}

#[tokio::test]
async fn allowed_list_of_an_unknown_field_is_a_refusal() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    command(
        &server,
        "allowed_list",
        &[("field", "NOPE")],
        "Field NOPE does not exist\r\n",
    )
    .await;
    let err = client(&server)
        .allowed_list("NOPE", None)
        .await
        .expect_err("unknown field");
    assert_eq!(err.api_kind(), Some(ApiErrorKind::NotFound));
}

#[tokio::test]
async fn meta_data_repeats_fields() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let meta = command(
        &server,
        "get_valid_meta_data",
        &[
            ("fields", "STATUS"),
            ("fields", "PRIORITY"),
            ("user_info", "N"),
            ("disabled_values", "Y"),
            ("all", "Y"),
        ],
        META_DATA,
    )
    .await;
    let query = MetaDataQuery::new()
        .field("STATUS")
        .field("PRIORITY")
        .user_info(false)
        .disabled_values(true)
        .all(true);
    let entries = client(&server)
        .get_valid_meta_data(&query)
        .await
        .expect("metadata");
    meta.assert_calls_async(1).await;
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[2].title, "Closed; no further work");
}

#[tokio::test]
async fn users_with_filters() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let users = command(
        &server,
        "get_users",
        &[
            ("disabled", "N"),
            ("filter", "*DO*"),
            ("filter_type", "ID"),
            ("filter_type", "LAST"),
        ],
        USERS,
    )
    .await;
    let query = UsersQuery::new()
        .disabled(DisabledUsers::Exclude)
        .filter("*DO*", [UserFilterType::Id, UserFilterType::Last]);
    let list = client(&server).get_users(&query).await.expect("users");
    users.assert_calls_async(1).await;
    assert_eq!(list.len(), 3);
    assert_eq!(list[1].extra, ["al.smith@example.com"]);
    assert_eq!(list[2].first_name, None);
}

#[tokio::test]
async fn heartbeat_with_and_without_tasks() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let plain = command(
        &server,
        "get_heartbeat",
        &[],
        "<EV_HEARTBEAT><EV_STATUS>EXTRAVIEW ALIVE</EV_STATUS><DB_STATUS>DB CONNECTION CONFIRMED</DB_STATUS></EV_HEARTBEAT>",
    )
    .await;
    let tasks = command(&server, "get_heartbeat", &[("tasks", "yes")], HEARTBEAT_XML).await;
    let client = client(&server);
    let beat = client.heartbeat().await.expect("beat");
    assert!(beat.is_alive() && beat.is_db_confirmed());
    assert!(beat.tasks.is_empty());
    let beat = client.heartbeat_with_tasks().await.expect("beat");
    assert_eq!(beat.tasks.len(), 2);
    assert_eq!(beat.tasks[0].node_id.as_deref(), Some("node-1"));
    assert_eq!(beat.tasks[0].task_state.as_deref(), Some("STARTED"));
    assert_eq!(beat.tasks[0].threads[0].secs_since_execution, Some(12));
    plain.assert_calls_async(1).await;
    tasks.assert_calls_async(1).await;
}

#[tokio::test]
async fn attachments_listed_and_none() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let listed = command(&server, "list_attachment", &[("id", "78512")], ATTACHMENTS).await;
    let none = command(
        &server,
        "list_attachment",
        &[("id", "1")],
        "No attachments\r\n",
    )
    .await;
    let client = client(&server);
    let files = client.list_attachments(78512).await.expect("list");
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].id.as_deref(), Some("1762332"));
    assert_eq!(
        files[1].description.as_deref(),
        Some("Boot log of the gateway")
    );
    assert!(client.list_attachments(1).await.expect("none").is_empty());
    listed.assert_calls_async(1).await;
    none.assert_calls_async(1).await;
}

#[tokio::test]
async fn download_returns_the_bytes() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\x00\xffdenied";
    let download = command(
        &server,
        "get_attachment",
        &[("attachment_id", "1762332")],
        png,
    )
    .await;
    let bytes = client(&server)
        .download_attachment("1762332")
        .await
        .expect("bytes");
    assert_eq!(bytes.as_ref(), png);
    download.assert_calls_async(1).await;
}

#[tokio::test]
async fn download_refused_in_text_is_an_error() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    command(
        &server,
        "get_attachment",
        &[("attachment_id", "9")],
        "Attachment 9 does not exist",
    )
    .await;
    let err = client(&server)
        .download_attachment("9")
        .await
        .expect_err("refused");
    assert!(err.is_not_found(), "{err:?}");
}

#[tokio::test]
async fn upload_is_a_multipart_post() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let upload = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .query_param("statevar", "add_attachment")
                .query_param("p_id", "78512")
                .query_param("access_token", TOKEN)
                .query_param_missing("password")
                .header_prefix("content-type", "multipart/form-data; boundary=")
                .body_includes("Content-Disposition: form-data; name=\"p_id\"\r\n\r\n78512\r\n")
                .body_includes(
                    "Content-Disposition: form-data; name=\"p_attach_desc\"\r\n\r\nboot log\r\n",
                )
                .body_includes("name=\"file\"; filename=\"boot.log\"")
                .body_includes("\r\n\r\nline one\nline two\r\n--");
            then.status(200)
                .body("File boot.log attached to issue 78512\r\n");
        })
        .await;
    let message = client(&server)
        .upload_attachment(78512, "boot log", "boot.log", &b"line one\nline two"[..])
        .await
        .expect("uploaded");
    assert_eq!(message, "File boot.log attached to issue 78512");
    upload.assert_calls_async(1).await;
}

/// A layout without the `ID` field and a server that ignores `record_start`: the same page
/// comes back for every request. The stream must end with an error instead of repeating it
/// forever.
#[tokio::test]
async fn search_stream_stops_when_a_page_without_ids_repeats() {
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let page = "<?xml version=\"1.0\"?>\n<EXTRAVIEW_RESULTS>\n\
        <PROBLEM_RECORD><STATUS TITLE=\"Status\">OPEN</STATUS><SHORT_DESCR>a</SHORT_DESCR></PROBLEM_RECORD>\n\
        <PROBLEM_RECORD><STATUS TITLE=\"Status\">OPEN</STATUS><SHORT_DESCR>b</SHORT_DESCR></PROBLEM_RECORD>\n\
        </EXTRAVIEW_RESULTS>\n";
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::GET)
                .path(PATH)
                .query_param("statevar", "search")
                .query_param("access_token", TOKEN);
            then.status(200).body(page);
        })
        .await;
    let client = client(&server);
    let mut stream = std::pin::pin!(client.search_stream(SearchQuery::new().page_length(2)));
    let mut received = 0;
    let ended_with_error = loop {
        match stream.try_next().await {
            Ok(Some(_)) => received += 1,
            Ok(None) => break false,
            Err(err) => {
                assert!(err.to_string().contains("record_start"), "{err}");
                break true;
            }
        }
        assert!(
            received <= 20,
            "the same page was read {received} times and the stream goes on"
        );
    };
    assert!(ended_with_error, "a repeated page ends with an error");
    assert_eq!(received, 2, "the first page is delivered once");
}
