//! Property tests: nothing a server sends can panic the client, lifetimes stay capped, and a
//! secret the client holds never survives redaction, wherever the input embeds it.

use std::time::{Duration, UNIX_EPOCH};

use proptest::prelude::*;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use sdk_auth::fetch::{TokenAnswer, rejection};
use sdk_auth::{
    AuthError, Classifier, ExposeSecret, MAX_LIFETIME, Outcome, RateLimitReset, Redactor,
    SecretString, Verdict, redacted_excerpt, retry_after,
};
use serde_json::{Value, json};

/// Modest, so the suite stays fast in debug builds. Failures are not saved to files next to
/// the sources: a case worth keeping becomes an example test below.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The marker the redactor writes; a "secret" that is part of it cannot be told apart.
const MARKER: &str = "[redacted]";

/// Field names a token answer or an error body may have, and some noise.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "access_token",
            "refresh_token",
            "expires_in",
            "token_type",
            "error",
            "error_description",
            "message",
            "data",
            "status",
        ])
        .prop_map(str::to_owned),
        1 => ".{0,12}",
    ]
}

/// Any f64 (NaN and infinities too) as JSON: a number when JSON has one, else a string.
fn float_value(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or_else(|| Value::String(f.to_string()), Value::Number)
}

/// Arbitrary JSON trees, biased towards the shapes of token answers.
fn json_tree() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::num::f64::ANY.prop_map(float_value),
        ".{0,24}".prop_map(Value::String),
        "[ -~]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn envelope() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("data".to_owned())),
        ".{0,8}".prop_map(Some),
    ]
}

/// The checks every parsed answer must pass.
fn check_answer(result: Result<TokenAnswer, AuthError>) -> Result<(), TestCaseError> {
    match result {
        Ok(answer) => {
            prop_assert!(
                answer.expires_in.is_none_or(|l| l <= MAX_LIFETIME),
                "{:?}",
                answer.expires_in
            );
            prop_assert!(!answer.access_token.expose_secret().trim().is_empty());
            // Turning it into a token never panics either.
            let _ = answer.into_token(Duration::from_secs(900));
        }
        Err(err) => {
            prop_assert!(
                matches!(
                    err,
                    AuthError::MalformedResponse { .. } | AuthError::Rejected { .. }
                ),
                "{err:?}"
            );
            let _ = format!("{err} {err:?}");
        }
    }
    Ok(())
}

/// What an `expires_in` value is, and what the answer must then say.
#[derive(Debug, Clone)]
enum Lifetime {
    /// A JSON number (any i64, u64 or finite f64), or a non-finite f64 as text.
    Number(Value),
    /// A string holding anything (numeric text included).
    Text(String),
    /// A raw JSON number literal, such as one out of the range of f64.
    Literal(String),
}

fn lifetime() -> impl Strategy<Value = Lifetime> {
    prop_oneof![
        any::<i64>().prop_map(|n| Lifetime::Number(n.into())),
        any::<u64>().prop_map(|n| Lifetime::Number(n.into())),
        prop::num::f64::ANY.prop_map(|f| Lifetime::Number(float_value(f))),
        prop::num::f64::ANY.prop_map(|f| Lifetime::Text(f.to_string())),
        any::<i64>().prop_map(|n| Lifetime::Text(format!(" {n} "))),
        ".{0,16}".prop_map(Lifetime::Text),
        prop::sample::select(vec![
            "1e400",
            "-1e400",
            "1e-400",
            "123456789012345678901234567890",
            "-0",
            "-0.0",
            "0.999999999999999999999",
            "31536000.5",
            "1E+308",
        ])
        .prop_map(|s| Lifetime::Literal(s.to_owned())),
    ]
}

/// The documented reading of `expires_in`: a number or numeric string, capped; negative or
/// non-numeric is malformed; missing, null or blank is unknown.
fn expected_lifetime(seconds: Option<f64>, blank: bool) -> Option<Option<Duration>> {
    if blank {
        return Some(None);
    }
    match seconds {
        Some(s) if s.is_finite() && s >= 0.0 => Some(Some(Duration::from_secs(
            s.min(MAX_LIFETIME.as_secs_f64()) as u64,
        ))),
        _ => None,
    }
}

