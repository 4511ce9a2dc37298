//! `meridian state list|show|rm|mv`: reading and editing the state by address, as
//! `terraform state` does. Reading needs no valid spec (the state may have to be repaired
//! while the spec is being changed); every edit takes the state lock, finishes an
//! interrupted apply first, and writes the state through the journaled commit (serial + 1,
//! the previous file kept as `state.json.backup`). Nothing here reads or changes a cloud.

use super::plan::{fault_from_env, lock_and_recover};
use super::{plural, print_json};
use crate::exit;
use crate::output::Output;
use meridian_graph::Address;
use meridian_plan::render::{value_text, JSON_FORMAT_VERSION};
use meridian_state::{
    commit, safe_fs, CommitOptions, Root, State, StatePaths, StateResource, Status,
};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How `state list` orders its addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateSort {
    Address,
    Type,
    Provider,
    Region,
    Status,
}

/// The spec directory a `--dir` names: a spec file stands for its directory.
pub(super) fn spec_dir(dir: &Path) -> PathBuf {
    if dir.is_file() {
        match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    } else {
        dir.to_path_buf()
    }
}

/// The write root of a spec directory without reading the spec: its `.meridian/` and every
/// `*.hcl` file in it are protected, as for a spec that parses.
fn root_of(dir: &Path) -> Result<Root, String> {
    let mut root = Root::new(dir)
        .map_err(|e| format!("error: cannot use the directory {}: {e}", dir.display()))?;
    if let Ok((_, files)) = meridian_spec::discover(dir) {
        for f in files {
            root.protect(&f, "a spec file");
        }
    }
    Ok(root)
}

/// The state of `dir`, read without taking the lock unless an interrupted apply must first
/// be finished (a state file is replaced by a rename, so it is always complete). Notes and
/// errors are printed; the error is the exit code.
pub(super) fn read_state(
    dir: &Path,
    lock_timeout: Duration,
    out: &mut Output<'_>,
) -> Result<(StatePaths, Option<State>), i32> {
    let paths = StatePaths::of(dir);
    if safe_fs::exists(&paths.journal).unwrap_or(true) {
        let root = root_of(dir).map_err(|e| fail(out, &e))?;
        let (lock, notes) =
            lock_and_recover(&paths, &root, "state", lock_timeout).map_err(|e| fail(out, &e))?;
        for n in notes {
            let _ = writeln!(out.err, "{n}");
        }
        drop(lock);
    }
    match meridian_state::load(&paths.state) {
        Ok(s) => Ok((paths, s)),
        Err(e) => Err(fail(out, &format!("error: {e}"))),
    }
}

/// The state of the spec directory `--dir` names ([`read_state`]); that there is none is an
/// error.
fn existing_state(dir: &Path, out: &mut Output<'_>) -> Result<State, i32> {
    let (paths, state) = read_state(&spec_dir(dir), Duration::ZERO, out)?;
    state.ok_or_else(|| fail(out, &no_state(&paths)))
}

fn fail(out: &mut Output<'_>, message: &str) -> i32 {
    let _ = writeln!(out.err, "{message}");
    exit::ERROR
}

/// The message for a directory without a state file.
fn no_state(paths: &StatePaths) -> String {
    format!(
        "error: there is no state at {}: nothing has been applied in this directory yet (run `meridian apply`), or --dir names another directory",
        paths.state.display()
    )
}

/// Parses `text` as a resource address; the error says what an address looks like and,
/// when the text is close to a recorded address, which one was meant.
pub(super) fn parse_address<'a>(
    text: &str,
    known: impl IntoIterator<Item = &'a str> + Clone,
) -> Result<Address, String> {
    text.parse::<Address>().map_err(|_| {
        format!(
            "\"{text}\" is not a resource address: an address is OWNER_TYPE.OWNER_NAME.KIND.NAME, such as azure.corp.deployment.assistant-aoai-sweden (`meridian state list` prints them).{}",
            meridian_diag::did_you_mean(text, known)
        )
    })
}

/// "… is not in the state" with a did-you-mean among the recorded addresses.
fn not_recorded(address: &str, state: &State) -> String {
    format!(
        "{address} is not in the state.{}",
        meridian_diag::did_you_mean(address, state.resources.iter().map(|r| r.address.as_str()))
    )
}

