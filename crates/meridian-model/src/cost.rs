//! Monthly cost estimates from catalog list prices and each model's `usage`.

use crate::ir::{self, Strategy};
use meridian_catalog::{Catalog, Price, Processing};
use serde::Serialize;
use std::collections::BTreeMap;

/// The estimate for one target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetCost {
    pub address: String,
    /// Share of the model's traffic this target takes (0..=1).
    pub share: f64,
    pub monthly_usd: f64,
    /// False when the catalog marks the price as unverified, lists no price for the target's
    /// processing mode (another mode's price is used), or has none.
    pub price_verified: bool,
    /// The catalog has no price for this model at all: the target counts as $0.
    pub unpriced: bool,
    /// Why the catalog has no price, when it says (`no_price.reason` of the model).
    pub no_price: Option<String>,
}

/// Why the catalog has no price for a target's model, when it has none and says why.
fn no_price_reason(catalog: &Catalog, t: &ir::Target) -> Option<String> {
    catalog
        .model(t.cloud, &t.model)
        .and_then(|m| m.no_price.as_ref())
        .map(|n| n.reason.clone())
}

/// The list price for a target: its processing mode's, else the closest mode's (global first:
/// catalogs often list only the global price), flagged as approximate.
fn price_for<'c>(catalog: &'c Catalog, t: &ir::Target) -> Option<(&'c Price, bool)> {
    let model = catalog.model(t.cloud, &t.model)?;
    if let Some(p) = model.price(t.processing) {
        return Some((p, p.verified));
    }
    [
        Processing::Global,
        Processing::Geography,
        Processing::Region,
    ]
    .into_iter()
    .find_map(|mode| model.price(mode))
    .map(|p| (p, false))
}

/// Cost of a tier taking all of the model's traffic, split by weight.
pub fn tier_costs(model: &ir::Model, tier: &ir::Tier, catalog: &Catalog) -> Vec<TargetCost> {
    pool_costs(model, &tier.targets.iter().collect::<Vec<_>>(), catalog)
}

/// Cost of a pool of targets sharing all of the model's traffic by weight.
fn pool_costs(model: &ir::Model, targets: &[&ir::Target], catalog: &Catalog) -> Vec<TargetCost> {
    let Some(usage) = model.usage else {
        return Vec::new();
    };
    let total_weight: u64 = targets.iter().map(|t| t.weight).sum();
    if total_weight == 0 {
        return Vec::new();
    }
    targets
        .iter()
        .map(|t| {
            let share = t.weight as f64 / total_weight as f64;
            let price = price_for(catalog, t);
            let monthly = price.map_or(0.0, |(p, _)| {
                share
                    * (usage.input_tokens_per_month as f64 * p.input_per_1m
                        + usage.output_tokens_per_month as f64 * p.output_per_1m)
                    / 1_000_000.0
            });
            TargetCost {
                address: t.address.clone(),
                share,
                monthly_usd: monthly,
                price_verified: price.is_some_and(|(_, verified)| verified),
                unpriced: price.is_none(),
                no_price: if price.is_none() {
                    no_price_reason(catalog, t)
                } else {
                    None
                },
            }
        })
        .collect()
}

/// The normal case: with `strategy = "weighted"` one pool across every tier by weight,
/// otherwise all traffic on the first tier, by weight.
pub fn normal_costs(model: &ir::Model, catalog: &Catalog) -> Vec<TargetCost> {
    if model.strategy == Strategy::Weighted {
        let all: Vec<&ir::Target> = model.tiers.iter().flat_map(|t| t.targets.iter()).collect();
        pool_costs(model, &all, catalog)
    } else {
        model
            .tiers
            .first()
            .map(|tier| tier_costs(model, tier, catalog))
            .unwrap_or_default()
    }
}

/// The normal-case monthly estimate of one model.
pub fn model_normal_monthly(model: &ir::Model, catalog: &Catalog) -> f64 {
    normal_costs(model, catalog)
        .iter()
        .map(|c| c.monthly_usd)
        .sum()
}

