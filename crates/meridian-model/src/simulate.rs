//! Outage simulation: which target serves each model once clouds, provider accounts or regions
//! fail, where its prompts are then processed, whether that stays within the model's residency
//! rule, and what the month then costs.
//!
//! A target is down when its cloud, its provider block, or the region it is called from fails.
//! A cross-region profile or data zone keeps serving when one of its destination regions fails
//! (the cloud routes around it), so only the calling region counts. Traffic then follows the
//! model's strategy: the first tier with a target left takes all traffic, by weight among the
//! targets left (`strategy = "weighted"`: one pool of every target left, by weight).

use crate::cost::{self, CostLine, Scenario};
use crate::ir::{self, Strategy};
use meridian_catalog::{Catalog, Cloud};
use meridian_diag::did_you_mean;
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One simulated outage.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Failure {
    /// A whole cloud: `azure`.
    Cloud(Cloud),
    /// One provider block (account): `azure.corp`.
    Provider(String),
    /// One region, of a cloud (`aws:eu-central-1`) or of one provider block
    /// (`aws.corp:eu-central-1`).
    Region {
        cloud_or_provider: String,
        region: String,
    },
}

impl Failure {
    /// Whether the failure takes the target down.
    pub fn hits(&self, t: &ir::Target) -> bool {
        match self {
            Failure::Cloud(c) => t.cloud == *c,
            Failure::Provider(p) => &t.provider == p,
            Failure::Region {
                cloud_or_provider,
                region,
            } => {
                &t.region == region
                    && (t.cloud.as_str() == cloud_or_provider || &t.provider == cloud_or_provider)
            }
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Cloud(c) => f.write_str(c.as_str()),
            Failure::Provider(p) => f.write_str(p),
            Failure::Region {
                cloud_or_provider,
                region,
            } => write!(f, "{cloud_or_provider}:{region}"),
        }
    }
}

impl Serialize for Failure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn targets(project: &ir::Project) -> impl Iterator<Item = &ir::Target> {
    project
        .models
        .iter()
        .flat_map(|m| m.tiers.iter().flat_map(|t| &t.targets))
}

/// Parses `CLOUD`, `CLOUD.NAME` (a provider block), `CLOUD:REGION` or `CLOUD.NAME:REGION`,
/// checked against the spec: the cloud or provider must be declared and the region must be
/// one some of its targets are called from. The error names the valid choices.
pub fn parse_failure(s: &str, project: &ir::Project) -> Result<Failure, String> {
    let text = s.trim();
    let (head, region) = match text.split_once(':') {
        Some((h, r)) => (h.trim(), Some(r.trim())),
        None => (text, None),
    };
    if head.is_empty() {
        return Err(format!(
            "\"{s}\" names no provider: write PROVIDER or PROVIDER:REGION, e.g. aws or aws:eu-central-1"
        ));
    }
    let providers: BTreeSet<&str> = project
        .providers
        .iter()
        .map(|p| p.address.as_str())
        .collect();
    let clouds: BTreeSet<&str> = project.providers.iter().map(|p| p.cloud.as_str()).collect();
    let choices: Vec<&str> = clouds
        .iter()
        .copied()
        .chain(providers.iter().copied())
        .collect();
    let scope_is_provider = head.contains('.');
    let known = if scope_is_provider {
        providers.contains(&head)
    } else {
        clouds.contains(head)
    };
    if !known {
        let used_regions: BTreeSet<&str> = targets(project).map(|t| t.region.as_str()).collect();
        if region.is_none() && used_regions.contains(head) {
            let example: Vec<String> = targets(project)
                .filter(|t| t.region == head)
                .map(|t| format!("{}:{head}", t.cloud.as_str()))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            return Err(format!(
                "\"{head}\" is a region: name its cloud or provider too, e.g. {}",
                example.join(" or ")
            ));
        }
        let what = if scope_is_provider {
            "provider"
        } else if Cloud::parse(head).is_some() {
            "cloud in this spec (no provider block uses it)"
        } else {
            "provider or cloud"
        };
        return Err(format!(
            "Unknown {what} \"{head}\"; valid choices: {}.{}",
            if choices.is_empty() {
                "none (the spec declares no provider)".to_string()
            } else {
                choices.join(", ")
            },
            did_you_mean(head, choices.iter().copied())
        ));
    }
    let Some(region) = region else {
        return Ok(if scope_is_provider {
            Failure::Provider(head.to_string())
        } else {
            match Cloud::parse(head) {
                Some(c) => Failure::Cloud(c),
                None => return Err(format!("Unknown cloud \"{head}\"")),
            }
        });
    };
    let in_scope: BTreeSet<&str> = targets(project)
        .filter(|t| {
            if scope_is_provider {
                t.provider == head
            } else {
                t.cloud.as_str() == head
            }
        })
        .map(|t| t.region.as_str())
        .collect();
    if !in_scope.contains(region) {
        let list = if in_scope.is_empty() {
            "none (no target uses it)".to_string()
        } else {
            in_scope.iter().copied().collect::<Vec<_>>().join(", ")
        };
        return Err(format!(
            "No target of {head} is called from region \"{region}\"; regions of {head} in this spec: {list}.{}",
            did_you_mean(region, in_scope.iter().copied())
        ));
    }
    Ok(Failure::Region {
        cloud_or_provider: head.to_string(),
        region: region.to_string(),
    })
}

