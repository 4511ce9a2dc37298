//! `meridian plan`, `apply`, `show` and `force-unlock`: the diff of the spec against state,
//! saved plans, and the all-or-nothing write of artifacts and state.

use super::{cycle_message, print_invalid, print_json};
use crate::driver::{self, Checked};
use crate::exit;
use crate::output::Output;
use meridian_emit::{render_all, Artifact, Templates};
use meridian_graph::Graph;
use meridian_plan::applied::Applied;
use meridian_plan::file::{mismatch, staleness, PlanFile};
use meridian_plan::render;
use meridian_plan::{
    describes, diff_artifacts, diff_resources, target, ArtifactAction, Drift, EmitBlock, LastKnown,
    Observations, PendingRollout, Plan, PriorState, Rendered, Unmanaged,
};
use meridian_spec::Inputs;
use meridian_state::{
    commit, recover, safe_fs, CommitOptions, CommitReport, Fault, FileChange, Lock, LockInfo,
    Recovery, RecoveryOutcome, Root, State,
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
    /// `-target` addresses: limit the plan to them and what they need.
    pub targets: &'a [String],
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

pub use meridian_state::StatePaths;

/// Everything a plan is made from.
struct Made {
    checked: Checked,
    plan: Plan,
    /// The state the plan was made against.
    base: Option<State>,
    /// What the refresh read (empty without one).
    observations: Observations,
    lock: Lock,
    paths: StatePaths,
    root: Root,
}

/// The state lock, the state, and notes for the user.
type Loaded = (Lock, Option<State>, Vec<String>);

/// Takes the state lock of `paths` and finishes (or undoes) an interrupted apply, whose
/// journal must list only files `root` may hold. The error is the message to print.
pub(super) fn lock_and_recover(
    paths: &StatePaths,
    root: &Root,
    operation: &str,
    timeout: Duration,
) -> Result<(Lock, Vec<String>), String> {
    safe_fs::own_dir(&paths.dir).map_err(|e| {
        format!(
            "error: cannot use the state directory {}: {e}",
            paths.dir.display()
        )
    })?;
    let lock = Lock::acquire(&paths.lock, LockInfo::new(operation, VERSION), timeout)
        .map_err(|e| format!("error: {e}"))?;
    let mut notes = Vec::new();
    match recover(&paths.journal, root) {
        Ok(None) => {}
        Ok(Some(r)) => notes.push(recovery_note(&r)),
        Err(e) => {
            return Err(format!(
                "error: an interrupted apply could not be completed or undone: {e}"
            ))
        }
    }
    Ok((lock, notes))
}

/// Takes the state lock (finishing an interrupted apply first) and reads the state. The
/// error is the message to print.
fn lock_and_load(
    paths: &StatePaths,
    root: &Root,
    operation: &str,
    timeout: Duration,
) -> Result<Loaded, String> {
    let (lock, notes) = lock_and_recover(paths, root, operation, timeout)?;
    let state = meridian_state::load(&paths.state).map_err(|e| format!("error: {e}"))?;
    Ok((lock, state, notes))
}

/// The write root of a checked spec ([`driver::write_root`]), or the message to print.
pub(super) fn write_root(checked: &Checked, out_dir: Option<&Path>) -> Result<Root, String> {
    let dir = out_dir.unwrap_or(&checked.spec.dir);
    driver::write_root(checked, out_dir)
        .map_err(|e| format!("error: cannot use the directory {}: {e}", dir.display()))
}

/// Checks every artifact against `root` before anything is read or written: the message
/// listing each one refused, if any.
pub(super) fn check_targets(root: &Root, artifacts: &[Artifact]) -> Result<(), String> {
    let refused: Vec<String> = artifacts
        .iter()
        .filter_map(|a| root.target(&a.path).err())
        .map(|e| format!("  - {e}"))
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    Err(format!(
        "error: the spec would write where Meridian never writes; nothing was changed:\n{}",
        refused.join("\n")
    ))
}

/// Notes about files an interrupted run left beside the destinations, which a commit removed.
pub(super) fn stale_note(report: &CommitReport, out: &mut Output<'_>) {
    if report.stale_removed.is_empty() {
        return;
    }
    let _ = writeln!(
        out.err,
        "note: removed {} file{} an interrupted run left behind:",
        report.stale_removed.len(),
        if report.stale_removed.len() == 1 {
            ""
        } else {
            "s"
        }
    );
    for p in &report.stale_removed {
        let _ = writeln!(out.err, "  {}", p.display());
    }
}

/// [`lock_and_load`], printing its notes or its error.
pub(super) fn lock_and_load_printing(
    paths: &StatePaths,
    root: &Root,
    operation: &str,
    timeout: Duration,
    out: &mut Output<'_>,
) -> Result<(Lock, Option<State>), i32> {
    match lock_and_load(paths, root, operation, timeout) {
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
        let spec_files = driver::spec_file_names(checked);
        render_all(project, &graph, &spec_files, &templates).map_err(|e| format!("error: {e}"))?
    };
    Ok((graph, hash, artifacts))
}

/// Prints `message` and returns the error exit code.
fn failed(out: &mut Output<'_>, message: &str) -> i32 {
    let _ = writeln!(out.err, "{message}");
    exit::ERROR
}

/// Validates, renders and diffs: the plan, holding the state lock. `save` is the plan file
/// `plan -out` will write, which no artifact may be.
fn make_plan(
    path: &Path,
    opts: &PlanOptions<'_>,
    operation: &str,
    save: Option<&Path>,
    out: &mut Output<'_>,
) -> Result<Made, i32> {
    let checked = driver::check_writing_plan(path, opts.inputs, driver::today(), save);
    let Some(project) = checked.project.as_ref().filter(|_| checked.is_valid()) else {
        print_invalid(&checked, out, "no plan was made");
        return Err(exit::ERROR);
    };
    let paths = StatePaths::of(&checked.spec.dir);
    let root = write_root(&checked, None).map_err(|e| failed(out, &e))?;
    // No artifact may be the plan file being written (the plan file is checked against the
    // artifacts when it is saved).
    let mut artifact_root = root.clone();
    if let Some(file) = save {
        artifact_root.protect(file, "the plan file being written");
    }
    // The state is locked and read on its own thread while the graph and the artifacts are
    // built: the two do not depend on each other.
    let (built, loaded) = std::thread::scope(|scope| {
        let loading = scope.spawn(|| lock_and_load(&paths, &root, operation, opts.lock_timeout));
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
    check_targets(&artifact_root, &artifacts).map_err(|e| failed(out, &e))?;
    let targets = if opts.targets.is_empty() {
        None
    } else {
        match target::resolve(opts.targets, &graph, prior.as_ref()) {
            Ok(t) => {
                let covered = target::selection(&graph, &t);
                Some((t, covered))
            }
            Err(errors) => {
                let _ = writeln!(out.err, "error: no plan was made:");
                for e in errors {
                    let _ = writeln!(out.err, "  - {e}");
                }
                return Err(exit::ERROR);
            }
        }
    };
    // The plan diffs the spec against the records last written; a refresh tells what the
    // clouds hold of them (pending rollout, drift) without changing what is diffed.
    let (observations, pending, drift, live_unmanaged) = if opts.refresh {
        let settings = super::refresh::RefreshSettings {
            parallelism: opts.parallelism,
            verbose: opts.verbose,
        };
        let r = super::refresh::run(
            project,
            graph.resources(),
            prior.as_ref(),
            &settings,
            super::refresh::Purpose::Plan,
            out,
        )?
        .reconciled;
        (r.observations, r.pending, r.drift, r.unmanaged)
    } else {
        (Observations::default(), Vec::new(), Vec::new(), Vec::new())
    };
    let plan = assemble(
        &checked,
        project,
        (graph, hash, artifacts),
        Basis {
            prior: prior.as_ref(),
            refreshed: opts.refresh,
            pending,
            drift,
            live_unmanaged,
            targets: targets.as_ref(),
        },
    );
    Ok(Made {
        checked,
        plan,
        base: prior,
        observations,
        lock,
        paths,
        root,
    })
}

/// What a plan is diffed against.
struct Basis<'a> {
    /// The state as last written: the plan diffs against its records and records its
    /// lineage and serial, and the estimate.
    prior: Option<&'a State>,
    refreshed: bool,
    /// What a refresh found written but not yet live.
    pending: Vec<PendingRollout>,
    /// What a refresh found changed outside Meridian.
    drift: Vec<Drift>,
    /// Objects a refresh found without this project's tags.
    live_unmanaged: Vec<Unmanaged>,
    /// `-target`: the addresses given and those the plan covers.
    targets: Option<&'a Targets>,
}

/// The addresses `-target` gave, and those the plan covers.
type Targets = (
    Vec<meridian_graph::Address>,
    std::collections::HashSet<String>,
);

/// The emit block (by its path) that generated the artifact at `path`: the one whose path
/// is the file itself or a directory above it.
fn emit_of<'p>(project: &'p meridian_model::ir::Project, path: &Path) -> Option<&'p str> {
    project
        .emits
        .iter()
        .find(|e| path.starts_with(Path::new(&e.path)))
        .map(|e| e.path.as_str())
}

