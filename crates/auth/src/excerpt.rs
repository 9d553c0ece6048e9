//! Short, secret-free excerpts of response bodies for error messages.

/// Longest excerpt kept in an error message, in characters.
const MAX_CHARS: usize = 160;
/// A run of token-like characters at least this long is treated as a possible credential.
const SECRET_RUN: usize = 20;

/// Returns the start of `body` as text that is safe to show in errors and logs.
///
/// Values of JSON fields whose name suggests a credential (`token`, `secret`, `password`, `key`,
/// `authorization`) are replaced, and so is any long unbroken run of token-like characters
/// (JWTs, opaque tokens, API keys), so an excerpt never carries a credential even when the
/// body does. The result is cut to a few lines' worth of characters.
///
/// ```
/// let body = br#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl","expires_in":"soon"}"#;
/// let excerpt = sdk_auth::redacted_excerpt(body);
/// assert!(!excerpt.contains("eyJ"));
/// assert!(excerpt.contains("expires_in"));
/// ```
pub fn redacted_excerpt(body: &[u8]) -> String {
    shape_excerpt(&String::from_utf8_lossy(body))
}

/// The shape rules and the cut of [`redacted_excerpt`], on text.
pub(crate) fn shape_excerpt(text: &str) -> String {
    let redacted = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut value) => {
            redact_json(&mut value);
            value.to_string()
        }
        Err(_) => text.to_owned(),
    };
    let cleaned = redact_runs(&redacted);
    let mut out: String = cleaned
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_CHARS)
        .collect();
    if cleaned.chars().count() > MAX_CHARS {
        out.push('…');
    }
    out
}

fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "token",
        "secret",
        "password",
        "passwd",
        "key",
        "authorization",
        "credential",
    ]
    .iter()
    .any(|needle| name.contains(needle))
}

fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (name, field) in map.iter_mut() {
                if is_secret_name(name) && !field.is_null() {
                    *field = serde_json::Value::String("[redacted]".into());
                } else {
                    redact_json(field);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=')
}

/// Replaces every run of at least [`SECRET_RUN`] token-like characters that mixes letters and
/// digits; plain words and numbers stay readable.
fn redact_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let mixed =
            run.chars().any(|c| c.is_ascii_digit()) && run.chars().any(|c| c.is_ascii_alphabetic());
        if run.len() >= SECRET_RUN && mixed {
            out.push_str("[redacted]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if is_token_char(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_credential_fields_are_redacted() {
        let e = redacted_excerpt(
            br#"{"access_token":"short","refresh_token":"x","client_secret":"s3","n":1}"#,
        );
        assert!(!e.contains("short") && !e.contains("\"s3\""), "{e}");
        assert!(e.contains("\"n\":1"), "{e}");
    }

    #[test]
    fn long_token_like_runs_are_redacted_in_plain_text() {
        let e = redacted_excerpt(b"access_token=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA&expires=3600");
        assert!(!e.contains("Zm9vYmFy"), "{e}");
        assert!(e.contains("3600"), "{e}");
    }

    #[test]
    fn html_stays_readable_and_is_cut() {
        let page = format!(
            "<html><body><h1>502 Bad Gateway</h1>{}</body></html>",
            "x ".repeat(500)
        );
        let e = redacted_excerpt(page.as_bytes());
        assert!(e.starts_with("<html><body><h1>502 Bad Gateway</h1>"), "{e}");
        assert!(e.ends_with('…'));
        assert!(e.chars().count() <= MAX_CHARS + 1);
    }

    #[test]
    fn control_characters_do_not_break_log_lines() {
        assert_eq!(redacted_excerpt(b"a\nb\r\nc"), "a b  c");
    }
}
