//! Every REST call against httpmock: method, path, bearer or query token, body, and the
//! typed answer; the rate-limit headers of every answer, error statuses included.

mod common;

use std::time::Duration;

use common::{ACCESS_TOKEN, bearer, client, fixture, password_grant};
use everreal_sdk::{Error, HttpError, RateLimit, WebhookEventType};
use httpmock::Method::{DELETE, GET, POST};
use httpmock::MockServer;
use serde_json::json;

#[tokio::test]
async fn users_me_decodes_the_documented_shape() {
    let server = MockServer::start_async().await;
    let token = password_grant(&server).await;
    let me = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/accounts/api/users/me")
                .header("authorization", bearer());
            then.status(200)
                .header("x-ratelimit-limit", "300")
                .header("x-ratelimit-remaining", "299")
                .header("x-ratelimit-reset", "60")
                .json_body(fixture("users_me.json"));
        })
        .await;
    let client = client(&server);
    assert_eq!(client.rate_limit(), None);
    let user = client.users_me().await.expect("users/me");
    token.assert_calls_async(1).await;
    me.assert_calls_async(1).await;
    assert_eq!(user.id, "76afcab0-652b-4547-801b-7c701c097b81");
    let partner = user
        .current_company
        .and_then(|c| c.partner)
        .expect("partner");
    assert_eq!(partner.subdomain.as_deref(), Some("acme"));
    let info = user.token_info.expect("token info");
    assert_eq!(info.expires_in, Some(3599), "a string in the fixture");
    assert_eq!(
        info.scope.as_deref(),
        Some(&["offline_access".to_owned(), "*".to_owned()][..])
    );
    let limit = client.rate_limit().expect("headers seen");
    assert_eq!(
        (limit.limit, limit.remaining, limit.reset),
        (Some(300), Some(299), Some(Duration::from_secs(60)))
    );
}

#[tokio::test]
async fn userinfo_decodes_the_profile() {
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/accounts/api/userinfo")
                .header("authorization", bearer());
            then.status(200).json_body(json!({
                "id": "76afcab0-652b-4547-801b-7c701c097b81",
                "email": "jane@acme.example",
                "firstName": "Jane",
                "profileData": {"language": "de", "salutation": "MS"},
                "sub": "unknown-field"
            }));
        })
        .await;
    let profile = client(&server).userinfo().await.expect("userinfo");
    assert_eq!(profile.email.as_deref(), Some("jane@acme.example"));
    assert_eq!(profile.last_name, None);
    assert_eq!(
        profile.profile_data.and_then(|p| p.salutation).as_deref(),
        Some("MS")
    );
}

#[tokio::test]
async fn token_info_sends_the_token_in_the_query_only() {
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    let info = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/accounts/api/tokeninfo")
                .query_param("access_token", ACCESS_TOKEN)
                .header_missing("authorization");
            then.status(200).json_body(json!({
                "audience": "acme-client",
                "scope": "offline_access *",
                "user_id": "u-1",
                "expires_in": 1800
            }));
        })
        .await;
    let answer = client(&server).token_info().await.expect("tokeninfo");
    info.assert_calls_async(1).await;
    assert_eq!(answer.audience.as_deref(), Some("acme-client"));
    assert_eq!(answer.expires_in, Some(1800));
    assert_eq!(answer.scope.map(|s| s.len()), Some(2));
}

#[tokio::test]
async fn revoke_sends_the_current_token() {
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    let revoke = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/accounts/api/tokenrevoke")
                .query_param("token", ACCESS_TOKEN)
                .header("authorization", bearer());
            then.status(200).body("");
        })
        .await;
    client(&server).revoke().await.expect("revoked");
    revoke.assert_calls_async(1).await;
}