/// Whether a serving target keeps to its model's residency rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// The model's residency rule; `None` when it names none (then nothing restricts).
    pub residency: Option<String>,
    pub complies: bool,
    /// Why it does not comply: a processing scope wider than allowed, footprint regions outside
    /// the allowed countries, or denied regions.
    pub reasons: Vec<String>,
}

/// Judges a target against a residency rule, naming every breach.
pub fn verdict(rule: Option<&ir::Residency>, t: &ir::Target) -> Verdict {
    let Some(rule) = rule else {
        return Verdict {
            residency: None,
            complies: true,
            reasons: Vec::new(),
        };
    };
    let breach = crate::breach(rule, t);
    let mut reasons: Vec<String> = breach.widened_reason().into_iter().collect();
    reasons.extend(breach.scope_reason(rule, t.processing));
    // One reason a region, in footprint order: outside the countries, else denied by name.
    for r in &t.footprint.regions {
        if breach.is_outside(r) {
            reasons.push(format!(
                "{} ({}) is outside \"{}\"",
                r.region, r.country, rule.name
            ));
        } else if breach.is_denied(r) {
            reasons.push(format!("{} is denied by \"{}\"", r.region, rule.name));
        }
    }
    Verdict {
        residency: Some(rule.name.clone()),
        complies: breach.is_none(),
        reasons,
    }
}

/// A target that takes traffic in a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServingTarget {
    pub tier: String,
    pub target: String,
    pub address: String,
    pub provider: String,
    pub cloud: String,
    /// The region it is called from.
    pub region: String,
    pub processing: String,
    /// Share of the model's traffic, 0..=1.
    pub share: f64,
    pub monthly_usd: f64,
    /// False when the catalog price is unconfirmed or another processing mode's.
    pub price_verified: bool,
    /// The catalog has no price: counted as $0.
    pub unpriced: bool,
    /// Why the catalog has no price, when it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_price: Option<String>,
    /// The profile, SKU or endpoint that determines the footprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Regions where its prompts may be processed.
    pub footprint_regions: Vec<String>,
    /// Their countries.
    pub footprint_countries: Vec<String>,
    pub verdict: Verdict,
}

/// Where a model's traffic goes in a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Serving {
    /// The tier serving (for a pooled model: the first tier with a target left).
    pub tier: String,
    /// 1 for the primary tier.
    pub position: u32,
    /// `strategy = "weighted"`: the targets left in every tier share the traffic.
    pub pooled: bool,
    pub targets: Vec<ServingTarget>,
}

/// One model in one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelOutcome {
    pub model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residency: Option<String>,
    /// Addresses of the model's targets the failures take down.
    pub down_targets: Vec<String>,
    /// `None` when no target is left.
    pub serving: Option<Serving>,
    /// Traffic moved off the targets that carry it normally.
    pub failed_over: bool,
    pub lost_service: bool,
    /// Some traffic is processed outside the model's residency rule.
    pub leaves_residency: bool,
    /// False when the model has no `usage` block: its costs are not estimated (0).
    pub estimated: bool,
    pub monthly_usd_before: f64,
    pub monthly_usd_after: f64,
}

