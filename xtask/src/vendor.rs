//! The table of vendors `cargo xtask regen` knows, and how each one is generated.
//!
//! Adding a vendor means adding one entry to [`VENDORS`]. Everything that differs between
//! vendors (specs, output files, fixups, inner type, derives, type replacements, tag style,
//! typed mocks) is a field here; the conventions shared by every SDK in the workspace live in
//! `generate.rs`.
//!
//! A vendor without a published spec (EverReal) is described by hand-written Rust models
//! instead: its [`Source::Schemars`] module writes the models' JSON Schemas, so the models
//! stay the single source of truth and `--check` catches a model changed without its schema.
//!
//! A vendor whose API is split over several documents (IoTConnect: one per service, each on
//! its own host) lists one [`Module`] per document. Every module runs through the same
//! pipeline and is covered by `--check`; nothing in `main.rs` or `generate.rs` special-cases
//! the count.

use progenitor::{TagStyle, TypeImpl};

use crate::fixups::{self, Fixup};

/// One SDK whose code is generated and committed.
pub struct Vendor {
    /// The name used with `--only` and in every message.
    pub name: &'static str,
    /// The generated modules, in order: one per source document. At least one.
    pub modules: &'static [Module],
}

/// One generated client module and the document it comes from.
pub struct Module {
    /// The generated client, relative to the workspace root; for [`Source::Schemars`], the
    /// folder the schema files go to.
    pub output: &'static str,
    /// Where the code comes from.
    pub source: Source,
}

#[cfg(test)]
impl Vendor {
    /// Every file generated for this vendor, relative to the workspace root: module by module,
    /// each client before its typed mocks.
    pub fn outputs(&self) -> Vec<&'static str> {
        self.modules.iter().flat_map(Module::outputs).collect()
    }
}

#[cfg(test)]
impl Module {
    /// The files generated for this module: the client, then its typed mocks if any.
    pub fn outputs(&self) -> Vec<&'static str> {
        let mut outputs = vec![self.output];
        match &self.source {
            Source::OpenApi(src) => outputs.extend(src.httpmock.as_ref().map(|m| m.output)),
            // One file per model, named by the SDK; the folder stands for them.
            Source::Schemars(_) => {}
        }
        outputs
    }
}

/// What a vendor's code is generated from. Each variant has its own arm in
/// `generate::generate_module`; `main.rs` sees only the outputs.
pub enum Source {
    /// An OpenAPI 3.0 document generated into a client with progenitor.
    OpenApi(OpenApiSource),
    /// Hand-written Rust models (serde + `schemars::JsonSchema`) whose JSON Schemas are
    /// written under `specs/`, one file per root model.
    Schemars(SchemarsSource),
}

/// The JSON Schemas of a vendor's hand-written models.
pub struct SchemarsSource {
    /// Every root model's schema with its file stem (`users_me` for `users_me.json`), from
    /// the SDK crate, in the order the SDK lists them.
    pub schemas: fn() -> Vec<(&'static str, schemars::Schema)>,
    /// Data documents written next to the schemas, by file stem (ExtraView's command
    /// catalogue), so a change of them shows in review and `--check` too.
    pub documents: fn() -> Vec<(&'static str, serde_json::Value)>,
}

/// For a vendor whose models are the whole source.
pub fn no_documents() -> Vec<(&'static str, serde_json::Value)> {
    Vec::new()
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
    /// Where the helpers find the client's `types`, as a Rust path from the mock crate: the
    /// SDK crate (`everactive_sdk`) or the module of one service (`iotconnect_sdk::device`).
    pub sdk_path: &'static str,
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
    /// The trait every `...Envelope` type implements (a Rust path from the generated module),
    /// for a vendor that wraps its answers; `None` for none. See `envelopes.rs`.
    pub envelope_trait: Option<&'static str>,
    /// Whether every struct field also decodes with the first letter of its name in the other
    /// case, for a vendor whose key casing is unsteady. See `case_aliases.rs`.
    pub case_aliases: bool,
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
pub const VENDORS: &[Vendor] = &[
    Vendor {
        name: "everactive",
        modules: &[Module {
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
                    envelope_trait: None,
                    case_aliases: false,
                },
                httpmock: Some(HttpMock {
                    output: "crates/everactive-sdk-httpmock/src/generated.rs",
                    sdk_path: "everactive_sdk",
                }),
            }),
        }],
    },
    Vendor {
        name: "iotconnect",
        modules: &[
            iotconnect_module(
                "specs/iotconnect/auth.yaml",
                "crates/iotconnect-sdk/src/generated/auth.rs",
                HttpMock {
                    output: "crates/iotconnect-sdk-httpmock/src/generated/auth.rs",
                    sdk_path: "iotconnect_sdk::auth",
                },
                // Only the token exchanges are tagged `auth`: the SDK's sign-in flow performs
                // them by hand. Token verification stays, since it runs with the bearer token.
                &[fixups::DROP_AUTH_OPERATIONS, fixups::ALLOW_UNKNOWN_FIELDS],
                &[],
            ),
            iotconnect_module(
                "specs/iotconnect/device.yaml",
                "crates/iotconnect-sdk/src/generated/device.rs",
                HttpMock {
                    output: "crates/iotconnect-sdk-httpmock/src/generated/device.rs",
                    sdk_path: "iotconnect_sdk::device",
                },
                &[fixups::ALLOW_UNKNOWN_FIELDS],
                &[],
            ),
            iotconnect_module(
                "specs/iotconnect/user.yaml",
                "crates/iotconnect-sdk/src/generated/user.rs",
                HttpMock {
                    output: "crates/iotconnect-sdk-httpmock/src/generated/user.rs",
                    sdk_path: "iotconnect_sdk::user",
                },
                &[fixups::ALLOW_UNKNOWN_FIELDS],
                &[Replacement {
                    // A new user's initial password. A generated `String` would show in the
                    // derived `Debug` of the request and its builder; the hand-written type
                    // redacts it and serializes the value as sent.
                    schema: "NewUserPassword",
                    rust_type: "crate::SecretText",
                    impls: &[],
                }],
            ),
            iotconnect_module(
                "specs/iotconnect/telemetry.yaml",
                "crates/iotconnect-sdk/src/generated/telemetry.rs",
                HttpMock {
                    output: "crates/iotconnect-sdk-httpmock/src/generated/telemetry.rs",
                    sdk_path: "iotconnect_sdk::telemetry",
                },
                &[fixups::ALLOW_UNKNOWN_FIELDS],
                &[],
            ),
        ],
    },
    Vendor {
        name: "everreal",
        modules: &[Module {
            // EverReal publishes no OpenAPI document: the SDK's models are the source, and
            // their schemas are written here for review and for other tools.
            output: "specs/everreal",
            source: Source::Schemars(SchemarsSource {
                schemas: everreal_sdk::schemas,
                documents: no_documents,
            }),
        }],
    },
    Vendor {
        name: "extraview",
        modules: &[Module {
            // ExtraView publishes no schema, and its one RPC endpoint answers text and XML:
            // the SDK's models and its command catalogue are the source, written here.
            output: "specs/extraview",
            source: Source::Schemars(SchemarsSource {
                schemas: extraview_sdk::schemas,
                documents: extraview_sdk::documents,
            }),
        }],
    },
];

