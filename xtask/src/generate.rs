//! The generation pipeline for one vendor, entirely in memory.
//!
//! spec text -> `serde_json::Value` -> fixups -> `openapiv3::OpenAPI` -> progenitor tokens ->
//! `syn::File` -> code passes -> prettyplease -> banner -> rustfmt. Nothing here touches the output file, so
//! `--check` and a normal run share every step, and the result only depends on the inputs
//! (no timestamps, no absolute paths): two runs give the same bytes.
//!
//! A vendor described by hand-written models ([`Source::Schemars`]) takes another path: the
//! SDK hands over each root model's schema, and each becomes a pretty-printed JSON file with
//! sorted keys and a final newline (see [`generate_schemas`]).
//!
//! A vendor with typed mocks gets a second output from the same `OpenAPI` value and the same
//! settings: progenitor's httpmock helpers, with the passes of `mocks.rs` instead of the
//! client's, then the same printing, banner and rustfmt.

use std::ffi::OsString;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::process::{Command, Stdio};
use std::{env, fs, thread};

use openapiv3::OpenAPI;
use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use serde_json::Value;

use crate::error::{Error, Step};
use crate::vendor::{Codegen, HttpMock, Module, OpenApiSource, SchemarsSource, Source, Vendor};

/// How rustfmt failures are shown: its stderr, cut to this many lines.
const MAX_RUSTFMT_ERROR_LINES: usize = 20;

/// One generated file: where it goes and what it holds.
#[derive(Debug)]
pub struct Output {
    /// The file, relative to the workspace root.
    pub path: String,
    /// Its complete content.
    pub code: String,
}

/// Generates every output file of `vendor` (module by module, each client before its mocks),
/// reading its inputs below `root`.
pub fn generate(root: &Path, vendor: &Vendor) -> Result<Vec<Output>, Error> {
    let mut outputs = Vec::new();
    for module in vendor.modules {
        outputs.extend(generate_module(root, vendor.name, module)?);
    }
    Ok(outputs)
}

/// Generates the files of one module: its client, then its typed mocks if it ships them.
fn generate_module(
    root: &Path,
    vendor: &'static str,
    module: &Module,
) -> Result<Vec<Output>, Error> {
    match &module.source {
        Source::OpenApi(src) => {
            let text = fs::read_to_string(root.join(src.spec))
                .map_err(|e| Error::new(vendor, Step::ReadSpec, format!("{}: {e}", src.spec)))?;
            let generated = generate_openapi(vendor, src, &text, root)?;
            let mut outputs = vec![Output {
                path: module.output.to_owned(),
                code: generated.client,
            }];
            if let (Some(mock), Some(code)) = (&src.httpmock, generated.httpmock) {
                outputs.push(Output {
                    path: mock.output.to_owned(),
                    code,
                });
            }
            Ok(outputs)
        }
        Source::Schemars(src) => generate_schemas(root, vendor, module.output, src),
    }
}

/// The JSON Schema files of a vendor's models, and its data documents (ExtraView's command
/// catalogue), `<dir>/<stem>.json` each: keys sorted (so the
/// bytes do not depend on serde_json's `preserve_order` feature), two-space indentation, a
/// final newline.
///
/// A `.json` file in `dir` that no model writes any more fails generation, naming it: a
/// renamed or removed model must not leave a stale schema behind that `--check` would never
/// look at. Other files (the folder's README) are left alone.
pub fn generate_schemas(
    root: &Path,
    vendor: &'static str,
    dir: &'static str,
    src: &SchemarsSource,
) -> Result<Vec<Output>, Error> {
    let fail = |detail: String| Error::new(vendor, Step::Schemas, detail);
    let mut outputs: Vec<Output> = Vec::new();
    let schemas = (src.schemas)();
    if schemas.is_empty() {
        return Err(fail("the SDK lists no model".to_owned()));
    }
    let schemas = schemas.into_iter().map(|(stem, s)| (stem, s.to_value()));
    for (stem, mut value) in schemas.chain((src.documents)()) {
        let valid = !stem.is_empty()
            && stem
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err(fail(format!(
                "schema name {stem:?} is not a file stem of lowercase letters, digits and `_`"
            )));
        }
        let path = format!("{dir}/{stem}.json");
        if outputs.iter().any(|o| o.path == path) {
            return Err(fail(format!("two models are named `{stem}`")));
        }
        value.sort_all_objects();
        let mut code =
            serde_json::to_string_pretty(&value).map_err(|e| fail(format!("{path}: {e}")))?;
        code.push('\n');
        outputs.push(Output { path, code });
    }
    if let Ok(entries) = fs::read_dir(root.join(dir)) {
        let mut orphans: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|name| name.ends_with(".json"))
            .map(|name| format!("{dir}/{name}"))
            .filter(|path| outputs.iter().all(|o| &o.path != path))
            .collect();
        orphans.sort();
        if !orphans.is_empty() {
            return Err(fail(format!(
                "{} belong to no model; delete them, or list their models in the SDK's `schemas()`",
                orphans.join(", ")
            )));
        }
    }
    Ok(outputs)
}

