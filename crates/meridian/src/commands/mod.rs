//! One function per command. Each returns the process exit code and writes to [`Output`].

mod catalog;
mod docs;
mod fmt;
mod generate;
mod graph;
mod import;
mod init;
mod inspect;
mod outputs;
mod plan;
mod refresh;
mod report;
mod simulate;
mod state;
mod validate;
mod verify;

pub use catalog::{catalog_models, catalog_regions, catalog_show, catalog_where};
pub use docs::docs_cli;
pub use fmt::fmt;
pub use generate::{generate, GenerateOptions};
pub use graph::graph;
pub use import::{import, ImportOptions};
pub use init::{init, STARTER_SPEC};
pub use inspect::inspect;
pub use outputs::output;
pub use plan::{
    apply, apply_saved, force_unlock, is_plan_file, plan, show, PlanFormat, PlanOptions, StatePaths,
};
pub use refresh::{refresh, RefreshSettings};
pub use report::report;
pub use simulate::simulate;
pub use state::{state_list, state_mv, state_rm, state_show, StateSort};
pub use validate::validate;
pub use verify::catalog_verify;

use crate::cli::{
    CatalogCommand, Cli, Command, DocsCommand, PlanFormatArg, SpecArgs, StateCommand, StateSortArg,
};
use crate::driver::Checked;
use crate::output::Output;
use meridian_diag::{render_human, RenderOptions};
use meridian_graph::{Address, Graph};
use meridian_model::ir::Project;
use meridian_spec::{InputKind, Inputs};
use std::path::PathBuf;

/// Runs a parsed command line.
pub fn run(cli: Cli, out: &mut Output<'_>) -> i32 {
    if let Err(e) = crate::driver::today_setting() {
        let _ = writeln!(out.err, "error: {e}");
        return crate::exit::ERROR;
    }
    let order = &cli.var_order;
    let inputs = |spec: &SpecArgs| inputs_of(&spec.vars, &spec.var_files, order);
    match cli.command {
        Command::Init { dir, force } => init(&dir, force, out),
        Command::Validate { spec, json } => validate(&spec.path, &inputs(&spec), json, out),
        Command::Inspect { spec, json } => inspect(&spec.path, &inputs(&spec), json, out),
        Command::Generate {
            spec,
            out: out_dir,
            templates,
            lock_timeout,
            json,
        } => generate(
            &spec.path,
            &GenerateOptions {
                inputs: &inputs(&spec),
                out_dir: out_dir.as_deref(),
                templates_dir: templates.as_deref(),
                lock_timeout,
                json,
            },
            out,
        ),
        Command::Plan {
            spec,
            state,
            targets,
            out_file,
            detailed_exitcode,
            json,
            format,
        } => {
            let inputs = inputs(&spec);
            let opts = PlanOptions {
                inputs: &inputs,
                lock_timeout: state.lock_timeout,
                refresh: state.refresh,
                parallelism: state.parallelism,
                verbose: state.verbose,
                format: plan_format(json, format),
                targets: &targets,
            };
            plan(
                &spec.path,
                &opts,
                out_file.as_deref(),
                detailed_exitcode,
                out,
            )
        }
        Command::Apply {
            target,
            vars,
            var_files,
            state,
            auto_approve,
            targets,
            json,
        } => {
            let inputs = inputs_of(&vars, &var_files, order);
            if is_plan_file(&target) {
                if !targets.is_empty() {
                    let _ = writeln!(
                        out.err,
                        "error: a saved plan is applied exactly as it was made: -target belongs on `meridian plan -out FILE`"
                    );
                    return crate::exit::ERROR;
                }
                apply_saved(&target, &inputs, state.lock_timeout, json, out)
            } else {
                let opts = PlanOptions {
                    inputs: &inputs,
                    lock_timeout: state.lock_timeout,
                    refresh: state.refresh,
                    parallelism: state.parallelism,
                    verbose: state.verbose,
                    format: PlanFormat::Human,
                    targets: &targets,
                };
                apply(&target, &opts, auto_approve, json, out)
            }
        }
        Command::Refresh {
            spec,
            lock_timeout,
            parallelism,
            json,
            verbose,
        } => refresh(
            &spec.path,
            &inputs(&spec),
            lock_timeout,
            &RefreshSettings {
                parallelism,
                verbose,
            },
            json,
            out,
        ),
        Command::Import {
            spec,
            terraform_state,
            lock_timeout,
            json,
        } => import(
            &spec.path,
            &ImportOptions {
                inputs: &inputs(&spec),
                terraform_state: &terraform_state,
                lock_timeout,
                json,
            },
            out,
        ),
        Command::Show { plan, json, format } => show(&plan, plan_format(json, format), out),
        Command::ForceUnlock { id, dir } => force_unlock(&id, &dir, out),
        Command::State(StateCommand::List {
            filters,
            dir,
            sort,
            json,
        }) => state_list(&dir, &filters, state_sort(sort), json, out),
        Command::State(StateCommand::Show { address, dir, json }) => {
            state_show(&dir, &address, json, out)
        }
        Command::State(StateCommand::Rm { addresses, edit }) => {
            state_rm(&edit.dir, &addresses, edit.dry_run, edit.lock_timeout, out)
        }
        Command::State(StateCommand::Mv { from, to, edit }) => {
            state_mv(&edit.dir, &from, &to, edit.dry_run, edit.lock_timeout, out)
        }
        Command::Output { name, dir, json } => output(&dir, name.as_deref(), json, out),
        Command::Graph { spec, format } => graph(&spec.path, &inputs(&spec), format, out),
        Command::Fmt {
            paths,
            check,
            diff,
            recursive,
        } => fmt(&paths, check, diff, recursive, out),
        Command::Catalog(CatalogCommand::Models(args)) => catalog_models(&args, out),
        Command::Catalog(CatalogCommand::Regions(args)) => catalog_regions(&args, out),
        Command::Catalog(CatalogCommand::Show(args)) => catalog_show(&args, out),
        Command::Catalog(CatalogCommand::Where(args)) => {
            let inputs = inputs_of(&args.vars, &args.var_files, order);
            catalog_where(&args, &inputs, out)
        }
        Command::Catalog(CatalogCommand::Verify(args)) => {
            catalog_verify(&args, &inputs(&args.spec), out)
        }
        Command::Simulate(args) => simulate(&args, &inputs(&args.spec), out),
        Command::Report(args) => report(&args, &inputs(&args.spec), out),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let shell = match shell {
                crate::cli::Shell::Bash => clap_complete::Shell::Bash,
                crate::cli::Shell::Zsh => clap_complete::Shell::Zsh,
                crate::cli::Shell::Fish => clap_complete::Shell::Fish,
            };
            clap_complete::generate(shell, &mut cmd, "meridian", &mut out.out);
            crate::exit::OK
        }
        Command::Docs(DocsCommand::Cli { out_dir }) => docs_cli(out_dir.as_deref(), out),
    }
}

