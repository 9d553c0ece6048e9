//! Makes typed errors the default: every operation builder's `send` returns `sdk_auth::Error`.
//!
//! progenitor fixes the error type of the `send` it generates: `progenitor_client::Error<E>`,
//! which loses the status of an answer that does not decode, the raw body of an error answer
//! and the typed auth error. The house rule is that `.send().await?` gives the SDK's `Error`,
//! so this pass renames progenitor's method to `send_raw` (kept for callers who want
//! progenitor's error) and adds a `send` that awaits `sdk_auth::runtime::typed(self.send_raw())`,
//! which records what the request layer saw during the call and builds the typed error from it.
//!
//! progenitor also writes a `stream()` next to `send` for operations with Dropshot pagination
//! (`x-dropshot-pagination`); it calls `self.send()` and yields progenitor's error. No Everactive
//! operation has one (the SDK's streams are hand-written in `pagination.rs`), so this pass does
//! not rewrite them. It fails generation when it meets one: that `stream()` would call the
//! typed `send`, whose error no longer fits the stream's item type.

use syn::{
    Attribute, FnArg, GenericArgument, ImplItem, ImplItemFn, Item, ItemImpl, PathArguments,
    ReceiverKind, ReturnType, Type, Visibility, parse_quote,
};

/// The module progenitor puts the operation builders in (the `types` module has a `builder`
/// of its own, for the struct builders; only the top-level one is meant).
const BUILDER_MODULE: &str = "builder";

/// What a caller reads on the new `send`, after progenitor's description of the request.
const SEND_DOC: [&str; 2] = [
    " Errors are the SDK's typed `sdk_auth::Error` (status, request id, redacted body",
    " excerpt, typed auth error); use `send_raw` for progenitor's error.",
];

/// What a caller reads on `send_raw`, after progenitor's description of the request.
const SEND_RAW_DOC: [&str; 2] = [
    " Errors are progenitor's raw `progenitor_client::Error`, for those who want it;",
    " `send` gives the SDK's typed `sdk_auth::Error`.",
];

/// The shape the pass expects, for error messages.
const EXPECTED: &str = "`pub async fn send(self) -> Result<ResponseValue<_>, Error<_>>`";

/// The items of the top-level inline module `name` of `file` (progenitor's `builder` or
/// `types`), for the passes that rewrite it.
pub fn module_items<'a>(file: &'a mut syn::File, name: &str) -> Option<&'a mut Vec<Item>> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(module) if module.ident == name => {
            module.content.as_mut().map(|(_, items)| items)
        }
        _ => None,
    })
}

/// Renames every operation builder's `send` to `send_raw` and adds a typed `send` next to it.
/// Returns how many were rewritten.
///
/// Fails when `file` has no top-level `builder` module, when that module has builders but no
/// `send`, when a builder lacks a `send`, when a `send` is not [`EXPECTED`], when a builder
/// already has a `send_raw`, or when a builder has a paginated `stream()`.
pub fn typed_send(file: &mut syn::File) -> Result<usize, String> {
    let items = module_items(file, BUILDER_MODULE)
        .ok_or("progenitor emitted no `mod builder` (is the interface style still `Builder`?)")?;

    let mut builders = Vec::new();
    let mut sent = Vec::new();
    for item in items.iter_mut() {
        match item {
            Item::Struct(builder) => builders.push(builder.ident.to_string()),
            Item::Impl(block) => sent.extend(rewrite_impl(block)?),
            _ => {}
        }
    }
    let non_empty = items.iter().any(|item| !matches!(item, Item::Use(_)));
    if non_empty && sent.is_empty() {
        return Err(format!(
            "found no {EXPECTED} in `mod builder`; progenitor's output changed shape, update \
             xtask/src/typed_send.rs"
        ));
    }
    if let Some(missing) = builders.iter().find(|name| !sent.contains(name)) {
        return Err(format!(
            "builder `{missing}` has no {EXPECTED}; progenitor's output changed shape, update \
             xtask/src/typed_send.rs"
        ));
    }
    Ok(sent.len())
}

