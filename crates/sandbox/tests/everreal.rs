//! EverReal over plain HTTP: the three grants (JSON bodies, the string `expires_in` of a
//! refresh, PKCE), users/me, introspection and revocation, webhook subscriptions and their
//! deliveries, GraphQL queries, selections and upserts, errors, the rate limit and the knobs.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{FormExt, admin, collect, http, receiver};
use reqwest::Method;
use reqwest::header::HeaderMap;
use sdk_sandbox::{ForcedFailure, RunningSandbox, SandboxBuilder};
use serde_json::{Value, json};

/// RFC 7636 appendix B: a verifier and its S256 challenge, computed by the RFC's authors.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn builder() -> SandboxBuilder {
    common::builder().everreal_delivery_interval(None)
}

async fn start() -> RunningSandbox {
    builder().start().await.expect("the sandbox starts")
}

/// Status, JSON body (`null` when none) and headers of a response.
async fn read(response: reqwest::Response) -> (u16, Value, HeaderMap) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        headers,
    )
}

/// POSTs a JSON body to the token endpoint.
async fn token_json(sandbox: &RunningSandbox, body: Value) -> (u16, Value, HeaderMap) {
    let response = http()
        .post(format!("{}/accounts/oauth/token", sandbox.everreal_url()))
        .json(&body)
        .send()
        .await
        .expect("token request");
    read(response).await
}

/// The password grant of the demo user with `scope`.
fn password_body(sandbox: &RunningSandbox, scope: Option<&str>) -> Value {
    let (username, password, client_id, client_secret) = sandbox.everreal_credentials();
    let mut body = json!({
        "grant_type": "password", "username": username, "password": password,
        "client_id": client_id, "client_secret": client_secret,
    });
    if let Some(scope) = scope {
        body["scope"] = json!(scope);
    }
    body
}

