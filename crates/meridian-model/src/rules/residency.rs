//! Residency: every region of a target's footprint must lie in an allowed country and not in a
//! denied region, and its processing scope must not be wider than the rule allows.

use crate::ir;
use meridian_diag::{codes, Diagnostic, Diagnostics, Span};
use meridian_spec as raw;

fn describe_via(target: &ir::Target) -> String {
    match &target.footprint.via {
        Some(via) => format!(" (through {via}, called from {})", target.region),
        None => String::new(),
    }
}

pub(crate) fn check_target(
    diags: &mut Diagnostics,
    rule: &ir::Residency,
    raw_rule: &raw::Residency,
    ref_span: Span,
    t: &raw::Target,
    target: &ir::Target,
) {
    let rule_label = format!("residency \"{}\" is defined here", rule.name);
    let breach = breach(rule, target);
    if breach.wider_processing {
        diags.push(
            Diagnostic::error(
                codes::RES_SCOPE,
                format!(
                    "Target \"{}\" uses processing = \"{}\", wider than residency \"{}\" allows (\"{}\")",
                    target.name,
                    target.processing.as_str(),
                    rule.name,
                    rule.processing.as_str()
                ),
            )
            .detail(format!(
                "Use processing = \"{}\" or narrower, or choose another target.",
                rule.processing.as_str()
            ))
            .at(t.processing.as_ref().map_or(t.span, |p| p.span))
            .label(raw_rule.processing.as_ref().map_or(raw_rule.span, |p| p.span), rule_label.clone())
            .label(ref_span, "the model requires this rule"),
        );
    }
    let outside = &breach.outside;
    if !outside.is_empty() {
        let countries: std::collections::BTreeSet<&str> =
            outside.iter().map(|r| r.country.as_str()).collect();
        let countries: Vec<&str> = countries.into_iter().collect();
        let all_countries = target.footprint.countries.len();
        diags.push(
            Diagnostic::error(
                codes::RES_COUNTRY,
                format!(
                    "Target \"{}\" may process prompts outside residency \"{}\": {}",
                    target.name,
                    rule.name,
                    countries.join(", ")
                ),
            )
            .detail(format!(
                "With processing = \"{}\"{}, prompts may be processed in {} region{} in {} countr{}. Outside residency \"{}\" ({}): {}. Use a narrower processing mode, call from another region, or pick another model.",
                target.processing.as_str(),
                describe_via(target),
                target.footprint.regions.len(),
                if target.footprint.regions.len() == 1 { "" } else { "s" },
                all_countries,
                if all_countries == 1 { "y" } else { "ies" },
                rule.name,
                summarize(&rule.allowed_countries, 12),
                summarize(&outside.iter().map(|r| format!("{} ({})", r.region, r.country)).collect::<Vec<_>>(), 15),
            ))
            .at(t.span)
            .label(raw_rule.span, rule_label.clone())
            .label(ref_span, "the model requires this rule"),
        );
    }
    let denied: Vec<&str> = breach.denied.iter().map(|r| r.region.as_str()).collect();
    if !denied.is_empty() {
        let mut d = Diagnostic::error(
            codes::RES_DENIED_REGION,
            format!(
                "Target \"{}\" may process prompts in denied region{} {}",
                target.name,
                if denied.len() == 1 { "" } else { "s" },
                denied.join(", ")
            ),
        )
        .detail(format!(
            "Residency \"{}\" denies {}, and this target's footprint{} includes {}. Choose a target whose footprint avoids it.",
            rule.name,
            rule.deny_regions.join(", "),
            describe_via(target),
            denied.join(", ")
        ))
        .at(t.span);
        if let Some(deny) = raw_rule
            .deny_regions
            .iter()
            .find(|d| denied.contains(&d.value.as_str()))
        {
            d = d.label(deny.span, "denied here");
        }
        diags.push(d.label(ref_span, "the model requires this rule"));
    }
}

/// A list, cut after `max` items with a count of the rest.
fn summarize(items: &[String], max: usize) -> String {
    if items.len() > max {
        format!("{} and {} more", items[..max].join(", "), items.len() - max)
    } else {
        items.join(", ")
    }
}

/// How a target falls outside a residency rule: the one reading of a rule that the validator,
/// the report and the outage simulation word each in their own way.
#[derive(Debug, Default)]
pub struct Breach<'t> {
    /// Its processing scope is wider than the rule allows.
    pub wider_processing: bool,
    /// Footprint regions in countries the rule does not allow, in footprint order.
    pub outside: Vec<&'t ir::FootprintRegion>,
    /// Footprint regions the rule denies by name (whatever their country), in footprint order.
    pub denied: Vec<&'t ir::FootprintRegion>,
}

impl Breach<'_> {
    /// Whether the target complies: no breach at all.
    pub fn is_none(&self) -> bool {
        !self.wider_processing && self.outside.is_empty() && self.denied.is_empty()
    }

    /// Whether `region` (of the target's footprint) is one of the [`Breach::outside`] regions.
    pub fn is_outside(&self, region: &ir::FootprintRegion) -> bool {
        self.outside.iter().any(|r| std::ptr::eq(*r, region))
    }

    /// Whether `region` (of the target's footprint) is one of the [`Breach::denied`] regions.
    pub fn is_denied(&self, region: &ir::FootprintRegion) -> bool {
        self.denied.iter().any(|r| std::ptr::eq(*r, region))
    }
}

/// How `target` breaches `rule` (see [`Breach`]).
pub fn breach<'t>(rule: &ir::Residency, target: &'t ir::Target) -> Breach<'t> {
    let regions = &target.footprint.regions;
    Breach {
        wider_processing: target.processing > rule.processing,
        outside: regions
            .iter()
            .filter(|r| rule.allowed_countries.binary_search(&r.country).is_err())
            .collect(),
        denied: regions
            .iter()
            .filter(|r| rule.deny_regions.contains(&r.region))
            .collect(),
    }
}

/// Whether a target satisfies a residency rule (scope, countries and denied regions).
pub fn complies(rule: &ir::Residency, target: &ir::Target) -> bool {
    breach(rule, target).is_none()
}
