//! Scopes from a project and prior state; credentials only for the clouds in use (each
//! credential flow is tested in `credentials.rs`).

use meridian_model::{ir::Project, Date, Options};
use meridian_refresh::{scopes, Cloud, Credentials, ProviderScope};
use meridian_spec::Inputs;
use meridian_state::{State, StateResource};
use std::collections::BTreeMap;
use std::path::Path;

fn project(example: &str) -> Project {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(example);
    let loaded = meridian_spec::load(&dir, &Inputs::default());
    assert!(!loaded.diagnostics.has_errors(), "{:?}", loaded.diagnostics);
    let resolve = |p: &Path| Some(p.to_path_buf());
    let v = meridian_model::validate(
        &loaded.spec,
        &Options {
            catalog: meridian_catalog::Catalog::builtin(),
            today: Date::parse("2026-11-25").expect("date"),
            resolve_path: &resolve,
            own_files: &[],
        },
    );
    assert!(!v.diagnostics.has_errors(), "{:?}", v.diagnostics);
    v.project
}

fn resource(provider: &str, kind: &str, region: Option<&str>) -> StateResource {
    StateResource {
        address: format!("{provider}.{kind}.x"),
        kind: kind.into(),
        provider: provider.into(),
        region: region.map(str::to_string),
        name: "x".into(),
        attributes: BTreeMap::new(),
        tags: BTreeMap::new(),
        pending: None,
        observed: None,
    }
}

#[test]
fn scopes_cover_every_provider_with_target_and_prior_state_regions() {
    let p = project("eu-bank");
    let plain = scopes(&p, None);
    assert_eq!(plain.len(), p.providers.len());
    for (s, provider) in plain.iter().zip(&p.providers) {
        assert_eq!(s.address, provider.address);
        assert_eq!(s.cloud, provider.cloud);
        assert_eq!(s.subscription_id, provider.subscription_id);
        assert_eq!(s.resource_group, provider.resource_group);
        assert_eq!(s.account_id, provider.account_id);
        assert_eq!(s.project, provider.project);
        assert_eq!(s.endpoint, provider.endpoint);
        let mut expected: Vec<String> = p
            .models
            .iter()
            .flat_map(|m| m.tiers.iter().flat_map(|t| t.targets.iter()))
            .filter(|t| t.provider == provider.address)
            .map(|t| t.region.clone())
            .collect();
        expected.sort();
        expected.dedup();
        assert_eq!(s.regions, expected, "{}", s.address);
        assert!(!s.regions.is_empty(), "{}", s.address);
    }
    let aws = plain.iter().find(|s| s.cloud == Cloud::Aws).expect("aws");
    assert!(aws.regions.contains(&"eu-central-1".to_string()));

    let mut state = State::new("test");
    state.resources = vec![
        resource(&aws.address, "aws_inference_profile", Some("ap-south-1")),
        resource(&aws.address, "aws_inference_profile", Some("eu-central-1")),
        resource("aws.elsewhere", "aws_inference_profile", Some("us-west-2")),
        resource("gcp.corp", "gcp_service", None),
    ];
    let with_state = scopes(&p, Some(&state));
    let aws2 = with_state
        .iter()
        .find(|s| s.address == aws.address)
        .expect("aws");
    let mut expected = aws.regions.clone();
    expected.push("ap-south-1".into());
    expected.sort();
    assert_eq!(
        aws2.regions, expected,
        "sorted, deduplicated, with the state's"
    );
    assert!(
        with_state.iter().all(|s| s.address != "aws.elsewhere"),
        "only the project's provider blocks"
    );
    assert!(with_state
        .iter()
        .flat_map(|s| &s.regions)
        .all(|r| r != "us-west-2"));
}

fn scope(cloud: Cloud, address: &str) -> ProviderScope {
    ProviderScope {
        cloud,
        address: address.into(),
        regions: vec![],
        subscription_id: None,
        resource_group: None,
        account_id: None,
        partition: None,
        project: None,
        endpoint: None,
    }
}

#[test]
fn only_the_clouds_in_use_need_credentials() {
    let none: BTreeMap<&str, &str> = BTreeMap::new();
    let creds = Credentials::from_lookup(&[], |n| none.get(n).map(|v| (*v).to_string()))
        .expect("no clouds, no credentials");
    let shown = format!("{creds:?}");
    assert!(shown.contains("azure: None"), "{shown}");

    let env = BTreeMap::from([("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.gcp-secret-token")]);
    let creds = Credentials::from_lookup(&[scope(Cloud::Gcp, "gcp.corp")], |n| {
        env.get(n).map(|v| (*v).to_string())
    })
    .expect("gcp only");
    let shown = format!("{creds:?}");
    assert!(!shown.contains("ya29"), "{shown}");
    assert!(
        shown.contains("gcp: Some(\"GOOGLE_OAUTH_ACCESS_TOKEN\")"),
        "{shown}"
    );
    assert_eq!(
        creds.sources(),
        [(Cloud::Gcp, "GOOGLE_OAUTH_ACCESS_TOKEN".to_string())]
    );
}
