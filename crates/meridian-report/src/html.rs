//! The report as one self-contained HTML page: inline CSS with a print stylesheet, inline SVG
//! bar charts, no script, no external resource of any kind. Every string from the spec is
//! escaped with [`crate::escape::html`].

use crate::escape::html as esc;
use crate::wording::{
    joined_or_dash, key_management, location_text, network, plural, reserved_capacity, retention,
    share_of,
};
use crate::{failover_on_name, percent, strategy_name, usd, ChainTier, Finding, Report, Verdict};
use meridian_diag::Severity;
use std::collections::BTreeMap;
use std::fmt::Write as _;

const STYLE: &str = r#"
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --none: #6e7781; --ink: #1f2328;
  --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; --accent: #0969da; --bar: #0969da; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: #fff; margin: 0 auto; padding: 20px 28px 40px; max-width: 1600px; }
h1 { font-size: 24px; margin: 0 0 2px; }
h2 { font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin: 28px 0 10px; }
h3 { font-size: 15px; margin: 14px 0 6px; }
p { margin: 6px 0; }
.meta { color: var(--muted); font-size: 12px; }
nav { margin: 10px 0 0; font-size: 13px; }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; }
.overview { display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 6fr); gap: 24px; align-items: start; margin-top: 14px; }
.cards { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-left: 5px solid var(--none); border-radius: 6px; padding: 8px 12px; background: var(--bg); }
.card b { display: block; font-size: 20px; }
.card.ok { border-left-color: var(--ok); } .card.bad { border-left-color: var(--bad); } .card.warn { border-left-color: var(--warn); }
.banner { border: 2px solid var(--bad); color: var(--bad); background: #ffebe9; border-radius: 6px; padding: 8px 12px; font-weight: 600; margin-top: 12px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
svg .bar { fill: var(--bar); } svg .over { fill: var(--bad); } svg .budget { stroke: var(--bad); stroke-width: 2; stroke-dasharray: 4 3; }
svg .axis { stroke: var(--line); }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; margin: 6px 0 10px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.bad > td { background: #ffebe9; }
.v-ok { color: var(--ok); font-weight: 600; } .v-bad { color: var(--bad); font-weight: 700; } .v-none { color: var(--none); }
.sev-error { color: var(--bad); font-weight: 700; } .sev-warning { color: var(--warn); font-weight: 700; }
.reasons { margin: 2px 0 0; padding-left: 16px; color: var(--bad); }
.small { color: var(--muted); font-size: 11.5px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12px; overflow-wrap: anywhere; }
.nowrap { white-space: nowrap; }
ul.notes { margin: 4px 0; padding-left: 18px; }
table.chains td[rowspan] { width: 30%; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { padding: 0; max-width: none; font-size: 10pt; }
  nav { display: none; }
  .overview { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
  h2, h3 { break-after: avoid; }
  tr, .card, figure { break-inside: avoid; }
  thead { display: table-header-group; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
  table { font-size: 8.5pt; }
}
"#;

/// The report as one HTML document.
pub fn render(r: &Report) -> String {
    let mut out = String::with_capacity(16_384 + r.matrix.len() * 700);
    let title = format!(
        "Meridian compliance report{}",
        r.project
            .as_ref()
            .map(|p| format!(" — {p}"))
            .unwrap_or_default()
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"meridian {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&r.tool_version),
        esc(&title)
    );
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">Spec <code>{}</code> · catalog as of {} · meridian {}</p>\n",
        esc(&title),
        esc(&r.spec_hash),
        esc(&r.catalog_as_of),
        esc(&r.tool_version)
    );
    out.push_str("<nav><a href=\"#matrix\">Residency matrix</a><a href=\"#findings\">Findings</a><a href=\"#failover\">Failover chains</a><a href=\"#access\">Access</a><a href=\"#logging\">Logging</a><a href=\"#cost\">Cost</a><a href=\"#providers\">Providers and policy</a></nav>\n</header>\n<main>\n");
    overview(r, &mut out);
    matrix(r, &mut out);
    findings(r, &mut out);
    failover(r, &mut out);
    access(r, &mut out);
    logging(r, &mut out);
    cost(r, &mut out);
    providers(r, &mut out);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn verdict_cell(v: Verdict, reasons: &[String]) -> String {
    let mut s = format!("<span class=\"v-{}\">{}</span>", v.class(), esc(v.label()));
    if !reasons.is_empty() {
        s.push_str("<ul class=\"reasons\">");
        for r in reasons {
            let _ = write!(s, "<li>{}</li>", esc(r));
        }
        s.push_str("</ul>");
    }
    s
}

fn card(out: &mut String, class: &str, value: &str, label: &str) {
    let _ = writeln!(
        out,
        "<div class=\"card {class}\"><b>{value}</b>{}</div>",
        esc(label)
    );
}

fn overview(r: &Report, out: &mut String) {
    let s = &r.summary;
    if !r.valid {
        let _ = writeln!(
            out,
            "<p class=\"banner\">The spec is invalid: {} error{}. The findings say what to fix before it can be planned.</p>",
            s.errors,
            plural(s.errors)
        );
    }
    out.push_str("<section class=\"overview\" id=\"overview\">\n<div class=\"cards\">\n");
    card(
        out,
        if s.outside_targets > 0 { "bad" } else { "ok" },
        &format!("{} / {}", s.compliant_targets, s.targets),
        &format!(
            "targets comply with their residency rule{}",
            if s.unruled_targets > 0 {
                format!(" ({} without a rule)", s.unruled_targets)
            } else {
                String::new()
            }
        ),
    );
    card(
        out,
        if s.outside_targets > 0 { "bad" } else { "ok" },
        &s.outside_targets.to_string(),
        "targets may process outside residency",
    );
    card(
        out,
        if s.errors > 0 {
            "bad"
        } else if s.warnings > 0 {
            "warn"
        } else {
            "ok"
        },
        &format!("{} · {}", s.errors, s.warnings),
        "errors · warnings",
    );
    card(
        out,
        if s.log_sinks_outside > 0 { "bad" } else { "ok" },
        &format!(
            "{} / {}",
            r.logging.len() - s.log_sinks_outside,
            r.logging.len()
        ),
        "log sinks inside residency",
    );
    if let Some(m) = s.monthly_usd {
        let over = s.budget_usd.is_some_and(|b| m > b);
        card(
            out,
            if over { "bad" } else { "ok" },
            &esc(&usd(m)),
            &match s.budget_usd {
                Some(b) if over => format!("per month, over the budget of {}", usd(b)),
                Some(b) => format!("per month, budget {}", usd(b)),
                None => "per month (list prices)".into(),
            },
        );
    }
    card(
        out,
        "",
        &format!("{} · {}", s.models, r.access.len()),
        "models · access blocks",
    );
    out.push_str("</div>\n");
    match &r.cost {
        Some(c) if c.normal.total_usd > 0.0 => {
            let items = largest_first(&c.normal.by_model);
            let _ = write!(
                out,
                "<figure id=\"cost-chart\"><figcaption>Monthly cost by model, normal traffic ({} in all)</figcaption>\n{}</figure>\n",
                esc(&usd(c.normal.total_usd)),
                bar_chart(&items, c.budget_usd.filter(|_| items.len() == 1), 15)
            );
        }
        _ => out.push_str("<figure id=\"cost-chart\"><figcaption>Monthly cost by model</figcaption><p class=\"small\">No estimate: no model has a usage block, or no target has a price.</p></figure>\n"),
    }
    out.push_str("</section>\n");
}

/// The amounts, largest first (ties by name).
fn largest_first(amounts: &BTreeMap<String, f64>) -> Vec<(String, f64)> {
    let mut items: Vec<(String, f64)> = amounts.iter().map(|(k, v)| (k.clone(), *v)).collect();
    items.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    items
}

/// A horizontal bar chart of the largest `max_bars` items (the rest summed into one bar),
/// as inline SVG. A budget line is drawn when given.
pub fn bar_chart(items: &[(String, f64)], budget: Option<f64>, max_bars: usize) -> String {
    let mut bars: Vec<(String, String, f64)> = items
        .iter()
        .take(max_bars)
        .map(|(k, v)| (k.clone(), k.clone(), *v))
        .collect();
    if items.len() > max_bars {
        let rest: f64 = items[max_bars..].iter().map(|(_, v)| v).sum();
        let n = items.len() - max_bars;
        bars.push((
            format!("{n} other model{}", plural(n)),
            format!("{n} other model{}", plural(n)),
            rest,
        ));
    }
    let max = bars
        .iter()
        .map(|b| b.2)
        .chain(budget)
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let (label_w, bar_w, value_w, row_h, top) = (190.0, 330.0, 110.0, 24.0, 6.0);
    let width = label_w + bar_w + value_w;
    let height = top * 2.0 + row_h * bars.len() as f64;
    let mut s = format!(
        "<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Monthly cost by model\">\n"
    );
    let _ = writeln!(
        s,
        "<line class=\"axis\" x1=\"{label_w}\" y1=\"0\" x2=\"{label_w}\" y2=\"{height}\"/>"
    );
    for (i, (label, full, value)) in bars.iter().enumerate() {
        let y = top + row_h * i as f64;
        let w = (value / max * bar_w).max(if *value > 0.0 { 1.0 } else { 0.0 });
        let short: String = if label.chars().count() > 28 {
            label.chars().take(27).chain(std::iter::once('…')).collect()
        } else {
            label.clone()
        };
        let over = budget.is_some_and(|b| *value > b);
        let _ = writeln!(
            s,
            "<g><title>{}: {}</title><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect class=\"{}\" x=\"{label_w}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" rx=\"2\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            esc(full),
            esc(&usd(*value)),
            label_w - 8.0,
            y + row_h * 0.66,
            esc(&short),
            if over { "over" } else { "bar" },
            y + 3.0,
            row_h - 6.0,
            label_w + w + 6.0,
            y + row_h * 0.66,
            esc(&usd(*value)),
        );
    }
    if let Some(b) = budget {
        let x = label_w + b / max * bar_w;
        let _ = writeln!(
            s,
            "<line class=\"budget\" x1=\"{x:.1}\" y1=\"0\" x2=\"{x:.1}\" y2=\"{height}\"><title>budget {}</title></line>",
            esc(&usd(b))
        );
    }
    s.push_str("</svg>\n");
    s
}

fn matrix(r: &Report, out: &mut String) {
    out.push_str("<section id=\"matrix\">\n<h2>Residency matrix</h2>\n");
    if r.matrix.is_empty() {
        out.push_str("<p>No targets.</p>\n</section>\n");
        return;
    }
    out.push_str("<p class=\"small\">Every target of every tier: where its prompts may be processed (its footprint, from catalog data) and whether that satisfies its model's residency rule.</p>\n");
    out.push_str("<table class=\"matrix\">\n<thead><tr><th>model</th><th>tier</th><th>target</th><th>cloud</th><th>region</th><th>model id</th><th>processing</th><th>footprint regions</th><th>countries</th><th>residency</th><th>verdict</th></tr></thead>\n<tbody>\n");
    for m in &r.matrix {
        let footprint: Vec<String> = m
            .footprint
            .iter()
            .map(|f| format!("{}&nbsp;({})", esc(&f.region), esc(&f.country)))
            .collect();
        let _ = writeln!(
            out,
            "<tr class=\"{}\"><td>{}</td><td class=\"nowrap\">{}. {}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code>{}</td><td>{}{}</td><td class=\"small\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            m.verdict.class(),
            esc(&m.model),
            m.tier_position,
            esc(&m.tier),
            esc(&m.target),
            m.cloud,
            esc(&m.region),
            esc(&m.model_id),
            m.version
                .as_ref()
                .map(|v| format!(" <span class=\"small\">{}</span>", esc(v)))
                .unwrap_or_default(),
            m.processing,
            m.via
                .as_ref()
                .map(|v| format!("<br><span class=\"small\">via <code>{}</code></span>", esc(v)))
                .unwrap_or_default(),
            footprint.join(", "),
            esc(&m.countries.join(", ")),
            m.residency.as_deref().map_or_else(|| "—".to_string(), esc),
            verdict_cell(m.verdict, &m.reasons),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if !r.residencies.is_empty() {
        out.push_str("<h3>Residency rules</h3>\n<table>\n<thead><tr><th>rule</th><th>geographies</th><th>countries named</th><th>allowed countries</th><th>denied regions</th><th>widest processing</th><th>models</th></tr></thead>\n<tbody>\n");
        for rule in &r.residencies {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"small\">{} ({})</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&rule.name),
                esc(&rule.geographies.join(", ")),
                esc(&rule.countries.join(", ")),
                esc(&rule.allowed_countries.join(", ")),
                rule.allowed_countries.len(),
                esc(&rule.deny_regions.join(", ")),
                rule.processing,
                esc(&rule.models.join(", ")),
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

fn findings(r: &Report, out: &mut String) {
    let _ = writeln!(
        out,
        "<section id=\"findings\">\n<h2>Findings ({} error{}, {} warning{})</h2>",
        r.summary.errors,
        plural(r.summary.errors),
        r.summary.warnings,
        plural(r.summary.warnings)
    );
    if r.findings.is_empty() {
        out.push_str("<p>No findings.</p>\n</section>\n");
        return;
    }
    out.push_str("<table>\n<thead><tr><th>severity</th><th>code</th><th>finding</th><th>location</th></tr></thead>\n<tbody>\n");
    for f in &r.findings {
        finding_row(f, out);
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn finding_row(f: &Finding, out: &mut String) {
    let related: String = f
        .related
        .iter()
        .map(|rel| {
            format!(
                "<br><span class=\"small\">{}: <code>{}</code></span>",
                esc(&rel.message),
                esc(&location_text(&rel.location))
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "<tr class=\"{}\"><td class=\"sev-{}\">{}</td><td class=\"nowrap\"><code>{}</code><br><span class=\"small\">{}</span></td><td><b>{}</b>{}</td><td><code>{}</code>{}</td></tr>",
        if f.severity == Severity::Error { "bad" } else { "" },
        f.severity.as_str(),
        f.severity.as_str(),
        esc(f.code),
        esc(f.title),
        esc(&f.summary),
        if f.detail.is_empty() {
            String::new()
        } else {
            format!("<br>{}", esc(&f.detail))
        },
        f.location
            .as_ref()
            .map_or_else(|| "—".to_string(), |l| esc(&location_text(l))),
        related,
    );
}

fn tier_capacity(t: &ChainTier) -> String {
    let mut parts = reserved_capacity(t);
    if t.on_demand_targets > 0 {
        parts.push(if t.on_demand_targets == t.targets.len() {
            "on demand (account quota)".into()
        } else {
            format!(
                "{} target{} on demand",
                t.on_demand_targets,
                plural(t.on_demand_targets)
            )
        });
    }
    esc(&parts.join(" + "))
}

fn failover(r: &Report, out: &mut String) {
    out.push_str("<section id=\"failover\">\n<h2>Failover chains</h2>\n");
    if r.failover.is_empty() {
        out.push_str("<p>No models.</p>\n</section>\n");
        return;
    }
    out.push_str("<p class=\"small\">Tiers in the order the router tries them; targets inside a tier share its traffic by weight. Capacity is what the tier reserves: Azure thousands of tokens per minute (or PTUs), provisioned Bedrock model units, Vertex AI GSUs; on-demand targets run on the account's quota.</p>\n");
    out.push_str("<table class=\"chains\">\n<thead><tr><th>model</th><th>tier</th><th>targets (share)</th><th>capacity</th><th>residency</th></tr></thead>\n<tbody>\n");
    for c in &r.failover {
        let mut info: Vec<String> = vec![format!("strategy {}", strategy_name(c.strategy))];
        if let Some(rule) = &c.residency {
            info.push(format!("residency {rule}"));
        }
        if !c.on.is_empty() {
            info.push(format!(
                "fails over on {}",
                c.on.iter()
                    .map(|o| failover_on_name(*o))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let Some(n) = c.retries {
            info.push(format!("{n} retr{}", if n == 1 { "y" } else { "ies" }));
        }
        if !c.degrade.is_empty() {
            info.push(format!("may degrade: {}", c.degrade.join(", ")));
        }
        let spof = if c.single_points_of_failure.is_empty() {
            String::new()
        } else {
            format!(
                "<br><span class=\"v-bad\">single points of failure: {}</span>",
                esc(&c.single_points_of_failure.join(", "))
            )
        };
        let rows = c.tiers.len().max(1);
        let about: String = [c.description.as_ref(), c.task.as_ref()]
            .into_iter()
            .flatten()
            .map(|t| format!("<br>{}", esc(t)))
            .collect();
        let head = format!(
            "<td rowspan=\"{rows}\"><b>{}</b>{about}<br><span class=\"small\">{}</span>{}</td>",
            esc(&c.model),
            esc(&info.join(" · ")),
            spof
        );
        if c.tiers.is_empty() {
            let _ = writeln!(out, "<tr>{head}<td colspan=\"4\">no tiers</td></tr>");
            continue;
        }
        for (i, t) in c.tiers.iter().enumerate() {
            let targets: Vec<String> = t
                .targets
                .iter()
                .map(|x| {
                    let cap = match (x.capacity, x.capacity_unit) {
                        (Some(n), Some(unit)) => format!(
                            ", {n} {unit}{}",
                            if x.capacity_defaulted {
                                " (default)"
                            } else {
                                ""
                            }
                        ),
                        _ => String::new(),
                    };
                    format!(
                        "{} <span class=\"small\">{} {} · {} · {}{}</span>",
                        esc(&x.target),
                        x.cloud,
                        esc(&x.region),
                        x.processing,
                        esc(&percent(x.share)),
                        esc(&cap)
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "<tr class=\"{}\">{}<td class=\"nowrap\">{}. {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if t.compliant { "" } else { "bad" },
                if i == 0 { head.as_str() } else { "" },
                t.position,
                esc(&t.name),
                targets.join("<br>"),
                tier_capacity(t),
                if t.compliant {
                    "<span class=\"v-ok\">every target inside</span>"
                } else {
                    "<span class=\"v-bad\">a target may process outside</span>"
                }
            );
        }
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn access(r: &Report, out: &mut String) {
    out.push_str("<section id=\"access\">\n<h2>Access: who may call what</h2>\n");
    if r.access.is_empty() {
        out.push_str("<p>No access blocks: no caller is granted anything.</p>\n</section>\n");
        return;
    }
    if let Some(note) = &r.grants_note {
        let _ = writeln!(out, "<p class=\"banner\">{}</p>", esc(note));
    }
    for a in &r.access {
        let _ = writeln!(
            out,
            "<h3>access \"{}\" → {}</h3>",
            esc(&a.name),
            esc(&a.models.join(", "))
        );
        if a.grants.is_empty() {
            out.push_str(
                "<table>\n<thead><tr><th>cloud</th><th>principal</th></tr></thead>\n<tbody>\n",
            );
            for p in &a.principals {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td><code>{}</code></td></tr>",
                    p.cloud,
                    esc(&p.id)
                );
            }
            out.push_str("</tbody>\n</table>\n");
            continue;
        }
        out.push_str("<table>\n<thead><tr><th>cloud</th><th>principal</th><th>may</th><th>on</th><th>grant</th></tr></thead>\n<tbody>\n");
        for g in &a.grants {
            let mut on: Vec<String> = g
                .resources
                .iter()
                .map(|x| format!("<code>{}</code>", esc(x)))
                .collect();
            for d in &g.denies {
                on.push(format!(
                    "<span class=\"v-bad\">denied:</span> <code>{}</code>",
                    esc(d)
                ));
            }
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"small\"><code>{}</code><br>{}</td></tr>",
                g.cloud,
                esc(&g.principal),
                g.permissions
                    .iter()
                    .map(|p| format!("<code>{}</code>", esc(p)))
                    .collect::<Vec<_>>()
                    .join("<br>"),
                on.join("<br>"),
                esc(&g.address),
                esc(g.kind)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

fn logging(r: &Report, out: &mut String) {
    out.push_str("<section id=\"logging\">\n<h2>Logging sinks</h2>\n");
    if r.logging.is_empty() {
        out.push_str(
            "<p>No logging blocks: prompts and completions are not logged.</p>\n</section>\n",
        );
        return;
    }
    out.push_str("<p class=\"small\">Logs hold prompts: each sink is held to the residency of every model whose traffic it records.</p>\n");
    out.push_str("<table>\n<thead><tr><th>logging</th><th>cloud</th><th>destination</th><th>location</th><th>countries</th><th>retention</th><th>records</th><th>verdict</th></tr></thead>\n<tbody>\n");
    for l in &r.logging {
        let _ = writeln!(
            out,
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"small\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            l.verdict.class(),
            esc(&l.logging),
            l.cloud,
            esc(&l.destination),
            esc(&l.location),
            esc(&l.countries.join(", ")),
            retention(l.retention_days),
            esc(&l.records_models.join(", ")),
            verdict_cell(l.verdict, &l.reasons)
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn cost(r: &Report, out: &mut String) {
    out.push_str("<section id=\"cost\">\n<h2>Cost</h2>\n");
    let Some(c) = &r.cost else {
        out.push_str(
            "<p>No cost estimate: the spec could not be read far enough.</p>\n</section>\n",
        );
        return;
    };
    let _ = writeln!(
        out,
        "<p>Normal traffic: <b>{}</b> per month{}. List prices in {} from the catalog as of {}. <span class=\"small\">Normal is the traffic on the first tier (weighted strategy: every tier by weight); each tier's column is what a month costs if that tier takes all of the model's traffic.</span></p>",
        esc(&usd(c.normal.total_usd)),
        match (c.budget_usd, c.within_budget) {
            (Some(b), Some(false)) => format!(", <span class=\"v-bad\">over the budget of {}</span>", esc(&usd(b))),
            (Some(b), _) => format!(", within the budget of {}", esc(&usd(b))),
            (None, _) => String::new(),
        },
        esc(c.currency),
        esc(&c.catalog_as_of)
    );
    let max_tiers = r.failover.iter().map(|m| m.tiers.len()).max().unwrap_or(0);
    out.push_str("<table>\n<thead><tr><th>model</th><th class=\"num\">normal per month</th><th class=\"num\">share</th>");
    for i in 1..=max_tiers {
        let _ = write!(out, "<th class=\"num\">tier {i} takes all</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let mut tiers_by_model: std::collections::HashMap<
        &str,
        Vec<&meridian_model::cost::TierScenario>,
    > = std::collections::HashMap::new();
    for t in &c.tiers {
        tiers_by_model.entry(t.model.as_str()).or_default().push(t);
    }
    for m in &r.failover {
        let normal = c.normal.by_model.get(&m.model).copied().unwrap_or(0.0);
        let no_usage = c.models_without_usage.contains(&m.model);
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            esc(&m.model),
            if no_usage {
                "no usage block".to_string()
            } else {
                esc(&usd(normal))
            },
            esc(&share_of(normal, c.normal.total_usd))
        );
        let tiers = tiers_by_model.get(m.model.as_str());
        for i in 0..max_tiers {
            match tiers.and_then(|t| t.get(i)) {
                Some(t) if !no_usage => {
                    let _ = write!(
                        out,
                        "<td class=\"num\">{}<br><span class=\"small\">{}</span></td>",
                        esc(&usd(t.monthly_usd)),
                        esc(&t.tier)
                    );
                }
                _ => out.push_str("<td class=\"num\">—</td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if !c.normal.by_provider.is_empty() {
        let items = largest_first(&c.normal.by_provider);
        out.push_str("<h3>By provider</h3>\n<table>\n<thead><tr><th>provider</th><th class=\"num\">normal per month</th><th class=\"num\">share</th></tr></thead>\n<tbody>\n");
        for (p, v) in &items {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(p),
                esc(&usd(*v)),
                esc(&share_of(*v, c.normal.total_usd))
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !c.notes.is_empty() {
        out.push_str("<h3>Notes on the estimate</h3>\n<ul class=\"notes\">\n");
        for n in &c.notes {
            let _ = writeln!(out, "<li>{}</li>", esc(n));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn providers(r: &Report, out: &mut String) {
    out.push_str("<section id=\"providers\">\n<h2>Providers, waivers and policy</h2>\n");
    if !r.providers.is_empty() {
        out.push_str("<table>\n<thead><tr><th>provider</th><th>account</th><th>network</th><th>encryption</th><th>waived checks</th></tr></thead>\n<tbody>\n");
        for p in &r.providers {
            let waivers: Vec<String> = p
                .waivers
                .iter()
                .map(|w| format!("<code>{}</code>: {}", esc(&w.check), esc(&w.reason)))
                .collect();
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&p.address),
                esc(&p.account),
                network(p, "<span class=\"v-bad\">public access</span>"),
                key_management(p),
                joined_or_dash(&waivers, "<br>")
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if r.policy.is_empty() {
        out.push_str("<p>No policy settings.</p>\n");
    } else {
        out.push_str("<h3>Policy</h3>\n<table>\n<tbody>\n");
        for p in &r.policy {
            let _ = writeln!(
                out,
                "<tr><th><code>{}</code></th><td>{}</td></tr>",
                esc(p.name),
                esc(&p.value)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}
