//! Monthly cost estimates from catalog list prices and each model's `usage`.

use crate::ir;
use meridian_catalog::Catalog;

/// The estimate for one target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetCost {
    pub address: String,
    /// Share of the model's traffic this target takes (0..=1).
    pub share: f64,
    pub monthly_usd: f64,
    /// False when the catalog marks the price as unverified or has none.
    pub price_verified: bool,
}

/// Cost of a tier taking all of the model's traffic, split by weight.
pub fn tier_costs(model: &ir::Model, tier: &ir::Tier, catalog: &Catalog) -> Vec<TargetCost> {
    let Some(usage) = model.usage else {
        return Vec::new();
    };
    let total_weight: u64 = tier.targets.iter().map(|t| t.weight).sum();
    if total_weight == 0 {
        return Vec::new();
    }
    tier.targets
        .iter()
        .map(|t| {
            let share = t.weight as f64 / total_weight as f64;
            let price = catalog
                .model(t.cloud, &t.model)
                .and_then(|m| m.price(t.processing));
            let monthly = price.map_or(0.0, |p| {
                share
                    * (usage.input_tokens_per_month as f64 * p.input_per_1m
                        + usage.output_tokens_per_month as f64 * p.output_per_1m)
                    / 1_000_000.0
            });
            TargetCost {
                address: t.address.clone(),
                share,
                monthly_usd: monthly,
                price_verified: price.is_some_and(|p| p.verified),
            }
        })
        .collect()
}

/// The normal case: all traffic on the first tier, by weight.
pub fn model_normal_monthly(model: &ir::Model, catalog: &Catalog) -> f64 {
    model.tiers.first().map_or(0.0, |tier| {
        tier_costs(model, tier, catalog)
            .iter()
            .map(|c| c.monthly_usd)
            .sum()
    })
}

/// The normal-case total over every model.
pub fn project_normal_monthly(project: &ir::Project, catalog: &Catalog) -> f64 {
    project
        .models
        .iter()
        .map(|m| model_normal_monthly(m, catalog))
        .sum()
}
