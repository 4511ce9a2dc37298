//! Monthly cost estimates from catalog list prices and each model's `usage`.

use crate::ir::{self, Strategy};
use meridian_catalog::{Catalog, Price, Processing};

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
