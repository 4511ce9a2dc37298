//! Logging: each logging block needs a sink, and logs hold prompts, so a sink's location must
//! satisfy the residency of every model whose traffic it records (every model with a target on
//! the sink's cloud). A sink must also be one the cloud can write every target's traffic to
//! (`MRD-LOG-002`): Bedrock logs a region's invocations only to a bucket of the same account and
//! region (one configuration per region), and Vertex AI logs requests of Gemini and Anthropic
//! Claude models only, Claude only on regional endpoints.

use crate::ir;
use meridian_catalog::{vertex_publisher, Catalog, Cloud, Processing};
use meridian_diag::{codes, did_you_mean, Diagnostic, Diagnostics, Span};
use meridian_spec::{self as raw, Spanned};
use std::collections::{BTreeMap, BTreeSet};

/// Where a log sink of `cloud` at `location` stores data: (countries, the region id when the
/// location is one region); `None` when the catalog does not know the location. GCP locations
/// may be the BigQuery multi-regions `EU` and `US`.
pub fn sink_place(
    catalog: &Catalog,
    cloud: Cloud,
    location: &str,
) -> Option<(Vec<String>, Option<String>)> {
    if cloud == Cloud::Gcp {
        match location.to_ascii_uppercase().as_str() {
            "EU" => return catalog.geography("eu").map(|g| (g.countries.clone(), None)),
            "US" => return catalog.geography("us").map(|g| (g.countries.clone(), None)),
            _ => {}
        }
    }
    let id = if cloud == Cloud::Gcp {
        location.to_ascii_lowercase()
    } else {
        location.to_owned()
    };
    catalog
        .region(cloud, &id)
        .map(|region| (vec![region.country.clone()], Some(region.id.clone())))
}

/// How a sink storing data in `countries` (and in `region`, when one) breaches `rule`: the
/// countries outside it, and whether the region is denied by name.
pub fn sink_breach<'c>(
    rule: &ir::Residency,
    countries: &'c [String],
    region: Option<&str>,
) -> (Vec<&'c str>, bool) {
    let outside = countries
        .iter()
        .filter(|c| rule.allowed_countries.binary_search(c).is_err())
        .map(String::as_str)
        .collect();
    let denied = region.is_some_and(|r| rule.deny_regions.iter().any(|d| d == r));
    (outside, denied)
}

/// The countries a sink location stores data in, or `None` (reported) when unknown.
fn sink_countries(
    diags: &mut Diagnostics,
    catalog: &Catalog,
    cloud: Cloud,
    location: &Spanned<String>,
) -> Option<(Vec<String>, Option<String>)> {
    if let Some(place) = sink_place(catalog, cloud, &location.value) {
        return Some(place);
    }
    let known: Vec<&str> = catalog
        .regions(Some(cloud))
        .map(|r| r.id.as_str())
        .collect();
    diags.push(
        Diagnostic::error(
            codes::CAT_UNKNOWN_REGION,
            format!(
                "Unknown {} location \"{}\" for a log sink",
                cloud.as_str(),
                location.value
            ),
        )
        .detail(format!(
            "Give {} {} region{}.{}",
            if cloud == Cloud::Aws { "an" } else { "a" },
            cloud.as_str(),
            if cloud == Cloud::Gcp {
                " or the BigQuery multi-region \"EU\" or \"US\""
            } else {
                ""
            },
            did_you_mean(&location.value, known.iter().copied())
        ))
        .at(location.span),
    );
    None
}

/// A sink's cloud, block header and location attribute.
type Sink<'a> = (Cloud, Option<Span>, Option<&'a Spanned<String>>);

