//! ExtraView over plain HTTP: both token styles, sign-on refusals as HTTP 200 texts, records,
//! search paging, writes and the history they leave, metadata, users, the heartbeat,
//! attachments, install settings, and the knobs and counters.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use common::{admin, builder};
use reqwest::Method;
use reqwest::header::HeaderMap;
use sdk_sandbox::{ForcedFailure, RunningSandbox, SIGNON_PATH};
use serde_json::json;

/// What an ExtraView call answered.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: HeaderMap,
    bytes: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The plain-text lines, after checking that each ends with CRLF.
    fn lines(&self) -> Vec<String> {
        let text = self.text();
        assert!(text.is_empty() || text.ends_with("\r\n"), "{text:?}");
        assert_eq!(
            text.matches('\n').count(),
            text.matches("\r\n").count(),
            "a bare LF in {text:?}"
        );
        text.split_terminator("\r\n").map(str::to_owned).collect()
    }

    /// How many `PROBLEM_RECORD`s an XML answer holds.
    fn records(&self) -> usize {
        self.text().matches("<PROBLEM_RECORD>").count()
    }

    /// The IDs of the records of an XML answer, in order.
    fn ids(&self) -> Vec<u64> {
        self.text()
            .split("<ID TITLE=\"")
            .skip(1)
            .filter_map(|rest| {
                let value = rest.split_once('>')?.1.split_once('<')?.0;
                value.parse().ok()
            })
            .collect()
    }
}

thread_local! {
    // One client per test (each test runs on a thread of its own): building a client loads
    // the TLS roots, which costs more than the calls themselves.
    static CLIENT: reqwest::Client = common::http();
}

fn http() -> reqwest::Client {
    CLIENT.with(Clone::clone)
}

async fn start() -> RunningSandbox {
    builder().start().await.expect("the sandbox starts")
}

/// GETs the endpoint with `pairs` in the query.
async fn call(sandbox: &RunningSandbox, pairs: &[(&str, &str)]) -> Answer {
    send(http().get(sandbox.extraview_url()).query(pairs)).await
}

async fn send(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("request");
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        bytes: response.bytes().await.expect("body").to_vec(),
    }
}

/// `pairs` plus the demo user's id and password.
async fn signed(sandbox: &RunningSandbox, pairs: &[(&str, &str)]) -> Answer {
    let (user, password) = sandbox.extraview_credentials();
    let mut all = vec![("user_id", user), ("password", password)];
    all.extend_from_slice(pairs);
    call(sandbox, &all).await
}

/// `pairs` plus the read-only user's id and password.
async fn read_only(sandbox: &RunningSandbox, pairs: &[(&str, &str)]) -> Answer {
    let (user, password) = sandbox.extraview_readonly_credentials();
    let mut all = vec![("user_id", user), ("password", password)];
    all.extend_from_slice(pairs);
    call(sandbox, &all).await
}

