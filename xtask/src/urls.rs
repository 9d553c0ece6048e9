//! Builds request URLs with `sdk_auth::join_url` instead of `format!`.
//!
//! progenitor writes every request URL as `format!("{}/path/{}", client.baseurl, ...)`.
//! `format!` sizes its buffer from the template only (zero bytes for a template shorter than
//! 16), so with a real base URL the string is reallocated on every call. `join_url` reserves
//! room for the base URL up front and produces the same string; the overhead benchmark counts
//! one allocation fewer per call.

use std::str::FromStr;

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

use crate::tokens::{Replacement, ends_path, replace_at_any_depth};

/// Rewrites every `format!("{}…", client.baseurl, args…)`, at any depth, into
/// `::sdk_auth::join_url(&client.baseurl, format_args!("…", args…))`, and returns how many were
/// rewritten. Other `format!` calls are left alone.
pub fn join_urls_in_place(tokens: TokenStream) -> (TokenStream, usize) {
    replace_at_any_depth(tokens, &mut |previous, rest| {
        // Not the tail of a path such as `std::format!`: the rewrite replaces only the name.
        if ends_path(previous) {
            return None;
        }
        url_format_call(rest).map(|with| Replacement { consumed: 3, with })
    })
}

/// The replacement for `format ! ( "{}…" , client . baseurl , … )` starting at `trees[0]`.
fn url_format_call(trees: &[TokenTree]) -> Option<Vec<TokenTree>> {
    let [
        TokenTree::Ident(name),
        TokenTree::Punct(bang),
        TokenTree::Group(args),
        ..,
    ] = trees
    else {
        return None;
    };
    if name != "format" || bang.as_char() != '!' || args.delimiter() != Delimiter::Parenthesis {
        return None;
    }
    let args: Vec<TokenTree> = args.stream().into_iter().collect();
    let [
        TokenTree::Literal(template),
        TokenTree::Punct(comma),
        TokenTree::Ident(client),
        TokenTree::Punct(dot),
        TokenTree::Ident(field),
        rest @ ..,
    ] = args.as_slice()
    else {
        return None;
    };
    if comma.as_char() != ',' || client != "client" || dot.as_char() != '.' || field != "baseurl" {
        return None;
    }
    // What follows the base URL: nothing, or `, args…`.
    if matches!(rest.first(), Some(t) if !matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
        return None;
    }
    // Only a plain string literal that starts with the base-URL placeholder, and whose other
    // placeholders are all `{}`: a positional `{1}` or named `{x}` would change meaning once
    // the first argument is dropped.
    let text = template.to_string();
    let path = text.strip_prefix("\"{}")?;
    if path.replace("{{", "").replace("{}", "").contains('{') {
        return None;
    }
    let path = Literal::from_str(&format!("\"{path}")).ok()?;

    let call = Span::call_site();
    let mut inner: Vec<TokenTree> = vec![TokenTree::Literal(path)];
    // `rest` is `, args…` (and a trailing comma) or just a trailing comma.
    inner.extend(rest.iter().cloned());
    let mut format_args = vec![
        TokenTree::Ident(Ident::new("format_args", call)),
        TokenTree::Punct(Punct::new('!', Spacing::Alone)),
        TokenTree::Group(Group::new(
            Delimiter::Parenthesis,
            inner.into_iter().collect(),
        )),
    ];
    let mut join_args = vec![
        TokenTree::Punct(Punct::new('&', Spacing::Alone)),
        TokenTree::Ident(client.clone()),
        TokenTree::Punct(dot.clone()),
        TokenTree::Ident(field.clone()),
        TokenTree::Punct(Punct::new(',', Spacing::Alone)),
    ];
    join_args.append(&mut format_args);

    let mut call_tokens = Vec::new();
    for segment in ["sdk_auth", "join_url"] {
        call_tokens.push(TokenTree::Punct(Punct::new(':', Spacing::Joint)));
        call_tokens.push(TokenTree::Punct(Punct::new(':', Spacing::Alone)));
        call_tokens.push(TokenTree::Ident(Ident::new(segment, call)));
    }
    call_tokens.push(TokenTree::Group(Group::new(
        Delimiter::Parenthesis,
        join_args.into_iter().collect(),
    )));
    Some(call_tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(code: &str) -> (String, usize) {
        let tokens: TokenStream = code.parse().expect("tokens");
        let (tokens, n) = join_urls_in_place(tokens);
        (tokens.to_string(), n)
    }

    #[test]
    fn rewrites_constant_and_parameterized_urls() {
        let (text, n) = rewrite(
            r#"fn a() { let url = format!("{}/ds/v1/health", client.baseurl,); }
               fn b() { let url = format!("{}/ds/v1/evergateways/{}", client.baseurl,
                   encode_path(&id.to_string()),); }"#,
        );
        assert_eq!(n, 2, "{text}");
        assert!(
            text.contains(
                r#":: sdk_auth :: join_url (& client . baseurl , format_args ! ("/ds/v1/health" ,))"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"format_args ! ("/ds/v1/evergateways/{}" , encode_path (& id . to_string ()) ,)"#
            ),
            "{text}"
        );
        assert!(!text.contains("format !"), "{text}");
    }

    #[test]
    fn leaves_other_format_calls_alone() {
        let input = r#"fn f() { let a = format!("{}-{}", x, y); let b = format!("{}/p", other.baseurl);
                       let c = format!("v{}", client.baseurl);
                       let d = format!("{}/x", client.baseurl.as_str());
                       let e = format!("{}/{}/{1}", client.baseurl, a, b);
                       let f = format!("{}/{name}", client.baseurl);
                       let g = std::format!("{}/x", client.baseurl); }"#;
        let (text, n) = rewrite(input);
        assert_eq!(n, 0);
        assert_eq!(
            text,
            input.parse::<TokenStream>().expect("tokens").to_string()
        );
    }
}