pub(crate) fn check(
    diags: &mut Diagnostics,
    spec: &raw::Spec,
    project: &ir::Project,
    catalog: &Catalog,
) {
    for l in &spec.logging {
        if l.aws.is_none() && l.azure.is_none() && l.gcp.is_none() {
            diags.push(
                Diagnostic::error(codes::LOG_SINK, format!("logging \"{}\" has no sink", l.name.value))
                    .detail("Add at least one of aws { bucket, region }, azure { workspace_id, region }, gcp { bigquery_dataset, location }.")
                    .at(l.span),
            );
        }
        if let Some(r) = l.retention_days.as_ref().filter(|r| r.value == 0) {
            diags.push(
                Diagnostic::error(codes::LOG_SINK, "retention_days must be at least 1")
                    .detail("Logs kept for zero days are not kept; give the retention your audit rules require.")
                    .at(r.span),
            );
        }
        let sinks: [Sink<'_>; 3] = [
            (
                Cloud::Aws,
                l.aws.as_ref().map(|s| s.span),
                l.aws.as_ref().and_then(|s| s.region.as_ref()),
            ),
            (
                Cloud::Azure,
                l.azure.as_ref().map(|s| s.span),
                l.azure.as_ref().and_then(|s| s.region.as_ref()),
            ),
            (
                Cloud::Gcp,
                l.gcp.as_ref().map(|s| s.span),
                l.gcp.as_ref().and_then(|s| s.location.as_ref()),
            ),
        ];
        for (cloud, sink_span, location) in sinks {
            let (Some(sink_span), Some(location)) = (sink_span, location) else {
                continue;
            };
            let Some((countries, region)) = sink_countries(diags, catalog, cloud, location) else {
                continue;
            };
            // Group the recorded models by residency rule: one finding per rule.
            let mut by_rule: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for m in &project.models {
                let records = m
                    .tiers
                    .iter()
                    .flat_map(|t| &t.targets)
                    .any(|t| t.cloud == cloud);
                if let (true, Some(rule)) = (records, m.residency.as_deref()) {
                    by_rule.entry(rule).or_default().push(&m.name);
                }
            }
            for (rule_name, models) in by_rule {
                let Some(rule) = project.residencies.iter().find(|r| r.name == rule_name) else {
                    continue;
                };
                let (outside, denied) = sink_breach(rule, &countries, region.as_deref());
                if outside.is_empty() && !denied {
                    continue;
                }
                let raw_rule = spec.residencies.iter().find(|r| r.name.value == rule_name);
                let why = if outside.is_empty() {
                    format!("{} is a denied region", location.value)
                } else {
                    format!("it stores data in {}", outside.join(", "))
                };
                let mut d = Diagnostic::error(
                    codes::RES_LOG_SINK,
                    format!(
                        "The {} log sink of logging \"{}\" is outside residency \"{rule_name}\": {why}",
                        cloud.as_str(),
                        l.name.value
                    ),
                )
                .detail(format!(
                    "This sink records prompts of {} (model{} with targets on {}), which residency \"{rule_name}\" keeps in {}. Move the sink to an allowed location.",
                    models.join(", "),
                    if models.len() == 1 { "" } else { "s" },
                    cloud.as_str(),
                    rule.allowed_countries.join(", ")
                ))
                .at(sink_span)
                .label(location.span, "the sink's location");
                if let Some(r) = raw_rule {
                    d = d.label(r.span, format!("residency \"{rule_name}\" is defined here"));
                }
                diags.push(d);
            }
        }
    }
}

/// The raw target block of an IR target, by address.
fn raw_target<'s>(spec: &'s raw::Spec, address: &str) -> Option<&'s raw::Target> {
    spec.models.iter().find_map(|m| {
        m.tiers.iter().find_map(|tier| {
            tier.targets.iter().find(|t| {
                format!(
                    "model.{}.tier.{}.target.{}",
                    m.name.value, tier.name.value, t.name.value
                ) == address
            })
        })
    })
}

