//! `catalog verify` against the fake cloud: a cloud built from the catalog reads back with no
//! difference, every kind of difference is found and classified, lists are read page by
//! page, transient failures are retried, a region that cannot be read fails the read (never
//! "no differences"), and the overlay written from a difference changes the footprint.

use meridian_catalog::{Billing, Catalog, Cloud, Lifecycle, Model, Processing};
use meridian_fakecloud::{
    FakeCloud, Fault, FaultKind, Fixture, Provider, DEFAULT_AWS_ACCOUNT_ID, TEST_AWS_ACCESS_KEY_ID,
    TEST_AWS_SECRET_ACCESS_KEY, TEST_AZURE_TOKEN, TEST_GCP_TOKEN,
};
use meridian_refresh::verify::{self, Difference, Reading, Severity};
use meridian_refresh::{
    Credentials, ErrorKind, NoProgress, Options, ProviderScope, RefreshFailure,
};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const SUB: &str = "11111111-2222-3333-4444-555555555555";
const PROJECT: &str = "ml-prod";

const AWS_REGIONS: [&str; 5] = [
    "eu-central-1",
    "eu-north-1",
    "us-east-1",
    "us-east-2",
    "ap-northeast-1",
];
const AZURE_REGIONS: [&str; 3] = ["swedencentral", "westeurope", "eastus"];
const GCP_LOCATIONS: [&str; 5] = [
    "europe-west4",
    "europe-west1",
    "europe-west3",
    "eu",
    "global",
];

fn catalog() -> &'static Catalog {
    Catalog::builtin()
}

fn scope(cloud: Cloud, address: &str, regions: &[&str]) -> ProviderScope {
    ProviderScope {
        cloud,
        address: address.into(),
        regions: regions.iter().map(|r| (*r).to_string()).collect(),
        subscription_id: (cloud == Cloud::Azure).then(|| SUB.to_string()),
        resource_group: None,
        account_id: (cloud == Cloud::Aws).then(|| DEFAULT_AWS_ACCOUNT_ID.to_string()),
        partition: None,
        project: (cloud == Cloud::Gcp).then(|| PROJECT.to_string()),
        endpoint: None,
    }
}

fn scopes() -> Vec<ProviderScope> {
    vec![
        scope(Cloud::Aws, "aws.corp", &AWS_REGIONS),
        scope(Cloud::Azure, "azure.corp", &AZURE_REGIONS),
        scope(Cloud::Gcp, "gcp.corp", &GCP_LOCATIONS),
    ]
}

/// A cloud that agrees with the built-in catalog, two items a page.
fn identical() -> Fixture {
    Fixture::default().with_catalog(catalog(), SUB)
}

fn creds(fc: &FakeCloud, scopes: &[ProviderScope], gcp_endpoint: Option<String>) -> Credentials {
    let mut env: BTreeMap<String, String> = fc.env_vars().into_iter().collect();
    env.insert("PATH".into(), String::new());
    if let Some(endpoint) = gcp_endpoint {
        env.insert("MERIDIAN_GCP_ENDPOINT".into(), endpoint);
    }
    Credentials::from_lookup(scopes, |name| env.get(name).cloned()).expect("credentials")
}

fn fast() -> Options {
    Options {
        parallelism: 8,
        request_timeout: Duration::from_secs(5),
        deadline: Duration::from_secs(60),
        max_attempts: 3,
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(50),
    }
}

fn read(fc: &FakeCloud, scopes: &[ProviderScope]) -> Result<Reading, RefreshFailure> {
    verify::read(
        scopes,
        catalog(),
        &creds(fc, scopes, None),
        &fast(),
        &NoProgress,
    )
}

fn differences(fixture: Fixture) -> (Vec<Difference>, Reading, FakeCloud) {
    let fc = FakeCloud::start(fixture).expect("fake cloud");
    let reading = read(&fc, &scopes()).expect("read");
    (verify::compare(catalog(), &reading.regions), reading, fc)
}

