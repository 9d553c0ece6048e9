//! Building a client: the host from the subdomain, and bad input refused with a clear error
//! before any request.

use everreal_sdk::{AuthError, Client, Error, HttpError, StaticToken};
use httpmock::MockServer;

fn with_credentials(builder: everreal_sdk::ClientBuilder) -> everreal_sdk::ClientBuilder {
    builder
        .credentials("acme-client", "client-secret")
        .user("api-user@acme.example", "user-password")
}

fn config_error(result: Result<Client, Error>) -> String {
    let err = result.expect_err("refused");
    assert!(
        matches!(
            &err,
            Error::Http(HttpError::Auth(AuthError::InvalidConfig(_)))
        ),
        "{err:?}"
    );
    err.to_string()
}

#[test]
fn the_host_comes_from_the_subdomain_and_domain() {
    let prod = with_credentials(Client::builder().subdomain("acme"))
        .build()
        .expect("client");
    assert_eq!(prod.base_url(), "https://acme.everreal.co");
    let staging = with_credentials(
        Client::builder()
            .subdomain("Acme")
            .domain("everreal-dev.co"),
    )
    .build()
    .expect("client");
    assert_eq!(staging.base_url(), "https://acme.everreal-dev.co");
    let sandbox = with_credentials(Client::builder().base_url("http://127.0.0.1:7303/"))
        .build()
        .expect("loopback http");
    assert_eq!(sandbox.base_url(), "http://127.0.0.1:7303");
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await;
    let cases: [(&str, everreal_sdk::ClientBuilder, &str); 12] = [
        ("empty subdomain", Client::builder().subdomain(""), "empty"),
        (
            "blank subdomain",
            Client::builder().subdomain("  "),
            "empty",
        ),
        ("slash", Client::builder().subdomain("acme/api"), "`/`"),
        (
            "scheme",
            Client::builder().subdomain("https://acme"),
            "scheme",
        ),
        (
            "dots",
            Client::builder().subdomain("acme.everreal.co"),
            "dots",
        ),
        (
            "space",
            Client::builder().subdomain("ac me"),
            "letters, digits",
        ),
        (
            "underscore",
            Client::builder().subdomain("acme_gmbh"),
            "letters, digits",
        ),
        (
            "domain with a scheme",
            Client::builder()
                .subdomain("acme")
                .domain("https://everreal.co"),
            "host name",
        ),
        ("no host", Client::builder(), "no host"),
        (
            "both hosts",
            Client::builder()
                .subdomain("acme")
                .base_url(server.base_url()),
            "not both",
        ),
        (
            "plain http",
            Client::builder().base_url("http://acme.everreal.co"),
            "https",
        ),
        (
            "a query",
            Client::builder().base_url("https://acme.everreal.co/?x=1"),
            "query",
        ),
    ];
    for (case, builder, says) in cases {
        let message = config_error(with_credentials(builder).build());
        assert!(message.contains(says), "{case}: {message}");
    }

    let missing = [
        (
            Client::builder().subdomain("acme").user("u", "p"),
            "credentials",
        ),
        (
            Client::builder()
                .subdomain("acme")
                .credentials("id", "secret"),
            "user",
        ),
        (
            with_credentials(Client::builder().subdomain("acme"))
                .token_source(StaticToken::new("t0ken-value").expect("token")),
            "only one",
        ),
    ];
    for (builder, says) in missing {
        let message = config_error(builder.build());
        assert!(message.contains(says), "{message}");
    }
    let empty_password = config_error(
        Client::builder()
            .subdomain("acme")
            .credentials("id", "secret")
            .user("u", "")
            .build(),
    );
    assert!(empty_password.contains("password"), "{empty_password}");
    any.assert_calls_async(0).await;
}

#[test]
fn from_lookup_reads_the_documented_variables() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    const ALL: &[(&str, &str)] = &[
        ("EVERREAL_SUBDOMAIN", "acme"),
        ("EVERREAL_USERNAME", "api-user@acme.example"),
        ("EVERREAL_PASSWORD", "user-password"),
        ("EVERREAL_CLIENT_ID", "acme-client"),
        ("EVERREAL_CLIENT_SECRET", "client-secret"),
    ];
    let client = Client::from_lookup(vars(ALL)).expect("client");
    assert_eq!(client.base_url(), "https://acme.everreal.co");

    const BASE_URL: &[(&str, &str)] = &[
        ("EVERREAL_BASE_URL", "http://127.0.0.1:7303"),
        ("EVERREAL_SUBDOMAIN", "ignored"),
        ("EVERREAL_USERNAME", "u"),
        ("EVERREAL_PASSWORD", "p-value"),
        ("EVERREAL_CLIENT_ID", "id"),
        ("EVERREAL_CLIENT_SECRET", "secret"),
    ];
    let client = Client::from_lookup(vars(BASE_URL)).expect("client");
    assert_eq!(client.base_url(), "http://127.0.0.1:7303");

    const NO_HOST: &[(&str, &str)] = &[("EVERREAL_USERNAME", "u")];
    let err = Client::from_lookup(vars(NO_HOST)).expect_err("no host");
    assert!(err.to_string().contains("EVERREAL_SUBDOMAIN"), "{err}");
    const NO_PASSWORD: &[(&str, &str)] = &[
        ("EVERREAL_SUBDOMAIN", "acme"),
        ("EVERREAL_USERNAME", "u"),
        ("EVERREAL_PASSWORD", " "),
        ("EVERREAL_CLIENT_ID", "id"),
        ("EVERREAL_CLIENT_SECRET", "secret"),
    ];
    let err = Client::from_lookup(vars(NO_PASSWORD)).expect_err("blank password");
    assert!(err.to_string().contains("EVERREAL_PASSWORD"), "{err}");
}
