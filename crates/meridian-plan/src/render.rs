//! Showing a plan: for a terminal (Terraform's layout: `+ ~ -/+ -`, attribute-level
//! before → after), as Markdown for a pull-request comment, and as JSON shaped like
//! `terraform show -json`.

use crate::{Action, ArtifactAction, Drift, DriftKind, PendingRollout, Plan, ResourceChange};
use meridian_graph::is_reference;
use meridian_state::{PendingAction, StateResource};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The longest Markdown rendering, in characters (GitHub refuses comments over 65,536).
pub const MARKDOWN_LIMIT: usize = 60_000;

/// The plan's format version in JSON output and plan files.
pub const JSON_FORMAT_VERSION: &str = "1.0";

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn action(&self, a: Action, text: &str) -> String {
        match a {
            Action::Create => self.wrap("32", text),
            Action::Update => self.wrap("33", text),
            Action::Replace | Action::Delete => self.wrap("31", text),
            Action::NoOp => text.to_string(),
        }
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
}

/// `Pending rollout: 3 resources written, not yet live. Drift: 1 resource changed outside
/// Meridian.` (each part only when there is something to say).
pub fn rollout_line(plan: &Plan) -> String {
    let mut parts = Vec::new();
    if !plan.pending.is_empty() {
        parts.push(format!(
            "Pending rollout: {} resource{} written, not yet live.",
            plan.pending.len(),
            if plan.pending.len() == 1 { "" } else { "s" }
        ));
    }
    if !plan.drift.is_empty() {
        parts.push(format!(
            "Drift: {} resource{} changed outside Meridian.",
            plan.drift.len(),
            if plan.drift.len() == 1 { "" } else { "s" }
        ));
    }
    parts.join(" ")
}

/// Without refresh: what the state last recorded of the rollout, when there is anything.
fn last_known_line(plan: &Plan) -> Option<String> {
    let k = plan.last_known.filter(|k| k.pending > 0 || k.drifted > 0)?;
    let mut parts = Vec::new();
    if k.pending > 0 {
        parts.push(format!(
            "{} resource{} written but not yet seen live",
            k.pending,
            if k.pending == 1 { "" } else { "s" }
        ));
    }
    if k.drifted > 0 {
        parts.push(format!("{} found changed outside Meridian", k.drifted));
    }
    Some(format!(
        "As the state records it (from the last apply or `meridian refresh`): {}; a plan with refresh checks the clouds.",
        parts.join(", ")
    ))
}

/// The summary line: `Plan: 1 to add, 2 to change, 0 to replace, 0 to destroy.`
pub fn summary_line(plan: &Plan) -> String {
    let s = plan.summary();
    format!(
        "Plan: {} to add, {} to change, {} to replace, {} to destroy.",
        s.add, s.change, s.replace, s.destroy
    )
}

/// What a plan shows for a value that is known only once the IaC has run (an id, an ARN
/// the cloud assigns), as Terraform shows it.
pub const KNOWN_AFTER_APPLY: &str = "(known after apply)";

/// A value for people: JSON, except that a value known only after apply (a reference to
/// another resource's attribute, at any depth) reads `(known after apply)`.
pub fn value_text(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

fn write_value(out: &mut String, v: &Value) {
    if is_reference(v) {
        out.push_str(KNOWN_AFTER_APPLY);
        return;
    }
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
        scalar => out.push_str(&serde_json::to_string(scalar).unwrap_or_default()),
    }
}

/// `v` for machines: every value known only after apply replaced by `null`, and, when there
/// were any, the mirror Terraform calls `after_unknown` (`true` where a value is unknown).
fn known_and_unknown(v: &Value) -> (Value, Option<Value>) {
    if is_reference(v) {
        return (Value::Null, Some(Value::Bool(true)));
    }
    match v {
        Value::Array(items) => {
            let (known, unknown): (Vec<Value>, Vec<Option<Value>>) =
                items.iter().map(known_and_unknown).unzip();
            let any = unknown.iter().any(Option::is_some);
            (
                Value::Array(known),
                any.then(|| {
                    Value::Array(
                        unknown
                            .into_iter()
                            .map(|u| u.unwrap_or(Value::Bool(false)))
                            .collect(),
                    )
                }),
            )
        }
        Value::Object(map) => {
            let mut known = Map::new();
            let mut unknown = Map::new();
            for (k, item) in map {
                let (kv, uv) = known_and_unknown(item);
                known.insert(k.clone(), kv);
                if let Some(uv) = uv {
                    unknown.insert(k.clone(), uv);
                }
            }
            let any = !unknown.is_empty();
            (Value::Object(known), any.then_some(Value::Object(unknown)))
        }
        scalar => (scalar.clone(), None),
    }
}

