//! Derives a [`Report`] from the validated model, the catalog, the resource graph and the
//! diagnostics.

use crate::{
    AccessEntry, CapacityTotal, ChainTarget, ChainTier, FailoverChain, Finding, Grant, Location,
    LogSink, MatrixRow, PolicySetting, Principal, ProviderEntry, RegionCountry, Related, Report,
    ResidencyRule, SourceEntry, Summary, Verdict, WaiverEntry, FORMAT_VERSION,
};
use meridian_catalog::{Billing, Catalog, Cloud};
use meridian_diag::{Diagnostic, Diagnostics, FileId, SourceMap, Span};
use meridian_graph::{as_reference, Graph, Kind, Resource};
use meridian_model::ir::{self, Project};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a report is built from.
pub struct Input<'a> {
    /// The validated model; `None` when the spec could not be parsed far enough.
    pub project: Option<&'a Project>,
    /// The catalog the spec was validated against (with its overlay).
    pub catalog: &'a Catalog,
    /// Every finding of validation, sorted.
    pub diagnostics: &'a Diagnostics,
    pub sources: &'a SourceMap,
    /// The URI of each source file that is a file (see [`crate::file_uri`]).
    pub file_uris: &'a BTreeMap<FileId, String>,
    /// `sha256:<hex>` over the spec files.
    pub spec_hash: &'a str,
    /// The Meridian version writing the report.
    pub tool_version: &'a str,
}

/// Builds the report. The grants come from the resource graph, which is derived only from a
/// spec without errors; for an invalid spec the report says so instead of listing them.
pub fn build(input: &Input<'_>) -> Report {
    let valid = !input.diagnostics.has_errors() && input.project.is_some();
    let findings = findings(input);
    let mut report = Report {
        format_version: FORMAT_VERSION,
        tool_version: input.tool_version.to_string(),
        project: input.project.map(|p| p.name.clone()),
        spec_hash: input.spec_hash.to_string(),
        catalog_as_of: input.catalog.as_of().to_string(),
        valid,
        files: input
            .sources
            .iter()
            .filter_map(|(id, f)| {
                input.file_uris.get(&id).map(|uri| SourceEntry {
                    file: f.name.clone(),
                    uri: Some(uri.clone()),
                })
            })
            .collect(),
        summary: Summary {
            errors: input.diagnostics.error_count(),
            warnings: input.diagnostics.warning_count(),
            ..Summary::default()
        },
        residencies: Vec::new(),
        matrix: Vec::new(),
        failover: Vec::new(),
        access: Vec::new(),
        grants_note: None,
        logging: Vec::new(),
        providers: Vec::new(),
        policy: Vec::new(),
        cost: None,
        findings,
    };
    let Some(project) = input.project else {
        report.grants_note =
            Some("The spec could not be read far enough to derive any grant.".into());
        return report;
    };
    let rules: HashMap<&str, &ir::Residency> = project
        .residencies
        .iter()
        .map(|r| (r.name.as_str(), r))
        .collect();
    report.residencies = residencies(project);
    report.matrix = matrix(project, &rules);
    report.failover = failover(project, &rules);
    let graph = if valid {
        Graph::build(project).ok()
    } else {
        None
    };
    report.access = access(project, graph.as_ref());
    if graph.is_none() {
        report.grants_note = Some(if valid {
            "The resource graph could not be built, so the grants are not listed.".into()
        } else {
            "The spec has errors, so the grants are not derived; fix the findings and run the report again.".into()
        });
    }
    report.logging = logging(project, input.catalog, &rules);
    report.providers = providers(project);
    report.policy = policy(&project.policy);
    let cost = meridian_model::cost::cost_report(project, input.catalog);
    let s = &mut report.summary;
    s.models = project.models.len();
    s.targets = report.matrix.len();
    for row in &report.matrix {
        match row.verdict {
            Verdict::Compliant => s.compliant_targets += 1,
            Verdict::Outside => s.outside_targets += 1,
            Verdict::NoRule => s.unruled_targets += 1,
        }
    }
    s.log_sinks_outside = report
        .logging
        .iter()
        .filter(|l| l.verdict == Verdict::Outside)
        .count();
    s.monthly_usd = Some(cost.normal.total_usd);
    s.budget_usd = cost.budget_usd;
    report.cost = Some(cost);
    report
}

/// A target's verdict against its model's rule, with the reasons it fails.
fn residency_verdict(rule: Option<&ir::Residency>, t: &ir::Target) -> (Verdict, Vec<String>) {
    let Some(rule) = rule else {
        return (Verdict::NoRule, Vec::new());
    };
    let reasons = meridian_model::breach(rule, t).reasons(rule, t.processing);
    if reasons.is_empty() {
        (Verdict::Compliant, reasons)
    } else {
        (Verdict::Outside, reasons)
    }
}

