use super::{plural, print_invalid, RUN_VALIDATE};
use crate::cli::SimulateArgs;
use crate::driver;
use crate::exit;
use crate::output::Output;
use meridian_diag::codes;
use meridian_model::cost::format_usd;
use meridian_model::ir::Project;
use meridian_model::simulate::{
    all_single_failures, parse_failure, simulate as run_simulation, FailureScenario, ModelOutcome,
    Simulation, SingleFailureReport,
};
use meridian_spec::Inputs;
use serde::Serialize;

/// Policy findings a simulation answers in detail: a spec failing only these is still
/// simulated (the exit code stays 1).
const ANSWERED_BY_SIMULATION: [meridian_diag::Code; 4] = [
    codes::POL_SINGLE_FAILURE,
    codes::POL_ACROSS_PROVIDERS,
    codes::POL_MIN_TIERS,
    codes::POL_MAX_COST,
];

/// The `--json` output: one object, the same keys in both modes.
#[derive(Serialize)]
struct JsonOutput<'a> {
    format_version: &'static str,
    /// `fail` or `all_single_failures`.
    mode: &'static str,
    currency: &'static str,
    catalog_as_of: &'a str,
    simulation: Option<&'a Simulation>,
    single_failures: Option<&'a SingleFailureReport>,
    /// `policy.survive_single_failure`.
    survive_single_failure: bool,
    /// Models that lose service (or would only serve outside their residency).
    failing_models: Vec<String>,
    /// False when the policy requires surviving and some model does not.
    passed: bool,
}

/// `meridian simulate`: outages given with `--fail`, or every single outage.
pub fn simulate(args: &SimulateArgs, inputs: &Inputs, out: &mut Output<'_>) -> i32 {
    let checked = driver::check(&args.spec.path, inputs, driver::today());
    let blocking = checked
        .diagnostics
        .iter()
        .any(|d| d.is_error() && !ANSWERED_BY_SIMULATION.contains(&d.code));
    if blocking || checked.project.is_none() {
        print_invalid(&checked, out, RUN_VALIDATE);
        return exit::ERROR;
    }
    let policy_errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code.id, d.summary))
        .collect();
    for e in &policy_errors {
        let _ = writeln!(out.err, "Policy: {e}");
    }
    let Some(project) = checked.project else {
        return exit::ERROR;
    };
    let catalog = checked.catalog;
    let must_survive = project.policy.survive_single_failure;

    if args.all_single_failures {
        let report = all_single_failures(&project, &catalog);
        let failing: Vec<String> = report.single_points_of_failure.keys().cloned().collect();
        let passed = !must_survive || failing.is_empty();
        if args.json {
            print_json(
                out,
                &JsonOutput {
                    format_version: "1",
                    mode: "all_single_failures",
                    currency: "USD",
                    catalog_as_of: &project.catalog_as_of,
                    simulation: None,
                    single_failures: Some(&report),
                    survive_single_failure: must_survive,
                    failing_models: failing,
                    passed,
                },
            );
        } else {
            render_all(out, &project, &report);
        }
        if !passed {
            let _ = writeln!(
                out.err,
                "Error: policy.survive_single_failure = true, but {} cannot survive every single outage.",
                quoted_list(&report.single_points_of_failure.keys().cloned().collect::<Vec<_>>())
            );
            return exit::ERROR;
        }
        return if policy_errors.is_empty() {
            exit::OK
        } else {
            exit::ERROR
        };
    }

    let mut failures = Vec::new();
    let mut errors = Vec::new();
    for text in &args.fail {
        match parse_failure(text, &project) {
            Ok(f) => {
                if !failures.contains(&f) {
                    failures.push(f);
                }
            }
            Err(e) => errors.push(format!("--fail {text}: {e}")),
        }
    }
    if !errors.is_empty() || failures.is_empty() {
        if errors.is_empty() {
            errors.push(
                "say what fails: --fail PROVIDER[:REGION] (repeatable), or --all-single-failures"
                    .to_string(),
            );
        }
        for e in errors {
            let _ = writeln!(out.err, "Error: {e}");
        }
        return exit::ERROR;
    }
    let sim = run_simulation(&project, &catalog, &failures);
    let failing: Vec<String> = sim
        .models
        .iter()
        .filter(|o| o.lost_service || o.leaves_residency)
        .map(|o| o.model.clone())
        .collect();
    let passed = !must_survive || failing.is_empty();
    if args.json {
        print_json(
            out,
            &JsonOutput {
                format_version: "1",
                mode: "fail",
                currency: "USD",
                catalog_as_of: &project.catalog_as_of,
                simulation: Some(&sim),
                single_failures: None,
                survive_single_failure: must_survive,
                failing_models: failing.clone(),
                passed,
            },
        );
    } else {
        render_simulation(out, &sim);
    }
    if !passed {
        let _ = writeln!(
            out.err,
            "Error: policy.survive_single_failure = true, but {} would not be served within residency.",
            quoted_list(&failing)
        );
        return exit::ERROR;
    }
    if policy_errors.is_empty() {
        exit::OK
    } else {
        exit::ERROR
    }
}

