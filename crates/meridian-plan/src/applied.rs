//! What an apply did, said exactly: the files it created, updated and removed per emit
//! block, the records it changed, and the commands that roll the change out. Meridian
//! writes files and state; it never deploys, so the report never says it did.

use crate::{Action, ArtifactAction, Plan, Summary};
use meridian_state::State;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// One emit block after an apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmitApplied {
    /// The emit block's path, relative to the spec directory.
    pub path: String,
    pub format: String,
    /// Files created, updated and removed (relative to the spec directory), sorted.
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub removed: Vec<String>,
    /// Files already as the spec gives them.
    pub unchanged: usize,
    /// What rolls the block's files out, and where (relative to the current directory).
    pub next_step: NextStep,
}

/// The command that rolls an emit block's files out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    /// The directory (or, for a router configuration, the file) it works on, as a path
    /// from the current directory.
    pub dir: String,
    /// A shell command line.
    pub command: String,
    /// What it does, in words.
    pub what: String,
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Applied {
    /// Always false: Meridian writes files and state, never the clouds.
    pub deployed: bool,
    /// The records added, changed, replaced and removed in state.
    pub resources: Summary,
    /// Per emit block the plan wrote.
    pub emits: Vec<EmitApplied>,
    /// Files the plan wrote that no emit block of the spec names (its emit block was
    /// removed): deleted.
    pub removed_elsewhere: Vec<String>,
    /// The changed records no emit block describes (no `emit "terraform"` or `"pulumi"`
    /// block for cloud resources): nothing generated rolls them out.
    pub not_generated: Vec<String>,
    /// The spec directory as the user named it: the files above are relative to it.
    pub spec_dir: String,
    /// The state file and its new serial.
    pub state: String,
    pub serial: u64,
    /// Records the new state holds as written but not seen live.
    pub pending_rollout: usize,
    /// The `-target` addresses of a partial plan.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
}

/// `dir/rest` as a path from the current directory, `/`-separated, without a leading `./`.
fn from_cwd(spec_dir: &Path, rest: &str) -> String {
    cwd_text(&spec_dir.join(rest))
}

/// `path` as text, without a leading `./`.
fn cwd_text(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.strip_prefix("./").unwrap_or(&text).to_string()
}

