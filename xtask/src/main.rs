//! `cargo xtask`: maintainer tasks for this workspace.
//!
//! The only task is `regen`, which regenerates each vendor's committed files (the client,
//! and the typed httpmock helpers where the vendor ships them, from its vendored spec; or the
//! JSON Schemas of its hand-written models) (`--check` verifies instead of writing, for CI). This file parses the
//! arguments and turns results into messages and exit codes: 0 success, 1 out of date,
//! 2 usage or generation error.

mod case_aliases;
mod check;
mod docs;
mod envelopes;
mod error;
mod fixups;
mod generate;
mod mocks;
mod strip;
mod typed_send;
mod vendor;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::check::Status;
use crate::error::{Error, Step};
use crate::generate::Output;
use crate::vendor::{VENDORS, Vendor};

/// Exit code when everything worked.
const EXIT_OK: u8 = 0;
/// Exit code when `--check` found a stale or missing file.
const EXIT_STALE: u8 = 1;
/// Exit code for bad arguments or a failed generation.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    ExitCode::from(run(std::env::args_os().skip(1)))
}

/// Runs the xtask with `args` (without the program name) and returns the exit code.
fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> u8 {
    let command = args
        .into_iter()
        .map(|arg| {
            arg.into_string()
                .map_err(|arg| format!("argument {arg:?} is not valid UTF-8"))
        })
        .collect::<Result<Vec<_>, _>>()
        .and_then(parse_args);
    match command {
        Ok(Command::Help) => {
            print!("{}", usage());
            EXIT_OK
        }
        Ok(Command::Regen(options)) => match workspace_root() {
            Ok(root) => regen(&root, &options),
            Err(message) => {
                eprintln!("error: {message}");
                EXIT_ERROR
            }
        },
        Err(message) => {
            eprintln!("error: {message}\n\n{SHORT_USAGE}");
            EXIT_ERROR
        }
    }
}

/// A parsed command line.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    /// `--help` anywhere: print usage.
    Help,
    /// `regen` with its options.
    Regen(RegenOptions),
}

/// Options of `cargo xtask regen`.
#[derive(Debug, Default, PartialEq, Eq)]
struct RegenOptions {
    /// Compare with the committed files instead of writing them.
    check: bool,
    /// Vendors named with `--only`; empty means all.
    only: Vec<String>,
}

/// Printed after a usage error; the full text is one `--help` away.
const SHORT_USAGE: &str =
    "Usage: cargo xtask regen [--check] [--only VENDOR]...\nRun `cargo xtask --help` for details.";

/// The help text, listing the vendors from the table so it never goes stale.
fn usage() -> String {
    let vendors: Vec<&str> = VENDORS.iter().map(|v| v.name).collect();
    format!(
        "cargo xtask: maintainer tasks for this workspace

Usage:
    cargo xtask regen [--check] [--only VENDOR]...
    cargo xtask --help

Tasks:
    regen            Regenerate each vendor's committed files: client and typed mocks from its
                     spec, or the JSON Schemas of its hand-written models

Options for regen:
    --check          Write nothing; print a diff and exit 1 if a committed file is out of date
    --only VENDOR    Process only VENDOR (repeatable); known vendors: {}
    -h, --help       Print this help

Exit codes: 0 success, 1 out of date (--check), 2 usage or generation error
",
        vendors.join(", ")
    )
}

/// Parses the arguments after `cargo xtask`. Vendor names are checked later, against the table.
fn parse_args(args: Vec<String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        None => return Err("no task given".to_owned()),
        Some("-h" | "--help" | "help") => return Ok(Command::Help),
        Some("regen") => {}
        Some(other) => return Err(format!("unknown task `{other}`")),
    }

    let mut options = RegenOptions::default();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--check" => options.check = true,
            "--only" => match args.next() {
                Some(vendor) if !vendor.starts_with('-') => options.only.push(vendor),
                _ => return Err("`--only` needs a vendor name".to_owned()),
            },
            other => match other.strip_prefix("--only=") {
                Some(vendor) if !vendor.is_empty() => options.only.push(vendor.to_owned()),
                Some(_) => return Err("`--only` needs a vendor name".to_owned()),
                None => return Err(format!("unknown argument `{other}` for `regen`")),
            },
        }
    }
    Ok(Command::Regen(options))
}