fn rule_of<'p>(
    m: &ir::Model,
    rules: &HashMap<&str, &'p ir::Residency>,
) -> Option<&'p ir::Residency> {
    m.residency
        .as_deref()
        .and_then(|name| rules.get(name).copied())
}

fn residencies(project: &Project) -> Vec<ResidencyRule> {
    project
        .residencies
        .iter()
        .map(|r| ResidencyRule {
            name: r.name.clone(),
            geographies: r.geographies.clone(),
            countries: r.countries.clone(),
            allowed_countries: r.allowed_countries.clone(),
            deny_regions: r.deny_regions.clone(),
            processing: r.processing,
            models: project
                .models
                .iter()
                .filter(|m| m.residency.as_deref() == Some(r.name.as_str()))
                .map(|m| m.name.clone())
                .collect(),
        })
        .collect()
}

fn matrix(project: &Project, rules: &HashMap<&str, &ir::Residency>) -> Vec<MatrixRow> {
    let mut rows = Vec::new();
    for m in &project.models {
        let rule = rule_of(m, rules);
        for tier in &m.tiers {
            for t in &tier.targets {
                let (verdict, reasons) = residency_verdict(rule, t);
                rows.push(MatrixRow {
                    model: m.name.clone(),
                    tier: tier.name.clone(),
                    tier_position: tier.position,
                    target: t.name.clone(),
                    address: t.address.clone(),
                    provider: t.provider.clone(),
                    cloud: t.cloud,
                    model_id: t.model.clone(),
                    version: t.version.clone(),
                    region: t.region.clone(),
                    processing: t.processing,
                    billing: t.billing,
                    via: t.footprint.via.clone(),
                    footprint: t
                        .footprint
                        .regions
                        .iter()
                        .map(|r| RegionCountry {
                            region: r.region.clone(),
                            country: r.country.clone(),
                        })
                        .collect(),
                    countries: t.footprint.countries.clone(),
                    residency: m.residency.clone(),
                    verdict,
                    reasons,
                });
            }
        }
    }
    rows
}

/// The unit of a target's `capacity`, or `None` when it reserves nothing.
fn capacity_unit(cloud: Cloud, billing: Billing) -> Option<&'static str> {
    match (cloud, billing) {
        (Cloud::Azure, Billing::OnDemand) => Some("K tokens/min"),
        (Cloud::Azure, Billing::Provisioned) => Some("PTU"),
        (Cloud::Aws, Billing::Provisioned) => Some("model units"),
        (Cloud::Gcp, Billing::Provisioned) => Some("GSU"),
        (Cloud::Aws | Cloud::Gcp, Billing::OnDemand) => None,
    }
}

fn failover(project: &Project, rules: &HashMap<&str, &ir::Residency>) -> Vec<FailoverChain> {
    project
        .models
        .iter()
        .map(|m| {
            let rule = rule_of(m, rules);
            let tiers = m
                .tiers
                .iter()
                .map(|tier| {
                    let total_weight: u64 = tier.targets.iter().map(|t| t.weight).sum();
                    let targets: Vec<ChainTarget> = tier
                        .targets
                        .iter()
                        .map(|t| {
                            let unit = capacity_unit(t.cloud, t.billing);
                            let defaulted = unit.is_some() && t.capacity.is_none();
                            ChainTarget {
                                target: t.name.clone(),
                                provider: t.provider.clone(),
                                cloud: t.cloud,
                                region: t.region.clone(),
                                processing: t.processing,
                                billing: t.billing,
                                weight: t.weight,
                                share: if total_weight == 0 {
                                    0.0
                                } else {
                                    t.weight as f64 / total_weight as f64
                                },
                                capacity: unit.map(|_| t.capacity.unwrap_or(1)),
                                capacity_unit: unit,
                                capacity_defaulted: defaulted,
                                verdict: residency_verdict(rule, t).0,
                            }
                        })
                        .collect();
                    let mut capacity: Vec<CapacityTotal> = Vec::new();
                    for t in &targets {
                        let (Some(amount), Some(unit)) = (t.capacity, t.capacity_unit) else {
                            continue;
                        };
                        match capacity.iter_mut().find(|c| c.unit == unit) {
                            Some(c) => c.amount += amount,
                            None => capacity.push(CapacityTotal { amount, unit }),
                        }
                    }
                    let clouds: BTreeSet<Cloud> = targets.iter().map(|t| t.cloud).collect();
                    ChainTier {
                        name: tier.name.clone(),
                        position: tier.position,
                        clouds: clouds.into_iter().collect(),
                        on_demand_targets: targets
                            .iter()
                            .filter(|t| t.capacity_unit.is_none())
                            .count(),
                        compliant: targets.iter().all(|t| t.verdict != Verdict::Outside),
                        capacity,
                        targets,
                    }
                })
                .collect();
            let mut degrade: Vec<String> =
                m.degrade.iter().map(|c| c.as_str().to_string()).collect();
            if m.degrade_context {
                degrade.push("context".into());
            }
            FailoverChain {
                model: m.name.clone(),
                description: m.description.clone(),
                task: m.task.clone(),
                strategy: m.strategy,
                residency: m.residency.clone(),
                degrade,
                on: m
                    .failover
                    .as_ref()
                    .map(|f| f.on.clone())
                    .unwrap_or_default(),
                retries: m.failover.as_ref().and_then(|f| f.retries),
                timeout_seconds: m.failover.as_ref().and_then(|f| f.timeout_seconds),
                cooldown_seconds: m.failover.as_ref().and_then(|f| f.cooldown_seconds),
                tiers,
                single_points_of_failure: meridian_model::single_failures(m, project),
            }
        })
        .collect()
}