/// Quotes `s` for a POSIX shell when it holds anything but plain path characters.
fn shell(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:@,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The command that rolls out the files of an emit block of `format` at `path` (relative
/// to `spec_dir`).
pub fn next_step(format: &str, path: &str, spec_dir: &Path) -> NextStep {
    let dir = from_cwd(spec_dir, path);
    let d = shell(&dir);
    match format {
        "terraform" => NextStep {
            command: format!("terraform -chdir={d} init && terraform -chdir={d} apply"),
            what: "Terraform creates and changes the cloud resources".to_string(),
            dir,
        },
        "pulumi" => NextStep {
            command: format!("pulumi install --cwd {d} && pulumi up --cwd {d}"),
            what: "Pulumi creates and changes the cloud resources (select or create the stack first)"
                .to_string(),
            dir,
        },
        "litellm" => NextStep {
            command: format!("litellm --config {d}"),
            what: "restart the LiteLLM proxy on the new configuration: a running proxy reads its config file only when it starts".to_string(),
            dir,
        },
        other => NextStep {
            command: String::new(),
            what: format!("roll out the {other} files"),
            dir,
        },
    }
}

impl Applied {
    /// The report of `plan` applied onto a state that is now `next`, written to
    /// `state_path`; paths of files and commands are given from the current directory,
    /// with `spec_dir` the spec directory as the user named it.
    pub fn of(plan: &Plan, next: &State, state_path: &Path, spec_dir: &Path) -> Applied {
        let mut emits: Vec<EmitApplied> = plan
            .emits
            .iter()
            .filter(|e| e.written)
            .map(|e| EmitApplied {
                path: e.path.clone(),
                format: e.format.clone(),
                created: Vec::new(),
                updated: Vec::new(),
                removed: Vec::new(),
                unchanged: 0,
                next_step: next_step(&e.format, &e.path, spec_dir),
            })
            .collect();
        let mut removed_elsewhere = Vec::new();
        for a in &plan.artifact_changes {
            let slot = emits
                .iter_mut()
                .find(|e| a.emit.as_deref() == Some(e.path.as_str()));
            let Some(e) = slot else {
                if a.action == ArtifactAction::Delete {
                    removed_elsewhere.push(a.path.clone());
                }
                continue;
            };
            match a.action {
                ArtifactAction::Create => e.created.push(a.path.clone()),
                ArtifactAction::Update => e.updated.push(a.path.clone()),
                ArtifactAction::Delete => e.removed.push(a.path.clone()),
                ArtifactAction::NoOp => e.unchanged += 1,
            }
        }
        for e in &mut emits {
            e.created.sort();
            e.updated.sort();
            e.removed.sort();
        }
        let not_generated = plan
            .resource_changes
            .iter()
            .filter(|c| c.action != Action::NoOp)
            .filter(|c| !plan.emits.iter().any(|e| e.describes.contains(&c.kind)))
            .map(|c| c.address.clone())
            .collect();
        let pending_rollout = next
            .resources
            .iter()
            .filter(|r| r.pending.is_some())
            .count();
        Applied {
            deployed: false,
            resources: plan.summary(),
            emits,
            removed_elsewhere,
            not_generated,
            spec_dir: cwd_text(spec_dir),
            state: cwd_text(state_path),
            serial: next.serial,
            pending_rollout,
            targets: plan.targets.clone(),
        }
    }

    /// A path relative to the spec directory, as a path from the current directory.
    fn shown(&self, rest: &str) -> String {
        from_cwd(Path::new(&self.spec_dir), rest)
    }

    /// Whether an emit block's files changed (so its rollout is due).
    fn changed(e: &EmitApplied) -> bool {
        !(e.created.is_empty() && e.updated.is_empty() && e.removed.is_empty())
    }

    /// The report for people.
    pub fn text(&self) -> String {
        let mut s = String::new();
        s.push_str(
            "Apply complete! Meridian wrote the generated files and recorded the state; nothing was deployed.\n\n",
        );
        let r = &self.resources;
        let _ = writeln!(
            s,
            "Resources recorded: {} added, {} changed, {} replaced, {} destroyed.",
            r.add, r.change, r.replace, r.destroy
        );
        let mut written = false;
        for e in &self.emits {
            if !Self::changed(e) {
                continue;
            }
            if !written {
                s.push_str("Files written:\n");
                written = true;
            }
            let mut counts = Vec::new();
            for (n, what) in [
                (e.created.len(), "created"),
                (e.updated.len(), "updated"),
                (e.removed.len(), "removed"),
                (e.unchanged, "unchanged"),
            ] {
                if n > 0 {
                    counts.push(format!("{n} {what}"));
                }
            }
            let _ = writeln!(
                s,
                "  {} ({}): {}",
                self.shown(&e.path),
                e.format,
                counts.join(", ")
            );
            for (sym, files) in [("+", &e.created), ("~", &e.updated), ("-", &e.removed)] {
                for f in files {
                    let _ = writeln!(s, "    {sym} {}", self.shown(f));
                }
            }
        }
        for f in &self.removed_elsewhere {
            if !written {
                s.push_str("Files written:\n");
                written = true;
            }
            let _ = writeln!(
                s,
                "    - {} (its emit block is no longer in the spec)",
                self.shown(f)
            );
        }
        if !written {
            s.push_str("Files written: none (the generated files already said this).\n");
        }
        let _ = writeln!(s, "State: {} (serial {}).", self.state, self.serial);
        if !self.targets.is_empty() {
            let _ = writeln!(
                s,
                "\nWarning: Applied changes may be incomplete. The plan was limited by -target ({}); run `meridian plan` to see what the spec still asks for.",
                self.targets.join(", ")
            );
        }
        if !self.not_generated.is_empty() {
            let _ = writeln!(
                s,
                "\nNo emit block generates code for {} changed resource{} ({}): add an emit \"terraform\" or emit \"pulumi\" block, or roll {} out by hand.",
                self.not_generated.len(),
                if self.not_generated.len() == 1 { "" } else { "s" },
                self.not_generated.join(", "),
                if self.not_generated.len() == 1 { "it" } else { "them" },
            );
        }
        let due: Vec<&EmitApplied> = self.emits.iter().filter(|e| Self::changed(e)).collect();
        if !due.is_empty() {
            s.push_str("\nNext steps: Meridian does not run these; they roll the change out:\n");
            for e in due {
                let _ = writeln!(
                    s,
                    "  {} ({}): {}",
                    e.next_step.dir, e.format, e.next_step.what
                );
                if !e.next_step.command.is_empty() {
                    let _ = writeln!(s, "    {}", e.next_step.command);
                }
            }
        }
        if self.pending_rollout > 0 {
            let _ = writeln!(
                s,
                "\nUntil then, `meridian plan` lists the {} written resource{} the clouds do not have yet as pending rollout.",
                self.pending_rollout,
                if self.pending_rollout == 1 { "" } else { "s" }
            );
        }
        s
    }
}