/// Rewrites the `send` of one `impl` block, if it has one. Returns the builder's name if it had.
fn rewrite_impl(block: &mut ItemImpl) -> Result<Option<String>, String> {
    let name = type_name(&block.self_ty);
    let mut rewritten = false;
    let mut items = Vec::with_capacity(block.items.len() + 1);
    for item in block.items.drain(..) {
        let ImplItem::Fn(mut method) = item else {
            items.push(item);
            continue;
        };
        if method.sig.ident == "send_raw" {
            return Err(format!(
                "builder `{name}` already has a `send_raw` (a parameter of that name?); the \
                 typed `send` needs the name for progenitor's method"
            ));
        }
        if is_paginated_stream(&method) {
            return Err(format!(
                "builder `{name}` has a paginated `stream()`, which calls `send` and yields \
                 progenitor's error; teach xtask/src/typed_send.rs to handle it"
            ));
        }
        if method.sig.ident != "send" {
            items.push(ImplItem::Fn(method));
            continue;
        }
        let success = success_type(&method).ok_or_else(|| {
            format!(
                "`builder::{name}::send` is not {EXPECTED}; progenitor's output changed \
                 shape, update xtask/src/typed_send.rs"
            )
        })?;
        let description: Vec<Attribute> = method
            .attrs
            .iter()
            .filter(|attr| attr.path().is_ident("doc"))
            .cloned()
            .collect();
        let mut typed: ImplItemFn = parse_quote! {
            pub async fn send(self) -> Result<#success, ::sdk_auth::Error> {
                ::sdk_auth::runtime::typed(self.send_raw()).await
            }
        };
        typed.attrs = if description.is_empty() {
            vec![parse_quote!(#[doc = " Sends the request."])]
        } else {
            description
        };
        append_doc(&mut typed.attrs, &SEND_DOC);
        append_doc(&mut method.attrs, &SEND_RAW_DOC);
        method.sig.ident = syn::Ident::new("send_raw", method.sig.ident.span());
        items.push(ImplItem::Fn(method));
        items.push(ImplItem::Fn(typed));
        rewritten = true;
    }
    block.items = items;
    Ok(rewritten.then_some(name))
}

/// Adds `lines` to the doc attributes in `attrs`, after a blank line if there is a doc already.
fn append_doc(attrs: &mut Vec<Attribute>, lines: &[&str]) {
    if attrs.iter().any(|attr| attr.path().is_ident("doc")) {
        attrs.push(parse_quote!(#[doc = ""]));
    }
    attrs.extend(
        lines
            .iter()
            .map(|line| -> Attribute { parse_quote!(#[doc = #line]) }),
    );
}

/// The `ResponseValue<T>` of a `send` of the [`EXPECTED`] shape, or `None` for any other.
fn success_type(method: &ImplItemFn) -> Option<Type> {
    let sig = &method.sig;
    let by_value_self = matches!(
        sig.inputs.first(),
        Some(FnArg::Receiver(receiver)) if matches!(receiver.kind, ReceiverKind::Value)
    );
    if !matches!(method.vis, Visibility::Public(_))
        || sig.asyncness.is_none()
        || !sig.generics.params.is_empty()
        || sig.inputs.len() != 1
        || !by_value_self
    {
        return None;
    }
    let ReturnType::Type(_, output) = &sig.output else {
        return None;
    };
    let [success, error] = generic_types(output, "Result")?;
    generic_types::<1>(success, "ResponseValue")?;
    generic_types::<1>(error, "Error")?;
    Some(success.clone())
}

/// The type arguments of `ty` when it is a path ending in `name<...>` with exactly `N` of them.
fn generic_types<'t, const N: usize>(ty: &'t Type, name: &str) -> Option<[&'t Type; N]> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if path.qself.is_some() || last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    let types: Vec<&Type> = arguments
        .args
        .iter()
        .map(|argument| match argument {
            GenericArgument::Type(ty) => Some(ty),
            _ => None,
        })
        .collect::<Option<_>>()?;
    types.try_into().ok()
}

/// progenitor's paginated `pub fn stream(self) -> impl Stream<...>` (a parameter setter of the
/// same name takes a value and returns `Self`).
fn is_paginated_stream(method: &ImplItemFn) -> bool {
    method.sig.ident == "stream"
        && method.sig.inputs.len() == 1
        && matches!(&method.sig.output, ReturnType::Type(_, ty) if matches!(**ty, Type::ImplTrait(_)))
}

/// The name of the type an `impl` block is for (`ListEversensors` for `ListEversensors<'a>`).
fn type_name(ty: &Type) -> String {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .map(|segment| segment.ident.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A builder module the way progenitor 0.15.1 writes one (shortened), plus the `types`
    /// module's own `builder`, which must be left alone.
    const BUILDERS: &str = r#"
        pub mod types {
            pub mod builder {
                pub struct Sensor { mac: Result<String, String> }
                impl Sensor {
                    pub fn mac<T>(mut self, value: T) -> Self { self }
                }
            }
        }
        pub mod builder {
            use super::{Error, ResponseValue};
            #[derive(Debug, Clone)]
            pub struct GetHealth<'a> {
                client: &'a super::Client,
            }
            impl<'a> GetHealth<'a> {
                pub fn new(client: &'a super::Client) -> Self {
                    Self { client: client }
                }
                #[doc = "Sends a `GET` request to `/ds/v1/health`"]
                pub async fn send(self) -> Result<ResponseValue<types::Health>, Error<types::ApiError>> {
                    let Self { client } = self;
                    todo!()
                }
            }
            pub struct DeleteWebhook<'a> {
                client: &'a super::Client,
            }
            impl<'a> DeleteWebhook<'a> {
                pub async fn send(self) -> Result<ResponseValue<()>, Error<types::ApiError>> {
                    todo!()
                }
            }
        }
    "#;

    fn rewrite(code: &str) -> Result<(String, usize), String> {
        let mut file: syn::File = syn::parse_str(code).expect("valid Rust");
        let n = typed_send(&mut file)?;
        Ok((prettyplease::unparse(&file), n))
    }

    #[test]
    fn renames_send_and_adds_a_typed_one() {
        let (text, n) = rewrite(BUILDERS).expect("rewritten");
        assert_eq!(n, 2, "{text}");
        let expected = r#"pub mod builder {
    use super::{Error, ResponseValue};
    #[derive(Debug, Clone)]
    pub struct GetHealth<'a> {
        client: &'a super::Client,
    }
    impl<'a> GetHealth<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self { client: client }
        }
        ///Sends a `GET` request to `/ds/v1/health`
        ///
        /// Errors are progenitor's raw `progenitor_client::Error`, for those who want it;
        /// `send` gives the SDK's typed `sdk_auth::Error`.
        pub async fn send_raw(
            self,
        ) -> Result<ResponseValue<types::Health>, Error<types::ApiError>> {
            let Self { client } = self;
            todo!()
        }
        ///Sends a `GET` request to `/ds/v1/health`
        ///
        /// Errors are the SDK's typed `sdk_auth::Error` (status, request id, redacted body
        /// excerpt, typed auth error); use `send_raw` for progenitor's error.
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::Health>, ::sdk_auth::Error> {
            ::sdk_auth::runtime::typed(self.send_raw()).await
        }
    }
    pub struct DeleteWebhook<'a> {
        client: &'a super::Client,
    }
    impl<'a> DeleteWebhook<'a> {
        /// Errors are progenitor's raw `progenitor_client::Error`, for those who want it;
        /// `send` gives the SDK's typed `sdk_auth::Error`.
        pub async fn send_raw(
            self,
        ) -> Result<ResponseValue<()>, Error<types::ApiError>> {
            todo!()
        }
        /// Sends the request.
        ///
        /// Errors are the SDK's typed `sdk_auth::Error` (status, request id, redacted body
        /// excerpt, typed auth error); use `send_raw` for progenitor's error.
        pub async fn send(self) -> Result<ResponseValue<()>, ::sdk_auth::Error> {
            ::sdk_auth::runtime::typed(self.send_raw()).await
        }
    }
}
"#;
        let start = text
            .find("pub mod builder {\n    use")
            .expect("the builder module");
        assert_eq!(&text[start..], expected);
        // The `types` module's struct builders are untouched.
        let untouched = prettyplease::unparse(&syn::parse_str(BUILDERS).expect("valid Rust"));
        assert_eq!(&text[..start], &untouched[..start]);
    }

    #[test]
    fn a_builder_module_without_send_fails() {
        let code = BUILDERS.replace("pub async fn send(", "pub async fn dispatch(");
        let err = rewrite(&code).expect_err("no send");
        assert!(err.contains("found no `pub async fn send(self)"), "{err}");
        assert!(err.contains("xtask/src/typed_send.rs"), "{err}");
    }

    #[test]
    fn a_builder_without_send_fails() {
        let code = BUILDERS.replacen("pub async fn send(", "pub async fn dispatch(", 1);
        let err = rewrite(&code).expect_err("GetHealth has no send");
        assert!(err.contains("builder `GetHealth` has no"), "{err}");
    }

    #[test]
    fn a_send_of_another_shape_fails() {
        let shapes = [
            "pub async fn send(self) -> Result<ResponseValue<()>, String>",
            "pub async fn send(self) -> Result<(), Error<types::ApiError>>",
            "pub async fn send(self) -> ResponseValue<()>",
            "pub async fn send(&self) -> Result<ResponseValue<()>, Error<types::ApiError>>",
            "pub fn send(self) -> Result<ResponseValue<()>, Error<types::ApiError>>",
        ];
        for shape in shapes {
            let code = BUILDERS.replace(
                "pub async fn send(self) -> Result<ResponseValue<()>, Error<types::ApiError>>",
                shape,
            );
            let err = rewrite(&code).expect_err(shape);
            assert!(
                err.contains("`builder::DeleteWebhook::send` is not `pub async fn send(self)"),
                "{shape}: {err}"
            );
        }
    }

    #[test]
    fn an_existing_send_raw_or_a_paginated_stream_fails() {
        let code = BUILDERS.replace(
            "pub fn new(client",
            "pub fn send_raw<V>(mut self, value: V) -> Self { self }\n pub fn new(client",
        );
        let err = rewrite(&code).expect_err("send_raw taken");
        assert!(err.contains("already has a `send_raw`"), "{err}");

        let code = BUILDERS.replace(
            "pub fn new(client",
            "pub fn stream(self) -> impl futures::Stream<Item = Result<u8, Error<()>>> + Unpin + 'a { todo!() }\n pub fn new(client",
        );
        let err = rewrite(&code).expect_err("stream");
        assert!(err.contains("paginated `stream()`"), "{err}");
    }

    #[test]
    fn an_empty_builder_module_is_fine_and_a_missing_one_fails() {
        let (_, n) = rewrite("pub mod builder { use super::types; }").expect("nothing to do");
        assert_eq!(n, 0);
        let err = rewrite("pub mod types {}").expect_err("no builder module");
        assert!(err.contains("no `mod builder`"), "{err}");
    }
}