/// A password-grant answer with `offline_access *`.
async fn sign_in(sandbox: &RunningSandbox) -> Value {
    let (status, body, _) =
        token_json(sandbox, password_body(sandbox, Some("offline_access *"))).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn access_token(sandbox: &RunningSandbox) -> String {
    sign_in(sandbox).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

async fn get(sandbox: &RunningSandbox, token: &str, path: &str) -> (u16, Value, HeaderMap) {
    let response = http()
        .get(format!("{}{path}", sandbox.everreal_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    read(response).await
}

/// POSTs a GraphQL request; the HTTP status must be 200.
async fn graphql(sandbox: &RunningSandbox, token: &str, query: &str, variables: Value) -> Value {
    let response = http()
        .post(format!("{}/api/reporting/graphql", sandbox.everreal_url()))
        .bearer_auth(token)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("GraphQL request");
    let (status, body, _) = read(response).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn the_password_grant_takes_json_and_refuses_with_403_invalid_grant() {
    let sandbox = start().await;
    let (status, body, headers) =
        token_json(&sandbox, password_body(&sandbox, Some("offline_access *"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        keys(&body),
        ["access_token", "expires_in", "refresh_token", "token_type"]
    );
    assert_eq!(
        body["expires_in"],
        json!(3600),
        "a number on the password grant"
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(
        body["access_token"].as_str().map(|t| t.split('.').count()),
        Some(3)
    );
    assert_eq!(headers["cache-control"], "no-store");

    let (_, without_offline, _) = token_json(&sandbox, password_body(&sandbox, Some("*"))).await;
    assert!(
        without_offline.get("refresh_token").is_none(),
        "{without_offline}"
    );

    let mut wrong = password_body(&sandbox, None);
    wrong["password"] = json!("wrong");
    let (status, body, _) = token_json(&sandbox, wrong).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"].is_string());

    let mut wrong_client = password_body(&sandbox, None);
    wrong_client["client_secret"] = json!("wrong");
    let (status, body, _) = token_json(&sandbox, wrong_client).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("invalid_client"))
    );

    let (username, password, client_id, client_secret) = sandbox.everreal_credentials();
    let form = http()
        .post(format!("{}/accounts/oauth/token", sandbox.everreal_url()))
        .form_body(&[
            ("grant_type", "password"),
            ("username", username),
            ("password", password),
            ("client_id", client_id),
            ("client_secret", client_secret),
        ])
        .send()
        .await
        .expect("request");
    let (status, body, _) = read(form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );

    let (status, body, _) = token_json(&sandbox, json!({"grant_type": "client_credentials"})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );

    let stats = sandbox.everreal().stats();
    assert_eq!((stats.token_requests, stats.tokens_issued), (6, 2));
}

#[tokio::test]
async fn a_refresh_answers_a_string_expires_in_and_no_new_refresh_token() {
    let sandbox = builder()
        .everreal_refresh_token_lifetime(Duration::from_secs(600))
        .start()
        .await
        .expect("starts");
    let refresh_token = sign_in(&sandbox).await["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_owned();
    let (_, _, client_id, client_secret) = sandbox.everreal_credentials();
    let refresh = json!({
        "grant_type": "refresh_token", "client_id": client_id,
        "client_secret": client_secret, "refresh_token": refresh_token,
    });
    let (status, body, _) = token_json(&sandbox, refresh.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body), ["access_token", "expires_in"]);
    assert_eq!(
        body["expires_in"],
        json!("3600"),
        "a string on the refresh grant"
    );
    let token = body["access_token"].as_str().expect("token");
    assert_eq!(get(&sandbox, token, "/accounts/api/users/me").await.0, 200);

    // No new refresh token comes back, so the first one must keep working.
    let (status, _, _) = token_json(&sandbox, refresh.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(sandbox.everreal().stats().refresh_requests, 2);

    let mut unknown = refresh.clone();
    unknown["refresh_token"] = json!("not-a-token");
    let (status, body, _) = token_json(&sandbox, unknown).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("invalid_grant"))
    );

    sandbox.clock().advance(Duration::from_secs(601));
    let (status, body, _) = token_json(&sandbox, refresh).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("invalid_grant"))
    );
    assert_eq!(body["error_description"], "Refresh token expired");
}

#[tokio::test]
async fn revoked_refresh_tokens_are_refused() {
    let sandbox = start().await;
    let answer = sign_in(&sandbox).await;
    let (status, body) = admin(
        &sandbox,
        Method::POST,
        "/everreal/refresh-tokens/revoke",
        None,
    )
    .await;
    assert_eq!((status, body["revoked"].as_u64()), (200, Some(1)));
    let (_, _, id, secret) = sandbox.everreal_credentials();
    let (status, _, _) = token_json(
        &sandbox,
        json!({"grant_type": "refresh_token", "client_id": id, "client_secret": secret,
               "refresh_token": answer["refresh_token"]}),
    )
    .await;
    assert_eq!(status, 403);
}

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The authorize call with `overrides` over the valid parameters; status and headers.
async fn authorize(
    sandbox: &RunningSandbox,
    overrides: &[(&str, Option<&str>)],
) -> (u16, HeaderMap) {
    let (_, _, client_id, _) = sandbox.everreal_credentials();
    let mut params = vec![
        ("response_type", Some("code")),
        ("client_id", Some(client_id)),
        ("redirect_uri", Some("http://127.0.0.1:49152/callback")),
        ("scope", Some("offline_access *")),
        ("state", Some("xyz")),
        ("code_challenge", Some(CHALLENGE)),
        ("code_challenge_method", Some("S256")),
    ];
    for (name, value) in overrides {
        match params.iter_mut().find(|(n, _)| n == name) {
            Some(param) => param.1 = *value,
            None => params.push((name, *value)),
        }
    }
    let present: Vec<(&str, &str)> = params
        .iter()
        .filter_map(|(n, v)| v.map(|v| (*n, v)))
        .collect();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(present)
        .finish();
    let response = no_redirects()
        .get(format!(
            "{}/accounts/dialog/authorize?{query}",
            sandbox.everreal_url()
        ))
        .send()
        .await
        .expect("authorize");
    (response.status().as_u16(), response.headers().clone())
}

/// A fresh code for the valid authorize parameters.
async fn new_code(sandbox: &RunningSandbox) -> String {
    let (status, headers) = authorize(sandbox, &[]).await;
    assert_eq!(status, 302);
    let location = url::Url::parse(headers["location"].to_str().expect("text")).expect("URL");
    assert_eq!(
        location.as_str().split('?').next(),
        Some("http://127.0.0.1:49152/callback")
    );
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("state").as_deref(), Some("xyz"));
    param("code").expect("a code")
}

/// Exchanges `code` with a form body; status and body.
async fn exchange(
    sandbox: &RunningSandbox,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
) -> (u16, Value) {
    let (_, _, client_id, client_secret) = sandbox.everreal_credentials();
    let response = http()
        .post(format!("{}/accounts/oauth/token", sandbox.everreal_url()))
        .form_body(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
            ("client_id", client_id),
            ("client_secret", client_secret),
        ])
        .send()
        .await
        .expect("exchange");
    let (status, body, _) = read(response).await;
    (status, body)
}

#[tokio::test]
async fn the_code_flow_checks_pkce_and_uses_each_code_once() {
    let sandbox = start().await;
    let redirect = "http://127.0.0.1:49152/callback";
    let code = new_code(&sandbox).await;
    let (status, body) = exchange(&sandbox, &code, VERIFIER, redirect).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires_in"], json!(3600));
    assert!(
        body["refresh_token"].is_string(),
        "offline_access was asked for"
    );
    let token = body["access_token"].as_str().expect("token");
    assert_eq!(get(&sandbox, token, "/accounts/api/userinfo").await.0, 200);

    let (status, body) = exchange(&sandbox, &code, VERIFIER, redirect).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("invalid_grant")),
        "a code works once"
    );

    // JSON bodies are accepted for this grant too.
    let (_, _, client_id, client_secret) = sandbox.everreal_credentials();
    let code = new_code(&sandbox).await;
    let (status, body, _) = token_json(
        &sandbox,
        json!({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
               "code_verifier": VERIFIER, "client_id": client_id, "client_secret": client_secret}),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let code = new_code(&sandbox).await;
    let wrong_verifier = "a".repeat(43);
    let (status, body) = exchange(&sandbox, &code, &wrong_verifier, redirect).await;
    assert_eq!(
        (status, body["error_description"].as_str()),
        (403, Some("PKCE verification failed"))
    );
    let (status, _) = exchange(&sandbox, &code, VERIFIER, redirect).await;
    assert_eq!(status, 403, "a failed attempt uses the code up");

    let code = new_code(&sandbox).await;
    let (status, body) =
        exchange(&sandbox, &code, VERIFIER, "http://127.0.0.1:49153/callback").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("invalid_grant")),
        "redirect_uri must match"
    );

    let code = new_code(&sandbox).await;
    sandbox.clock().advance(Duration::from_secs(61));
    let (status, body) = exchange(&sandbox, &code, VERIFIER, redirect).await;
    assert_eq!(
        (status, body["error_description"].as_str()),
        (403, Some("Authorization code expired"))
    );
}

