//! What the fake cloud serves for `meridian catalog verify`: Bedrock foundation models and
//! single inference profiles, Azure's per-location model lists, Vertex AI publisher models
//! per location, and the fixture that agrees with the catalog.
#![allow(clippy::unwrap_used)]

mod support;

use meridian_catalog::{Catalog, Cloud, Lifecycle, Processing};
use meridian_fakecloud::{
    FakeCloud, Fixture, FixtureError, AZURE_MODELS_API_VERSION, TEST_AWS_ACCESS_KEY_ID,
    TEST_AWS_SECRET_ACCESS_KEY, TEST_AZURE_TOKEN, TEST_GCP_TOKEN,
};
use serde_json::{json, Value};
use std::time::SystemTime;
use support::{bearer, send, sign, Creds};

const SUB: &str = "11111111-2222-3333-4444-555555555555";

fn creds() -> Creds<'static> {
    Creds {
        key: TEST_AWS_ACCESS_KEY_ID,
        secret: TEST_AWS_SECRET_ACCESS_KEY,
        token: None,
    }
}

fn aws_get(cloud: &FakeCloud, path: &str, region: &str) -> support::Response {
    let url = format!("{}{path}", cloud.aws_endpoint());
    let headers = sign("GET", &url, b"", region, &creds(), SystemTime::now());
    send("GET", &url, &headers, b"")
}

fn catalog_cloud() -> FakeCloud {
    FakeCloud::start(Fixture::default().with_catalog(Catalog::builtin(), SUB)).unwrap()
}

/// An AWS model of the catalog with a geographic route from `source`: (id, prefix,
/// destinations).
fn aws_route(source: &str) -> (String, String, Vec<String>) {
    Catalog::builtin()
        .models(Some(Cloud::Aws))
        .find_map(|m| {
            m.offers
                .iter()
                .flat_map(|o| &o.profiles)
                .find_map(|p| p.routes.get(source).map(|d| (p.prefix.clone(), d.clone())))
                .map(|(p, d)| (m.id.clone(), p, d))
        })
        .unwrap()
}

#[test]
fn bedrock_lists_foundation_models_and_gets_profiles_by_id_or_arn() {
    let cloud = catalog_cloud();
    let (model, prefix, destinations) = aws_route("eu-central-1");
    let r = aws_get(&cloud, "/foundation-models", "eu-central-1");
    assert_eq!(r.status, 200);
    let body = r.json();
    let summaries = body["modelSummaries"].as_array().unwrap();
    let listed = summaries
        .iter()
        .find(|m| m["modelId"] == json!(model))
        .unwrap();
    assert!(listed["inferenceTypesSupported"]
        .as_array()
        .unwrap()
        .contains(&json!("INFERENCE_PROFILE")));
    assert_eq!(
        listed["modelArn"],
        json!(format!(
            "arn:aws:bedrock:eu-central-1::foundation-model/{model}"
        ))
    );
    // Filters narrow the list; nothing is paged.
    let on_demand = aws_get(
        &cloud,
        "/foundation-models?byInferenceType=ON_DEMAND",
        "eu-central-1",
    )
    .json();
    let on_demand = on_demand["modelSummaries"].as_array().unwrap();
    assert!(on_demand.len() < summaries.len());
    assert!(on_demand.iter().all(|m| m["inferenceTypesSupported"]
        .as_array()
        .unwrap()
        .contains(&json!("ON_DEMAND"))));
    assert!(body.get("nextToken").is_none());

    let id = format!("{prefix}.{model}");
    let r = aws_get(&cloud, &format!("/inference-profiles/{id}"), "eu-central-1");
    assert_eq!(r.status, 200);
    let profile = r.json();
    assert_eq!(profile["type"], "SYSTEM_DEFINED");
    let regions: Vec<String> = profile["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m["modelArn"]
                .as_str()
                .unwrap()
                .split(':')
                .nth(3)
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(regions, destinations);
    // By ARN, percent-encoded as the SDKs send it.
    let arn = profile["inferenceProfileArn"].as_str().unwrap().to_owned();
    let encoded = arn.replace(':', "%3A").replace('/', "%2F");
    let r = aws_get(
        &cloud,
        &format!("/inference-profiles/{encoded}"),
        "eu-central-1",
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["inferenceProfileId"], json!(id));
    // Another region does not have it.
    let r = aws_get(&cloud, &format!("/inference-profiles/{id}"), "sa-east-1");
    assert_eq!(r.status, 404);
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("ResourceNotFoundException")
    );
}