/// One IoTConnect service: every service shares the settings, only the document, the outputs
/// (client and typed mocks) and the fixups differ.
const fn iotconnect_module(
    spec: &'static str,
    output: &'static str,
    httpmock: HttpMock,
    fixups: &'static [Fixup],
    replacements: &'static [Replacement],
) -> Module {
    Module {
        output,
        source: Source::OpenApi(OpenApiSource {
            spec,
            fixups,
            codegen: Codegen {
                // The shared auth handle, as for Everactive: bearer token, retries, tracing.
                inner_type: Some("sdk_auth::Auth"),
                derives: &["PartialEq"],
                replacements,
                tags: TagStyle::Merged,
                // `{data, status, message, count}` around nearly every answer: the SDK unwraps
                // every one through this trait.
                envelope_trait: Some("crate::envelope::Envelope"),
                // `IsAcquired` next to `isAcquired`, `DataType` next to `dataType`.
                case_aliases: true,
            },
            httpmock: Some(httpmock),
        }),
    }
}

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

    /// The OpenAPI source of a module that must have one.
    fn openapi(module: &Module) -> &OpenApiSource {
        match &module.source {
            Source::OpenApi(src) => src,
            Source::Schemars(_) => panic!("{} is not generated from a spec", module.output),
        }
    }

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
        assert_eq!(
            err,
            "unknown vendor `nope`; known vendors: everactive, iotconnect, everreal, extraview"
        );
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
            assert!(!a.modules.is_empty(), "{}: no module", a.name);
            for module in a.modules {
                if let Source::OpenApi(src) = &module.source {
                    assert!(
                        !src.spec.starts_with('/'),
                        "{}: spec must be relative",
                        a.name
                    );
                }
            }
            for b in &VENDORS[i + 1..] {
                assert_ne!(a.name, b.name);
            }
        }
    }

    #[test]
    fn everactive_ships_typed_mocks_in_their_own_crate() {
        let vendor = everactive();
        let [module] = vendor.modules else {
            panic!("everactive has a single spec");
        };
        let src = openapi(module);
        let mock = src.httpmock.as_ref().expect("everactive opts in");
        assert_eq!(
            mock.output,
            "crates/everactive-sdk-httpmock/src/generated.rs"
        );
        assert_eq!(mock.sdk_path, "everactive_sdk");
        assert_eq!(vendor.outputs(), [module.output, mock.output]);
    }

    #[test]
    fn everactive_runs_its_fixups_in_order() {
        // Removing a fixup from the table must fail a test, not only removing the function.
        let src = openapi(&everactive().modules[0]);
        let names: Vec<&str> = src.fixups.iter().map(|f| f.name).collect();
        assert_eq!(names, ["drop_auth_operations", "allow_unknown_fields"]);
    }

    #[test]
    fn everactive_codegen_settings() {
        let src = openapi(&everactive().modules[0]);
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

    #[test]
    fn everreal_writes_the_schemas_of_its_models() {
        let vendor = VENDORS
            .iter()
            .find(|v| v.name == "everreal")
            .expect("everreal is in the table");
        let [module] = vendor.modules else {
            panic!("everreal has one set of models");
        };
        assert_eq!(module.output, "specs/everreal");
        let Source::Schemars(src) = &module.source else {
            panic!("everreal publishes no spec: its models are the source");
        };
        let names: Vec<&str> = (src.schemas)().iter().map(|(name, _)| *name).collect();
        for expected in ["users_me", "webhook_delivery", "unit_input", "tenant_input"] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
    }

    #[test]
    fn extraview_writes_its_schemas_and_its_command_catalogue() {
        let vendor = VENDORS
            .iter()
            .find(|v| v.name == "extraview")
            .expect("extraview is in the table");
        let [module] = vendor.modules else {
            panic!("extraview has one set of models");
        };
        assert_eq!(module.output, "specs/extraview");
        let Source::Schemars(src) = &module.source else {
            panic!("extraview publishes no spec: its models are the source");
        };
        let names: Vec<&str> = (src.schemas)().iter().map(|(name, _)| *name).collect();
        for expected in ["access_token", "record", "search_page", "heartbeat"] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
        let documents = (src.documents)();
        assert_eq!(
            documents.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
            ["commands"]
        );
    }

    fn iotconnect() -> &'static Vendor {
        VENDORS
            .iter()
            .find(|v| v.name == "iotconnect")
            .expect("iotconnect is in the table")
    }

    #[test]
    fn iotconnect_lists_one_module_per_service() {
        let vendor = iotconnect();
        let pairs: Vec<(&str, &str)> = vendor
            .modules
            .iter()
            .map(|m| (openapi(m).spec, m.output))
            .collect();
        assert_eq!(
            pairs,
            [
                (
                    "specs/iotconnect/auth.yaml",
                    "crates/iotconnect-sdk/src/generated/auth.rs"
                ),
                (
                    "specs/iotconnect/device.yaml",
                    "crates/iotconnect-sdk/src/generated/device.rs"
                ),
                (
                    "specs/iotconnect/user.yaml",
                    "crates/iotconnect-sdk/src/generated/user.rs"
                ),
                (
                    "specs/iotconnect/telemetry.yaml",
                    "crates/iotconnect-sdk/src/generated/telemetry.rs"
                ),
            ]
        );
        // Each client is followed by its typed mocks, in the mock crate, from the same module.
        for module in vendor.modules {
            let src = openapi(module);
            let mock = src.httpmock.as_ref().expect("every service ships mocks");
            let service = module.output.rsplit('/').next().expect("a file name");
            assert_eq!(
                mock.output,
                format!("crates/iotconnect-sdk-httpmock/src/generated/{service}")
            );
            assert_eq!(
                mock.sdk_path,
                format!("iotconnect_sdk::{}", service.trim_end_matches(".rs"))
            );
        }
        assert_eq!(vendor.outputs().len(), 8);
    }

    #[test]
    fn iotconnect_modules_share_the_settings_and_drop_auth_only_in_auth() {
        for module in iotconnect().modules {
            let src = openapi(module);
            assert_eq!(
                src.codegen.inner_type,
                Some("sdk_auth::Auth"),
                "{}",
                src.spec
            );
            assert_eq!(src.codegen.derives, ["PartialEq"], "{}", src.spec);
            let replaced: Vec<(&str, &str)> = src
                .codegen
                .replacements
                .iter()
                .map(|r| (r.schema, r.rust_type))
                .collect();
            let expected: &[(&str, &str)] = if src.spec.ends_with("/user.yaml") {
                &[("NewUserPassword", "crate::SecretText")]
            } else {
                &[]
            };
            assert_eq!(replaced, expected, "{}", src.spec);
            assert_eq!(
                src.codegen.envelope_trait,
                Some("crate::envelope::Envelope"),
                "{}",
                src.spec
            );
            assert!(src.codegen.case_aliases, "{}", src.spec);
            let names: Vec<&str> = src.fixups.iter().map(|f| f.name).collect();
            let expected: &[&str] = if src.spec.ends_with("/auth.yaml") {
                &["drop_auth_operations", "allow_unknown_fields"]
            } else {
                &["allow_unknown_fields"]
            };
            assert_eq!(names, expected, "{}", src.spec);
        }
    }

    #[test]
    fn outputs_follow_module_order() {
        const fn mock(output: &'static str) -> HttpMock {
            HttpMock {
                output,
                sdk_path: "sdk",
            }
        }
        const TWO: &[Module] = &[
            iotconnect_module("a.yaml", "out/a.rs", mock("out/a_mock.rs"), &[], &[]),
            iotconnect_module("b.yaml", "out/b.rs", mock("out/b_mock.rs"), &[], &[]),
        ];
        let vendor = Vendor {
            name: "two",
            modules: TWO,
        };
        assert_eq!(
            vendor.outputs(),
            ["out/a.rs", "out/a_mock.rs", "out/b.rs", "out/b_mock.rs"]
        );
    }
}