/// (kind, provider, region, model, version) of each difference.
type Found = BTreeSet<(String, String, String, String, Option<String>)>;

fn found(diffs: &[Difference]) -> Found {
    diffs
        .iter()
        .map(|d| {
            (
                d.kind.name().to_string(),
                d.provider.clone(),
                d.region.clone(),
                d.model.clone(),
                d.version.clone(),
            )
        })
        .collect()
}

fn entry(kind: &str, provider: &str, region: &str, model: &str, version: Option<&str>) -> Found {
    BTreeSet::from([(
        kind.to_string(),
        provider.to_string(),
        region.to_string(),
        model.to_string(),
        version.map(str::to_string),
    )])
}

fn live(m: &Model, version: Option<&str>) -> bool {
    let past = |d: Option<&String>| d.is_some_and(|d| d.as_str() <= catalog().as_of());
    let version_live = version
        .and_then(|v| m.version(v))
        .is_none_or(|v| v.lifecycle != Lifecycle::Retired && !past(v.retirement_date.as_ref()));
    m.lifecycle != Lifecycle::Retired && !past(m.retirement_date.as_ref()) && version_live
}

/// A usable AWS model with a `prefix` profile routed from `source`, and its destinations;
/// none of the models in `taken` (so one test can change several models independently).
fn aws_route(prefix: &str, source: &str, taken: &[&str]) -> (String, Vec<String>) {
    catalog()
        .models(Some(Cloud::Aws))
        .filter(|m| live(m, None) && !taken.contains(&m.id.as_str()))
        .find_map(|m| {
            m.offers
                .iter()
                .flat_map(|o| &o.profiles)
                .find(|p| p.prefix == prefix)
                .and_then(|p| p.routes.get(source))
                .map(|d| (m.id.clone(), d.clone()))
        })
        .unwrap_or_else(|| panic!("no catalog model routes {prefix}. from {source}"))
}

/// A usable model of `cloud` with (processing, billing) offered in `region`, or without
/// when `offered` is false; none of the models in `taken`.
fn model_with(
    cloud: Cloud,
    processing: Processing,
    region: &str,
    offered: bool,
    taken: &[&str],
) -> &'static Model {
    catalog()
        .models(Some(cloud))
        .filter(|m| live(m, None) && m.versions.is_empty() && !taken.contains(&m.id.as_str()))
        .find(|m| {
            m.offers
                .iter()
                .any(|o| o.processing == processing && o.regions.iter().any(|r| r == region))
                == offered
        })
        .unwrap_or_else(|| panic!("no {cloud} model with {processing} in {region} = {offered}"))
}

/// A usable Azure model version with deployment type (processing, on-demand) in `region`.
fn azure_version(processing: Processing, region: &str) -> (String, String) {
    for m in catalog().models(Some(Cloud::Azure)) {
        for v in &m.versions {
            if !live(m, Some(&v.version)) {
                continue;
            }
            if m.offers.iter().any(|o| {
                o.processing == processing
                    && o.billing.contains(&Billing::OnDemand)
                    && o.applies_to(Some(&v.version))
                    && o.regions.iter().any(|r| r == region)
            }) {
                return (m.id.clone(), v.version.clone());
            }
        }
    }
    panic!("no Azure model version with {processing} on-demand in {region}")
}

