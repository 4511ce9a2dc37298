//! The report as GitHub Flavored Markdown, sized for one pull-request comment: the verdict
//! first, then the findings and the residency matrix, the other sections collapsed. Never
//! longer than [`LIMIT`] characters: past it every table is cut to the same number of rows
//! (rows that need attention first) and the comment says how much was left out.

use crate::escape::{markdown as md, markdown_code as code};
use crate::wording::{
    joined_or_dash, key_management, location_text as at, network, plural, reserved_capacity,
    retention, share_of,
};
use crate::{usd, Finding, Report, Verdict};
use meridian_diag::Severity;
use std::fmt::Write as _;

/// GitHub comments hold 65,536 characters; this leaves room for a wrapper's header.
pub const LIMIT: usize = 60_000;

/// The report as Markdown, within [`LIMIT`] characters.
pub fn render(report: &Report) -> String {
    render_limited(report, LIMIT)
}

/// [`render`] with a given limit (in characters). When the whole report is longer, every
/// table is first cut to the same number of rows, then the tables in order (findings and the
/// matrix first) take back rows while the comment still fits.
pub fn render_limited(report: &Report, limit: usize) -> String {
    let doc = document(report);
    let tables = doc.table_sizes();
    let full: Vec<Option<usize>> = vec![None; tables.len()];
    if doc.len(&full) <= limit {
        return doc.assemble(&full);
    }
    let largest = |caps: &mut Vec<Option<usize>>, which: Option<usize>, lo: usize, hi: usize| {
        let (mut lo, mut hi) = (lo, hi);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            match which {
                Some(t) => caps[t] = Some(mid),
                None => caps.fill(Some(mid)),
            }
            if doc.len(caps) <= limit {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        lo
    };
    let mut caps = full;
    let max = tables.iter().copied().max().unwrap_or(0);
    let uniform = largest(&mut caps, None, 0, max);
    caps.fill(Some(uniform));
    for (t, &rows) in tables.iter().enumerate() {
        if rows > uniform {
            let best = largest(&mut caps, Some(t), uniform, rows);
            caps[t] = Some(best);
        }
    }
    let mut out = doc.assemble(&caps);
    if out.chars().count() > limit {
        out = out.chars().take(limit).collect();
    }
    out
}

/// Rows of one table, each flagged when it needs attention (kept first when cut).
struct Rows {
    rows: Vec<(String, bool)>,
}

impl Rows {
    fn new() -> Self {
        Rows { rows: Vec::new() }
    }
    fn push(&mut self, row: String, urgent: bool) {
        self.rows.push((row, urgent));
    }
    /// Adds the table (header and rows) to the document.
    fn write(self, doc: &mut Doc, header: &str) {
        doc.flush();
        let lens = self.rows.iter().map(|(r, _)| r.chars().count()).collect();
        doc.parts.push(Part::Table {
            header: header.to_string(),
            rows: self.rows,
            lens,
        });
    }
}

/// The comment before it is cut to size: text, and tables whose rows may be cut.
enum Part {
    Text(String),
    Table {
        header: String,
        rows: Vec<(String, bool)>,
        /// Each row's length in characters.
        lens: Vec<usize>,
    },
}

#[derive(Default)]
struct Doc {
    parts: Vec<Part>,
    buf: String,
}

/// Which rows of a table are kept with at most `cap` rows: urgent ones first, order kept.
fn kept_rows(rows: &[(String, bool)], cap: Option<usize>) -> Vec<bool> {
    let total = rows.len();
    let cap = cap.unwrap_or(total).min(total);
    let mut keep = vec![false; total];
    let mut kept = 0;
    for pass in [true, false] {
        for (i, (_, urgent)) in rows.iter().enumerate() {
            if kept < cap && !keep[i] && (*urgent || !pass) {
                keep[i] = true;
                kept += 1;
            }
        }
    }
    keep
}

fn left_out_note(left: usize) -> String {
    format!(
        "\n_{left} more row{} not shown; `meridian report --format html` has them all._\n",
        plural(left)
    )
}

impl Doc {
    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.parts.push(Part::Text(std::mem::take(&mut self.buf)));
        }
    }

    /// The number of rows of each table, in order.
    fn table_sizes(&self) -> Vec<usize> {
        self.parts
            .iter()
            .filter_map(|p| match p {
                Part::Table { rows, .. } => Some(rows.len()),
                Part::Text(_) => None,
            })
            .collect()
    }

    /// The length in characters of [`assemble`](Self::assemble)`(caps)`.
    fn len(&self, caps: &[Option<usize>]) -> usize {
        let mut n = 0;
        let mut table = 0;
        for p in &self.parts {
            match p {
                Part::Text(t) => n += t.chars().count(),
                Part::Table { header, rows, lens } => {
                    let cap = caps.get(table).copied().flatten();
                    table += 1;
                    let kept = cap.unwrap_or(rows.len()).min(rows.len());
                    n += header.chars().count() + 1;
                    // Urgent rows are kept first: sum the lengths of the rows kept.
                    let keep = kept_rows(rows, cap);
                    n += lens
                        .iter()
                        .zip(&keep)
                        .filter(|(_, k)| **k)
                        .map(|(l, _)| l)
                        .sum::<usize>();
                    if kept < rows.len() {
                        n += left_out_note(rows.len() - kept).chars().count();
                    }
                }
            }
        }
        n
    }

    fn assemble(&self, caps: &[Option<usize>]) -> String {
        let mut out = String::new();
        let mut table = 0;
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Table { header, rows, .. } => {
                    let cap = caps.get(table).copied().flatten();
                    table += 1;
                    out.push_str(header);
                    let keep = kept_rows(rows, cap);
                    let mut left = 0;
                    for ((row, _), k) in rows.iter().zip(&keep) {
                        if *k {
                            out.push_str(row);
                        } else {
                            left += 1;
                        }
                    }
                    if left > 0 {
                        out.push_str(&left_out_note(left));
                    }
                    out.push('\n');
                }
            }
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

