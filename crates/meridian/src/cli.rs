//! Command-line definitions (clap). Terraform spellings with one dash (`-var`, `-var-file`)
//! are accepted and normalised before parsing.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "meridian",
    version,
    about = "Plan multi-cloud AI deployments from one HCL spec: residency on every failover path, validated before anything is generated.",
    after_help = "Examples:\n  meridian init\n  meridian validate examples/eu-bank\n  meridian validate --json -var region=westeurope .\n  meridian catalog models --provider aws\n\nExit codes: 0 success, 1 error, 3 `fmt --check` found unformatted files."
)]
pub struct Cli {
    /// Never colour output (NO_COLOR and CI=true do the same).
    #[arg(long, global = true)]
    pub no_color: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter spec and the .meridian/ state directory.
    #[command(after_help = "Examples:\n  meridian init\n  meridian init infra/ai --force")]
    Init {
        /// Directory to initialise.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite an existing main.hcl.
        #[arg(long)]
        force: bool,
    },
    /// Check a spec: syntax, references, catalog facts, residency on every tier, policy.
    #[command(
        after_help = "Examples:\n  meridian validate\n  meridian validate examples/eu-bank\n  meridian validate --json spec.hcl > result.json\n  meridian validate -var-file prod.mvars -var primary_region=westeurope\n\nExit codes: 0 valid (warnings allowed), 1 invalid."
    )]
    Validate {
        #[command(flatten)]
        spec: SpecArgs,
        /// Print exactly one JSON object shaped like `terraform validate -json`.
        #[arg(long)]
        json: bool,
    },
    /// Show the validated model: tiers, targets and each target's processing footprint.
    #[command(
        after_help = "Examples:\n  meridian inspect examples/eu-bank\n  meridian inspect --json . | jq '.models[].tiers'"
    )]
    Inspect {
        #[command(flatten)]
        spec: SpecArgs,
        /// Print the model as JSON (schema: schema/spec.schema.json).
        #[arg(long)]
        json: bool,
    },
    /// Write the Terraform, Pulumi and router artifacts the emit blocks ask for.
    #[command(
        after_help = "Examples:\n  meridian generate examples/eu-bank\n  meridian generate --out build/ .\n  meridian generate --templates my-templates/ .\n\nFiles are written all-or-nothing and byte-identical for the same spec; state is not touched."
    )]
    Generate {
        #[command(flatten)]
        spec: SpecArgs,
        /// Write under this directory instead of the spec directory (emit paths are kept).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Use templates from this directory where a file of the same name exists.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Print a JSON summary.
        #[arg(long)]
        json: bool,
    },
    /// Show what applying the spec would change: resources (against state) and generated files.
    #[command(
        after_help = "Examples:\n  meridian plan\n  meridian plan examples/eu-bank -out plan.json\n  meridian plan --detailed-exitcode --refresh=false\n  meridian plan --format markdown > plan.md\n  meridian plan --json | jq '.resource_changes[] | select(.change.actions != [\"no-op\"])'\n\nExit codes: 0 success (with --detailed-exitcode: no changes), 1 error, 2 changes (--detailed-exitcode only)."
    )]
    Plan {
        #[command(flatten)]
        spec: SpecArgs,
        #[command(flatten)]
        state: StateArgs,
        /// Save the plan to FILE, for `meridian apply FILE` (also written -out=FILE).
        #[arg(long = "out", value_name = "FILE")]
        out_file: Option<PathBuf>,
        /// Exit 2 when there are changes, 0 when there are none, 1 on error.
        #[arg(long)]
        detailed_exitcode: bool,
        /// Print the plan as JSON, shaped like `terraform show -json` (same as --format json).
        #[arg(long)]
        json: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: PlanFormatArg,
    },
    /// Write the generated files and record state: a fresh plan after approval, or a saved plan.
    #[command(
        after_help = "Examples:\n  meridian apply                 # plan, show, ask for 'yes', write\n  meridian apply --auto-approve examples/eu-bank\n  meridian plan -out plan.json && meridian apply plan.json\n\nA saved plan is applied exactly, without asking, and refused when the spec, the catalog,\nthe state or a generated file changed since it was made. Files and state are written\nall-or-nothing: an apply that fails or is interrupted leaves everything as it was before or\nas it is after, never half-written."
    )]
    Apply {
        /// A saved plan (from `plan -out`), or a spec file or directory (default: current directory).
        #[arg(default_value = ".")]
        target: PathBuf,
        /// Set a variable: NAME=VALUE (repeatable; also written -var).
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
        /// Read variables from a file (repeatable; also written -var-file).
        #[arg(long = "var-file", value_name = "FILE")]
        var_files: Vec<PathBuf>,
        #[command(flatten)]
        state: StateArgs,
        /// Apply without asking for confirmation (needed without a terminal).
        #[arg(long)]
        auto_approve: bool,
    },
    /// Render a saved plan.
    #[command(
        after_help = "Examples:\n  meridian show plan.json\n  meridian show --json plan.json\n  meridian show --format markdown plan.json > comment.md"
    )]
    Show {
        /// The plan file (from `meridian plan -out FILE`).
        plan: PathBuf,
        /// Print JSON, shaped like `terraform show -json` (same as --format json).
        #[arg(long)]
        json: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: PlanFormatArg,
    },
    /// Release a state lock left behind, by its ID (printed by the command that failed on it).
    #[command(
        after_help = "Examples:\n  meridian force-unlock 6f1c2a9e-5b7d-4c1e-9f3a-2d8b7e4c1a05\n  meridian force-unlock 6f1c2a9e-5b7d-4c1e-9f3a-2d8b7e4c1a05 infra/ai\n\nA lock held by a running Meridian process cannot be released: stop that process first."
    )]
    ForceUnlock {
        /// The lock ID.
        id: String,
        /// The spec directory whose state is locked (default: current directory).
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Print the dependency graph of the cloud resources the spec implies.
    #[command(
        after_help = "Examples:\n  meridian graph examples/eu-bank | dot -Tsvg > graph.svg\n  meridian graph --format mermaid .\n\nEdges point from a resource to what it needs, as in `terraform graph`."
    )]
    Graph {
        #[command(flatten)]
        spec: SpecArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "dot")]
        format: GraphFormat,
    },
    /// Rewrite spec files in the canonical layout.
    #[command(
        after_help = "Examples:\n  meridian fmt\n  meridian fmt --check --diff examples/\n  meridian fmt --recursive .\n\nExit codes: 0 done (or nothing to change), 1 error, 3 `--check` found files to reformat."
    )]
    Fmt {
        /// Files or directories (default: the current directory).
        paths: Vec<PathBuf>,
        /// Change nothing; exit 3 when a file is not formatted.
        #[arg(long)]
        check: bool,
        /// Show the changes as unified diffs.
        #[arg(long)]
        diff: bool,
        /// Also format *.hcl files in subdirectories.
        #[arg(long)]
        recursive: bool,
    },
    /// Browse the built-in catalog of models and regions.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  meridian completions bash > /etc/bash_completion.d/meridian\n  meridian completions zsh > \"${fpath[1]}/_meridian\"\n  meridian completions fish > ~/.config/fish/completions/meridian.fish"
    )]
    Completions { shell: Shell },
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Models, with context, capabilities, processing modes and prices.
    #[command(
        after_help = "Examples:\n  meridian catalog models\n  meridian catalog models --provider azure\n  meridian catalog models --json"
    )]
    Models(CatalogArgs),
    /// Regions, with their country and residency groupings.
    #[command(
        after_help = "Examples:\n  meridian catalog regions --provider gcp\n  meridian catalog regions --json"
    )]
    Regions(CatalogArgs),
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// Only this cloud.
    #[arg(long, value_enum)]
    pub provider: Option<Provider>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// A catalog overlay file to merge over the built-in catalog.
    #[arg(long)]
    pub overlay: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Provider {
    Aws,
    Azure,
    Gcp,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Plan output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormatArg {
    Human,
    Json,
    Markdown,
}

/// State options of commands that read or write state.
#[derive(Debug, Args)]
pub struct StateArgs {
    /// How long to wait for the state lock held by another process: 0s (default), 500ms, 10s, 2m
    /// (also written -lock-timeout=10s).
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_lock_timeout)]
    pub lock_timeout: std::time::Duration,
    /// Read live provider state first (default true). With --refresh=false the plan uses the
    /// last known state and says so.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub refresh: bool,
}