#[test]
fn a_cloud_that_agrees_with_the_catalog_has_no_differences() {
    let (diffs, reading, fc) = differences(identical());
    assert!(diffs.is_empty(), "{diffs:#?}");
    // Not vacuous: every region was read and holds what the catalog says.
    let regions = reading.regions.len();
    assert_eq!(
        regions,
        AWS_REGIONS.len() + AZURE_REGIONS.len() + GCP_LOCATIONS.len()
    );
    let (model, destinations) = aws_route("eu", "eu-central-1", &[]);
    let frankfurt = reading
        .regions
        .iter()
        .find(|r| r.region == "eu-central-1")
        .expect("eu-central-1 read");
    let m = frankfurt
        .models
        .iter()
        .find(|(k, _)| k.id == model)
        .map(|(_, m)| m)
        .expect("the model was read");
    assert_eq!(
        m.profiles["eu"],
        destinations.iter().cloned().collect::<BTreeSet<_>>()
    );
    for r in &reading.regions {
        // The catalog offers no Vertex AI model in Frankfurt.
        if r.region != "europe-west3" {
            assert!(
                !r.models.is_empty(),
                "{} {} read nothing",
                r.provider,
                r.region
            );
        }
    }
    // Each API was asked; lists were read past their first page.
    let requests: Vec<String> = fc
        .requests()
        .iter()
        .map(|r| {
            format!(
                "{} {}?{}",
                r.method,
                r.path,
                r.query.clone().unwrap_or_default()
            )
        })
        .collect();
    for needle in [
        "GET /aws/foundation-models",
        "type=SYSTEM_DEFINED",
        "nextToken=",
        "GET /aws/inference-profiles/eu.",
        "/providers/Microsoft.CognitiveServices/locations/swedencentral/models?api-version=2024-10-01",
        "skipToken=",
        "GET /gcp/europe-west4/v1beta1/publishers/google/models/",
        "GET /gcp/eu/v1beta1/publishers/anthropic/models/",
        "POST /aws/sts",
    ] {
        assert!(
            requests.iter().any(|r| r.contains(needle)),
            "no request with {needle:?}"
        );
    }
    assert_eq!(reading.requests, fc.request_count());
}