/// The code generated from one OpenAPI spec.
#[derive(Debug)]
pub struct Generated {
    /// The client module.
    pub client: String,
    /// The typed httpmock helpers, when the vendor ships them.
    pub httpmock: Option<String>,
}

/// Runs the OpenAPI pipeline on `text`, the contents of `src.spec`: the client, then the typed
/// mocks if `src` asks for them. Both come from the same fixed-up spec and the same settings.
///
/// `root` is the workspace root; rustfmt runs there so it picks up the same configuration
/// as `cargo fmt`.
pub fn generate_openapi(
    vendor: &'static str,
    src: &OpenApiSource,
    text: &str,
    root: &Path,
) -> Result<Generated, Error> {
    let fail = |step: Step| move |detail: String| Error::new(vendor, step, detail);

    let format = SpecFormat::from_path(src.spec).ok_or_else(|| {
        fail(Step::ParseSpec)(format!(
            "{}: unknown extension, expected .yaml, .yml or .json",
            src.spec
        ))
    })?;
    let mut document = format
        .parse(text)
        .map_err(|e| fail(Step::ParseSpec)(format!("{}: {e}", src.spec)))?;

    for fixup in src.fixups {
        (fixup.apply)(&mut document).map_err(fail(Step::Fixup(fixup.name)))?;
    }

    // serde_json's map is sorted unless some crate in the build enables `preserve_order`;
    // sorting explicitly keeps the output identical whichever way features unify.
    document.sort_all_objects();

    let spec: OpenAPI = serde_path_to_error::deserialize(document)
        .map_err(|e| fail(Step::OpenApiModel)(format!("at `{}`: {}", e.path(), e.inner())))?;

    check_replacements(&spec, &src.codegen).map_err(fail(Step::Settings))?;
    let settings = settings(&src.codegen).map_err(fail(Step::Settings))?;

    let tokens = run_progenitor(|| Generator::new(&settings).generate_tokens(&spec))
        .map_err(fail(Step::Progenitor))?;
    let mut file = syn::parse2::<syn::File>(crate::docs::split_doc_lines(tokens))
        .map_err(|e| fail(Step::Unparse)(format!("progenitor emitted invalid Rust: {e}")))?;
    crate::strip::strip_api_version_header(&mut file);
    crate::typed_send::typed_send(&mut file).map_err(fail(Step::Rewrite))?;
    if let Some(trait_path) = src.codegen.envelope_trait {
        crate::envelopes::envelope_impls(&mut file, trait_path).map_err(fail(Step::Rewrite))?;
    }
    if src.codegen.case_aliases {
        crate::case_aliases::case_aliases(&mut file).map_err(fail(Step::Rewrite))?;
    }
    let client = finish(vendor, src.spec, &file, root)?;

    let httpmock = match &src.httpmock {
        Some(mock) => Some(generate_httpmock(
            vendor, src.spec, mock, &settings, &spec, root,
        )?),
        None => None,
    };
    Ok(Generated { client, httpmock })
}