#[test]
fn azure_lists_models_per_location_in_pages() {
    let cloud = FakeCloud::start(
        Fixture::default()
            .with_catalog(Catalog::builtin(), SUB)
            .with_page_size(1),
    )
    .unwrap();
    let base = format!(
        "{}/subscriptions/{SUB}/providers/Microsoft.CognitiveServices/locations/swedencentral/models",
        cloud.azure_endpoint()
    );
    let auth = bearer(TEST_AZURE_TOKEN);
    let mut url = format!("{base}?api-version={AZURE_MODELS_API_VERSION}");
    let mut items = Vec::new();
    for _ in 0..1000 {
        let r = send("GET", &url, &auth, b"");
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let body = r.json();
        let page = body["value"].as_array().unwrap();
        assert!(page.len() <= 1);
        items.extend(page.iter().cloned());
        match body["nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    let catalog = Catalog::builtin();
    let gone = |l: Lifecycle, d: Option<&String>| {
        l == Lifecycle::Retired || d.is_some_and(|d| d.as_str() <= catalog.as_of())
    };
    let expected: usize = catalog
        .models(Some(Cloud::Azure))
        .filter(|m| !gone(m.lifecycle, m.retirement_date.as_ref()))
        .map(|m| {
            m.versions
                .iter()
                .filter(|v| !gone(v.lifecycle, v.retirement_date.as_ref()))
                .filter(|v| {
                    m.offers.iter().any(|o| {
                        o.applies_to(Some(&v.version))
                            && o.regions.iter().any(|r| r == "swedencentral")
                    })
                })
                .count()
        })
        .sum();
    assert!(expected > 1);
    assert_eq!(items.len(), expected);
    for item in &items {
        let m = &item["model"];
        assert_eq!(m["format"], "OpenAI");
        assert!(m["skus"].as_array().is_some_and(|s| !s.is_empty()), "{m}");
    }
    // The accounts' API version is not this list's.
    let r = send("GET", &format!("{base}?api-version=2025-06-01"), &auth, b"");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], "InvalidApiVersionParameter");
    let r = send(
        "GET",
        &format!(
            "{}/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.CognitiveServices/locations/swedencentral/models?api-version={AZURE_MODELS_API_VERSION}",
            cloud.azure_endpoint()
        ),
        &auth,
        b"",
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "SubscriptionNotFound");
    // A location without data lists nothing.
    let r = send(
        "GET",
        &format!(
            "{}/subscriptions/{SUB}/providers/Microsoft.CognitiveServices/locations/nowhere/models?api-version={AZURE_MODELS_API_VERSION}",
            cloud.azure_endpoint()
        ),
        &auth,
        b"",
    );
    assert_eq!(r.json(), json!({"value": []}));
    let r = send("GET", &url, &bearer("wrong"), b"");
    assert_eq!(r.status, 401);
}

