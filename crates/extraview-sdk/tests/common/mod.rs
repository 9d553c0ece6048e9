//! Shared set-up of the ExtraView tests: credentials, the `get_token` mock, a client pointed
//! at a mock server, and answers written from the vendor research (CRLF, CDATA, delimiter
//! variants, the malformed documented XML).

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::time::Duration;

use extraview_sdk::{Client, RetryPolicy};
use httpmock::Method::GET;
use httpmock::{Mock, MockServer};

pub const PATH: &str = "/evj/ExtraView/ev_api.action";
pub const USER_ID: &str = "jdoe";
/// Letters only, so no shape rule can tell it from a word: only redaction by the exact value
/// keeps it out of messages.
pub const PASSWORD: &str = "hushhushopensesame";
pub const TOKEN: &str = "qwertzuiopasdfgh";
pub const TOKEN_2: &str = "yxcvbnmlkjhgfdsa";

/// The endpoint of the mock server.
pub fn endpoint(server: &MockServer) -> String {
    server.url(PATH)
}

/// Retries fast enough for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(2)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(10))
}

/// A client signing in with the test credentials at the mock server.
pub fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(endpoint(server))
        .credentials(USER_ID, PASSWORD)
        .retry_policy(fast_retry())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

/// The plain-text `get_token` answer for `token`, with CRLF line ends as documented.
pub fn token_text(token: &str) -> String {
    format!(
        "Token:{token}\r\nType:Bearer\r\nLifetime:3600\r\nExpiration Date:2020-07-02 18:39:48.818 -0700\r\nScope:read write\r\n"
    )
}

/// The `get_token` answer as the manual documents its XML form: not well-formed.
pub fn token_xml(token: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<access_token>\n  <value> {token} </value>\n  <type> Bearer </type>\n  <lifetime> 3600 </lifetime>\n  <Expiration Date> 2020-07-02 18:39:48.818 -0700 </lifetime>\n  <scope> read write </scope>\n</access_token>\n"
    )
}

/// `get_token` for the test credentials, answering `token` in plain text.
pub async fn sign_in<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    let body = token_text(token);
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(PATH)
                .query_param("statevar", "get_token")
                .query_param("user_id", USER_ID)
                .query_param("password", PASSWORD)
                .query_param_missing("access_token");
            then.status(200).body(body);
        })
        .await
}

/// A command with `statevar`, the token and exactly these other query parameters (and no
/// password), answering `body`.
pub async fn command<'a>(
    server: &'a MockServer,
    statevar: &str,
    params: &[(&str, &str)],
    body: impl AsRef<[u8]>,
) -> Mock<'a> {
    let expected: Vec<(String, String)> = std::iter::once(("statevar", statevar))
        .chain(params.iter().copied())
        .chain(std::iter::once(("access_token", TOKEN)))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let body = body.as_ref().to_vec();
    server
        .mock_async(move |when, then| {
            when.method(GET).path(PATH).is_true(move |req| {
                let mut sent: Vec<(String, String)> = req
                    .uri()
                    .query()
                    .map(|q| {
                        url::form_urlencoded::parse(q.as_bytes())
                            .map(|(k, v)| (k.into_owned(), v.into_owned()))
                            .collect()
                    })
                    .unwrap_or_default();
                let mut wanted = expected.clone();
                sent.sort();
                wanted.sort();
                sent == wanted
            });
            then.status(200).body(body);
        })
        .await
}

pub const RECORD_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
<PROBLEM_RECORD>\r\n\
  <ID TITLE=\"ID\">78512</ID>\r\n\
  <ALT_ID TITLE=\"External Id\"></ALT_ID>\r\n\
  <SHORT_DESCR TITLE=\"Title\"><![CDATA[VPN drops <every> hour & reconnects]]></SHORT_DESCR>\r\n\
  <DESCRIPTION TITLE=\"Description\"><![CDATA[Line one\r\n  Line two, indented\r\n]]></DESCRIPTION>\r\n\
  <STATUS TITLE=\"Status\">ASSIGNED</STATUS>\r\n\
  <PRIORITY TITLE=\"Priority\">P2</PRIORITY>\r\n\
  <ASSIGNED_TO TITLE=\"Assigned To\">jdoe</ASSIGNED_TO>\r\n\
  <PRODUCT_NAME TITLE=\"Product\">Widgets &amp; Gadgets</PRODUCT_NAME>\r\n\
  <MODULE_RECORD>\r\n\
    <MODULE_NAME TITLE=\"Module\">Server</MODULE_NAME>\r\n\
  </MODULE_RECORD>\r\n\
  <RELEASE_RECORD>\r\n\
    <RELEASE_FOUND TITLE=\"Version Open\">1.0.1.16</RELEASE_FOUND>\r\n\
    <RELEASE_FIXED TITLE=\"Version Closed\"></RELEASE_FIXED>\r\n\
    <RELEASE_STATUS TITLE=\"Release Status\">Open</RELEASE_STATUS>\r\n\
  </RELEASE_RECORD>\r\n\
  <PARTS_ROW ROW=\"1\"><PART_NO TITLE=\"Part\">A-100</PART_NO><QTY TITLE=\"Qty\">2</QTY></PARTS_ROW>\r\n\
  <PARTS_ROW ROW=\"2\"><PART_NO TITLE=\"Part\">B-7</PART_NO><QTY TITLE=\"Qty\">1</QTY></PARTS_ROW>\r\n\
  <CUSTOMER_COMMENTS TITLE=\"Comments\"><![CDATA[5/2/24 9:14 AM jdoe\r\nFirst look: the tunnel times out.\r\n5/3/24 4:40 PM asmith\r\nReplaced the firewall rule.]]></CUSTOMER_COMMENTS>\r\n\
  <DATE_CREATED TITLE=\"Created\">2024-05-02 09:14</DATE_CREATED>\r\n\
  <TIMESTAMP TITLE=\"Last Modified\">2024-05-03 16:40</TIMESTAMP>\r\n\
</PROBLEM_RECORD>\r\n";

