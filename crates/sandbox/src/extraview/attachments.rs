//! Attachments: `add_attachment` (a multipart POST with `p_id`, `p_attach_desc` and `file`),
//! `list_attachment` and `get_attachment`.
//!
//! The multipart body is read here, by a small parser, rather than through a multipart crate:
//! the sandbox needs text fields and one file from well-behaved clients, nothing streamed.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};

use super::data::Attachment;
use super::{Call, MAX_ATTACHMENT, dates, text};
use crate::shared::query::Query;

/// The uploaded file of an `add_attachment` form.
#[derive(Debug)]
pub(crate) struct Upload {
    filename: String,
    content_type: Option<String>,
    data: Bytes,
}

/// What reading an `add_attachment` request gave: the file part, if any, or why the request
/// is not a multipart form.
pub(crate) type Form = Result<Option<Upload>, &'static str>;

/// Reads the multipart form of an `add_attachment` POST: its text fields are added to
/// `params`, the part named `file` is returned.
pub(crate) fn read_form(
    method: &Method,
    headers: &HeaderMap,
    body: &Bytes,
    params: &mut Query,
) -> Form {
    if method != Method::POST {
        return Err(text::NOT_MULTIPART);
    }
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(boundary)
        .ok_or(text::NOT_MULTIPART)?;
    let parts = parts(body, &boundary).ok_or(text::NOT_MULTIPART)?;
    let mut file = None;
    for part in parts {
        match part.filename {
            Some(filename) if part.name == "file" => {
                file.get_or_insert(Upload {
                    filename,
                    content_type: part.content_type,
                    data: part.data,
                });
            }
            Some(_) => {}
            None => params.push(part.name, String::from_utf8_lossy(&part.data)),
        }
    }
    Ok(file)
}

/// `add_attachment`: stores the file on the issue `p_id` names;
/// `Attachment # A added to Bug # N.`
pub(crate) fn add(call: &Call<'_>, form: Option<Form>) -> Result<Response, String> {
    if call.read_only() {
        return Err(text::denied("add attachments"));
    }
    let upload = form.unwrap_or(Err(text::NOT_MULTIPART))?;
    let id = call.required("p_id")?;
    let mut store = call.state.store();
    let issue = call.find(&store, id)?;
    let upload = upload
        .filter(|u| !u.filename.trim().is_empty())
        .ok_or(text::NO_FILE)?;
    if upload.data.len() > MAX_ATTACHMENT {
        return Err(text::TOO_LARGE.to_owned());
    }
    let attachment_id = store.next_attachment;
    store.next_attachment += 1;
    store.attachments.insert(
        attachment_id,
        Attachment {
            id: attachment_id,
            issue,
            at: call.now(),
            filename: upload.filename,
            data: upload.data.to_vec(),
            uploader: call.caller.login.clone(),
            description: call.param("p_attach_desc").map(str::to_owned),
            mime: upload
                .content_type
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
        },
    );
    Ok(text::message(format!(
        "Attachment # {attachment_id} added to {}{issue}.",
        call.state.id_prefix()
    )))
}

/// `list_attachment&id=N`: `No attachments`, or per file
/// `date<d>filename<d>size<d>uploader<d>attachment id<d>description|null<d>mime`.
pub(crate) fn list(call: &Call<'_>) -> Result<Response, String> {
    let id = call.required("id")?;
    let store = call.state.store();
    let issue = call.find(&store, id)?;
    let lines: Vec<String> = store
        .attachments
        .values()
        .filter(|a| a.issue == issue)
        .map(|a| {
            call.state.join(&[
                &dates::day(a.at),
                &a.filename,
                &a.data.len().to_string(),
                &a.uploader,
                &a.id.to_string(),
                a.description.as_deref().unwrap_or("null"),
                &a.mime,
            ])
        })
        .collect();
    if lines.is_empty() {
        return Ok(text::message(text::NO_ATTACHMENTS));
    }
    Ok(text::lines(lines))
}