#[tokio::test]
async fn the_authorize_dialog_refuses_without_s256_or_a_known_client() {
    let sandbox = start().await;
    for overrides in [
        vec![("code_challenge", None)],
        vec![("code_challenge_method", Some("plain"))],
        vec![("code_challenge_method", None)],
        vec![(
            "code_challenge",
            Some(VERIFIER.get(..20).unwrap_or_default()),
        )],
        vec![("client_id", Some("someone-else"))],
        vec![("client_id", None)],
        vec![("redirect_uri", Some("https://attacker.example/callback"))],
        vec![("response_type", Some("token"))],
    ] {
        let (status, headers) = authorize(&sandbox, &overrides).await;
        assert_eq!(status, 400, "{overrides:?}");
        assert!(headers.get("location").is_none());
    }
}

#[tokio::test]
async fn users_me_and_userinfo_describe_the_demo_user() {
    let sandbox = builder()
        .everreal_subdomain("globex")
        .start()
        .await
        .expect("starts");
    let token = access_token(&sandbox).await;
    let (status, me, _) = get(&sandbox, &token, "/accounts/api/users/me").await;
    assert_eq!(status, 200);
    assert_eq!(
        keys(&me),
        [
            "areTermsAccepted",
            "companies",
            "createdAt",
            "currentCompany",
            "email",
            "firstName",
            "id",
            "isActive",
            "isTenant",
            "lastName",
            "profileData",
            "profilePhoto",
            "tokenInfo",
            "updatedAt",
        ]
    );
    assert_eq!(me["email"], sandbox.everreal_credentials().0);
    assert_eq!(me["currentCompany"]["partner"]["subdomain"], "globex");
    assert_eq!(
        keys(&me["currentCompany"]["partner"]),
        ["id", "name", "subdomain"]
    );
    assert_eq!(me["companies"][0]["id"], me["currentCompany"]["id"]);
    assert_eq!(me["companies"][0]["isDefault"], true);
    assert_eq!(me["tokenInfo"]["scope"], json!(["offline_access", "*"]));
    assert_eq!(me["tokenInfo"]["user_id"], me["id"]);
    assert_eq!(
        me["tokenInfo"]["audience"],
        sandbox.everreal_credentials().2
    );
    assert!(
        me["tokenInfo"]["expires_in"]
            .as_u64()
            .is_some_and(|s| s <= 3600 && s > 3500)
    );

    let (status, profile, _) = get(&sandbox, &token, "/accounts/api/userinfo").await;
    assert_eq!(status, 200);
    assert_eq!(
        keys(&profile),
        [
            "email",
            "firstName",
            "id",
            "lastName",
            "profileData",
            "profilePhoto"
        ]
    );
    assert_eq!(profile["id"], me["id"]);
    assert!(profile["profileData"].get("language").is_some());

    let response = http()
        .get(format!("{}/accounts/api/users/me", sandbox.everreal_url()))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn tokeninfo_introspects_and_tokenrevoke_ends_tokens() {
    let sandbox = start().await;
    let answer = sign_in(&sandbox).await;
    let token = answer["access_token"].as_str().expect("token");
    let base = sandbox.everreal_url();
    let info: Value = http()
        .get(format!("{base}/accounts/api/tokeninfo"))
        .query(&[("access_token", token)])
        .send()
        .await
        .expect("tokeninfo")
        .json()
        .await
        .expect("JSON");
    assert_eq!(keys(&info), ["audience", "expires_in", "scope", "user_id"]);
    assert_eq!(info["scope"], json!(["offline_access", "*"]));
    sandbox.clock().advance(Duration::from_secs(600));
    let later: Value = http()
        .get(format!("{base}/accounts/api/tokeninfo"))
        .query(&[("access_token", token)])
        .send()
        .await
        .expect("tokeninfo")
        .json()
        .await
        .expect("JSON");
    assert!(later["expires_in"].as_u64() <= Some(3000), "{later}");

    let revoke = |t: String| async move {
        http()
            .get(format!("{base}/accounts/api/tokenrevoke"))
            .query(&[("token", t)])
            .send()
            .await
            .expect("revoke")
            .status()
    };
    assert_eq!(revoke(token.to_owned()).await, 200);
    assert_eq!(get(&sandbox, token, "/accounts/api/users/me").await.0, 401);
    let (status, body, _) = read(
        http()
            .get(format!("{base}/accounts/api/tokeninfo"))
            .query(&[("access_token", token)])
            .send()
            .await
            .expect("tokeninfo"),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_token"))
    );

    let refresh = answer["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    assert_eq!(revoke(refresh.clone()).await, 200);
    let (_, _, id, secret) = sandbox.everreal_credentials();
    let (status, _, _) = token_json(
        &sandbox,
        json!({"grant_type": "refresh_token", "client_id": id, "client_secret": secret, "refresh_token": refresh}),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn an_expired_token_gets_401() {
    let sandbox = builder()
        .everreal_token_lifetime(Duration::from_secs(60))
        .start()
        .await
        .expect("starts");
    let answer = sign_in(&sandbox).await;
    assert_eq!(answer["expires_in"], json!(60));
    let token = answer["access_token"].as_str().expect("token");
    assert_eq!(get(&sandbox, token, "/accounts/api/users/me").await.0, 200);
    sandbox.clock().advance(Duration::from_secs(61));
    let (status, body, headers) = get(&sandbox, token, "/accounts/api/users/me").await;
    assert_eq!(status, 401);
    assert_eq!(
        (body["statusCode"].as_u64(), body["message"].as_str()),
        (Some(401), Some("Token expired"))
    );
    assert!(headers.contains_key("www-authenticate"));
    let fresh = access_token(&sandbox).await;
    assert_eq!(sandbox.everreal().expire_tokens(), 1);
    assert_eq!(
        get(&sandbox, &fresh, "/api/external-integrations/webhooks")
            .await
            .0,
        401
    );
}

async fn subscribe(sandbox: &RunningSandbox, token: &str, body: Value) -> (u16, Value, HeaderMap) {
    let response = http()
        .post(format!(
            "{}/api/external-integrations/webhooks",
            sandbox.everreal_url()
        ))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("subscribe");
    read(response).await
}

#[tokio::test]
async fn webhook_subscriptions_are_created_listed_and_deleted() {
    let sandbox = start().await;
    let token = access_token(&sandbox).await;
    let (status, body, headers) = subscribe(
        &sandbox,
        &token,
        json!({"type": "UNIT_CREATED", "url": "https://hooks.example/er"}),
    )
    .await;
    assert_eq!((status, body), (200, Value::Null), "no body");
    let id = headers["location"].to_str().expect("text").to_owned();
    assert_eq!(id.len(), 36, "a bare UUID: {id}");

    let (status, list, _) = get(&sandbox, &token, "/api/external-integrations/webhooks").await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let row = &list[0];
    assert_eq!(
        keys(row),
        [
            "companyId",
            "connectedByUserId",
            "createdAt",
            "deletedAt",
            "id",
            "partnerId",
            "type",
            "updatedAt",
            "url"
        ]
    );
    assert_eq!(
        (row["id"].as_str(), row["type"].as_str()),
        (Some(id.as_str()), Some("UNIT_CREATED"))
    );
    assert_eq!(row["deletedAt"], Value::Null);

    for bad in [
        json!({"type": "EVERYTHING", "url": "https://hooks.example/"}),
        json!({"type": "UNIT_CREATED", "url": "ftp://hooks.example/"}),
        json!({"type": "UNIT_CREATED", "url": "not a url"}),
        json!({"type": "UNIT_CREATED"}),
        json!({"url": "https://hooks.example/"}),
    ] {
        let (status, body, _) = subscribe(&sandbox, &token, bad.clone()).await;
        assert_eq!(
            (status, body["statusCode"].as_u64()),
            (400, Some(400)),
            "{bad}"
        );
    }

    let delete = |id: String| {
        let token = token.clone();
        let base = sandbox.everreal_url().to_owned();
        async move {
            http()
                .delete(format!("{base}/api/external-integrations/webhooks/{id}"))
                .bearer_auth(token)
                .send()
                .await
                .expect("delete")
                .status()
        }
    };
    assert_eq!(delete(id.clone()).await, 200);
    assert_eq!(delete(id).await, 404);
    let (_, list, _) = get(&sandbox, &token, "/api/external-integrations/webhooks").await;
    assert_eq!(list, json!([]));
}

const UPSERT_UNIT: &str = "mutation ($unit: UnitInput) {
  upsertUnit(unit: $unit) { id externalId name property { externalId } }
}";

fn unit_input(external: &str, name: &str) -> Value {
    json!({"unit": {
        "meta": {"source": "ACME_ERP"}, "externalUnitId": external, "externalPropertyId": "PROP-002",
        "name": name, "category": "RESIDENTIAL", "type": "APARTMENT", "subtype": "NO_INFORMATION",
        "mainStorage": false, "floorNo": 3, "financingType": "PRIVATELY_FINANCED",
        "livingSurface": 71.5, "rooms": {"rooms": 3, "bathrooms": 1, "bedrooms": 2},
    }})
}

#[tokio::test]
async fn changes_and_contract_flows_are_delivered_in_the_envelope() {
    let sandbox = start().await;
    let token = access_token(&sandbox).await;
    let (url, mut received) = receiver(StatusCode::OK).await;
    for event in [
        "UNIT_CREATED",
        "UNIT_UPDATED",
        "OWNER_UPDATED",
        "LISTING_CONTRACT_FLOW_SIGNED",
    ] {
        let (status, _, _) = subscribe(
            &sandbox,
            &token,
            json!({"type": event, "url": format!("{url}/{event}")}),
        )
        .await;
        assert_eq!(status, 200);
    }
    let created = graphql(
        &sandbox,
        &token,
        UPSERT_UNIT,
        unit_input("U-900", "Penthouse"),
    )
    .await;
    let unit_id = created["data"]["upsertUnit"]["id"].clone();
    graphql(
        &sandbox,
        &token,
        UPSERT_UNIT,
        unit_input("U-900", "Penthouse 2"),
    )
    .await;
    graphql(
        &sandbox,
        &token,
        r#"mutation { upsertOwner(owner: {meta: {source: "ACME_ERP"}, externalOwnerId: "OWN-001",
            firstName: "Ivana", lastName: "Maric-Horvat", email: "ivana@owners.example"}) { id } }"#,
        json!({}),
    )
    .await;
    let (status, body) = admin(
        &sandbox,
        Method::POST,
        "/everreal/events",
        Some(json!({"type": "LISTING_CONTRACT_FLOW_SIGNED"})),
    )
    .await;
    assert_eq!((status, body["queued"].as_u64()), (200, Some(1)));
    let (_, pending) = admin(&sandbox, Method::GET, "/everreal/pending", None).await;
    assert_eq!(pending["pending"], 4);
    assert!(
        received.try_recv().is_err(),
        "nothing goes out before a round"
    );

    let attempts = sandbox.deliver_everreal_webhooks().await;
    assert_eq!(attempts.len(), 4);
    assert!(attempts.iter().all(|a| a.succeeded()), "{attempts:?}");
    let mut got = collect(&mut received, 4).await;
    got.sort_by(|a, b| a.path.cmp(&b.path));
    let paths: Vec<&str> = got.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/LISTING_CONTRACT_FLOW_SIGNED",
            "/OWNER_UPDATED",
            "/UNIT_CREATED",
            "/UNIT_UPDATED"
        ]
    );
    for message in &got {
        let envelope = &message.body;
        assert_eq!(
            keys(envelope),
            [
                "createdAt",
                "data",
                "language",
                "operation",
                "subdomain",
                "uuid"
            ]
        );
        assert_eq!(envelope["operation"], message.path.trim_start_matches('/'));
        assert_eq!(envelope["subdomain"], "acme");
        assert_eq!(envelope["uuid"].as_str().map(str::len), Some(36));
        assert!(
            !message
                .headers
                .keys()
                .any(|h| h.as_str().contains("signature")),
            "deliveries are unsigned"
        );
    }
    assert_eq!(got[2].body["data"]["id"], unit_id);
    assert_eq!(got[2].body["data"]["name"], "Penthouse");
    assert_eq!(got[3].body["data"]["name"], "Penthouse 2");
    assert!(
        got[3].body["data"].get("_source").is_none(),
        "no bookkeeping members"
    );
    assert_eq!(got[1].body["data"]["lastName"], "Maric-Horvat");
    let signed = &got[0].body["data"];
    assert_eq!(signed["status"], "SIGNED");
    assert!(signed["auditTrailFile"]["resourcePath"].is_string());
    assert!(signed["metadata"]["candidateId"].is_string());

    assert!(
        sandbox.deliver_everreal_webhooks().await.is_empty(),
        "each event goes once"
    );
    assert_eq!(sandbox.everreal_deliveries().len(), 4);
    assert!(
        sandbox
            .trigger_everreal_event("NOT_AN_EVENT", None)
            .is_err()
    );
    let (status, _) = admin(
        &sandbox,
        Method::POST,
        "/everreal/events",
        Some(json!({"type": "NOPE"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        sandbox.trigger_everreal_event("UNIT_DELETED", Some(json!({"id": "x"}))),
        Ok(0),
        "no subscriber, nothing queued"
    );
}

const UNITS_PAGE: &str = "query Units($skip: Int!, $take: Int!) {
  units(input: {paging: {skip: $skip, take: $take}}) { id externalId }
}";

#[tokio::test]
async fn units_come_in_pages_of_bare_arrays() {
    let sandbox = start().await;
    let token = access_token(&sandbox).await;
    let mut ids = Vec::new();
    let mut sizes = Vec::new();
    for page in 0.. {
        let body = graphql(
            &sandbox,
            &token,
            UNITS_PAGE,
            json!({"skip": page * 5, "take": 5}),
        )
        .await;
        let rows = body["data"]["units"]
            .as_array()
            .cloned()
            .expect("a bare array");
        sizes.push(rows.len());
        for row in &rows {
            assert_eq!(keys(row), ["externalId", "id"], "only the selected fields");
            ids.push(row["id"].clone());
        }
        if rows.len() < 5 {
            break;
        }
    }
    assert_eq!(sizes, [5, 5, 5, 5, 4]);
    let mut distinct = ids.clone();
    distinct.sort_by_key(Value::to_string);
    distinct.dedup();
    assert_eq!(distinct.len(), 24);

    let again = graphql(&sandbox, &token, UNITS_PAGE, json!({"skip": 0, "take": 5})).await;
    assert_eq!(again["data"]["units"][0]["id"], ids[0], "stable order");
    let other_seed = builder().seed(8).start().await.expect("starts");
    let other_token = access_token(&other_seed).await;
    let other = graphql(
        &other_seed,
        &other_token,
        UNITS_PAGE,
        json!({"skip": 0, "take": 1}),
    )
    .await;
    assert_ne!(
        other["data"]["units"][0]["id"], ids[0],
        "the data follows the seed"
    );
}

#[tokio::test]
async fn selections_are_applied_with_nesting_aliases_fragments_and_directives() {
    let sandbox = start().await;
    let token = access_token(&sandbox).await;
    let query = "query ($withOwner: Boolean!) {
      first: units(input: {paging: {take: 1}, sort: {fieldName: \"externalId\", direction: DESC}}) {
        ...Names
        where: property { address { city location { lat } } owner @include(if: $withOwner) { fullName } }
        rooms { rooms }
        __typename
      }
    }
    fragment Names on Unit { externalId name }";
    let body = graphql(&sandbox, &token, query, json!({"withOwner": false})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let unit = &body["data"]["first"][0];
    assert_eq!(
        keys(unit),
        ["__typename", "externalId", "name", "rooms", "where"]
    );
    assert_eq!(unit["externalId"], "U-406", "sorted descending");
    assert_eq!(unit["__typename"], "Unit");
    assert_eq!(keys(&unit["where"]), ["address"]);
    assert_eq!(keys(&unit["where"]["address"]), ["city", "location"]);
    assert_eq!(unit["where"]["address"]["city"], "Köln");
    assert_eq!(keys(&unit["where"]["address"]["location"]), ["lat"]);
    assert_eq!(keys(&unit["rooms"]), ["rooms"]);
    let with_owner = graphql(&sandbox, &token, query, json!({"withOwner": true})).await;
    let place = &with_owner["data"]["first"][0]["where"];
    assert_eq!(keys(place), ["address", "owner"]);
    assert_eq!(
        place["owner"],
        Value::Null,
        "the last property has several owners"
    );
    let owned = graphql(
        &sandbox,
        &token,
        "{ units(input: {filter: {externalId: \"U-101\"}}) { property { owner { fullName } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        owned["data"]["units"][0]["property"]["owner"]["fullName"],
        "Ivana Maric"
    );

    let listings = graphql(
        &sandbox,
        &token,
        "{ listings(input: {paging: {take: 1}}) { title contractDetails { currency rent totalMonthlyRent }
           property { fullAddress } unit { livingSurface rooms { rooms } } coverPicture { resourcePath } } }",
        json!({}),
    )
    .await;
    let listing = &listings["data"]["listings"][0];
    assert_eq!(
        keys(listing),
        [
            "contractDetails",
            "coverPicture",
            "property",
            "title",
            "unit"
        ]
    );
    assert_eq!(
        keys(&listing["contractDetails"]),
        ["currency", "rent", "totalMonthlyRent"]
    );
    assert!(listing["unit"]["livingSurface"].is_number());
}

async fn count(sandbox: &RunningSandbox, token: &str, query: &str, field: &str) -> usize {
    let body = graphql(sandbox, token, query, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"][field].as_array().map_or(usize::MAX, Vec::len)
}

#[tokio::test]
async fn the_documented_filters_select_records() {
    let sandbox = start().await;
    let token = access_token(&sandbox).await;
    let t = &token;
    let s = &sandbox;
    assert_eq!(
        count(
            s,
            t,
            "{ units(input: {filter: {hasListing: true}}) { id } }",
            "units"
        )
        .await,
        6
    );
    assert_eq!(
        count(
            s,
            t,
            "{ units(input: {filter: {hasListing: false}}) { id } }",
            "units"
        )
        .await,
        18
    );
    assert_eq!(
        count(
            s,
            t,
            r#"{ units(input: {filter: {fullSearch: "hafenweg"}}) { id } }"#,
            "units"
        )
        .await,
        6
    );
    assert_eq!(
        count(
            s,
            t,
            r#"{ units(input: {filter: {externalId: "U-203"}}) { id } }"#,
            "units"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            s,
            t,
            "{ listings(input: {filter: {isActive: true}}) { id } }",
            "listings"
        )
        .await,
        4
    );
    assert_eq!(
        count(
            s,
            t,
            "{ listings(input: {filter: {isArchived: true}}) { id } }",
            "listings"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            s,
            t,
            r#"{ contracts(input: {filter: {status: "SIGNED"}}) { id } }"#,
            "contracts"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            s,
            t,
            "{ owners(input: {paging: {skip: 0, take: 50}}) { id } }",
            "owners"
        )
        .await,
        3
    );
    assert_eq!(count(s, t, "{ tenants { id } }", "tenants").await, 13);

    let body = graphql(
        s,
        t,
        "{ properties(input: {filter: {externalId: \"PROP-001\"}}) { id } }",
        json!({}),
    )
    .await;
    let property = body["data"]["properties"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let units = graphql(
        s,
        t,
        "query ($p: String) { units(input: {filter: {propertyId: $p}}) { propertyId } }",
        json!({"p": property}),
    )
    .await;
    let rows = units["data"]["units"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r["propertyId"] == property.as_str()));
    let contracts = graphql(
        s,
        t,
        "query ($p: String) { contracts(input: {filter: {propertyId: $p}}) { units { propertyId } } }",
        json!({"p": property}),
    )
    .await;
    let contracts = contracts["data"]["contracts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!contracts.is_empty());
    assert!(
        contracts
            .iter()
            .all(|c| c["units"][0]["propertyId"] == property.as_str())
    );

    let listing = graphql(
        s,
        t,
        "{ listings(input: {paging: {take: 1}}) { id } }",
        json!({}),
    )
    .await;
    let listing_id = listing["data"]["listings"][0]["id"].clone();
    let candidates = graphql(
        s,
        t,
        "query ($l: String) { candidates(input: {filter: {listingId: $l}}) { listingId listing { id } applications { applicationData { email } } } }",
        json!({"l": listing_id}),
    )
    .await;
    let rows = candidates["data"]["candidates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["listing"]["id"], listing_id);
}

#[tokio::test]
async fn upserts_create_then_update_by_external_id() {
    let sandbox = start().await;
    let token = access_token(&sandbox).await;
    let t = &token;
    let s = &sandbox;
    let owner = r#"mutation ($last: String!) { upsertOwner(owner: {meta: {source: "ACME_ERP"},
        externalOwnerId: "91001+002242", firstName: "Ivana", lastName: $last, email: "ivana@acme.example",
        address: {streetName: "Villenallee", streetNumber: "21", zipCode: "40211", city: "Düsseldorf", country: "DE"}})
        { id externalId lastName fullName address { city } } }"#;
    let first = graphql(s, t, owner, json!({"last": "Maric"})).await;
    let second = graphql(s, t, owner, json!({"last": "Horvat"})).await;
    assert_eq!(
        first["data"]["upsertOwner"]["id"],
        second["data"]["upsertOwner"]["id"]
    );
    assert_eq!(second["data"]["upsertOwner"]["fullName"], "Ivana Horvat");
    assert_eq!(
        second["data"]["upsertOwner"]["address"],
        json!({"city": "Düsseldorf"})
    );
    assert_eq!(count(s, t, "{ owners { id } }", "owners").await, 4);

    let property = graphql(
        s,
        t,
        r#"mutation { upsertProperty(property: {meta: {source: "ACME_ERP"}, externalPropertyId: "P-77",
            name: "Neubau Nord", type: BUILDING, subtype: "BUILDING", category: RESIDENTIAL,
            ownershipType: INDIVIDUAL, externalOwnerId: "91001+002242",
            address: {streetName: "Nordstraße", streetNumber: "1", zipCode: "40477", city: "Düsseldorf",
                      country: "DE", location: {lat: 51.24, lng: 6.79}}})
          { id externalId fullAddress owner { externalId } } }"#,
        json!({}),
    )
    .await;
    assert!(property.get("errors").is_none(), "{property}");
    let created = &property["data"]["upsertProperty"];
    assert_eq!(created["fullAddress"], "Nordstraße 1, 40477 Düsseldorf");
    assert_eq!(created["owner"]["externalId"], "91001+002242");

    let unit = graphql(s, t, UPSERT_UNIT, unit_input("U-77-1", "Loft")).await;
    let id = unit["data"]["upsertUnit"]["id"].clone();
    assert_eq!(
        unit["data"]["upsertUnit"]["property"]["externalId"],
        "PROP-002"
    );
    assert_eq!(count(s, t, "{ units { id } }", "units").await, 25);
    let renamed = graphql(s, t, UPSERT_UNIT, unit_input("U-77-1", "Loft West")).await;
    assert_eq!(
        renamed["data"]["upsertUnit"]["id"], id,
        "same external id, same unit"
    );
    assert_eq!(renamed["data"]["upsertUnit"]["name"], "Loft West");
    assert_eq!(count(s, t, "{ units { id } }", "units").await, 25);

    let tenant = graphql(
        s,
        t,
        r#"mutation { upsertTenant(tenant: {meta: {source: "ACME_ERP"}, externalTenantId: "T-1001",
            externalUnitId: "U-77-1", firstName: "Max", lastName: "Mustermann", coldRent: "850.00",
            totalRent: "1120.00", contractStartDate: "01.05.2024"})
          { externalId contractStartDate coldRent unit { externalId leasingStatusCurrentlyLeased } } }"#,
        json!({}),
    )
    .await;
    assert!(tenant.get("errors").is_none(), "{tenant}");
    let tenant = &tenant["data"]["upsertTenant"];
    assert_eq!(
        tenant["contractStartDate"], "2024-05-01",
        "DD.MM.YYYY is read"
    );
    assert_eq!(tenant["coldRent"], "850.00");
    assert_eq!(
        tenant["unit"]["leasingStatusCurrentlyLeased"], true,
        "a started contract leases the unit"
    );

    let deleted = graphql(
        s,
        t,
        r#"mutation { deleteUnit(externalId: "U-77-1") }"#,
        json!({}),
    )
    .await;
    assert_eq!(deleted["data"]["deleteUnit"], true);
    assert_eq!(
        count(
            s,
            t,
            r#"{ units(input: {filter: {externalId: "U-77-1"}}) { id } }"#,
            "units"
        )
        .await,
        0
    );
    assert_eq!(
        count(s, t, "{ units { id } }", "units").await,
        25,
        "detached, not removed"
    );
    let again = graphql(
        s,
        t,
        r#"mutation { deleteUnit(externalId: "U-77-1") }"#,
        json!({}),
    )
    .await;
    assert_eq!(again["data"]["deleteUnit"], false);
}

