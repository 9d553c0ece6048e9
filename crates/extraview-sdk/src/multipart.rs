//! The `multipart/form-data` body of `add_attachment`, built in memory.
//!
//! reqwest's own multipart form streams its body, and a streamed body cannot be copied: the
//! request layer could then not resend an upload after ExtraView refused an expired token. A
//! body of bytes can be resent, and the format is a few lines.

use bytes::Bytes;

use crate::Error;

/// One part: its name, an optional file name, and its content.
pub(crate) struct Part<'a> {
    pub(crate) name: &'a str,
    pub(crate) file_name: Option<&'a str>,
    pub(crate) content: &'a [u8],
}

/// The `Content-Type` header (with the boundary) and the body.
pub(crate) fn form(parts: &[Part<'_>]) -> Result<(String, Bytes), Error> {
    let boundary = (0..8)
        .map(|_| {
            let suffix: String = std::iter::repeat_with(fastrand::alphanumeric)
                .take(32)
                .collect();
            format!("extraview-sdk-{suffix}")
        })
        .find(|b| {
            parts
                .iter()
                .all(|p| !contains(p.content, b.as_bytes()) && !p.name.contains(b.as_str()))
        })
        .ok_or_else(|| Error::invalid("the upload holds every boundary tried"))?;
    let mut body = Vec::with_capacity(parts.iter().map(|p| p.content.len() + 200).sum());
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let disposition = match part.file_name {
            Some(file) => format!(
                "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n",
                part.name,
                quoted(file)
            ),
            None => format!("Content-Disposition: form-data; name=\"{}\"\r\n", part.name),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(part.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok((
        format!("multipart/form-data; boundary={boundary}"),
        Bytes::from(body),
    ))
}

/// A file name inside a quoted header parameter, as browsers write it: `"` as `%22`.
fn quoted(name: &str) -> String {
    name.replace('"', "%22")
}

/// Checks a file name before it goes into a header: not empty, no control characters (a line
/// break would end the header).
pub(crate) fn check_file_name(name: &str) -> Result<&str, Error> {
    if name.trim().is_empty() {
        return Err(Error::invalid("the file name is empty"));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid("the file name holds control characters"));
    }
    Ok(name)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_framed_by_the_boundary() {
        let (content_type, body) = form(&[
            Part {
                name: "p_id",
                file_name: None,
                content: b"7",
            },
            Part {
                name: "file",
                file_name: Some("a\"b.txt"),
                content: b"hello",
            },
        ])
        .expect("form");
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .expect("boundary");
        let text = String::from_utf8(body.to_vec()).expect("utf-8");
        assert!(text.starts_with(&format!("--{boundary}\r\n")), "{text}");
        assert!(text.contains("name=\"p_id\"\r\n\r\n7\r\n"), "{text}");
        assert!(text.contains("filename=\"a%22b.txt\""), "{text}");
        assert!(text.ends_with(&format!("--{boundary}--\r\n")), "{text}");
    }

    #[test]
    fn file_names_that_break_headers_are_refused() {
        assert!(check_file_name("a\r\nX-Evil: 1").is_err());
        assert!(check_file_name(" ").is_err());
        assert!(check_file_name("report.pdf").is_ok());
    }
}