#[test]
fn bedrock_differences_are_found_and_classified() {
    let mut fx = identical();
    // A destination outside the catalog's route.
    let (sonnet, mut eu_route) = aws_route("eu", "eu-central-1", &[]);
    eu_route.push("eu-west-2".into());
    let p = fx
        .aws_profile_mut("eu-central-1", &format!("eu.{sonnet}"))
        .expect("eu profile");
    p["models"] = Value::Array(
        eu_route
            .iter()
            .map(|d| json!({"modelArn": format!("arn:aws:bedrock:{d}::foundation-model/{sonnet}")}))
            .collect(),
    );
    // A route the catalog claims and the cloud lacks, and one the cloud has and the catalog
    // lacks.
    let (jp_model, _) = aws_route("jp", "ap-northeast-1", &[&sonnet]);
    fx.aws
        .regions
        .get_mut("ap-northeast-1")
        .expect("tokyo")
        .inference_profiles
        .retain(|p| p["inferenceProfileId"] != json!(format!("jp.{jp_model}")));
    let unrouted = catalog()
        .models(Some(Cloud::Aws))
        .filter(|m| live(m, None) && m.id != sonnet && m.id != jp_model)
        .find(|m| {
            !m.offers
                .iter()
                .flat_map(|o| &o.profiles)
                .any(|p| p.prefix == "apac" && p.routes.contains_key("ap-northeast-1"))
        })
        .expect("a model without an apac. route from Tokyo")
        .id
        .clone();
    let apac = format!("apac.{unrouted}");
    fx.aws_region_mut("ap-northeast-1").inference_profiles.push(json!({
        "inferenceProfileName": "APAC", "inferenceProfileId": apac, "type": "SYSTEM_DEFINED",
        "status": "ACTIVE",
        "inferenceProfileArn": format!("arn:aws:bedrock:ap-northeast-1:{DEFAULT_AWS_ACCOUNT_ID}:inference-profile/{apac}"),
        "models": [{"modelArn": format!("arn:aws:bedrock:ap-south-1::foundation-model/{unrouted}")},
                   {"modelArn": format!("arn:aws:bedrock:ap-northeast-1::foundation-model/{unrouted}")}],
    }));
    // In-region on-demand: claimed but gone, and new.
    let in_region = model_with(
        Cloud::Aws,
        Processing::Region,
        "us-east-2",
        true,
        &[&sonnet, &jp_model, &unrouted],
    );
    fx.aws_region_mut("us-east-2")
        .foundation_models
        .retain(|m| m["modelId"] != json!(in_region.id));
    fx.aws_region_mut("us-east-2")
        .inference_profiles
        .retain(|p| {
            !p["inferenceProfileId"]
                .as_str()
                .unwrap_or_default()
                .ends_with(&in_region.id)
        });
    let profile_only = model_with(
        Cloud::Aws,
        Processing::Region,
        "eu-central-1",
        false,
        &[&sonnet, &jp_model, &unrouted, &in_region.id],
    );
    let fm = fx
        .aws_foundation_model_mut("eu-central-1", &profile_only.id)
        .expect("listed in eu-central-1");
    fm["inferenceTypesSupported"] = json!(["ON_DEMAND", "INFERENCE_PROFILE"]);
    fm["modelLifecycle"]["status"] = json!("LEGACY");
    // A model the catalog does not list.
    fx.aws_region_mut("eu-central-1").foundation_models.push(json!({
        "modelId": "example.unlisted-model-v1:0", "modelArn": "arn:aws:bedrock:eu-central-1::foundation-model/amazon.nova-premier-v1:0",
        "inferenceTypesSupported": ["ON_DEMAND"], "modelLifecycle": {"status": "ACTIVE"}
    }));

    let (diffs, _, _) = differences(fx);
    let mut expected = Found::new();
    for (kind, region, model) in [
        ("route_destinations", "eu-central-1", sonnet.as_str()),
        ("route_missing", "ap-northeast-1", jp_model.as_str()),
        ("route_extra", "ap-northeast-1", unrouted.as_str()),
        ("model_missing", "us-east-2", in_region.id.as_str()),
        ("offer_extra", "eu-central-1", profile_only.id.as_str()),
        ("lifecycle", "eu-central-1", profile_only.id.as_str()),
        ("model_extra", "eu-central-1", "example.unlisted-model-v1:0"),
    ] {
        expected.extend(entry(kind, "aws.corp", region, model, None));
    }
    assert_eq!(found(&diffs), expected, "{diffs:#?}");
    let by_kind = |k: &str| diffs.iter().find(|d| d.kind.name() == k).expect(k);
    let route = by_kind("route_destinations");
    assert_eq!(route.severity, Severity::Error);
    assert!(
        route.message.contains("eu-west-2 (GB)"),
        "{}",
        route.message
    );
    assert!(
        route
            .source
            .ends_with(&format!("/aws/inference-profiles/eu.{sonnet}")),
        "{}",
        route.source
    );
    let json = serde_json::to_value(route).expect("json");
    assert_eq!(json["kind"], "route_destinations");
    assert_eq!(json["profile"], json!(format!("eu.{sonnet}")));
    assert!(json["live"]
        .as_array()
        .expect("live")
        .contains(&json!("eu-west-2")));
    assert!(!json["catalog"]
        .as_array()
        .expect("catalog")
        .contains(&json!("eu-west-2")));
    let extra = by_kind("offer_extra");
    assert_eq!(extra.severity, Severity::Error);
    assert_eq!(
        serde_json::to_value(extra).expect("json")["processing"],
        "region"
    );
    assert_eq!(by_kind("lifecycle").severity, Severity::Warning);
    assert_eq!(by_kind("model_extra").severity, Severity::Warning);
    let missing = by_kind("model_missing");
    assert_eq!(missing.severity, Severity::Error);
    // Errors come first within a region.
    let first_warning = diffs
        .iter()
        .position(|d| d.region == "eu-central-1" && d.severity == Severity::Warning)
        .expect("a warning");
    let last_error = diffs
        .iter()
        .rposition(|d| d.region == "eu-central-1" && d.severity == Severity::Error)
        .expect("an error");
    assert!(last_error < first_warning);
}