#[tokio::test]
async fn webhooks_are_listed_created_and_deleted() {
    let id = "0e9b3c4a-5d1e-4c55-9f4e-8f2d7c1a2b3c";
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/external-integrations/webhooks")
                .header("authorization", bearer());
            then.status(200).json_body(json!([
                {"id": id, "type": "UNIT_CREATED", "partnerId": "p-1", "companyId": "c-1",
                 "connectedByUserId": "u-1", "url": "https://hooks.acme.example/units",
                 "createdAt": "2024-05-01T10:00:00.000Z", "updatedAt": "2024-05-01T10:00:00.000Z",
                 "deletedAt": null},
                {"id": "w-2", "type": "PROTOCOL_SIGNED", "url": "https://hooks.acme.example/p",
                 "secretFlag": true}
            ]));
        })
        .await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/external-integrations/webhooks")
                .header("authorization", bearer())
                .json_body(json!({"type": "LISTING_CONTRACT_FLOW_SIGNED", "url": "https://hooks.acme.example/signed"}));
            then.status(200).header("location", id);
        })
        .await;
    let create_url = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/external-integrations/webhooks")
                .json_body(
                    json!({"type": "OWNER_DELETED", "url": "https://hooks.acme.example/owners"}),
                );
            then.status(200).header(
                "location",
                format!("https://acme.everreal.co/api/external-integrations/webhooks/{id}"),
            );
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(format!("/api/external-integrations/webhooks/{id}"))
                .header("authorization", bearer());
            then.status(200);
        })
        .await;
    let client = client(&server);

    let hooks = client.webhooks().await.expect("list");
    list.assert_calls_async(1).await;
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[0].type_, Some(WebhookEventType::UnitCreated));
    assert_eq!(hooks[0].deleted_at, None);
    assert_eq!(
        hooks[1].type_,
        Some(WebhookEventType::Other("PROTOCOL_SIGNED".into())),
        "an event type added later decodes"
    );

    let created = client
        .create_webhook(
            WebhookEventType::ListingContractFlowSigned,
            "https://hooks.acme.example/signed",
        )
        .await
        .expect("created");
    assert_eq!(created, id, "a bare id in Location");
    create.assert_calls_async(1).await;
    let created = client
        .create_webhook(
            WebhookEventType::OwnerDeleted,
            "https://hooks.acme.example/owners",
        )
        .await
        .expect("created");
    assert_eq!(created, id, "a URL ending in the id");
    create_url.assert_calls_async(1).await;

    client.delete_webhook(id).await.expect("deleted");
    delete.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_create_answer_without_location_is_a_decode_error() {
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/external-integrations/webhooks");
            then.status(200).json_body(json!({"ok": true}));
        })
        .await;
    let err = client(&server)
        .create_webhook(
            WebhookEventType::UnitCreated,
            "https://hooks.acme.example/u",
        )
        .await
        .expect_err("no id");
    assert!(
        matches!(&err, Error::Http(HttpError::Decode { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("Location"), "{err}");
}

#[tokio::test]
async fn an_error_status_keeps_its_body_and_its_rate_limit() {
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/external-integrations/webhooks");
            then.status(403)
                .header("x-ratelimit-limit", "300")
                .header("x-ratelimit-remaining", "12")
                .header("x-ratelimit-reset", "41")
                .json_body(json!({"code": "server_error", "statusCode": 403}));
        })
        .await;
    let client = client(&server);
    let err = client.webhooks().await.expect_err("403");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    let body: serde_json::Value = err
        .http()
        .and_then(HttpError::api_error)
        .expect("json body");
    assert_eq!(body["code"], "server_error");
    assert!(!err.is_retryable());
    let limit: RateLimit = client.rate_limit().expect("seen on the error answer");
    assert_eq!(limit.remaining, Some(12));
    assert_eq!(limit.reset, Some(Duration::from_secs(41)));
}

#[tokio::test]
async fn bad_call_input_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let token = password_grant(&server).await;
    let any = server
        .mock_async(|when, then| {
            when.path_prefix("/api/");
            then.status(200);
        })
        .await;
    let client = client(&server);
    let cases = [
        client
            .create_webhook(WebhookEventType::UnitCreated, "http://hooks.acme.example/u")
            .await
            .map(|_| ()),
        client
            .create_webhook(WebhookEventType::UnitCreated, "not a url")
            .await
            .map(|_| ()),
        client
            .create_webhook(WebhookEventType::Other(" ".into()), "https://h.example/")
            .await
            .map(|_| ()),
        client.delete_webhook("").await,
        client.delete_webhook("../users/me").await,
        client.delete_webhook("a b").await,
    ];
    for case in cases {
        let err = case.expect_err("refused");
        assert!(
            matches!(err, Error::Http(HttpError::InvalidRequest(_))),
            "{err:?}"
        );
    }
    any.assert_calls_async(0).await;
    token.assert_calls_async(0).await;
}