/// Collapses a redacted secret's marker so that what is left can be searched.
fn without_marker(text: &str) -> String {
    text.replace(MARKER, "\u{1}")
}

/// How a careless server writes JSON: `/` as `\/` (PHP's default) and everything outside
/// ASCII as `\uXXXX` (Python's default).
fn escaped_like_a_server(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '/' => out.push_str("\\/"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn token_answer_parse_survives_any_bytes(
        status in any::<u16>(),
        body in prop::collection::vec(any::<u8>(), 0..512),
        envelope in envelope(),
    ) {
        check_answer(TokenAnswer::parse(status, &body, envelope.as_deref()))?;
    }

    #[test]
    fn token_answer_parse_survives_any_json(
        value in json_tree(),
        envelope in envelope(),
    ) {
        let body = serde_json::to_vec(&value).expect("encodes");
        check_answer(TokenAnswer::parse(200, &body, envelope.as_deref()))?;
        let wrapped = serde_json::to_vec(&json!({"data": value})).expect("encodes");
        check_answer(TokenAnswer::parse(200, &wrapped, Some("data")))?;
    }

    #[test]
    fn expires_in_of_any_kind_is_capped_or_refused(
        access in "[A-Za-z0-9._~+/=-]{1,40}",
        expires in lifetime(),
        enveloped in any::<bool>(),
    ) {
        let (literal, expected) = match &expires {
            Lifetime::Number(value) => {
                let literal = value.to_string();
                let expected = match value {
                    Value::Number(n) => expected_lifetime(n.as_f64(), false),
                    Value::String(s) => expected_lifetime(s.trim().parse().ok(), false),
                    other => unreachable!("{other}"),
                };
                (literal, expected)
            }
            Lifetime::Text(text) => (
                Value::String(text.clone()).to_string(),
                expected_lifetime(text.trim().parse().ok(), text.trim().is_empty()),
            ),
            // serde_json may round a literal differently from `str::parse`: only the cap is
            // checked for these.
            Lifetime::Literal(raw) => (raw.clone(), None),
        };
        let inner = format!(r#"{{"access_token":"{access}","expires_in":{literal}}}"#);
        let (body, envelope) = if enveloped {
            (format!(r#"{{"status":200,"data":{inner}}}"#), Some("data"))
        } else {
            (inner, None)
        };
        let result = TokenAnswer::parse(200, body.as_bytes(), envelope);
        match (&expires, &result) {
            (Lifetime::Literal(_), _) => {}
            (_, Ok(answer)) => {
                let Some(want) = expected else {
                    return Err(TestCaseError::fail(format!(
                        "{body} must be refused, got {:?}",
                        answer.expires_in
                    )));
                };
                match (want, answer.expires_in) {
                    // A JSON float may be read one unit off in its last place.
                    (Some(want), Some(got)) => prop_assert!(
                        want.as_secs().abs_diff(got.as_secs()) <= 1,
                        "{body}: want {want:?}, got {got:?}"
                    ),
                    (want, got) => prop_assert_eq!(want, got, "{}", body),
                }
            }
            (_, Err(err)) => {
                prop_assert!(expected.is_none(), "{body} must be accepted, got {err:?}");
                prop_assert!(matches!(err, AuthError::MalformedResponse { .. }), "{err:?}");
            }
        }
        if let Ok(answer) = &result {
            prop_assert_eq!(answer.access_token.expose_secret(), access.as_str());
        }
        check_answer(result)?;
    }

    #[test]
    fn retry_after_survives_any_header(
        text in prop_oneof![
            any::<u64>().prop_map(|n| n.to_string()),
            any::<u128>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            "[0-9]{1,60}",
            " {0,3}[0-9]{1,25} {0,3}",
            prop::num::f64::ANY.prop_map(|f| f.to_string()),
            (0u64..253_402_300_800)
                .prop_map(|s| httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(s))),
            "(Mon|Tue|Wed|Thu|Fri|Sat|Sun|Xyz), [0-9]{1,3} (Jan|Feb|Dec|Foo) [0-9]{1,6} [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2} (GMT|UTC)",
            ".{0,40}",
        ],
    ) {
        let Ok(value) = HeaderValue::from_str(&text) else {
            return Ok(());
        };
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, value);
        let parsed = retry_after(&headers);
        if let Ok(secs) = text.trim().parse::<u64>() {
            prop_assert_eq!(parsed, Some(Duration::from_secs(secs)));
        }
        if httpdate::parse_http_date(text.trim()).is_ok() {
            prop_assert!(parsed.is_some(), "a valid HTTP date: {text}");
        }
    }

    #[test]
    fn retry_after_survives_any_header_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        if let Ok(value) = HeaderValue::from_bytes(&bytes) {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, value);
            let _ = retry_after(&headers);
        }
    }

    #[test]
    fn rate_limit_reset_survives_any_header(
        text in prop_oneof![
            any::<u64>().prop_map(|n| n.to_string()),
            any::<u128>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            "[0-9]{1,60}(\\.[0-9]{0,20})?",
            prop::num::f64::ANY.prop_map(|f| f.to_string()),
            ".{0,40}",
        ],
        bytes in prop::collection::vec(any::<u8>(), 0..64),
        cap_ms in prop::option::of(any::<u64>()),
    ) {
        let mut rule = RateLimitReset::header("X-RateLimit-Reset");
        if let Some(ms) = cap_ms {
            rule = rule.max_wait(Duration::from_millis(ms));
        }
        let values = [HeaderValue::from_str(&text).ok(), HeaderValue::from_bytes(&bytes).ok()];
        for value in values.into_iter().flatten() {
            let mut headers = HeaderMap::new();
            headers.insert("x-ratelimit-reset", value);
            let outcome = Outcome::Response {
                status: StatusCode::TOO_MANY_REQUESTS,
                headers: &headers,
                body: None,
            };
            let verdict = rule.classify(&outcome, Verdict::Retry { after: None });
            let Verdict::Retry { after } = verdict else {
                panic!("a retry stays a retry: {verdict:?}");
            };
            if let (Some(after), Some(ms)) = (after, cap_ms) {
                prop_assert!(after <= Duration::from_millis(ms), "{after:?} over the cap");
            }
            let seconds = headers
                .get("x-ratelimit-reset")
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<u64>().ok());
            if let (Some(secs), None) = (seconds, cap_ms) {
                prop_assert_eq!(after, Some(Duration::from_secs(secs)));
            }
        }
    }

    #[test]
    fn rejection_matches_the_status_for_any_body(
        status in 300u16..600,
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..256),
            json_tree().prop_map(|v| serde_json::to_vec(&v).expect("encodes")),
        ],
        wait in prop::option::of(prop_oneof![
            any::<u64>().prop_map(|n| n.to_string()),
            "[0-9]{1,40}",
            ".{0,20}",
        ]),
    ) {
        let status = StatusCode::from_u16(status).expect("a status");
        let mut headers = HeaderMap::new();
        if let Some(value) = wait.and_then(|w| HeaderValue::from_str(&w).ok()) {
            headers.insert(RETRY_AFTER, value);
        }
        let err = rejection(status, &headers, &body);
        let code = status.as_u16();
        if status.is_server_error() || code == 408 || code == 429 {
            prop_assert!(err.is_unavailable(), "{code}: {err:?}");
        } else {
            prop_assert!(err.is_rejected(), "{code}: {err:?}");
        }
        prop_assert_eq!(err.status(), Some(code));
        let _ = format!("{err} {err:?}");
    }

    #[test]
    fn excerpts_of_any_bytes_are_short_and_single_line(
        body in prop::collection::vec(any::<u8>(), 0..1024),
    ) {
        let redactor = Redactor::new();
        redactor.add(&SecretString::from("some-client-secret"));
        for excerpt in [redacted_excerpt(&body), redactor.excerpt(&body)] {
            prop_assert!(excerpt.chars().count() <= 161, "{}", excerpt.chars().count());
            prop_assert!(!excerpt.chars().any(char::is_control), "{excerpt:?}");
        }
        let _ = redactor.scrub(&String::from_utf8_lossy(&body));
    }

    #[test]
    fn a_held_secret_never_survives_wherever_it_is_embedded(
        secret in "[A-Za-z0-9]{4,24}",
        before in ".{0,64}",
        after in ".{0,64}",
        copies in 1usize..4,
        as_json in any::<bool>(),
    ) {
        prop_assume!(!MARKER.contains(&secret));
        let redactor = Redactor::new();
        redactor.add(&SecretString::from(secret.as_str()));
        let mut text = before.clone();
        for _ in 0..copies {
            text.push_str(&secret);
            text.push_str(&after);
        }
        if as_json {
            text = json!({"message": text, "detail": [secret.clone()]}).to_string();
        }
        let scrubbed = redactor.scrub(&text);
        prop_assert!(!scrubbed.contains(&secret), "{scrubbed}");
        prop_assert!(scrubbed.contains(MARKER), "{scrubbed}");
        let excerpt = redactor.excerpt(text.as_bytes());
        prop_assert!(!without_marker(&excerpt).contains(&secret), "{excerpt}");
    }

    #[test]
    fn a_held_secret_never_survives_form_encoded(
        secret in "[A-Za-z0-9 /+&=%?#@:!$'(),;~._*-]{4,24}",
        before in "[ -~]{0,32}",
        after in "[ -~]{0,32}",
    ) {
        prop_assume!(!MARKER.contains(&secret) && !secret.contains(MARKER));
        let redactor = Redactor::new();
        redactor.add(&SecretString::from(secret.as_str()));
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        for text in [
            format!("{before}{encoded}{after}"),
            format!("{before}password={encoded}&user={after}"),
            format!("{before}{secret}{after}{encoded}"),
        ] {
            for shown in [redactor.scrub(&text), redactor.excerpt(text.as_bytes())] {
                let rest = without_marker(&shown);
                prop_assert!(!rest.contains(&secret), "{secret:?} in {shown}");
                prop_assert!(!rest.contains(&encoded), "{encoded:?} in {shown}");
            }
        }
    }

    #[test]
    fn a_held_secret_never_survives_json_escaping(
        secret in "[A-Za-z0-9/\u{e4}\u{f6}\u{fc}\u{df}\u{e9}\u{20ac}]{4,24}",
        before in "[ -~\u{e4}]{0,32}",
    ) {
        // Only escapes change the text: a secret with `/` or beyond ASCII.
        prop_assume!(secret.contains('/') || !secret.is_ascii());
        let redactor = Redactor::new();
        redactor.add(&SecretString::from(secret.as_str()));
        let body = format!(
            r#"{{"message":"{} {} rejected"}}"#,
            escaped_like_a_server(&before),
            escaped_like_a_server(&secret),
        );
        let excerpt = redactor.excerpt(body.as_bytes());
        prop_assert!(!without_marker(&excerpt).contains(&secret), "{secret:?} in {excerpt}");
    }
}

/// The case the property above found: the shape rules re-encode a JSON body, which undoes its
/// escapes, so a secret escaped by the server appeared only after the scrub by value.
#[test]
fn a_json_escaped_secret_is_scrubbed_after_decoding() {
    let redactor = Redactor::new();
    redactor.add(&SecretString::from("pa/ss-w\u{f6}rd"));
    for body in [
        r#"{"message":"password pa\/ss-w\u00f6rd is wrong"}"#,
        r#"{"message":"password pa/ss-w\u00f6rd is wrong"}"#,
        r#"{"errors":[{"detail":"p\u0061\/ss-w\u00f6rd"}]}"#,
    ] {
        let excerpt = redactor.excerpt(body.as_bytes());
        assert!(!excerpt.contains("pa/ss-w\u{f6}rd"), "{excerpt}");
        assert!(excerpt.contains(MARKER), "{excerpt}");
    }
}
