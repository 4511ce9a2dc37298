//! Logging: each logging block needs a sink, and logs hold prompts, so a sink's location must
//! satisfy the residency of every model whose traffic it records (every model with a target on
//! the sink's cloud).

use crate::ir;
use meridian_catalog::{Catalog, Cloud};
use meridian_diag::{codes, did_you_mean, Diagnostic, Diagnostics, Span};
use meridian_spec::{self as raw, Spanned};
use std::collections::BTreeMap;

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