/// A search page of two records in the manual's shape.
pub const SEARCH_PAGE_1: &str = "<?xml version=\"1.0\"?>\n\
<EXTRAVIEW_RESULTS>\n\
<PROBLEM_RECORD>\n\
<ID TITLE=\"Bug #\">12266</ID>\n\
<SHORT_DESCR TITLE=\"Title\"><![CDATA[Here is the title]]></SHORT_DESCR>\n\
<SEVERITY_LEVEL TITLE=\"Severity\">02</SEVERITY_LEVEL>\n\
<DATE_CREATED TITLE=\"Created\">19-APR-01</DATE_CREATED>\n\
<RESOLUTION TITLE=\"Disposition\"></RESOLUTION>\n\
<MODULE_RECORD><MODULE_NAME TITLE=\"Module\">Server</MODULE_NAME></MODULE_RECORD>\n\
<RELEASE_RECORD><RELEASE_FOUND TITLE=\"Version Open\">1.0.1.16</RELEASE_FOUND><RELEASE_FIXED TITLE=\"Version Closed\"></RELEASE_FIXED></RELEASE_RECORD>\n\
</PROBLEM_RECORD>\n\
<PROBLEM_RECORD>\n\
<ID TITLE=\"Bug #\">12267</ID>\n\
<SHORT_DESCR TITLE=\"Title\"><![CDATA[Second one]]></SHORT_DESCR>\n\
<SEVERITY_LEVEL TITLE=\"Severity\">03</SEVERITY_LEVEL>\n\
</PROBLEM_RECORD>\n\
</EXTRAVIEW_RESULTS>\n";

/// The next page: a single record (an object, not a list, to xml2js-style parsers).
pub const SEARCH_PAGE_2: &str = "<?xml version=\"1.0\"?>\r\n<EXTRAVIEW_RESULTS>\r\n<PROBLEM_RECORD>\r\n<ID TITLE=\"Bug #\">12268</ID>\r\n<SHORT_DESCR TITLE=\"Title\"><![CDATA[Third]]></SHORT_DESCR>\r\n</PROBLEM_RECORD>\r\n</EXTRAVIEW_RESULTS>\r\n";

/// No more records.
pub const SEARCH_EMPTY: &str =
    "<?xml version=\"1.0\"?>\r\n<EXTRAVIEW_RESULTS>\r\n</EXTRAVIEW_RESULTS>\r\n";

pub const HISTORY_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
<HISTORY>\r\n\
  <PROBLEM_RECORD>\r\n\
    <ID TITLE=\"ID\">78512</ID>\r\n\
    <STATUS TITLE=\"Status\">OPEN</STATUS>\r\n\
    <TIMESTAMP TITLE=\"Last Modified\">2024-05-02 09:14</TIMESTAMP>\r\n\
  </PROBLEM_RECORD>\r\n\
  <PROBLEM_RECORD>\r\n\
    <ID TITLE=\"ID\">78512</ID>\r\n\
    <STATUS TITLE=\"Status\">ASSIGNED</STATUS>\r\n\
    <ASSIGNED_TO TITLE=\"Assigned To\">jdoe</ASSIGNED_TO>\r\n\
    <TIMESTAMP TITLE=\"Last Modified\">2024-05-03 16:40</TIMESTAMP>\r\n\
  </PROBLEM_RECORD>\r\n\
</HISTORY>\r\n";

