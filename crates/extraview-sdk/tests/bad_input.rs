//! Bad input is refused with a clear error before any request: the mock server must see no
//! request at all.

mod common;

use common::*;
use extraview_sdk::{Client, Error, Fields, HistoryQuery, IssueId, SearchQuery, StaticToken};
use httpmock::MockServer;

fn config_error(err: &Error) -> String {
    assert!(
        matches!(
            err,
            Error::Http(extraview_sdk::HttpError::Auth(
                extraview_sdk::AuthError::InvalidConfig(_)
            ))
        ),
        "{err:?}"
    );
    err.to_string()
}

#[test]
fn endpoints_that_would_leak_credentials_or_miss_the_api_are_refused() {
    for (url, says) in [
        (
            "http://ev.example.com/evj/ExtraView/ev_api.action",
            "https://",
        ),
        (
            "ftp://ev.example.com/evj/ExtraView/ev_api.action",
            "https://",
        ),
        ("https://ev.example.com/evj/ExtraView/", "ev_api.action"),
        ("https://ev.example.com", "ev_api.action"),
        ("https://jdoe:pw@ev.example.com/ev_api.action", "user name"),
        ("https://ev.example.com/ev_api.action?statevar=get", "query"),
        ("not a url", "valid URL"),
    ] {
        let err = Client::builder()
            .base_url(url)
            .credentials(USER_ID, PASSWORD)
            .build()
            .expect_err(url);
        let text = config_error(&err);
        assert!(text.contains(says), "{url}: {text}");
    }
    for url in [
        "http://127.0.0.1:1/evj/ExtraView/ev_api.action",
        "http://localhost/ev_api.action",
        "https://secure.example.net/acme/ExtraView/ev_api.action/",
    ] {
        Client::builder()
            .base_url(url)
            .credentials(USER_ID, PASSWORD)
            .build()
            .unwrap_or_else(|e| panic!("{url}: {e}"));
    }
}

#[test]
fn credentials_are_checked() {
    let builder = || Client::builder().base_url("https://ev.example.com/ev_api.action");
    let empty_user = builder()
        .credentials("  ", PASSWORD)
        .build()
        .expect_err("empty");
    assert!(config_error(&empty_user).contains("user id is empty"));
    let control = builder()
        .credentials("jd\noe", PASSWORD)
        .build()
        .expect_err("control");
    assert!(config_error(&control).contains("control"));
    let no_password = builder()
        .credentials(USER_ID, "")
        .build()
        .expect_err("empty");
    assert!(config_error(&no_password).contains("password is empty"));
    let none = builder().build().expect_err("none");
    assert!(config_error(&none).contains(".credentials(user_id, password)"));
    let both = builder()
        .credentials(USER_ID, PASSWORD)
        .token_source(StaticToken::new(TOKEN).expect("token"))
        .build()
        .expect_err("both");
    assert!(config_error(&both).contains("only one"));
    let no_url = Client::builder()
        .credentials(USER_ID, PASSWORD)
        .build()
        .expect_err("no url");
    assert!(config_error(&no_url).contains(".base_url"));
}

#[test]
fn from_lookup_names_the_missing_variable() {
    let vars = |name: &str| match name {
        "EXTRAVIEW_URL" => Some("https://ev.example.com/evj/ExtraView/ev_api.action".to_owned()),
        "EXTRAVIEW_USER_ID" => Some(USER_ID.to_owned()),
        "EXTRAVIEW_PASSWORD" => Some(" ".to_owned()),
        _ => None,
    };
    let err = Client::from_lookup(vars).expect_err("blank password");
    assert!(err.to_string().contains("EXTRAVIEW_PASSWORD"), "{err}");
    let client = Client::from_lookup(|name| match name {
        "EXTRAVIEW_PASSWORD" => Some(PASSWORD.to_owned()),
        other => vars(other),
    })
    .expect("complete");
    assert_eq!(
        client.endpoint(),
        "https://ev.example.com/evj/ExtraView/ev_api.action"
    );
    let http = Client::from_lookup(|name| match name {
        "EXTRAVIEW_URL" => Some("http://ev.example.com/evj/ExtraView/ev_api.action".to_owned()),
        "EXTRAVIEW_PASSWORD" => Some(PASSWORD.to_owned()),
        other => vars(other),
    })
    .expect_err("plain http");
    assert!(http.to_string().contains("https://"), "{http}");
}

