//! `plan -target ADDR` / `apply -target ADDR`: a plan limited to some resources.
//!
//! As in Terraform, a target brings what it needs: the plan covers each target and,
//! transitively, the resources it depends on ([`selection`]). Files cannot be cut by
//! resource: the files of one emit block form one program or configuration (a Terraform
//! module, a Pulumi program, a router configuration), and writing some of them would leave
//! it inconsistent (an output naming a resource its file no longer declares). So the rule
//! is ([`limit`]):
//!
//! 1. an emit block is written, whole, when it describes a covered resource with a change;
//! 2. every other change that block describes is written with it (its record is updated
//!    too, so state keeps saying what the files say), and the plan marks it
//!    ([`crate::ResourceChange::written_with`]); a block describing one of those is written
//!    too, until nothing is added;
//! 3. every other block, record and file stays as it is.

use crate::{Action, Plan};
use meridian_graph::{Address, Graph};
use meridian_state::State;
use std::collections::{BTreeSet, HashSet};

/// The addresses `texts` name, each checked: an address (`OWNER_TYPE.OWNER_NAME.KIND.NAME`)
/// the spec declares or the state records. The error lists every one refused, with the
/// closest known address.
pub fn resolve(
    texts: &[String],
    graph: &Graph,
    state: Option<&State>,
) -> Result<Vec<Address>, Vec<String>> {
    let known: BTreeSet<String> = graph
        .resources()
        .iter()
        .map(|r| r.address.to_string())
        .chain(
            state
                .map(|s| s.resources.as_slice())
                .unwrap_or_default()
                .iter()
                .map(|r| r.address.clone()),
        )
        .collect();
    let hint = |text: &str| meridian_diag::did_you_mean(text, known.iter().map(String::as_str));
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for text in texts {
        match text.parse::<Address>() {
            Err(_) => errors.push(format!(
                "-target \"{text}\" is not a resource address: an address is OWNER_TYPE.OWNER_NAME.KIND.NAME, such as azure.corp.deployment.assistant-aoai-sweden (`meridian graph` and `meridian state list` print them).{}",
                hint(text)
            )),
            Ok(a) if !known.contains(&a.to_string()) => errors.push(format!(
                "-target {a}: the spec declares no resource at this address and the state records none.{}",
                hint(text)
            )),
            Ok(a) => {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The addresses a plan for `targets` covers: each target and everything it needs,
/// transitively (a target only the state records covers itself).
pub fn selection(graph: &Graph, targets: &[Address]) -> HashSet<String> {
    let mut covered: HashSet<String> = targets.iter().map(ToString::to_string).collect();
    let mut todo: Vec<usize> = targets.iter().filter_map(|a| graph.position(a)).collect();
    let mut seen: HashSet<usize> = todo.iter().copied().collect();
    while let Some(i) = todo.pop() {
        for &j in graph.needs_at(i) {
            if seen.insert(j) {
                if let Some(r) = graph.resources().get(j) {
                    covered.insert(r.address.to_string());
                }
                todo.push(j);
            }
        }
    }
    covered
}

/// Limits `plan`, made for the whole spec, to the `covered` addresses and the emit blocks
/// they need written (see the module documentation); records `targets` in it.
pub fn limit<S: std::hash::BuildHasher>(
    plan: &mut Plan,
    targets: &[Address],
    covered: &HashSet<String, S>,
) {
    let mut included: HashSet<String> = covered.iter().cloned().collect();
    let mut written: Vec<bool> = vec![false; plan.emits.len()];
    loop {
        let mut grew = false;
        for c in plan
            .resource_changes
            .iter()
            .filter(|c| c.action != Action::NoOp && included.contains(&c.address))
        {
            for (i, e) in plan.emits.iter().enumerate() {
                if !written[i] && e.describes.contains(&c.kind) {
                    written[i] = true;
                    grew = true;
                }
            }
        }
        for c in plan.resource_changes.iter_mut() {
            if c.action == Action::NoOp || included.contains(&c.address) {
                continue;
            }
            let block = plan
                .emits
                .iter()
                .enumerate()
                .find(|(i, e)| written[*i] && e.describes.contains(&c.kind));
            if let Some((_, e)) = block {
                c.written_with = Some(e.path.clone());
                included.insert(c.address.clone());
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    plan.resource_changes
        .retain(|c| included.contains(&c.address));
    let blocks: HashSet<&str> = plan
        .emits
        .iter()
        .zip(&written)
        .filter(|(_, w)| **w)
        .map(|(e, _)| e.path.as_str())
        .collect();
    plan.artifact_changes
        .retain(|a| a.emit.as_deref().is_some_and(|e| blocks.contains(e)));
    for (e, w) in plan.emits.iter_mut().zip(&written) {
        e.written = *w;
    }
    plan.pending.retain(|p| included.contains(&p.address));
    plan.drift.retain(|d| included.contains(&d.address));
    let mut names: Vec<String> = targets.iter().map(ToString::to_string).collect();
    names.sort();
    plan.targets = names;
}
