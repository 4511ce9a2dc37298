//! `meridian plan`, `apply`, `show` and `force-unlock`: the diff of the spec against state,
//! saved plans, and the all-or-nothing write of artifacts and state.

use super::{cycle_message, print_invalid};
use crate::driver::{self, Checked};
use crate::exit;
use crate::output::Output;
use meridian_emit::{render_all, Artifact, Templates};
use meridian_graph::Graph;
use meridian_plan::file::{staleness, PlanFile};
use meridian_plan::render;
use meridian_plan::{diff_artifacts, diff_resources, ArtifactAction, Plan, PriorState, Rendered};
use meridian_spec::Inputs;
use meridian_state::{
    commit, recover, CommitOptions, Fault, FileChange, Lock, LockInfo, Recovery, RecoveryOutcome,
    State,
};
use std::io::{BufRead as _, IsTerminal as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How the plan is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    Human,
    Json,
    Markdown,
}

/// Flags shared by plan and apply.
pub struct PlanOptions<'a> {
    pub inputs: &'a Inputs,
    pub lock_timeout: Duration,
    pub refresh: bool,
    /// Concurrent requests of the refresh.
    pub parallelism: usize,
    /// Name the source of each cloud's credentials.
    pub verbose: bool,
    pub format: PlanFormat,
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The state files of a spec directory.
pub struct StatePaths {
    pub dir: PathBuf,
    pub state: PathBuf,
    pub lock: PathBuf,
    pub journal: PathBuf,
}

impl StatePaths {
    pub fn of(spec_dir: &Path) -> StatePaths {
        let dir = spec_dir.join(".meridian");
        StatePaths {
            state: dir.join("state.json"),
            lock: dir.join("state.lock"),
            journal: dir.join("apply.journal"),
            dir,
        }
    }
}

/// Everything a plan is made from.
struct Made {
    checked: Checked,
    plan: Plan,
    /// The state the plan diffed against: `prior` with the live values a refresh read.
    base: Option<State>,
    lock: Lock,
    paths: StatePaths,
}

/// The state lock, the state, and notes for the user.
type Loaded = (Lock, Option<State>, Vec<String>);

/// Takes the state lock (finishing an interrupted apply first) and reads the state. The
/// error is the message to print.
fn lock_and_load(paths: &StatePaths, operation: &str, timeout: Duration) -> Result<Loaded, String> {
    std::fs::create_dir_all(&paths.dir).map_err(|e| {
        format!(
            "error: cannot create the state directory {}: {e}",
            paths.dir.display()
        )
    })?;
    let lock = Lock::acquire(&paths.lock, LockInfo::new(operation, VERSION), timeout)
        .map_err(|e| format!("error: {e}"))?;
    let mut notes = Vec::new();
    match recover(&paths.journal) {
        Ok(None) => {}
        Ok(Some(r)) => notes.push(recovery_note(&r)),
        Err(e) => {
            return Err(format!(
                "error: an interrupted apply could not be completed or undone: {e}"
            ))
        }
    }
    let state = meridian_state::load(&paths.state).map_err(|e| format!("error: {e}"))?;
    Ok((lock, state, notes))
}

/// [`lock_and_load`], printing its notes or its error.
pub(super) fn lock_and_load_printing(
    paths: &StatePaths,
    operation: &str,
    timeout: Duration,
    out: &mut Output<'_>,
) -> Result<(Lock, Option<State>), i32> {
    match lock_and_load(paths, operation, timeout) {
        Ok((lock, state, notes)) => {
            for n in notes {
                let _ = writeln!(out.err, "{n}");
            }
            Ok((lock, state))
        }
        Err(e) => {
            let _ = writeln!(out.err, "{e}");
            Err(exit::ERROR)
        }
    }
}

fn recovery_note(r: &Recovery) -> String {
    let what = match r.outcome {
        RecoveryOutcome::RolledBack => "it had not reached its commit point, so it was undone: every file and the state are as they were before it",
        RecoveryOutcome::RolledForward => "it had passed its commit point, so it was finished: every file and the state are as it meant to leave them",
    };
    format!(
        "note: an earlier apply was interrupted ({} file{}); {what}.",
        r.files.len(),
        if r.files.len() == 1 { "" } else { "s" }
    )
}