/// The workspace root: the parent of this crate's directory.
///
/// Every path in the vendor table is relative to it, so the xtask works from any directory
/// and nothing machine-specific ends up in generated files.
fn workspace_root() -> Result<PathBuf, String> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| "the xtask crate has no parent directory".to_owned())
}

/// What happened to one vendor.
enum Outcome {
    /// Nothing to do: written file unchanged, or `--check` found it up to date.
    Current,
    /// The file was (re)written.
    Written,
    /// `--check` found the file stale or missing.
    Stale,
}

/// `cargo xtask regen`: processes every selected vendor, even after one fails, then reports.
fn regen(root: &Path, options: &RegenOptions) -> u8 {
    let vendors = match vendor::select(VENDORS, &options.only) {
        Ok(vendors) => vendors,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };

    let mut failed = Vec::new();
    let mut stale = Vec::new();
    for vendor in vendors {
        let result = generate::generate(root, vendor).and_then(|outputs| {
            if options.check {
                check_one(root, vendor, &outputs)
            } else {
                write_one(root, vendor, &outputs)
            }
        });
        match result {
            Ok(Outcome::Current | Outcome::Written) => {}
            Ok(Outcome::Stale) => stale.push(vendor.name),
            Err(e) => {
                eprintln!("error: {e}");
                failed.push(vendor.name);
            }
        }
    }

    if !failed.is_empty() {
        eprintln!("error: regeneration failed for: {}", failed.join(", "));
        return EXIT_ERROR;
    }
    if !stale.is_empty() {
        eprintln!(
            "error: generated code is out of date for: {}; run `cargo xtask regen`",
            stale.join(", ")
        );
        return EXIT_STALE;
    }
    EXIT_OK
}

/// `--check` for one vendor: compare every output in memory and print one verdict naming
/// them (plus a diff per stale file) on stdout.
fn check_one(root: &Path, vendor: &Vendor, outputs: &[Output]) -> Result<Outcome, Error> {
    let mut current = Vec::new();
    let mut stale = false;
    for output in outputs {
        let committed = check::read_committed(&root.join(&output.path)).map_err(|e| {
            Error::new(
                vendor.name,
                Step::ReadOutput,
                format!("{}: {e}", output.path),
            )
        })?;
        match check::compare(&output.path, committed.as_deref(), &output.code) {
            Status::UpToDate => current.push(output.path.as_str()),
            Status::Missing => {
                println!("{}: {} is missing", vendor.name, output.path);
                stale = true;
            }
            Status::Stale { diff } => {
                println!("{}: {} is out of date:\n{diff}", vendor.name, output.path);
                stale = true;
            }
        }
    }
    if stale {
        println!(
            "hint: run `cargo xtask regen --only {}` and commit the result",
            vendor.name
        );
        return Ok(Outcome::Stale);
    }
    println!("{}: up to date ({})", vendor.name, current.join(", "));
    Ok(Outcome::Current)
}

/// A normal run for one vendor: write each output whose content changed, then print one line
/// naming every output.
fn write_one(root: &Path, vendor: &Vendor, outputs: &[Output]) -> Result<Outcome, Error> {
    let mut written = Vec::new();
    let mut unchanged = Vec::new();
    for output in outputs {
        let wrote =
            check::write_if_changed(&root.join(&output.path), &output.code).map_err(|e| {
                Error::new(
                    vendor.name,
                    Step::WriteOutput,
                    format!("{}: {e}", output.path),
                )
            })?;
        if wrote {
            written.push(output.path.as_str());
        } else {
            unchanged.push(output.path.as_str());
        }
    }
    println!("{}", write_report(vendor.name, &written, &unchanged));
    Ok(if written.is_empty() {
        Outcome::Current
    } else {
        Outcome::Written
    })
}