fn print_json(out: &mut Output<'_>, value: &JsonOutput<'_>) {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into());
    let _ = writeln!(out.out, "{text}");
}

fn quoted_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("model \"{n}\"")).collect();
    quoted.join(", ")
}

/// "rises by $12.00 (+5.0%)", "falls by …", "unchanged".
fn change(before: f64, after: f64) -> String {
    let diff = after - before;
    if diff.abs() < 0.005 {
        return "unchanged".to_string();
    }
    let verb = if diff > 0.0 { "rises" } else { "falls" };
    let pct = if before.abs() >= 0.005 {
        format!(" ({:+.1}%)", diff / before * 100.0)
    } else {
        String::new()
    };
    format!("{verb} by {}{pct}", format_usd(diff.abs()))
}

/// Left-aligned columns, two spaces apart, indented.
fn table(out: &mut Output<'_>, indent: &str, rows: &[Vec<String>]) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::from(indent);
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < row.len() {
                let pad = widths[c].saturating_sub(cell.chars().count()) + 2;
                line.push_str(&" ".repeat(pad));
            }
        }
        let _ = writeln!(out.out, "{}", line.trim_end());
    }
}

fn render_outcome(out: &mut Output<'_>, o: &ModelOutcome) {
    let rule = o.residency.as_ref().map_or_else(
        || "no residency rule".to_string(),
        |r| format!("residency \"{r}\""),
    );
    let _ = writeln!(out.out, "\nmodel \"{}\" ({rule})", o.model);
    if !o.down_targets.is_empty() {
        let _ = writeln!(out.out, "  down: {}", o.down_targets.join(", "));
    }
    match &o.serving {
        None => {
            let _ = writeln!(out.out, "  LOSES SERVICE: no target is left.");
        }
        Some(s) => {
            let how = if s.pooled {
                "pooled across tiers by weight"
            } else if o.failed_over {
                "failed over"
            } else {
                "as normal"
            };
            let _ = writeln!(
                out.out,
                "  served by tier {} \"{}\" ({how})",
                s.position, s.tier
            );
            let mut rows = vec![[
                "TIER",
                "TARGET",
                "PROVIDER",
                "REGION",
                "PROCESSING",
                "SHARE",
                "MONTHLY",
                "RESIDENCY",
                "FOOTPRINT",
            ]
            .map(String::from)
            .to_vec()];
            for t in &s.targets {
                let verdict = match (&t.verdict.residency, t.verdict.complies) {
                    (None, _) => "no rule".to_string(),
                    (Some(_), true) => "complies".to_string(),
                    (Some(_), false) => "LEAVES RESIDENCY".to_string(),
                };
                rows.push(vec![
                    t.tier.clone(),
                    t.target.clone(),
                    t.provider.clone(),
                    t.region.clone(),
                    t.processing.clone(),
                    format!("{:.0}%", t.share * 100.0),
                    if !o.estimated {
                        "-".to_string()
                    } else if t.unpriced {
                        "no price".to_string()
                    } else if t.price_verified {
                        format_usd(t.monthly_usd)
                    } else {
                        format!("{}*", format_usd(t.monthly_usd))
                    },
                    verdict,
                    format!(
                        "{} ({} region{})",
                        t.footprint_countries.join(", "),
                        t.footprint_regions.len(),
                        plural(t.footprint_regions.len())
                    ),
                ]);
            }
            table(out, "    ", &rows);
            for t in s.targets.iter().filter(|t| !t.verdict.complies) {
                let _ = writeln!(
                    out.out,
                    "    {} leaves residency: {}",
                    t.target,
                    t.verdict.reasons.join("; ")
                );
            }
        }
    }
    if o.estimated {
        let _ = writeln!(
            out.out,
            "  monthly: {} -> {} ({})",
            format_usd(o.monthly_usd_before),
            format_usd(o.monthly_usd_after),
            change(o.monthly_usd_before, o.monthly_usd_after)
        );
    } else {
        let _ = writeln!(out.out, "  monthly: not estimated (no usage block)");
    }
}