fn verb(a: Action) -> &'static str {
    match a {
        Action::Create => "will be created",
        Action::Update => "will be updated in place",
        Action::Replace => "must be replaced",
        Action::Delete => "will be destroyed",
        Action::NoOp => "is unchanged",
    }
}

/// The attribute lines of one change, each `(symbol, key, text, forces)`, plus how many were
/// unchanged.
fn attribute_lines(c: &ResourceChange) -> (Vec<(Action, String, String)>, usize) {
    let empty = StateResource {
        address: String::new(),
        kind: String::new(),
        provider: String::new(),
        region: None,
        name: String::new(),
        attributes: std::collections::BTreeMap::new(),
        tags: std::collections::BTreeMap::new(),
        pending: None,
        observed: None,
    };
    let before = c.prior().unwrap_or(&empty);
    let after = c.after.as_ref().unwrap_or(&empty);
    let mut fields: Vec<(String, Option<Value>, Option<Value>)> = Vec::new();
    let opt = |present: bool, v: Value| present.then_some(v);
    // The cloud name and region are shown once: as the attribute of the same name when
    // the resource has one (an inference profile's `name`, a logging configuration's
    // `region`), else on their own.
    let has = |key: &str| before.attributes.contains_key(key) || after.attributes.contains_key(key);
    if !has("name") {
        fields.push((
            "name".into(),
            opt(c.prior().is_some(), json!(before.name)),
            opt(c.after.is_some(), json!(after.name)),
        ));
    }
    if !has("region") {
        fields.push((
            "region".into(),
            before.region.as_ref().map(|r| json!(r)),
            after.region.as_ref().map(|r| json!(r)),
        ));
    }
    let keys: BTreeSet<&String> = before
        .attributes
        .keys()
        .chain(after.attributes.keys())
        .collect();
    for k in keys {
        fields.push((
            k.clone(),
            before.attributes.get(k).cloned(),
            after.attributes.get(k).cloned(),
        ));
    }
    let tag_keys: BTreeSet<&String> = before.tags.keys().chain(after.tags.keys()).collect();
    for k in tag_keys {
        fields.push((
            format!("tags[{}]", value_text(&json!(k))),
            before.tags.get(k).map(|v| json!(v)),
            after.tags.get(k).map(|v| json!(v)),
        ));
    }
    let mut lines = Vec::new();
    let mut unchanged = 0;
    for (key, b, a) in fields {
        let forces = c.replace_paths.contains(&key);
        let suffix = if forces { " # forces replacement" } else { "" };
        match (b, a) {
            (None, None) => {}
            (Some(b), Some(a)) if b == a => {
                if matches!(c.action, Action::Create | Action::Delete) {
                    lines.push((c.action, key, value_text(&a)));
                } else {
                    unchanged += 1;
                }
            }
            (Some(b), Some(a)) => lines.push((
                Action::Update,
                key,
                format!("{} -> {}{suffix}", value_text(&b), value_text(&a)),
            )),
            (None, Some(a)) => {
                lines.push((Action::Create, key, format!("{}{suffix}", value_text(&a))));
            }
            (Some(b), None) => lines.push((
                Action::Delete,
                key,
                format!("{} -> null{suffix}", value_text(&b)),
            )),
        }
    }
    (lines, unchanged)
}

