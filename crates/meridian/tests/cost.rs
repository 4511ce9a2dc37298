//! Cost estimates: the figures of the EU example checked by hand against the catalog's list
//! prices, the budget rule on the normal case, and the plan's line about the change.

#[path = "support/common.rs"]
mod common;

use common::{close, edit, example, meridian, repo, run};
use meridian::driver;
use meridian_model::cost::{cost_report, format_usd, CostReport};
use meridian_model::Date;
use meridian_spec::Inputs;
use serde_json::Value;
use std::path::Path;

/// The price entry `(input_per_1m, output_per_1m, verified)` of a model in a built-in
/// catalog file, for one processing mode.
fn catalog_price(file: &str, model: &str, processing: &str) -> Option<(f64, f64, bool)> {
    let text =
        std::fs::read_to_string(repo().join("schema/catalog").join(file)).expect("catalog file");
    let json: Value = serde_json::from_str(&text).expect("catalog json");
    let m = json["models"]
        .as_array()?
        .iter()
        .find(|m| m["id"] == model)?;
    let p = m["prices"]
        .as_array()?
        .iter()
        .find(|p| p["processing"] == processing)?;
    Some((
        p["input_per_1m"].as_f64()?,
        p["output_per_1m"].as_f64()?,
        p["verified"].as_bool().unwrap_or(true),
    ))
}

fn eu_bank_report() -> CostReport {
    let checked = driver::check(
        &repo().join("examples/eu-bank"),
        &Inputs::default(),
        Date::today(),
    );
    assert!(checked.is_valid(), "eu-bank must be valid");
    let project = checked.project.as_ref().expect("project");
    cost_report(project, &checked.catalog)
}

const SONNET: &str = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU: &str = "anthropic.claude-haiku-4-5-20251001-v1:0";

#[test]
fn the_prices_used_by_hand_are_the_catalog_prices() {
    // gpt-5.1: the catalog lists only the Global Standard price, flagged unverified; the
    // regional deployments of the example use it as an approximation.
    assert_eq!(
        catalog_price("models-azure.json", "gpt-5.1", "global"),
        Some((1.25, 10.0, false))
    );
    assert_eq!(
        catalog_price("models-azure.json", "gpt-5.1", "region"),
        None
    );
    assert_eq!(
        catalog_price("models-aws.json", SONNET, "geography"),
        Some((3.3, 16.5, false))
    );
    assert_eq!(
        catalog_price("models-aws.json", HAIKU, "region"),
        Some((1.1, 5.5, false))
    );
    assert_eq!(
        catalog_price("models-gcp.json", "gemini-3.5-flash", "geography"),
        None
    );
    assert_eq!(
        catalog_price("models-gcp.json", "gemini-3.1-flash-lite", "geography"),
        None
    );
}