/// The plan of the rendered spec against `basis`.
fn assemble(
    checked: &Checked,
    project: &meridian_model::ir::Project,
    (graph, hash, artifacts): (Graph, String, Vec<Artifact>),
    basis: Basis<'_>,
) -> Plan {
    let (resource_changes, mut unmanaged) = diff_resources(graph.resources(), basis.prior);
    drop(graph);
    for u in basis.live_unmanaged {
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
            emit: emit_of(project, &a.path),
        })
        .collect();
    let artifact_changes = diff_artifacts(&checked.spec.dir, &rendered, basis.prior);
    drop(rendered);
    drop(artifacts);
    let emits = project
        .emits
        .iter()
        .map(|e| {
            let format = serde_json::to_value(e.format)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            EmitBlock {
                path: e.path.clone(),
                describes: describes(&format),
                format,
                written: true,
            }
        })
        .collect();
    let last_known = (!basis.refreshed).then(|| last_known(basis.prior));
    let mut plan = Plan {
        meridian_version: VERSION.to_string(),
        spec_hash: hash,
        catalog_hash: checked.catalog_hash.clone(),
        prior: basis.prior.map(|s| PriorState {
            lineage: s.lineage.clone(),
            serial: s.serial,
        }),
        refreshed: basis.refreshed,
        targets: Vec::new(),
        pending: basis.pending,
        drift: basis.drift,
        last_known,
        emits,
        resource_changes,
        unmanaged,
        artifact_changes,
        cost: Some(meridian_plan::CostChange {
            before_usd: basis.prior.and_then(|s| s.monthly_estimate_usd),
            after_usd: meridian_model::cost::project_normal_monthly(project, &checked.catalog),
        }),
    };
    if let Some((targets, covered)) = basis.targets {
        target::limit(&mut plan, targets, covered);
    }
    plan
}