fn write_change(out: &mut String, c: &ResourceChange, paint: &Paint) {
    let _ = writeln!(
        out,
        "  {} {}",
        paint.bold(&format!("# {}", c.address)),
        paint.bold(verb(c.action))
    );
    if !c.replace_paths.is_empty() {
        let _ = writeln!(
            out,
            "  # (because {} cannot change in place)",
            c.replace_paths.join(", ")
        );
    }
    if let Some(block) = &c.written_with {
        let _ = writeln!(
            out,
            "  # (not targeted: written with the targets because {block} describes it too)"
        );
    }
    let _ = writeln!(
        out,
        "{} resource {} {} {{",
        paint.action(c.action, &format!("{:>3}", c.action.symbol())),
        value_text(&json!(c.kind)),
        value_text(&json!(c.address))
    );
    let (lines, unchanged) = attribute_lines(c);
    let width = lines.iter().map(|(_, k, _)| k.len()).max().unwrap_or(0);
    for (a, key, text) in &lines {
        let _ = writeln!(
            out,
            "      {} {key:<width$} = {text}",
            paint.action(*a, a.symbol().trim_start_matches("-/")),
        );
    }
    if unchanged > 0 {
        let _ = writeln!(
            out,
            "        # ({unchanged} unchanged attribute{} hidden)",
            if unchanged == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(out, "    }}\n");
}

/// What a drift entry says happened.
fn drift_verb(d: DriftKind) -> &'static str {
    match d {
        DriftKind::Changed => "has changed",
        DriftKind::Deleted => "has been deleted",
        DriftKind::Appeared => "was created outside Meridian with this project's tags",
    }
}

/// Terraform's action for a drift entry in `resource_drift`.
fn drift_action(d: DriftKind) -> &'static str {
    match d {
        DriftKind::Changed => "update",
        DriftKind::Deleted => "delete",
        DriftKind::Appeared => "create",
    }
}

/// The value at a drift path (`sku_capacity`, `tags.team`, `name`, `region`) of a record.
fn drift_value(r: Option<&StateResource>, path: &str) -> Option<Value> {
    r?.value_at(path)
}

/// The "changed outside Meridian" section: one entry per drifted resource with the values
/// that differ.
fn write_drift(out: &mut String, drift: &[Drift], paint: &Paint) {
    out.push_str(&paint.bold("Note: Objects have changed outside of Meridian"));
    out.push_str(
        "\n\nDrift: the clouds held what Meridian wrote, and these were changed outside of Meridian since:\n\n",
    );
    for d in drift {
        let sym = match d.drift {
            DriftKind::Changed => Action::Update,
            DriftKind::Deleted => Action::Delete,
            DriftKind::Appeared => Action::Create,
        };
        let _ = writeln!(out, "  # {} {}", d.address, drift_verb(d.drift));
        let _ = writeln!(
            out,
            "{} resource {} {}",
            paint.action(sym, &format!("{:>3}", sym.symbol())),
            value_text(&json!(d.kind)),
            value_text(&json!(d.address))
        );
        let labels: Vec<String> = d.paths.iter().map(|p| path_label(p)).collect();
        let width = labels.iter().map(String::len).max().unwrap_or(0);
        for (p, label) in d.paths.iter().zip(&labels) {
            let text =
                |v: Option<Value>| v.map_or_else(|| "(none)".to_string(), |v| value_text(&v));
            let _ = writeln!(
                out,
                "      {label:<width$} = {} -> {}",
                text(drift_value(d.before.as_ref(), p)),
                text(drift_value(d.after.as_ref(), p))
            );
        }
        out.push('\n');
    }
    out.push_str(
        "The generated files still say what was written: running the generated IaC again brings these back (Meridian itself never changes the clouds).\n\n",
    );
}

/// What a pending rollout entry says is still to happen.
fn pending_verb(p: &PendingRollout) -> &'static str {
    match p.action {
        PendingAction::Create => "is written but not yet created in the cloud",
        PendingAction::Update => "is written but the cloud still has the old values",
    }
}