#[test]
fn eu_bank_normal_case_checked_by_hand() {
    let r = eu_bank_report();
    assert_eq!(r.currency, "USD");
    assert_eq!(r.budget_usd, None);

    // assistant, primary: aoai-sweden, gpt-5.1, 900M input + 120M output tokens a month.
    let assistant = 900.0 * 1.25 + 120.0 * 10.0; // = 2325
                                                 // document-review, primary: aoai-sweden, gpt-5.1, 400M + 20M.
    let document_review = 400.0 * 1.25 + 20.0 * 10.0; // = 700
                                                      // triage, primary: two Bedrock Haiku 4.5 targets in-region, 50/50, 1500M + 30M.
    let triage_each = 0.5 * (1500.0 * 1.1 + 30.0 * 5.5); // = 907.5
    assert!(close(assistant, 2325.0) && close(document_review, 700.0));
    assert!(close(triage_each, 907.5));

    assert!(close(r.normal.by_model["assistant"], assistant));
    assert!(close(r.normal.by_model["document-review"], document_review));
    assert!(close(r.normal.by_model["triage"], 2.0 * triage_each));
    assert!(close(
        r.normal.by_provider["azure.corp"],
        assistant + document_review
    ));
    assert!(close(r.normal.by_provider["aws.corp"], 2.0 * triage_each));
    assert!(!r.normal.by_provider.contains_key("gcp.corp"));
    assert!(close(r.normal.total_usd, 4840.0));
    assert_eq!(format_usd(r.normal.total_usd), "$4,840.00");

    let triage: Vec<(&str, f64, f64)> = r
        .normal
        .lines
        .iter()
        .filter(|l| l.model == "triage")
        .map(|l| (l.target.as_str(), l.share, l.monthly_usd))
        .collect();
    assert_eq!(
        triage,
        vec![
            ("bedrock-ireland", 0.5, triage_each),
            ("bedrock-stockholm", 0.5, triage_each)
        ]
    );
    let line = &r.normal.lines[0];
    assert_eq!(
        (
            line.model.as_str(),
            line.tier.as_str(),
            line.address.as_str(),
            line.provider.as_str(),
            line.cloud.as_str(),
            line.region.as_str()
        ),
        (
            "assistant",
            "primary",
            "model.assistant.tier.primary.target.aoai-sweden",
            "azure.corp",
            "azure",
            "swedencentral"
        )
    );
    assert!(!line.price_verified && !line.unpriced);
}

#[test]
fn eu_bank_each_failover_tier_taking_all_traffic_checked_by_hand() {
    let r = eu_bank_report();
    let tier = |model: &str, tier: &str| {
        r.tiers
            .iter()
            .find(|t| t.model == model && t.tier == tier)
            .unwrap_or_else(|| panic!("{model}/{tier}"))
    };
    assert_eq!(r.tiers.len(), 3 + 3 + 2);
    assert!(close(
        tier("assistant", "primary").monthly_usd,
        900.0 * 1.25 + 120.0 * 10.0
    ));
    // Bedrock Sonnet 4.5 through the eu. geographic profile.
    assert!(close(
        tier("assistant", "secondary").monthly_usd,
        900.0 * 3.3 + 120.0 * 16.5
    ));
    assert_eq!(tier("assistant", "secondary").position, 2);
    // Gemini 3.5 Flash on the Vertex `eu` multi-region: the catalog lists only a global price
    // ($1.50 / $9.00), which is used and said so.
    let tertiary = tier("assistant", "tertiary");
    assert!(close(tertiary.monthly_usd, 900.0 * 1.50 + 120.0 * 9.00));
    assert!(!tertiary.lines[0].unpriced);
    assert!(close(
        tier("document-review", "last-resort").monthly_usd,
        400.0 * 3.3 + 20.0 * 16.5
    ));
    assert!(close(
        tier("triage", "primary").monthly_usd,
        1500.0 * 1.1 + 30.0 * 5.5
    ));
    // Gemini 3.1 Flash-Lite, likewise at its global price ($0.25 / $1.50).
    assert!(close(
        tier("triage", "secondary").monthly_usd,
        1500.0 * 0.25 + 30.0 * 1.50
    ));

    assert!(
        r.notes.iter().any(|n| n.contains(
            "lists no geography price for gemini-3.5-flash on gcp; the global price is used"
        )),
        "{:?}",
        r.notes
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n
                .contains("lists no region price for gpt-5.1 on azure; the global price is used")),
        "{:?}",
        r.notes
    );
}

