use super::{print_invalid, RUN_VALIDATE};
use crate::driver;
use crate::exit;
use crate::output::Output;
use meridian_spec::Inputs;
use std::path::Path;

/// `meridian inspect`: the validated model, human or JSON. Refuses an invalid spec.
pub fn inspect(path: &Path, inputs: &Inputs, json: bool, out: &mut Output<'_>) -> i32 {
    let checked = driver::check(path, inputs, driver::today());
    if !checked.is_valid() {
        print_invalid(&checked, out, RUN_VALIDATE);
        return exit::ERROR;
    }
    let Some(project) = checked.project else {
        return exit::ERROR;
    };
    if json {
        let text = serde_json::to_string_pretty(&project).unwrap_or_else(|_| "{}".into());
        let _ = writeln!(out.out, "{text}");
        return exit::OK;
    }
    let _ = writeln!(
        out.out,
        "Project {} (catalog as of {})",
        project.name, project.catalog_as_of
    );
    for m in &project.models {
        let rule = m.residency.as_deref().unwrap_or("none");
        let _ = writeln!(
            out.out,
            "\nmodel \"{}\"  strategy={}  residency={rule}",
            m.name,
            m.strategy.as_str()
        );
        for tier in &m.tiers {
            let _ = writeln!(out.out, "  tier {} \"{}\"", tier.position, tier.name);
            for t in &tier.targets {
                let _ = writeln!(
                    out.out,
                    "    target \"{}\": {} {} in {} ({}, {}), weight {}",
                    t.name,
                    t.provider,
                    t.model,
                    t.region,
                    t.processing.as_str(),
                    t.billing.as_str(),
                    t.weight
                );
                let regions: Vec<String> = t
                    .footprint
                    .regions
                    .iter()
                    .map(|r| format!("{} ({})", r.region, r.country))
                    .collect();
                let _ = writeln!(
                    out.out,
                    "      processes in {}{}",
                    regions.join(", "),
                    t.footprint
                        .via
                        .as_ref()
                        .map(|v| format!(" via {v}"))
                        .unwrap_or_default()
                );
                if let Some(w) = &t.footprint.widened {
                    let _ = writeln!(out.out, "      {w}");
                }
            }
        }
    }
    exit::OK
}