/// What the state recorded of the rollout: records pending, records drifted.
fn last_known(state: Option<&State>) -> LastKnown {
    let mut k = LastKnown::default();
    for r in state.map(|s| s.resources.as_slice()).unwrap_or_default() {
        match r.status() {
            meridian_state::Status::PendingCreate | meridian_state::Status::PendingUpdate => {
                k.pending += 1;
            }
            meridian_state::Status::Drifted => k.drifted += 1,
            _ => {}
        }
    }
    k
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
    let made = match make_plan(path, opts, "plan", save, out) {
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
        // Never over Meridian's own files, a spec file, or a file the plan itself writes.
        let mut root = made.root.clone();
        for a in &made.plan.artifact_changes {
            root.protect(
                &made.checked.spec.dir.join(&a.path),
                "a file this plan writes",
            );
        }
        if let Err(e) = saved.save(&root, file) {
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
    if detailed_exitcode && made.plan.has_differences() {
        exit::CHANGES
    } else {
        exit::OK
    }
}

fn now_rfc3339() -> String {
    meridian_state::rfc3339_utc(std::time::SystemTime::now())
}

/// The fault point of crash tests: `MERIDIAN_TEST_FAULT=abort-after-swaps:N` (or
/// `fail-after-swaps:N`) stops an apply (or a state edit) after N files were swapped in.
pub(super) fn fault_from_env() -> Option<Fault> {
    let v = std::env::var("MERIDIAN_TEST_FAULT").ok()?;
    let (kind, n) = v.split_once(':')?;
    let n: usize = n.parse().ok()?;
    match kind {
        "abort-after-swaps" => Some(Fault::AbortAfterSwaps(n)),
        "fail-after-swaps" => Some(Fault::FailAfterSwaps(n)),
        _ => None,
    }
}

/// Where an apply writes, and how it reports.
struct Target<'a> {
    root: &'a Root,
    paths: &'a StatePaths,
    /// The spec directory as the user named it: the report's paths start there.
    spec_dir: &'a Path,
    /// Print the report as JSON.
    json: bool,
}

/// Writes the plan's files and the next state, all or nothing, and says exactly what was
/// written and what rolls it out.
fn write_plan(
    plan: &Plan,
    to: &Target<'_>,
    prior: Option<&State>,
    observations: &Observations,
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
    let mut next = match plan.next_state(prior, VERSION, observations) {
        Ok(n) => n,
        Err(e) => return failed(out, &format!("error: {e}")),
    };
    let result = commit(
        to.root,
        &changes,
        CommitOptions {
            journal: Some(&to.paths.journal),
            state: Some((&to.paths.state, &mut next)),
            fault: fault_from_env(),
        },
    );
    match result {
        Ok(report) => {
            stale_note(&report, out);
            let applied = Applied::of(plan, &next, &to.paths.state, to.spec_dir);
            if to.json {
                print_json(&applied, out);
            } else {
                let _ = write!(out.out, "{}", applied.text());
            }
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

/// What `apply --json` prints when there is nothing to write.
fn nothing_to_apply(plan: &Plan, out: &mut Output<'_>) {
    let doc = serde_json::json!({
        "deployed": false,
        "changes": false,
        "pending_rollout": plan.pending.len(),
        "drift": plan.drift.len(),
    });
    print_json(&doc, out);
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

/// `meridian apply [PATH]`: plan, show, ask, write. With `json` (which needs
/// `auto_approve`) the plan is not shown and the report is JSON.
pub fn apply(
    path: &Path,
    opts: &PlanOptions<'_>,
    auto_approve: bool,
    json: bool,
    out: &mut Output<'_>,
) -> i32 {
    if json && !auto_approve {
        return failed(
            out,
            "error: apply --json cannot ask for approval: add --auto-approve, or apply a saved plan (`meridian plan -out FILE`, then `meridian apply --json FILE`)",
        );
    }
    let made = match make_plan(path, opts, "apply", None, out) {
        Ok(m) => m,
        Err(code) => return code,
    };
    if !json {
        show_plan(&made.plan, PlanFormat::Human, out);
    }
    if !made.plan.has_changes() {
        if json {
            nothing_to_apply(&made.plan, out);
        }
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
    if !json {
        let _ = writeln!(out.out);
    }
    let code = write_plan(
        &made.plan,
        &Target {
            root: &made.root,
            paths: &made.paths,
            spec_dir: &made.checked.spec.dir,
            json,
        },
        made.base.as_ref(),
        &made.observations,
        out,
    );
    drop(made.lock);
    code
}

/// `meridian apply PLANFILE`: applies a saved plan exactly, or refuses a stale one.
///
/// Nothing in the file is trusted that can be checked: it is re-validated like a spec
/// ([`PlanFile::problems`]), bound to the spec digest, the catalog, the state's lineage and
/// serial and the files on disk ([`staleness`]), and what it would write is compared with what
/// the current spec and state give, re-derived here ([`mismatch`]).
pub fn apply_saved(
    plan_path: &Path,
    inputs: &Inputs,
    lock_timeout: Duration,
    json: bool,
    out: &mut Output<'_>,
) -> i32 {
    let file = match PlanFile::load(plan_path) {
        Ok(f) => f,
        Err(e) => return failed(out, &format!("error: {e}")),
    };
    let problems = file.problems();
    if !problems.is_empty() {
        return refuse_plan(
            out,
            &format!(
                "the plan file {} was not written by Meridian, or was edited after:",
                plan_path.display()
            ),
            &problems,
            "",
        );
    }
    let spec_path = PathBuf::from(&file.spec_path);
    let checked = driver::check(&spec_path, inputs, driver::today());
    let Some(project) = checked.project.as_ref().filter(|_| checked.is_valid()) else {
        print_invalid(&checked, out, "the saved plan cannot be checked against it");
        return exit::ERROR;
    };
    let paths = StatePaths::of(&checked.spec.dir);
    let mut root = match write_root(&checked, None) {
        Ok(r) => r,
        Err(e) => return failed(out, &e),
    };
    root.protect(plan_path, "the plan file being applied");
    let (lock, prior) = match lock_and_load_printing(&paths, &root, "apply", lock_timeout, out) {
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
        return refuse_plan(
            out,
            &format!(
                "Saved plan is stale\n\nThe plan file {} can no longer be applied:",
                plan_path.display()
            ),
            &why,
            "",
        );
    }
    // What the spec and state give now, as `plan --refresh=false` would make it.
    let built = match build_and_render(&checked, project) {
        Ok(b) => b,
        Err(e) => return failed(out, &e),
    };
    if let Err(e) = check_targets(&root, &built.2) {
        return failed(out, &e);
    }
    // A partial plan is re-derived for the same targets (which must still name resources).
    let targets = if file.plan.targets.is_empty() {
        None
    } else {
        match target::resolve(&file.plan.targets, &built.0, prior.as_ref()) {
            Ok(t) => {
                let covered = target::selection(&built.0, &t);
                Some((t, covered))
            }
            Err(errors) => {
                return refuse_plan(
                    out,
                    &format!(
                        "the plan file {} is limited to targets the spec and state no longer have:",
                        plan_path.display()
                    ),
                    &errors,
                    "",
                )
            }
        }
    };
    let derived = assemble(
        &checked,
        project,
        built,
        Basis {
            prior: prior.as_ref(),
            refreshed: false,
            pending: Vec::new(),
            drift: Vec::new(),
            live_unmanaged: Vec::new(),
            targets: targets.as_ref(),
        },
    );
    let differs = mismatch(&file.plan, &derived, prior.as_ref());
    if !differs.is_empty() {
        return refuse_plan(
            out,
            &format!(
                "the plan file {} does not match the spec it names: applied now, {} gives other files or another state:",
                plan_path.display(),
                file.spec_path
            ),
            &differs,
            "The plan was edited, or made with other variables (-var, -var-file, MERIDIAN_VAR_*) than these. ",
        );
    }
    if !file.plan.has_changes() {
        if json {
            nothing_to_apply(&file.plan, out);
        } else {
            let _ = writeln!(out.out, "No changes. The saved plan has nothing to apply.");
        }
        return exit::OK;
    }
    // What a refresh saw at plan time is shown, never written: the saved plan records no
    // observation, so records it changes are pending until a refresh finds them.
    let code = write_plan(
        &file.plan,
        &Target {
            root: &root,
            paths: &paths,
            spec_dir: &checked.spec.dir,
            json,
        },
        prior.as_ref(),
        &Observations::default(),
        out,
    );
    drop(lock);
    code
}

/// Prints why a saved plan is refused (`headline`, each reason, then `why_more` and what to
/// do) and returns the error exit code.
fn refuse_plan(out: &mut Output<'_>, headline: &str, reasons: &[String], why_more: &str) -> i32 {
    let _ = writeln!(out.err, "error: {headline}");
    for r in reasons {
        let _ = writeln!(out.err, "  - {r}");
    }
    let _ = writeln!(
        out.err,
        "\n{why_more}Nothing was changed. Make a new plan with `meridian plan -out FILE`."
    );
    exit::ERROR
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
