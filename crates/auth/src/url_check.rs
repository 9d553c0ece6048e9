//! Rejecting base URLs that would send credentials in clear text.

use url::{Host, Url};

use crate::AuthError;

/// Parses `raw` and checks it is safe to send credentials to: `https://`, or `http://` on a
/// loopback host (`localhost`, `127.0.0.0/8`, `::1`) for tests and local mocks, with no user
/// name, password, query or fragment. A trailing slash is removed so paths can be appended.
///
/// ```
/// assert!(sdk_auth::validate_base_url("https://api.example.com/").is_ok());
/// assert!(sdk_auth::validate_base_url("http://127.0.0.1:8080").is_ok());
/// assert!(sdk_auth::validate_base_url("http://api.example.com").is_err());
/// ```
///
/// # Errors
/// [`AuthError::InvalidConfig`] naming the problem; the URL's credentials or query are never
/// echoed.
pub fn validate_base_url(raw: &str) -> Result<String, AuthError> {
    let url = Url::parse(raw.trim())
        .map_err(|e| AuthError::InvalidConfig(format!("base URL is not a valid URL ({e})")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AuthError::InvalidConfig(
            "base URL must not contain a user name or password".into(),
        ));
    }
    // A query would swallow every operation path appended to the base, and could hold a
    // credential that `Debug` of the client would print; a fragment is never sent at all.
    if url.query().is_some() || url.fragment().is_some() {
        return Err(AuthError::InvalidConfig(
            "base URL must not contain a query (`?`) or a fragment (`#`)".into(),
        ));
    }
    let loopback = is_loopback(&url);
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(AuthError::InvalidConfig(format!(
                "base URL must use https:// (plain http:// is only allowed for loopback hosts), got http://{}",
                url.host_str().unwrap_or_default()
            )));
        }
        other => {
            return Err(AuthError::InvalidConfig(format!(
                "base URL must use https://, got scheme `{other}`"
            )));
        }
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Whether `url`'s host is a loopback host (`localhost`, `127.0.0.0/8`, `::1`), where plain
/// `http://` never leaves the machine.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_https_and_loopback_http() {
        assert_eq!(
            validate_base_url("https://api.example.com/").expect("ok"),
            "https://api.example.com"
        );
        assert_eq!(
            validate_base_url("https://api.example.com/v1/").expect("ok"),
            "https://api.example.com/v1"
        );
        for ok in [
            "http://localhost:1234",
            "http://127.0.0.1",
            "http://127.8.0.1:9",
            "http://[::1]:80",
        ] {
            assert!(validate_base_url(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_clear_text_and_garbage_without_echoing_secrets() {
        for bad in [
            "http://api.example.com",
            "ftp://x",
            "not a url",
            "",
            "https://user:pw@api.example.com",
            "https://api.example.com/?api_key=pw@",
            "https://api.example.com/v1#pw@",
            "https://api.example.com/v1?",
        ] {
            let err = validate_base_url(bad).expect_err(bad);
            assert!(matches!(err, AuthError::InvalidConfig(_)), "{bad}");
            assert!(!err.to_string().contains("pw@"), "{err}");
        }
    }
}