/// The outcome of one set of failures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Simulation {
    /// The failures, as written (`aws:eu-central-1`).
    pub failed: Vec<String>,
    pub models: Vec<ModelOutcome>,
    /// Models left without any target.
    pub lost_service: Vec<String>,
    /// Models whose traffic then leaves their residency.
    pub leaves_residency: Vec<String>,
    pub total_before: f64,
    pub total_after: f64,
    pub by_provider_before: BTreeMap<String, f64>,
    pub by_provider_after: BTreeMap<String, f64>,
}

fn rule_of<'p>(project: &'p ir::Project, m: &ir::Model) -> Option<&'p ir::Residency> {
    m.residency
        .as_ref()
        .and_then(|r| project.residencies.iter().find(|x| &x.name == r))
}

/// The targets left after the failures that take traffic, by the model's strategy.
fn serving_pool<'m>(
    m: &'m ir::Model,
    failures: &[Failure],
) -> Option<(&'m ir::Tier, Vec<(&'m ir::Tier, &'m ir::Target)>)> {
    let up = |t: &ir::Target| !failures.iter().any(|f| f.hits(t));
    if m.strategy == Strategy::Weighted {
        let pool: Vec<(&ir::Tier, &ir::Target)> = m
            .tiers
            .iter()
            .flat_map(|tier| tier.targets.iter().map(move |t| (tier, t)))
            .filter(|(_, t)| up(t))
            .collect();
        let first = pool.first()?.0;
        Some((first, pool))
    } else {
        m.tiers.iter().find_map(|tier| {
            let pool: Vec<(&ir::Tier, &ir::Target)> = tier
                .targets
                .iter()
                .filter(|t| up(t))
                .map(|t| (tier, t))
                .collect();
            (!pool.is_empty()).then_some((tier, pool))
        })
    }
}

fn serving_target(
    tier: &ir::Tier,
    t: &ir::Target,
    line: Option<&CostLine>,
    rule: Option<&ir::Residency>,
    share: f64,
) -> ServingTarget {
    ServingTarget {
        tier: tier.name.clone(),
        target: t.name.clone(),
        address: t.address.clone(),
        provider: t.provider.clone(),
        cloud: t.cloud.as_str().to_string(),
        region: t.region.clone(),
        processing: t.processing.as_str().to_string(),
        share,
        monthly_usd: line.map_or(0.0, |l| l.monthly_usd),
        price_verified: line.is_none_or(|l| l.price_verified),
        unpriced: line.is_some_and(|l| l.unpriced),
        no_price: line.and_then(|l| l.no_price.clone()),
        via: t.footprint.via.clone(),
        footprint_regions: t
            .footprint
            .regions
            .iter()
            .map(|r| r.region.clone())
            .collect(),
        footprint_countries: t.footprint.countries.clone(),
        verdict: verdict(rule, t),
    }
}

fn outcome(
    project: &ir::Project,
    catalog: &Catalog,
    m: &ir::Model,
    failures: &[Failure],
) -> (ModelOutcome, Vec<CostLine>, Vec<CostLine>) {
    let rule = rule_of(project, m);
    let normal = cost::normal_pool(m);
    let before_lines = cost::pool_lines(m, &normal, catalog);
    let down_targets: Vec<String> = m
        .tiers
        .iter()
        .flat_map(|t| &t.targets)
        .filter(|t| failures.iter().any(|f| f.hits(t)))
        .map(|t| t.address.clone())
        .collect();
    let pool = serving_pool(m, failures);
    let (serving, after_lines) = match &pool {
        Some((tier, pool)) => {
            let lines = cost::pool_lines(m, pool, catalog);
            let total_weight: u64 = pool.iter().map(|(_, t)| t.weight).sum();
            let targets = pool
                .iter()
                .map(|(tier, t)| {
                    let share = if total_weight == 0 {
                        0.0
                    } else {
                        t.weight as f64 / total_weight as f64
                    };
                    let line = lines.iter().find(|l| l.address == t.address);
                    serving_target(tier, t, line, rule, share)
                })
                .collect();
            (
                Some(Serving {
                    tier: tier.name.clone(),
                    position: tier.position,
                    pooled: m.strategy == Strategy::Weighted,
                    targets,
                }),
                lines,
            )
        }
        None => (None, Vec::new()),
    };
    let failed_over = match &pool {
        Some((_, pool)) => {
            let now: BTreeSet<&str> = pool.iter().map(|(_, t)| t.address.as_str()).collect();
            let usual: BTreeSet<&str> = normal.iter().map(|(_, t)| t.address.as_str()).collect();
            now != usual
        }
        None => false,
    };
    let leaves_residency = serving
        .as_ref()
        .is_some_and(|s| s.targets.iter().any(|t| !t.verdict.complies));
    let out = ModelOutcome {
        model: m.name.clone(),
        residency: m.residency.clone(),
        down_targets,
        lost_service: serving.is_none() && !m.tiers.iter().all(|t| t.targets.is_empty()),
        serving,
        failed_over,
        leaves_residency,
        estimated: m.usage.is_some(),
        monthly_usd_before: before_lines.iter().map(|l| l.monthly_usd).sum(),
        monthly_usd_after: after_lines.iter().map(|l| l.monthly_usd).sum(),
    };
    (out, before_lines, after_lines)
}

