//! `meridian import --terraform-state FILE`: records the resources Terraform already manages
//! for this spec in Meridian's state, under Meridian's addresses.

use super::plan::{lock_and_load_printing, write_root};
use super::{build_graph, valid_project};
use crate::commands::StatePaths;
use crate::driver;
use crate::exit;
use crate::output::Output;
use meridian_plan::import::{import as import_resources, parse_show_json, ImportReport};
use meridian_spec::Inputs;
use meridian_state::{commit, CommitOptions, Root, State};
use serde_json::{json, Value};
use std::io::Read as _;
use std::path::Path;
use std::time::Duration;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What `meridian import` is asked to do.
pub struct ImportOptions<'a> {
    pub inputs: &'a Inputs,
    /// The `terraform show -json` document; `-` reads standard input.
    pub terraform_state: &'a Path,
    pub lock_timeout: Duration,
    pub json: bool,
}

fn read_document(path: &Path) -> Result<String, String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            format!("error: cannot read the Terraform state from standard input: {e}")
        })?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| {
        format!(
            "error: cannot read the Terraform state {}: {e}",
            path.display()
        )
    })
}

fn fail(out: &mut Output<'_>, message: &str) -> i32 {
    let _ = writeln!(out.err, "{message}");
    exit::ERROR
}

/// `meridian import --terraform-state FILE [PATH]`.
pub fn import(path: &Path, opts: &ImportOptions<'_>, out: &mut Output<'_>) -> i32 {
    let text = match read_document(opts.terraform_state) {
        Ok(t) => t,
        Err(e) => return fail(out, &e),
    };
    let document = match parse_show_json(&text) {
        Ok(d) => d,
        Err(e) => {
            return fail(
                out,
                &format!("error: {}: {e}", opts.terraform_state.display()),
            )
        }
    };
    let checked = driver::check(path, opts.inputs, driver::today());
    let Some(project) = valid_project(&checked, out, "nothing was imported") else {
        return exit::ERROR;
    };
    let Some(graph) = build_graph(project, out) else {
        return exit::ERROR;
    };
    let paths = StatePaths::of(&checked.spec.dir);
    let root = match write_root(&checked, None) {
        Ok(r) => r,
        Err(e) => return fail(out, &e),
    };
    let (lock, prior) =
        match lock_and_load_printing(&paths, &root, "import", opts.lock_timeout, out) {
            Ok(x) => x,
            Err(code) => return code,
        };
    let report = match import_resources(&document, graph.resources(), &project.name, prior.as_ref())
    {
        Ok(r) => r,
        Err(e) => {
            return fail(
                out,
                &format!("error: {}: {e}", opts.terraform_state.display()),
            )
        }
    };
    let written = if report.records.is_empty() {
        None
    } else {
        let mut next = match report.next_state(prior.as_ref(), VERSION) {
            Ok(n) => n,
            Err(e) => return fail(out, &format!("error: {e}")),
        };
        if let Err(e) = write_state(&root, &paths, &mut next) {
            return fail(
                out,
                &format!("error: the import was not recorded; the state is as it was: {e}"),
            );
        }
        Some(next)
    };
    drop(lock);
    let source = opts.terraform_state.display().to_string();
    if opts.json {
        let _ = writeln!(
            out.out,
            "{}",
            serde_json::to_string_pretty(&json_report(
                &report,
                &source,
                document.terraform_version.as_deref(),
                &paths,
                written.as_ref(),
                prior.as_ref()
            ))
            .unwrap_or_default()
        );
    } else {
        human_report(&report, &source, &paths, written.as_ref(), out);
    }
    exit::OK
}

fn write_state(root: &Root, paths: &StatePaths, next: &mut State) -> Result<(), String> {
    commit(
        root,
        &[],
        CommitOptions {
            journal: Some(&paths.journal),
            state: Some((&paths.state, next)),
            fault: None,
        },
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn human_report(
    report: &ImportReport,
    source: &str,
    paths: &StatePaths,
    written: Option<&State>,
    out: &mut Output<'_>,
) {
    let _ = writeln!(out.out, "Importing from {source}:");
    let width = report
        .imported
        .iter()
        .map(|i| i.address.len())
        .max()
        .unwrap_or(0);
    for i in &report.imported {
        let how = match i.matched_by {
            meridian_plan::import::MatchedBy::Tag => "by its meridian-address tag",
            meridian_plan::import::MatchedBy::Attributes => "by its attributes",
        };
        let note = if i.desired {
            ""
        } else {
            "; the spec no longer wants it"
        };
        let _ = writeln!(
            out.out,
            "  + {:width$}  from {} ({how}{note})",
            i.address, i.terraform_address
        );
    }
    for m in &report.merged {
        let _ = writeln!(
            out.out,
            "  = {:width$}  also reads {}",
            m.into, m.terraform_address
        );
    }
    for r in &report.router_entries {
        let _ = writeln!(
            out.out,
            "  + {r:width$}  router entry of the spec (its serving resource is in state)"
        );
    }
    if !report.not_imported.is_empty() {
        let _ = writeln!(out.out, "\nNot imported:");
        for l in &report.not_imported {
            let _ = writeln!(out.out, "  - {}: {}", l.terraform_address, l.reason);
        }
    }
    if !report.skipped.is_empty() {
        let _ = writeln!(out.out, "\nSkipped:");
        for l in &report.skipped {
            let _ = writeln!(out.out, "  - {}: {}", l.terraform_address, l.reason);
        }
    }
    let _ = writeln!(out.out);
    let counts = format!(
        "{} imported, {} merged, {} router {}, {} not imported, {} skipped",
        report.imported.len(),
        report.merged.len(),
        report.router_entries.len(),
        if report.router_entries.len() == 1 {
            "entry"
        } else {
            "entries"
        },
        report.not_imported.len(),
        report.skipped.len()
    );
    match written {
        Some(state) => {
            let _ = writeln!(
                out.out,
                "Import complete! {counts}. State: {} (serial {}, {}).",
                paths.state.display(),
                state.serial,
                plural(state.resources.len(), "resource", "resources")
            );
            let _ = writeln!(
                out.out,
                "Run `meridian plan` to compare the imported resources with the spec."
            );
        }
        None => {
            let _ = writeln!(
                out.out,
                "Nothing to import: {counts}. The state was not changed."
            );
        }
    }
}

fn json_report(
    report: &ImportReport,
    source: &str,
    terraform_version: Option<&str>,
    paths: &StatePaths,
    written: Option<&State>,
    prior: Option<&State>,
) -> Value {
    let state = written.or(prior).map_or(Value::Null, |s| {
        json!({
            "path": paths.state.display().to_string(),
            "lineage": s.lineage,
            "serial": s.serial,
            "resources": s.resources.len(),
        })
    });
    json!({
        "source": source,
        "terraform_version": terraform_version,
        "state_written": written.is_some(),
        "state": state,
        "summary": {
            "imported": report.imported.len(),
            "merged": report.merged.len(),
            "router_entries": report.router_entries.len(),
            "not_imported": report.not_imported.len(),
            "skipped": report.skipped.len(),
        },
        "imported": report.imported,
        "merged": report.merged,
        "router_entries": report.router_entries,
        "not_imported": report.not_imported,
        "skipped": report.skipped,
    })
}
