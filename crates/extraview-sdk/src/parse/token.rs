//! The answer of `get_token`, in either of its forms.

use chrono::{DateTime, FixedOffset};
use sdk_auth::SecretString;

use super::{ParseError, body_text};
use crate::AccessToken;

/// The parts of a token answer, by key.
#[derive(Default)]
struct Parts {
    value: Option<String>,
    token_type: Option<String>,
    lifetime: Option<String>,
    expiration: Option<String>,
    scope: Option<String>,
}

/// Reads the answer of `get_token`, whichever form it has (the form is read from the body,
/// whatever `ev_send_xml` asked for):
///
/// * plain text, one `Key:Value` a line (CRLF or LF), split at the **first** colon only (the
///   expiry holds colons), keys in any case, `Expiration Date` with its space;
/// * XML, read leniently: the documented sample is not well-formed (`<Expiration Date>` is
///   closed by `</lifetime>`) and pads values with spaces, so each value is the text after
///   its opening tag, trimmed, up to the next tag.
///
/// A `Lifetime` that is not a whole number of seconds is ignored (the expiry may still say
/// when the token ends); an expiry in another format is kept as text only.
///
/// # Errors
/// No token in the answer, or an empty one. The error never quotes the body.
///
/// ```
/// let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
/// <access_token>
///   <value> ayBNhHc </value>
///   <type> Bearer </type>
///   <lifetime> 3600 </lifetime>
///   <Expiration Date> 2020-07-02 18:39:48.818 -0700 </lifetime>
///   <scope> read write </scope>
/// </access_token>"#;
/// let token = extraview_sdk::parse::token(xml)?;
/// assert_eq!(token.lifetime, Some(3600));
/// assert_eq!(token.expiration.as_deref(), Some("2020-07-02 18:39:48.818 -0700"));
/// assert_eq!(token.expires_at.map(|t| t.timestamp()), Some(1593740388));
/// assert_eq!(token.scope.as_deref(), Some("read write"));
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
pub fn token(body: &[u8]) -> Result<AccessToken, ParseError> {
    let text = body_text(body);
    let text = text.trim_start();
    let parts = if text.starts_with('<') {
        xml_parts(text)
    } else {
        text_parts(text)
    };
    let value = parts.value.filter(|v| !v.is_empty()).ok_or_else(|| {
        ParseError::new(format!(
            "no token in the answer ({} bytes; a `Token:` line or a `<value>` element expected)",
            body.len()
        ))
    })?;
    if value.chars().any(char::is_control) {
        return Err(ParseError::new("the token holds control characters"));
    }
    let expires_at = parts.expiration.as_deref().and_then(parse_expiration);
    Ok(AccessToken {
        value: SecretString::from(value),
        token_type: parts.token_type.filter(|v| !v.is_empty()),
        lifetime: parts.lifetime.and_then(|l| l.parse().ok()),
        expiration: parts.expiration.filter(|v| !v.is_empty()),
        expires_at,
        scope: parts.scope.filter(|v| !v.is_empty()),
    })
}

/// Whether `body` has any key of a token answer: a body that does, but yields no token, is a
/// broken token answer rather than a refusal.
pub(crate) fn looks_like_token_answer(body: &[u8]) -> bool {
    let text = body_text(body);
    let parts = if text.trim_start().starts_with('<') {
        xml_parts(&text)
    } else {
        text_parts(&text)
    };
    parts.value.is_some()
        || parts.token_type.is_some()
        || parts.lifetime.is_some()
        || parts.expiration.is_some()
}

/// The documented format, `2020-07-02 18:39:48.818 -0700`, with or without the fraction, or
/// RFC 3339.
fn parse_expiration(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    ["%Y-%m-%d %H:%M:%S%.f %z", "%Y-%m-%d %H:%M:%S %z"]
        .iter()
        .find_map(|format| DateTime::parse_from_str(text, format).ok())
        .or_else(|| DateTime::parse_from_rfc3339(text).ok())
}

/// Which part a key names: lower case, `_` as a space, spaces collapsed.
fn slot<'a>(parts: &'a mut Parts, key: &str) -> Option<&'a mut Option<String>> {
    let key = key
        .replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    match key.as_str() {
        "token" | "access token" | "value" => Some(&mut parts.value),
        "type" | "token type" => Some(&mut parts.token_type),
        "lifetime" | "expires in" => Some(&mut parts.lifetime),
        "expiration date" | "expiration" | "expirationdate" | "expires" => {
            Some(&mut parts.expiration)
        }
        "scope" => Some(&mut parts.scope),
        _ => None,
    }
}

fn text_parts(text: &str) -> Parts {
    let mut parts = Parts::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if let Some(slot) = slot(&mut parts, key)
            && slot.is_none()
        {
            *slot = Some(value.trim().to_owned());
        }
    }
    parts
}

/// Where an element's text goes.
type Slot = fn(&mut Parts) -> &mut Option<String>;