/// The normal-case total over every model.
pub fn project_normal_monthly(project: &ir::Project, catalog: &Catalog) -> f64 {
    project
        .models
        .iter()
        .map(|m| model_normal_monthly(m, catalog))
        .sum()
}

/// One target's share of the cost in one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostLine {
    pub model: String,
    pub tier: String,
    pub target: String,
    /// The target's address, as in `ir::Target::address`.
    pub address: String,
    /// The provider block's address, e.g. `azure.corp`.
    pub provider: String,
    pub cloud: String,
    pub region: String,
    /// Share of the model's traffic, 0..=1.
    pub share: f64,
    pub monthly_usd: f64,
    pub price_verified: bool,
    pub unpriced: bool,
    /// Why the catalog has no price (with `unpriced`), when it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_price: Option<String>,
}

/// A traffic scenario over every model: its lines and sums.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Scenario {
    pub lines: Vec<CostLine>,
    /// Every model of the project (models without `usage` count as 0).
    pub by_model: BTreeMap<String, f64>,
    /// Per provider address (`azure.corp`).
    pub by_provider: BTreeMap<String, f64>,
    pub total_usd: f64,
}

impl Scenario {
    /// Sums lines into a scenario; `models` are listed in `by_model` even without lines.
    pub fn from_lines<'a>(
        models: impl IntoIterator<Item = &'a str>,
        lines: Vec<CostLine>,
    ) -> Scenario {
        let mut by_model: BTreeMap<String, f64> =
            models.into_iter().map(|m| (m.to_string(), 0.0)).collect();
        let mut by_provider: BTreeMap<String, f64> = BTreeMap::new();
        for l in &lines {
            *by_model.entry(l.model.clone()).or_default() += l.monthly_usd;
            *by_provider.entry(l.provider.clone()).or_default() += l.monthly_usd;
        }
        let total_usd = lines.iter().map(|l| l.monthly_usd).sum();
        Scenario {
            lines,
            by_model,
            by_provider,
            total_usd,
        }
    }
}

/// One failover tier taking all of its model's traffic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierScenario {
    pub model: String,
    pub tier: String,
    /// 1 for the primary tier.
    pub position: u32,
    pub monthly_usd: f64,
    pub lines: Vec<CostLine>,
}

/// Every cost figure of a project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostReport {
    /// Always `"USD"`.
    pub currency: &'static str,
    pub catalog_as_of: String,
    /// Traffic on the first tier by weight (`strategy = "weighted"`: every tier by weight).
    pub normal: Scenario,
    /// Every model × tier, in spec order.
    pub tiers: Vec<TierScenario>,
    /// `policy.max_monthly_cost_usd`.
    pub budget_usd: Option<f64>,
    /// Whether the normal case is within the budget (`None` without a budget).
    pub within_budget: Option<bool>,
    /// Models without a `usage` block: not estimated.
    pub models_without_usage: Vec<String>,
    /// Unpriced targets and approximate prices, plainly worded.
    pub notes: Vec<String>,
}

/// Cost lines of a pool of targets sharing all of a model's traffic by weight.
pub(crate) fn pool_lines(
    model: &ir::Model,
    pool: &[(&ir::Tier, &ir::Target)],
    catalog: &Catalog,
) -> Vec<CostLine> {
    let targets: Vec<&ir::Target> = pool.iter().map(|(_, t)| *t).collect();
    pool_costs(model, &targets, catalog)
        .into_iter()
        .zip(pool)
        .map(|(c, (tier, t))| CostLine {
            model: model.name.clone(),
            tier: tier.name.clone(),
            target: t.name.clone(),
            address: c.address,
            provider: t.provider.clone(),
            cloud: t.cloud.as_str().to_string(),
            region: t.region.clone(),
            share: c.share,
            monthly_usd: c.monthly_usd,
            price_verified: c.price_verified,
            unpriced: c.unpriced,
            no_price: c.no_price,
        })
        .collect()
}