/// Simulates the failures together: where each model's traffic goes and what it costs.
pub fn simulate(project: &ir::Project, catalog: &Catalog, failures: &[Failure]) -> Simulation {
    let mut models = Vec::new();
    let mut before = Vec::new();
    let mut after = Vec::new();
    for m in &project.models {
        let (o, b, a) = outcome(project, catalog, m, failures);
        models.push(o);
        before.extend(b);
        after.extend(a);
    }
    let names = || project.models.iter().map(|m| m.name.as_str());
    let before = Scenario::from_lines(names(), before);
    let after = Scenario::from_lines(names(), after);
    let mut failed: Vec<String> = Vec::new();
    for f in failures {
        let text = f.to_string();
        if !failed.contains(&text) {
            failed.push(text);
        }
    }
    Simulation {
        failed,
        lost_service: models
            .iter()
            .filter(|o| o.lost_service)
            .map(|o| o.model.clone())
            .collect(),
        leaves_residency: models
            .iter()
            .filter(|o| o.leaves_residency)
            .map(|o| o.model.clone())
            .collect(),
        models,
        total_before: before.total_usd,
        total_after: after.total_usd,
        by_provider_before: before.by_provider,
        by_provider_after: after.by_provider,
    }
}

/// Every single outage worth trying for a spec: each cloud used, each provider block of a cloud
/// with more than one, and each region (per cloud) some target is called from.
pub fn single_failure_candidates(project: &ir::Project) -> Vec<Failure> {
    let mut clouds: BTreeSet<Cloud> = BTreeSet::new();
    let mut providers_per_cloud: BTreeMap<Cloud, BTreeSet<&str>> = BTreeMap::new();
    let mut regions: BTreeSet<(Cloud, &str)> = BTreeSet::new();
    for t in targets(project) {
        clouds.insert(t.cloud);
        providers_per_cloud
            .entry(t.cloud)
            .or_default()
            .insert(t.provider.as_str());
        regions.insert((t.cloud, t.region.as_str()));
    }
    let mut out: Vec<Failure> = clouds.iter().map(|c| Failure::Cloud(*c)).collect();
    for set in providers_per_cloud.values().filter(|s| s.len() > 1) {
        out.extend(set.iter().map(|p| Failure::Provider((*p).to_string())));
    }
    out.extend(regions.into_iter().map(|(c, r)| Failure::Region {
        cloud_or_provider: c.as_str().to_string(),
        region: r.to_string(),
    }));
    out
}

/// A serving target outside its model's residency in some scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResidencyBreach {
    pub failure: String,
    pub model: String,
    pub address: String,
    pub reasons: Vec<String>,
}

/// One single outage and its effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureScenario {
    pub failure: String,
    /// Models left without any target.
    pub lost_service: Vec<String>,
    /// Models that would only keep serving outside their residency.
    pub leaves_residency: Vec<String>,
    /// Models whose traffic moves to other targets.
    pub failed_over: Vec<String>,
    pub total_after: f64,
}

/// Every single cloud, provider and region outage of a spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SingleFailureReport {
    pub scenarios: Vec<FailureScenario>,
    /// Model → the single failures after which it cannot be served within its residency.
    pub single_points_of_failure: BTreeMap<String, Vec<String>>,
    /// Every serving target outside its residency, in any scenario (empty for a valid spec).
    pub residency_breaches: Vec<ResidencyBreach>,
    /// The number of serving paths (scenario × model × target) checked for residency.
    pub paths_checked: usize,
    pub total_before: f64,
}

