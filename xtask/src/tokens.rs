//! The walk over progenitor's token trees that the code passes share.
//!
//! Each pass (`strip.rs`, `docs.rs`) only says what it looks for at one position and what
//! replaces it; this module visits every position at every depth.

use proc_macro2::{Group, TokenStream, TokenTree};

/// A match at the start of the remaining trees: how many it covers and what replaces them.
pub struct Replacement {
    /// Trees covered by the match (at least one).
    pub consumed: usize,
    /// What stands in their place; empty to delete them.
    pub with: Vec<TokenTree>,
}

/// Rewrites `tokens` at every depth. At each position `find` sees the trees from it on (to the
/// end of its level); a [`Replacement`] it returns is put in place of the trees it covers,
/// which are not searched further. Returns the new stream and the number of replacements.
pub fn replace_at_any_depth<F>(tokens: TokenStream, find: &mut F) -> (TokenStream, usize)
where
    F: FnMut(&[TokenTree]) -> Option<Replacement>,
{
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut replaced = 0;
    let mut i = 0;
    while i < trees.len() {
        if let Some(found) = find(&trees[i..]) {
            out.extend(found.with);
            replaced += 1;
            i += found.consumed.max(1);
            continue;
        }
        match &trees[i] {
            TokenTree::Group(group) => {
                let (inner, n) = replace_at_any_depth(group.stream(), find);
                replaced += n;
                out.push(with_stream(group, inner));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    (out.into_iter().collect(), replaced)
}

/// `group` with its contents replaced by `stream`, keeping delimiter and span.
fn with_stream(group: &Group, stream: TokenStream) -> TokenTree {
    let mut rebuilt = Group::new(group.delimiter(), stream);
    rebuilt.set_span(group.span());
    TokenTree::Group(rebuilt)
}

#[cfg(test)]
mod tests {
    use proc_macro2::{Ident, Span};

    use super::*;

    /// Replaces each `old` identifier with `new`.
    fn rename(code: &str) -> (String, usize) {
        let tokens: TokenStream = code.parse().expect("tokens");
        let (out, n) = replace_at_any_depth(tokens, &mut |rest| match rest.first() {
            Some(TokenTree::Ident(id)) if id == "old" => {
                Some(Replacement {
                    consumed: 1,
                    with: vec![TokenTree::Ident(Ident::new("new", Span::call_site()))],
                })
            }
            _ => None,
        });
        (out.to_string(), n)
    }

    #[test]
    fn replaces_at_every_depth_and_keeps_the_rest() {
        let (text, n) = rename("fn f() { old; { [old, (old)] } other }");
        assert_eq!(n, 3, "{text}");
        assert_eq!(text, "fn f () { new ; { [new , (new)] } other }");
    }

    #[test]
    fn an_empty_replacement_deletes_what_it_covers() {
        let tokens: TokenStream = "a b c d".parse().expect("tokens");
        let (out, n) = replace_at_any_depth(tokens, &mut |rest| match rest.first() {
            Some(TokenTree::Ident(id)) if id == "b" => Some(Replacement {
                consumed: 2,
                with: Vec::new(),
            }),
            _ => None,
        });
        assert_eq!((out.to_string().as_str(), n), ("a d", 1));
    }
}
