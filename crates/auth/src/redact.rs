//! Redaction by value: the exact secrets a client holds, scrubbed from every text it shows.
//!
//! Shape rules (see [`crate::redacted_excerpt`]) catch credentials the client never held, such
//! as a token in someone else's error page, but they guess: an 8-character token without a
//! digit looks like a word. The client knows its own secrets exactly, so every error message,
//! excerpt and log line also goes through a [`Redactor`] holding those values.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use bytes::Bytes;
use secrecy::{ExposeSecret, SecretString};

use crate::excerpt::shape_excerpt;

/// What a scrubbed value is replaced with.
pub(crate) const REDACTED: &str = "[redacted]";

/// Values shorter than this are not scrubbed: a two-letter "secret" would blank every
/// occurrence of those letters and make messages unreadable, while protecting nothing.
const MIN_SECRET_LEN: usize = 4;

/// How many of the most recent tokens are remembered; older ones have long expired.
const RECENT_TOKENS: usize = 16;

/// The set of exact secret values a client holds; cheap to clone, clones share the set.
///
/// ```
/// use sdk_auth::{Redactor, SecretString};
/// let redactor = Redactor::default();
/// redactor.add(&SecretString::from("s3cr3t-solution-key"));
/// assert_eq!(redactor.scrub("key s3cr3t-solution-key refused"), "key [redacted] refused");
/// ```
#[derive(Clone, Default)]
pub struct Redactor {
    values: Arc<RwLock<Values>>,
}

#[derive(Default)]
struct Values {
    /// Credentials given by the user: secrets, passwords, keys. Kept for the client's life.
    fixed: Vec<SecretString>,
    /// Tokens issued by servers, newest last.
    tokens: VecDeque<SecretString>,
}

impl Redactor {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a credential (client secret, password, solution key, webhook secret).
    pub fn add(&self, secret: &SecretString) {
        if secret.expose_secret().len() < MIN_SECRET_LEN {
            return;
        }
        let mut values = self.values.write().unwrap_or_else(PoisonError::into_inner);
        if !values
            .fixed
            .iter()
            .any(|v| v.expose_secret() == secret.expose_secret())
        {
            values.fixed.push(secret.clone());
        }
    }

    /// Adds a token issued by a server; only the most recent ones are kept.
    pub(crate) fn add_token(&self, token: &SecretString) {
        if token.expose_secret().len() < MIN_SECRET_LEN {
            return;
        }
        let mut values = self.values.write().unwrap_or_else(PoisonError::into_inner);
        if values.tokens.len() == RECENT_TOKENS {
            values.tokens.pop_front();
        }
        values.tokens.push_back(token.clone());
    }

    /// `text` with every known secret, as it is and percent-encoded, replaced by
    /// `[redacted]`. Longer values go first, so a secret that contains another is not left
    /// half visible. An excerpt cut inside a secret (it ends in `…`) loses that start too.
    pub fn scrub(&self, text: &str) -> String {
        let values = self.values.read().unwrap_or_else(PoisonError::into_inner);
        let mut secrets: Vec<&str> = values
            .fixed
            .iter()
            .chain(values.tokens.iter())
            .map(|s| s.expose_secret())
            .collect();
        if secrets.is_empty() {
            return text.to_owned();
        }
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let mut out = text.to_owned();
        for &secret in &secrets {
            if out.contains(secret) {
                out = out.replace(secret, REDACTED);
            }
            // As a form or query value (a space is `+`) and as a path segment (`%20`).
            let form = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>();
            let path = form.replace('+', "%20");
            // Percent-encoding may use lower-case hex digits (`%2b`) as well; only text with a
            // `%` can hold such an escape, so the common case builds no lower-case copies.
            let lower = out
                .contains('%')
                .then(|| [lower_hex(&form), lower_hex(&path)]);
            for encoded in [form, path].into_iter().chain(lower.into_iter().flatten()) {
                if encoded != secret && out.contains(&encoded) {
                    out = out.replace(&encoded, REDACTED);
                }
            }
        }
        cut_fragment(out, &secrets)
    }

    /// `body` with every known secret replaced by `[redacted]`, as [`Redactor::scrub`] does,
    /// and also where the server JSON-escaped it (`\/`, `\u00e4`): the body a caller decodes
    /// from an error must not hand back what the text of the error hides. A body without a
    /// secret is returned as it came, byte for byte.
    pub(crate) fn scrub_body(&self, body: Bytes) -> Bytes {
        let text = String::from_utf8_lossy(&body);
        let mut scrubbed = self.scrub(&text);
        if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&scrubbed)
            && self.scrub_strings(&mut value)
        {
            scrubbed = value.to_string();
        }
        if scrubbed == text {
            body
        } else {
            Bytes::from(scrubbed)
        }
    }

    /// Scrubs every string (keys too) inside `value`; whether anything changed.
    fn scrub_strings(&self, value: &mut serde_json::Value) -> bool {
        use serde_json::Value;
        match value {
            Value::String(s) => {
                let clean = self.scrub(s);
                let changed = clean != *s;
                *s = clean;
                changed
            }
            Value::Array(items) => items
                .iter_mut()
                .fold(false, |changed, v| self.scrub_strings(v) | changed),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                let mut changed = false;
                for (key, mut v) in entries {
                    changed |= self.scrub_strings(&mut v);
                    let clean = self.scrub(&key);
                    changed |= clean != key;
                    map.insert(clean, v);
                }
                changed
            }
            _ => false,
        }
    }

    /// The start of `body` as text safe to show: known secrets scrubbed by value, then the
    /// shape rules of [`crate::redacted_excerpt`], cut to a few lines.
    pub fn excerpt(&self, body: &[u8]) -> String {
        let text = self.scrub(&String::from_utf8_lossy(body));
        // The shape rules re-encode a JSON body, which undoes its escapes (`\/`, `\u00e4`):
        // a secret the server escaped shows only now, so the result is scrubbed again.
        self.scrub(&shape_excerpt(&text))
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let values = self.values.read().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Redactor")
            .field("secrets", &values.fixed.len())
            .field("tokens", &values.tokens.len())
            .finish()
    }
}