/// Whether `address` falls under the filter `prefix`: the whole address, or its leading
/// dot-separated segments (`azure.corp`, `azure.corp.deployment`).
fn matches_filter(address: &str, prefix: &str) -> bool {
    address == prefix
        || address
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The status of a record, in words for people.
pub(super) fn status_words(r: &StateResource) -> String {
    let status = r.status();
    match status {
        Status::PendingCreate => {
            let since = r.pending.as_ref().map_or(0, |p| p.serial);
            format!("pending rollout: written at serial {since}, not yet seen in the cloud")
        }
        Status::PendingUpdate => {
            let p = r.pending.as_ref();
            let since = p.map_or(0, |p| p.serial);
            let paths: Vec<&str> = p
                .map(|p| p.before.keys().map(String::as_str).collect())
                .unwrap_or_default();
            format!(
                "pending rollout: written at serial {since}; the cloud still had the old {} at the last refresh",
                paths.join(", ")
            )
        }
        Status::Drifted => {
            let o = r.observed.as_ref();
            let serial = o.map_or(0, |o| o.serial);
            if o.is_some_and(|o| !o.exists) {
                format!(
                    "drifted: the refresh recorded at serial {serial} did not find it in the cloud"
                )
            } else {
                let paths: Vec<String> = r.drifted_paths();
                format!(
                    "drifted: changed outside Meridian ({}), as the refresh recorded at serial {serial} found it",
                    paths.join(", ")
                )
            }
        }
        Status::Live => format!(
            "live: the refresh recorded at serial {} found it as written",
            r.observed.as_ref().map_or(0, |o| o.serial)
        ),
        Status::NotRead => {
            "not read yet: no refresh has been recorded since it entered the state".to_string()
        }
        Status::NotObservable => {
            "not read by refresh (the clouds are not asked about this kind of resource)".to_string()
        }
    }
}

/// `meridian state list`.
pub fn state_list(
    dir: &Path,
    filters: &[String],
    sort: StateSort,
    json: bool,
    out: &mut Output<'_>,
) -> i32 {
    let state = match existing_state(dir, out) {
        Ok(s) => s,
        Err(code) => return code,
    };
    for f in filters {
        let known = state
            .resources
            .iter()
            .any(|r| matches_filter(&r.address, f));
        if !known {
            return fail(
                out,
                &format!(
                    "error: no address in the state is {f} or starts with \"{f}.\".{}",
                    meridian_diag::did_you_mean(
                        f,
                        state.resources.iter().map(|r| r.address.as_str())
                    )
                ),
            );
        }
    }
    let mut rows: Vec<&StateResource> = state
        .resources
        .iter()
        .filter(|r| filters.is_empty() || filters.iter().any(|f| matches_filter(&r.address, f)))
        .collect();
    // Statuses sort by what needs attention first: drifted, pending, live, not read.
    let key = |r: &StateResource| -> (Option<Status>, String) {
        match sort {
            StateSort::Address => (None, String::new()),
            StateSort::Type => (None, r.kind.clone()),
            StateSort::Provider => (None, r.provider.clone()),
            StateSort::Region => (None, r.region.clone().unwrap_or_default()),
            StateSort::Status => (Some(r.status()), String::new()),
        }
    };
    // Stable: ties keep address order (the state is sorted by address).
    rows.sort_by_cached_key(|r| key(r));
    if json {
        let doc = json!({
            "format_version": JSON_FORMAT_VERSION,
            "lineage": state.lineage,
            "serial": state.serial,
            "resources": rows.iter().map(|r| json!({
                "address": r.address,
                "type": r.kind,
                "provider": r.provider,
                "region": r.region,
                "name": r.name,
                "status": r.status().as_str(),
            })).collect::<Vec<_>>(),
        });
        print_json(&doc, out);
        return exit::OK;
    }
    for r in rows {
        let _ = writeln!(out.out, "{}", r.address);
    }
    exit::OK
}

/// Where a record's resource is described in the generated files: each emit block whose
/// files describe its kind, with the files last written.
fn written_in(state: &State, r: &StateResource) -> Vec<(String, String, Vec<String>)> {
    state
        .emits
        .iter()
        .filter(|(_, e)| e.describes.iter().any(|k| k == &r.kind))
        .map(|(path, e)| {
            let files = state
                .artifacts
                .iter()
                .filter(|(_, a)| a.emit.as_deref() == Some(path.as_str()))
                .map(|(f, _)| f.clone())
                .collect();
            (path.clone(), e.format.clone(), files)
        })
        .collect()
}

/// `meridian state show ADDR`.
pub fn state_show(dir: &Path, address: &str, json: bool, out: &mut Output<'_>) -> i32 {
    let state = match existing_state(dir, out) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let known = state.resources.iter().map(|r| r.address.as_str());
    let parsed = match parse_address(address, known) {
        Ok(a) => a.to_string(),
        Err(e) => return fail(out, &format!("error: {e}")),
    };
    let Some(r) = state.resource(&parsed) else {
        return fail(out, &format!("error: {}", not_recorded(&parsed, &state)));
    };
    let written = written_in(&state, r);
    if json {
        let doc = json!({
            "format_version": JSON_FORMAT_VERSION,
            "address": r.address,
            "type": r.kind,
            "provider": r.provider,
            "region": r.region,
            "name": r.name,
            "attributes": r.attributes,
            "tags": r.tags,
            "status": r.status().as_str(),
            "pending": r.pending,
            "observed": r.observed,
            "written_in": written.iter().map(|(emit, format, files)| json!({
                "emit": emit, "format": format, "files": files,
            })).collect::<Vec<_>>(),
        });
        print_json(&doc, out);
        return exit::OK;
    }
    let _ = write!(out.out, "{}", show_text(r, &written));
    exit::OK
}

/// `state show` for people: the record as Terraform shows one, then where it lives, where
/// it is written and what the clouds were last seen to hold.
fn show_text(r: &StateResource, written: &[(String, String, Vec<String>)]) -> String {
    let mut s = format!(
        "# {}:\nresource {} {} {{\n",
        r.address,
        value_text(&json!(r.kind)),
        value_text(&json!(r.address))
    );
    let mut rows: Vec<(String, String)> = Vec::new();
    if !r.attributes.contains_key("name") {
        rows.push(("name".into(), value_text(&json!(r.name))));
    }
    if let Some(region) = r
        .region
        .as_ref()
        .filter(|_| !r.attributes.contains_key("region"))
    {
        rows.push(("region".into(), value_text(&json!(region))));
    }
    for (k, v) in &r.attributes {
        rows.push((k.clone(), value_text(v)));
    }
    for (k, v) in &r.tags {
        rows.push((
            format!("tags[{}]", value_text(&json!(k))),
            value_text(&json!(v)),
        ));
    }
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        s.push_str(&format!("    {k:<width$} = {v}\n"));
    }
    s.push_str("}\n\n");
    let place = match &r.region {
        Some(region) => format!(
            "{} in {region}, named {}",
            r.provider,
            value_text(&json!(r.name))
        ),
        None => format!("{}, named {}", r.provider, value_text(&json!(r.name))),
    };
    s.push_str(&format!("Lives in:   {place}\n"));
    if written.is_empty() {
        s.push_str("Written in: no emit block generates code for this kind of resource\n");
    } else {
        for (i, (emit, format, files)) in written.iter().enumerate() {
            let label = if i == 0 { "Written in:" } else { "           " };
            s.push_str(&format!(
                "{label} {emit} ({format}: {} file{})\n",
                files.len(),
                plural(files.len())
            ));
        }
    }
    s.push_str(&format!("Status:     {}\n", status_words(r)));
    if let Some(o) = r
        .observed
        .as_ref()
        .filter(|o| o.exists && !o.differences.is_empty())
    {
        s.push_str("Last seen in the cloud (where it differs from the record):\n");
        let width = o.differences.keys().map(String::len).max().unwrap_or(0);
        for (path, live) in &o.differences {
            let recorded = r
                .value_at(path)
                .map_or_else(|| "(none)".into(), |v| value_text(&v));
            s.push_str(&format!(
                "    {path:<width$} = {} (recorded {recorded})\n",
                value_text(live)
            ));
        }
    }
    s
}