/// Tries every single outage of [`single_failure_candidates`].
pub fn all_single_failures(project: &ir::Project, catalog: &Catalog) -> SingleFailureReport {
    let mut scenarios = Vec::new();
    let mut spof: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut breaches = Vec::new();
    let mut paths_checked = 0;
    let total_before = cost::normal_scenario(project, catalog).total_usd;
    for failure in single_failure_candidates(project) {
        let sim = simulate(project, catalog, std::slice::from_ref(&failure));
        let name = failure.to_string();
        for o in &sim.models {
            if o.lost_service || o.leaves_residency {
                spof.entry(o.model.clone()).or_default().push(name.clone());
            }
            for t in o.serving.iter().flat_map(|s| &s.targets) {
                paths_checked += 1;
                if !t.verdict.complies {
                    breaches.push(ResidencyBreach {
                        failure: name.clone(),
                        model: o.model.clone(),
                        address: t.address.clone(),
                        reasons: t.verdict.reasons.clone(),
                    });
                }
            }
        }
        scenarios.push(FailureScenario {
            failure: name,
            failed_over: sim
                .models
                .iter()
                .filter(|o| o.failed_over)
                .map(|o| o.model.clone())
                .collect(),
            lost_service: sim.lost_service,
            leaves_residency: sim.leaves_residency,
            total_after: sim.total_after,
        });
    }
    SingleFailureReport {
        scenarios,
        single_points_of_failure: spof,
        residency_breaches: breaches,
        paths_checked,
        total_before,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{close, project_of};

    const SPEC: &str = r#"
meridian {
  name = "sim-unit"
}

provider "azure" "corp" {
  subscription_id = "11111111-2222-3333-4444-555555555555"
  resource_group  = "rg-ai"
}

provider "aws" "corp" {
  account_id = "123456789012"
}

provider "aws" "second" {
  account_id = "210987654321"
}

residency "eu_strict" {
  geographies = ["eu"]
  processing  = "geography"
}

model "pool" {
  capabilities = ["chat"]
  strategy     = "weighted"
  tier "a" {
    target "aoai" {
      provider   = provider.azure.corp
      model      = "gpt-5.1"
      version    = "2025-11-13"
      region     = "swedencentral"
      processing = "region"
      weight     = 3
    }
  }
  tier "b" {
    target "bedrock" {
      provider   = provider.aws.corp
      model      = "anthropic.claude-haiku-4-5-20251001-v1:0"
      region     = "eu-west-1"
      processing = "region"
      weight     = 1
    }
  }
  usage {
    input_tokens_per_month  = 100000000
    output_tokens_per_month = 10000000
  }
}

model "leaky" {
  capabilities = ["chat"]
  residency    = residency.eu_strict
  tier "primary" {
    target "ireland" {
      provider   = provider.aws.second
      model      = "anthropic.claude-haiku-4-5-20251001-v1:0"
      region     = "eu-west-1"
      processing = "region"
    }
  }
  tier "fallback" {
    target "anywhere" {
      provider   = provider.aws.corp
      model      = "anthropic.claude-haiku-4-5-20251001-v1:0"
      region     = "eu-north-1"
      processing = "global"
    }
  }
}
"#;

    fn project() -> ir::Project {
        let project = project_of(SPEC);
        assert_eq!(project.models.len(), 2);
        project
    }

    fn outcome<'s>(sim: &'s Simulation, model: &str) -> &'s ModelOutcome {
        sim.models
            .iter()
            .find(|o| o.model == model)
            .expect("model outcome")
    }

    #[test]
    fn parses_clouds_providers_and_regions() {
        let p = project();
        assert_eq!(parse_failure("azure", &p), Ok(Failure::Cloud(Cloud::Azure)));
        assert_eq!(
            parse_failure("aws.second", &p),
            Ok(Failure::Provider("aws.second".into()))
        );
        assert_eq!(
            parse_failure(" aws:eu-west-1 ", &p),
            Ok(Failure::Region {
                cloud_or_provider: "aws".into(),
                region: "eu-west-1".into()
            })
        );
        assert_eq!(
            parse_failure("aws.corp:eu-north-1", &p).map(|f| f.to_string()),
            Ok("aws.corp:eu-north-1".to_string())
        );
    }

    #[test]
    fn rejects_unknown_failures_naming_the_choices() {
        let p = project();
        let e = parse_failure("azuer", &p).expect_err("typo");
        assert!(e.contains("Unknown provider or cloud \"azuer\""), "{e}");
        assert!(
            e.contains("valid choices: aws, azure, aws.corp, aws.second, azure.corp"),
            "{e}"
        );
        assert!(e.contains("Did you mean \"azure\"?"), "{e}");

        let e = parse_failure("gcp", &p).expect_err("unused cloud");
        assert!(e.contains("no provider block uses it"), "{e}");

        let e = parse_failure("aws.third", &p).expect_err("unknown provider");
        assert!(e.contains("Unknown provider \"aws.third\""), "{e}");
        assert!(e.contains("Did you mean"), "{e}");

        let e = parse_failure("aws:eu-west-2", &p).expect_err("unused region");
        assert!(
            e.contains("regions of aws in this spec: eu-north-1, eu-west-1"),
            "{e}"
        );
        assert!(e.contains("Did you mean \"eu-west-1\"?"), "{e}");

        let e = parse_failure("aws.second:eu-north-1", &p).expect_err("not this account");
        assert!(
            e.contains("regions of aws.second in this spec: eu-west-1."),
            "{e}"
        );

        let e = parse_failure("eu-west-1", &p).expect_err("bare region");
        assert!(e.contains("is a region"), "{e}");
        assert!(e.contains("aws:eu-west-1"), "{e}");

        let e = parse_failure(":eu-west-1", &p).expect_err("no provider");
        assert!(e.contains("names no provider"), "{e}");
    }

    #[test]
    fn without_failures_traffic_stays_normal() {
        let p = project();
        let sim = simulate(&p, Catalog::builtin(), &[]);
        assert!(sim.failed.is_empty());
        assert!(sim.lost_service.is_empty() && sim.leaves_residency.is_empty());
        let pool = outcome(&sim, "pool");
        assert!(!pool.failed_over);
        let serving = pool.serving.as_ref().expect("serving");
        assert!(serving.pooled);
        let shares: Vec<f64> = serving.targets.iter().map(|t| t.share).collect();
        assert_eq!(shares, vec![0.75, 0.25]);
        // 0.75 × (100 × 1.25 + 10 × 10.0) + 0.25 × (100 × 1.1 + 10 × 5.5)
        assert!(close(pool.monthly_usd_before, 0.75 * 225.0 + 0.25 * 165.0));
        assert!(close(pool.monthly_usd_after, pool.monthly_usd_before));
        let leaky = outcome(&sim, "leaky");
        let serving = leaky.serving.as_ref().expect("serving");
        assert_eq!(serving.tier, "primary");
        assert_eq!(serving.targets[0].footprint_countries, vec!["IE"]);
        assert!(serving.targets[0].verdict.complies);
    }

    #[test]
    fn a_weighted_pool_loses_a_cloud_and_keeps_serving() {
        let p = project();
        let sim = simulate(&p, Catalog::builtin(), &[Failure::Cloud(Cloud::Azure)]);
        let pool = outcome(&sim, "pool");
        assert!(pool.failed_over && !pool.lost_service);
        assert_eq!(
            pool.down_targets,
            vec!["model.pool.tier.a.target.aoai".to_string()]
        );
        let serving = pool.serving.as_ref().expect("serving");
        assert_eq!((serving.tier.as_str(), serving.position), ("b", 2));
        assert_eq!(serving.targets.len(), 1);
        assert!(close(serving.targets[0].share, 1.0));
        assert!(close(pool.monthly_usd_after, 100.0 * 1.1 + 10.0 * 5.5));
        assert!(close(
            sim.total_after - sim.total_before,
            pool.monthly_usd_after - pool.monthly_usd_before
        ));
        assert!(!sim.by_provider_after.contains_key("azure.corp"));
    }

    #[test]
    fn failover_outside_residency_is_reported_with_reasons() {
        let p = project();
        let f = parse_failure("aws.second", &p).expect("failure");
        let sim = simulate(&p, Catalog::builtin(), &[f]);
        assert_eq!(sim.leaves_residency, vec!["leaky".to_string()]);
        let leaky = outcome(&sim, "leaky");
        assert!(leaky.failed_over && !leaky.lost_service && leaky.leaves_residency);
        let t = &leaky.serving.as_ref().expect("serving").targets[0];
        assert_eq!(t.target, "anywhere");
        assert!(!t.verdict.complies);
        assert!(t.verdict.reasons[0].contains("processing \"global\" is wider"));
        assert!(t
            .verdict
            .reasons
            .iter()
            .any(|r| r.contains("is outside \"eu_strict\"")));
        assert!(t.footprint_countries.contains(&"US".to_string()));
    }

    #[test]
    fn losing_every_target_loses_service_and_costs_nothing() {
        let p = project();
        let sim = simulate(&p, Catalog::builtin(), &[Failure::Cloud(Cloud::Aws)]);
        let leaky = outcome(&sim, "leaky");
        assert!(leaky.lost_service && leaky.serving.is_none());
        assert!(close(leaky.monthly_usd_after, 0.0));
        assert_eq!(sim.lost_service, vec!["leaky".to_string()]);
    }

    #[test]
    fn every_single_failure_is_tried_and_spofs_match_the_policy_rule() {
        let p = project();
        let names: Vec<String> = single_failure_candidates(&p)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            names,
            [
                "aws",
                "azure",
                "aws.corp",
                "aws.second",
                "aws:eu-north-1",
                "aws:eu-west-1",
                "azure:swedencentral"
            ]
        );
        let report = all_single_failures(&p, Catalog::builtin());
        assert_eq!(report.scenarios.len(), 7);
        let spof: Vec<(&str, Vec<&str>)> = report
            .single_points_of_failure
            .iter()
            .map(|(m, f)| (m.as_str(), f.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            spof,
            vec![("leaky", vec!["aws", "aws.second", "aws:eu-west-1"])]
        );
        for m in &p.models {
            let by_rule = crate::single_failures(m, &p);
            let by_sim = report
                .single_points_of_failure
                .get(&m.name)
                .cloned()
                .unwrap_or_default();
            for f in &by_rule {
                assert!(by_sim.contains(f), "{} {f}", m.name);
            }
        }
        let breaches: Vec<(&str, &str)> = report
            .residency_breaches
            .iter()
            .map(|b| (b.failure.as_str(), b.address.as_str()))
            .collect();
        assert_eq!(
            breaches,
            vec![
                ("aws.second", "model.leaky.tier.fallback.target.anywhere"),
                ("aws:eu-west-1", "model.leaky.tier.fallback.target.anywhere")
            ]
        );
        let aws = &report.scenarios[0];
        assert_eq!(aws.lost_service, vec!["leaky".to_string()]);
        assert_eq!(aws.failed_over, vec!["pool".to_string()]);
    }

    #[test]
    fn a_widened_footprint_says_why_before_the_scope() {
        let rule = ir::Residency {
            name: "poland".into(),
            geographies: Vec::new(),
            countries: vec!["PL".into()],
            allowed_countries: vec!["PL".into()],
            deny_regions: Vec::new(),
            processing: meridian_catalog::Processing::Region,
        };
        let widening = meridian_catalog::Widening::NoProcessingGuarantee {
            model: "gemini-embedding-001".into(),
            location: "europe-central2".into(),
            guaranteed: vec!["eu".into()],
            source: None,
        };
        let mut t = project_of(SPEC).models[0].tiers[0].targets[0].clone();
        t.processing = meridian_catalog::Processing::Region;
        t.footprint = ir::Footprint {
            via: Some("europe-central2".into()),
            regions: vec![
                ir::FootprintRegion {
                    region: "europe-central2".into(),
                    country: "PL".into(),
                },
                ir::FootprintRegion {
                    region: "us-central1".into(),
                    country: "US".into(),
                },
            ],
            countries: vec!["PL".into(), "US".into()],
            widened: Some(widening),
        };
        let v = verdict(Some(&rule), &t);
        assert!(!v.complies);
        assert_eq!(
            v.reasons,
            [
                "Google serves gemini-embedding-001 at europe-central2 but does not guarantee that its ML processing stays there, so prompts may be processed in any Google region (a global footprint). Locations with the in-location processing guarantee for gemini-embedding-001: eu",
                "processing \"region\" counts as \"global\" here (no processing guarantee at europe-central2) is wider than residency \"poland\" allows (\"region\")",
                "us-central1 (US) is outside \"poland\"",
            ]
        );
        // Without the widening the same footprint breaches on its country alone.
        t.footprint.widened = None;
        assert_eq!(
            verdict(Some(&rule), &t).reasons,
            ["us-central1 (US) is outside \"poland\""]
        );
    }
}
