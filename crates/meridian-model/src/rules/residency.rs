//! Residency: every region of a target's footprint must lie in an allowed country and not in a
//! denied region, and its processing scope must not be wider than the rule allows.

use crate::ir;
use meridian_catalog::{Processing, Widening};
use meridian_diag::{codes, Diagnostic, Diagnostics, Span};
use meridian_spec as raw;

fn describe_via(target: &ir::Target) -> String {
    match &target.footprint.via {
        Some(via) if *via == target.region => format!(" (at {via})"),
        Some(via) => format!(" (through {via}, called from {})", target.region),
        None => String::new(),
    }
}

/// The hint every residency finding about a target ends with: the command that lists the
/// choices satisfying the rule.
fn where_hint(rule: &ir::Residency, target: &ir::Target) -> String {
    format!(
        "`meridian catalog where {} --provider {} --residency {}` lists the regions and processing modes that satisfy it.",
        target.model,
        target.cloud.as_str(),
        rule.name
    )
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
    let hint = where_hint(rule, target);
    let widened = breach.widened_reason();
    if breach.wider_processing {
        let rule_at = raw_rule
            .processing
            .as_ref()
            .map_or(raw_rule.span, |p| p.span);
        let d = match (breach.widened, &widened) {
            (Some(w), Some(why)) => Diagnostic::error(
                codes::RES_SCOPE,
                format!(
                    "Target \"{}\" has {}: it counts as processing = \"{}\", wider than residency \"{}\" allows (\"{}\")",
                    target.name,
                    w.short(),
                    breach.processing.as_str(),
                    rule.name,
                    rule.processing.as_str()
                ),
            )
            .detail(format!("{why}. Call the model at a location with the guarantee, or choose another target. {hint}"))
            .at(t.region.as_ref().map_or(t.span, |r| r.span)),
            _ => Diagnostic::error(
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
                "Use processing = \"{}\" or narrower, or choose another target. {hint}",
                rule.processing.as_str()
            ))
            .at(t.processing.as_ref().map_or(t.span, |p| p.span)),
        };
        diags.push(
            d.label(rule_at, rule_label.clone())
                .label(ref_span, "the model requires this rule"),
        );
    }
    let outside = &breach.outside;
    if !outside.is_empty() {
        let countries: std::collections::BTreeSet<&str> =
            outside.iter().map(|r| r.country.as_str()).collect();
        let countries: Vec<&str> = countries.into_iter().collect();
        let all_countries = target.footprint.countries.len();
        let why = widened
            .as_ref()
            .map(|w| format!("{w}. "))
            .unwrap_or_default();
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
                "{why}With processing = \"{}\"{}, prompts may be processed in {} region{} in {} countr{}. Outside residency \"{}\" ({}): {}. Use a narrower processing mode, call from another region, or pick another model. {hint}",
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
        let why = widened
            .as_ref()
            .map(|w| format!(" {w}."))
            .unwrap_or_default();
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
            "Residency \"{}\" denies {}, and this target's footprint{} includes {}.{why} Choose a target whose footprint avoids it. {hint}",
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
/// the report, the outage simulation and `meridian catalog where` word each in their own way.
#[derive(Debug)]
pub struct Breach<'t> {
    /// The processing scope judged: the target's, or `global` when its footprint is widened
    /// (a Google location without the in-location processing guarantee).
    pub processing: Processing,
    /// Why the footprint is wider than the target's processing mode, when it is.
    pub widened: Option<&'t Widening>,
    /// The judged processing scope is wider than the rule allows.
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

    /// Why the footprint is wider than the processing mode asked for (the widening's sentence,
    /// without its full stop, to stand in a list of reasons), when it is and the rule is
    /// breached: the widening does not matter to a rule it satisfies.
    pub fn widened_reason(&self) -> Option<String> {
        self.widened
            .filter(|_| !self.is_none())
            .map(|w| w.to_string().trim_end_matches('.').to_string())
    }

    /// The reason the processing scope breaches the rule, when it does: `processing "global" is
    /// wider than residency "eu" allows ("geography")`, or for a widened footprint
    /// `processing "region" counts as "global" here (no processing guarantee at ...), ...`.
    pub fn scope_reason(&self, rule: &ir::Residency, declared: Processing) -> Option<String> {
        if !self.wider_processing {
            return None;
        }
        let counted = match self.widened {
            Some(w) if self.processing != declared => format!(
                " counts as \"{}\" here ({})",
                self.processing.as_str(),
                w.short()
            ),
            _ => String::new(),
        };
        Some(format!(
            "processing \"{}\"{counted} is wider than residency \"{}\" allows (\"{}\")",
            declared.as_str(),
            rule.name,
            rule.processing.as_str()
        ))
    }

    /// Every reason the target breaches the rule, one sentence each: the widening (when it
    /// matters), the processing scope, the countries outside the rule, the denied regions.
    pub fn reasons(&self, rule: &ir::Residency, declared: Processing) -> Vec<String> {
        let mut reasons: Vec<String> = self.widened_reason().into_iter().collect();
        reasons.extend(self.scope_reason(rule, declared));
        let outside: Vec<String> = self
            .outside
            .iter()
            .map(|r| format!("{} ({})", r.region, r.country))
            .collect();
        if !outside.is_empty() {
            reasons.push(format!(
                "may process outside the allowed countries: {}",
                outside.join(", ")
            ));
        }
        let denied: Vec<&str> = self.denied.iter().map(|r| r.region.as_str()).collect();
        if !denied.is_empty() {
            reasons.push(format!(
                "the footprint includes denied region{} {}",
                if denied.len() == 1 { "" } else { "s" },
                denied.join(", ")
            ));
        }
        reasons
    }
}

/// How `target` breaches `rule` (see [`Breach`]).
pub fn breach<'t>(rule: &ir::Residency, target: &'t ir::Target) -> Breach<'t> {
    breach_of(rule, target.processing, &target.footprint)
}

/// How a footprint reached with `processing` breaches `rule`: what [`breach`] judges for a
/// target, for a choice that is not (yet) a target of the spec.
pub fn breach_of<'f>(
    rule: &ir::Residency,
    processing: Processing,
    footprint: &'f ir::Footprint,
) -> Breach<'f> {
    let regions = &footprint.regions;
    let widened = footprint.widened.as_ref();
    let judged = if widened.is_some() {
        Processing::Global
    } else {
        processing
    };
    Breach {
        processing: judged,
        widened,
        wider_processing: judged > rule.processing,
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