/// The "pending rollout" section: records written into the generated files that the
/// clouds do not hold yet.
fn write_pending(out: &mut String, pending: &[PendingRollout], paint: &Paint) {
    out.push_str(&paint.bold("Pending rollout: written, not yet live"));
    out.push_str(
        "\n\nMeridian wrote these into the generated files; the clouds do not have them yet. Run the generated IaC (the next steps `meridian apply` printed) to roll them out:\n\n",
    );
    for p in pending {
        let sym = match p.action {
            PendingAction::Create => Action::Create,
            PendingAction::Update => Action::Update,
        };
        let _ = writeln!(
            out,
            "  # {} {} (since serial {})",
            p.address,
            pending_verb(p),
            p.since_serial
        );
        let _ = writeln!(
            out,
            "{} resource {} {}",
            paint.action(sym, &format!("{:>3}", sym.symbol())),
            value_text(&json!(p.kind)),
            value_text(&json!(p.address))
        );
        let labels: Vec<String> = p.paths.iter().map(|x| path_label(&x.path)).collect();
        let width = labels.iter().map(String::len).max().unwrap_or(0);
        for (x, label) in p.paths.iter().zip(&labels) {
            let _ = writeln!(
                out,
                "      {label:<width$} = {} (live) -> {} (written)",
                value_text(&x.live),
                value_text(&x.written)
            );
        }
        out.push('\n');
    }
}

/// A path as the plan labels it: `tags.team` reads `tags["team"]`.
fn path_label(path: &str) -> String {
    match path.strip_prefix("tags.") {
        Some(tag) => format!("tags[{}]", value_text(&json!(tag))),
        None => path.to_string(),
    }
}

/// Terraform's warning for a plan limited by `-target`, and the rule for files.
fn write_target_warning(out: &mut String, plan: &Plan, paint: &Paint) {
    out.push_str(&paint.bold("Warning: Resource targeting is in effect"));
    let _ = write!(
        out,
        "\n\nThis plan is partial: it covers only {} and what {} need{}, so it may not hold every change the spec asks for. The files of an emit block are written whole (they form one program or configuration): a block is written when it describes a targeted change, and every other change it describes is written with it.",
        plan.targets.join(", "),
        if plan.targets.len() == 1 { "it" } else { "they" },
        if plan.targets.len() == 1 { "s" } else { "" },
    );
    let held: Vec<&str> = plan
        .emits
        .iter()
        .filter(|e| !e.written)
        .map(|e| e.path.as_str())
        .collect();
    if !held.is_empty() {
        let _ = write!(out, " Not written by this plan: {}.", held.join(", "));
    }
    out.push_str(
        "\n\nThe -target option is for exceptional situations, such as recovering from a mistake; run a plan without it afterwards to see what is left.\n\n",
    );
}