#[test]
fn the_budget_is_checked_on_the_normal_case() {
    let dir = example("eu-bank");
    // The normal case is $4,840; the failover tiers would cost more (assistant on Bedrock:
    // $4,950 alone), so a budget of exactly $4,840 passes and $4,839 fails.
    edit(
        dir.path(),
        "main.hcl",
        "  survive_single_failure    = true\n",
        "  survive_single_failure    = true\n  max_monthly_cost_usd      = 4840\n",
    );
    let (code, out, err) = run(meridian().arg("validate").arg(dir.path()));
    assert_eq!(code, 0, "{out}{err}");
    edit(
        dir.path(),
        "main.hcl",
        "max_monthly_cost_usd      = 4840",
        "max_monthly_cost_usd      = 4839",
    );
    let (code, out, err) = run(meridian().arg("validate").arg(dir.path()));
    assert_eq!(code, 1);
    let text = format!("{out}{err}");
    assert!(text.contains("MRD-POL-005"), "{text}");
    assert!(
        text.contains("Estimated monthly cost $4840 exceeds the budget of $4839"),
        "{text}"
    );
}

fn plan_text(dir: &Path, extra: &[&str]) -> String {
    let (code, out, err) = run(meridian()
        .arg("plan")
        .args(extra)
        .arg("--refresh=false")
        .arg(dir));
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn the_plan_shows_the_change_against_the_last_estimate() {
    let dir = example("eu-bank");
    let first = plan_text(dir.path(), &[]);
    assert!(first.contains("Monthly estimate: $4,840.00.\n"), "{first}");
    let md = plan_text(dir.path(), &["--format", "markdown"]);
    assert!(md.contains("Monthly estimate: $4,840.00."), "{md}");
    let json: Value = serde_json::from_str(&plan_text(dir.path(), &["--json"])).expect("json");
    assert_eq!(json["cost"]["before_usd"], Value::Null);
    assert!(close(
        json["cost"]["after_usd"].as_f64().expect("after"),
        4840.0
    ));

    let (code, _, err) = run(meridian()
        .args(["apply", "--auto-approve", "--refresh=false"])
        .arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let state: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(".meridian/state.json")).expect("state"),
    )
    .expect("state json");
    assert!(close(
        state["monthly_estimate_usd"].as_f64().expect("recorded"),
        4840.0
    ));

    let same = plan_text(dir.path(), &[]);
    assert!(
        same.contains("Monthly estimate unchanged: $4,840.00."),
        "{same}"
    );

    // Twice the triage input: 1500M more input tokens at $1.10 per million = $1,650 more.
    edit(
        dir.path(),
        "models.hcl",
        "input_tokens_per_month  = 1500000000",
        "input_tokens_per_month  = 3000000000",
    );
    let rises = 1500.0 * 1.1;
    assert!(close(rises, 1650.0));
    let up = plan_text(dir.path(), &[]);
    assert!(
        up.contains("Monthly estimate rises by $1,650.00 (+34.1%), to $6,490.00."),
        "{up}"
    );
    let json: Value = serde_json::from_str(&plan_text(dir.path(), &["--json"])).expect("json");
    assert!(close(
        json["cost"]["before_usd"].as_f64().expect("before"),
        4840.0
    ));
    assert!(close(
        json["cost"]["after_usd"].as_f64().expect("after"),
        4840.0 + rises
    ));

    // Half the assistant's output: 60M fewer output tokens at $10 per million = $600 less.
    edit(
        dir.path(),
        "models.hcl",
        "input_tokens_per_month  = 3000000000",
        "input_tokens_per_month  = 1500000000",
    );
    edit(
        dir.path(),
        "models.hcl",
        "output_tokens_per_month = 120000000",
        "output_tokens_per_month = 60000000",
    );
    let down = plan_text(dir.path(), &["--format", "markdown"]);
    assert!(
        down.contains("Monthly estimate falls by $600.00 (-12.4%), to $4,240.00."),
        "{down}"
    );
}

#[test]
fn dollar_amounts_are_grouped_and_rounded_to_cents() {
    assert_eq!(format_usd(0.0), "$0.00");
    assert_eq!(format_usd(0.004), "$0.00");
    assert_eq!(format_usd(7.5), "$7.50");
    assert_eq!(format_usd(999.999), "$1,000.00");
    assert_eq!(format_usd(1_234_567.891), "$1,234,567.89");
    assert_eq!(format_usd(-12.0), "-$12.00");
}
