//! Points the generated code at `sdk_auth::decode_json` for JSON response bodies.
//!
//! progenitor decodes every JSON answer with `ResponseValue::from_response(response).await`,
//! which clones the response's header map (two allocations per call) although the response is
//! dropped right after. `sdk_auth::decode_json` has the same signature, result and errors and
//! moves the headers instead; the overhead benchmark measures the difference.

use proc_macro2::{Ident, Punct, Spacing, Span, TokenStream, TokenTree};

use crate::tokens::{Replacement, ends_path, replace_at_any_depth};

/// The function the generated code calls instead, as a path from the crate root.
const DECODER: [&str; 2] = ["sdk_auth", "decode_json"];

/// Replaces every `ResponseValue::from_response(` call, at any depth, with
/// `::sdk_auth::decode_json(`, and returns how many were replaced.
pub fn use_moving_decoder(tokens: TokenStream) -> (TokenStream, usize) {
    replace_at_any_depth(tokens, &mut |previous, rest| {
        // `progenitor_client::ResponseValue::from_response(` would become `…:: ::sdk_auth…`.
        (!ends_path(previous) && is_from_response_path(rest)).then(|| Replacement {
            consumed: 4,
            with: decoder_path(),
        })
    })
}

/// `ResponseValue :: from_response` followed by an argument list (not a turbofish).
fn is_from_response_path(trees: &[TokenTree]) -> bool {
    let [
        TokenTree::Ident(ty),
        TokenTree::Punct(c1),
        TokenTree::Punct(c2),
        TokenTree::Ident(function),
        TokenTree::Group(args),
        ..,
    ] = trees
    else {
        return false;
    };
    ty == "ResponseValue"
        && c1.as_char() == ':'
        && c1.spacing() == Spacing::Joint
        && c2.as_char() == ':'
        && function == "from_response"
        && args.delimiter() == proc_macro2::Delimiter::Parenthesis
}

/// `:: sdk_auth :: decode_json`
fn decoder_path() -> Vec<TokenTree> {
    let mut path = Vec::new();
    for segment in DECODER {
        path.push(TokenTree::Punct(Punct::new(':', Spacing::Joint)));
        path.push(TokenTree::Punct(Punct::new(':', Spacing::Alone)));
        path.push(TokenTree::Ident(Ident::new(segment, Span::call_site())));
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(code: &str) -> (String, usize) {
        let tokens: TokenStream = code.parse().expect("tokens");
        let (tokens, n) = use_moving_decoder(tokens);
        (tokens.to_string(), n)
    }

    #[test]
    fn replaces_success_and_error_decoding_at_any_depth() {
        let (text, n) = rewrite(
            "async fn send() { match status {
                200u16 => ResponseValue::from_response(response).await,
                400u16..=499u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                _ => Err(Error::UnexpectedResponse(response)),
            } }",
        );
        assert_eq!(n, 2, "{text}");
        assert!(!text.contains("from_response"), "{text}");
        assert_eq!(
            text.matches(":: sdk_auth :: decode_json (response) . await")
                .count(),
            2
        );
    }

    #[test]
    fn leaves_other_response_value_constructors_alone() {
        let input = "fn f() { ResponseValue::empty(response); ResponseValue::stream(response); \
                     other::from_response(response); ResponseValue::from_response::<E>(r); \
                     progenitor_client::ResponseValue::from_response(r); }";
        let (text, n) = rewrite(input);
        assert_eq!(n, 0);
        assert_eq!(
            text,
            input.parse::<TokenStream>().expect("tokens").to_string()
        );
    }
}