fn state_sort(sort: StateSortArg) -> StateSort {
    match sort {
        StateSortArg::Address => StateSort::Address,
        StateSortArg::Type => StateSort::Type,
        StateSortArg::Provider => StateSort::Provider,
        StateSortArg::Region => StateSort::Region,
        StateSortArg::Status => StateSort::Status,
    }
}

fn plan_format(json: bool, format: PlanFormatArg) -> PlanFormat {
    match (json, format) {
        (true, _) | (false, PlanFormatArg::Json) => PlanFormat::Json,
        (false, PlanFormatArg::Markdown) => PlanFormat::Markdown,
        (false, PlanFormatArg::Human) => PlanFormat::Human,
    }
}

/// The variable inputs of a command: its `-var` and `-var-file` arguments in command-line
/// order, and `MERIDIAN_VAR_*` from the environment.
fn inputs_of(vars: &[String], var_files: &[PathBuf], order: &[InputKind]) -> Inputs {
    Inputs {
        vars: vars.to_vec(),
        var_files: var_files.to_vec(),
        env: Vec::new(),
        order: order.to_vec(),
    }
    .with_process_env()
}

/// Prints `value` as pretty JSON on standard output.
fn print_json<T: serde::Serialize>(value: &T, out: &mut Output<'_>) {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into());
    let _ = writeln!(out.out, "{text}");
}

/// `"s"` unless `n` is one.
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// What commands that refuse an invalid spec tell the user to do.
const RUN_VALIDATE: &str = "run `meridian validate` for details";

/// Prints the diagnostics of an invalid spec, then `The spec is invalid; {what}.`
fn print_invalid(checked: &Checked, out: &mut Output<'_>, what: &str) {
    let text = render_human(
        &checked.diagnostics,
        &checked.sources,
        RenderOptions { color: out.color },
    );
    let _ = write!(out.err, "{text}");
    let _ = writeln!(out.err, "The spec is invalid; {what}.");
}

/// The validated project of a valid spec, or `None` after [`print_invalid`].
fn valid_project<'c>(
    checked: &'c Checked,
    out: &mut Output<'_>,
    what: &str,
) -> Option<&'c Project> {
    let project = checked.project.as_ref().filter(|_| checked.is_valid());
    if project.is_none() {
        print_invalid(checked, out, what);
    }
    project
}

/// The error printed when the resource graph has a cycle.
fn cycle_message(cycle: &[Address]) -> String {
    let names: Vec<String> = cycle.iter().map(ToString::to_string).collect();
    format!(
        "error: the resource graph has a cycle among: {}",
        names.join(", ")
    )
}

/// The resource graph of a valid project, or `None` after printing its cycle.
fn build_graph(project: &Project, out: &mut Output<'_>) -> Option<Graph> {
    match Graph::build(project) {
        Ok(g) => Some(g),
        Err(cycle) => {
            let _ = writeln!(out.err, "{}", cycle_message(&cycle));
            None
        }
    }
}
