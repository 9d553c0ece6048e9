//! `cargo tour [--seed N] [--sensors N] [--gateways N] [--readings-of N|all] [--devices N]`: the
//! Everactive, IoTConnect, EverReal and ExtraView SDKs against the in-process sandbox, step by
//! step, with a short report. Exits with 1 when a step fails.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use sdk_tour::{Progress, TourOptions, run_tour};

const USAGE: &str = "\
sdk-tour: the Everactive, IoTConnect, EverReal and ExtraView SDKs driven through a realistic
scenario against the in-process sandbox (nothing to set up, no network beyond loopback)

Usage: cargo tour [flags]

  --seed N          seed of the sandbox data (default 42)
  --sensors N       sensors in the sandbox fleet (default 12)
  --gateways N      gateways in the sandbox fleet (default 3)
  --readings-of N   read a day of readings of N reporting sensors, or \"all\" (default 4)
  --devices N       IoTConnect devices in the sandbox (default 8)
  -h, --help        this text
";

fn main() -> ExitCode {
    let mut options = match parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("sdk-tour: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    options.progress = Progress::for_stdout();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("sdk-tour: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    match runtime.block_on(run_tour(&options, &mut stdout)) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nsdk-tour: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The options, `None` for `--help`, or what is wrong with the arguments.
fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<TourOptions>, String> {
    let mut options = TourOptions::default();
    while let Some(arg) = args.next() {
        if arg == "--" {
            // `cargo tour -- --seed 7`: the alias ends in `--` already; one more is harmless.
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--seed" | "--sensors" | "--gateways" | "--readings-of" | "--devices" => {}
            _ => return Err(format!("unknown argument {name:?}")),
        }
        let value = inline
            .or_else(|| args.next())
            .ok_or_else(|| format!("{name} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{name} must be a whole number, not {value:?}"))
        };
        let count =
            || number().and_then(|n| usize::try_from(n).map_err(|_| format!("{name} is too big")));
        match name.as_str() {
            "--seed" => options.seed = number()?,
            "--sensors" => options.sensors = count()?,
            "--gateways" => options.gateways = count()?,
            "--devices" => options.devices = count()?,
            "--readings-of" if value == "all" => options.readings_of = None,
            _ => options.readings_of = Some(count()?),
        }
    }
    Ok(Some(options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Option<TourOptions>, String> {
        parse(list.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn no_arguments_are_needed() {
        let options = args(&[]).expect("valid").expect("options");
        assert_eq!((options.seed, options.sensors), (42, 12));
        assert_eq!(options.readings_of, Some(4));
        assert_eq!(options.devices, 8);
    }

    #[test]
    fn flags_take_a_value_after_a_space_or_an_equals_sign() {
        let options = args(&[
            "--",
            "--seed",
            "7",
            "--sensors=30",
            "--readings-of",
            "2",
            "--devices",
            "5",
        ])
        .expect("valid")
        .expect("options");
        assert_eq!(options.seed, 7);
        assert_eq!(options.sensors, 30);
        assert_eq!(options.readings_of, Some(2));
        assert_eq!(options.devices, 5);
        let all = args(&["--readings-of", "all"])
            .expect("valid")
            .expect("options");
        assert_eq!(all.readings_of, None);
    }

    #[test]
    fn bad_arguments_are_named() {
        assert!(args(&["--help"]).expect("valid").is_none());
        let err = args(&["--seed", "x"]).expect_err("not a number");
        assert!(err.contains("--seed must be a whole number"), "{err}");
        let err = args(&["--sensors"]).expect_err("no value");
        assert!(err.contains("needs a value"), "{err}");
        let err = args(&["--verbose"]).expect_err("unknown");
        assert_eq!(err, "unknown argument \"--verbose\"");
    }
}