/// The plan for a terminal. `color` adds ANSI colours.
pub fn human(plan: &Plan, color: bool) -> String {
    let paint = Paint { on: color };
    let mut out = String::new();
    if !plan.targets.is_empty() {
        write_target_warning(&mut out, plan, &paint);
    }
    if !plan.refreshed {
        out.push_str(
            "Note: live provider state was not read; this plan compares the spec with the last known state.",
        );
        if let Some(line) = last_known_line(plan) {
            let _ = write!(out, " {line}");
        }
        out.push_str("\n\n");
    }
    if !plan.drift.is_empty() {
        write_drift(&mut out, &plan.drift, &paint);
    }
    if !plan.pending.is_empty() {
        write_pending(&mut out, &plan.pending, &paint);
    }
    if !plan.unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "{} resource{} without Meridian's management tag for this project (managed-by = \"meridian\"); never changed or destroyed:",
            plan.unmanaged.len(),
            if plan.unmanaged.len() == 1 { "" } else { "s" }
        );
        for u in &plan.unmanaged {
            let mut place = String::new();
            if let Some(r) = &u.region {
                let _ = write!(place, ", in {r}");
            }
            if let Some(id) = &u.id {
                let _ = write!(place, ", id {id}");
            }
            let _ = writeln!(out, "  {} ({}, name {}{place})", u.address, u.kind, u.name);
        }
        out.push('\n');
    }
    let changes: Vec<&ResourceChange> = plan
        .resource_changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    let files: Vec<&crate::ArtifactChange> = plan
        .artifact_changes
        .iter()
        .filter(|a| a.action != ArtifactAction::NoOp || a.note.is_some())
        .collect();
    if changes.is_empty() && !plan.has_changes() {
        if plan.has_differences() {
            out.push_str(&paint.bold("No changes to write."));
            out.push_str(
                " The generated files and the state already say what the spec says; the differences above are between them and the clouds.\n",
            );
            let _ = writeln!(out, "{}", rollout_line(plan));
        } else if plan.refreshed {
            out.push_str(&paint.bold("No changes."));
            out.push_str(
                " The generated files match the spec and the clouds hold what they describe; nothing to apply.\n",
            );
        } else {
            out.push_str(&paint.bold("No changes."));
            out.push_str(" The generated files and the state match the spec; nothing to apply.\n");
        }
        if let Some(cost) = &plan.cost {
            let _ = writeln!(out, "{}.", cost.line());
        }
        for a in files {
            if let Some(note) = &a.note {
                let _ = writeln!(out, "  {}: {note}", a.path);
            }
        }
        return out;
    }
    if !changes.is_empty() {
        out.push_str("Meridian will perform the following actions:\n");
        out.push_str(
            "(it records them in state and writes them into the generated files; the clouds change when the generated IaC runs)\n\n",
        );
        for c in &changes {
            write_change(&mut out, c, &paint);
        }
    }
    let _ = writeln!(out, "{}", paint.bold(&summary_line(plan)));
    if !plan.pending.is_empty() || !plan.drift.is_empty() {
        let _ = writeln!(out, "{}", rollout_line(plan));
    }
    if let Some(cost) = &plan.cost {
        let _ = writeln!(out, "{}.", cost.line());
    }
    if !files.is_empty() {
        out.push_str("\nChanges to generated files:\n");
        for a in &files {
            let (sym, act) = match a.action {
                ArtifactAction::Create => (Action::Create, "create"),
                ArtifactAction::Update => (Action::Update, "update"),
                ArtifactAction::Delete => (Action::Delete, "delete"),
                ArtifactAction::NoOp => (Action::NoOp, "keep"),
            };
            let _ = write!(
                out,
                "  {} {} ({act}",
                paint.action(sym, sym.symbol()),
                a.path
            );
            match a.action {
                ArtifactAction::Create => {
                    let _ = write!(out, ", {} lines", a.lines_added);
                }
                ArtifactAction::Update => {
                    let _ = write!(out, ", -{} +{} lines", a.lines_removed, a.lines_added);
                }
                ArtifactAction::Delete => {
                    let _ = write!(out, ", {} lines", a.lines_removed);
                }
                ArtifactAction::NoOp => {}
            }
            out.push(')');
            if let Some(note) = &a.note {
                let _ = write!(out, ": {note}");
            }
            out.push('\n');
        }
        for a in &files {
            if !a.diff.is_empty() {
                out.push('\n');
                for line in a.diff.lines() {
                    let painted = if line.starts_with("+++") || line.starts_with("---") {
                        paint.bold(line)
                    } else if line.starts_with('+') {
                        paint.action(Action::Create, line)
                    } else if line.starts_with('-') {
                        paint.action(Action::Delete, line)
                    } else if line.starts_with("@@") {
                        paint.wrap("36", line)
                    } else {
                        line.to_string()
                    };
                    let _ = writeln!(out, "{painted}");
                }
            }
        }
    }
    out
}

/// A record for machines: `name`, `region`, `attributes`, `tags`, each value known only
/// after apply `null`; and the `after_unknown`-style mirror of those values (`null` when
/// every value is known).
fn resource_object(r: Option<&StateResource>) -> (Value, Value) {
    match r {
        None => (Value::Null, Value::Null),
        Some(r) => {
            let attributes = Value::Object(
                r.attributes
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            );
            let (known, unknown) = known_and_unknown(&attributes);
            (
                json!({
                    "name": r.name,
                    "region": r.region,
                    "attributes": known,
                    "tags": r.tags,
                }),
                unknown.map_or(Value::Null, |u| json!({ "attributes": u })),
            )
        }
    }
}