fn access(project: &Project, graph: Option<&Graph>) -> Vec<AccessEntry> {
    let mut grants: HashMap<&str, Vec<Grant>> = HashMap::new();
    if let Some(graph) = graph {
        for r in graph.resources() {
            if let Some(g) = grant(r) {
                let origin = r.origin.strip_prefix("access.").unwrap_or(&r.origin);
                grants.entry(origin).or_default().push(g);
            }
        }
    }
    project
        .access
        .iter()
        .map(|a| {
            let principals = [
                (Cloud::Aws, &a.aws),
                (Cloud::Azure, &a.azure),
                (Cloud::Gcp, &a.gcp),
            ]
            .into_iter()
            .flat_map(|(cloud, ids)| {
                ids.iter().map(move |id| Principal {
                    cloud,
                    id: id.clone(),
                })
            })
            .collect();
            AccessEntry {
                name: a.name.clone(),
                models: a.models.clone(),
                principals,
                grants: grants.remove(a.name.as_str()).unwrap_or_default(),
            }
        })
        .collect()
}

/// A resource value as text: a string as itself, a reference as `ATTR of ADDRESS`.
fn value_text(v: &Value) -> Option<String> {
    if let Some(s) = v.as_str() {
        return Some(s.to_string());
    }
    as_reference(v).map(|(address, attr)| format!("{attr} of {address}"))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(value_text).collect(),
        Some(v) => value_text(v).into_iter().collect(),
        None => Vec::new(),
    }
}

fn push_unique(into: &mut Vec<String>, items: Vec<String>) {
    for item in items {
        if !into.contains(&item) {
            into.push(item);
        }
    }
}

/// The grant a resource of an access block makes, if it is one.
fn grant(r: &Resource) -> Option<Grant> {
    let text = |name: &str| r.attrs.get(name).and_then(value_text).unwrap_or_default();
    let (cloud, principal, permissions, resources, denies) = match r.kind {
        Kind::AwsIamPolicy => {
            let mut permissions = Vec::new();
            let mut resources = Vec::new();
            let mut denies = Vec::new();
            let statements = r
                .attrs
                .get("policy")
                .and_then(|p| p.get("Statement"))
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for s in statements {
                let res = strings(s.get("Resource"));
                if s.get("Effect").and_then(Value::as_str) == Some("Deny") {
                    push_unique(&mut denies, res);
                } else {
                    push_unique(&mut permissions, strings(s.get("Action")));
                    push_unique(&mut resources, res);
                }
            }
            (
                Cloud::Aws,
                text("principal"),
                permissions,
                resources,
                denies,
            )
        }
        Kind::AzureRoleAssignment => (
            Cloud::Azure,
            text("principal_id"),
            vec![text("role_definition_name")],
            vec![text("scope")],
            Vec::new(),
        ),
        Kind::GcpIamMember => (
            Cloud::Gcp,
            text("member"),
            vec![text("role")],
            vec![format!("project {}", text("project"))],
            Vec::new(),
        ),
        _ => return None,
    };
    Some(Grant {
        address: r.address.to_string(),
        kind: r.kind.terraform_type().unwrap_or_default(),
        cloud,
        principal,
        permissions,
        resources,
        denies,
    })
}