/// The graph, the spec hash and the rendered artifacts of a valid spec; the error is the
/// message to print.
fn build_and_render(
    checked: &Checked,
    project: &meridian_model::ir::Project,
) -> Result<(Graph, String, Vec<Artifact>), String> {
    let graph = Graph::build(project).map_err(|cycle| cycle_message(&cycle))?;
    let hash = driver::spec_hash(checked);
    let artifacts = if project.emits.is_empty() {
        Vec::new()
    } else {
        let templates = Templates::load(None).map_err(|e| format!("error: {e}"))?;
        render_all(project, &graph, &hash, &templates).map_err(|e| format!("error: {e}"))?
    };
    Ok((graph, hash, artifacts))
}

/// Validates, renders and diffs: the plan, holding the state lock.
fn make_plan(
    path: &Path,
    opts: &PlanOptions<'_>,
    operation: &str,
    out: &mut Output<'_>,
) -> Result<Made, i32> {
    let checked = driver::check(path, opts.inputs, driver::today());
    let Some(project) = checked.project.as_ref().filter(|_| checked.is_valid()) else {
        print_invalid(&checked, out, "no plan was made");
        return Err(exit::ERROR);
    };
    let paths = StatePaths::of(&checked.spec.dir);
    // The state is locked and read on its own thread while the graph and the artifacts are
    // built: the two do not depend on each other.
    let (built, loaded) = std::thread::scope(|scope| {
        let loading = scope.spawn(|| lock_and_load(&paths, operation, opts.lock_timeout));
        let built = build_and_render(&checked, project);
        let loaded = loading
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (built, loaded)
    });
    let (lock, prior) = match loaded {
        Ok((lock, state, notes)) => {
            for n in notes {
                let _ = writeln!(out.err, "{n}");
            }
            (lock, state)
        }
        Err(e) => {
            let _ = writeln!(out.err, "{e}");
            return Err(exit::ERROR);
        }
    };
    let (graph, hash, artifacts) = match built {
        Ok(b) => b,
        Err(e) => {
            let _ = writeln!(out.err, "{e}");
            return Err(exit::ERROR);
        }
    };
    let prior_state = prior.as_ref().map(|s| PriorState {
        lineage: s.lineage.clone(),
        serial: s.serial,
    });
    let before_usd = prior.as_ref().and_then(|s| s.monthly_estimate_usd);
    // The state the plan diffs against: the last applied one, with the live values laid
    // over it when the clouds were read.
    let (base, drift, live_unmanaged) = if opts.refresh {
        let settings = super::refresh::RefreshSettings {
            parallelism: opts.parallelism,
            verbose: opts.verbose,
        };
        let mut r = super::refresh::run(
            project,
            graph.resources(),
            prior.as_ref(),
            &settings,
            super::refresh::Purpose::Plan,
            out,
        )?
        .reconciled;
        let base = (prior.is_some() || !r.resources.is_empty())
            .then(|| r.take_state(prior.as_ref(), VERSION));
        (base, r.drift, r.unmanaged)
    } else {
        (prior, Vec::new(), Vec::new())
    };
    let (resource_changes, mut unmanaged) = diff_resources(graph.resources(), base.as_ref());
    drop(graph);
    for u in live_unmanaged {
        if !unmanaged.iter().any(|x| x.address == u.address) {
            unmanaged.push(u);
        }
    }
    unmanaged.sort_by(|a, b| a.address.cmp(&b.address));
    let rendered: Vec<Rendered<'_>> = artifacts
        .iter()
        .map(|a| Rendered {
            path: &a.path,
            content: &a.content,
        })
        .collect();
    let artifact_changes = diff_artifacts(&checked.spec.dir, &rendered, base.as_ref());
    drop(rendered);
    drop(artifacts);
    let plan = Plan {
        meridian_version: VERSION.to_string(),
        spec_hash: hash,
        catalog_hash: checked.catalog_hash.clone(),
        prior: prior_state,
        refreshed: opts.refresh,
        drift,
        resource_changes,
        unmanaged,
        artifact_changes,
        cost: Some(meridian_plan::CostChange {
            before_usd,
            after_usd: meridian_model::cost::project_normal_monthly(project, &checked.catalog),
        }),
    };
    Ok(Made {
        checked,
        plan,
        base,
        lock,
        paths,
    })
}

fn stdout_color(out: &Output<'_>) -> bool {
    out.color && std::io::stdout().is_terminal()
}

