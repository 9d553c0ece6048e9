//! The table of vendors `cargo xtask regen` knows, and how each one is generated.
//!
//! Adding a vendor means adding one entry to [`VENDORS`]. Everything that differs between
//! vendors (spec, output files, fixups, inner type, derives, type replacements, tag style,
//! typed mocks) is a field here; the conventions shared by every SDK in the workspace live in
//! `generate.rs`.

use progenitor::{TagStyle, TypeImpl};

use crate::fixups::{self, Fixup};

/// One SDK whose code is generated and committed.
pub struct Vendor {
    /// The name used with `--only` and in every message.
    pub name: &'static str,
    /// The generated client, relative to the workspace root.
    pub output: &'static str,
    /// Where the code comes from.
    pub source: Source,
}

#[cfg(test)]
impl Vendor {
    /// Every file generated for this vendor, relative to the workspace root: the client first.
    pub fn outputs(&self) -> Vec<&'static str> {
        let mut outputs = vec![self.output];
        match &self.source {
            Source::OpenApi(src) => outputs.extend(src.httpmock.as_ref().map(|m| m.output)),
        }
        outputs
    }
}

/// What a vendor's code is generated from.
///
/// Only OpenAPI specs exist today. Vendors without a published spec (everreal, extraview) are
/// planned to be described by schemars models instead; they become a second variant here,
/// with its own arm in `generate::generate`, without touching the OpenAPI path.
pub enum Source {
    /// An OpenAPI 3.0 document generated into a client with progenitor.
    OpenApi(OpenApiSource),
}

/// An OpenAPI spec plus everything progenitor needs to turn it into this vendor's client.
pub struct OpenApiSource {
    /// The vendored spec (`.yaml`, `.yml` or `.json`), relative to the workspace root.
    pub spec: &'static str,
    /// Edits applied, in this order, to the parsed spec before generation.
    pub fixups: &'static [Fixup],
    /// The vendor-specific progenitor settings.
    pub codegen: Codegen,
    /// Typed httpmock helpers generated from the same spec, for a vendor that ships them.
    pub httpmock: Option<HttpMock>,
}

/// progenitor's typed httpmock helpers (a `MockServerExt` trait with one `When`/`Then` pair per
/// operation), written to a crate of their own next to the SDK, as oxide.rs ships
/// `oxide-httpmock`.
///
/// They are generated with the client's settings, so every type they name is the SDK's.
pub struct HttpMock {
    /// The generated file, relative to the workspace root.
    pub output: &'static str,
    /// The SDK crate the helpers use, as a Rust path from the mock crate (`everactive_sdk`).
    pub sdk_crate: &'static str,
}

/// The progenitor settings that may differ between vendors.
pub struct Codegen {
    /// `Client`'s inner type (a Rust path), reachable from the client hooks; `None` for none.
    pub inner_type: Option<&'static str>,
    /// Extra derives on every generated type, on top of progenitor's own.
    pub derives: &'static [&'static str],
    /// Component schemas replaced by hand-written types.
    pub replacements: &'static [Replacement],
    /// How OpenAPI tags shape the client: one `impl Client`, or one extension trait per tag.
    pub tags: TagStyle,
}

/// A component schema that progenitor must not generate; a hand-written type is used instead.
pub struct Replacement {
    /// The schema's name under `components.schemas`.
    pub schema: &'static str,
    /// The Rust path of the replacement type, as seen from the generated module.
    pub rust_type: &'static str,
    /// The traits the replacement implements, so generated code may rely on them.
    pub impls: &'static [TypeImpl],
}

/// Every vendor, in the order they are processed.
pub const VENDORS: &[Vendor] = &[Vendor {
    name: "everactive",
    output: "crates/everactive-sdk/src/generated.rs",
    source: Source::OpenApi(OpenApiSource {
        spec: "specs/everactive/openapi.yaml",
        fixups: &[fixups::DROP_AUTH_OPERATIONS, fixups::ALLOW_UNKNOWN_FIELDS],
        codegen: Codegen {
            // The shared auth handle: bearer tokens, retries and tracing run in the hooks.
            inner_type: Some("sdk_auth::Auth"),
            // Lets users compare responses and write `assert_eq!` in their tests.
            derives: &["PartialEq"],
            replacements: &[
                Replacement {
                    // Webhook event types grow over time. A generated enum is closed and would
                    // reject new values, so the SDK hand-writes an open enum with an unknown
                    // case.
                    schema: "WebhookEventType",
                    rust_type: "crate::WebhookEventType",
                    impls: &[TypeImpl::Display, TypeImpl::FromStr],
                },
                Replacement {
                    // The header value is the shared secret receivers check. A generated
                    // struct derives `Debug` and would print it; the hand-written one redacts.
                    schema: "WebhookHeader",
                    rust_type: "crate::WebhookHeader",
                    impls: &[],
                },
            ],
            tags: TagStyle::Merged,
        },
        httpmock: Some(HttpMock {
            output: "crates/everactive-sdk-httpmock/src/generated.rs",
            sdk_crate: "everactive_sdk",
        }),
    }),
}];