#[test]
fn vertex_serves_publisher_models_per_location() {
    let cloud = catalog_cloud();
    let catalog = Catalog::builtin();
    let model = catalog
        .models(Some(Cloud::Gcp))
        .filter(|m| {
            m.lifecycle != Lifecycle::Retired
                && m.retirement_date
                    .as_deref()
                    .is_none_or(|d| d > catalog.as_of())
        })
        .find(|m| {
            m.offers.iter().any(|o| {
                o.processing == Processing::Region && o.regions.iter().any(|r| r == "europe-west4")
            })
        })
        .unwrap();
    let publisher = meridian_catalog::vertex_publisher(&model.id);
    let endpoint = cloud.gcp_location_endpoint();
    assert!(endpoint.ends_with("/gcp/{location}"));
    let get = |location: &str, model: &str, token: &str| {
        let base = endpoint.replace("{location}", location);
        send(
            "GET",
            &format!("{base}/v1beta1/publishers/{publisher}/models/{model}"),
            &bearer(token),
            b"",
        )
    };
    let r = get("europe-west4", &model.id, TEST_GCP_TOKEN);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["name"],
        json!(format!("publishers/{publisher}/models/{}", model.id))
    );
    let r = get("me-central2", &model.id, TEST_GCP_TOKEN);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["status"], "NOT_FOUND");
    assert_eq!(get("europe-west4", &model.id, "wrong").status, 401);
    // Without a location in the endpoint the fake cannot tell which location is asked.
    let r = send(
        "GET",
        &format!(
            "{}/v1beta1/publishers/{publisher}/models/{}",
            cloud.gcp_endpoint(),
            model.id
        ),
        &bearer(TEST_GCP_TOKEN),
        b"",
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("{location}"));
}

#[test]
fn the_other_gcp_apis_answer_under_a_location_endpoint_too() {
    let mut fx = Fixture::default();
    fx.gcp_project_mut("p").endpoints.insert(
        "europe-west4".into(),
        vec![json!({"name": "projects/p/locations/europe-west4/endpoints/1"})],
    );
    let cloud = FakeCloud::start(fx).unwrap();
    let base = cloud
        .gcp_location_endpoint()
        .replace("{location}", "europe-west4");
    let r = send(
        "GET",
        &format!("{base}/v1/projects/p/locations/europe-west4/endpoints"),
        &bearer(TEST_GCP_TOKEN),
        b"",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["endpoints"].as_array().unwrap().len(), 1);
    let global = cloud
        .gcp_location_endpoint()
        .replace("{location}", "global");
    let r = send(
        "GET",
        &format!("{global}/v1/projects/p/services/aiplatform.googleapis.com"),
        &bearer(TEST_GCP_TOKEN),
        b"",
    );
    assert_eq!(r.status, 200);
    let r = send(
        "POST",
        &format!("{global}/v1/projects/p:getIamPolicy"),
        &bearer(TEST_GCP_TOKEN),
        b"{}",
    );
    assert_eq!(r.status, 200);
    assert!(r.json().get("etag").is_some());
    let env = cloud.env_vars();
    assert!(env.contains(&(
        "MERIDIAN_GCP_ENDPOINT".to_owned(),
        cloud.gcp_location_endpoint()
    )));
}

#[test]
fn fixtures_of_the_catalog_apis_are_checked() {
    let invalid = |text: &str| match Fixture::from_json(text) {
        Err(FixtureError::Invalid(m)) => m,
        other => panic!("{other:?}"),
    };
    let m = invalid(r#"{"aws": {"regions": {"eu-west-1": {"foundation_models": [{"x": 1}]}}}}"#);
    assert!(
        m.contains("aws.regions.eu-west-1.foundation_models[0]"),
        "{m}"
    );
    let m = invalid(&format!(
        r#"{{"azure": {{"subscriptions": {{"{SUB}": {{"models": {{"westeurope": [{{"model": {{}}}}]}}}}}}}}}}"#
    ));
    assert!(m.contains("models.westeurope[0]"), "{m}");
    let m = invalid(r#"{"gcp": {"publisher_models": {"eu": [{"launchStage": "GA"}]}}}"#);
    assert!(m.contains("gcp.publisher_models.eu[0]"), "{m}");
    // The catalog fixture round-trips through JSON.
    let fx = Fixture::default().with_catalog(Catalog::builtin(), SUB);
    assert_eq!(Fixture::from_json(&fx.to_json()).unwrap(), fx);
    let value: Value = serde_json::from_str(&fx.to_json()).unwrap();
    assert!(value["gcp"]["publisher_models"]
        .as_object()
        .is_some_and(|m| !m.is_empty()));
    // Fixtures without these APIs keep their JSON shape.
    let plain: Value = serde_json::from_str(&Fixture::default().to_json()).unwrap();
    assert!(plain["gcp"].get("publisher_models").is_none());
}
