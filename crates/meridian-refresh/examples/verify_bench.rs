//! How close `catalog verify` gets to the shortest time its requests allow.
//!
//! Starts the fake cloud in-process serving the built-in catalog (every fact as the providers'
//! APIs state it) with 100 ms of latency on every request and four items a page, then reads
//! three clouds of twelve regions each with parallelism P (the first argument, default 64)
//! and with parallelism 1, printing wall time, requests made, the lower bound and the ratio of
//! the two. The lower bound is the longer of
//!
//! - the critical path: the longest chain of requests that each need the one before (Bedrock:
//!   the system-profile pages of a region one after another, then a `GetInferenceProfile` of
//!   the last page; Azure: a location's model-list pages one after another; Vertex AI: one
//!   request), times the latency, and
//! - the requests divided by the parallelism, rounded up, times the latency.
//!
//! `cargo run --release -p meridian-refresh --example verify_bench -- 64`

#[path = "support/bench.rs"]
mod bench;

use meridian_catalog::{Catalog, Cloud};
use meridian_fakecloud::{FakeCloud, Fixture};
use meridian_refresh::{verify, NoProgress, Options, ProviderScope};
use std::time::{Duration, Instant};

const LATENCY_MS: u64 = 100;
const PAGE_SIZE: usize = 4;
const SUB: &str = "00000000-0000-0000-0000-000000000001";
const ACCOUNT: &str = "111122223333";
const PROJECT: &str = "bench-project";

const AZURE_REGIONS: [&str; 12] = [
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
const AWS_REGIONS: [&str; 12] = [
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
const GCP_LOCATIONS: [&str; 12] = [
    "europe-west1",
    "europe-west4",
    "europe-west8",
    "europe-west9",
    "europe-north1",
    "us-central1",
    "us-east4",
    "us-east5",
    "asia-northeast1",
    "asia-southeast1",
    "eu",
    "global",
];

fn pages(items: usize) -> usize {
    items.div_ceil(PAGE_SIZE).max(1)
}

/// The longest chain of dependent requests the fixture asks for (see the module docs).
fn critical_chain(fixture: &Fixture, catalog: &Catalog) -> usize {
    let aws = AWS_REGIONS
        .iter()
        .map(|r| {
            let profiles = fixture
                .aws
                .regions
                .get(*r)
                .map_or(&[][..], |d| d.inference_profiles.as_slice());
            let read_in_full = profiles.iter().any(|p| {
                p["inferenceProfileId"]
                    .as_str()
                    .and_then(|id| id.split_once('.'))
                    .is_some_and(|(prefix, model)| {
                        prefix != "global" && catalog.model(Cloud::Aws, model).is_some()
                    })
            });
            pages(profiles.len()) + usize::from(read_in_full)
        })
        .max()
        .unwrap_or(1);
    let azure = AZURE_REGIONS
        .iter()
        .map(|r| {
            pages(
                fixture
                    .azure
                    .subscriptions
                    .get(SUB)
                    .and_then(|s| s.models.get(*r))
                    .map_or(0, Vec::len),
            )
        })
        .max()
        .unwrap_or(1);
    aws.max(azure).max(1)
}

fn scopes() -> Vec<ProviderScope> {
    let scope = |cloud: Cloud, address: &str, regions: &[&str]| ProviderScope {
        cloud,
        address: address.into(),
        regions: regions.iter().map(|r| (*r).to_string()).collect(),
        subscription_id: Some(SUB.into()),
        resource_group: None,
        account_id: Some(ACCOUNT.into()),
        partition: None,
        project: Some(PROJECT.into()),
        endpoint: None,
    };
    vec![
        scope(Cloud::Azure, "azure.bench", &AZURE_REGIONS),
        scope(Cloud::Aws, "aws.bench", &AWS_REGIONS),
        scope(Cloud::Gcp, "gcp.bench", &GCP_LOCATIONS),
    ]
}

fn main() {
    let parallelism = bench::parallelism();
    let catalog = Catalog::builtin();
    for r in AWS_REGIONS {
        assert!(catalog.region(Cloud::Aws, r).is_some(), "{r}");
    }
    for r in AZURE_REGIONS {
        assert!(catalog.region(Cloud::Azure, r).is_some(), "{r}");
    }
    let mut fixture = Fixture::default()
        .with_page_size(PAGE_SIZE)
        .with_catalog(catalog, SUB);
    ACCOUNT.clone_into(&mut fixture.auth.aws.account_id);
    let chain = critical_chain(&fixture, catalog);
    bench::with_latency(&mut fixture, LATENCY_MS);
    let fc = FakeCloud::start(fixture).unwrap_or_else(|e| panic!("fake cloud: {e}"));
    let scopes = scopes();
    let creds = bench::credentials(&fc, &scopes);
    let critical = Duration::from_millis(LATENCY_MS * chain as u64);
    println!(
        "fixture: the built-in catalog as 3 clouds x 12 regions serve it, {PAGE_SIZE} items a page, {LATENCY_MS} ms latency a request"
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
        let reading = verify::read(&scopes, catalog, &creds, &opts, &NoProgress)
            .unwrap_or_else(|e| panic!("verify failed: {e}"));
        let wall = started.elapsed();
        let differences = verify::compare(catalog, &reading.regions);
        assert!(differences.is_empty(), "{differences:#?}");
        let throughput = Duration::from_millis(LATENCY_MS * reading.requests.div_ceil(p) as u64);
        let bound = critical.max(throughput);
        println!(
            "parallelism {p:>3}: {:.2} s wall, {} requests, {} regions, lower bound {:.2} s, {:.2} x the lower bound",
            wall.as_secs_f64(),
            reading.requests,
            reading.regions.len(),
            bound.as_secs_f64(),
            wall.as_secs_f64() / bound.as_secs_f64()
        );
    }
}
