//! Removes progenitor's `api-version` request header from the generated code.
//!
//! progenitor 0.10+ adds `api-version: <info.version>` to every request for Dropshot's API
//! versioning. The vendor APIs here know nothing of it, and stripping it on every request at
//! run time cost a header map, two allocations and a removal per call (measured with the
//! overhead benchmark). Dropping the statement that adds it costs nothing at run time; the
//! header map it leaves empty is dropped too ([`drop_empty_header_maps`]).

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use crate::tokens::{Replacement, replace_at_any_depth, with_stream};

/// The header progenitor adds.
const HEADER: &str = "\"api-version\"";

/// Drops every `header_map.append(..."api-version"...);` statement, at any depth, and returns
/// how many were dropped.
pub fn strip_api_version_header(tokens: TokenStream) -> (TokenStream, usize) {
    replace_at_any_depth(tokens, &mut |_, rest| {
        is_api_version_append(rest).then(|| Replacement {
            consumed: 5,
            with: Vec::new(),
        })
    })
}

/// Removes `let mut header_map = ...;` and `.headers(header_map)` from every block where they
/// are the only two mentions of `header_map`, i.e. where no header is ever added to the map.
/// Returns how many maps were dropped.
pub fn drop_empty_header_maps(tokens: TokenStream) -> (TokenStream, usize) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mentions: usize = trees.iter().map(count_header_map).sum();
    let mut dropped = 0;
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    let removable = mentions == 2 && has_declaration(&trees);
    while i < trees.len() {
        if removable {
            if let Some(len) = declaration_len(&trees[i..]) {
                i += len;
                dropped += 1;
                continue;
            }
            if is_headers_call(&trees[i..]) {
                i += 3;
                continue;
            }
        }
        match &trees[i] {
            TokenTree::Group(group) => {
                let (inner, n) = drop_empty_header_maps(group.stream());
                dropped += n;
                out.push(with_stream(group, inner));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    (out.into_iter().collect(), dropped)
}

fn count_header_map(tree: &TokenTree) -> usize {
    match tree {
        TokenTree::Ident(ident) if ident == "header_map" => 1,
        TokenTree::Group(group) => group
            .stream()
            .into_iter()
            .map(|t| count_header_map(&t))
            .sum(),
        _ => 0,
    }
}

fn has_declaration(trees: &[TokenTree]) -> bool {
    (0..trees.len()).any(|i| declaration_len(&trees[i..]).is_some())
}

/// The token count of `let mut header_map = ... ;` starting at `trees[0]`, if it is one.
fn declaration_len(trees: &[TokenTree]) -> Option<usize> {
    let [
        TokenTree::Ident(kw),
        TokenTree::Ident(m),
        TokenTree::Ident(name),
        TokenTree::Punct(eq),
        ..,
    ] = trees
    else {
        return None;
    };
    if kw != "let" || m != "mut" || name != "header_map" || eq.as_char() != '=' {
        return None;
    }
    let end = trees
        .iter()
        .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'))?;
    Some(end + 1)
}

/// `. headers ( header_map )`
fn is_headers_call(trees: &[TokenTree]) -> bool {
    let [
        TokenTree::Punct(dot),
        TokenTree::Ident(method),
        TokenTree::Group(args),
        ..,
    ] = trees
    else {
        return false;
    };
    dot.as_char() == '.'
        && method == "headers"
        && args.delimiter() == Delimiter::Parenthesis
        && args.stream().to_string() == "header_map"
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
    fn an_empty_header_map_is_dropped_and_a_used_one_kept() {
        let input: TokenStream = r#"
            fn unused() {
                let mut header_map = HeaderMap::with_capacity(1usize);
                let request = client.get(url).header(ACCEPT, v).headers(header_map).build();
            }
            fn used() {
                let mut header_map = HeaderMap::with_capacity(1usize);
                header_map.append(name, value);
                let request = client.get(url).headers(header_map).build();
            }
        "#
        .parse()
        .expect("tokens");
        let (output, dropped) = drop_empty_header_maps(input);
        let text = output.to_string();
        assert_eq!(dropped, 1);
        assert!(text.contains("fn unused () { let request = client . get (url) . header (ACCEPT , v) . build () ; }"), "{text}");
        assert_eq!(text.matches("header_map").count(), 3, "{text}");
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