/// The targets that carry a model's traffic in the normal case, with their tiers.
pub(crate) fn normal_pool(model: &ir::Model) -> Vec<(&ir::Tier, &ir::Target)> {
    if model.strategy == Strategy::Weighted {
        model
            .tiers
            .iter()
            .flat_map(|tier| tier.targets.iter().map(move |t| (tier, t)))
            .collect()
    } else {
        model
            .tiers
            .first()
            .map(|tier| tier.targets.iter().map(|t| (tier, t)).collect())
            .unwrap_or_default()
    }
}

/// The normal-case scenario over every model.
pub fn normal_scenario(project: &ir::Project, catalog: &Catalog) -> Scenario {
    let lines = project
        .models
        .iter()
        .flat_map(|m| pool_lines(m, &normal_pool(m), catalog))
        .collect();
    Scenario::from_lines(project.models.iter().map(|m| m.name.as_str()), lines)
}

/// Why a target's price is not a verified list price, if it is not: the sentence up to the
/// list of targets concerned.
fn price_note(catalog: &Catalog, t: &ir::Target) -> Option<String> {
    let unpriced = || {
        let why = catalog
            .model(t.cloud, &t.model)
            .and_then(|m| m.no_price.as_ref())
            .map(|n| {
                format!(
                    " (no catalog price: {}; checked {} on {})",
                    n.reason.trim_end_matches('.'),
                    n.source,
                    n.as_of
                )
            })
            .unwrap_or_default();
        format!(
            "No catalog price for {} on {}{why}; counted as $0: ",
            t.model,
            t.cloud.as_str()
        )
    };
    let Some(model) = catalog.model(t.cloud, &t.model) else {
        return Some(unpriced());
    };
    match model.price(t.processing) {
        Some(p) if p.verified => None,
        Some(_) => Some(format!(
            "The catalog price of {} on {} ({} processing) is not confirmed against the provider's price page; approximate for ",
            t.model,
            t.cloud.as_str(),
            t.processing.as_str()
        )),
        None => match price_for(catalog, t) {
            Some((p, _)) => Some(format!(
                "The catalog lists no {} price for {} on {}; the {} price is used, approximate for ",
                t.processing.as_str(),
                t.model,
                t.cloud.as_str(),
                p.processing.as_str()
            )),
            None => Some(unpriced()),
        },
    }
}

/// The cost report: the normal case, every tier taking all traffic, the budget and notes.
pub fn cost_report(project: &ir::Project, catalog: &Catalog) -> CostReport {
    let normal = normal_scenario(project, catalog);
    let tiers = project
        .models
        .iter()
        .flat_map(|m| {
            m.tiers.iter().map(move |tier| {
                let pool: Vec<(&ir::Tier, &ir::Target)> =
                    tier.targets.iter().map(|t| (tier, t)).collect();
                let lines = pool_lines(m, &pool, catalog);
                TierScenario {
                    model: m.name.clone(),
                    tier: tier.name.clone(),
                    position: tier.position,
                    monthly_usd: lines.iter().map(|l| l.monthly_usd).sum(),
                    lines,
                }
            })
        })
        .collect();
    let models_without_usage: Vec<String> = project
        .models
        .iter()
        .filter(|m| m.usage.is_none())
        .map(|m| m.name.clone())
        .collect();
    let mut grouped: Vec<(String, Vec<&str>)> = Vec::new();
    for m in project.models.iter().filter(|m| m.usage.is_some()) {
        for t in m.tiers.iter().flat_map(|tier| &tier.targets) {
            let Some(note) = price_note(catalog, t) else {
                continue;
            };
            match grouped.iter_mut().find(|(n, _)| *n == note) {
                Some((_, addresses)) => addresses.push(&t.address),
                None => grouped.push((note, vec![&t.address])),
            }
        }
    }
    let mut notes: Vec<String> = grouped
        .into_iter()
        .map(|(note, addresses)| format!("{note}{}.", addresses.join(", ")))
        .collect();
    if !models_without_usage.is_empty() {
        let list = models_without_usage.join(", ");
        notes.push(if models_without_usage.len() == 1 {
            format!("Model {list} has no usage block; its cost is not estimated.")
        } else {
            format!("Models {list} have no usage block; their cost is not estimated.")
        });
    }
    let budget_usd = project.policy.max_monthly_cost_usd;
    CostReport {
        currency: "USD",
        catalog_as_of: project.catalog_as_of.clone(),
        within_budget: budget_usd.map(|b| normal.total_usd <= b),
        normal,
        tiers,
        budget_usd,
        models_without_usage,
        notes,
    }
}

