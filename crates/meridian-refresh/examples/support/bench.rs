//! What the benchmark examples share: the parallelism argument, latency on every request of
//! the fake cloud, the credentials that point at it, and the parallelisms to run.

use meridian_fakecloud::{FakeCloud, Fault, FaultKind, Fixture, Provider};
use meridian_refresh::{Credentials, ProviderScope};
use std::collections::BTreeMap;

/// The first argument as the parallelism to measure (default 64).
pub fn parallelism() -> usize {
    match std::env::args().nth(1) {
        None => 64,
        Some(a) => a
            .parse()
            .unwrap_or_else(|_| panic!("parallelism must be a number, not {a:?}")),
    }
}

/// Every request of every cloud answered `ms` milliseconds late.
pub fn with_latency(fixture: &mut Fixture, ms: u64) {
    fixture.faults = [Provider::Azure, Provider::Aws, Provider::Gcp]
        .into_iter()
        .map(|p| Fault::new(p, FaultKind::Latency { ms }))
        .collect();
}

/// The credentials and endpoints of `cloud`, for `scopes`.
pub fn credentials(cloud: &FakeCloud, scopes: &[ProviderScope]) -> Credentials {
    let env: BTreeMap<String, String> = cloud.env_vars().into_iter().collect();
    Credentials::from_lookup(scopes, |n| env.get(n).cloned())
        .unwrap_or_else(|e| panic!("credentials: {e}"))
}

/// The parallelisms to measure: `p`, then 1.
pub fn runs(p: usize) -> Vec<usize> {
    if p == 1 {
        vec![1]
    } else {
        vec![p, 1]
    }
}