/// Where a sink location stores data: its countries and, for a region, the region id.
fn logging(
    project: &Project,
    catalog: &Catalog,
    rules: &HashMap<&str, &ir::Residency>,
) -> Vec<LogSink> {
    let mut sinks = Vec::new();
    for l in &project.logging {
        let mut entries: Vec<(Cloud, String, String)> = Vec::new();
        if let Some(s) = &l.aws {
            entries.push((Cloud::Aws, s.bucket.clone(), s.region.clone()));
        }
        if let Some(s) = &l.azure {
            entries.push((Cloud::Azure, s.workspace_id.clone(), s.region.clone()));
        }
        if let Some(s) = &l.gcp {
            entries.push((Cloud::Gcp, s.bigquery_dataset.clone(), s.location.clone()));
        }
        for (cloud, destination, location) in entries {
            let (countries, region) =
                meridian_model::sink_place(catalog, cloud, &location).unwrap_or_default();
            let recorded: Vec<&ir::Model> = project
                .models
                .iter()
                .filter(|m| {
                    m.tiers
                        .iter()
                        .flat_map(|t| &t.targets)
                        .any(|t| t.cloud == cloud)
                })
                .collect();
            let mut reasons = Vec::new();
            let mut ruled = false;
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            for m in &recorded {
                let Some(rule) = rule_of(m, rules) else {
                    continue;
                };
                ruled = true;
                if !seen.insert(rule.name.as_str()) {
                    continue;
                }
                if countries.is_empty() {
                    reasons.push(format!(
                        "the catalog does not know where \"{location}\" stores data"
                    ));
                    continue;
                }
                let (outside, denied) =
                    meridian_model::sink_breach(rule, &countries, region.as_deref());
                if !outside.is_empty() {
                    reasons.push(format!(
                        "stores data in {} outside residency \"{}\"",
                        outside.join(", "),
                        rule.name
                    ));
                }
                if let Some(r) = region.as_ref().filter(|_| denied) {
                    reasons.push(format!("{r} is denied by residency \"{}\"", rule.name));
                }
            }
            reasons.dedup();
            let verdict = if !reasons.is_empty() {
                Verdict::Outside
            } else if ruled {
                Verdict::Compliant
            } else {
                Verdict::NoRule
            };
            sinks.push(LogSink {
                logging: l.name.clone(),
                cloud,
                destination,
                location,
                countries,
                retention_days: l.retention_days,
                records_models: recorded.iter().map(|m| m.name.clone()).collect(),
                verdict,
                reasons,
            });
        }
    }
    sinks
}

fn providers(project: &Project) -> Vec<ProviderEntry> {
    project
        .providers
        .iter()
        .map(|p| ProviderEntry {
            address: p.address.clone(),
            cloud: p.cloud,
            account: p
                .subscription_id
                .clone()
                .or_else(|| p.account_id.clone())
                .or_else(|| p.project.clone())
                .unwrap_or_default(),
            public_access: p.network.public_access,
            private_endpoint: p.network.private_endpoint_subnet_id.is_some(),
            customer_managed_key: p.encryption_key_id.is_some(),
            waivers: p
                .waivers
                .iter()
                .map(|w| WaiverEntry {
                    check: w.check.clone(),
                    reason: w.reason.clone(),
                })
                .collect(),
        })
        .collect()
}

