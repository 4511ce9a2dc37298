//! Capabilities and context: the primary tier must meet everything the model declares; a
//! failover tier may fall short only where `degrade` says so.

use crate::lower::ModelCtx;
use meridian_catalog::Model as CatalogModel;
use meridian_diag::{codes, Diagnostic, Diagnostics};
use meridian_spec as raw;

pub(crate) fn check_target(
    diags: &mut Diagnostics,
    mc: &ModelCtx<'_>,
    position: u32,
    t: &raw::Target,
    entry: &CatalogModel,
) {
    let primary = position == 1;
    let at = t.model.as_ref().map_or(t.span, |m| m.span);
    for (i, cap) in mc.capabilities.iter().enumerate() {
        if entry.has_capability(*cap) || (!primary && mc.degrade.contains(cap)) {
            continue;
        }
        let mut d = Diagnostic::error(
            codes::MOD_CAPABILITY,
            format!("{} does not offer \"{}\", which model \"{}\" requires", entry.id, cap.as_str(), mc.raw.name.value),
        )
        .detail(if primary {
            format!(
                "The primary tier must offer every capability of the model. Pick a model with \"{}\" (see `meridian catalog models`).",
                cap.as_str()
            )
        } else {
            format!(
                "Target \"{}\" is on a failover tier: pick a model with \"{}\", or declare the degradation with degrade = [\"{}\"] on the model.",
                t.name.value,
                cap.as_str(),
                cap.as_str()
            )
        })
        .at(at);
        if let Some(req) = mc.raw.capabilities.get(i) {
            d = d.label(req.span, "required here");
        }
        diags.push(d);
    }
    if let Some(ctx) = &mc.raw.context {
        if entry.context_window < ctx.value && (primary || !mc.degrade_context) {
            diags.push(
                Diagnostic::error(
                    codes::MOD_CONTEXT,
                    format!(
                        "{} offers a {}-token context, below the {} model \"{}\" requires",
                        entry.id, entry.context_window, ctx.value, mc.raw.name.value
                    ),
                )
                .detail(if primary {
                    "The primary tier must offer the model's full context window. Pick a model with a larger context.".to_string()
                } else {
                    "On a failover tier, allow the shortfall with degrade = [\"context\"] or pick a model with a larger context.".to_string()
                })
                .at(at)
                .label(ctx.span, "required here"),
            );
        }
    }
}
