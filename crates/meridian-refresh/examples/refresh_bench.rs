//! How close a refresh gets to its critical path.
//!
//! Starts the fake cloud in-process with three clouds of twelve regions each and 100 ms of
//! latency on every request, then refreshes with parallelism P (the first argument, default
//! 64) and with parallelism 1, printing wall time, requests made, the critical path and the
//! ratio of the two.
//!
//! `cargo run -p meridian-refresh --example refresh_bench -- 64`

#[path = "support/bench.rs"]
mod bench;

use meridian_fakecloud::{FakeCloud, Fixture};
use meridian_refresh::{refresh, Cloud, NoProgress, Options, ProviderScope};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const LATENCY_MS: u64 = 100;
const REGIONS: usize = 12;
/// Items a page of every list.
const PAGE_SIZE: usize = 4;
/// Items of every list: three pages of `PAGE_SIZE` (4 + 4 + 2).
const ITEMS: usize = 10;
const SUB: &str = "00000000-0000-0000-0000-000000000001";
const RG: &str = "rg-bench";
const ACCOUNT: &str = "111122223333";
const PROJECT: &str = "bench-project";

const AZURE_REGIONS: [&str; REGIONS] = [
    "swedencentral",
    "francecentral",
    "germanywestcentral",
    "westeurope",
    "northeurope",
    "uksouth",
    "eastus",
    "eastus2",
    "westus3",
    "japaneast",
    "australiaeast",
    "canadaeast",
];
const AWS_REGIONS: [&str; REGIONS] = [
    "eu-central-1",
    "eu-west-1",
    "eu-west-3",
    "eu-north-1",
    "eu-south-1",
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "ap-northeast-1",
    "ap-southeast-2",
    "ap-south-1",
    "ca-central-1",
];
const GCP_LOCATIONS: [&str; REGIONS] = [
    "europe-west1",
    "europe-west3",
    "europe-west4",
    "europe-west8",
    "europe-west9",
    "europe-north1",
    "us-central1",
    "us-east4",
    "us-west1",
    "asia-northeast1",
    "australia-southeast1",
    "northamerica-northeast1",
];

fn pages(items: usize) -> usize {
    items.div_ceil(PAGE_SIZE).max(1)
}

/// The longest chain of requests that each need the previous one's response:
/// - Azure: the account pages one after another (an account on the last page is only known
///   then), then that account's deployment pages one after another: 3 + 3.
/// - AWS: the profile (or throughput) pages one after another, then the tags of an item of
///   the last page: 3 + 1.
/// - GCP: the endpoint pages of a location one after another: 3 (the API state and IAM
///   policy are single requests).
///
/// Every other request hangs off a shorter chain, so with unbounded parallelism the refresh
/// takes the longest of the three chains times the latency.
fn critical_chain() -> usize {
    let azure = pages(REGIONS) + pages(ITEMS);
    let aws = pages(ITEMS) + 1;
    let gcp = pages(ITEMS);
    azure.max(aws).max(gcp)
}