/// Picks the vendors to process: all of them, or the ones named with `--only`.
///
/// An unknown name is an error that lists the known names, so a typo is easy to fix.
pub fn select<'a>(vendors: &'a [Vendor], only: &[String]) -> Result<Vec<&'a Vendor>, String> {
    if only.is_empty() {
        return Ok(vendors.iter().collect());
    }
    only.iter()
        .map(|name| {
            vendors.iter().find(|v| v.name == name).ok_or_else(|| {
                let known: Vec<&str> = vendors.iter().map(|v| v.name).collect();
                format!(
                    "unknown vendor `{name}`; known vendors: {}",
                    known.join(", ")
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn everactive() -> &'static Vendor {
        VENDORS
            .iter()
            .find(|v| v.name == "everactive")
            .expect("everactive is in the table")
    }

    #[test]
    fn select_all_by_default() {
        let names: Vec<&str> = select(VENDORS, &[])
            .expect("no filter")
            .iter()
            .map(|v| v.name)
            .collect();
        assert_eq!(names, VENDORS.iter().map(|v| v.name).collect::<Vec<_>>());
    }

    #[test]
    fn select_only_one() {
        let picked = select(VENDORS, &["everactive".to_owned()]).expect("known vendor");
        assert_eq!(picked.len(), 1);
        assert_eq!(picked[0].name, "everactive");
    }

    #[test]
    fn select_unknown_vendor_lists_the_known_ones() {
        let Err(err) = select(VENDORS, &["nope".to_owned()]) else {
            panic!("`nope` must be rejected");
        };
        assert_eq!(err, "unknown vendor `nope`; known vendors: everactive");
    }

    #[test]
    fn names_and_outputs_are_unique_and_relative() {
        let mut outputs = Vec::new();
        for (i, a) in VENDORS.iter().enumerate() {
            for output in a.outputs() {
                assert!(
                    !output.starts_with('/'),
                    "{}: output {output} must be relative",
                    a.name
                );
                assert!(
                    !outputs.contains(&output),
                    "{}: {output} is written twice",
                    a.name
                );
                outputs.push(output);
            }
            let Source::OpenApi(src) = &a.source;
            assert!(
                !src.spec.starts_with('/'),
                "{}: spec must be relative",
                a.name
            );
            for b in &VENDORS[i + 1..] {
                assert_ne!(a.name, b.name);
            }
        }
    }

    #[test]
    fn everactive_ships_typed_mocks_in_their_own_crate() {
        let vendor = everactive();
        let Source::OpenApi(src) = &vendor.source;
        let mock = src.httpmock.as_ref().expect("everactive opts in");
        assert_eq!(
            mock.output,
            "crates/everactive-sdk-httpmock/src/generated.rs"
        );
        assert_eq!(mock.sdk_crate, "everactive_sdk");
        assert_eq!(vendor.outputs(), [vendor.output, mock.output]);
    }

    #[test]
    fn everactive_runs_its_fixups_in_order() {
        // Removing a fixup from the table must fail a test, not only removing the function.
        let Source::OpenApi(src) = &everactive().source;
        let names: Vec<&str> = src.fixups.iter().map(|f| f.name).collect();
        assert_eq!(names, ["drop_auth_operations", "allow_unknown_fields"]);
    }

    #[test]
    fn everactive_codegen_settings() {
        let Source::OpenApi(src) = &everactive().source;
        assert_eq!(src.spec, "specs/everactive/openapi.yaml");
        assert_eq!(src.codegen.inner_type, Some("sdk_auth::Auth"));
        assert_eq!(src.codegen.derives, ["PartialEq"]);
        let [event_type, header] = src.codegen.replacements else {
            panic!("exactly two replacements expected");
        };
        assert_eq!(event_type.schema, "WebhookEventType");
        assert_eq!(event_type.rust_type, "crate::WebhookEventType");
        assert_eq!(event_type.impls, [TypeImpl::Display, TypeImpl::FromStr]);
        assert_eq!(header.schema, "WebhookHeader");
        assert_eq!(header.rust_type, "crate::WebhookHeader");
        assert_eq!(header.impls, []);
    }
}