fn severity_mark(s: Severity) -> &'static str {
    match s {
        Severity::Error => "❌ error",
        Severity::Warning => "⚠️ warning",
    }
}

fn verdict_mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Compliant => "✅ compliant",
        Verdict::Outside => "❌ **outside residency**",
        Verdict::NoRule => "➖ no rule",
    }
}

fn list_cut(items: &[String], max: usize) -> String {
    if items.len() > max {
        format!(
            "{} and {} more",
            items[..max]
                .iter()
                .map(|s| md(s))
                .collect::<Vec<_>>()
                .join(", "),
            items.len() - max
        )
    } else {
        items.iter().map(|s| md(s)).collect::<Vec<_>>().join(", ")
    }
}

fn location_text(f: &Finding) -> String {
    match &f.location {
        Some(l) => code(&at(l)),
        None => "—".into(),
    }
}

fn headline(r: &Report, out: &mut String) {
    let s = &r.summary;
    let _ = writeln!(
        out,
        "### Meridian compliance report{}\n",
        r.project
            .as_ref()
            .map(|p| format!(": {}", code(p)))
            .unwrap_or_default()
    );
    let mut parts: Vec<String> = Vec::new();
    if s.outside_targets > 0 {
        parts.push(format!(
            "❌ **{} of {} target{} may process prompts outside residency**",
            s.outside_targets,
            s.targets,
            plural(s.targets)
        ));
    } else if s.targets > 0 {
        parts.push(format!(
            "✅ **{} of {} target{} comply with their residency rules**{}",
            s.compliant_targets,
            s.targets,
            plural(s.targets),
            if s.unruled_targets > 0 {
                format!(" ({} without a rule)", s.unruled_targets)
            } else {
                String::new()
            }
        ));
    }
    if s.log_sinks_outside > 0 {
        parts.push(format!(
            "❌ **{} log sink{} outside residency**",
            s.log_sinks_outside,
            plural(s.log_sinks_outside)
        ));
    }
    parts.push(format!(
        "{} error{}, {} warning{}",
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings)
    ));
    if let Some(m) = s.monthly_usd {
        parts.push(match s.budget_usd {
            Some(b) if m > b => {
                format!("❌ **{} per month, over the budget of {}**", usd(m), usd(b))
            }
            Some(b) => format!("{} per month (budget {})", usd(m), usd(b)),
            None => format!("{} per month", usd(m)),
        });
    }
    let _ = writeln!(out, "{}\n", parts.join(" · "));
    if !r.valid {
        out.push_str("**The spec is invalid**: the findings below must be fixed before it can be planned.\n\n");
    }
    let _ = writeln!(
        out,
        "<sub>spec {} · catalog as of {} · meridian {}</sub>\n",
        code(&r.spec_hash),
        md(&r.catalog_as_of),
        md(&r.tool_version)
    );
}

fn findings(r: &Report, doc: &mut Doc) {
    if r.findings.is_empty() {
        doc.buf.push_str("#### Findings\n\nNo findings.\n\n");
        return;
    }
    let _ = writeln!(
        doc.buf,
        "#### Findings ({} error{}, {} warning{})\n",
        r.summary.errors,
        plural(r.summary.errors),
        r.summary.warnings,
        plural(r.summary.warnings)
    );
    let mut rows = Rows::new();
    for f in &r.findings {
        rows.push(
            format!(
                "| {} | {} | {} | {} |\n",
                severity_mark(f.severity),
                code(f.code),
                md(&f.summary),
                location_text(f)
            ),
            f.severity == Severity::Error,
        );
    }
    rows.write(doc, "| | code | finding | location |\n|---|---|---|---|\n");
}