#[test]
fn azure_differences_are_found_and_classified() {
    let mut fx = identical();
    let region = "swedencentral";
    let (dz_model, dz_version) = azure_version(Processing::Geography, region);
    let (gl_model, gl_version) = azure_version(Processing::Global, "westeurope");
    // A deployment type the catalog claims and the cloud lacks.
    assert!(fx.azure_remove_sku(SUB, region, &dz_model, &dz_version, "DataZoneStandard"));
    // A deployment type the catalog lacks, an earlier end for one SKU, another retirement
    // date and lifecycle for the version.
    let m = fx
        .azure_model_mut(SUB, "westeurope", &gl_model, &gl_version)
        .expect("listed");
    let skus = m["skus"].as_array_mut().expect("skus");
    let claimed: BTreeSet<String> = skus
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_string())
        .collect();
    let new_sku = [
        "Standard",
        "DataZoneStandard",
        "ProvisionedManaged",
        "GlobalStandard",
    ]
    .into_iter()
    .find(|s| !claimed.contains(*s))
    .expect("a deployment type the catalog lacks in westeurope");
    skus.push(json!({"name": new_sku, "capacity": {"default": 1}}));
    for s in skus.iter_mut() {
        if s["name"] == "GlobalStandard" {
            s["deprecationDate"] = json!("2027-01-15T00:00:00Z");
        }
    }
    m["deprecation"] = json!({"inference": "2031-02-01T00:00:00Z"});
    m["lifecycleStatus"] = json!("Deprecating");
    // A version and a model the catalog does not list.
    let items = fx
        .azure
        .subscriptions
        .get_mut(SUB)
        .expect("sub")
        .models
        .get_mut("eastus")
        .expect("eastus");
    items.push(json!({"kind": "OpenAI", "model": {"format": "OpenAI", "name": gl_model, "version": "2099-01-01",
        "lifecycleStatus": "Preview", "skus": [{"name": "GlobalStandard"}]}}));
    items.push(json!({"kind": "AIServices", "model": {"format": "Microsoft", "name": "Phi-4", "version": "7",
        "skus": [{"name": "GlobalStandard"}]}}));
    items.push(
        json!({"kind": "OpenAI", "model": {"format": "OpenAI", "name": "ada", "version": "1",
        "skus": []}}),
    );

    let (diffs, _, _) = differences(fx);
    let mut expected = Found::new();
    expected.extend(entry(
        "offer_missing",
        "azure.corp",
        region,
        &dz_model,
        Some(&dz_version),
    ));
    for kind in [
        "offer_extra",
        "offer_retirement_date",
        "retirement_date",
        "lifecycle",
    ] {
        expected.extend(entry(
            kind,
            "azure.corp",
            "westeurope",
            &gl_model,
            Some(&gl_version),
        ));
    }
    expected.extend(entry(
        "version_extra",
        "azure.corp",
        "eastus",
        &gl_model,
        Some("2099-01-01"),
    ));
    expected.extend(entry(
        "model_extra",
        "azure.corp",
        "eastus",
        "Phi-4",
        Some("7"),
    ));
    assert_eq!(found(&diffs), expected, "{diffs:#?}");
    let d = diffs
        .iter()
        .find(|d| d.kind.name() == "offer_missing")
        .expect("missing");
    assert_eq!(d.severity, Severity::Error);
    assert!(d.message.contains("DataZoneStandard"), "{}", d.message);
    assert!(
        d.source.ends_with(&format!(
            "/azure/subscriptions/{SUB}/providers/Microsoft.CognitiveServices/locations/{region}/models?api-version=2024-10-01"
        )),
        "{}",
        d.source
    );
    let sku = diffs
        .iter()
        .find(|d| d.kind.name() == "offer_retirement_date")
        .expect("sku date");
    assert_eq!(sku.severity, Severity::Warning);
    let sku_json = serde_json::to_value(sku).expect("json");
    assert_eq!(sku_json["sku"], "GlobalStandard");
    assert_eq!(sku_json["live"], "2027-01-15");
    let model_extra = diffs
        .iter()
        .find(|d| d.kind.name() == "model_extra")
        .expect("extra");
    assert!(
        model_extra.message.contains("Phi-4 7 (Microsoft)"),
        "{}",
        model_extra.message
    );
}