/// The `Key:Value` lines of a plain-text token, split on the first colon.
fn token_lines(answer: &Answer) -> Vec<(String, String)> {
    answer
        .lines()
        .iter()
        .map(|l| {
            let (k, v) = l.split_once(':').expect("Key:Value");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

async fn token(sandbox: &RunningSandbox) -> String {
    let answer = signed(sandbox, &[("statevar", "get_token")]).await;
    token_lines(&answer)
        .into_iter()
        .find(|(k, _)| k == "Token")
        .map(|(_, v)| v)
        .expect("a Token line")
}

/// The one line of a plain-text answer, which must be HTTP 200.
fn message(answer: &Answer) -> String {
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert!(
        answer.content_type().starts_with("text/plain"),
        "{}",
        answer.content_type()
    );
    let lines = answer.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    lines[0].clone()
}

const SESSION_EXPIRED: &str = "Invalid sign on. Your session has expired.";
const SIGNON_FAILED: &str = "Invalid sign on. The user ID or password is not correct.";

#[tokio::test]
async fn plain_token_has_crlf_lines_and_a_java_timestamp() {
    let sandbox = start().await;
    let before = sandbox.clock().now_unix();
    let answer = signed(&sandbox, &[("statevar", "get_token")]).await;
    assert_eq!(answer.status, 200);
    assert!(answer.text().contains("\r\nType:Bearer\r\n"));
    let lines = token_lines(&answer);
    let keys: Vec<&str> = lines.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["Token", "Type", "Lifetime", "Expiration Date", "Scope"]
    );
    let token = &lines[0].1;
    assert_eq!(token.len(), 43, "{token}");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    assert_eq!(lines[1].1, "Bearer");
    assert_eq!(lines[2].1, "3600");
    assert_eq!(lines[4].1, "read write");
    // `yyyy-MM-dd HH:mm:ss.SSS -0700`: the colon in the time is why keys split on the first.
    let expiry = DateTime::<FixedOffset>::parse_from_str(&lines[3].1, "%Y-%m-%d %H:%M:%S%.3f %z")
        .expect("the Java-style timestamp");
    assert_eq!(expiry.offset().local_minus_utc(), -7 * 3600);
    assert!((expiry.timestamp() - before - 3600).abs() <= 5, "{expiry}");
    // The token signs on instead of the password.
    let got = call(
        &sandbox,
        &[
            ("access_token", token),
            ("statevar", "get"),
            ("id", "12301"),
        ],
    )
    .await;
    assert!(got.text().starts_with("<?xml"), "{}", got.text());
}

#[tokio::test]
async fn xml_token_is_as_malformed_as_documented() {
    let sandbox = start().await;
    let answer = signed(
        &sandbox,
        &[("statevar", "get_token"), ("ev_send_xml", "true")],
    )
    .await;
    assert_eq!(answer.status, 200);
    assert!(answer.content_type().starts_with("text/xml"));
    let text = answer.text();
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(text.contains("<type> Bearer </type>"), "{text}");
    assert!(text.contains("<lifetime> 3600 </lifetime>"), "{text}");
    // The documented sample's broken element: a name with a space, closed by `</lifetime>`.
    let broken = text
        .lines()
        .find(|l| l.contains("<Expiration Date>"))
        .expect("the Expiration Date element");
    assert!(broken.trim_end().ends_with("-0700 </lifetime>"), "{broken}");
    assert!(!text.contains("</Expiration Date>"));
    let value = text
        .split_once("<value>")
        .and_then(|(_, rest)| rest.split_once("</value>"))
        .map(|(v, _)| v)
        .expect("a value");
    assert!(value.starts_with(' ') && value.ends_with(' '), "{value:?}");
    let got = call(
        &sandbox,
        &[
            ("access_token", value.trim()),
            ("statevar", "get"),
            ("id", "12301"),
        ],
    )
    .await;
    assert_eq!(got.records(), 1, "{}", got.text());

    let well_formed = builder()
        .extraview_well_formed_token_xml(true)
        .start()
        .await
        .expect("starts");
    let text = signed(
        &well_formed,
        &[("statevar", "get_token"), ("ev_send_xml", "yes")],
    )
    .await
    .text();
    assert!(!text.contains("<Expiration Date>"), "{text}");
    assert!(
        text.contains("<expiration_date> ") && text.contains(" </expiration_date>"),
        "{text}"
    );
    for tag in [
        "access_token",
        "value",
        "type",
        "lifetime",
        "expiration_date",
        "scope",
    ] {
        assert_eq!(
            text.matches(&format!("<{tag}>")).count(),
            text.matches(&format!("</{tag}>")).count(),
            "{tag} in {text}"
        );
    }
}

#[tokio::test]
async fn expired_unknown_and_wrong_credentials_get_invalid_sign_on_texts_with_200() {
    let sandbox = builder()
        .extraview_token_lifetime(Duration::from_secs(60))
        .start()
        .await
        .expect("starts");
    let lines = token_lines(&signed(&sandbox, &[("statevar", "get_token")]).await);
    assert_eq!(lines[2].1, "60");
    let token = lines[0].1.clone();
    let with_token = |token: String| {
        let sandbox = &sandbox;
        async move {
            call(
                sandbox,
                &[
                    ("statevar", "get"),
                    ("id", "12301"),
                    ("access_token", &token),
                ],
            )
            .await
        }
    };
    assert_eq!(with_token(token.clone()).await.records(), 1);
    sandbox.clock().advance(Duration::from_secs(61));
    assert_eq!(message(&with_token(token).await), SESSION_EXPIRED);
    assert_eq!(
        message(&with_token("not-a-token".into()).await),
        "Invalid sign on. The access token is not valid."
    );

    // The admin route ends every live token, like the other vendors'.
    let fresh = self::token(&sandbox).await;
    let (status, body) = admin(&sandbox, Method::POST, "/extraview/tokens/expire", None).await;
    assert_eq!((status, body), (200, json!({"expired": 1})));
    assert_eq!(message(&with_token(fresh).await), SESSION_EXPIRED);

    let (user, password) = sandbox.extraview_credentials();
    for pairs in [
        vec![("user_id", user), ("password", "wrong")],
        vec![("user_id", "NOBODY"), ("password", password)],
        vec![("user_id", "KLEE"), ("password", password)],
        vec![
            ("statevar", "get_token"),
            ("user_id", user),
            ("password", "x"),
        ],
    ] {
        let mut pairs = pairs;
        if !pairs.iter().any(|(k, _)| *k == "statevar") {
            pairs.push(("statevar", "get_users"));
        }
        assert_eq!(message(&call(&sandbox, &pairs).await), SIGNON_FAILED);
    }
    // User ids match in any letter case; passwords do not.
    let lower = user.to_ascii_lowercase();
    let answer = call(
        &sandbox,
        &[
            ("user_id", &lower),
            ("password", password),
            ("statevar", "get_users"),
        ],
    )
    .await;
    assert!(answer.lines().len() > 3);
    assert_eq!(
        message(&call(&sandbox, &[("statevar", "get_users")]).await),
        "Invalid sign on. Send user_id and password, or access_token."
    );
    let both = self::token(&sandbox).await;
    assert_eq!(
        message(
            &signed(
                &sandbox,
                &[("statevar", "get_users"), ("access_token", &both)]
            )
            .await
        ),
        "Invalid sign on. Send access_token or user_id and password, not both."
    );
}

#[tokio::test]
async fn get_writes_one_problem_record_and_strict_reads_alt_ids() {
    let sandbox = start().await;
    let answer = signed(&sandbox, &[("statevar", "get"), ("id", "12301")]).await;
    assert_eq!(answer.status, 200);
    assert!(answer.content_type().starts_with("text/xml"));
    let text = answer.text();
    assert!(text.starts_with("<?xml version=\"1.0\""), "{text}");
    assert!(text.contains("\n<PROBLEM_RECORD>\n"), "{text}");
    assert!(text.trim_end().ends_with("</PROBLEM_RECORD>"));
    for element in [
        "<ID TITLE=\"Bug #\">12301</ID>",
        "<SHORT_DESCR TITLE=\"Title\"><![CDATA[",
        "<DESCRIPTION TITLE=\"Description\"><![CDATA[",
        "<STATUS TITLE=\"Status\">",
        "<PRIORITY TITLE=\"Priority\">P",
        "<SEVERITY_LEVEL TITLE=\"Severity\">0",
        "<ASSIGNED_TO TITLE=\"Assigned To\">",
        "<DATE_CREATED TITLE=\"Created\">2024-01-",
        "<TIMESTAMP TITLE=\"Last Modified\">2024-",
        "<COMMENTS TITLE=\"Comments\">",
        "<MODULE_RECORD>",
        "<MODULE_NAME TITLE=\"Module\">",
        "<RELEASE_RECORD>",
        "<RELEASE_FOUND TITLE=\"Version Open\">",
        "<RELEASE_FIXED TITLE=\"Version Fixed\">",
    ] {
        assert!(text.contains(element), "{element} in {text}");
    }
    let alt = text
        .split_once("<ALT_ID TITLE=\"External ID\"><![CDATA[")
        .and_then(|(_, rest)| rest.split_once("]]>"))
        .map(|(v, _)| v.to_owned())
        .expect("an ALT_ID");
    assert!(alt.starts_with("EXT-"), "{alt}");
    for strict in ["", "yes"] {
        let by_alt = signed(
            &sandbox,
            &[("statevar", "get"), ("id", &alt), ("strict", strict)],
        )
        .await;
        assert_eq!(by_alt.ids(), [12301], "strict={strict}");
    }
    let strict_miss = signed(
        &sandbox,
        &[("statevar", "get"), ("id", "12301"), ("strict", "yes")],
    )
    .await;
    assert_eq!(message(&strict_miss), "Invalid Id");
    let unknown = signed(&sandbox, &[("statevar", "get"), ("id", "99999")]).await;
    let text = message(&unknown);
    assert!(text.contains("does not exist"), "{text}");
    assert_eq!(text, "Bug # 99999 does not exist.");

    // Text is escaped by CDATA, and a `]]>` inside text is split over two sections.
    let special = signed(&sandbox, &[("statevar", "get"), ("id", "12303")])
        .await
        .text();
    assert!(
        special.contains("<![CDATA[Export fails when a name holds <, > or & characters]]>"),
        "{special}"
    );
    let split = signed(&sandbox, &[("statevar", "get"), ("id", "12305")])
        .await
        .text();
    assert!(split.contains("]]]]><![CDATA[>"), "{split}");
    // User fields: `Last, First` by default, login ids on request.
    let by_id = signed(
        &sandbox,
        &[
            ("statevar", "get"),
            ("id", "12303"),
            ("username_display", "ID"),
        ],
    )
    .await
    .text();
    let assigned = |text: &str| {
        text.split_once("<ASSIGNED_TO TITLE=\"Assigned To\">")
            .and_then(|(_, r)| r.split_once('<'))
            .map(|(v, _)| v.to_owned())
            .unwrap_or_default()
    };
    assert!(
        assigned(&by_id).chars().all(|c| c.is_ascii_uppercase()),
        "{by_id}"
    );
    assert!(assigned(&special).contains(", "), "{special}");
}

#[tokio::test]
async fn search_pages_to_an_empty_page_past_the_end() {
    let sandbox = start().await;
    let mut seen = Vec::new();
    let mut start = 1;
    loop {
        let first = start.to_string();
        let page = signed(
            &sandbox,
            &[
                ("statevar", "search"),
                ("page_length", "7"),
                ("record_start", &first),
                ("record_count", "1000"),
            ],
        )
        .await;
        assert_eq!(page.status, 200);
        assert!(
            page.text().contains("<EXTRAVIEW_RESULTS>"),
            "{}",
            page.text()
        );
        if page.records() == 0 {
            assert!(page.text().contains("</EXTRAVIEW_RESULTS>"));
            break;
        }
        assert!(page.records() <= 7);
        seen.extend(page.ids());
        start += 7;
        assert!(start < 100, "paging never ended");
    }
    let expected: Vec<u64> = (12301..12331).collect();
    assert_eq!(seen, expected);
    // Without record_count the result stops at page_length, as the manual warns.
    let second = signed(
        &sandbox,
        &[
            ("statevar", "search"),
            ("page_length", "7"),
            ("record_start", "8"),
        ],
    )
    .await;
    assert_eq!(second.records(), 0);
    let capped = signed(
        &sandbox,
        &[
            ("statevar", "search"),
            ("page_length", "7"),
            ("record_start", "8"),
            ("record_count", "10"),
        ],
    )
    .await;
    assert_eq!(capped.ids(), [12308, 12309, 12310]);
}

#[tokio::test]
async fn search_filters_wildcards_keywords_and_dates() {
    let sandbox = start().await;
    let all = signed(
        &sandbox,
        &[("statevar", "search"), ("username_display", "ID")],
    )
    .await
    .text();
    let count_status = |s: &str| all.matches(&format!(">{s}</STATUS>")).count();
    for (name, value) in [("status", "open"), ("STATUS", "OPEN"), ("Status", "1002")] {
        let found = signed(&sandbox, &[("statevar", "search"), (name, value)]).await;
        assert_eq!(found.records(), count_status("OPEN"), "{name}={value}");
    }
    let wild = signed(
        &sandbox,
        &[("statevar", "search"), ("short_descr", "*name holds*")],
    )
    .await;
    assert_eq!(wild.ids(), [12303]);
    let keyword = signed(
        &sandbox,
        &[("statevar", "search"), ("keyword", "CHARACTERS export")],
    )
    .await;
    assert!(keyword.ids().contains(&12303), "{}", keyword.text());
    let two = signed(
        &sandbox,
        &[
            ("statevar", "search"),
            ("status", "open"),
            ("priority", "P1"),
        ],
    )
    .await;
    assert!(two.records() <= count_status("OPEN"));
    let range = signed(
        &sandbox,
        &[
            ("statevar", "search"),
            ("date_created", "'2024-01-01'-'2024-01-03'"),
        ],
    )
    .await;
    let ids = range.ids();
    assert!(!ids.is_empty() && ids.len() < 30, "{ids:?}");
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1) && ids[0] == 12301);
    assert_eq!(
        message(&signed(&sandbox, &[("statevar", "search"), ("NOPE", "1")]).await),
        "Invalid field name: NOPE"
    );
    assert_eq!(
        message(
            &signed(
                &sandbox,
                &[("statevar", "search"), ("date_created", "soon")]
            )
            .await
        ),
        "Error: \"soon\" is not a valid date for DATE_CREATED."
    );
    assert_eq!(
        message(&signed(&sandbox, &[("statevar", "search"), ("page_length", "0")]).await),
        "Error: page_length must be a whole number of 1 or more."
    );
}