fn matrix(r: &Report, doc: &mut Doc) {
    if r.matrix.is_empty() {
        return;
    }
    doc.buf.push_str("#### Residency matrix\n\n");
    let mut rows = Rows::new();
    for m in &r.matrix {
        let footprint: Vec<String> = m
            .footprint
            .iter()
            .map(|f| format!("{} ({})", f.region, f.country))
            .collect();
        let mut verdict = verdict_mark(m.verdict).to_string();
        if !m.reasons.is_empty() {
            verdict.push_str(": ");
            verdict.push_str(&md(&m.reasons.join("; ")));
        }
        rows.push(
            format!(
                "| {} | {}. {} | {} | {} {} | {} | {}{} | {} | {} | {} | {} |\n",
                md(&m.model),
                m.tier_position,
                md(&m.tier),
                md(&m.target),
                m.cloud,
                md(&m.region),
                code(&m.model_id),
                m.processing,
                m.via
                    .as_ref()
                    .map(|v| format!(" via {}", code(v)))
                    .unwrap_or_default(),
                list_cut(&footprint, 6),
                list_cut(&m.countries, 30),
                m.residency.as_deref().map_or_else(|| "—".into(), md),
                verdict
            ),
            m.verdict == Verdict::Outside,
        );
    }
    rows.write(
        doc,
        "| model | tier | target | cloud · region | model id | processing | footprint | countries | residency | verdict |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
}

fn details_open(out: &mut String, title: &str) {
    let _ = writeln!(out, "<details><summary><b>{title}</b></summary>\n");
}

fn details_close(out: &mut String) {
    out.push_str("</details>\n\n");
}

fn failover(r: &Report, doc: &mut Doc) {
    if r.failover.is_empty() {
        return;
    }
    details_open(&mut doc.buf, "Failover chains and capacity");
    let mut rows = Rows::new();
    for c in &r.failover {
        let chain: Vec<String> = c
            .tiers
            .iter()
            .map(|t| {
                let targets: Vec<String> = t
                    .targets
                    .iter()
                    .map(|x| format!("{} {}", x.cloud, md(&x.region)))
                    .collect();
                let mut capacity = reserved_capacity(t);
                if t.on_demand_targets > 0 {
                    capacity.push(if t.on_demand_targets == t.targets.len() {
                        "on demand".into()
                    } else {
                        format!("{} on demand", t.on_demand_targets)
                    });
                }
                format!(
                    "{}{}. {}: {} ({})",
                    if t.compliant { "" } else { "❌ " },
                    t.position,
                    md(&t.name),
                    list_cut(&targets, 4),
                    capacity.join(" + ")
                )
            })
            .collect();
        let spof = if c.single_points_of_failure.is_empty() {
            "none".to_string()
        } else {
            format!("❌ {}", list_cut(&c.single_points_of_failure, 6))
        };
        rows.push(
            format!(
                "| {} | {} | {} | {} |\n",
                md(&c.model),
                crate::strategy_name(c.strategy),
                chain.join(" → "),
                spof
            ),
            !c.tiers.iter().all(|t| t.compliant) || !c.single_points_of_failure.is_empty(),
        );
    }
    rows.write(
        doc,
        "| model | strategy | tiers in order: targets (capacity) | single points of failure |\n|---|---|---|---|\n",
    );
    details_close(&mut doc.buf);
}

fn access(r: &Report, doc: &mut Doc) {
    if r.access.is_empty() {
        return;
    }
    details_open(&mut doc.buf, "Access and generated grants");
    if let Some(note) = &r.grants_note {
        let _ = writeln!(doc.buf, "_{}_\n", md(note));
    }
    let mut rows = Rows::new();
    for a in &r.access {
        let models = list_cut(&a.models, 8);
        if a.grants.is_empty() {
            for p in &a.principals {
                rows.push(
                    format!(
                        "| {} | {} | {} | {} | — | — |\n",
                        md(&a.name),
                        models,
                        p.cloud,
                        code(&p.id)
                    ),
                    false,
                );
            }
        }
        for g in &a.grants {
            let mut on = list_cut(&g.resources, 4);
            if !g.denies.is_empty() {
                let _ = write!(on, "; **denied**: {}", list_cut(&g.denies, 4));
            }
            rows.push(
                format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    md(&a.name),
                    models,
                    g.cloud,
                    code(&g.principal),
                    list_cut(&g.permissions, 4),
                    on
                ),
                false,
            );
        }
    }
    rows.write(
        doc,
        "| access | models | cloud | principal | may | on |\n|---|---|---|---|---|---|\n",
    );
    details_close(&mut doc.buf);
}

