//! The one error type of `cargo xtask regen`: which vendor, which step, what went wrong.
//!
//! Regeneration touches several tools (YAML parser, fixups, progenitor, rustfmt, the file
//! system). A bare `io::Error` or serde message rarely says which of them failed, so every
//! failure is wrapped with the vendor and the pipeline step before it reaches the user.

use std::fmt;

/// A pipeline step, used only to tell the user where regeneration stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Reading the vendored spec from disk.
    ReadSpec,
    /// Parsing the spec text as YAML or JSON.
    ParseSpec,
    /// Running the named fixup over the parsed spec.
    Fixup(&'static str),
    /// Deserializing the fixed-up document into `openapiv3::OpenAPI`.
    OpenApiModel,
    /// Checking the vendor's generation settings against the spec.
    Settings,
    /// Running progenitor over the spec.
    Progenitor,
    /// Turning progenitor's tokens into source text with syn + prettyplease.
    Unparse,
    /// Running the code passes over the parsed output (`strip.rs`, `typed_send.rs`, `mocks.rs`).
    Rewrite,
    /// Formatting the source text with rustfmt.
    Rustfmt,
    /// Collecting and printing the JSON Schemas of a vendor's hand-written models.
    Schemas,
    /// Reading the committed output file.
    ReadOutput,
    /// Writing the output file.
    WriteOutput,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::ReadSpec => f.write_str("reading the spec"),
            Step::ParseSpec => f.write_str("parsing the spec"),
            Step::Fixup(name) => write!(f, "applying fixup `{name}`"),
            Step::OpenApiModel => f.write_str("reading the spec as an OpenAPI 3.0 document"),
            Step::Settings => f.write_str("checking the generation settings"),
            Step::Progenitor => f.write_str("generating code with progenitor"),
            Step::Unparse => f.write_str("parsing and printing progenitor's output"),
            Step::Rewrite => f.write_str("rewriting progenitor's output"),
            Step::Rustfmt => f.write_str("formatting with rustfmt"),
            Step::Schemas => f.write_str("writing the models' JSON Schemas"),
            Step::ReadOutput => f.write_str("reading the committed output"),
            Step::WriteOutput => f.write_str("writing the output"),
        }
    }
}

/// A regeneration failure for one vendor.
#[derive(Debug)]
pub struct Error {
    /// The vendor whose regeneration failed.
    pub vendor: &'static str,
    /// Where in the pipeline it failed.
    pub step: Step,
    /// The underlying message, already made readable by the caller.
    pub detail: String,
}

impl Error {
    /// Builds an error for `vendor` at `step`.
    pub fn new(vendor: &'static str, step: Step, detail: impl Into<String>) -> Self {
        Self {
            vendor,
            step,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} failed: {}", self.vendor, self.step, self.detail)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_vendor_and_step() {
        let err = Error::new(
            "everactive",
            Step::Fixup("drop_auth_operations"),
            "no operation tagged `auth`",
        );
        assert_eq!(
            err.to_string(),
            "everactive: applying fixup `drop_auth_operations` failed: no operation tagged `auth`"
        );
    }
}