/// Writes `next` (serial one higher) as the state, journaled like an apply. The error is
/// the message to print.
fn write_state(dir: &Path, paths: &StatePaths, next: &mut State) -> Result<(), String> {
    let root = root_of(dir)?;
    commit(
        &root,
        &[],
        CommitOptions {
            journal: Some(&paths.journal),
            state: Some((&paths.state, next)),
            fault: fault_from_env(),
        },
    )
    .map(|_| ())
    .map_err(|e| format!("error: the state was not changed: {e}"))
}

/// What an edit of the state works with: the lock held, the spec directory, its state files
/// and the state.
type Editing = (meridian_state::Lock, PathBuf, StatePaths, State);

/// Takes the lock of the spec directory `--dir` names (finishing an interrupted apply) and
/// reads the state for an edit.
fn lock_for_edit(
    dir: &Path,
    operation: &str,
    lock_timeout: Duration,
    out: &mut Output<'_>,
) -> Result<Editing, i32> {
    let dir = spec_dir(dir);
    let root = root_of(&dir).map_err(|e| fail(out, &e))?;
    let paths = StatePaths::of(&dir);
    let (lock, notes) =
        lock_and_recover(&paths, &root, operation, lock_timeout).map_err(|e| fail(out, &e))?;
    for n in notes {
        let _ = writeln!(out.err, "{n}");
    }
    match meridian_state::load(&paths.state) {
        Ok(Some(s)) => Ok((lock, dir, paths, s)),
        Ok(None) => Err(fail(out, &no_state(&paths))),
        Err(e) => Err(fail(out, &format!("error: {e}"))),
    }
}

