//! Passes over progenitor's typed httpmock helpers (`Generator::httpmock`).
//!
//! The helpers live in a crate of their own (`<vendor>-sdk-httpmock`) and reach the SDK's types
//! through `use <sdk crate>::*`, which progenitor writes itself. Two things in progenitor
//! 0.15.1's output are wrong there, and a pass fixes each (`generate.rs` runs them in this
//! order, after the check below):
//!
//! - [`sdk_paths`]: a replaced schema is named by the path given in the vendor table
//!   (`crate::WebhookEventType`), which is right in the SDK crate and wrong in the mock crate.
//! - [`match_encoded_path_values`]: a path parameter's value is pasted into a regex as it is,
//!   neither escaped nor percent-encoded the way the client sends it. The pass fails
//!   generation when a path regex has a shape it does not know.
//!
//! A third problem is only detected: progenitor's helper for an array query parameter does not
//! compile (progenitor issue #1260). [`check_array_query_params`] fails generation with that
//! diagnosis instead of leaving a compile error in the mock crate.

use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::visit_mut::{self, VisitMut};
use syn::{
    Expr, ExprCall, ExprMacro, FnArg, Ident, ImplItemFn, Pat, Path, PathArguments, PathSegment,
    Token, Type, TypeParamBound, UseTree, Visibility, WherePredicate, parse_quote,
};

/// Rewrites every path that starts with `crate::` to start with `::<sdk crate>::` and returns
/// how many it rewrote. `sdk_path` is the Rust path the helpers import from (`everactive_sdk`,
/// or a module such as `iotconnect_sdk::device`); its first segment is the SDK crate.
///
/// Why: the vendor table names each replacement type as the SDK crate sees it
/// (`crate::WebhookEventType`), and progenitor writes that path wherever the type appears. The
/// client module lives in the SDK crate, where the path is right; the helpers live in the mock
/// crate, where `crate::` is the mock crate. Both outputs keep the same settings (so every
/// other type path matches), and this pass points the replacement paths at the SDK. Today
/// no Everactive helper names a replaced type (they appear only inside request and response
/// bodies); a query parameter or a response of such a type would.
///
/// `pub(crate)` and other visibilities are left alone. Fails when `sdk_path` is not a Rust
/// path of plain identifiers.
pub fn sdk_paths(file: &mut syn::File, sdk_path: &str) -> Result<usize, String> {
    let invalid = |e: &dyn std::fmt::Display| {
        format!("`{sdk_path}` is not a crate or module path usable in Rust: {e}")
    };
    let path = syn::parse_str::<Path>(sdk_path).map_err(|e| invalid(&e))?;
    let plain = path.leading_colon.is_none()
        && path
            .segments
            .iter()
            .all(|s| matches!(s.arguments, PathArguments::None));
    let sdk = match path.segments.first() {
        Some(first) if plain && first.ident != "crate" && first.ident != "self" => {
            first.ident.clone()
        }
        _ => return Err(invalid(&"it must start with the SDK crate's name")),
    };
    let mut pass = SdkPaths { sdk, rewritten: 0 };
    pass.visit_file_mut(file);
    Ok(pass.rewritten)
}

struct SdkPaths {
    sdk: Ident,
    rewritten: usize,
}

impl VisitMut for SdkPaths {
    fn visit_path_mut(&mut self, path: &mut Path) {
        let starts_with_crate = path.leading_colon.is_none()
            && path.segments.len() > 1
            && path.segments.first().is_some_and(|s| s.ident == "crate");
        if starts_with_crate && let Some(first) = path.segments.first_mut() {
            *first = PathSegment::from(self.sdk.clone());
            path.leading_colon = Some(Default::default());
            self.rewritten += 1;
        }
        visit_mut::visit_path_mut(self, path);
    }

    fn visit_item_use_mut(&mut self, item: &mut syn::ItemUse) {
        if item.leading_colon.is_none()
            && let UseTree::Path(tree) = &mut item.tree
            && tree.ident == "crate"
        {
            tree.ident = self.sdk.clone();
            item.leading_colon = Some(Default::default());
            self.rewritten += 1;
        }
    }

    fn visit_visibility_mut(&mut self, _: &mut Visibility) {}
}