#[tokio::test]
async fn graphql_errors_have_the_standard_shape_and_change_nothing() {
    let sandbox = start().await;
    let token = access_token(&sandbox).await;
    let s = &sandbox;
    let t = &token;
    let no_source = graphql(
        s,
        t,
        r#"mutation { a: upsertUnit(unit: {meta: {source: "X"}, externalUnitId: "U-1", externalPropertyId: "PROP-001",
             category: "RESIDENTIAL", type: "APARTMENT", subtype: "NO_INFORMATION", mainStorage: true,
             floorNo: 1, financingType: PRIVATELY_FINANCED}) { id }
           b: upsertOwner(owner: {meta: {}, externalOwnerId: "O", firstName: "A", lastName: "B", email: "e"}) { id } }"#,
        json!({}),
    )
    .await;
    assert_eq!(no_source["data"], Value::Null);
    assert_eq!(code(&no_source), "BAD_USER_INPUT");
    assert_eq!(no_source["errors"][0]["path"], json!(["b"]));
    assert!(
        no_source["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("source")
    );
    assert_eq!(
        count(s, t, "{ units { id } }", "units").await,
        24,
        "the valid mutation did not run"
    );

    let cases: [(&str, Value, &str); 9] = [
        (
            "{ units { id nope } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("{ units { id ", json!({}), "GRAPHQL_PARSE_FAILED"),
        (
            "{ buildings { id } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "{ units { property } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "{ units { name { x } } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "{ units(page: 1) { id } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "query ($n: Int!) { units(input: {paging: {take: $n}}) { id } }",
            json!({}),
            "BAD_USER_INPUT",
        ),
        (
            "query ($n: Int!) { units(input: {paging: {take: $n}}) { id } }",
            json!({"n": "five"}),
            "BAD_USER_INPUT",
        ),
        (
            "{ units(input: {filter: {color: \"red\"}}) { id } }",
            json!({}),
            "BAD_USER_INPUT",
        ),
    ];
    for (query, variables, expected) in cases {
        let body = graphql(s, t, query, variables).await;
        assert_eq!(body["data"], Value::Null, "{query}: {body}");
        assert_eq!(code(&body), expected, "{query}: {body}");
        assert!(body["errors"][0]["message"].is_string());
    }
    let mut dangling = unit_input("U-1", "Nowhere");
    dangling["unit"]["externalPropertyId"] = json!("PROP-404");
    let dangling = graphql(s, t, UPSERT_UNIT, dangling).await;
    assert_eq!(
        dangling["data"],
        json!({"upsertUnit": null}),
        "a field error nulls the field"
    );
    assert_eq!(code(&dangling), "BAD_USER_INPUT");
    assert_eq!(dangling["errors"][0]["path"], json!(["upsertUnit"]));
    assert_eq!(count(s, t, "{ units { id } }", "units").await, 24);

    let unknown = graphql(s, t, "{ units { nope } }", json!({})).await;
    assert_eq!(unknown["errors"][0]["path"], json!(["units", "nope"]));
    assert_eq!(unknown["errors"][0]["locations"][0]["line"], 1);

    let response = http()
        .post(format!("{}/api/reporting/graphql", s.everreal_url()))
        .bearer_auth(t)
        .json(&json!({"query": "query A { units { id } } query B { owners { id } }", "operationName": "C"}))
        .send()
        .await
        .expect("request");
    let (status, body, _) = read(response).await;
    assert_eq!((status, code(&body)), (200, "OPERATION_RESOLUTION_FAILURE"));
    let response = http()
        .post(format!("{}/api/reporting/graphql", s.everreal_url()))
        .bearer_auth(t)
        .json(&json!({"query": "query A { units { id } } query B { owners { id } }", "operationName": "B"}))
        .send()
        .await
        .expect("request");
    let (_, body, _) = read(response).await;
    assert_eq!(body["data"]["owners"].as_array().map(Vec::len), Some(3));
    let response = http()
        .post(format!("{}/api/reporting/graphql", s.everreal_url()))
        .bearer_auth(t)
        .json(&json!({"variables": {}}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 400, "no query at all");
}

#[tokio::test]
async fn every_answer_carries_the_rate_limit_and_the_budget_ends_in_429() {
    let sandbox = builder()
        .everreal_rate_limit(3)
        .start()
        .await
        .expect("starts");
    let token = access_token(&sandbox).await;
    let header = |h: &HeaderMap, name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
    };
    let mut remaining = Vec::new();
    for _ in 0..2 {
        let (status, _, headers) = get(&sandbox, &token, "/accounts/api/userinfo").await;
        assert_eq!(status, 200);
        assert_eq!(header(&headers, "x-ratelimit-limit"), Some(3));
        assert!(header(&headers, "x-ratelimit-reset").is_some_and(|s| (1..=60).contains(&s)));
        remaining.push(header(&headers, "x-ratelimit-remaining"));
    }
    assert_eq!(
        remaining,
        [Some(1), Some(0)],
        "the token request counted too"
    );
    let (status, body, headers) = get(&sandbox, &token, "/accounts/api/userinfo").await;
    assert_eq!(status, 429);
    assert_eq!(body["statusCode"], 429);
    assert_eq!(header(&headers, "x-ratelimit-remaining"), Some(0));
    assert!(header(&headers, "x-ratelimit-reset").is_some_and(|s| s >= 1));
    let refused_graphql = http()
        .post(format!("{}/api/reporting/graphql", sandbox.everreal_url()))
        .bearer_auth(&token)
        .json(&json!({"query": "{ units { id } }"}))
        .send()
        .await
        .expect("request");
    assert_eq!(refused_graphql.status(), 429);

    sandbox.clock().advance(Duration::from_secs(60));
    let (status, _, headers) = get(&sandbox, &token, "/accounts/api/userinfo").await;
    assert_eq!(status, 200, "a new window");
    assert_eq!(header(&headers, "x-ratelimit-remaining"), Some(2));
    let (_, window) = admin(&sandbox, Method::DELETE, "/everreal/rate-limit", None).await;
    assert_eq!(window["remaining"], 3);
}

#[tokio::test]
async fn the_fault_knobs_and_counters_apply_to_everreal() {
    let sandbox = start().await;
    let token = access_token(&sandbox).await;
    let mut faults = sandbox.everreal().faults();
    faults.fail_api = Some(ForcedFailure::new(503, 1).retry_after(2));
    sandbox.everreal().set_faults(faults).expect("valid");
    let (status, body, headers) = get(&sandbox, &token, "/accounts/api/users/me").await;
    assert_eq!((status, body["code"].as_str()), (503, Some("server_error")));
    assert_eq!(headers["retry-after"], "2");
    assert_eq!(get(&sandbox, &token, "/accounts/api/users/me").await.0, 200);

    let (status, _) = admin(
        &sandbox,
        Method::PUT,
        "/everreal/faults",
        Some(json!({"refuse_tokens": true})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body, _) = token_json(&sandbox, password_body(&sandbox, None)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("invalid_grant"))
    );
    admin(&sandbox, Method::DELETE, "/everreal/faults", None).await;

    let (status, body) = admin(
        &sandbox,
        Method::PUT,
        "/everreal/faults",
        Some(json!({"extra_fields": true})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, me, _) = get(&sandbox, &token, "/accounts/api/users/me").await;
    assert!(
        me["currentCompany"]["partner"]
            .get(sdk_sandbox::EXTRA_FIELD)
            .is_some()
    );

    let (status, stats) = admin(&sandbox, Method::GET, "/everreal/stats", None).await;
    assert_eq!(status, 200);
    assert_eq!(stats["token_requests"], 2);
    assert_eq!(stats["tokens_issued"], 1);
    assert_eq!(stats["api_requests"], 3);
}

#[tokio::test]
async fn the_environment_and_the_admin_overview_describe_everreal() {
    let sandbox = start().await;
    let env = sandbox.everreal_env();
    let names: Vec<&str> = env.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "EVERREAL_BASE_URL",
            "EVERREAL_USERNAME",
            "EVERREAL_PASSWORD",
            "EVERREAL_CLIENT_ID",
            "EVERREAL_CLIENT_SECRET",
            "EVERREAL_REDIRECT_URI",
        ]
    );
    assert_eq!(env[0].1, sandbox.everreal_url());
    assert_eq!(env[5].1, sandbox.everreal_redirect_uri());
    let (_, overview) = admin(&sandbox, Method::GET, "", None).await;
    let everreal = &overview["vendors"]["everreal"];
    assert_eq!(everreal["url"], sandbox.everreal_url());
    assert_eq!(everreal["subdomain"], "acme");
    assert_eq!(everreal["records"]["units"], 24);
    assert!(
        sdk_sandbox::Sandbox::builder()
            .everreal_rate_limit(0)
            .start()
            .await
            .is_err()
    );
    assert!(
        sdk_sandbox::Sandbox::builder()
            .everreal_subdomain("Not A Subdomain")
            .start()
            .await
            .is_err()
    );
}