/// `meridian state rm ADDR...`.
pub fn state_rm(
    dir: &Path,
    addresses: &[String],
    dry_run: bool,
    lock_timeout: Duration,
    out: &mut Output<'_>,
) -> i32 {
    let (lock, dir, paths, state) = match lock_for_edit(dir, "state rm", lock_timeout, out) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let mut remove: Vec<String> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for text in addresses {
        let known = state.resources.iter().map(|r| r.address.as_str());
        match parse_address(text, known) {
            Ok(a) => {
                let a = a.to_string();
                if state.resource(&a).is_none() {
                    problems.push(not_recorded(&a, &state));
                } else if !remove.contains(&a) {
                    remove.push(a);
                }
            }
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        let _ = writeln!(out.err, "error: nothing was removed:");
        for p in &problems {
            let _ = writeln!(out.err, "  - {p}");
        }
        return exit::ERROR;
    }
    let verb = if dry_run { "Would remove" } else { "Removed" };
    for a in &remove {
        let _ = writeln!(out.out, "{verb} {a}");
    }
    if dry_run {
        let _ = writeln!(
            out.out,
            "Would remove {} resource{} from the state; nothing was changed (-dry-run).",
            remove.len(),
            plural(remove.len())
        );
        return exit::OK;
    }
    let mut next = match state.next() {
        Ok(n) => n,
        Err(e) => return fail(out, &format!("error: {e}")),
    };
    next.resources.retain(|r| !remove.contains(&r.address));
    if let Err(e) = write_state(&dir, &paths, &mut next) {
        return fail(out, &e);
    }
    drop(lock);
    let _ = writeln!(
        out.out,
        "Successfully removed {} resource{} from the state: {} (serial {}, previous state kept as {}).\n\
         Nothing in the clouds or the generated files was changed. The next plan treats what the\n\
         spec still declares as new; a live object found with this project's tags shows as existing\n\
         outside the state, and one without them stays unmanaged: never changed or destroyed.",
        remove.len(),
        plural(remove.len()),
        paths.state.display(),
        next.serial,
        paths.backup.display()
    );
    exit::OK
}

/// `meridian state mv FROM TO`.
pub fn state_mv(
    dir: &Path,
    from: &str,
    to: &str,
    dry_run: bool,
    lock_timeout: Duration,
    out: &mut Output<'_>,
) -> i32 {
    let (lock, dir, paths, state) = match lock_for_edit(dir, "state mv", lock_timeout, out) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let known = || state.resources.iter().map(|r| r.address.as_str());
    let (from_a, to_a) = match (parse_address(from, known()), parse_address(to, known())) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return fail(out, &format!("error: {e}")),
    };
    let (from_s, to_s) = (from_a.to_string(), to_a.to_string());
    if state.resource(&from_s).is_none() {
        return fail(out, &format!("error: {}", not_recorded(&from_s, &state)));
    }
    if from_s == to_s {
        return fail(
            out,
            &format!("error: {from_s} and {to_s} are the same address"),
        );
    }
    if state.resource(&to_s).is_some() {
        return fail(
            out,
            &format!(
                "error: {to_s} is already in the state; remove it first (`meridian state rm {to_s}`) if it is to be replaced"
            ),
        );
    }
    let cloud = |a: &Address| a.owner.split('.').next().unwrap_or_default().to_string();
    if from_a.kind != to_a.kind || cloud(&from_a) != cloud(&to_a) {
        return fail(
            out,
            &format!(
                "error: cannot move {from_s} to {to_s}: the kind of resource would change ({}.{} to {}.{}); a move only renames a resource of the same kind",
                cloud(&from_a),
                from_a.kind,
                cloud(&to_a),
                to_a.kind
            ),
        );
    }
    if dry_run {
        let _ = writeln!(
            out.out,
            "Would move {from_s} to {to_s}; nothing was changed (-dry-run)."
        );
        return exit::OK;
    }
    let mut next = match state.next() {
        Ok(n) => n,
        Err(e) => return fail(out, &format!("error: {e}")),
    };
    for r in &mut next.resources {
        if r.address == from_s {
            r.address.clone_from(&to_s);
            r.provider.clone_from(&to_a.owner);
        }
    }
    if let Err(e) = write_state(&dir, &paths, &mut next) {
        return fail(out, &e);
    }
    drop(lock);
    let _ = writeln!(
        out.out,
        "Move \"{from_s}\" to \"{to_s}\": successfully moved 1 resource in the state: {} (serial {}, previous state kept as {}).\n\
         The record keeps what was written (its tags still name {from_s}); the next plan shows\n\
         what the spec declares at {to_s} against it. Nothing in the clouds or the generated\n\
         files was changed.",
        paths.state.display(),
        next.serial,
        paths.backup.display()
    );
    exit::OK
}