fn show_plan(plan: &Plan, format: PlanFormat, out: &mut Output<'_>) {
    match format {
        PlanFormat::Human => {
            let color = stdout_color(out);
            let _ = write!(out.out, "{}", render::human(plan, color));
        }
        PlanFormat::Json => {
            let _ = writeln!(
                out.out,
                "{}",
                serde_json::to_string_pretty(&render::json(plan)).unwrap_or_default()
            );
        }
        PlanFormat::Markdown => {
            let _ = write!(out.out, "{}", render::markdown(plan));
        }
    }
}

/// `meridian plan`.
pub fn plan(
    path: &Path,
    opts: &PlanOptions<'_>,
    save: Option<&Path>,
    detailed_exitcode: bool,
    out: &mut Output<'_>,
) -> i32 {
    let made = match make_plan(path, opts, "plan", out) {
        Ok(m) => m,
        Err(code) => return code,
    };
    show_plan(&made.plan, opts.format, out);
    if let Some(file) = save {
        let saved = PlanFile::new(
            made.plan.clone(),
            &path.display().to_string(),
            now_rfc3339(),
        );
        if let Err(e) = saved.save(file) {
            let _ = writeln!(
                out.err,
                "error: cannot write the plan file {}: {e}",
                file.display()
            );
            return exit::ERROR;
        }
        if opts.format == PlanFormat::Human {
            let _ = writeln!(
                out.out,
                "\nSaved the plan to {}. To apply exactly this plan, run:\n  meridian apply {}",
                file.display(),
                file.display()
            );
        }
    }
    drop(made.lock);
    if detailed_exitcode && made.plan.has_changes() {
        exit::CHANGES
    } else {
        exit::OK
    }
}

fn now_rfc3339() -> String {
    meridian_state::rfc3339_utc(std::time::SystemTime::now())
}

/// The fault point of crash tests: `MERIDIAN_TEST_FAULT=abort-after-swaps:N` (or
/// `fail-after-swaps:N`) stops an apply after N files were swapped in.
fn fault_from_env() -> Option<Fault> {
    let v = std::env::var("MERIDIAN_TEST_FAULT").ok()?;
    let (kind, n) = v.split_once(':')?;
    let n: usize = n.parse().ok()?;
    match kind {
        "abort-after-swaps" => Some(Fault::AbortAfterSwaps(n)),
        "fail-after-swaps" => Some(Fault::FailAfterSwaps(n)),
        _ => None,
    }
}

/// Writes the plan's files and the next state, all or nothing.
fn write_plan(
    plan: &Plan,
    base: &Path,
    paths: &StatePaths,
    prior: Option<&State>,
    out: &mut Output<'_>,
) -> i32 {
    let changes: Vec<FileChange> = plan
        .artifact_changes
        .iter()
        .filter_map(|a| match a.action {
            ArtifactAction::Create | ArtifactAction::Update => Some(FileChange {
                path: PathBuf::from(&a.path),
                content: a.content.as_ref().map(|c| c.as_bytes().to_vec()),
            }),
            ArtifactAction::Delete => Some(FileChange {
                path: PathBuf::from(&a.path),
                content: None,
            }),
            ArtifactAction::NoOp => None,
        })
        .collect();
    let mut next = plan.next_state(prior, VERSION);
    let result = commit(
        base,
        &changes,
        CommitOptions {
            journal: Some(&paths.journal),
            state: Some((&paths.state, &mut next)),
            fault: fault_from_env(),
        },
    );
    match result {
        Ok(report) => {
            let s = plan.summary();
            let _ = writeln!(
                out.out,
                "Apply complete! Resources: {} added, {} changed, {} replaced, {} destroyed. Files: {} written, {} deleted.",
                s.add,
                s.change,
                s.replace,
                s.destroy,
                report.written.len(),
                report.deleted.len()
            );
            let _ = writeln!(
                out.out,
                "State: {} (serial {}).",
                paths.state.display(),
                next.serial
            );
            exit::OK
        }
        Err(e) => {
            let _ = writeln!(
                out.err,
                "error: apply failed; every file and the state are as they were: {e}"
            );
            exit::ERROR
        }
    }
}