/// How many versions `history` reports after `cutoff`.
async fn history_len(sandbox: &RunningSandbox, cutoff: &str) -> usize {
    let answer = signed(sandbox, &[("statevar", "history"), ("cutoff", cutoff)]).await;
    assert!(answer.text().contains("<HISTORY>"), "{}", answer.text());
    answer.records()
}

#[tokio::test]
async fn insert_update_delete_and_the_history_they_leave() {
    let sandbox = start().await;
    let before = history_len(&sandbox, "2023-12-31").await;
    assert!(before >= 30, "{before}");
    let added = signed(
        &sandbox,
        &[
            ("statevar", "insert"),
            ("send_email", "no"),
            ("short_descr", "Printer offline"),
            ("DESCRIPTION", "Third floor"),
            ("PRIORITY", "P2"),
            ("status", "OPEN"),
            ("PRODUCT_NAME", "1301"),
            ("MODULE_NAME", "FIRMWARE"),
            ("ALT_ID", "CASE-77"),
            ("ASSIGNED_TO", "jdoe"),
            ("COMMENTS", "Opened by the help desk"),
            ("TE_HOURS", "1.5"),
        ],
    )
    .await;
    assert_eq!(message(&added), "Bug # 12331 added.");
    assert_eq!(history_len(&sandbox, "2023-12-31").await, before + 1);
    let get = |id: &'static str| {
        let sandbox = &sandbox;
        async move {
            signed(
                sandbox,
                &[("statevar", "get"), ("id", id), ("username_display", "ID")],
            )
            .await
            .text()
        }
    };
    let record = get("12331").await;
    for element in [
        "<STATUS TITLE=\"Status\">OPEN</STATUS>",
        "<PRODUCT_NAME TITLE=\"Product\">WIDGET</PRODUCT_NAME>",
        "<ASSIGNED_TO TITLE=\"Assigned To\">JDOE</ASSIGNED_TO>",
        "<ORIGINATOR TITLE=\"Originator\">SANDBOX_API</ORIGINATOR>",
        "<TE_HOURS TITLE=\"Hours\">1.5</TE_HOURS>",
        "Opened by the help desk",
    ] {
        assert!(record.contains(element), "{element} in {record}");
    }

    sandbox.clock().advance(Duration::from_secs(5));
    let updated = signed(
        &sandbox,
        &[
            ("statevar", "update"),
            ("id", "CASE-77"),
            ("strict", "yes"),
            ("STATUS", "ASSIGNED"),
            ("COMMENTS", "Toner replaced"),
        ],
    )
    .await;
    assert_eq!(message(&updated), "Bug # 12331 updated.");
    assert_eq!(history_len(&sandbox, "2023-12-31").await, before + 2);
    let record = get("12331").await;
    assert!(record.contains(">ASSIGNED</STATUS>"), "{record}");
    // A log area keeps the old entry and puts the new one first.
    let comments = record
        .split_once("<COMMENTS")
        .map(|(_, r)| r)
        .unwrap_or_default();
    let (new, old) = (
        comments.find("Toner replaced"),
        comments.find("Opened by the help desk"),
    );
    assert!(new.is_some() && old.is_some() && new < old, "{comments}");
    // `cutoff` is exclusive: the newest version's own timestamp leaves it out.
    let stamp = record
        .split_once("<TIMESTAMP TITLE=\"Last Modified\">")
        .and_then(|(_, r)| r.split_once('<'))
        .map(|(v, _)| v.to_owned())
        .expect("TIMESTAMP");
    assert_eq!(history_len(&sandbox, &stamp).await, 0);
    let selected = signed(
        &sandbox,
        &[
            ("statevar", "history"),
            ("cutoff", "2025-01-01"),
            ("evhist_sellist", "ID,STATUS"),
        ],
    )
    .await
    .text();
    assert_eq!(
        selected.matches("<PROBLEM_RECORD>").count(),
        2,
        "{selected}"
    );
    assert!(!selected.contains("SHORT_DESCR"), "{selected}");
    assert!(selected.find(">OPEN</STATUS>") < selected.find(">ASSIGNED</STATUS>"));

    let deleted = signed(&sandbox, &[("statevar", "delete"), ("id", "12331")]).await;
    assert_eq!(message(&deleted), "Bug # 12331 deleted.");
    assert!(get("12331").await.contains("does not exist"));
    assert_eq!(history_len(&sandbox, "2023-12-31").await, before);
    // The next insert takes a new number.
    let again = signed(
        &sandbox,
        &[
            ("statevar", "insert"),
            ("SHORT_DESCR", "x"),
            ("DESCRIPTION", "y"),
            ("PRIORITY", "P4"),
        ],
    )
    .await;
    assert_eq!(message(&again), "Bug # 12332 added.");
}