/// The plan as JSON, shaped like `terraform show -json`: `format_version`,
/// `resource_changes[]` (`address`, `type`, `provider_name`, `change.actions`, `before`,
/// `after`, `after_unknown`, `action_reason`), plus `resource_drift[]`, `pending_rollout[]`,
/// `artifact_changes[]`, `emits[]`, `unmanaged[]`, `summary`, and for a plan limited by
/// `-target` its `targets`. Values known only after apply are `null`, marked `true` in
/// `after_unknown`. File contents are left out; the diffs of updated files are included.
pub fn json(plan: &Plan) -> Value {
    let changes: Vec<Value> = plan
        .resource_changes
        .iter()
        .map(|c| {
            let r = c.after.as_ref().or(c.before.as_ref());
            let mut obj = Map::new();
            obj.insert("address".into(), json!(c.address));
            obj.insert("type".into(), json!(c.kind));
            obj.insert(
                "provider_name".into(),
                json!(r.map(|r| r.provider.clone()).unwrap_or_default()),
            );
            obj.insert(
                "name".into(),
                json!(r.map(|r| r.name.clone()).unwrap_or_default()),
            );
            let (before, _) = resource_object(c.prior());
            let (after, after_unknown) = resource_object(c.after.as_ref());
            obj.insert(
                "change".into(),
                json!({
                    "actions": c.action.terraform_actions(),
                    "before": before,
                    "after": after,
                    "after_unknown": after_unknown,
                    "replace_paths": c.replace_paths.iter().map(|p| vec![p]).collect::<Vec<_>>(),
                }),
            );
            if let Some(reason) = &c.action_reason {
                obj.insert("action_reason".into(), json!(reason));
            }
            if let Some(block) = &c.written_with {
                obj.insert("written_with".into(), json!(block));
            }
            Value::Object(obj)
        })
        .collect();
    let artifacts: Vec<Value> = plan
        .artifact_changes
        .iter()
        .map(|a| {
            let mut v = json!({
                "path": a.path,
                "action": a.action,
                "before_sha256": a.before_sha256,
                "after_sha256": a.after_sha256,
                "lines_removed": a.lines_removed,
                "lines_added": a.lines_added,
            });
            if let Some(obj) = v.as_object_mut() {
                if let Some(emit) = &a.emit {
                    obj.insert("emit".into(), json!(emit));
                }
                if !a.diff.is_empty() {
                    obj.insert("diff".into(), json!(a.diff));
                }
                if let Some(note) = &a.note {
                    obj.insert("note".into(), json!(note));
                }
            }
            v
        })
        .collect();
    let s = plan.summary();
    let mut doc = json!({
        "format_version": JSON_FORMAT_VERSION,
        "meridian_version": plan.meridian_version,
        "spec_hash": plan.spec_hash,
        "catalog_hash": plan.catalog_hash,
        "prior_state": plan.prior,
        "refreshed": plan.refreshed,
        "changes": plan.has_changes(),
        "differences": plan.has_differences(),
        "summary": {
            "add": s.add,
            "change": s.change,
            "replace": s.replace,
            "destroy": s.destroy,
            "pending_rollout": plan.pending.len(),
            "drift": plan.drift.len(),
        },
        "resource_drift": plan.drift.iter().map(|d| json!({
            "address": d.address,
            "type": d.kind,
            "drift": d.drift,
            "change": {
                "actions": [drift_action(d.drift)],
                "before": resource_object(d.before.as_ref()).0,
                "after": resource_object(d.after.as_ref()).0,
            },
            "paths": d.paths,
        })).collect::<Vec<_>>(),
        "pending_rollout": plan.pending,
        "resource_changes": changes,
        "unmanaged": plan.unmanaged,
        "artifact_changes": artifacts,
        "emits": plan.emits,
        "cost": plan.cost,
    });
    if let Some(obj) = doc.as_object_mut() {
        if !plan.targets.is_empty() {
            obj.insert("targets".into(), json!(plan.targets));
        }
        if let Some(k) = plan.last_known {
            obj.insert("last_known".into(), json!(k));
        }
    }
    doc
}

/// A piece of the Markdown rendering: tables may be cut row by row, text only whole.
enum Block {
    Text(String),
    Table { header: String, rows: Vec<String> },
}