fn confirm(out: &mut Output<'_>) -> Result<bool, String> {
    if !std::io::stdin().is_terminal() {
        return Err("apply needs approval, and there is no terminal to ask on: run `meridian apply --auto-approve`, or save a plan with `meridian plan -out FILE` and apply that".into());
    }
    let _ = write!(
        out.out,
        "\nDo you want to perform these actions?\n  Meridian will write the files and the state shown above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    );
    let _ = out.out.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok(line.trim() == "yes")
}

/// Whether an `apply` argument names a saved plan rather than a spec.
pub fn is_plan_file(path: &Path) -> bool {
    path.is_file() && path.extension().is_none_or(|e| e != "hcl")
}

/// `meridian apply [PATH]`: plan, show, ask, write.
pub fn apply(path: &Path, opts: &PlanOptions<'_>, auto_approve: bool, out: &mut Output<'_>) -> i32 {
    let made = match make_plan(path, opts, "apply", out) {
        Ok(m) => m,
        Err(code) => return code,
    };
    show_plan(&made.plan, PlanFormat::Human, out);
    if !made.plan.has_changes() {
        return exit::OK;
    }
    if !auto_approve {
        match confirm(out) {
            Ok(true) => {}
            Ok(false) => {
                let _ = writeln!(out.err, "Apply cancelled; nothing was changed.");
                return exit::ERROR;
            }
            Err(e) => {
                let _ = writeln!(out.err, "error: {e}");
                return exit::ERROR;
            }
        }
    }
    let _ = writeln!(out.out);
    let code = write_plan(
        &made.plan,
        &made.checked.spec.dir,
        &made.paths,
        made.base.as_ref(),
        out,
    );
    drop(made.lock);
    code
}

/// `meridian apply PLANFILE`: applies a saved plan exactly, or refuses a stale one.
pub fn apply_saved(
    plan_path: &Path,
    inputs: &Inputs,
    lock_timeout: Duration,
    out: &mut Output<'_>,
) -> i32 {
    let file = match PlanFile::load(plan_path) {
        Ok(f) => f,
        Err(e) => {
            let _ = writeln!(out.err, "error: {e}");
            return exit::ERROR;
        }
    };
    let spec_path = PathBuf::from(&file.spec_path);
    let checked = driver::check(&spec_path, inputs, driver::today());
    if checked.spec.files.is_empty() {
        print_invalid(&checked, out, "the saved plan cannot be checked against it");
        return exit::ERROR;
    }
    let paths = StatePaths::of(&checked.spec.dir);
    let (lock, prior) = match lock_and_load_printing(&paths, "apply", lock_timeout, out) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let why = staleness(
        &file.plan,
        &driver::spec_hash(&checked),
        &checked.catalog_hash,
        prior.as_ref(),
        &checked.spec.dir,
    );
    if !why.is_empty() {
        let _ = writeln!(
            out.err,
            "error: Saved plan is stale\n\nThe plan file {} can no longer be applied:",
            plan_path.display()
        );
        for w in &why {
            let _ = writeln!(out.err, "  - {w}");
        }
        let _ = writeln!(
            out.err,
            "\nNothing was changed. Make a new plan with `meridian plan -out FILE`."
        );
        return exit::ERROR;
    }
    if !file.plan.has_changes() {
        let _ = writeln!(out.out, "No changes. The saved plan has nothing to apply.");
        return exit::OK;
    }
    let code = write_plan(&file.plan, &checked.spec.dir, &paths, prior.as_ref(), out);
    drop(lock);
    code
}

/// `meridian show PLANFILE`.
pub fn show(plan_path: &Path, format: PlanFormat, out: &mut Output<'_>) -> i32 {
    match PlanFile::load(plan_path) {
        Ok(f) => {
            show_plan(&f.plan, format, out);
            exit::OK
        }
        Err(e) => {
            let _ = writeln!(out.err, "error: {e}");
            exit::ERROR
        }
    }
}

/// `meridian force-unlock ID [DIR]`.
pub fn force_unlock(id: &str, dir: &Path, out: &mut Output<'_>) -> i32 {
    let spec_dir = if dir.is_file() {
        dir.parent().unwrap_or(Path::new(".")).to_path_buf()
    } else {
        dir.to_path_buf()
    };
    let paths = StatePaths::of(&spec_dir);
    match meridian_state::force_unlock(&paths.lock, id) {
        Ok(_) => {
            let _ = writeln!(
                out.out,
                "Meridian state has been unlocked: lock {id} on {} was released.",
                paths.lock.display()
            );
            exit::OK
        }
        Err(e) => {
            let _ = writeln!(out.err, "error: {e}");
            exit::ERROR
        }
    }
}
