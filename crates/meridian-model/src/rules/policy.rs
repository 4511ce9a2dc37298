//! The organisation-wide rules of the `policy` block.

use crate::cost;
use crate::date::Date;
use crate::ir;
use crate::rules::residency::complies;
use meridian_catalog::{Catalog, Cloud};
use meridian_diag::{codes, Diagnostic, Diagnostics, Span};
use meridian_spec as raw;
use std::collections::BTreeSet;

pub(crate) fn check(
    diags: &mut Diagnostics,
    spec: &raw::Spec,
    project: &ir::Project,
    catalog: &Catalog,
    today: Date,
) {
    let Some(p) = &spec.policy else { return };
    let policy = &project.policy;
    let raw_model = |name: &str| spec.models.iter().find(|m| m.name.value == name);

    if let Some(flag) = p.require_residency.as_ref().filter(|f| f.value) {
        for m in &spec.models {
            if m.residency_attr.is_none() {
                diags.push(
                    Diagnostic::error(codes::POL_REQUIRE_RESIDENCY, format!("Model \"{}\" names no residency rule", m.name.value))
                        .detail("The policy requires every model to name one: add residency = residency.NAME.")
                        .at(m.span)
                        .label(flag.span, "required by this policy"),
                );
            }
        }
    }

    for tag in &p.required_tags {
        let has = spec
            .meridian
            .as_ref()
            .is_some_and(|m| m.default_tags.iter().any(|(k, _)| k.value == tag.value));
        if !has {
            let at = spec
                .meridian
                .as_ref()
                .map(|m| m.default_tags_span.unwrap_or(m.span))
                .or_else(|| spec.files.first().map(|f| Span::new(*f, 0, 0)));
            diags.push(
                Diagnostic::error(codes::POL_REQUIRED_TAGS, format!("Required tag \"{}\" is missing", tag.value))
                    .detail(format!("Add {} = \"...\" to meridian.default_tags; every generated resource carries these tags.", tag.value))
                    .at_opt(at)
                    .label(tag.span, "required by this policy"),
            );
        }
    }

    if let Some(min) = &p.min_tiers {
        for m in &project.models {
            if (m.tiers.len() as u64) < min.value {
                if let Some(rm) = raw_model(&m.name) {
                    diags.push(
                        Diagnostic::error(
                            codes::POL_MIN_TIERS,
                            format!("Model \"{}\" has {} tier{}; the policy requires {}", m.name, m.tiers.len(), if m.tiers.len() == 1 { "" } else { "s" }, min.value),
                        )
                        .detail("Add failover tiers so the model survives the loss of its primary targets.")
                        .at(rm.span)
                        .label(min.span, "required by this policy"),
                    );
                }
            }
        }
    }

    if let Some(flag) = p.failover_across_providers.as_ref().filter(|f| f.value) {
        for m in &project.models {
            let Some(primary) = m.tiers.first() else {
                continue;
            };
            let primary_clouds: BTreeSet<Cloud> = primary.targets.iter().map(|t| t.cloud).collect();
            // Satisfied when losing any one cloud leaves a cloud to fail over to: a failover
            // tier on another cloud, or a primary tier that is itself spread across clouds.
            let crosses = primary_clouds.len() > 1
                || m.tiers
                    .iter()
                    .skip(1)
                    .flat_map(|t| &t.targets)
                    .any(|t| !primary_clouds.contains(&t.cloud));
            if !crosses && !primary.targets.is_empty() {
                if let Some(rm) = raw_model(&m.name) {
                    let clouds: Vec<&str> = primary_clouds.iter().map(|c| c.as_str()).collect();
                    diags.push(
                        Diagnostic::error(
                            codes::POL_ACROSS_PROVIDERS,
                            format!("Model \"{}\" fails over only within {}", m.name, clouds.join(", ")),
                        )
                        .detail("The policy requires some failover tier to use another cloud than the primary tier, so one cloud's outage cannot take the model down.")
                        .at(rm.span)
                        .label(flag.span, "required by this policy"),
                    );
                }
            }
        }
    }

    if let (Some(budget), Some(limit)) = (&p.max_monthly_cost_usd, policy.max_monthly_cost_usd) {
        let total = cost::project_normal_monthly(project, catalog);
        if total > limit {
            let mut per_model: Vec<(f64, &str)> = project
                .models
                .iter()
                .map(|m| (cost::model_normal_monthly(m, catalog), m.name.as_str()))
                .collect();
            per_model.sort_by(|a, b| b.0.total_cmp(&a.0));
            let top: Vec<String> = per_model
                .iter()
                .take(5)
                .map(|(c, n)| format!("{n} ${c:.0}"))
                .collect();
            diags.push(
                Diagnostic::error(
                    codes::POL_MAX_COST,
                    format!("Estimated monthly cost ${total:.0} exceeds the budget of ${limit:.0}"),
                )
                .detail(format!(
                    "The estimate uses catalog list prices and each model's usage, with traffic on the first tier by weight (one pool across tiers for strategy = \"weighted\"). Largest: {}.{}",
                    top.join(", "),
                    unpriced_note(project, catalog)
                ))
                .at(budget.span),
            );
        }
    }

    if let Some(days) = &p.retirement_warning_days {
        for (m, rm) in project
            .models
            .iter()
            .filter_map(|m| Some((m, raw_model(&m.name)?)))
        {
            for (tier, rt) in m.tiers.iter().zip(&rm.tiers) {
                for t in &tier.targets {
                    let Some(entry) = catalog.model(t.cloud, &t.model) else {
                        continue;
                    };
                    let Some(date) = entry.retirement(t.version.as_deref()).and_then(Date::parse)
                    else {
                        continue;
                    };
                    let left = today.days_until(date);
                    if left >= 0 && left as u64 <= days.value {
                        let Some(rt) = rt.targets.iter().find(|x| x.name.value == t.name) else {
                            continue;
                        };
                        let at = rt
                            .version
                            .as_ref()
                            .or(rt.model.as_ref())
                            .map_or(rt.span, |v| v.span);
                        diags.push(
                            Diagnostic::warning(
                                codes::POL_RETIREMENT,
                                format!(
                                    "{}{} retires on {date}, in {left} day{}",
                                    t.model,
                                    t.version.as_ref().map(|v| format!(" version {v}")).unwrap_or_default(),
                                    if left == 1 { "" } else { "s" }
                                ),
                            )
                            .detail(match entry.replacement_for(t.version.as_deref()) {
                                Some(r) => format!("The provider names {r} as its replacement: plan the move before then (`meridian catalog show {r}`)."),
                                None => format!("Plan the move to a current version before then (`meridian catalog show {}`).", t.model),
                            })
                            .at(at)
                            .label(days.span, "warning window set here"),
                        );
                    }
                }
            }
        }
    }

    if let (Some(allowed_raw), Some(allowed)) = (&p.allowed_processing, &policy.allowed_processing)
    {
        for (m, rm) in project
            .models
            .iter()
            .filter_map(|m| Some((m, raw_model(&m.name)?)))
        {
            for (tier, rt) in m.tiers.iter().zip(&rm.tiers) {
                for t in tier
                    .targets
                    .iter()
                    .filter(|t| !allowed.contains(&t.processing))
                {
                    let Some(rt) = rt.targets.iter().find(|x| x.name.value == t.name) else {
                        continue;
                    };
                    let names: Vec<&str> = allowed.iter().map(|p| p.as_str()).collect();
                    diags.push(
                        Diagnostic::error(
                            codes::POL_PROCESSING,
                            format!("Target \"{}\" uses processing = \"{}\", which the policy does not allow", t.name, t.processing.as_str()),
                        )
                        .detail(format!("Allowed processing modes: {}.", names.join(", ")))
                        .at(rt.processing.as_ref().map_or(rt.span, |p| p.span))
                        .label(allowed_raw.span, "allowed here"),
                    );
                }
            }
        }
    }

    if let Some(flag) = p.survive_single_failure.as_ref().filter(|f| f.value) {
        for m in &project.models {
            let lost = single_failures(m, project);
            if lost.is_empty() {
                continue;
            }
            if let Some(rm) = raw_model(&m.name) {
                diags.push(
                    Diagnostic::error(
                        codes::POL_SINGLE_FAILURE,
                        format!("Model \"{}\" loses service when {} fails", m.name, lost.join(" or ")),
                    )
                    .detail("Every model must keep a target, within its residency, when any one cloud or region is down. Add a target on another cloud or region to a tier.")
                    .at(rm.span)
                    .label(flag.span, "required by this policy"),
                );
            }
        }
    }
}