/// progenitor's typed httpmock helpers for `spec`, with the client's `settings`, so every type
/// they name is one the SDK crate exports. Failures name the output file.
fn generate_httpmock(
    vendor: &'static str,
    source: &str,
    mock: &HttpMock,
    settings: &GenerationSettings,
    spec: &OpenAPI,
    root: &Path,
) -> Result<String, Error> {
    let fail = |step: Step| {
        move |detail: String| Error::new(vendor, step, format!("{}: {detail}", mock.output))
    };

    let tokens = run_progenitor(|| Generator::new(settings).httpmock(spec, mock.sdk_path))
        .map_err(fail(Step::Progenitor))?;
    let mut file = syn::parse2::<syn::File>(crate::docs::split_doc_lines(tokens))
        .map_err(|e| fail(Step::Unparse)(format!("progenitor emitted invalid Rust: {e}")))?;
    crate::mocks::check_array_query_params(&file).map_err(fail(Step::Rewrite))?;
    crate::mocks::sdk_paths(&mut file, mock.sdk_path).map_err(fail(Step::Rewrite))?;
    crate::mocks::match_encoded_path_values(&mut file).map_err(fail(Step::Rewrite))?;
    finish(vendor, source, &file, root)
        .map_err(|e| Error::new(vendor, e.step, format!("{}: {}", mock.output, e.detail)))
}

/// The steps every output shares: print, check for survivors, prepend the banner, rustfmt.
fn finish(
    vendor: &'static str,
    source: &str,
    file: &syn::File,
    root: &Path,
) -> Result<String, Error> {
    let code = prettyplease::unparse(file);
    check_survivors(&code).map_err(|e| Error::new(vendor, Step::Rewrite, e))?;
    let code = format!("{}{code}", banner(source));
    rustfmt(&rustfmt_program(), &code, root).map_err(|e| Error::new(vendor, Step::Rustfmt, e))
}

/// What a code pass leaves behind when progenitor's output has changed shape under it, and
/// the pass to update then.
const SURVIVORS: [(&str, &str); 1] = [(
    "\"api-version\"",
    "xtask/src/strip.rs (progenitor's `api-version` header)",
)];

/// Fails, naming the pass, when `code` still holds what a pass should have removed: the pass
/// did not recognize what progenitor emitted. Comment lines (the docs, written from the spec)
/// are not code and are skipped.
fn check_survivors(code: &str) -> Result<(), String> {
    let survivor = code
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .find_map(|line| SURVIVORS.iter().find(|(left, _)| line.contains(left)));
    match survivor {
        Some((_, pass)) => Err(format!(
            "progenitor's output has a shape {pass} does not recognize; update it"
        )),
        None => Ok(()),
    }
}

/// The header of every generated file.
///
/// The first line carries `@generated`, which editors, GitHub and review tools recognize.
/// It names the source relative to the workspace root and nothing that changes between runs.
pub fn banner(source: &str) -> String {
    format!(
        "// @generated by `cargo xtask regen` from {source}. Do not edit by hand.\n\
         // To change this file, edit the spec or the fixups in xtask/src/fixups.rs, then run\n\
         // `cargo xtask regen`.\n\n"
    )
}

/// The spec formats a vendor may ship.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecFormat {
    /// `.yaml` or `.yml`, parsed with serde_norway.
    Yaml,
    /// `.json`, parsed with serde_json.
    Json,
}

impl SpecFormat {
    /// The format implied by the file extension, or `None` for anything else.
    pub fn from_path(path: &str) -> Option<Self> {
        match Path::new(path).extension()?.to_str()? {
            "yaml" | "yml" => Some(Self::Yaml),
            "json" => Some(Self::Json),
            _ => None,
        }
    }

    /// Parses spec text into a JSON value, the form every fixup works on.
    pub fn parse(self, text: &str) -> Result<Value, String> {
        match self {
            Self::Yaml => serde_norway::from_str(text).map_err(|e| format!("invalid YAML: {e}")),
            Self::Json => serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}")),
        }
    }
}

/// Fails when a replacement names a schema the spec doesn't have.
///
/// progenitor ignores such a replacement silently; the vendor would then get a closed,
/// generated enum back without anyone noticing.
fn check_replacements(spec: &OpenAPI, codegen: &Codegen) -> Result<(), String> {
    let schemas = spec.components.as_ref().map(|c| &c.schemas);
    for replacement in codegen.replacements {
        if !schemas.is_some_and(|s| s.contains_key(replacement.schema)) {
            return Err(format!(
                "the replacement for schema `{}` does not apply: the spec has no \
                 components.schemas.{}",
                replacement.schema, replacement.schema
            ));
        }
    }
    Ok(())
}