/// A code fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        if ch == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// Escapes text for a Markdown table cell or inline position.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The plan as Markdown for a pull-request comment: the summary, a table of changes, and
/// the details (attribute changes, file diffs) in collapsed sections. Never longer than
/// [`MARKDOWN_LIMIT`] characters: past it the details are cut and the comment says so.
pub fn markdown(plan: &Plan) -> String {
    markdown_limited(plan, MARKDOWN_LIMIT)
}

/// [`markdown`] with a given limit (in characters).
pub fn markdown_limited(plan: &Plan, limit: usize) -> String {
    let mut head = String::new();
    head.push_str("### Meridian plan\n\n");
    if !plan.targets.is_empty() {
        let _ = writeln!(
            head,
            "> **Warning: resource targeting is in effect.** This plan is partial: it covers only {} and what {} need{}, and the emit blocks that describe their changes (written whole, with every other change they describe). Run a plan without `-target` afterwards.\n",
            plan.targets
                .iter()
                .map(|t| format!("`{}`", t.replace('`', "")))
                .collect::<Vec<_>>()
                .join(", "),
            if plan.targets.len() == 1 { "it" } else { "they" },
            if plan.targets.len() == 1 { "s" } else { "" },
        );
    }
    if plan.has_changes() {
        let _ = writeln!(head, "**{}**\n", summary_line(plan));
    } else if plan.has_differences() {
        head.push_str(
            "**No changes to write.** The generated files and the state already say what the spec says.\n\n",
        );
    } else {
        head.push_str("**No changes.** The generated files and the state match the spec.\n\n");
    }
    if !plan.pending.is_empty() || !plan.drift.is_empty() {
        let _ = writeln!(head, "{}\n", md_text(&rollout_line(plan)));
    }
    if let Some(cost) = &plan.cost {
        let _ = writeln!(head, "{}.\n", md_text(&cost.line()));
    }
    if !plan.refreshed {
        head.push_str("_Live provider state was not read; the plan compares the spec with the last known state._\n\n");
    }
    let mut blocks: Vec<Block> = Vec::new();
    if !plan.pending.is_empty() {
        let rows = plan
            .pending
            .iter()
            .map(|p| {
                format!(
                    "| {} | {} | {} | {} |\n",
                    md_text(&p.address),
                    md_text(&p.kind),
                    match p.action {
                        PendingAction::Create => "not yet created",
                        PendingAction::Update => "not yet updated",
                    },
                    md_text(
                        &p.paths
                            .iter()
                            .map(|x| format!(
                                "{}: {} → {}",
                                x.path,
                                value_text(&x.live),
                                value_text(&x.written)
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                )
            })
            .collect();
        blocks.push(Block::Text(format!(
            "**Pending rollout:** {} resource{} written into the generated files, not yet live (run the generated IaC)\n\n",
            plan.pending.len(),
            if plan.pending.len() == 1 { "" } else { "s" }
        )));
        blocks.push(Block::Table {
            header: "| resource | type | rollout | live → written |\n|---|---|---|---|\n".into(),
            rows,
        });
    }
    if !plan.drift.is_empty() {
        let rows = plan
            .drift
            .iter()
            .map(|d| {
                format!(
                    "| {} | {} | {} | {} |\n",
                    md_text(&d.address),
                    md_text(&d.kind),
                    drift_verb(d.drift),
                    md_text(&d.paths.join(", "))
                )
            })
            .collect();
        blocks.push(Block::Text(format!(
            "**Changed outside Meridian:** {} resource{} (running the generated IaC again restores what was written)\n\n",
            plan.drift.len(),
            if plan.drift.len() == 1 { "" } else { "s" }
        )));
        blocks.push(Block::Table {
            header: "| resource | type | drift | attributes |\n|---|---|---|---|\n".into(),
            rows,
        });
    }
    let changes: Vec<&ResourceChange> = plan
        .resource_changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    if !changes.is_empty() {
        let mut rows = Vec::with_capacity(changes.len());
        for c in &changes {
            rows.push(format!(
                "| `{}` | {} | {} | {}{} |\n",
                c.action.symbol(),
                md_text(&c.address),
                md_text(&c.kind),
                verb(c.action),
                match (&c.written_with, c.replace_paths.is_empty()) {
                    (Some(block), _) => format!(" (not targeted: written with {})", md_text(block)),
                    (None, true) => String::new(),
                    (None, false) => format!(" ({})", md_text(&c.replace_paths.join(", "))),
                }
            ));
        }
        blocks.push(Block::Table {
            header: "| | resource | type | action |\n|---|---|---|---|\n".into(),
            rows,
        });
    }
    if !plan.unmanaged.is_empty() {
        let mut s = format!(
            "{} unmanaged resource{} (no `managed-by = \"meridian\"` tag) left alone: ",
            plan.unmanaged.len(),
            if plan.unmanaged.len() == 1 { "" } else { "s" }
        );
        s.push_str(
            &plan
                .unmanaged
                .iter()
                .map(|u| md_text(&u.address))
                .collect::<Vec<_>>()
                .join(", "),
        );
        s.push_str("\n\n");
        blocks.push(Block::Text(s));
    }
    let files: Vec<&crate::ArtifactChange> = plan
        .artifact_changes
        .iter()
        .filter(|a| a.action != ArtifactAction::NoOp)
        .collect();
    if !files.is_empty() {
        let mut rows = Vec::with_capacity(files.len());
        for a in &files {
            let (sym, lines) = match a.action {
                ArtifactAction::Create => ("+", format!("+{}", a.lines_added)),
                ArtifactAction::Update => ("~", format!("-{} +{}", a.lines_removed, a.lines_added)),
                ArtifactAction::Delete => ("-", format!("-{}", a.lines_removed)),
                ArtifactAction::NoOp => (" ", String::new()),
            };
            rows.push(format!("| `{sym}` | {} | {lines} |\n", md_text(&a.path)));
        }
        blocks.push(Block::Table {
            header: "| | generated file | lines |\n|---|---|---|\n".into(),
            rows,
        });
    }
    if !changes.is_empty() {
        let mut body = String::new();
        for c in &changes {
            write_change(&mut body, c, &Paint { on: false });
        }
        let f = fence(&body);
        blocks.push(Block::Text(format!(
            "<details><summary>Resource changes ({})</summary>\n\n{f}diff\n{body}{f}\n\n</details>\n\n",
            changes.len()
        )));
    }
    for a in files.iter().filter(|a| !a.diff.is_empty()) {
        let f = fence(&a.diff);
        blocks.push(Block::Text(format!(
            "<details><summary>{}</summary>\n\n{f}diff\n{}{f}\n\n</details>\n\n",
            md_text(&a.path),
            a.diff
        )));
    }
    let mut out = head;
    let note_budget = 300;
    let mut used = out.chars().count();
    let mut left_rows = 0usize;
    let mut left_sections = 0usize;
    for b in blocks {
        match b {
            Block::Text(text) => {
                let len = text.chars().count();
                if left_rows == 0 && left_sections == 0 && used + len + note_budget <= limit {
                    out.push_str(&text);
                    used += len;
                } else {
                    left_sections += 1;
                }
            }
            Block::Table { header, rows } => {
                let mut taken = 0;
                let head_len = header.chars().count() + 1;
                if left_rows == 0 && left_sections == 0 && used + head_len + note_budget <= limit {
                    out.push_str(&header);
                    used += head_len;
                    for row in &rows {
                        let len = row.chars().count();
                        if used + len + note_budget > limit {
                            break;
                        }
                        out.push_str(row);
                        used += len;
                        taken += 1;
                    }
                    out.push('\n');
                }
                left_rows += rows.len() - taken;
            }
        }
    }
    if left_rows > 0 || left_sections > 0 {
        let _ = writeln!(
            out,
            "_The plan is too long for one comment: {left_rows} table row{} and {left_sections} detail section{} were left out. Run `meridian show PLANFILE` for the whole plan._",
            if left_rows == 1 { "" } else { "s" },
            if left_sections == 1 { "" } else { "s" },
        );
    }
    if out.chars().count() > limit {
        // Only the head can push past a tiny limit; cut at a character boundary.
        out = out.chars().take(limit).collect();
    }
    out
}
