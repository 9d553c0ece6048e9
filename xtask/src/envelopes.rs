//! Implements a vendor's envelope trait for every generated envelope type.
//!
//! IoTConnect wraps nearly every answer in `{data, status, message, count}`. OpenAPI 3.0 has no
//! generics, so the spec declares one `...Envelope` schema per payload, and progenitor makes
//! one struct of each. The SDK unwraps them all the same way, through one trait (for
//! IoTConnect, `iotconnect_sdk::envelope::Envelope`) whose only per-type fact is the type of
//! `data`. That fact is in the generated struct, so this pass writes the impls from it: a new
//! envelope in the spec gets its impl at the next regen, and none can be forgotten.
//!
//! Each impl also builds a successful answer around a `data` (`from_data`), which the typed
//! mocks use; it needs the struct's `Default`, which typify derives when every field is
//! optional, as every envelope field is.
//!
//! A struct counts as an envelope when its name ends in `Envelope`. Its `data` field must be an
//! `Option<_>` (every envelope field is nullable); `count`, `status` and `message`, when
//! present, must be `Option<i64>`, `Option<i64>` and `Option<String>`. A struct of another shape
//! fails generation, naming it, rather than being skipped.

use syn::{
    Expr, Fields, GenericArgument, Item, ItemStruct, Path, PathArguments, Type, parse_quote,
};

/// The module progenitor puts the schema types in.
const TYPES_MODULE: &str = "types";

/// Appends `impl <trait_path> for <Envelope>` to the `types` module, one per envelope struct,
/// and returns how many it wrote. Fails when `trait_path` is not a Rust path, when there is no
/// `types` module, or when an envelope has an unexpected shape.
pub fn envelope_impls(file: &mut syn::File, trait_path: &str) -> Result<usize, String> {
    let trait_path = syn::parse_str::<Path>(trait_path)
        .map_err(|e| format!("`{trait_path}` is not a Rust path: {e}"))?;
    let types = crate::typed_send::module_items(file, TYPES_MODULE)
        .ok_or_else(|| format!("no `{TYPES_MODULE}` module to put envelope impls in"))?;
    let impls = types
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) if s.ident.to_string().ends_with("Envelope") => Some(s),
            _ => None,
        })
        .map(|s| envelope_impl(s, &trait_path))
        .collect::<Result<Vec<Item>, String>>()?;
    let written = impls.len();
    types.extend(impls);
    Ok(written)
}

/// The impl for one envelope struct.
fn envelope_impl(envelope: &ItemStruct, trait_path: &Path) -> Result<Item, String> {
    let name = &envelope.ident;
    let Fields::Named(fields) = &envelope.fields else {
        return Err(format!("envelope `{name}` has no named fields"));
    };
    let field = |wanted: &str| {
        fields
            .named
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == wanted))
    };
    let data = field("data").ok_or_else(|| format!("envelope `{name}` has no `data` field"))?;
    let data_type = option_inner(&data.ty).ok_or_else(|| {
        format!("envelope `{name}`: `data` is not an `Option<_>`; make it nullable in the spec")
    })?;
    for (member, wanted) in [("count", "i64"), ("status", "i64"), ("message", "String")] {
        if let Some(f) = field(member)
            && !option_inner(&f.ty).is_some_and(|t| last_ident_is(t, wanted))
        {
            return Err(format!(
                "envelope `{name}`: `{member}` is not an `Option<{wanted}>`"
            ));
        }
    }
    let get = |member: &str, present: Expr| -> Expr {
        if field(member).is_some() {
            present
        } else {
            parse_quote!(::std::option::Option::None)
        }
    };
    let count = get("count", parse_quote!(self.count));
    let status = get("status", parse_quote!(self.status));
    let message = get("message", parse_quote!(self.message.as_deref()));
    // What a successful answer says besides `data`; `count` is left to the caller, since
    // its meaning differs between operations.
    let mut success: Vec<syn::FieldValue> =
        vec![parse_quote!(data: ::std::option::Option::Some(data))];
    if field("status").is_some() {
        success.push(parse_quote!(status: ::std::option::Option::Some(200)));
    }
    if field("message").is_some() {
        success.push(parse_quote!(message: ::std::option::Option::Some("Success".to_owned())));
    }
    Ok(parse_quote! {
        impl #trait_path for #name {
            type Data = #data_type;
            fn into_data(self) -> ::std::option::Option<Self::Data> {
                self.data
            }
            fn count(&self) -> ::std::option::Option<i64> {
                #count
            }
            fn status(&self) -> ::std::option::Option<i64> {
                #status
            }
            fn message(&self) -> ::std::option::Option<&str> {
                #message
            }
            fn from_data(data: Self::Data) -> Self {
                Self { #(#success,)* ..::std::default::Default::default() }
            }
        }
    })
}

/// Whether `ty` is a plain path ending in `ident` (`i64`, `::std::string::String`).
fn last_ident_is(ty: &Type, ident: &str) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == ident && s.arguments.is_none()))
}

/// `T` of `Option<T>`, written as typify writes it (`::std::option::Option<T>`) or bare.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(code: &str) -> Result<(usize, String), String> {
        let mut file: syn::File = syn::parse_str(code).expect("valid Rust");
        let written = envelope_impls(&mut file, "crate::envelope::Envelope")?;
        Ok((written, prettyplease::unparse(&file)))
    }

    #[test]
    fn every_envelope_gets_an_impl_with_its_data_type() {
        let (written, code) = run("pub mod types {
                pub struct DeviceListEnvelope {
                    pub count: ::std::option::Option<i64>,
                    pub data: ::std::option::Option<::std::vec::Vec<DeviceListItem>>,
                    pub message: ::std::option::Option<::std::string::String>,
                    pub status: ::std::option::Option<i64>,
                }
                pub struct TokenEnvelope {
                    pub data: ::std::option::Option<::std::string::String>,
                }
                pub struct DeviceListItem { pub guid: ::std::option::Option<String> }
            }")
        .expect("valid envelopes");
        assert_eq!(written, 2, "{code}");
        assert!(code.contains("impl crate::envelope::Envelope for DeviceListEnvelope"));
        assert!(code.contains("type Data = ::std::vec::Vec<DeviceListItem>;"));
        assert!(code.contains("self.message.as_deref()"), "{code}");
        assert!(code.contains("impl crate::envelope::Envelope for TokenEnvelope"));
        assert!(code.contains("type Data = ::std::string::String;"));
        assert!(
            code.contains("status: ::std::option::Option::Some(200)"),
            "{code}"
        );
        // Members the schema lacks read as absent.
        assert_eq!(
            code.matches("::std::option::Option::None").count(),
            3,
            "{code}"
        );
        assert!(!code.contains("for DeviceListItem"));
    }

    #[test]
    fn an_envelope_of_another_shape_fails_naming_it() {
        let no_data = run("pub mod types { pub struct AEnvelope { pub count: Option<i64> } }");
        assert!(
            no_data
                .expect_err("no data")
                .contains("`AEnvelope` has no `data`")
        );
        let required = run("pub mod types { pub struct BEnvelope { pub data: Vec<u8> } }");
        assert!(required.expect_err("not optional").contains("nullable"));
        let count = run(
            "pub mod types { pub struct CEnvelope { pub data: Option<u8>, pub count: Option<String> } }",
        );
        assert!(
            count
                .expect_err("wrong count")
                .contains("`count` is not an `Option<i64>`")
        );
        let missing = run("pub mod other {}");
        assert!(missing.expect_err("no types").contains("no `types` module"));
    }
}