/// Builds progenitor's settings: the workspace-wide conventions plus the vendor's [`Codegen`].
///
/// Shared by every SDK here:
/// - builder interface: optional parameters don't turn every call into a long positional list,
///   and adding one is not a breaking change;
/// - `HooksMode::Expected`: the SDK crate must implement `ClientHooks` (auth lives there), and
///   forgetting it is a compile error instead of unauthenticated requests;
/// - `BTreeMap` for free-form maps: deterministic `Debug` output and snapshots.
pub fn settings(codegen: &Codegen) -> Result<GenerationSettings, String> {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(match codegen.tags {
            TagStyle::Merged => TagStyle::Merged,
            TagStyle::Separate => TagStyle::Separate,
        })
        .with_hooks(HooksMode::Expected)
        .with_map_type("::std::collections::BTreeMap");
    if let Some(inner) = codegen.inner_type {
        let tokens: TokenStream = inner
            .parse()
            .map_err(|e| format!("inner type `{inner}` is not a Rust type: {e}"))?;
        settings.with_inner_type(tokens);
    }
    for derive in codegen.derives {
        settings.with_derive(derive);
    }
    for replacement in codegen.replacements {
        settings.with_replacement(
            replacement.schema,
            replacement.rust_type,
            replacement.impls.iter().copied(),
        );
    }
    Ok(settings)
}

/// Runs progenitor, turning its panics into errors.
///
/// progenitor 0.15 still panics on some valid-but-unsupported specs (several success body
/// types, several request media types). Catching the panic lets the run report the vendor
/// and step, and carry on with the other vendors.
fn run_progenitor(
    generate: impl FnOnce() -> Result<TokenStream, progenitor::Error>,
) -> Result<TokenStream, String> {
    let result = panic::catch_unwind(AssertUnwindSafe(generate));
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(e.to_string()),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_owned());
            Err(format!(
                "progenitor panicked: {message} (usually a spec construct it doesn't support; \
                 add a fixup)"
            ))
        }
    }
}

/// The rustfmt to run: `$RUSTFMT` if set (as cargo and rust-analyzer honour it), else `rustfmt`.
fn rustfmt_program() -> OsString {
    env::var_os("RUSTFMT").unwrap_or_else(|| OsString::from("rustfmt"))
}