/// The manual's heartbeat, tasks included, with its repeated `<NODE_ID>`.
pub const HEARTBEAT_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n\
<EV_HEARTBEAT>\n\
  <EV_STATUS>EXTRAVIEW ALIVE</EV_STATUS>\n\
  <DB_STATUS>DB CONNECTION CONFIRMED</DB_STATUS>\n\
  <DB_DATETIME>2003/09/11 11:33:22</DB_DATETIME>\n\
  <FREE_MEMORY>197</FREE_MEMORY><TOTAL_MEMORY>250</TOTAL_MEMORY>\n\
  <HEARTBEAT_EXEC_TIME>330</HEARTBEAT_EXEC_TIME>\n\
  <TASK_INFO TASK=\"EMAIL_TASK\">\n\
    <NODE_ID>node-1<NODE_ID>\n\
    <START_OPTION>START_ON_BOOT</START_OPTION>\n\
    <TASK_STATE>STARTED</TASK_STATE>\n\
    <POLL_INTERVAL>60</POLL_INTERVAL>\n\
    <THREAD_INFO><THREAD_STATE>RUNNABLE</THREAD_STATE><SECS_SINCE_EXECUTION>12</SECS_SINCE_EXECUTION><PRIORITY>5</PRIORITY></THREAD_INFO>\n\
  </TASK_INFO>\n\
  <TASK_INFO TASK=\"REPORT_TASK\">\n\
    <NODE_ID>node-2</NODE_ID>\n\
    <START_OPTION>none</START_OPTION>\n\
    <TASK_STATE>STOPPED</TASK_STATE>\n\
  </TASK_INFO>\n\
</EV_HEARTBEAT>\n";

/// `add_field_list` with `|`, CRLF and a trailing delimiter.
pub const ADD_FIELD_LIST: &str = "+SHORT_DESCR|Title|\r\n+*DESCRIPTION|Description|\r\n%ASSIGNED_TO|Assigned To|\r\nPRODUCT_NAME|Product|\r\nMODULE_ID|Module|PRODUCT_NAME\r\n~PART_NO|Part|PARTS_ROW\r\n*CUSTOMER_COMMENTS|Comments|\r\n";

/// `allowed_list` with the manual's `:` and a trailing delimiter.
pub const ALLOWED_LIST: &str =
    "1022:POWER_SUPPLY:\r\n1023:CABLE_HARNESS:\r\n1024:Fan 12:00 model:\r\n";

/// `get_valid_meta_data` with `;` (as one install sends it), LF only.
pub const META_DATA: &str = "STATUS;OPEN;Open\nSTATUS;ASSIGNED;Assigned\nSTATUS;CLOSED;Closed; no further work\nPRIORITY;P1;Urgent\nPRIORITY;P2;High\n";

/// `get_users` as `login|first|last`, CRLF.
pub const USERS: &str = "jdoe|Jane|Doe\r\nasmith|Al|Smith|al.smith@example.com\r\nbot||\r\n";

/// `list_attachment` with seven `;` columns as public client code reads them.
pub const ATTACHMENTS: &str = "2014-05-05;screenshot.PNG;88871;xchange;1762332;null;image/png\r\n2014-05-06;boot.log;1204;jdoe;1762340;Boot log of the gateway;text/plain\r\n";

/// `get_token` answering `tokens` in turn (the last one again after that), in plain text, or
/// in the documented XML when `xml` (which then must be asked for with `ev_send_xml=true`).
pub async fn sign_in_sequence<'a>(server: &'a MockServer, tokens: &[&str], xml: bool) -> Mock<'a> {
    let tokens: Vec<String> = tokens.iter().map(|t| (*t).to_owned()).collect();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    server
        .mock_async(move |when, then| {
            let when = when
                .method(GET)
                .path(PATH)
                .query_param("statevar", "get_token")
                .query_param("user_id", USER_ID)
                .query_param("password", PASSWORD);
            if xml {
                when.query_param("ev_send_xml", "true");
            } else {
                when.query_param_missing("ev_send_xml");
            }
            then.respond_with(move |_: &httpmock::HttpMockRequest| {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let token = tokens
                    .get(i)
                    .or_else(|| tokens.last())
                    .cloned()
                    .unwrap_or_default();
                let body = if xml {
                    token_xml(&token)
                } else {
                    token_text(&token)
                };
                http::Response::builder()
                    .status(200)
                    .header("content-type", "text/plain;charset=UTF-8")
                    .body(body)
                    .expect("response")
                    .into()
            });
        })
        .await
}

/// `get_heartbeat` with `token`, answering `body`.
pub async fn heartbeat_with<'a>(server: &'a MockServer, token: &str, body: &str) -> Mock<'a> {
    let body = body.to_owned();
    let token = token.to_owned();
    server
        .mock_async(move |when, then| {
            when.method(GET)
                .path(PATH)
                .query_param("statevar", "get_heartbeat")
                .query_param("access_token", token)
                .query_param_missing("password")
                .query_param_missing("user_id");
            then.status(200).body(body);
        })
        .await
}

pub const ALIVE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\r\n<EV_HEARTBEAT>\r\n<EV_STATUS>EXTRAVIEW ALIVE</EV_STATUS>\r\n<DB_STATUS>DB CONNECTION CONFIRMED</DB_STATUS>\r\n</EV_HEARTBEAT>\r\n";