/// Every command with bad input: each error is `InvalidRequest`, and the server sees nothing.
#[tokio::test]
async fn bad_command_input_sends_nothing() {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).body("Bug # 1 added.");
        })
        .await;
    let client = Client::builder()
        .base_url(endpoint(&server))
        .token_source(StaticToken::new(TOKEN).expect("token"))
        .build()
        .expect("client");
    let fields = Fields::new().set("SHORT_DESCR", "x");
    let errors: Vec<(&str, Error)> = vec![
        ("empty id", client.get("").await.expect_err("empty")),
        (
            "alt id with a line break",
            client.get(IssueId::alt("a\nb")).await.expect_err("control"),
        ),
        (
            "zero page length",
            client
                .search(&SearchQuery::new().page_length(0))
                .await
                .expect_err("zero"),
        ),
        (
            "zero start",
            client
                .search(&SearchQuery::new().record_start(0))
                .await
                .expect_err("zero"),
        ),
        (
            "a filter smuggling a parameter",
            client
                .search(&SearchQuery::new().filter("STATUS=OPEN&access_token", "x"))
                .await
                .expect_err("bad name"),
        ),
        (
            "a filter named like a parameter",
            client
                .search(&SearchQuery::new().filter("page_length", "1"))
                .await
                .expect_err("reserved"),
        ),
        (
            "insert without fields",
            client.insert(&Fields::new()).await.expect_err("empty"),
        ),
        (
            "insert with an ID",
            client
                .insert(&Fields::new().set("id", "7"))
                .await
                .expect_err("ID"),
        ),
        (
            "update without fields",
            client.update(7, &Fields::new()).await.expect_err("empty"),
        ),
        (
            "update setting the id",
            client
                .update(7, &Fields::new().set("ID", "8"))
                .await
                .expect_err("ID"),
        ),
        (
            "delete of nothing",
            client.delete(" ").await.expect_err("empty"),
        ),
        (
            "history without cutoff",
            client
                .history(&HistoryQuery::since(" "))
                .await
                .expect_err("cutoff"),
        ),
        (
            "history of a bad field",
            client
                .history(&HistoryQuery::since("2024-01-01").fields(["ID,STATUS"]))
                .await
                .expect_err("field"),
        ),
        (
            "allowed list of nothing",
            client.allowed_list("", None).await.expect_err("field"),
        ),
        (
            "allowed list of a bad parent",
            client
                .allowed_list("A", Some(("B C", "x")))
                .await
                .expect_err("parent"),
        ),
        (
            "download of nothing",
            client.download_attachment("").await.expect_err("empty"),
        ),
        (
            "upload with a header in its file name",
            client
                .upload_attachment(7, "", "a\r\nX: y", &b""[..])
                .await
                .expect_err("file name"),
        ),
        (
            "upload without a file name",
            client
                .upload_attachment(7, "", " ", &b""[..])
                .await
                .expect_err("file name"),
        ),
        (
            "upload to nothing",
            client
                .upload_attachment("", "", "a.txt", &b""[..])
                .await
                .expect_err("id"),
        ),
        (
            "insert with a bad name",
            client
                .insert(&fields.clone().set("A B", "x"))
                .await
                .expect_err("name"),
        ),
    ];
    for (case, err) in &errors {
        assert!(
            matches!(
                err,
                Error::Http(extraview_sdk::HttpError::InvalidRequest(_))
            ),
            "{case}: {err:?}"
        );
        assert!(!err.to_string().is_empty());
    }
    anything.assert_calls_async(0).await;
}