/// Traffic a project's sinks cannot record (`MRD-LOG-002`).
pub(crate) fn check_recorded(
    diags: &mut Diagnostics,
    spec: &raw::Spec,
    project: &ir::Project,
    catalog: &Catalog,
) {
    let targets: Vec<&ir::Target> = project
        .models
        .iter()
        .flat_map(|m| m.tiers.iter().flat_map(|t| &t.targets))
        .collect();
    let label_target =
        |d: Diagnostic, t: &ir::Target, what: &str| match raw_target(spec, &t.address) {
            Some(rt) => d.label(
                rt.region.as_ref().map_or(rt.span, |r| r.span),
                what.to_string(),
            ),
            None => d,
        };
    // AWS: a sink per region with Bedrock traffic, one per region, for one account.
    let aws_sinks: Vec<(&raw::Logging, &raw::AwsSink, &Spanned<String>)> = spec
        .logging
        .iter()
        .filter_map(|l| {
            let s = l.aws.as_ref()?;
            Some((l, s, s.region.as_ref()?))
        })
        .collect();
    // A sink in a region the catalog does not know is reported on its own (MRD-CAT-004):
    // which region it meant is unknown, so coverage is not judged.
    let all_known = aws_sinks
        .iter()
        .all(|(_, _, r)| catalog.region(Cloud::Aws, &r.value).is_some());
    if let (Some((first, first_sink, _)), true) = (aws_sinks.first(), all_known) {
        let mut seen: BTreeMap<&str, &raw::Logging> = BTreeMap::new();
        for (l, sink, region) in &aws_sinks {
            if let Some(earlier) = seen.insert(region.value.as_str(), l) {
                diags.push(
                    Diagnostic::error(
                        codes::LOG_UNRECORDED,
                        format!(
                            "logging \"{}\" and logging \"{}\" both configure Bedrock invocation logging in {}",
                            earlier.name.value, l.name.value, region.value
                        ),
                    )
                    .detail("Bedrock keeps one invocation-logging configuration per account and region: the second would overwrite the first. Keep one aws sink per region.")
                    .at(sink.span)
                    .label(earlier.span, "the other sink for this region"),
                );
            }
        }
        let mut reported: BTreeSet<&str> = BTreeSet::new();
        for t in targets.iter().filter(|t| t.cloud == Cloud::Aws) {
            if seen.contains_key(t.region.as_str()) || !reported.insert(t.region.as_str()) {
                continue;
            }
            let d = Diagnostic::error(
                codes::LOG_UNRECORDED,
                format!(
                    "No aws sink records the Bedrock invocations in {}: logging \"{}\" writes to a bucket in {}",
                    t.region,
                    first.name.value,
                    first_sink
                        .region
                        .as_ref()
                        .map_or("another region", |r| r.value.as_str())
                ),
            )
            .detail(format!(
                "Bedrock writes a region's invocation logs only to a bucket of the same account and region. Add a logging block with aws {{ bucket = \"...\", region = \"{}\" }} (a bucket in that region), or move the target.",
                t.region
            ))
            .at(first_sink.span);
            diags.push(label_target(d, t, "a target in this region"));
        }
        for (l, sink, region) in &aws_sinks {
            let accounts: BTreeSet<&str> = targets
                .iter()
                .filter(|t| t.cloud == Cloud::Aws && t.region == region.value)
                .map(|t| t.provider.as_str())
                .collect();
            if accounts.len() > 1 {
                diags.push(
                    Diagnostic::error(
                        codes::LOG_UNRECORDED,
                        format!(
                            "The aws sink of logging \"{}\" would receive the invocation logs of {} providers in {}",
                            l.name.value,
                            accounts.len(),
                            region.value
                        ),
                    )
                    .detail(format!(
                        "Bedrock writes invocation logs only to a bucket of the same account; {} each need their own. Give the targets of one provider another region, or log them from another account's configuration outside Meridian.",
                        accounts.iter().map(|a| format!("provider.{a}")).collect::<Vec<_>>().join(" and ")
                    ))
                    .at(sink.span),
                );
            }
        }
    }
    // GCP: request-response logging covers Gemini and Claude, Claude on regional endpoints.
    let Some((gl, gsink)) = spec
        .logging
        .iter()
        .find_map(|l| l.gcp.as_ref().map(|s| (l, s)))
    else {
        return;
    };
    for t in targets.iter().filter(|t| t.cloud == Cloud::Gcp) {
        let publisher = vertex_publisher(&t.model);
        let why = match (publisher, t.processing) {
            ("google", _) | ("anthropic", Processing::Region) => continue,
            ("anthropic", Processing::Global) => format!(
                "Vertex AI logs Claude requests on regional endpoints only, and {} calls the global endpoint",
                t.name
            ),
            ("anthropic", Processing::Geography) => format!(
                "Vertex AI logs Claude requests on regional endpoints only, and {} calls the {} multi-region endpoint",
                t.name,
                t.vertex_location()
            ),
            (other, _) => format!(
                "Vertex AI request-response logging covers Gemini and Anthropic Claude models only, and {} is published by {other}",
                t.model
            ),
        };
        let d = Diagnostic::error(
            codes::LOG_UNRECORDED,
            format!(
                "The gcp sink of logging \"{}\" cannot record the prompts of target \"{}\": {why}",
                gl.name.value, t.name
            ),
        )
        .detail("Logs must record every model's traffic. Move the target to a model and endpoint Vertex AI logs (a Gemini model, or Claude on a regional endpoint), or record its prompts elsewhere and remove the gcp sink.")
        .at(gsink.span);
        diags.push(label_target(
            d,
            t,
            "this target's prompts would go unlogged",
        ));
    }
}