fn fixture() -> Fixture {
    let accounts: Vec<Value> = AZURE_REGIONS
        .iter()
        .enumerate()
        .map(|(i, region)| {
            let id = format!(
                "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts/acct-{i}"
            );
            let deployments: Vec<Value> = (0..ITEMS)
                .map(|d| {
                    json!({
                        "id": format!("{id}/deployments/dep-{d}"),
                        "name": format!("dep-{d}"),
                        "sku": {"name": "Standard", "capacity": 10},
                        "properties": {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-08-06"}}
                    })
                })
                .collect();
            json!({
                "id": id, "name": format!("acct-{i}"), "location": region, "kind": "AIServices",
                "sku": {"name": "S0"}, "identity": {"type": "SystemAssigned"}, "tags": {},
                "properties": {"customSubDomainName": format!("acct-{i}"), "publicNetworkAccess": "Disabled",
                               "disableLocalAuth": true, "networkAcls": {"defaultAction": "Deny", "ipRules": []}},
                "deployments": deployments
            })
        })
        .collect();
    let mut aws = serde_json::Map::new();
    for region in AWS_REGIONS {
        let profiles: Vec<Value> = (0..ITEMS)
            .map(|i| {
                json!({
                    "inferenceProfileName": format!("profile-{i}"),
                    "inferenceProfileId": format!("p{i}"),
                    "inferenceProfileArn": format!("arn:aws:bedrock:{region}:{ACCOUNT}:application-inference-profile/p{i}"),
                    "models": [], "status": "ACTIVE", "type": "APPLICATION"
                })
            })
            .collect();
        let throughputs: Vec<Value> = (0..ITEMS)
            .map(|i| {
                json!({
                    "provisionedModelName": format!("pt-{i}"),
                    "provisionedModelArn": format!("arn:aws:bedrock:{region}:{ACCOUNT}:provisioned-model/t{i}"),
                    "modelArn": format!("arn:aws:bedrock:{region}::foundation-model/m"),
                    "modelUnits": 1
                })
            })
            .collect();
        aws.insert(
            region.to_string(),
            json!({"inference_profiles": profiles, "provisioned_throughputs": throughputs}),
        );
    }
    let endpoints: BTreeMap<&str, Vec<Value>> = GCP_LOCATIONS
        .iter()
        .map(|loc| {
            let list = (0..ITEMS)
                .map(|i| {
                    json!({"name": format!("projects/{PROJECT}/locations/{loc}/endpoints/{i}"), "displayName": format!("e{i}")})
                })
                .collect();
            (*loc, list)
        })
        .collect();
    let mut fixture: Fixture = serde_json::from_value(json!({
        "page_size": PAGE_SIZE,
        "azure": {"subscriptions": {SUB: {"resource_groups": {RG: {"accounts": accounts}}}}},
        "aws": {"regions": aws},
        "gcp": {"projects": {PROJECT: {"number": "1", "services": {"aiplatform.googleapis.com": "ENABLED"},
                                        "iam_bindings": [], "endpoints": endpoints}}}
    }))
    .unwrap_or_else(|e| panic!("bench fixture: {e}"));
    ACCOUNT.clone_into(&mut fixture.auth.aws.account_id);
    bench::with_latency(&mut fixture, LATENCY_MS);
    fixture
}

fn scopes() -> Vec<ProviderScope> {
    let base = ProviderScope {
        cloud: Cloud::Azure,
        address: "azure.bench".into(),
        regions: AZURE_REGIONS.iter().map(|r| (*r).to_string()).collect(),
        subscription_id: Some(SUB.into()),
        resource_group: Some(RG.into()),
        account_id: None,
        partition: None,
        project: None,
        endpoint: None,
    };
    let mut out = vec![
        base.clone(),
        ProviderScope {
            cloud: Cloud::Aws,
            address: "aws.bench".into(),
            regions: AWS_REGIONS.iter().map(|r| (*r).to_string()).collect(),
            account_id: Some(ACCOUNT.into()),
            ..base.clone()
        },
        ProviderScope {
            cloud: Cloud::Gcp,
            address: "gcp.bench".into(),
            regions: GCP_LOCATIONS.iter().map(|r| (*r).to_string()).collect(),
            project: Some(PROJECT.into()),
            ..base
        },
    ];
    for s in &mut out {
        s.regions.sort();
    }
    out
}

fn main() {
    let parallelism = bench::parallelism();
    let fc = FakeCloud::start(fixture()).unwrap_or_else(|e| panic!("fake cloud: {e}"));
    let scopes = scopes();
    let creds = bench::credentials(&fc, &scopes);
    let chain = critical_chain();
    let critical = Duration::from_millis(LATENCY_MS * chain as u64);
    println!(
        "fixture: 3 clouds x {REGIONS} regions, {ITEMS} items a list at {PAGE_SIZE} a page, {LATENCY_MS} ms latency a request"
    );
    println!(
        "critical path: {chain} dependent requests x {LATENCY_MS} ms = {:.2} s",
        critical.as_secs_f64()
    );
    for p in bench::runs(parallelism) {
        let opts = Options {
            parallelism: p,
            ..Options::default()
        };
        let started = Instant::now();
        let obs = refresh(&scopes, &creds, &opts, &NoProgress)
            .unwrap_or_else(|e| panic!("refresh failed: {e}"));
        let wall = started.elapsed();
        println!(
            "parallelism {p:>3}: {:.2} s wall, {} requests, {} objects, {:.2} x the critical path",
            wall.as_secs_f64(),
            obs.requests,
            obs.objects.len(),
            wall.as_secs_f64() / critical.as_secs_f64()
        );
    }
}