/// Each known element's text, found by its opening tag alone: closing tags are not trusted.
fn xml_parts(text: &str) -> Parts {
    // ASCII lower case keeps every byte offset, so positions found in `lower` hold in `text`.
    let lower = text.to_ascii_lowercase();
    let mut parts = Parts::default();
    let elements: [(&[&str], Slot); 5] = [
        (&["value", "token"], |p| &mut p.value),
        (&["type", "token_type"], |p| &mut p.token_type),
        (&["lifetime", "expires_in"], |p| &mut p.lifetime),
        (
            &[
                "expiration date",
                "expiration_date",
                "expirationdate",
                "expiration",
            ],
            |p| &mut p.expiration,
        ),
        (&["scope"], |p| &mut p.scope),
    ];
    for (names, field) in elements {
        if let Some(value) = names
            .iter()
            .find_map(|name| element_text(text, &lower, name))
        {
            *field(&mut parts) = Some(value);
        }
    }
    parts
}

/// The trimmed text after the first opening tag `<name ...>` with some text, up to the next
/// `<` (or the end of a CDATA section).
fn element_text(text: &str, lower: &str, name: &str) -> Option<String> {
    let needle = format!("<{name}");
    let mut from = 0;
    while let Some(found) = lower.get(from..)?.find(&needle) {
        let after = from + found + needle.len();
        from = after;
        // `<token_type>` must not match `<token`: the name ends at `>`, a space or `/`.
        match lower.as_bytes().get(after) {
            Some(b'>' | b' ' | b'\t' | b'\r' | b'\n') => {}
            _ => continue,
        }
        let open_end = after + lower.get(after..)?.find('>')?;
        if lower.as_bytes().get(open_end.wrapping_sub(1)) == Some(&b'/') {
            continue;
        }
        let content = text.get(open_end + 1..)?;
        let trimmed = content.trim_start();
        let value = if let Some(cdata) = trimmed.strip_prefix("<![CDATA[") {
            cdata.split("]]>").next().unwrap_or_default().to_owned()
        } else {
            let end = content.find('<').unwrap_or(content.len());
            unescape(content.get(..end).unwrap_or_default())
        };
        let value = value.trim();
        if !value.is_empty() {
            return Some(value.to_owned());
        }
    }
    None
}

/// The five predefined entities; anything else is left as it is.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sdk_auth::ExposeSecret as _;

    #[test]
    fn plain_text_splits_at_the_first_colon() {
        let token = token(
            b"Token:x3o4xNX8xYm4gRE5YrtLPq3Bybtav9Xao8VBI1oPtz8\r\nType:Bearer\r\nLifetime:3600\r\nExpiration Date:2020-07-02 18:39:48.818 -0700\r\nScope:read write\r\n",
        )
        .expect("parses");
        assert_eq!(
            token.value.expose_secret(),
            "x3o4xNX8xYm4gRE5YrtLPq3Bybtav9Xao8VBI1oPtz8"
        );
        assert_eq!(token.token_type.as_deref(), Some("Bearer"));
        assert_eq!(
            token.expiration.as_deref(),
            Some("2020-07-02 18:39:48.818 -0700")
        );
        assert_eq!(
            token.expires_at.map(|t| t.to_rfc3339()),
            Some("2020-07-02T18:39:48.818-07:00".to_owned())
        );
        assert_eq!(token.scope.as_deref(), Some("read write"));
    }

    #[test]
    fn keys_in_any_case_and_lf_only() {
        let token =
            token(b"TOKEN: abc \nLIFETIME: 60\nexpiration_date: 2020-07-02 18:39:48 +0000\n")
                .expect("parses");
        assert_eq!(token.value.expose_secret(), "abc");
        assert_eq!(token.lifetime, Some(60));
        assert!(token.expires_at.is_some());
    }

    #[test]
    fn a_bad_lifetime_or_expiry_is_dropped_not_fatal() {
        let token = token(b"Token:abc\nLifetime:soon\nExpiration Date:tomorrow\n").expect("parses");
        assert_eq!(token.lifetime, None);
        assert_eq!(token.expiration.as_deref(), Some("tomorrow"));
        assert_eq!(token.expires_at, None);
    }

    #[test]
    fn xml_value_must_not_match_token_type() {
        let token = token(
            b"<access_token><token_type>Bearer</token_type><token>abc</token></access_token>",
        )
        .expect("parses");
        assert_eq!(token.value.expose_secret(), "abc");
        assert_eq!(token.token_type.as_deref(), Some("Bearer"));
        let cdata = super::token(b"<access_token><value><![CDATA[ x<y ]]></value></access_token>")
            .expect("parses");
        assert_eq!(cdata.value.expose_secret(), "x<y");
    }

    #[test]
    fn no_token_is_an_error_that_quotes_nothing() {
        for body in [
            &b"Invalid sign on for user secret-user"[..],
            b"Type:Bearer\nLifetime:3600\n",
            b"<access_token><value>   </value></access_token>",
            b"",
        ] {
            let err = token(body).expect_err("no token");
            assert!(!err.detail().contains("secret-user"), "{err}");
        }
        assert!(looks_like_token_answer(b"Type:Bearer\n"));
        assert!(!looks_like_token_answer(b"Invalid sign on"));
    }
}