#[test]
fn vertex_differences_are_found_and_classified() {
    let mut fx = identical();
    let at = model_with(Cloud::Gcp, Processing::Region, "europe-west4", true, &[]);
    assert!(fx.gcp_remove_publisher_model("europe-west4", &at.id));
    let absent = model_with(Cloud::Gcp, Processing::Region, "europe-west3", false, &[]);
    let mut copy = fx.gcp.publisher_models["global"]
        .iter()
        .find(|m| m["name"].as_str().is_some_and(|n| n.ends_with(&format!("/models/{}", absent.id))))
        .cloned()
        .unwrap_or_else(|| {
            json!({"name": format!("publishers/{}/models/{}", meridian_catalog::vertex_publisher(&absent.id), absent.id), "launchStage": "GA"})
        });
    copy["launchStage"] = json!("PUBLIC_PREVIEW");
    fx.gcp
        .publisher_models
        .entry("europe-west3".into())
        .or_default()
        .push(copy);

    let (diffs, _, _) = differences(fx);
    let mut expected = Found::new();
    expected.extend(entry(
        "model_missing",
        "gcp.corp",
        "europe-west4",
        &at.id,
        None,
    ));
    expected.extend(entry(
        "offer_extra",
        "gcp.corp",
        "europe-west3",
        &absent.id,
        None,
    ));
    if absent.lifecycle != Lifecycle::Preview {
        expected.extend(entry(
            "lifecycle",
            "gcp.corp",
            "europe-west3",
            &absent.id,
            None,
        ));
    }
    assert_eq!(found(&diffs), expected, "{diffs:#?}");
    let missing = diffs
        .iter()
        .find(|d| d.kind.name() == "model_missing")
        .expect("missing");
    assert_eq!(missing.severity, Severity::Error);
    assert!(
        missing.source.ends_with(&format!(
            "/gcp/europe-west4/v1beta1/publishers/{}/models/{}",
            meridian_catalog::vertex_publisher(&at.id),
            at.id
        )),
        "{}",
        missing.source
    );
}

#[test]
fn single_item_pages_read_the_same() {
    let fc = FakeCloud::start(identical().with_page_size(1)).expect("fake cloud");
    let reading = read(&fc, &scopes()).expect("read");
    assert!(verify::compare(catalog(), &reading.regions).is_empty());
    let pages = |needle: &str| {
        fc.requests()
            .iter()
            .filter(|r| r.query.as_deref().is_some_and(|q| q.contains(needle)))
            .count()
    };
    // Every page after the first of every list was asked for.
    assert!(pages("nextToken=") > 10, "{}", pages("nextToken="));
    assert!(pages("skipToken=") > 10, "{}", pages("skipToken="));
}

/// Answers `status` to the requests of `provider` whose path and query contain `path`.
fn status_fault(provider: Provider, path: &str, status: u16) -> Fault {
    Fault::new(
        provider,
        FaultKind::Status {
            status,
            retry_after: None,
        },
    )
    .path_contains(path)
}

#[test]
fn server_errors_are_retried() {
    let fc = FakeCloud::start(identical()).expect("fake cloud");
    let status = |p: Provider, path: &str| status_fault(p, path, 503).times(2);
    fc.set_faults(vec![
        status(Provider::Aws, "/foundation-models"),
        status(Provider::Aws, "/inference-profiles/eu."),
        status(Provider::Azure, "/locations/westeurope/models"),
        status(Provider::Gcp, "/v1beta1/publishers/"),
    ]);
    let reading = read(&fc, &scopes()).expect("retried until read");
    assert!(verify::compare(catalog(), &reading.regions).is_empty());
    let failed = fc
        .requests()
        .iter()
        .filter(|r| r.status == Some(503))
        .count();
    assert_eq!(failed, 8, "each fault answered twice");
}