/// `encoded` with the hex digits of its `%XX` escapes in lower case.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut digits = 0;
    for c in encoded.chars() {
        if digits > 0 {
            out.push(c.to_ascii_lowercase());
            digits -= 1;
        } else {
            if c == '%' {
                digits = 2;
            }
            out.push(c);
        }
    }
    out
}

/// The shortest start of a secret that [`cut_fragment`] removes: shorter tails are too common
/// to mean anything.
const MIN_FRAGMENT: usize = 6;

/// `text` without the start of a secret it ends in, when an excerpt was cut there (`…`): the
/// cut happens before the values are scrubbed, and would otherwise leave a fragment.
fn cut_fragment(text: String, secrets: &[&str]) -> String {
    let Some(kept) = text.strip_suffix('…') else {
        return text;
    };
    let longest = secrets
        .iter()
        .flat_map(|secret| {
            secret
                .char_indices()
                .map(|(i, _)| i)
                .skip(1)
                .filter(|&end| end >= MIN_FRAGMENT && kept.ends_with(&secret[..end]))
                .max()
        })
        .max();
    match longest {
        Some(end) => format!("{}{REDACTED}…", &kept[..kept.len() - end]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_case_percent_encoding_is_scrubbed_too() {
        let r = Redactor::new();
        r.add(&SecretString::from("pa+ss/wörd=1"));
        let echoed = "password=pa%2bss%2fw%c3%b6rd%3d1&x=1";
        assert_eq!(r.scrub(echoed), "password=[redacted]&x=1");
    }

    #[test]
    fn a_secret_cut_off_by_an_excerpt_leaves_no_fragment() {
        let r = Redactor::new();
        r.add(&SecretString::from("correcthorsebatterystaple"));
        // An excerpt ends in `…` where it was cut: here inside the password.
        let cut = format!("{} password correcthorse…", "x".repeat(40));
        let scrubbed = r.scrub(&cut);
        assert!(!scrubbed.contains("correcthorse"), "{scrubbed}");
        assert!(scrubbed.ends_with("password [redacted]…"), "{scrubbed}");
        // Text that only happens to end like a short start of a secret is left alone.
        assert_eq!(r.scrub("ends with cor…"), "ends with cor…");
        assert_eq!(r.scrub("no cut correcthorse"), "no cut correcthorse");
    }

    #[test]
    fn a_body_is_scrubbed_even_where_json_escaped_and_kept_when_clean() {
        let r = Redactor::new();
        r.add(&SecretString::from("ab/cd-sekret"));
        let body = Bytes::from_static(br#"{"m":"bad ab\/cd-sekret","ab/cd-sekret":1}"#);
        let scrubbed = r.scrub_body(body);
        let text = std::str::from_utf8(&scrubbed).expect("utf-8");
        assert!(!text.contains("sekret"), "{text}");
        let value: serde_json::Value = serde_json::from_str(text).expect("still JSON");
        assert_eq!(value["m"], "bad [redacted]");
        let clean = Bytes::from_static(b"{ \"spaced\" : 1 }");
        assert_eq!(
            r.scrub_body(clean.clone()),
            clean,
            "untouched byte for byte"
        );
    }

    #[test]
    fn scrubs_exact_and_encoded_values() {
        let r = Redactor::new();
        r.add(&SecretString::from("pa ss/word"));
        r.add_token(&SecretString::from("shorttok"));
        let text = "user=jane&password=pa+ss%2Fword token shorttok, raw pa ss/word";
        let out = r.scrub(text);
        assert!(
            !out.contains("shorttok") && !out.contains("pa ss/word"),
            "{out}"
        );
        assert!(!out.contains("pa+ss%2Fword"), "{out}");
        assert!(out.contains("user=jane"), "{out}");
    }

    #[test]
    fn a_secret_inside_another_is_not_left_half_visible() {
        let r = Redactor::new();
        r.add(&SecretString::from("abcd"));
        r.add(&SecretString::from("abcdefgh"));
        assert_eq!(r.scrub("x abcdefgh y"), "x [redacted] y");
    }

    #[test]
    fn only_recent_tokens_are_kept_and_tiny_values_ignored() {
        let r = Redactor::new();
        r.add(&SecretString::from("ab"));
        assert_eq!(r.scrub("ab"), "ab");
        for i in 0..(RECENT_TOKENS + 1) {
            r.add_token(&SecretString::from(format!("token-{i:02}")));
        }
        assert_eq!(r.scrub("token-00"), "token-00");
        assert_eq!(r.scrub("token-16"), REDACTED);
    }

    #[test]
    fn debug_shows_counts_only() {
        let r = Redactor::new();
        r.add(&SecretString::from("hunter2hunter2"));
        let shown = format!("{r:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
