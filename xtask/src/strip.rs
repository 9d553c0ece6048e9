//! Removes progenitor's `api-version` request header from the generated code.
//!
//! progenitor 0.10+ adds `api-version: <info.version>` to every request for Dropshot's API
//! versioning. The vendor APIs here know nothing of it, so the statement that adds it is
//! dropped from the generated code. The header map it was added to stays, empty unless the
//! operation has header parameters; that costs little and keeps progenitor's code as it is.
//!
//! The match is narrow on purpose: only progenitor's exact statement goes, and any other
//! mention of `"api-version"` (a header parameter of that name, say) is left for the check in
//! `generate.rs`, which then fails generation instead of silently dropping a real header.

use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, Lit, Stmt};

/// The header progenitor adds.
const HEADER: &str = "api-version";

/// The function progenitor names the header with, as path segments after a leading `::`.
const HEADER_NAME: [&str; 4] = ["reqwest", "header", "HeaderName", "from_static"];

/// Drops every statement
/// `header_map.append(::reqwest::header::HeaderName::from_static("api-version"), <value>);`
/// from `file`, at any depth, and returns how many were dropped.
pub fn strip_api_version_header(file: &mut syn::File) -> usize {
    let mut strip = Strip { dropped: 0 };
    strip.visit_file_mut(file);
    strip.dropped
}

struct Strip {
    dropped: usize,
}

impl VisitMut for Strip {
    fn visit_block_mut(&mut self, block: &mut Block) {
        let before = block.stmts.len();
        block.stmts.retain(|stmt| !is_api_version_append(stmt));
        self.dropped += before - block.stmts.len();
        visit_mut::visit_block_mut(self, block);
    }
}

/// `header_map.append(<the api-version name>, <value>);`: receiver, method, argument count,
/// the header name and the semicolon all have to match.
fn is_api_version_append(stmt: &Stmt) -> bool {
    let Stmt::Expr(Expr::MethodCall(call), Some(_)) = stmt else {
        return false;
    };
    let Expr::Path(receiver) = &*call.receiver else {
        return false;
    };
    receiver.qself.is_none()
        && receiver.path.is_ident("header_map")
        && call.method == "append"
        && call.turbofish.is_none()
        && call.args.len() == 2
        && call.args.first().is_some_and(is_api_version_name)
}

/// `::reqwest::header::HeaderName::from_static("api-version")`
fn is_api_version_name(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    let Expr::Path(function) = &*call.func else {
        return false;
    };
    let path = &function.path;
    let is_header_name = function.qself.is_none()
        && path.leading_colon.is_some()
        && path.segments.len() == HEADER_NAME.len()
        && path
            .segments
            .iter()
            .zip(HEADER_NAME)
            .all(|(segment, name)| segment.ident == name && segment.arguments.is_none());
    let names_the_header = call.args.len() == 1
        && matches!(
            call.args.first(),
            Some(Expr::Lit(lit)) if matches!(&lit.lit, Lit::Str(s) if s.value() == HEADER)
        );
    is_header_name && names_the_header
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(code: &str) -> (String, usize) {
        let mut file: syn::File = syn::parse_str(code).expect("valid Rust");
        let dropped = strip_api_version_header(&mut file);
        (prettyplease::unparse(&file), dropped)
    }

    #[test]
    fn drops_the_statement_progenitor_emits() {
        // As progenitor 0.15.1 writes it (progenitor-impl's method.rs), in a nested block.
        let (text, dropped) = strip(
            r#"
            impl<'a> GetHealth<'a> {
                pub async fn send(self) {
                    let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                    header_map.append(
                        ::reqwest::header::HeaderName::from_static("api-version"),
                        ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                    );
                    if let Some(value) = trace_id {
                        header_map.append("x-trace-id", value.to_string().try_into()?);
                    }
                    let request = client.get(url).headers(header_map).build()?;
                }
            }
            "#,
        );
        assert_eq!(dropped, 1, "{text}");
        assert!(!text.contains("api-version"), "{text}");
        assert!(!text.contains("api_version"), "{text}");
        assert!(text.contains("with_capacity(2usize)"), "{text}");
        assert!(text.contains(r#"header_map.append("x-trace-id""#), "{text}");
        assert!(text.contains(".headers(header_map)"), "{text}");
    }

    #[test]
    fn leaves_similar_statements_alone() {
        let code = r#"
            fn f() {
                // Another header name.
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("x-api-version"),
                    ::reqwest::header::HeaderValue::from_static("1"),
                );
                // A header parameter that happens to be called api-version.
                header_map.append("api-version", api_version.to_string().try_into()?);
                // Another receiver, another method.
                other_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static("1"),
                );
                header_map.insert(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static("1"),
                );
                // The string used elsewhere.
                let name = ::reqwest::header::HeaderName::from_static("api-version");
            }
        "#;
        let (text, dropped) = strip(code);
        assert_eq!(dropped, 0, "{text}");
        let unchanged = prettyplease::unparse(&syn::parse_str(code).expect("valid Rust"));
        assert_eq!(text, unchanged);
    }
}