#[tokio::test]
async fn write_refusals_are_200_texts() {
    let sandbox = start().await;
    let insert = |extra: Vec<(&'static str, &'static str)>| {
        let sandbox = &sandbox;
        async move {
            let mut pairs = vec![
                ("statevar", "insert"),
                ("SHORT_DESCR", "t"),
                ("DESCRIPTION", "d"),
                ("PRIORITY", "P3"),
            ];
            pairs.extend(extra);
            message(&signed(sandbox, &pairs).await)
        }
    };
    assert_eq!(
        insert(vec![("ID", "5")]).await,
        "You cannot provide a Bug # when you are adding a new issue"
    );
    assert_eq!(
        insert(vec![("PRIORITY", "P9")]).await,
        "Bug # 12331 added.",
        "the first value of a repeated field counts"
    );
    assert_eq!(
        insert(vec![("STATUS", "DEFERRED")]).await,
        "Invalid value \"DEFERRED\" for field Status (STATUS)."
    );
    assert_eq!(
        insert(vec![("SEVERITY_LEVEL", "Major")]).await,
        "Invalid value \"Major\" for field Severity (SEVERITY_LEVEL)."
    );
    assert_eq!(
        insert(vec![
            ("PRODUCT_NAME", "GADGET"),
            ("MODULE_NAME", "FIRMWARE")
        ])
        .await,
        "Invalid value \"FIRMWARE\" for field Module (MODULE_NAME)."
    );
    assert_eq!(
        insert(vec![("ASSIGNED_TO", "KLEE")]).await,
        "Invalid value \"KLEE\" for field Assigned To (ASSIGNED_TO)."
    );
    assert_eq!(
        insert(vec![("TIMESTAMP", "2024-01-01")]).await,
        "Field Last Modified (TIMESTAMP) cannot be updated."
    );
    assert_eq!(
        insert(vec![("WIDGET_COLOR", "red")]).await,
        "Invalid field name: WIDGET_COLOR"
    );
    let alt = signed(
        &sandbox,
        &[
            ("statevar", "search"),
            ("id", "12301"),
            ("username_display", "ID"),
        ],
    )
    .await
    .text();
    let alt = alt
        .split_once("<![CDATA[")
        .and_then(|(_, r)| r.split_once("]]>"))
        .map(|(v, _)| v.to_owned())
        .expect("ALT_ID");
    let taken = signed(
        &sandbox,
        &[("statevar", "update"), ("id", "12302"), ("ALT_ID", &alt)],
    )
    .await;
    assert_eq!(
        message(&taken),
        format!("The value \"{alt}\" of field External ID (ALT_ID) is already in use.")
    );
    let missing = signed(&sandbox, &[("statevar", "insert"), ("SHORT_DESCR", "t")]).await;
    assert_eq!(
        message(&missing),
        "A value is required for field Description (DESCRIPTION)."
    );
    let cleared = signed(
        &sandbox,
        &[("statevar", "update"), ("id", "12301"), ("SHORT_DESCR", "")],
    )
    .await;
    assert_eq!(
        message(&cleared),
        "A value is required for field Title (SHORT_DESCR)."
    );
    let no_id = signed(&sandbox, &[("statevar", "update"), ("STATUS", "OPEN")]).await;
    assert_eq!(message(&no_id), "Error: missing parameter id.");
    let strict = signed(
        &sandbox,
        &[("statevar", "delete"), ("id", "12301"), ("strict", "yes")],
    )
    .await;
    assert_eq!(message(&strict), "Invalid Id");
    let template = signed(
        &sandbox,
        &[("statevar", "search"), ("p_template_file", "rows.html")],
    )
    .await;
    assert_eq!(
        message(&template),
        "Error: template file \"rows.html\" does not exist."
    );
    assert_eq!(
        message(&signed(&sandbox, &[("statevar", "fly")]).await),
        "Error: \"fly\" is not a valid statevar."
    );
    // The read-only user reads, is refused every write, and does not see COMMENTS.
    for (command, action) in [
        ("insert", "add issues"),
        ("update", "update issues"),
        ("delete", "delete issues"),
    ] {
        let refused = read_only(&sandbox, &[("statevar", command), ("id", "12301")]).await;
        let text = message(&refused);
        assert_eq!(
            text,
            format!("Access denied. You do not have permission to {action}.")
        );
        assert!(text.contains("denied"));
    }
    let seen = read_only(&sandbox, &[("statevar", "get"), ("id", "12301")])
        .await
        .text();
    assert!(
        seen.contains("<SHORT_DESCR") && !seen.contains("<COMMENTS"),
        "{seen}"
    );
    assert_eq!(
        message(&read_only(&sandbox, &[("statevar", "search"), ("COMMENTS", "*")]).await),
        "Invalid field name: COMMENTS"
    );
}

