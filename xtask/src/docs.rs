//! Turns multi-line doc attributes into one attribute per line.
//!
//! progenitor puts a whole OpenAPI description into one `#[doc = "..."]`. prettyplease prints
//! that as a `/** ... */` block, and rustfmt then indents the block's lines to the item's
//! depth. Rustdoc reads lines indented by four spaces as a code block, so every description
//! became an (uncompilable) doctest. One `///` line per line of text keeps the markdown as
//! written.

use proc_macro2::{Delimiter, Group, Literal, Punct, Spacing, TokenStream, TokenTree};

/// Rewrites every `#[doc = "a\nb"]` in `tokens` (at any depth) as `#[doc = " a"] #[doc = " b"]`.
pub fn split_doc_lines(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        if let Some(split) = split_attribute(&trees[i..]) {
            out.extend(split);
            i += 2;
            continue;
        }
        match &trees[i] {
            TokenTree::Group(group) => {
                let mut rebuilt = Group::new(group.delimiter(), split_doc_lines(group.stream()));
                rebuilt.set_span(group.span());
                out.push(TokenTree::Group(rebuilt));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// One attribute per line, when `trees` starts with a multi-line `# [doc = "..."]`.
fn split_attribute(trees: &[TokenTree]) -> Option<Vec<TokenTree>> {
    let [TokenTree::Punct(hash), TokenTree::Group(attr), ..] = trees else {
        return None;
    };
    if hash.as_char() != '#' || attr.delimiter() != Delimiter::Bracket {
        return None;
    }
    let lines = doc_lines(attr.stream()).filter(|lines| lines.len() > 1)?;
    Some(
        lines
            .iter()
            .flat_map(|line| doc_attribute(hash, line))
            .collect(),
    )
}

/// The lines of `doc = "..."`, or `None` for any other attribute.
fn doc_lines(attr: TokenStream) -> Option<Vec<String>> {
    let trees: Vec<TokenTree> = attr.into_iter().collect();
    let [
        TokenTree::Ident(name),
        TokenTree::Punct(eq),
        TokenTree::Literal(lit),
    ] = trees.as_slice()
    else {
        return None;
    };
    if name != "doc" || eq.as_char() != '=' {
        return None;
    }
    let text = syn::parse2::<syn::LitStr>(TokenTree::Literal(lit.clone()).into())
        .ok()?
        .value();
    Some(text.lines().map(str::to_owned).collect())
}

fn doc_attribute(hash: &Punct, line: &str) -> Vec<TokenTree> {
    let text = if line.trim().is_empty() {
        String::new()
    } else {
        format!(" {line}")
    };
    let inner: TokenStream = [
        TokenTree::Ident(proc_macro2::Ident::new("doc", hash.span())),
        TokenTree::Punct(Punct::new('=', Spacing::Alone)),
        TokenTree::Literal(Literal::string(&text)),
    ]
    .into_iter()
    .collect();
    vec![
        TokenTree::Punct(hash.clone()),
        TokenTree::Group(Group::new(Delimiter::Bracket, inner)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unparse(tokens: TokenStream) -> String {
        prettyplease::unparse(&syn::parse2::<syn::File>(tokens).expect("valid Rust"))
    }

    #[test]
    fn multi_line_docs_become_line_comments() {
        let input: TokenStream = r#"
            #[doc = "Title\n\nFirst line\n    indented"]
            pub struct S;
            impl S {
                #[doc = "Method\nmore"]
                pub fn m(&self) {}
            }
        "#
        .parse()
        .expect("tokens");
        let before = unparse(input.clone());
        assert!(before.contains("/**"), "the problem this fixes: {before}");
        let after = unparse(split_doc_lines(input));
        assert!(!after.contains("/**"), "{after}");
        assert!(
            after.contains("/// Title\n///\n/// First line\n///     indented\npub struct S;"),
            "{after}"
        );
        assert!(
            after.contains("/// Method\n    /// more\n    pub fn m"),
            "{after}"
        );
    }

    #[test]
    fn other_attributes_are_untouched() {
        let input: TokenStream =
            r#"#[derive(Debug)] #[doc = "one line"] #[serde(rename = "a\nb")] struct S;"#
                .parse()
                .expect("tokens");
        assert_eq!(
            split_doc_lines(input.clone()).to_string(),
            input.to_string()
        );
    }
}