/// In every `regex::Regex::new(&format!("^/path/{}$", value.to_string()))` (how progenitor
/// matches a path parameter), matches the value as the client sends it: percent-encoded with
/// the client's own `encode_path`, then escaped for the regex. Returns how many it rewrote.
///
/// Why: progenitor pastes the value into the regex as it is. A regex character in it (`.`,
/// `+`, `(`) then matches other paths, or makes the helper panic on an invalid regex, and a
/// character the client percent-encodes (a space, `/`, `?`, `%`) never matches what is sent:
/// httpmock compares the path as it came over the wire.
///
/// Fails when a `format!` inside `Regex::new` has another shape, since this pass would then
/// leave a value unescaped without anyone noticing.
pub fn match_encoded_path_values(file: &mut syn::File) -> Result<usize, String> {
    let mut pass = EncodePathValues {
        rewritten: 0,
        unknown: None,
    };
    pass.visit_file_mut(file);
    match pass.unknown {
        Some(shape) => Err(format!(
            "a path regex `{shape}` has a shape xtask/src/mocks.rs (match_encoded_path_values) \
             does not recognize; update it"
        )),
        None => Ok(pass.rewritten),
    }
}

struct EncodePathValues {
    rewritten: usize,
    unknown: Option<String>,
}

impl VisitMut for EncodePathValues {
    fn visit_expr_call_mut(&mut self, call: &mut ExprCall) {
        if is_regex_new(&call.func)
            && let Some(Expr::Reference(reference)) = call.args.first_mut()
            && let Expr::Macro(mac) = &mut *reference.expr
            && mac.mac.path.is_ident("format")
        {
            if rewrite_format(mac) {
                self.rewritten += 1;
            } else {
                self.unknown
                    .get_or_insert_with(|| mac.mac.tokens.to_string());
            }
        }
        visit_mut::visit_expr_call_mut(self, call);
    }
}

/// `regex::Regex::new` or `::regex::Regex::new`.
fn is_regex_new(func: &Expr) -> bool {
    let Expr::Path(func) = func else {
        return false;
    };
    func.qself.is_none()
        && func.path.segments.len() == 3
        && func
            .path
            .segments
            .iter()
            .zip(["regex", "Regex", "new"])
            .all(|(segment, name)| segment.ident == name && segment.arguments.is_none())
}

