//! Removes progenitor's `api-version` request header from the generated code.
//!
//! progenitor 0.10+ adds `api-version: <info.version>` to every request for Dropshot's API
//! versioning. The vendor APIs here know nothing of it, and stripping it on every request at
//! run time cost a header map, two allocations and a removal per call (measured with the
//! overhead benchmark). Dropping the statement that adds it costs nothing at run time.

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use crate::tokens::{Replacement, replace_at_any_depth};

/// The header progenitor adds.
const HEADER: &str = "\"api-version\"";

/// Drops every `header_map.append(..."api-version"...);` statement, at any depth, and returns
/// how many were dropped.
pub fn strip_api_version_header(tokens: TokenStream) -> (TokenStream, usize) {
    replace_at_any_depth(tokens, &mut |rest| {
        is_api_version_append(rest).then(|| Replacement {
            consumed: 5,
            with: Vec::new(),
        })
    })
}

/// `header_map . append ( ... "api-version" ... ) ;`
fn is_api_version_append(trees: &[TokenTree]) -> bool {
    let [
        TokenTree::Ident(map),
        TokenTree::Punct(dot),
        TokenTree::Ident(method),
        TokenTree::Group(args),
        TokenTree::Punct(semi),
        ..,
    ] = trees
    else {
        return false;
    };
    map == "header_map"
        && dot.as_char() == '.'
        && method == "append"
        && args.delimiter() == Delimiter::Parenthesis
        && semi.as_char() == ';'
        && mentions_header(args.stream())
}

fn mentions_header(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Literal(lit) => lit.to_string() == HEADER,
        TokenTree::Group(group) => mentions_header(group.stream()),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_only_the_api_version_append() {
        let input: TokenStream = r#"
            fn send() {
                let mut header_map = HeaderMap::with_capacity(1usize);
                header_map.append(HeaderName::from_static("api-version"), HeaderValue::from_static(v()));
                header_map.append(HeaderName::from_static("x-other"), HeaderValue::from_static("1"));
            }
        "#
        .parse()
        .expect("tokens");
        let (output, dropped) = strip_api_version_header(input);
        let text = output.to_string();
        assert_eq!(dropped, 1);
        assert!(!text.contains("api-version"), "{text}");
        assert!(text.contains("x-other"), "{text}");
        assert!(text.contains("with_capacity"), "{text}");
    }

    #[test]
    fn leaves_code_without_the_header_alone() {
        let input: TokenStream = "fn f() { header_map.append(a, b); }"
            .parse()
            .expect("tokens");
        let (output, dropped) = strip_api_version_header(input.clone());
        assert_eq!(dropped, 0);
        assert_eq!(output.to_string(), input.to_string());
    }
}