#[tokio::test]
async fn install_settings_prefix_id_title_and_delimiter() {
    let sandbox = builder()
        .extraview_path_prefix("/acme/ExtraView")
        .extraview_id_title("ID #")
        .extraview_delimiter(";")
        .extraview_issues(3)
        .start()
        .await
        .expect("starts");
    let url = sandbox.extraview_url();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(url.ends_with("/acme/ExtraView/ev_api.action"), "{url}");
    assert_eq!(sandbox.extraview_delimiter(), ";");
    let added = signed(
        &sandbox,
        &[
            ("statevar", "insert"),
            ("SHORT_DESCR", "t"),
            ("DESCRIPTION", "d"),
            ("PRIORITY", "P1"),
        ],
    )
    .await;
    assert_eq!(message(&added), "ID #12304 added.");
    let record = signed(&sandbox, &[("statevar", "get"), ("id", "12304")])
        .await
        .text();
    assert!(record.contains("<ID TITLE=\"ID #\">12304</ID>"), "{record}");
    let users = signed(&sandbox, &[("statevar", "get_users")]).await.lines();
    assert_eq!(users[2], "JDOE;Jane;Doe");
    // Only the configured path answers; any other is the container's 404 page.
    let root = url.trim_end_matches("/acme/ExtraView/ev_api.action");
    let elsewhere = send(http().get(format!("{root}/evj/ExtraView/ev_api.action"))).await;
    assert_eq!(elsewhere.status, 404);
    assert!(elsewhere.content_type().starts_with("text/html"));
    let (status, overview) = admin(&sandbox, Method::GET, "", None).await;
    assert_eq!(status, 200);
    let summary = &overview["vendors"]["extraview"];
    assert_eq!(summary["url"], url);
    assert_eq!(summary["issues"], 3, "seeded");
    assert_eq!(summary["id_title"], "ID #");
}