fn render_simulation(out: &mut Output<'_>, sim: &Simulation) {
    let _ = writeln!(out.out, "Simulated outage: {}", sim.failed.join(" + "));
    for o in &sim.models {
        render_outcome(out, o);
    }
    let _ = writeln!(
        out.out,
        "\nTotal monthly estimate: {} -> {} ({})",
        format_usd(sim.total_before),
        format_usd(sim.total_after),
        change(sim.total_before, sim.total_after)
    );
    let targets = || {
        sim.models
            .iter()
            .filter_map(|o| o.serving.as_ref())
            .flat_map(|s| &s.targets)
    };
    if targets().any(|t| !t.unpriced && !t.price_verified) {
        let _ = writeln!(
            out.out,
            "* approximate: the catalog price is unconfirmed or another processing mode's."
        );
    }
    if targets().any(|t| t.unpriced) {
        let _ = writeln!(
            out.out,
            "Targets marked \"no price\" have no catalog price and count as $0: the estimate after the outage is too low."
        );
        let mut reasons: Vec<(&str, &str)> = targets()
            .filter_map(|t| Some((t.address.as_str(), t.no_price.as_deref()?)))
            .collect();
        reasons.sort_unstable();
        reasons.dedup();
        for (address, reason) in reasons {
            let _ = writeln!(out.out, "  {address}: no catalog price: {reason}");
        }
    }
    if sim.lost_service.is_empty() && sim.leaves_residency.is_empty() {
        let _ = writeln!(out.out, "Every model keeps serving within its residency.");
    } else {
        if !sim.lost_service.is_empty() {
            let _ = writeln!(out.out, "Losing service: {}", sim.lost_service.join(", "));
        }
        if !sim.leaves_residency.is_empty() {
            let _ = writeln!(
                out.out,
                "Leaving residency: {}",
                sim.leaves_residency.join(", ")
            );
        }
    }
}

fn dash_if_empty(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(", ")
    }
}

fn render_all(out: &mut Output<'_>, project: &Project, report: &SingleFailureReport) {
    let _ = writeln!(
        out.out,
        "Tried {} single outage{} against {} model{}:\n",
        report.scenarios.len(),
        plural(report.scenarios.len()),
        project.models.len(),
        plural(project.models.len())
    );
    let mut rows = vec![[
        "FAILURE",
        "LOSES SERVICE",
        "LEAVES RESIDENCY",
        "FAILS OVER",
        "MONTHLY AFTER",
    ]
    .map(String::from)
    .to_vec()];
    for s in &report.scenarios {
        rows.push(vec![
            s.failure.clone(),
            dash_if_empty(&s.lost_service),
            dash_if_empty(&s.leaves_residency),
            dash_if_empty(&s.failed_over),
            format!(
                "{} ({})",
                format_usd(s.total_after),
                change(report.total_before, s.total_after)
            ),
        ]);
    }
    table(out, "  ", &rows);
    let _ = writeln!(
        out.out,
        "\nNormal monthly estimate: {}",
        format_usd(report.total_before)
    );
    if report.single_points_of_failure.is_empty() {
        let _ = writeln!(
            out.out,
            "Single points of failure: none. Every model keeps serving after any one outage."
        );
    } else {
        let _ = writeln!(out.out, "Single points of failure:");
        for model in report.single_points_of_failure.keys() {
            let when = |pick: fn(&FailureScenario) -> &Vec<String>| -> Vec<&str> {
                report
                    .scenarios
                    .iter()
                    .filter(|s| pick(s).contains(model))
                    .map(|s| s.failure.as_str())
                    .collect()
            };
            let lost = when(|s| &s.lost_service);
            let leaves = when(|s| &s.leaves_residency);
            if !lost.is_empty() {
                let _ = writeln!(
                    out.out,
                    "  model \"{model}\" loses service when {} fails",
                    lost.join(" or ")
                );
            }
            if !leaves.is_empty() {
                let _ = writeln!(
                    out.out,
                    "  model \"{model}\" would only keep serving outside its residency when {} fails",
                    leaves.join(" or ")
                );
            }
        }
    }
    if report.residency_breaches.is_empty() {
        let _ = writeln!(
            out.out,
            "Residency: no simulated path leaves residency ({} serving path{} checked).",
            report.paths_checked,
            plural(report.paths_checked)
        );
    } else {
        let _ = writeln!(
            out.out,
            "Residency: {} simulated path{} leave residency:",
            report.residency_breaches.len(),
            plural(report.residency_breaches.len())
        );
        for b in &report.residency_breaches {
            let _ = writeln!(
                out.out,
                "  {}: model \"{}\" -> {}: {}",
                b.failure,
                b.model,
                b.address,
                b.reasons.join("; ")
            );
        }
    }
}
