//! Injected faults: which requests they apply to and how they are used up.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A cloud the fake serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Azure Resource Manager, under `/azure`.
    Azure,
    /// AWS Bedrock, under `/aws`.
    Aws,
    /// Vertex AI, serviceusage and cloudresourcemanager, under `/gcp`.
    Gcp,
}

impl Provider {
    /// `azure`, `aws` or `gcp`: also the path prefix.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Azure => "azure",
            Provider::Aws => "aws",
            Provider::Gcp => "gcp",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a fault does to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultKind {
    /// Delay the response by `ms` milliseconds (in addition to any other fault).
    Latency {
        /// The delay.
        ms: u64,
    },
    /// Answer with `status` in the cloud's error shape, with a `Retry-After` header when
    /// `retry_after` is set.
    Status {
        /// The HTTP status (200–599).
        status: u16,
        /// The `Retry-After` header value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<String>,
    },
    /// Accept the request and never answer.
    Timeout,
    /// Send the real status and a `Content-Length` of the whole body, but only the first
    /// half of the body, then close the connection.
    Truncate,
    /// Answer as the cloud does to bad credentials.
    Unauthorized,
}

/// A fault injected into matching requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// The cloud whose requests it applies to.
    pub provider: Provider,
    /// Only requests in this region: AWS, the credential scope's region; GCP, the
    /// `locations/{loc}` of the path. Azure requests have no region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Only requests whose path and query (as received, e.g.
    /// `/aws/inference-profiles?type=APPLICATION`) contain this text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_contains: Option<String>,
    /// What it does.
    pub kind: FaultKind,
    /// Apply to the first `times` matching requests, then remove it; `None`: always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

impl Fault {
    /// A fault on every request of `provider`, forever.
    pub fn new(provider: Provider, kind: FaultKind) -> Fault {
        Fault {
            provider,
            region: None,
            path_contains: None,
            kind,
            times: None,
        }
    }

    /// Only requests in `region`.
    #[must_use]
    pub fn in_region(mut self, region: &str) -> Fault {
        self.region = Some(region.to_owned());
        self
    }

    /// Only requests whose path and query contain `text`.
    #[must_use]
    pub fn path_contains(mut self, text: &str) -> Fault {
        self.path_contains = Some(text.to_owned());
        self
    }

    /// Only the first `n` matching requests.
    #[must_use]
    pub fn times(mut self, n: u32) -> Fault {
        self.times = Some(n);
        self
    }

    fn matches(&self, provider: Provider, region: Option<&str>, target: &str) -> bool {
        self.provider == provider
            && self.times != Some(0)
            && self.region.as_deref().is_none_or(|r| Some(r) == region)
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| target.contains(p))
    }
}

/// What the faults decided for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Decision {
    /// The total delay of the latency faults applied.
    pub latency_ms: u64,
    /// The fault that decides the response, if any.
    pub fault: Option<FaultKind>,
}

/// Applies `faults` to a request: every matching latency, and the first other matching
/// fault. The faults applied are used up by one; those used up entirely are removed.
pub(crate) fn decide(
    faults: &mut Vec<Fault>,
    provider: Provider,
    region: Option<&str>,
    target: &str,
) -> Decision {
    let mut decision = Decision::default();
    for fault in faults.iter_mut() {
        if !fault.matches(provider, region, target) {
            continue;
        }
        let applied = match &fault.kind {
            FaultKind::Latency { ms } => {
                decision.latency_ms = decision.latency_ms.saturating_add(*ms);
                true
            }
            other if decision.fault.is_none() => {
                decision.fault = Some(other.clone());
                true
            }
            _ => false,
        };
        if applied {
            if let Some(n) = &mut fault.times {
                *n = n.saturating_sub(1);
            }
        }
    }
    faults.retain(|f| f.times != Some(0));
    decision
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn serde_shape_is_externally_tagged() {
        let f: Fault = serde_json::from_str(
            r#"{"provider":"aws","region":"eu-central-1","kind":{"status":{"status":429,"retry_after":"1"}},"times":2}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            Fault::new(
                Provider::Aws,
                FaultKind::Status {
                    status: 429,
                    retry_after: Some("1".into())
                }
            )
            .in_region("eu-central-1")
            .times(2)
        );
        let t: Fault = serde_json::from_str(r#"{"provider":"gcp","kind":"timeout"}"#).unwrap();
        assert_eq!(t.kind, FaultKind::Timeout);
        let err = serde_json::from_str::<Fault>(r#"{"provider":"gcp","kind":"boom"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown variant `boom`"), "{err}");
        let err = serde_json::from_str::<Fault>(r#"{"provider":"ibm","kind":"timeout"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown variant `ibm`"), "{err}");
    }

    #[test]
    fn latency_adds_to_the_first_other_fault_and_times_run_out() {
        let mut faults = vec![
            Fault::new(Provider::Aws, FaultKind::Latency { ms: 5 }).times(1),
            Fault::new(Provider::Aws, FaultKind::Latency { ms: 7 }),
            Fault::new(Provider::Aws, FaultKind::Timeout)
                .path_contains("/logging")
                .times(1),
            Fault::new(Provider::Aws, FaultKind::Truncate).times(2),
            Fault::new(Provider::Azure, FaultKind::Unauthorized),
        ];
        let d = decide(
            &mut faults,
            Provider::Aws,
            Some("us-east-1"),
            "/aws/logging/x",
        );
        assert_eq!(d.latency_ms, 12);
        assert_eq!(d.fault, Some(FaultKind::Timeout));
        // The latency with times 1 and the timeout are used up; the truncate was not applied.
        assert_eq!(faults.len(), 3);
        let d = decide(&mut faults, Provider::Aws, None, "/aws/logging/x");
        assert_eq!(d.latency_ms, 7);
        assert_eq!(d.fault, Some(FaultKind::Truncate));
        decide(&mut faults, Provider::Aws, None, "/aws/x");
        let d = decide(&mut faults, Provider::Aws, None, "/aws/x");
        assert_eq!(d.fault, None);
        assert_eq!(faults.len(), 2);
    }

    #[test]
    fn region_must_match_when_set() {
        let mut faults = vec![Fault::new(Provider::Gcp, FaultKind::Unauthorized).in_region("eu")];
        assert_eq!(decide(&mut faults, Provider::Gcp, None, "/gcp").fault, None);
        assert_eq!(
            decide(&mut faults, Provider::Gcp, Some("us"), "/gcp").fault,
            None
        );
        assert_eq!(
            decide(&mut faults, Provider::Gcp, Some("eu"), "/gcp").fault,
            Some(FaultKind::Unauthorized)
        );
        assert_eq!(
            decide(&mut faults, Provider::Azure, Some("eu"), "/azure").fault,
            None
        );
    }
}