fn policy(p: &ir::Policy) -> Vec<PolicySetting> {
    let mut out = Vec::new();
    let mut set = |name: &'static str, value: String| out.push(PolicySetting { name, value });
    if p.require_residency {
        set("require_residency", "true".into());
    }
    if !p.required_tags.is_empty() {
        set("required_tags", p.required_tags.join(", "));
    }
    if let Some(n) = p.min_tiers {
        set("min_tiers", n.to_string());
    }
    if p.failover_across_providers {
        set("failover_across_providers", "true".into());
    }
    if let Some(b) = p.max_monthly_cost_usd {
        set("max_monthly_cost_usd", crate::usd(b));
    }
    if let Some(d) = p.retirement_warning_days {
        set("retirement_warning_days", d.to_string());
    }
    if let Some(modes) = &p.allowed_processing {
        set(
            "allowed_processing",
            modes
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if p.survive_single_failure {
        set("survive_single_failure", "true".into());
    }
    out
}

fn location(input: &Input<'_>, span: Span) -> Option<Location> {
    let (file, start, end) = input.sources.resolve(span)?;
    Some(Location {
        file: file.name.clone(),
        uri: input.file_uris.get(&span.file).cloned(),
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
    })
}

/// The text a fingerprint is taken over: the offending source text with whitespace runs
/// collapsed (so re-indenting or moving it keeps the fingerprint). A secret is never hashed:
/// for a redacted finding only the text before it on its line counts.
fn fingerprint_text(input: &Input<'_>, d: &Diagnostic) -> String {
    let Some(span) = d.primary else {
        return d.summary.clone();
    };
    let Some(file) = input.sources.get(span.file) else {
        return d.summary.clone();
    };
    let clamp = |mut i: usize| {
        i = i.min(file.text.len());
        while !file.text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (start, end) = (clamp(span.start), clamp(span.end));
    let raw = if d.redact {
        let line_start = file.text[..start].rfind('\n').map_or(0, |i| i + 1);
        format!("{}<redacted>", &file.text[line_start..start])
    } else {
        file.text[start..end].to_string()
    };
    let normalized = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if normalized.is_empty() {
        d.summary.clone()
    } else {
        normalized
    }
}

fn findings(input: &Input<'_>) -> Vec<Finding> {
    let mut ordinals: HashMap<[u8; 32], u32> = HashMap::new();
    input
        .diagnostics
        .iter()
        .map(|d| {
            let loc = d.primary.and_then(|s| location(input, s));
            let file_key = match &loc {
                Some(l) => l.uri.clone().unwrap_or_else(|| l.file.clone()),
                None => String::new(),
            };
            let text = fingerprint_text(input, d);
            let mut key = Sha256::new();
            for part in [d.code.id, &file_key, &text] {
                key.update(part.as_bytes());
                key.update([0u8]);
            }
            let key: [u8; 32] = key.finalize().into();
            let ordinal = ordinals.entry(key).or_insert(0);
            let mut h = Sha256::new();
            h.update(key);
            h.update(ordinal.to_be_bytes());
            *ordinal += 1;
            let fingerprint: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
            Finding {
                code: d.code.id,
                title: d.code.title,
                severity: d.severity,
                summary: d.summary.clone(),
                detail: d.detail.clone(),
                location: loc,
                related: d
                    .secondary
                    .iter()
                    .filter_map(|l| {
                        Some(Related {
                            message: l.message.clone(),
                            location: location(input, l.span)?,
                        })
                    })
                    .collect(),
                fingerprint,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(processing: meridian_catalog::Processing, regions: &[(&str, &str)]) -> ir::Target {
        ir::Target {
            name: "t".into(),
            address: "model.m.tier.p.target.t".into(),
            provider: "aws.corp".into(),
            cloud: Cloud::Aws,
            model: "x".into(),
            version: None,
            region: regions.first().map_or(String::new(), |r| r.0.to_string()),
            processing,
            billing: Billing::OnDemand,
            capacity: None,
            weight: 1,
            footprint: ir::Footprint {
                via: None,
                regions: regions
                    .iter()
                    .map(|(r, c)| ir::FootprintRegion {
                        region: (*r).into(),
                        country: (*c).into(),
                    })
                    .collect(),
                countries: Vec::new(),
                widened: None,
            },
        }
    }

    #[test]
    fn verdict_agrees_with_the_validator_and_says_why() {
        use meridian_catalog::Processing;
        let rule = ir::Residency {
            name: "eu".into(),
            geographies: vec!["eu".into()],
            countries: Vec::new(),
            allowed_countries: vec!["DE".into(), "FR".into(), "IE".into()],
            deny_regions: vec!["eu-west-3".into()],
            processing: Processing::Geography,
        };
        let cases = [
            target(Processing::Region, &[("eu-central-1", "DE")]),
            target(
                Processing::Geography,
                &[("eu-central-1", "DE"), ("eu-west-2", "GB")],
            ),
            target(Processing::Global, &[("eu-central-1", "DE")]),
            target(Processing::Geography, &[("eu-west-3", "FR")]),
        ];
        let verdicts: Vec<(Verdict, Vec<String>)> = cases
            .iter()
            .map(|t| residency_verdict(Some(&rule), t))
            .collect();
        for (t, (v, _)) in cases.iter().zip(&verdicts) {
            assert_eq!(
                *v == Verdict::Compliant,
                meridian_model::complies(&rule, t),
                "{t:?}"
            );
        }
        assert_eq!(verdicts[0], (Verdict::Compliant, Vec::new()));
        assert_eq!(
            verdicts[1].1,
            ["may process outside the allowed countries: eu-west-2 (GB)"]
        );
        assert_eq!(
            verdicts[2].1,
            ["processing \"global\" is wider than residency \"eu\" allows (\"geography\")"]
        );
        assert_eq!(
            verdicts[3].1,
            ["the footprint includes denied region eu-west-3"]
        );
        assert_eq!(
            residency_verdict(None, &cases[1]),
            (Verdict::NoRule, Vec::new())
        );
    }
}