#[test]
fn a_region_that_cannot_be_read_fails_the_read() {
    let fc = FakeCloud::start(identical()).expect("fake cloud");
    let persistent = |p: Provider, path: &str| status_fault(p, path, 500);
    fc.set_faults(vec![
        persistent(Provider::Aws, "/inference-profiles/jp.").in_region("ap-northeast-1"),
        persistent(Provider::Azure, "/locations/eastus/models"),
        persistent(Provider::Gcp, "/gcp/eu/v1beta1/"),
    ]);
    let failure = read(&fc, &scopes()).expect_err("must fail");
    let text = failure.to_string();
    let find = |provider: &str| {
        failure
            .errors
            .iter()
            .find(|e| e.provider == provider)
            .unwrap_or_else(|| panic!("no error for {provider}: {text}"))
    };
    let aws = find("aws.corp");
    assert_eq!(aws.region.as_deref(), Some("ap-northeast-1"));
    assert!(
        aws.request.starts_with("GET http://127.0.0.1:"),
        "{}",
        aws.request
    );
    assert!(
        aws.request.contains("/aws/inference-profiles/jp."),
        "{}",
        aws.request
    );
    assert!(
        aws.reason.contains("HTTP 500 after 3 attempts"),
        "{}",
        aws.reason
    );
    assert_eq!(aws.kind, ErrorKind::Http);
    let azure = find("azure.corp");
    assert_eq!(azure.region.as_deref(), Some("eastus"));
    assert!(
        azure.request.contains("/locations/eastus/models"),
        "{}",
        azure.request
    );
    let gcp = find("gcp.corp");
    assert_eq!(gcp.region.as_deref(), Some("eu"));
    assert!(
        gcp.request.contains("/gcp/eu/v1beta1/publishers/"),
        "{}",
        gcp.request
    );
    // Credentials never reach the errors.
    for secret in [TEST_AWS_SECRET_ACCESS_KEY, TEST_AZURE_TOKEN, TEST_GCP_TOKEN] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[test]
fn a_404_from_something_that_is_not_vertex_ai_is_an_error_not_an_absent_model() {
    let fc = FakeCloud::start(identical()).expect("fake cloud");
    let gcp = [scope(Cloud::Gcp, "gcp.corp", &["europe-west4"])];
    // The fake answers paths outside its clouds with an ARM-shaped 404.
    let wrong = format!("{}/elsewhere/{{location}}", fc.base_url());
    let failure = verify::read(
        &gcp,
        catalog(),
        &creds(&fc, &gcp, Some(wrong)),
        &fast(),
        &NoProgress,
    )
    .expect_err("a wrong endpoint is not a cloud without models");
    assert!(
        failure.errors.iter().all(|e| e.reason.contains("HTTP 404")),
        "{failure}"
    );
}

#[test]
fn the_overlay_of_a_route_difference_moves_the_footprint() {
    let mut fx = identical();
    let (sonnet, route) = aws_route("eu", "eu-central-1", &[]);
    let p = fx
        .aws_profile_mut("eu-central-1", &format!("eu.{sonnet}"))
        .expect("eu profile");
    p["models"]
        .as_array_mut()
        .expect("models")
        .push(json!({"modelArn": format!("arn:aws:bedrock:eu-west-2::foundation-model/{sonnet}")}));
    let (diffs, reading, _) = differences(fx);
    assert_eq!(diffs.len(), 1, "{diffs:#?}");
    let overlay =
        verify::overlay(catalog(), &diffs, &reading.regions, "2026-12-01", None).expect("overlay");
    assert_eq!(overlay.written, 1);
    assert!(overlay.left_out.is_empty(), "{:?}", overlay.left_out);
    let text = overlay.to_json();
    for secret in [TEST_AWS_SECRET_ACCESS_KEY, TEST_AWS_ACCESS_KEY_ID] {
        assert!(!text.contains(secret));
    }
    assert!(
        text.contains(&format!("Read from AWS account {DEFAULT_AWS_ACCOUNT_ID} (aws.corp) with `meridian catalog verify` on 2026-12-01.")),
        "{text}"
    );
    let merged = catalog().with_overlay(&text).expect("the overlay loads");
    let query = |c: &Catalog| {
        c.footprint(&meridian_catalog::TargetQuery {
            cloud: Cloud::Aws,
            model: &sonnet,
            version: None,
            region: "eu-central-1",
            processing: Processing::Geography,
            billing: Billing::OnDemand,
        })
        .expect("footprint")
        .regions
        .into_iter()
        .map(|r| r.id)
        .collect::<Vec<_>>()
    };
    assert_eq!(query(catalog()), route);
    let mut wider = route.clone();
    wider.push("eu-west-2".into());
    wider.sort();
    assert_eq!(query(&merged), wider);
    // The other sources keep the catalog's routes; the new one names where it was read.
    let model = merged.model(Cloud::Aws, &sonnet).expect("model");
    let profiles: Vec<_> = model
        .offers
        .iter()
        .flat_map(|o| &o.profiles)
        .filter(|p| p.prefix == "eu")
        .collect();
    assert_eq!(profiles.len(), 2, "{profiles:#?}");
    let read_one = profiles
        .iter()
        .find(|p| p.routes.contains_key("eu-central-1"))
        .expect("the route read");
    assert!(read_one
        .source
        .ends_with(&format!("/aws/inference-profiles/eu.{sonnet}")));
    assert_eq!(read_one.as_of, "2026-12-01");
    let docs = profiles
        .iter()
        .find(|p| !p.routes.contains_key("eu-central-1"))
        .expect("the catalog's");
    assert!(docs.routes.contains_key("eu-west-1"));
    assert!(docs
        .note
        .as_deref()
        .is_some_and(|n| n.contains("The route from eu-central-1 was taken out")));
    // Verified again against the overlaid catalog, the cloud agrees.
    assert!(verify::compare(&merged, &reading.regions).is_empty());
}

#[test]
fn overlays_of_offer_differences_load_and_agree_with_the_cloud() {
    let mut fx = identical();
    let region = "swedencentral";
    let (dz_model, dz_version) = azure_version(Processing::Geography, region);
    assert!(fx.azure_remove_sku(SUB, region, &dz_model, &dz_version, "DataZoneStandard"));
    let at = model_with(Cloud::Gcp, Processing::Region, "europe-west4", true, &[]);
    assert!(fx.gcp_remove_publisher_model("europe-west4", &at.id));
    let in_region = model_with(Cloud::Aws, Processing::Region, "us-east-2", true, &[]);
    fx.aws_region_mut("us-east-2")
        .foundation_models
        .retain(|m| m["modelId"] != json!(in_region.id));
    let (diffs, reading, _) = differences(fx);
    assert!(!diffs.is_empty());
    let overlay =
        verify::overlay(catalog(), &diffs, &reading.regions, "2026-12-01", None).expect("overlay");
    let merged = catalog().with_overlay(&overlay.to_json()).expect("loads");
    let rest = verify::compare(&merged, &reading.regions);
    assert!(
        rest.iter().all(|d| !d.kind.writable()),
        "only what an overlay cannot hold is left: {rest:#?}"
    );
    // The Azure deployment type is gone in that region only, for that version only.
    let model = merged.model(Cloud::Azure, &dz_model).expect("model");
    let dz_here = model.offers.iter().any(|o| {
        o.processing == Processing::Geography
            && o.applies_to(Some(&dz_version))
            && o.billing.contains(&Billing::OnDemand)
            && o.regions.iter().any(|r| r == region)
    });
    assert!(!dz_here);
    let before = catalog()
        .model(Cloud::Azure, &dz_model)
        .expect("model")
        .offers
        .iter()
        .filter(|o| o.processing == Processing::Geography)
        .flat_map(|o| o.regions.iter().cloned())
        .filter(|r| r != region)
        .collect::<BTreeSet<_>>();
    let after = model
        .offers
        .iter()
        .filter(|o| o.processing == Processing::Geography)
        .flat_map(|o| o.regions.iter().cloned())
        .collect::<BTreeSet<_>>();
    assert!(before.is_subset(&after), "other regions kept");
}