/// Says which targets the estimate could not price, if any.
fn unpriced_note(project: &ir::Project, catalog: &Catalog) -> String {
    let unpriced: Vec<String> = project
        .models
        .iter()
        .flat_map(|m| cost::normal_costs(m, catalog))
        .filter(|c| c.unpriced)
        .map(|c| c.address)
        .collect();
    if unpriced.is_empty() {
        String::new()
    } else {
        format!(
            " The catalog has no price for {}, counted as $0.",
            unpriced.join(", ")
        )
    }
}

/// The single failures (a whole cloud, or one region of a cloud) after which the model has no
/// target left that complies with its residency rule.
pub fn single_failures(m: &ir::Model, project: &ir::Project) -> Vec<String> {
    let rule = m
        .residency
        .as_ref()
        .and_then(|r| project.residencies.iter().find(|x| &x.name == r));
    let usable: Vec<&ir::Target> = m
        .tiers
        .iter()
        .flat_map(|t| &t.targets)
        .filter(|t| rule.is_none_or(|r| complies(r, t)))
        .collect();
    let mut domains: BTreeSet<(Cloud, Option<&str>)> = BTreeSet::new();
    for t in m.tiers.iter().flat_map(|t| &t.targets) {
        domains.insert((t.cloud, None));
        domains.insert((t.cloud, Some(t.region.as_str())));
    }
    domains
        .into_iter()
        .filter(|(cloud, region)| {
            !usable
                .iter()
                .any(|t| t.cloud != *cloud || region.is_some_and(|r| r != t.region))
        })
        .map(|(cloud, region)| match region {
            Some(r) => format!("{}:{r}", cloud.as_str()),
            None => cloud.as_str().to_string(),
        })
        .collect()
}
