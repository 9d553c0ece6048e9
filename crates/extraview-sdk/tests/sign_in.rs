//! Signing in with `get_token` (plain text and the malformed documented XML), the token as
//! `access_token`, and what happens when ExtraView refuses it inside an HTTP 200: one new
//! sign-in and one resend, then a typed error.

mod common;

use std::time::Duration;

use common::*;
use extraview_sdk::{Client, Error, HttpError, TokenFormat};
use httpmock::Method::{GET, POST};
use httpmock::MockServer;

#[tokio::test]
async fn one_plain_text_sign_in_serves_many_calls() {
    let server = MockServer::start_async().await;
    let token = sign_in_sequence(&server, &[TOKEN], false).await;
    let api = heartbeat_with(&server, TOKEN, ALIVE).await;
    let client = client(&server);
    for _ in 0..3 {
        assert!(client.heartbeat().await.expect("alive").is_alive());
    }
    token.assert_calls_async(1).await;
    api.assert_calls_async(3).await;
}

#[tokio::test]
async fn the_documented_xml_answer_is_read_when_asked_for() {
    let server = MockServer::start_async().await;
    let token = sign_in_sequence(&server, &[TOKEN], true).await;
    let api = heartbeat_with(&server, TOKEN, ALIVE).await;
    let client = Client::builder()
        .base_url(endpoint(&server))
        .credentials(USER_ID, PASSWORD)
        .token_format(TokenFormat::Xml)
        .retry_policy(fast_retry())
        .build()
        .expect("client");
    assert!(client.heartbeat().await.expect("alive").is_alive());
    token.assert_calls_async(1).await;
    api.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_expired_token_signs_in_once_more_and_resends_once() {
    let server = MockServer::start_async().await;
    let tokens = sign_in_sequence(&server, &[TOKEN, TOKEN_2], false).await;
    let expired = heartbeat_with(
        &server,
        TOKEN,
        "Invalid sign on: the session has expired\r\n",
    )
    .await;
    let fresh = heartbeat_with(&server, TOKEN_2, ALIVE).await;
    let client = client(&server);
    assert!(client.heartbeat().await.expect("resent").is_alive());
    tokens.assert_calls_async(2).await;
    expired.assert_calls_async(1).await;
    fresh.assert_calls_async(1).await;
    // The new token is kept: the next call needs no sign-in.
    assert!(client.heartbeat().await.expect("alive").is_alive());
    tokens.assert_calls_async(2).await;
    fresh.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_second_refusal_is_a_typed_auth_error() {
    let server = MockServer::start_async().await;
    let tokens = sign_in_sequence(&server, &[TOKEN, TOKEN_2], false).await;
    let first = heartbeat_with(&server, TOKEN, "Your session has expired.").await;
    let second = heartbeat_with(&server, TOKEN_2, "Invalid sign on").await;
    let err = client(&server)
        .heartbeat()
        .await
        .expect_err("refused twice");
    let Error::Http(HttpError::Auth(auth)) = &err else {
        panic!("expected an auth error, got {err:?}");
    };
    assert!(auth.is_rejected(), "{auth:?}");
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    tokens.assert_calls_async(2).await;
}

#[tokio::test]
async fn an_upload_is_resent_with_its_body_after_an_expired_token() {
    let server = MockServer::start_async().await;
    let tokens = sign_in_sequence(&server, &[TOKEN, TOKEN_2], false).await;
    let upload = |token: &'static str, answer: &'static str| {
        let server = &server;
        async move {
            server
                .mock_async(|when, then| {
                    when.method(POST)
                        .path(PATH)
                        .query_param("statevar", "add_attachment")
                        .query_param("access_token", token)
                        .body_includes("\r\n\r\nfile content\r\n");
                    then.status(200).body(answer);
                })
                .await
        }
    };
    let refused = upload(TOKEN, "Token expired").await;
    let accepted = upload(TOKEN_2, "Attachment added").await;
    let message = client(&server)
        .upload_attachment(7, "", "a.txt", &b"file content"[..])
        .await
        .expect("resent");
    assert_eq!(message, "Attachment added");
    refused.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;
    tokens.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_refused_sign_in_is_an_auth_error_with_the_server_message() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(GET).query_param("statevar", "get_token");
            then.status(200).body("Invalid user id or password\r\n");
        })
        .await;
    let api = heartbeat_with(&server, TOKEN, ALIVE).await;
    let err = client(&server).heartbeat().await.expect_err("refused");
    let Error::Http(HttpError::Auth(auth)) = &err else {
        panic!("expected an auth error, got {err:?}");
    };
    assert!(auth.is_rejected(), "{auth:?}");
    assert!(
        err.to_string().contains("Invalid user id or password"),
        "{err}"
    );
    token.assert_calls_async(1).await;
    api.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_token_answer_without_a_token_is_malformed() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).query_param("statevar", "get_token");
            then.status(200).body("Type:Bearer\r\nLifetime:3600\r\n");
        })
        .await;
    let err = client(&server).heartbeat().await.expect_err("no token");
    let Error::Http(HttpError::Auth(auth)) = &err else {
        panic!("expected an auth error, got {err:?}");
    };
    assert!(
        matches!(auth, extraview_sdk::AuthError::MalformedResponse { .. }),
        "{auth:?}"
    );
}

#[tokio::test]
async fn the_lifetime_decides_when_to_sign_in_again() {
    let server = MockServer::start_async().await;
    let tokens = server
        .mock_async(|when, then| {
            when.method(GET).query_param("statevar", "get_token");
            then.status(200)
                .body(format!("Token:{TOKEN}\r\nType:Bearer\r\nLifetime:2\r\n"));
        })
        .await;
    heartbeat_with(&server, TOKEN, ALIVE).await;
    let client = client(&server);
    client.heartbeat().await.expect("alive");
    client.heartbeat().await.expect("alive");
    tokens.assert_calls_async(1).await;
    // Once the 2 s lifetime is over, the next call waits for a new sign-in (before that, the
    // cache would hand out the old token while renewing it in the background).
    tokio::time::sleep(Duration::from_millis(2100)).await;
    client.heartbeat().await.expect("alive");
    tokens.assert_calls_async(2).await;
}

/// Data that happens to hold a sign-on phrase is data: a list of problem categories with
/// `Login failed` in it, and a short text log attachment, must come back as they are, with
/// no second sign-in and no resend.
#[tokio::test]
async fn data_holding_a_sign_on_phrase_is_not_a_refusal() {
    let server = MockServer::start_async().await;
    let tokens = sign_in_sequence(&server, &[TOKEN, TOKEN_2], false).await;
    let categories = "1022|Login failed|\r\n1023|Session expired|\r\n1024|Printer|\r\n";
    let list = command(
        &server,
        "allowed_list",
        &[("field", "PROBLEM_CATEGORY")],
        categories,
    )
    .await;
    let log = "09:14 jdoe: login failed\n09:15 jdoe: session expired, signing in again\n";
    let download = command(&server, "get_attachment", &[("attachment_id", "77")], log).await;
    let client = client(&server);
    let values = client
        .allowed_list("PROBLEM_CATEGORY", None)
        .await
        .expect("the list is data");
    assert_eq!(values.len(), 3);
    assert_eq!(values[0].title, "Login failed");
    let bytes = client
        .download_attachment("77")
        .await
        .expect("the log is data");
    assert_eq!(bytes.as_ref(), log.as_bytes());
    tokens.assert_calls_async(1).await;
    list.assert_calls_async(1).await;
    download.assert_calls_async(1).await;
}