/// Rewrites `format!("...", value.to_string())`; false when the macro has another shape.
fn rewrite_format(mac: &mut ExprMacro) -> bool {
    let Ok(args) = mac
        .mac
        .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
    else {
        return false;
    };
    let [Expr::Lit(pattern), Expr::MethodCall(value)] = args.iter().collect::<Vec<_>>()[..] else {
        return false;
    };
    let recognized = matches!(pattern.lit, syn::Lit::Str(_))
        && value.method == "to_string"
        && value.args.is_empty()
        && value.turbofish.is_none()
        && matches!(&*value.receiver, Expr::Path(p) if p.qself.is_none() && p.path.is_ident("value"));
    if recognized {
        *mac = parse_quote! {
            format!(#pattern, ::regex::escape(&::progenitor_client::encode_path(&value.to_string())))
        };
    }
    recognized
}

/// Fails generation when a `When` helper takes an array (a slice or a `Vec`) for a query
/// parameter.
///
/// Why: progenitor 0.15.1 writes `query_param(name, value.to_string())` for every query
/// parameter, and neither a slice nor a `Vec` has `to_string` (progenitor issue #1260, fix
/// pending in PR #1261). The Everactive spec has no such parameter; a vendor that has one
/// learns it here, by name, instead of from a compile error in its mock crate. The fix is a
/// pass that matches each element, once a spec needs it.
pub fn check_array_query_params(file: &syn::File) -> Result<(), String> {
    let mut check = ArrayQueryParams { found: None };
    check.visit_file(file);
    match check.found {
        Some(method) => Err(format!(
            "the httpmock helper `{method}` takes an array query parameter, which progenitor \
             0.15.1 cannot mock (progenitor issue #1260); add a pass to xtask/src/mocks.rs"
        )),
        None => Ok(()),
    }
}

struct ArrayQueryParams {
    found: Option<String>,
}

impl<'ast> Visit<'ast> for ArrayQueryParams {
    fn visit_impl_item_fn(&mut self, method: &'ast ImplItemFn) {
        if self.found.is_none() && takes_array(method) && calls_query_param(method) {
            self.found = Some(method.sig.ident.to_string());
        }
        visit::visit_impl_item_fn(self, method);
    }
}

/// Whether the `value` argument (directly, or as the `T: Into<Option<_>>` progenitor uses for
/// optional parameters) is a slice or a `Vec`.
fn takes_array(method: &ImplItemFn) -> bool {
    let value_type = method.sig.inputs.iter().find_map(|input| match input {
        FnArg::Typed(arg) if matches!(&*arg.pat, Pat::Ident(p) if p.ident == "value") => {
            Some(&*arg.ty)
        }
        _ => None,
    });
    let Some(value_type) = value_type else {
        return false;
    };
    if is_array(value_type) {
        return true;
    }
    // `value: T` with `T: Into<Option<X>>` in the generics or the where clause.
    let bounds = method
        .sig
        .generics
        .type_params()
        .flat_map(|param| param.bounds.iter())
        .chain(
            method
                .sig
                .generics
                .where_clause
                .iter()
                .flat_map(|clause| clause.predicates.iter())
                .flat_map(|predicate| match predicate {
                    WherePredicate::Type(predicate) => predicate.bounds.iter().collect(),
                    _ => Vec::new(),
                }),
        );
    bounds
        .filter_map(|bound| match bound {
            TypeParamBound::Trait(bound) => bound.path.segments.last(),
            _ => None,
        })
        .filter(|segment| segment.ident == "Into")
        .flat_map(|segment| generic_types(&segment.arguments))
        .flat_map(|option| match option {
            Type::Path(path) => path
                .path
                .segments
                .last()
                .map(|s| generic_types(&s.arguments)),
            _ => None,
        })
        .flatten()
        .any(is_array)
}

/// The type arguments of `<...>`.
fn generic_types(arguments: &PathArguments) -> Vec<&Type> {
    match arguments {
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `[T]`, `&[T]`, `Vec<T>` (any path ending in `Vec`), or a reference to one of them.
fn is_array(ty: &Type) -> bool {
    match ty {
        Type::Reference(reference) => is_array(&reference.elem),
        Type::Slice(_) | Type::Array(_) => true,
        Type::Path(path) => path.path.segments.last().is_some_and(|s| s.ident == "Vec"),
        _ => false,
    }
}

/// Whether the method's body calls `query_param`.
fn calls_query_param(method: &ImplItemFn) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            self.0 |= call.method == "query_param";
            visit::visit_expr_method_call(self, call);
        }
    }
    let mut finder = Finder(false);
    finder.visit_block(&method.block);
    finder.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(code: &str) -> syn::File {
        syn::parse_str(code).expect("valid Rust")
    }

    fn print(file: &syn::File) -> String {
        prettyplease::unparse(file)
    }

    #[test]
    fn sdk_paths_point_crate_paths_at_the_sdk() {
        let mut file = parse(
            r#"
            pub mod operations {
                use everactive_sdk::*;
                use crate::other::Thing;
                pub(crate) struct Private;
                impl GetSensorWhen {
                    pub fn event<T>(self, value: T) -> Self
                    where
                        T: Into<Option<crate::WebhookEventType>>,
                    {
                        let _ = crate::WebhookHeader::new("k", "v");
                        self
                    }
                    pub fn ok(self, value: &types::Sensor) -> Self { self }
                }
            }
            "#,
        );
        let rewritten = sdk_paths(&mut file, "everactive_sdk").expect("valid name");
        let text = print(&file);
        assert_eq!(rewritten, 3, "{text}");
        assert!(
            text.contains("Into<Option<::everactive_sdk::WebhookEventType>>"),
            "{text}"
        );
        assert!(
            text.contains("::everactive_sdk::WebhookHeader::new"),
            "{text}"
        );
        assert!(
            text.contains("use ::everactive_sdk::other::Thing;"),
            "{text}"
        );
        // Visibilities, other crates' paths and progenitor's own paths stay.
        assert!(text.contains("pub(crate) struct Private"), "{text}");
        assert!(text.contains("use everactive_sdk::*;"), "{text}");
        assert!(text.contains("value: &types::Sensor"), "{text}");
        assert!(!text.contains(" crate::"), "{text}");
    }

    #[test]
    fn sdk_paths_needs_a_crate_name() {
        let mut file = parse("fn f() {}");
        for bad in [
            "everactive-sdk",
            "crate::device",
            "::iotconnect_sdk",
            "a::<T>",
        ] {
            let err = sdk_paths(&mut file, bad).expect_err("not a crate path");
            assert!(err.contains(bad), "{err}");
        }
    }

    #[test]
    fn sdk_paths_of_a_module_point_at_the_crate() {
        let mut file = parse("fn f(v: crate::Thing) {}");
        let rewritten = sdk_paths(&mut file, "iotconnect_sdk::device").expect("a module path");
        assert_eq!(rewritten, 1);
        assert!(print(&file).contains("v: ::iotconnect_sdk::Thing"));
    }

    /// A path parameter helper as progenitor 0.15.1 writes it (progenitor-impl's httpmock.rs).
    const PATH_PARAM: &str = r#"
        impl GetWebhookWhen {
            pub fn new(inner: ::httpmock::When) -> Self {
                Self(inner.path_matches(regex::Regex::new("^/ds/v1/webhooks/[^/]*$").unwrap()))
            }
            pub fn webhook_id(self, value: &str) -> Self {
                let re = regex::Regex::new(&format!("^/ds/v1/webhooks/{}$", value.to_string()))
                    .unwrap();
                Self(self.0.path_matches(re))
            }
        }
    "#;

    #[test]
    fn path_values_are_encoded_and_escaped() {
        let mut file = parse(PATH_PARAM);
        let rewritten = match_encoded_path_values(&mut file).expect("known shape");
        let text = print(&file);
        assert_eq!(rewritten, 1, "{text}");
        let flat: String = text.split_whitespace().collect();
        assert!(
            flat.contains(
                r#"regex::Regex::new(&format!("^/ds/v1/webhooks/{}$",::regex::escape(&::progenitor_client::encode_path(&value.to_string())))"#
            ),
            "{text}"
        );
        // The operation's own regex (no format!) is left alone.
        assert!(
            text.contains(r#"regex::Regex::new("^/ds/v1/webhooks/[^/]*$")"#),
            "{text}"
        );
    }

    #[test]
    fn an_unknown_path_regex_fails_naming_the_pass() {
        let changed = PATH_PARAM.replace("value.to_string()", "value");
        let err = match_encoded_path_values(&mut parse(&changed)).expect_err("unknown shape");
        assert!(err.contains("match_encoded_path_values"), "{err}");
    }

    #[test]
    fn array_query_params_are_diagnosed() {
        let optional = parse(
            r#"
            impl ListWhen {
                pub fn tags<'a, T>(self, value: T) -> Self
                where
                    T: Into<Option<&'a ::std::vec::Vec<String>>>,
                {
                    if let Some(value) = value.into() {
                        Self(self.0.query_param("tags", value.to_string()))
                    } else {
                        Self(self.0.query_param_missing("tags"))
                    }
                }
            }
            "#,
        );
        let err = check_array_query_params(&optional).expect_err("an optional array");
        assert!(err.contains("`tags`") && err.contains("#1260"), "{err}");

        let required = parse(
            r#"
            impl ListWhen {
                pub fn ids(self, value: &[u64]) -> Self {
                    Self(self.0.query_param("ids", value.to_string()))
                }
            }
            "#,
        );
        assert!(check_array_query_params(&required).is_err());

        // Scalars, and arrays in bodies, are fine.
        let fine = parse(
            r#"
            impl ListWhen {
                pub fn page<T>(self, value: T) -> Self
                where
                    T: Into<Option<::std::num::NonZeroU32>>,
                {
                    Self(self.0.query_param("page", value.to_string()))
                }
                pub fn body(self, value: &Vec<types::Item>) -> Self {
                    Self(self.0.json_body_obj(value))
                }
            }
            "#,
        );
        check_array_query_params(&fine).expect("no array query parameter");
    }
}