/// Formats an amount as `$1,234.56` (`-$12.00` when negative).
pub fn format_usd(amount: f64) -> String {
    let cents = (amount.abs() * 100.0).round();
    let whole = (cents / 100.0).trunc();
    let frac = cents - whole * 100.0;
    let digits = format!("{whole:.0}");
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if amount < 0.0 && cents > 0.0 { "-" } else { "" };
    format!("{sign}${grouped}.{frac:02.0}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{close, project_of};

    const SPEC: &str = r#"
meridian {
  name = "cost-unit"
}

provider "azure" "corp" {
  subscription_id = "11111111-2222-3333-4444-555555555555"
  resource_group  = "rg-ai"
}

provider "aws" "corp" {
  account_id = "123456789012"
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
      processing = "global"
      weight     = 1
    }
  }
  usage {
    input_tokens_per_month  = 100000000
    output_tokens_per_month = 10000000
  }
}

model "quiet" {
  capabilities = ["chat"]
  tier "a" {
    target "bedrock" {
      provider   = provider.aws.corp
      model      = "anthropic.claude-haiku-4-5-20251001-v1:0"
      region     = "eu-west-1"
      processing = "region"
    }
  }
}

policy {
  max_monthly_cost_usd = 200
}
"#;

    fn project() -> ir::Project {
        project_of(SPEC)
    }

    #[test]
    fn weighted_models_pool_every_tier_and_each_tier_takes_all_traffic_alone() {
        let r = cost_report(&project(), Catalog::builtin());
        // gpt-5.1 at the global list price ($1.25 / $10), Haiku 4.5 global ($1 / $5).
        let aoai = 100.0 * 1.25 + 10.0 * 10.0;
        let bedrock = 100.0 * 1.0 + 10.0 * 5.0;
        assert!(close(
            r.normal.by_model["pool"],
            0.75 * aoai + 0.25 * bedrock
        ));
        assert!(close(r.normal.by_provider["azure.corp"], 0.75 * aoai));
        assert!(close(r.normal.by_provider["aws.corp"], 0.25 * bedrock));
        let tiers: Vec<(&str, &str, u32, f64)> = r
            .tiers
            .iter()
            .map(|t| (t.model.as_str(), t.tier.as_str(), t.position, t.monthly_usd))
            .collect();
        assert_eq!(
            tiers,
            vec![
                ("pool", "a", 1, aoai),
                ("pool", "b", 2, bedrock),
                ("quiet", "a", 1, 0.0)
            ]
        );
        // The catalog marks the Bedrock price unverified (AWS's price tables were not read).
        assert!(!r.tiers[1].lines[0].price_verified);
        assert!(close(r.tiers[1].lines[0].share, 1.0));
    }

    #[test]
    fn models_without_usage_are_listed_and_the_budget_is_judged() {
        let r = cost_report(&project(), Catalog::builtin());
        assert_eq!(r.models_without_usage, vec!["quiet".to_string()]);
        assert!(close(r.normal.by_model["quiet"], 0.0));
        assert!(r
            .notes
            .contains(&"Model quiet has no usage block; its cost is not estimated.".to_string()));
        assert_eq!(r.budget_usd, Some(200.0));
        // 0.75 × 225 + 0.25 × 150 = 206.25 > 200.
        assert!(close(r.normal.total_usd, 206.25));
        assert_eq!(r.within_budget, Some(false));
        assert!(r.notes.iter().any(|n| n
            == "The catalog lists no region price for gpt-5.1 on azure; the global price is used, approximate for model.pool.tier.a.target.aoai."));
    }

    #[test]
    fn dollars_are_formatted_with_thousands_and_cents() {
        assert_eq!(format_usd(1234.5), "$1,234.50");
        assert_eq!(format_usd(100.0), "$100.00");
        assert_eq!(format_usd(-0.001), "$0.00");
    }
}