#[tokio::test]
async fn metadata_lists_and_layouts() {
    let sandbox = start().await;
    let statuses = signed(
        &sandbox,
        &[("statevar", "allowed_list"), ("field", "STATUS")],
    )
    .await
    .lines();
    assert_eq!(
        statuses,
        [
            "1001|New",
            "1002|Open",
            "1003|Assigned",
            "1004|Fixed",
            "1005|Closed"
        ]
    );
    let modules = signed(
        &sandbox,
        &[
            ("statevar", "allowed_list"),
            ("field", "module_name"),
            ("parent", "PRODUCT_NAME"),
            ("parent_val", "WIDGET"),
        ],
    )
    .await
    .lines();
    assert_eq!(modules, ["1401|Power Supply", "1402|Firmware"]);
    assert_eq!(
        message(
            &signed(
                &sandbox,
                &[
                    ("statevar", "allowed_list"),
                    ("field", "MODULE_NAME"),
                    ("parent", "PRIORITY"),
                    ("parent_val", "P1"),
                ],
            )
            .await
        ),
        "Field Module (MODULE_NAME) does not depend on field Priority (PRIORITY)."
    );
    assert_eq!(
        message(
            &signed(
                &sandbox,
                &[("statevar", "allowed_list"), ("field", "SHORT_DESCR")]
            )
            .await
        ),
        "Field Title (SHORT_DESCR) has no allowed values."
    );
    assert_eq!(
        message(&signed(&sandbox, &[("statevar", "allowed_list")]).await),
        "Error: missing parameter field."
    );

    let meta = signed(&sandbox, &[("statevar", "get_valid_meta_data")])
        .await
        .lines();
    assert!(meta.contains(&"STATUS|NEW|New".to_owned()), "{meta:?}");
    assert!(meta.contains(&"ASSIGNED_TO|JDOE|Doe, Jane".to_owned()));
    assert!(meta.contains(&"MODULE_NAME|POWER_SUPPLY|Power Supply".to_owned()));
    assert!(
        !meta
            .iter()
            .any(|l| l.contains("DEFERRED") || l.contains("KLEE"))
    );
    assert!(meta.iter().all(|l| l.split('|').count() == 3), "{meta:?}");
    let some = signed(
        &sandbox,
        &[
            ("statevar", "get_valid_meta_data"),
            ("fields", "STATUS"),
            ("fields", "ASSIGNED_TO"),
            ("user_info", "N"),
            ("disabled_values", "Y"),
        ],
    )
    .await
    .lines();
    assert_eq!(some.len(), 6, "{some:?}");
    assert_eq!(some[5], "STATUS|DEFERRED|Deferred");

    let layout = signed(&sandbox, &[("statevar", "add_field_list")])
        .await
        .lines();
    for line in [
        "+SHORT_DESCR|Title|",
        "+*DESCRIPTION|Description|",
        "+PRIORITY|Priority|",
        "%ASSIGNED_TO|Assigned To|",
        "*COMMENTS|Comments|",
        "MODULE_NAME|Module|PRODUCT_NAME",
        "~TE_HOURS|Hours|TIME_ENTRY",
    ] {
        assert!(layout.contains(&line.to_owned()), "{line} in {layout:?}");
    }
    assert!(
        !layout
            .iter()
            .any(|l| l.contains("ORIGINATOR") || l.starts_with("ID"))
    );
    let edit = signed(&sandbox, &[("statevar", "edit_field_list")])
        .await
        .lines();
    assert!(
        edit.contains(&"RELEASE_FIXED|Version Fixed|".to_owned()),
        "{edit:?}"
    );
}

#[tokio::test]
async fn users_with_filters_and_disabled_ones() {
    let sandbox = start().await;
    let users = signed(&sandbox, &[("statevar", "get_users")]).await.lines();
    assert_eq!(
        users,
        [
            "SANDBOX_API|Sandbox|API",
            "SANDBOX_READONLY|Sandbox|Read-Only",
            "JDOE|Jane|Doe",
            "ASMITH|Alan|Smith",
            "MCHEN|Mei|Chen",
            "RPATEL|Ravi|Patel",
        ]
    );
    let disabled = signed(&sandbox, &[("statevar", "get_users"), ("disabled", "ONLY")])
        .await
        .lines();
    assert_eq!(disabled, ["KLEE|Kim|Lee"]);
    let all = signed(&sandbox, &[("statevar", "get_users"), ("disabled", "Y")])
        .await
        .lines();
    assert_eq!(all.len(), 7);
    let by_id = signed(&sandbox, &[("statevar", "get_users"), ("filter", "*OE")])
        .await
        .lines();
    assert_eq!(by_id, ["JDOE|Jane|Doe"]);
    let by_name = signed(
        &sandbox,
        &[
            ("statevar", "get_users"),
            ("filter", "ch*"),
            ("filter_type", "LAST"),
            ("filter_type", "FIRST"),
        ],
    )
    .await
    .lines();
    assert_eq!(by_name, ["MCHEN|Mei|Chen"]);
}

#[tokio::test]
async fn heartbeat_with_and_without_tasks() {
    let sandbox = start().await;
    let beat = signed(&sandbox, &[("statevar", "get_heartbeat")]).await;
    assert!(beat.content_type().starts_with("text/xml"));
    let text = beat.text();
    for element in [
        "<EV_HEARTBEAT>",
        "<EV_STATUS>EXTRAVIEW ALIVE</EV_STATUS>",
        "<DB_STATUS>DB CONNECTION CONFIRMED</DB_STATUS>",
        "<FREE_MEMORY>",
        "<TOTAL_MEMORY>",
        "<HEARTBEAT_EXEC_TIME>",
        "</EV_HEARTBEAT>",
    ] {
        assert!(text.contains(element), "{element} in {text}");
    }
    assert!(!text.contains("TASK_INFO"));
    let db_time = text
        .split_once("<DB_DATETIME>")
        .and_then(|(_, r)| r.split_once('<'))
        .map(|(v, _)| v.to_owned())
        .expect("DB_DATETIME");
    let parsed = chrono::NaiveDateTime::parse_from_str(&db_time, "%Y/%m/%d %H:%M:%S")
        .expect("yyyy/MM/dd HH:mm:ss");
    let utc = parsed.and_utc().timestamp() + 7 * 3600;
    assert!((utc - sandbox.clock().now_unix()).abs() <= 5, "{db_time}");
    let tasks = signed(&sandbox, &[("statevar", "get_heartbeat"), ("tasks", "yes")])
        .await
        .text();
    assert_eq!(tasks.matches("<TASK_INFO TASK=").count(), 2, "{tasks}");
    assert!(tasks.contains("<TASK_STATE>STARTED</TASK_STATE>"));
}