/// Formats `code` with `program` (a stable rustfmt), through stdin and stdout.
///
/// prettyplease's output is valid but not what `cargo fmt` produces, so without this the
/// committed file would fail `cargo fmt --check`. The edition matches the workspace, and
/// running in `dir` (the workspace root) finds the same `rustfmt.toml`, if any, as `cargo fmt`.
pub fn rustfmt(program: &OsString, code: &str, dir: &Path) -> Result<String, String> {
    let shown = Path::new(program).display().to_string();
    let mut child = Command::new(program)
        .args(["--edition", "2024"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "`{shown}` not found; install it with `rustup component add rustfmt` \
                     or point $RUSTFMT at a rustfmt binary"
                )
            } else {
                format!("could not start `{shown}`: {e}")
            }
        })?;

    // Feed stdin from another thread so a large file can't deadlock on full pipe buffers.
    let mut stdin = child
        .stdin
        .take()
        .ok_or("rustfmt's stdin was not captured")?;
    let input = code.to_owned();
    let writer = thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("waiting for `{shown}` failed: {e}"))?;
    let written = writer.join();

    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut lines: Vec<&str> = stderr.lines().take(MAX_RUSTFMT_ERROR_LINES).collect();
        if stderr.lines().count() > MAX_RUSTFMT_ERROR_LINES {
            lines.push("...");
        }
        return Err(format!(
            "`{shown}` exited with {}:\n{}",
            output.status,
            lines.join("\n")
        ));
    }
    match written {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("writing to `{shown}` failed: {e}")),
        Err(_) => return Err(format!("the thread writing to `{shown}` panicked")),
    }
    String::from_utf8(output.stdout).map_err(|_| format!("`{shown}` printed invalid UTF-8"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::vendor::no_documents;

    #[test]
    fn a_call_shape_no_pass_recognizes_fails_naming_the_pass() {
        let code = "fn f() {\n    h.insert(\"api-version\", v);\n}\n";
        let err = check_survivors(code).expect_err(code);
        assert!(err.contains("strip.rs"), "{err}");
        // Docs may quote the header; they are not code.
        check_survivors("/// Sends \"api-version\".\nfn f() {}\n").expect("only a doc");
    }

    use crate::vendor::VENDORS;

    /// A small spec with what the everactive fixups and settings care about: an `auth`-tagged
    /// token endpoint, `additionalProperties: false`, a free-form map, `WebhookEventType`, and
    /// unquoted YAML status codes.
    pub(crate) const SMALL_SPEC: &str = r##"
openapi: 3.0.3
info:
  title: Small test API
  version: "1.2"
paths:
  /auth/token:
    post:
      tags: [auth]
      operationId: getToken
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: "#/components/schemas/TokenRequest"
      responses:
        200:
          description: a token
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/TokenResponse"
  /sensors/{mac}:
    get:
      tags: [sensors]
      operationId: getSensor
      parameters:
        - name: mac
          in: path
          required: true
          schema: { type: string }
        - name: event
          in: query
          required: false
          schema:
            $ref: "#/components/schemas/WebhookEventType"
      responses:
        200:
          description: one sensor
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Sensor"
components:
  schemas:
    TokenRequest:
      type: object
      required: [client_id]
      properties:
        client_id: { type: string }
    TokenResponse:
      type: object
      properties:
        access_token: { type: string }
    Sensor:
      type: object
      additionalProperties: false
      required: [mac]
      properties:
        mac: { type: string }
        lastEvent:
          $ref: "#/components/schemas/WebhookEventType"
        labels:
          type: object
          additionalProperties: { type: string }
    WebhookEventType:
      type: string
      enum: [sensor_reading, gateway_status]
    WebhookHeader:
      type: object
      required: [key, value]
      properties:
        key: { type: string }
        value: { type: string }
"##;

    fn everactive_source() -> &'static OpenApiSource {
        let vendor = VENDORS
            .iter()
            .find(|v| v.name == "everactive")
            .expect("everactive is in the table");
        let Source::OpenApi(src) = &vendor.modules[0].source else {
            panic!("everactive is generated from its spec");
        };
        src
    }

    fn root() -> std::path::PathBuf {
        crate::workspace_root().expect("xtask lives in the workspace")
    }

    fn generate_small(text: &str) -> Result<String, Error> {
        generate_openapi("everactive", everactive_source(), text, &root()).map(|g| g.client)
    }

    fn generate_small_mocks(text: &str) -> Result<String, Error> {
        let generated = generate_openapi("everactive", everactive_source(), text, &root())?;
        Ok(generated.httpmock.expect("everactive ships typed mocks"))
    }

    #[test]
    fn generation_is_deterministic_and_starts_with_the_banner() {
        let first = generate_small(SMALL_SPEC).expect("small spec generates");
        let second = generate_small(SMALL_SPEC).expect("small spec generates again");
        assert_eq!(first, second, "two runs must give identical bytes");
        assert!(
            first.starts_with(
                "// @generated by `cargo xtask regen` from specs/everactive/openapi.yaml."
            ),
            "{}",
            &first[..200.min(first.len())]
        );
        assert!(
            first
                .lines()
                .next()
                .is_some_and(|l| l.contains("@generated"))
        );
    }

    #[test]
    fn everactive_fixups_and_settings_show_in_the_output() {
        let code = generate_small(SMALL_SPEC).expect("small spec generates");
        // drop_auth_operations: no method for the token endpoint.
        assert!(!code.contains("get_token"), "token endpoint was generated");
        assert!(
            code.contains("pub fn get_sensor(&self)"),
            "builder method missing"
        );
        // allow_unknown_fields: structs tolerate new fields.
        assert!(!code.contains("deny_unknown_fields"));
        // The replacement: no generated enum, the hand-written one is used.
        assert!(!code.contains("pub enum WebhookEventType"));
        assert!(code.contains("crate::WebhookEventType"));
        assert!(!code.contains("pub struct WebhookHeader"));
        // Inner type, hooks, map type and extra derive.
        assert!(code.contains("sdk_auth::Auth"));
        assert!(code.contains("::std::collections::BTreeMap<"));
        assert!(code.contains("PartialEq"));
        assert!(!code.contains("impl ClientHooks<sdk_auth::Auth> for &Client"));
        assert!(code.contains("pub mod builder"));
        // The code passes: no `api-version` header, typed errors from `send`.
        assert!(!code.contains("api-version"));
        assert!(code.contains("pub async fn send_raw("));
        assert!(code.contains("::sdk_auth::runtime::typed(self.send_raw()).await"));
    }

    #[test]
    fn typed_mocks_name_the_sdk_and_its_types() {
        let code = generate_small_mocks(SMALL_SPEC).expect("small spec generates mocks");
        assert!(
            code.starts_with(
                "// @generated by `cargo xtask regen` from specs/everactive/openapi.yaml."
            ),
            "{}",
            &code[..200.min(code.len())]
        );
        // progenitor's shape: the extension trait and one When/Then pair per operation.
        assert!(code.contains("pub trait MockServerExt"), "{code}");
        assert!(code.contains("impl MockServerExt for ::httpmock::MockServer"));
        assert!(code.contains("pub struct GetSensorWhen(::httpmock::When);"));
        assert!(code.contains("pub struct GetSensorThen(::httpmock::Then);"));
        assert!(code.contains("use everactive_sdk::*;"));
        assert!(code.contains("value: &types::Sensor"));
        // drop_auth_operations holds here too: no mock of the token endpoint.
        assert!(!code.contains("get_token"), "{code}");
        // sdk_paths: the replaced query parameter type is named through the SDK crate.
        assert!(
            code.contains("::everactive_sdk::WebhookEventType"),
            "{code}"
        );
        assert!(!code.contains(" crate::"), "{code}");
        // match_encoded_path_values: the path value as the client sends it.
        assert!(
            code.contains("::regex::escape(&::progenitor_client::encode_path(&value.to_string()))"),
            "{code}"
        );
        // Deterministic and already formatted.
        assert_eq!(code, generate_small_mocks(SMALL_SPEC).expect("again"));
        let again = rustfmt(&rustfmt_program(), &code, &root()).expect("rustfmt runs");
        assert_eq!(code, again);
    }

    #[test]
    fn an_array_query_parameter_fails_the_mocks_naming_the_issue() {
        let with_array = SMALL_SPEC.replace(
            "        - name: event\n          in: query\n          required: false\n          schema:\n            $ref: \"#/components/schemas/WebhookEventType\"",
            "        - name: tags\n          in: query\n          required: false\n          schema:\n            type: array\n            items: { type: string }",
        );
        assert_ne!(with_array, SMALL_SPEC);
        let err = generate_small_mocks(&with_array).expect_err("progenitor #1260");
        assert_eq!(err.step, Step::Rewrite);
        assert!(
            err.detail
                .starts_with("crates/everactive-sdk-httpmock/src/generated.rs: "),
            "{err}"
        );
        assert!(err.detail.contains("#1260"), "{err}");
    }

    #[test]
    fn output_is_already_rustfmt_clean() {
        // What `cargo fmt --check` will see: formatting the output again changes nothing.
        let code = generate_small(SMALL_SPEC).expect("small spec generates");
        let again = rustfmt(&rustfmt_program(), &code, &root()).expect("rustfmt runs");
        assert_eq!(code, again);
    }

    #[test]
    fn json_specs_are_accepted() {
        let value = SpecFormat::Yaml.parse(SMALL_SPEC).expect("valid YAML");
        let json = serde_json::to_string(&value).expect("serializable");
        let src = OpenApiSource {
            spec: "specs/example/openapi.json",
            fixups: everactive_source().fixups,
            codegen: Codegen {
                inner_type: None,
                derives: &[],
                replacements: &[],
                tags: TagStyle::Merged,
                envelope_trait: None,
                case_aliases: false,
            },
            httpmock: None,
        };
        let generated = generate_openapi("example", &src, &json, &root()).expect("JSON generates");
        assert!(
            generated.httpmock.is_none(),
            "no mocks unless the table asks"
        );
        let code = generated.client;
        assert!(
            code.starts_with(
                "// @generated by `cargo xtask regen` from specs/example/openapi.json."
            )
        );
        assert!(code.contains("pub enum WebhookEventType"));
    }

    #[test]
    fn invalid_yaml_names_the_parse_step() {
        let err = generate_small("openapi: [unclosed").expect_err("broken YAML");
        assert_eq!(err.step, Step::ParseSpec);
        assert!(
            err.to_string()
                .starts_with("everactive: parsing the spec failed: ")
        );
        assert!(
            err.detail
                .contains("specs/everactive/openapi.yaml: invalid YAML"),
            "{err}"
        );
    }

    #[test]
    fn a_failing_fixup_is_named() {
        let without_auth = SMALL_SPEC.replace("tags: [auth]", "tags: [tokens]");
        let err = generate_small(&without_auth).expect_err("drop_auth_operations must fail");
        assert_eq!(err.step, Step::Fixup("drop_auth_operations"));
    }

    #[test]
    fn openapi_model_errors_carry_a_path() {
        let broken = SMALL_SPEC.replace("title: Small test API", "title: [not, a, string]");
        let err = generate_small(&broken).expect_err("title must be a string");
        assert_eq!(err.step, Step::OpenApiModel);
        assert!(err.detail.starts_with("at `info.title`"), "{err}");
    }

    #[test]
    fn a_missing_replacement_schema_is_an_error() {
        let renamed = SMALL_SPEC.replace("WebhookEventType", "EventType");
        let err = generate_small(&renamed).expect_err("replacement target is gone");
        assert_eq!(err.step, Step::Settings);
        assert!(
            err.detail.contains("components.schemas.WebhookEventType"),
            "{err}"
        );
    }

    #[test]
    fn progenitor_errors_name_the_step() {
        let v31 = SMALL_SPEC.replace("openapi: 3.0.3", "openapi: 3.1.0");
        let err = generate_small(&v31).expect_err("3.1 is unsupported");
        assert_eq!(err.step, Step::Progenitor);
        assert!(err.detail.contains("invalid version: 3.1.0"), "{err}");
    }

    #[test]
    fn progenitor_panics_become_errors() {
        // Two different success body types trip an assertion inside progenitor 0.15.1.
        let two_bodies = SMALL_SPEC.replace(
            "      responses:\n        200:\n          description: one sensor",
            "      responses:\n        201:\n          description: other\n          content:\n            application/json:\n              schema:\n                $ref: \"#/components/schemas/TokenResponse\"\n        200:\n          description: one sensor",
        );
        assert_ne!(two_bodies, SMALL_SPEC);
        let err = generate_small(&two_bodies).expect_err("progenitor panics");
        assert_eq!(err.step, Step::Progenitor);
        assert!(err.detail.starts_with("progenitor panicked: "), "{err}");
    }

    #[test]
    fn missing_rustfmt_is_reported() {
        let program = OsString::from("rustfmt-that-does-not-exist");
        let err = rustfmt(&program, "fn main() {}\n", &root()).expect_err("no such program");
        assert!(err.contains("not found"), "{err}");
    }

    #[test]
    fn rustfmt_errors_are_reported() {
        let err = rustfmt(&rustfmt_program(), "fn main( {", &root()).expect_err("invalid Rust");
        assert!(err.contains("exited with"), "{err}");
    }

    #[test]
    fn spec_format_follows_the_extension() {
        assert_eq!(SpecFormat::from_path("a/b.yaml"), Some(SpecFormat::Yaml));
        assert_eq!(SpecFormat::from_path("a/b.yml"), Some(SpecFormat::Yaml));
        assert_eq!(SpecFormat::from_path("a/b.json"), Some(SpecFormat::Json));
        assert_eq!(SpecFormat::from_path("a/b.toml"), None);
        assert_eq!(SpecFormat::from_path("a/b"), None);
    }

    fn two_models() -> Vec<(&'static str, schemars::Schema)> {
        vec![
            (
                "zeta",
                schemars::json_schema!({"type": "object", "title": "Zeta", "properties": {"b": {}, "a": {}}}),
            ),
            ("alpha", schemars::json_schema!({"type": "string"})),
        ]
    }

    fn catalogue() -> Vec<(&'static str, Value)> {
        vec![("alpha", serde_json::json!({"b": 1, "a": [2]}))]
    }

    #[test]
    fn documents_go_next_to_the_schemas_and_share_their_names() {
        let scratch = std::env::temp_dir().join(format!("xtask-documents-{}", std::process::id()));
        let err = generate_schemas(
            &scratch,
            "test",
            "specs/test",
            &SchemarsSource {
                schemas: two_models,
                documents: catalogue,
            },
        )
        .expect_err("a document named like a model");
        assert!(err.detail.contains("`alpha`"), "{err}");
        fn commands() -> Vec<(&'static str, Value)> {
            vec![("commands", serde_json::json!({"b": 1, "a": [2]}))]
        }
        let outputs = generate_schemas(
            &scratch,
            "test",
            "specs/test",
            &SchemarsSource {
                schemas: two_models,
                documents: commands,
            },
        )
        .expect("generates");
        let last = outputs.last().expect("three files");
        assert_eq!(last.path, "specs/test/commands.json");
        assert_eq!(last.code, "{\n  \"a\": [\n    2\n  ],\n  \"b\": 1\n}\n");
    }

    fn bad_name() -> Vec<(&'static str, schemars::Schema)> {
        vec![("../escape", schemars::json_schema!({}))]
    }

    fn twice() -> Vec<(&'static str, schemars::Schema)> {
        vec![
            ("same", schemars::json_schema!({})),
            ("same", schemars::json_schema!({})),
        ]
    }

    #[test]
    fn schemas_are_sorted_pretty_and_end_with_a_newline() {
        let scratch =
            std::env::temp_dir().join(format!("xtask-gen-schemas-{}", std::process::id()));
        let src = SchemarsSource {
            schemas: two_models,
            documents: no_documents,
        };
        let outputs = generate_schemas(&scratch, "test", "specs/test", &src).expect("generates");
        let paths: Vec<&str> = outputs.iter().map(|o| o.path.as_str()).collect();
        assert_eq!(
            paths,
            ["specs/test/zeta.json", "specs/test/alpha.json"],
            "the SDK's order"
        );
        assert_eq!(
            outputs[0].code,
            "{\n  \"properties\": {\n    \"a\": {},\n    \"b\": {}\n  },\n  \"title\": \"Zeta\",\n  \"type\": \"object\"\n}\n"
        );
        let again = generate_schemas(&scratch, "test", "specs/test", &src).expect("generates");
        assert_eq!(
            outputs.iter().map(|o| &o.code).collect::<Vec<_>>(),
            again.iter().map(|o| &o.code).collect::<Vec<_>>(),
            "deterministic"
        );
    }

    #[test]
    fn bad_schema_names_and_orphans_fail_naming_the_step() {
        let scratch = std::env::temp_dir().join(format!("xtask-orphans-{}", std::process::id()));
        for schemas in [bad_name as fn() -> _, twice] {
            let err = generate_schemas(
                &scratch,
                "test",
                "specs/test",
                &SchemarsSource {
                    schemas,
                    documents: no_documents,
                },
            )
            .expect_err("refused");
            assert_eq!(err.step, Step::Schemas, "{err}");
        }
        let dir = scratch.join("specs/test");
        std::fs::create_dir_all(&dir).expect("scratch");
        std::fs::write(dir.join("README.md"), "kept\n").expect("readme");
        std::fs::write(dir.join("alpha.json"), "{}\n").expect("a current file");
        let src = SchemarsSource {
            schemas: two_models,
            documents: no_documents,
        };
        assert!(generate_schemas(&scratch, "test", "specs/test", &src).is_ok());
        std::fs::write(dir.join("gone.json"), "{}\n").expect("an orphan");
        let err = generate_schemas(&scratch, "test", "specs/test", &src).expect_err("orphan");
        assert_eq!(err.step, Step::Schemas);
        assert!(err.detail.contains("specs/test/gone.json"), "{err}");
        std::fs::remove_dir_all(&scratch).expect("cleanup");
    }
}