/// The line a normal run prints for one vendor; it names every output.
fn write_report(vendor: &str, written: &[&str], unchanged: &[&str]) -> String {
    if written.is_empty() {
        return format!("{vendor}: unchanged ({})", unchanged.join(", "));
    }
    let mut line = format!("{vendor}: wrote {}", written.join(", "));
    if !unchanged.is_empty() {
        line.push_str(&format!("; unchanged {}", unchanged.join(", ")));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn regen_without_options() {
        assert_eq!(
            parse(&["regen"]),
            Ok(Command::Regen(RegenOptions::default()))
        );
    }

    #[test]
    fn regen_with_all_options() {
        let expected = Command::Regen(RegenOptions {
            check: true,
            only: vec!["everactive".to_owned(), "other".to_owned()],
        });
        assert_eq!(
            parse(&["regen", "--only", "everactive", "--check", "--only=other"]),
            Ok(expected)
        );
    }

    #[test]
    fn help_anywhere() {
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
        assert_eq!(parse(&["-h"]), Ok(Command::Help));
        assert_eq!(parse(&["regen", "--check", "--help"]), Ok(Command::Help));
        assert!(usage().contains("cargo xtask regen [--check] [--only VENDOR]"));
        assert!(usage().contains("known vendors: everactive"));
    }

    #[test]
    fn unknown_flag_is_rejected() {
        assert_eq!(
            parse(&["regen", "--chek"]),
            Err("unknown argument `--chek` for `regen`".to_owned())
        );
    }

    #[test]
    fn unknown_task_and_missing_task_are_rejected() {
        assert_eq!(
            parse(&["generate"]),
            Err("unknown task `generate`".to_owned())
        );
        assert_eq!(parse(&[]), Err("no task given".to_owned()));
    }

    #[test]
    fn only_needs_a_value() {
        let missing = Err("`--only` needs a vendor name".to_owned());
        assert_eq!(parse(&["regen", "--only"]), missing);
        assert_eq!(parse(&["regen", "--only", "--check"]), missing);
        assert_eq!(parse(&["regen", "--only="]), missing);
    }

    #[test]
    fn bad_arguments_exit_with_2() {
        assert_eq!(run(["regen".into(), "--bogus".into()]), EXIT_ERROR);
        // The vendor name is checked before any generation starts.
        assert_eq!(
            run([
                "regen".into(),
                "--check".into(),
                "--only".into(),
                "nope".into()
            ]),
            EXIT_ERROR
        );
        assert_eq!(run(["--help".into()]), EXIT_OK);
    }

    /// Runs `regen` on a scratch copy of the workspace layout holding the small test spec.
    #[test]
    fn regen_writes_then_check_detects_changes() {
        let root = std::env::temp_dir().join(format!("xtask-regen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let vendor = &VENDORS[0];
        let vendor::Source::OpenApi(src) = &vendor.modules[0].source else {
            panic!("the first vendor is generated from a spec");
        };
        let spec = root.join(src.spec);
        let outputs: Vec<PathBuf> = vendor.outputs().iter().map(|o| root.join(o)).collect();
        assert_eq!(outputs.len(), 2, "the client and the typed mocks");
        for file in outputs.iter().chain([&spec]) {
            let dir = file.parent().expect("relative paths have a parent");
            std::fs::create_dir_all(dir).expect("scratch dirs");
        }
        std::fs::write(&spec, generate::tests::SMALL_SPEC).expect("scratch spec");
        let only = vec![vendor.name.to_owned()];
        let write = RegenOptions {
            check: false,
            only: only.clone(),
        };
        let check = RegenOptions { check: true, only };
        let read_all = || -> Vec<Vec<u8>> {
            outputs
                .iter()
                .map(|o| std::fs::read(o).expect("written"))
                .collect()
        };

        // Missing files are stale; writing creates them; a second run leaves them alone.
        assert_eq!(regen(&root, &check), EXIT_STALE);
        assert_eq!(regen(&root, &write), EXIT_OK);
        let first = read_all();
        assert_eq!(regen(&root, &check), EXIT_OK);
        assert_eq!(regen(&root, &write), EXIT_OK);
        assert_eq!(read_all(), first);

        // A hand edit of either output is caught by --check and undone by a normal run.
        for (output, content) in outputs.iter().zip(&first) {
            std::fs::write(output, [&content[..], b"// hand edit\n"].concat()).expect("edit");
            assert_eq!(regen(&root, &check), EXIT_STALE);
            assert_eq!(regen(&root, &write), EXIT_OK);
            assert_eq!(read_all(), first);
        }

        // A missing mock file alone is stale too.
        std::fs::remove_file(&outputs[1]).expect("remove the mocks");
        assert_eq!(regen(&root, &check), EXIT_STALE);
        assert_eq!(regen(&root, &write), EXIT_OK);
        assert_eq!(read_all(), first);

        // A broken spec is an error (exit 2), not a stale file.
        std::fs::write(&spec, "openapi: [").expect("break spec");
        assert_eq!(regen(&root, &check), EXIT_ERROR);

        std::fs::remove_dir_all(&root).expect("cleanup");
    }

    /// Runs `regen` for EverReal on a scratch folder: its schemas come from the SDK's models,
    /// so a file that no longer matches them, a missing one and an orphan are all caught.
    #[test]
    fn regen_writes_the_everreal_schemas_then_check_detects_changes() {
        let root = std::env::temp_dir().join(format!("xtask-schemas-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let vendor = VENDORS
            .iter()
            .find(|v| v.name == "everreal")
            .expect("everreal is in the table");
        let dir = root.join(vendor.modules[0].output);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        std::fs::write(dir.join("README.md"), "not a schema\n").expect("readme");
        let only = vec![vendor.name.to_owned()];
        let write = RegenOptions {
            check: false,
            only: only.clone(),
        };
        let check = RegenOptions { check: true, only };

        assert_eq!(regen(&root, &check), EXIT_STALE, "nothing written yet");
        assert_eq!(regen(&root, &write), EXIT_OK);
        assert_eq!(regen(&root, &check), EXIT_OK);
        let users_me = dir.join("users_me.json");
        let text = std::fs::read_to_string(&users_me).expect("written");
        assert!(text.starts_with("{\n  \"$defs\""), "sorted, pretty: {text}");
        assert!(text.ends_with("}\n"));

        // A model that changed without its schema: the committed file no longer matches.
        std::fs::write(&users_me, text.replace("\"email\"", "\"mail\"")).expect("edit");
        assert_eq!(regen(&root, &check), EXIT_STALE);
        assert_eq!(regen(&root, &write), EXIT_OK);
        assert_eq!(std::fs::read_to_string(&users_me).expect("rewritten"), text);

        std::fs::remove_file(&users_me).expect("remove one");
        assert_eq!(regen(&root, &check), EXIT_STALE);
        assert_eq!(regen(&root, &write), EXIT_OK);

        // A schema of a model that is gone is an error in both modes.
        std::fs::write(dir.join("renamed_model.json"), "{}\n").expect("orphan");
        assert_eq!(regen(&root, &check), EXIT_ERROR);
        assert_eq!(regen(&root, &write), EXIT_ERROR);

        std::fs::remove_dir_all(&root).expect("cleanup");
    }

    #[test]
    fn the_write_report_names_every_output() {
        let (client, mocks) = ("sdk/src/generated.rs", "mock/src/generated.rs");
        assert_eq!(
            write_report("v", &[], &[client, mocks]),
            "v: unchanged (sdk/src/generated.rs, mock/src/generated.rs)"
        );
        assert_eq!(
            write_report("v", &[mocks], &[client]),
            "v: wrote mock/src/generated.rs; unchanged sdk/src/generated.rs"
        );
        assert_eq!(
            write_report("v", &[client, mocks], &[]),
            "v: wrote sdk/src/generated.rs, mock/src/generated.rs"
        );
    }

    #[test]
    fn workspace_root_holds_the_workspace_manifest() {
        let root = workspace_root().expect("xtask has a parent");
        assert!(root.join("Cargo.toml").is_file());
        assert!(root.join("xtask").join("Cargo.toml").is_file());
    }
}