fn parse_lock_timeout(s: &str) -> Result<std::time::Duration, String> {
    meridian_state::parse_duration(s)
}

/// Where the spec is and what its variables are.
#[derive(Debug, Args)]
pub struct SpecArgs {
    /// A spec file, or a directory whose *.hcl files form the spec (default: current directory).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Set a variable: NAME=VALUE (repeatable; also written -var).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read variables from a file of NAME = value lines (repeatable; also written -var-file).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
}

/// Accepts Terraform's single-dash long flags (`-var x=1`, `-var-file=f`).
pub fn normalize_args<I: IntoIterator<Item = String>>(args: I) -> Vec<String> {
    const SINGLE_DASH: &[&str] = &[
        "var",
        "var-file",
        "no-color",
        "json",
        "check",
        "diff",
        "recursive",
        "out",
        "detailed-exitcode",
        "auto-approve",
        "lock-timeout",
        "refresh",
    ];
    args.into_iter()
        .map(|a| {
            if let Some(rest) = a.strip_prefix('-').filter(|r| !r.starts_with('-')) {
                let name = rest.split('=').next().unwrap_or(rest);
                if SINGLE_DASH.contains(&name) {
                    return format!("-{a}");
                }
            }
            a
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn single_dash_terraform_flags_are_accepted() {
        let args = normalize_args(
            [
                "meridian",
                "validate",
                "-var",
                "a=1",
                "-var-file=x.mvars",
                "-json",
                "-v",
            ]
            .map(String::from),
        );
        assert_eq!(
            args,
            [
                "meridian",
                "validate",
                "--var",
                "a=1",
                "--var-file=x.mvars",
                "--json",
                "-v"
            ]
        );
    }
}