/// A multipart body with text `fields` and one file part named `file`.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "sandbox-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((filename, mime, data)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"{filename}\"\r\nContent-Type: {mime}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    sandbox: &RunningSandbox,
    query: &[(&str, &str)],
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> Answer {
    let (content_type, body) = multipart(fields, file);
    let mut all = vec![("statevar", "add_attachment")];
    all.extend_from_slice(query);
    send(
        http()
            .post(sandbox.extraview_url())
            .query(&all)
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

#[tokio::test]
async fn attachments_round_trip() {
    let sandbox = start().await;
    let (user, password) = sandbox.extraview_credentials();
    let creds = [("user_id", user), ("password", password)];
    let none = signed(
        &sandbox,
        &[("statevar", "list_attachment"), ("id", "12303")],
    )
    .await;
    assert_eq!(message(&none), "No attachments");
    // Bytes a text reader would mangle: NUL, CR/LF, and a line that looks like a boundary.
    let data: &[u8] = b"\x00\x01binary\r\n--sandbox-boundary\r\n\xff\xfe end";
    let added = upload(
        &sandbox,
        &[("p_id", "12303")],
        &[
            ("user_id", user),
            ("password", password),
            ("p_id", "12303"),
            ("p_attach_desc", "Crash dump"),
        ],
        Some(("dump.bin", "application/octet-stream", data)),
    )
    .await;
    let text = message(&added);
    assert!(text.ends_with(" added to Bug # 12303."), "{text}");
    let attachment_id = text
        .strip_prefix("Attachment # ")
        .and_then(|r| r.split_once(' '))
        .map(|(id, _)| id.to_owned())
        .expect("an attachment id");
    let listed = signed(
        &sandbox,
        &[("statevar", "list_attachment"), ("id", "12303")],
    )
    .await
    .lines();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let columns: Vec<&str> = listed[0].split('|').collect();
    assert_eq!(columns.len(), 7, "{columns:?}");
    assert_eq!(
        columns[1..],
        [
            "dump.bin",
            &data.len().to_string(),
            user,
            &attachment_id,
            "Crash dump",
            "application/octet-stream",
        ]
    );
    assert!(
        chrono::NaiveDate::parse_from_str(columns[0], "%Y-%m-%d").is_ok(),
        "{}",
        columns[0]
    );
    let got = signed(
        &sandbox,
        &[
            ("statevar", "get_attachment"),
            ("attachment_id", &attachment_id),
        ],
    )
    .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, data);
    assert_eq!(got.content_type(), "application/octet-stream");
    assert!(
        got.headers["content-disposition"]
            .to_str()
            .is_ok_and(|d| d.contains("dump.bin"))
    );
    // The seeded attachments: a log on the first issue, an image without description on the
    // second.
    let seeded = signed(
        &sandbox,
        &[("statevar", "list_attachment"), ("id", "12302")],
    )
    .await
    .lines();
    assert_eq!(seeded.len(), 1);
    assert!(seeded[0].contains("|screenshot.png|") && seeded[0].contains("|null|image/png"));
    let log_id = signed(
        &sandbox,
        &[("statevar", "list_attachment"), ("id", "12301")],
    )
    .await
    .lines()[0]
        .split('|')
        .nth(4)
        .expect("an id")
        .to_owned();
    let log = signed(
        &sandbox,
        &[("statevar", "get_attachment"), ("attachment_id", &log_id)],
    )
    .await;
    assert!(log.content_type().starts_with("text/plain"));
    assert!(
        log.text().contains("ERROR connection reset"),
        "{}",
        log.text()
    );

    let mut query = creds.to_vec();
    query.push(("p_id", "12303"));
    assert_eq!(
        message(&upload(&sandbox, &query, &[("p_attach_desc", "x")], None).await),
        "Error: no file was uploaded."
    );
    query.pop();
    query.push(("p_id", "99999"));
    assert_eq!(
        message(&upload(&sandbox, &query, &[], Some(("a.txt", "text/plain", b"a"))).await),
        "Bug # 99999 does not exist."
    );
    assert_eq!(
        message(
            &signed(
                &sandbox,
                &[("statevar", "add_attachment"), ("p_id", "12303")]
            )
            .await
        ),
        "Error: add_attachment needs a multipart/form-data POST."
    );
    let (ro_user, ro_password) = sandbox.extraview_readonly_credentials();
    let refused = upload(
        &sandbox,
        &[
            ("user_id", ro_user),
            ("password", ro_password),
            ("p_id", "12303"),
        ],
        &[],
        Some(("a.txt", "text/plain", b"a")),
    )
    .await;
    assert_eq!(
        message(&refused),
        "Access denied. You do not have permission to add attachments."
    );
    assert_eq!(
        message(
            &signed(
                &sandbox,
                &[("statevar", "get_attachment"), ("attachment_id", "42")]
            )
            .await
        ),
        "Attachment 42 does not exist."
    );
    // Deleting the issue takes its attachments with it.
    signed(&sandbox, &[("statevar", "delete"), ("id", "12303")]).await;
    let gone = signed(
        &sandbox,
        &[
            ("statevar", "get_attachment"),
            ("attachment_id", &attachment_id),
        ],
    )
    .await;
    assert!(message(&gone).contains("does not exist"));
}

#[tokio::test]
async fn knobs_counters_and_environment() {
    let sandbox = start().await;
    let env = sandbox.extraview_env();
    let (user, password) = sandbox.extraview_credentials();
    assert_eq!(
        env,
        [
            ("EXTRAVIEW_URL", sandbox.extraview_url().to_owned()),
            ("EXTRAVIEW_USER_ID", user.to_owned()),
            ("EXTRAVIEW_PASSWORD", password.to_owned()),
        ]
    );
    assert_eq!(
        (user, password),
        ("SANDBOX_API", "sandbox-extraview-password")
    );

    token(&sandbox).await;
    token(&sandbox).await;
    signed(&sandbox, &[("statevar", "get_users")]).await;
    let stats = sandbox.extraview().stats();
    assert_eq!(
        (
            stats.token_requests,
            stats.tokens_issued,
            stats.api_requests
        ),
        (2, 2, 1)
    );
    let (status, counted) = admin(&sandbox, Method::GET, "/extraview/stats", None).await;
    assert_eq!((status, counted["api_requests"].as_u64()), (200, Some(1)));

    // A failure in front of the application: its status and the container's HTML page.
    let mut faults = sandbox.extraview().faults();
    faults.fail_api = Some(ForcedFailure::new(503, 1).retry_after(2));
    faults.fail_tokens = Some(ForcedFailure::new(500, 1));
    sandbox.extraview().set_faults(faults).expect("valid knobs");
    let failed = signed(&sandbox, &[("statevar", "get_users")]).await;
    assert_eq!(failed.status, 503);
    assert_eq!(failed.headers["retry-after"], "2");
    assert!(failed.content_type().starts_with("text/html"));
    let failed = signed(&sandbox, &[("statevar", "get_token")]).await;
    assert_eq!(failed.status, 500);
    assert_eq!(
        signed(&sandbox, &[("statevar", "get_users")]).await.status,
        200
    );

    // Redirects to a sign-on page: 302 for a client that does not follow, a 200 HTML page
    // for one that does.
    let (status, _) = admin(
        &sandbox,
        Method::PUT,
        "/extraview/faults",
        Some(json!({"redirect_api": 2, "redirect_tokens": 1})),
    )
    .await;
    assert_eq!(status, 200);
    let no_follow = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let redirected = send(no_follow.get(sandbox.extraview_url()).query(&[
        ("statevar", "get_users"),
        ("user_id", user),
        ("password", password),
    ]))
    .await;
    assert_eq!(redirected.status, 302);
    assert_eq!(redirected.headers["location"], SIGNON_PATH);
    let followed = signed(&sandbox, &[("statevar", "get_users")]).await;
    assert_eq!(followed.status, 200);
    assert!(followed.content_type().starts_with("text/html"));
    assert!(!followed.text().starts_with("<?xml"));
    let token_redirect = send(no_follow.get(sandbox.extraview_url()).query(&[
        ("statevar", "get_token"),
        ("user_id", user),
        ("password", password),
    ]))
    .await;
    assert_eq!(token_redirect.status, 302);
    assert_eq!(
        signed(&sandbox, &[("statevar", "get_users")]).await.status,
        200
    );

    // A cut-off answer: the first half of the real one, status kept.
    let whole = signed(&sandbox, &[("statevar", "get"), ("id", "12301")]).await;
    let mut faults = sandbox.extraview().faults();
    faults.malformed_api = 1;
    faults.malformed_tokens = 1;
    sandbox.extraview().set_faults(faults).expect("valid knobs");
    let cut = signed(&sandbox, &[("statevar", "get"), ("id", "12301")]).await;
    assert_eq!(cut.status, 200);
    assert_eq!(cut.bytes, whole.bytes[..whole.bytes.len() / 2]);
    let cut_token = signed(&sandbox, &[("statevar", "get_token")]).await.text();
    assert!(
        cut_token.starts_with("Token:") && !cut_token.contains("Scope:"),
        "{cut_token}"
    );

    // Token knobs: refusal as a sign-on text, another success status, another lifetime.
    let mut faults = sandbox.extraview().faults();
    faults.refuse_tokens = true;
    sandbox.extraview().set_faults(faults).expect("valid knobs");
    assert_eq!(
        message(&signed(&sandbox, &[("statevar", "get_token")]).await),
        SIGNON_FAILED
    );
    let mut faults = sandbox.extraview().faults();
    faults.refuse_tokens = false;
    faults.token_status = 201;
    faults.token_lifetime_secs = Some(120);
    sandbox.extraview().set_faults(faults).expect("valid knobs");
    let issued = signed(&sandbox, &[("statevar", "get_token")]).await;
    assert_eq!(issued.status, 201);
    assert!(issued.text().contains("\r\nLifetime:120\r\n"));

    // Unknown fields and values, the XML way.
    let mut faults = sandbox.extraview().faults();
    faults.extra_fields = true;
    faults.unknown_enum_values = true;
    sandbox.extraview().set_faults(faults).expect("valid knobs");
    let odd = signed(&sandbox, &[("statevar", "search"), ("page_length", "2")])
        .await
        .text();
    assert_eq!(
        odd.matches("<SANDBOX_EXTRA_FIELD TITLE=").count(),
        2,
        "{odd}"
    );
    assert!(
        odd.contains("<STATUS TITLE=\"Status\">sandbox_unknown_value</STATUS>"),
        "{odd}"
    );
    let (status, reset) = admin(&sandbox, Method::DELETE, "/extraview/faults", None).await;
    assert_eq!(
        (status, reset["extra_fields"].as_bool()),
        (200, Some(false))
    );
    let stats = sandbox.extraview().stats();
    assert!(
        stats.token_requests >= 7 && stats.api_requests >= 8,
        "{stats:?}"
    );
}

/// Every issue, user fields as login ids.
async fn everything(sandbox: &RunningSandbox) -> String {
    signed(
        sandbox,
        &[("statevar", "search"), ("username_display", "ID")],
    )
    .await
    .text()
}

#[tokio::test]
async fn the_seed_fixes_the_data_and_settings_are_checked() {
    let a = builder().seed(11).start().await.expect("starts");
    let b = builder().seed(11).start().await.expect("starts");
    let c = builder().seed(12).start().await.expect("starts");
    let (ta, tb, tc) = (
        everything(&a).await,
        everything(&b).await,
        everything(&c).await,
    );
    assert_eq!(ta, tb);
    assert_ne!(ta, tc);
    let statuses: BTreeSet<&str> = ta
        .split("<STATUS TITLE=\"Status\">")
        .skip(1)
        .filter_map(|r| r.split_once('<').map(|(v, _)| v))
        .collect();
    assert!(statuses.len() >= 3, "{statuses:?}");
    for bad in [
        builder().extraview_path_prefix("evj/ExtraView"),
        builder().extraview_path_prefix("/evj/ExtraView/"),
        builder().extraview_delimiter(""),
        builder().extraview_id_title(" "),
        builder().extraview_issues(10_001),
        builder().extraview_credentials("JDOE", "x"),
        builder().extraview_credentials("", "x"),
        builder().extraview_token_lifetime(Duration::ZERO),
    ] {
        assert!(bad.start().await.is_err());
    }
}