/// `get_attachment&attachment_id=A`: the file's bytes with its MIME type.
pub(crate) fn get(call: &Call<'_>) -> Result<Response, String> {
    let id = call.required("attachment_id")?;
    let store = call.state.store();
    let attachment = id
        .parse::<u64>()
        .ok()
        .and_then(|n| store.attachments.get(&n))
        .ok_or_else(|| text::no_such_attachment(id))?;
    let mut response = attachment.data.clone().into_response();
    let headers = response.headers_mut();
    if let Ok(mime) = HeaderValue::from_str(&attachment.mime) {
        headers.insert(header::CONTENT_TYPE, mime);
    }
    let safe: String = attachment
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

/// The boundary of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<String> {
    let (mime, rest) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    rest.split(';')
        .find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| v.trim().trim_matches('"').to_owned())
        })
        .filter(|b| !b.is_empty())
}

/// One part of a multipart body.
#[derive(Debug)]
struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    data: Bytes,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The parts of a multipart body (RFC 7578); `None` when it is not one.
fn parts(body: &Bytes, boundary: &str) -> Option<Vec<Part>> {
    let delimiter = format!("--{boundary}").into_bytes();
    let next_delimiter = format!("\r\n--{boundary}").into_bytes();
    let mut pos = find(body, &delimiter, 0)? + delimiter.len();
    let mut parts = Vec::new();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Some(parts);
        }
        // Past the delimiter line (transport padding included).
        pos = find(body, b"\r\n", pos)? + 2;
        let (headers, start) = if body.get(pos..pos + 2) == Some(b"\r\n") {
            ("", pos + 2)
        } else {
            let end = find(body, b"\r\n\r\n", pos)?;
            (std::str::from_utf8(body.get(pos..end)?).ok()?, end + 4)
        };
        let end = find(body, &next_delimiter, start)?;
        let mut part = Part {
            name: String::new(),
            filename: None,
            content_type: None,
            data: body.slice(start..end),
        };
        for line in headers.split("\r\n") {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("content-type") {
                part.content_type = Some(value.trim().to_owned());
            } else if name.trim().eq_ignore_ascii_case("content-disposition") {
                for (key, v) in disposition_params(value) {
                    match key.as_str() {
                        "name" => part.name = v,
                        "filename" => part.filename = Some(v),
                        _ => {}
                    }
                }
            }
        }
        parts.push(part);
        pos = end + next_delimiter.len();
    }
}

/// The `key=value` parameters of a `Content-Disposition` value, keys in lower case, quoted
/// values unquoted (a `;` inside quotes stays in the value).
fn disposition_params(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    // The disposition type (`form-data`) comes first, up to the first `;`.
    for c in chars.by_ref() {
        if c == ';' {
            break;
        }
    }
    loop {
        let key: String = chars
            .by_ref()
            .take_while(|c| *c != '=')
            .collect::<String>()
            .trim()
            .to_ascii_lowercase();
        if key.is_empty() {
            return out;
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut v = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => v.extend(chars.next()),
                    '"' => break,
                    _ => v.push(c),
                }
            }
            for c in chars.by_ref() {
                if c == ';' {
                    break;
                }
            }
        } else {
            v = chars.by_ref().take_while(|c| *c != ';').collect();
            v = v.trim().to_owned();
        }
        out.push((key, v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_text_fields_and_a_file() {
        let body = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"p_id\"\r\n\r\n12301\r\n\
              --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b \\\"c\\\".bin\"\r\n\
              Content-Type: application/octet-stream\r\n\r\n\x00\r\n--X\r\n\
              --XyZ--\r\n",
        );
        let parts = parts(&body, "XyZ").unwrap_or_default();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "p_id");
        assert_eq!(&parts[0].data[..], b"12301");
        assert_eq!(parts[1].filename.as_deref(), Some("a;b \"c\".bin"));
        assert_eq!(&parts[1].data[..], b"\x00\r\n--X");
        assert_eq!(
            boundary("multipart/form-data; boundary=\"XyZ\"").as_deref(),
            Some("XyZ")
        );
        assert_eq!(boundary("text/plain; boundary=XyZ"), None);
        assert!(parts_of("--XyZ\r\nbroken").is_none());
    }

    fn parts_of(text: &'static str) -> Option<Vec<Part>> {
        parts(&Bytes::from_static(text.as_bytes()), "XyZ")
    }
}
