//! `rampart`: rampart's security settings outside the code.
//!
//! Every subcommand prints a table (coloured only on a terminal) or, with
//! `--json`, one JSON document. Exit codes are fit for CI:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done; nothing at or above the failing level |
//! | 1 | a finding of high severity (`csp lint`), a grade below `--min-grade` (`check`), an invalid file (`config check`) |
//! | 2 | the command could not run: bad arguments, an unreadable file, a site that did not answer |
#![forbid(unsafe_code)]

mod check;
mod config_cmd;
mod hash;
mod keygen;
mod lint;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "rampart",
    version,
    about = "rampart's security settings outside the code: lint, grade, keys, hashes, configuration"
)]
struct Cli {
    /// One JSON document on stdout instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Content Security Policy tools.
    Csp {
        #[command(subcommand)]
        command: CspCommand,
    },
    /// Fetch a deployed page and grade its security headers as Mozilla's HTTP Observatory does.
    Check(check::Args),
    /// Make a new CSRF key, and say how to add it to a key ring without breaking forms in flight.
    Keygen,
    /// The CSP 'sha256-…' source and the SRI integrity value of each file.
    Hash {
        /// Files to hash (`-` reads stdin).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Configuration files.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum CspCommand {
    /// The linter's findings for a policy, each with its severity and fix; exit 1 on a high one
    /// (report-only values included: they are usually the next policy to enforce).
    Lint(lint::Args),
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate a configuration file (and the RAMPART_* environment); print the headers it sends.
    Check {
        /// The TOML file.
        file: PathBuf,
    },
    /// Print the effective configuration as TOML (every key; it loads back to the same result),
    /// with the headers it sends as comments. Without a file: the `strict` preset.
    Show {
        /// The TOML file.
        file: Option<PathBuf>,
        /// Start from this preset instead of a file.
        #[arg(long, conflicts_with = "file")]
        preset: Option<String>,
    },
}

/// What a subcommand ends with: its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    Failed,
}

/// A subcommand that could not run, with what to do about it.
pub(crate) struct Fatal(String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = output::Out::new(cli.json);
    let result = match cli.command {
        Command::Csp {
            command: CspCommand::Lint(args),
        } => lint::run(&out, args),
        Command::Check(args) => check::run(&out, args),
        Command::Keygen => keygen::run(&out),
        Command::Hash { files } => hash::run(&out, &files),
        Command::Config {
            command: ConfigCommand::Check { file },
        } => config_cmd::check(&out, &file),
        Command::Config {
            command: ConfigCommand::Show { file, preset },
        } => config_cmd::show(&out, file.as_deref(), preset.as_deref()),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(Fatal(msg)) => {
            out.fatal(&msg);
            ExitCode::from(2)
        }
    }
}
