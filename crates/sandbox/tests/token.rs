//! The token endpoint: form body and Basic, refusals as the vendor sends them, expiry, roles.

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::{FormExt, admin, api_get, api_json, http, post_token, start, token, token_for};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn form_body_issues_a_bearer_token_for_24_hours() {
    let sandbox = start().await;
    let (id, secret) = sandbox.everactive_credentials();
    let response = post_token(
        sandbox.everactive_url(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
            ("scope", "user developer"),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 86400);
    let token = body["access_token"].as_str().expect("token");
    // JWT-shaped, with the claims of a client-credentials token.
    let payload = token.split('.').nth(1).expect("three parts");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON");
    assert_eq!(claims["sub"], format!("{id}@clients"));
    assert_eq!(claims["gty"], "client-credentials");
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        86400
    );
    assert_eq!(api_get(&sandbox, token, "/health").await.status(), 200);
}

#[tokio::test]
async fn basic_authentication_is_accepted() {
    let sandbox = start().await;
    let (id, secret) = sandbox.everactive_credentials();
    let response = http()
        .post(format!("{}/auth/token", sandbox.everactive_url()))
        .basic_auth(id, Some(secret))
        .form_body(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token request");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert!(body["access_token"].is_string());
}

#[tokio::test]
async fn wrong_credentials_are_refused_as_auth0_does() {
    let sandbox = start().await;
    let (id, _) = sandbox.everactive_credentials();
    for form in [
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", "wrong"),
        ],
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", "nobody"),
            ("client_secret", "x"),
        ],
        vec![("grant_type", "client_credentials"), ("client_id", id)],
    ] {
        let response = post_token(sandbox.everactive_url(), &form).await;
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(
            body,
            json!({"error": "access_denied", "error_description": "Unauthorized"})
        );
    }
    // With Basic, the refusal also carries a Basic challenge.
    let response = http()
        .post(format!("{}/auth/token", sandbox.everactive_url()))
        .header(
            "authorization",
            format!("Basic {}", STANDARD.encode(format!("{id}:wrong"))),
        )
        .form_body(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token request");
    assert_eq!(response.status(), 401);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .expect("text")
            .starts_with("Basic")
    );
    assert_eq!(sandbox.everactive().stats().tokens_issued, 0);
    assert_eq!(sandbox.everactive().stats().token_requests, 4);
}

#[tokio::test]
async fn malformed_requests_get_oauth2_errors() {
    let sandbox = start().await;
    let url = sandbox.everactive_url();
    let (id, secret) = sandbox.everactive_credentials();
    let error_of = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("JSON");
        (
            status,
            body["error"].as_str().unwrap_or_default().to_owned(),
        )
    };
    let cases = [
        (
            vec![
                ("grant_type", "password"),
                ("client_id", id),
                ("client_secret", secret),
            ],
            "unsupported_grant_type",
        ),
        (
            vec![("client_id", id), ("client_secret", secret)],
            "invalid_request",
        ),
        (
            vec![("grant_type", "client_credentials")],
            "invalid_request",
        ),
    ];
    for (form, expected) in cases {
        assert_eq!(
            error_of(post_token(url, &form).await).await,
            (400, expected.to_owned())
        );
    }
    // A JSON body is not a token request (every working client sends a form).
    let json_body = http()
        .post(format!("{url}/auth/token"))
        .json(
            &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(
        error_of(json_body).await,
        (400, "invalid_request".to_owned())
    );
    // Credentials in two places at once.
    let both = http()
        .post(format!("{url}/auth/token"))
        .basic_auth(id, Some(secret))
        .form_body(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(error_of(both).await, (400, "invalid_request".to_owned()));
}

#[tokio::test]
async fn tokens_expire_on_the_sandbox_clock() {
    let sandbox = common::builder()
        .everactive_token_lifetime(Duration::from_secs(60))
        .start()
        .await
        .expect("starts");
    let token = token(&sandbox).await;
    assert_eq!(api_get(&sandbox, &token, "/health").await.status(), 200);
    let (status, _) = admin(
        &sandbox,
        Method::POST,
        "/clock/advance",
        Some(json!({"seconds": 61})),
    )
    .await;
    assert_eq!(status, 200);
    let response = api_get(&sandbox, &token, "/health").await;
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .expect("text")
        .to_owned();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["status"], 401);
    assert_eq!(body["message"], "the access token expired");
}

#[tokio::test]
async fn expiring_every_token_through_the_admin_api() {
    let sandbox = start().await;
    let first = token(&sandbox).await;
    let second = token(&sandbox).await;
    assert_ne!(first, second);
    let (status, body) = admin(&sandbox, Method::POST, "/everactive/tokens/expire", None).await;
    assert_eq!((status, body), (200, json!({"expired": 2})));
    for old in [&first, &second] {
        assert_eq!(api_get(&sandbox, old, "/health").await.status(), 401);
    }
    let fresh = token(&sandbox).await;
    assert_eq!(api_get(&sandbox, &fresh, "/health").await.status(), 200);
}

#[tokio::test]
async fn bearer_is_checked_on_every_call() {
    let sandbox = start().await;
    let url = sandbox.everactive_url();
    for path in [
        "/health",
        "/eversensors",
        "/evergateways",
        "/webhooks",
        "/no-such-thing",
    ] {
        let missing = http()
            .get(format!("{url}/ds/v1{path}"))
            .send()
            .await
            .expect("request");
        assert_eq!(missing.status(), 401, "{path}");
        assert_eq!(
            missing.headers()["www-authenticate"],
            "Bearer realm=\"everactive-sandbox\""
        );
        let (status, body) = api_json(&sandbox, "not-a-token", path).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(body["error"], "Unauthorized");
    }
    let basic = http()
        .get(format!("{url}/ds/v1/health"))
        .basic_auth(
            "sandbox-everactive-client",
            Some("sandbox-everactive-secret"),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(basic.status(), 401);
    // An authenticated call to an unknown path is a 404 in the API's error layout.
    let token = token(&sandbox).await;
    let (status, body) = api_json(&sandbox, &token, "/no-such-thing").await;
    assert_eq!((status, body["status"].clone()), (404, json!(404)));
}

#[tokio::test]
async fn read_only_credential_is_forbidden_to_change_things() {
    let sandbox = start().await;
    let (id, secret) = sandbox.everactive_readonly_credentials();
    let token = token_for(&sandbox, id, secret).await;
    assert_eq!(
        api_get(&sandbox, &token, "/eversensors").await.status(),
        200
    );
    assert_eq!(api_get(&sandbox, &token, "/webhooks").await.status(), 403);
    let put = http()
        .put(format!(
            "{}/ds/v1/evergateways/{}",
            sandbox.everactive_url(),
            "x"
        ))
        .bearer_auth(&token)
        .json(&json!({"name": "n"}))
        .send()
        .await
        .expect("request");
    assert_eq!(put.status(), 403);
}

#[tokio::test]
async fn custom_credentials_replace_the_demo_ones() {
    let sandbox = common::builder()
        .everactive_credentials("my-id", "my secret+&")
        .start()
        .await
        .expect("starts");
    assert_eq!(sandbox.everactive_credentials(), ("my-id", "my secret+&"));
    let token = token_for(&sandbox, "my-id", "my secret+&").await;
    assert_eq!(api_get(&sandbox, &token, "/health").await.status(), 200);
    let env = sandbox.everactive_env();
    assert_eq!(
        env[0],
        ("EVERACTIVE_API_URL", sandbox.everactive_url().to_owned())
    );
    assert_eq!(env[1].1, "my-id");
}