fn logging(r: &Report, doc: &mut Doc) {
    if r.logging.is_empty() {
        return;
    }
    details_open(&mut doc.buf, "Log sinks");
    let mut rows = Rows::new();
    for l in &r.logging {
        let mut verdict = verdict_mark(l.verdict).to_string();
        if !l.reasons.is_empty() {
            verdict.push_str(": ");
            verdict.push_str(&md(&l.reasons.join("; ")));
        }
        rows.push(
            format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                md(&l.logging),
                l.cloud,
                code(&l.destination),
                md(&l.location),
                list_cut(&l.countries, 30),
                retention(l.retention_days),
                list_cut(&l.records_models, 8),
                verdict
            ),
            l.verdict == Verdict::Outside,
        );
    }
    rows.write(
        doc,
        "| logging | cloud | destination | location | countries | retention | records | verdict |\n|---|---|---|---|---|---|---|---|\n",
    );
    details_close(&mut doc.buf);
}

fn cost(r: &Report, doc: &mut Doc) {
    let Some(c) = &r.cost else {
        return;
    };
    details_open(
        &mut doc.buf,
        &format!(
            "Cost: {} per month{}",
            usd(c.normal.total_usd),
            c.budget_usd
                .map(|b| format!(" (budget {})", usd(b)))
                .unwrap_or_default()
        ),
    );
    let _ = writeln!(
        doc.buf,
        "List prices in {} as of {}. _Normal_ is the traffic on the first tier (weighted strategy: every tier by weight); each tier's figure is what the month costs if that tier takes all of the model's traffic.\n",
        md(c.currency),
        md(&c.catalog_as_of)
    );
    let mut rows = Rows::new();
    for m in &r.failover {
        let normal = c.normal.by_model.get(&m.model).copied().unwrap_or(0.0);
        let tiers: Vec<String> = c
            .tiers
            .iter()
            .filter(|t| t.model == m.model)
            .map(|t| format!("{}. {}: {}", t.position, md(&t.tier), usd(t.monthly_usd)))
            .collect();
        let share = share_of(normal, c.normal.total_usd);
        let no_usage = c.models_without_usage.contains(&m.model);
        rows.push(
            format!(
                "| {} | {} | {} | {} |\n",
                md(&m.model),
                if no_usage {
                    "no usage block".to_string()
                } else {
                    usd(normal)
                },
                share,
                tiers.join(" · ")
            ),
            false,
        );
    }
    rows.write(
        doc,
        "| model | normal per month | share | if one tier takes all traffic |\n|---|--:|--:|---|\n",
    );
    let mut rows = Rows::new();
    for (provider, amount) in &c.normal.by_provider {
        rows.push(format!("| {} | {} |\n", md(provider), usd(*amount)), false);
    }
    rows.write(doc, "| provider | normal per month |\n|---|--:|\n");
    if !c.notes.is_empty() {
        let mut rows = Rows::new();
        for n in &c.notes {
            rows.push(format!("- {}\n", md(n)), false);
        }
        rows.write(doc, "Notes:\n\n");
    }
    details_close(&mut doc.buf);
}

fn providers(r: &Report, doc: &mut Doc) {
    if r.providers.is_empty() && r.policy.is_empty() {
        return;
    }
    details_open(&mut doc.buf, "Providers, waivers and policy");
    let mut rows = Rows::new();
    for p in &r.providers {
        let waivers: Vec<String> = p
            .waivers
            .iter()
            .map(|w| format!("{}: {}", code(&w.check), md(&w.reason)))
            .collect();
        rows.push(
            format!(
                "| {} | {} | {} | {} | {} |\n",
                code(&p.address),
                code(&p.account),
                network(p, "⚠️ public"),
                key_management(p),
                joined_or_dash(&waivers, "<br>")
            ),
            !p.waivers.is_empty(),
        );
    }
    rows.write(
        doc,
        "| provider | account | network | encryption | waivers |\n|---|---|---|---|---|\n",
    );
    if !r.policy.is_empty() {
        doc.buf.push_str("Policy: ");
        doc.buf.push_str(
            &r.policy
                .iter()
                .map(|p| format!("{} = {}", code(p.name), md(&p.value)))
                .collect::<Vec<_>>()
                .join(" · "),
        );
        doc.buf.push_str("\n\n");
    }
    details_close(&mut doc.buf);
}

fn document(r: &Report) -> Doc {
    let mut doc = Doc::default();
    headline(r, &mut doc.buf);
    findings(r, &mut doc);
    matrix(r, &mut doc);
    failover(r, &mut doc);
    access(r, &mut doc);
    logging(r, &mut doc);
    cost(r, &mut doc);
    providers(r, &mut doc);
    doc.flush();
    doc
}
