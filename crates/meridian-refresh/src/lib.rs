//! Reading what exists in the clouds (`meridian refresh`).
//!
//! [`scopes`] lists what to read for a project: every provider block and the regions its
//! targets use (plus those the prior state holds resources in). [`Credentials::from_env`]
//! resolves the credentials of the clouds in use. [`refresh`] then reads Azure Resource Manager
//! (Cognitive Services accounts and their deployments), Amazon Bedrock (application inference
//! profiles, provisioned throughputs, their tags, and invocation logging) and Google Cloud
//! (the Vertex AI API's state, `roles/aiplatform.user` members and Vertex endpoints), with
//! bounded concurrency, retries with jittered exponential backoff, per-request timeouts and a
//! deadline for the whole refresh. Every object found is reported as a [`LiveObject`] in
//! Meridian's attribute vocabulary (the one `meridian-graph` uses for desired resources).
//!
//! Requests run on a tokio runtime owned by [`refresh`]; a request that depends on another
//! (the deployments of an account, the tags of a profile, the next page of a list) starts as
//! soon as the response it depends on has arrived, so a refresh with enough parallelism takes
//! about as long as its longest chain of dependent requests.

mod aws;
mod azure;
mod creds;
mod gcp;
mod http;
mod paging;
mod reconcile;
mod scope;
pub mod verify;

pub use creds::Credentials;
pub use meridian_catalog::Cloud;
pub use reconcile::*;
pub use scope::{scopes, ProviderScope};

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// How a refresh runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Requests in flight at once (at least 1; 0 counts as 1). Default 10.
    pub parallelism: usize,
    /// Time allowed for one attempt of one request, body included. Default 30 s.
    pub request_timeout: Duration,
    /// Time allowed for the whole refresh. Default 10 min.
    pub deadline: Duration,
    /// Attempts per request, the first included. Default 5.
    pub max_attempts: u32,
    /// The backoff before the first retry; doubled for each further retry, with full jitter.
    /// Default 500 ms.
    pub backoff_base: Duration,
    /// The longest backoff between two attempts. Default 20 s. A `Retry-After` sent by the
    /// cloud is honoured as sent, but never past the deadline.
    pub backoff_cap: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            parallelism: 10,
            request_timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(600),
            max_attempts: 5,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(20),
        }
    }
}

/// Progress callbacks. They are called on the thread that called [`refresh`], in the order
/// the events happened. All have default no-op bodies.
pub trait Progress: Send + Sync {
    /// `n` more requests are known to be needed for `provider` (called again as pages and
    /// dependent objects are discovered).
    fn add(&self, provider: &str, n: usize) {
        let _ = (provider, n);
    }
    /// One request finished (successfully or not, retries included); `what` is e.g.
    /// "GET deployments of acct-x (page 2)".
    fn done(&self, provider: &str, what: &str) {
        let _ = (provider, what);
    }
    /// Every request of this provider has finished; `ok` is false if any failed.
    fn finished(&self, provider: &str, ok: bool) {
        let _ = (provider, ok);
    }
}

/// A [`Progress`] that ignores every event.
pub struct NoProgress;

impl Progress for NoProgress {}

/// What a refresh found.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    /// Sorted by (provider, kind, region, name), then id.
    pub objects: Vec<LiveObject>,
    /// HTTP requests made, retries included.
    pub requests: usize,
}

/// One object found in a cloud, in Meridian's attribute vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveObject {
    /// The provider block's address, e.g. `aws.corp`.
    pub provider: String,
    /// `azure_account`, `azure_deployment`, `aws_inference_profile`,
    /// `aws_provisioned_throughput`, `aws_invocation_logging`, `gcp_service`, `gcp_iam_member`
    /// or `gcp_endpoint`.
    pub kind: String,
    /// `None` for `gcp_service` and `gcp_iam_member`.
    pub region: Option<String>,
    pub name: String,
    /// ARM id, ARN, endpoint resource name, `projects/p/services/s`,
    /// `projects/p/roles/r/members/m`, or `model-invocation-logging/{region}` for the
    /// invocation-logging configuration of a region.
    pub id: String,
    pub attributes: BTreeMap<String, serde_json::Value>,
    /// Tags (labels for GCP endpoints); empty for kinds without tags.
    pub tags: BTreeMap<String, String>,
}

/// What went wrong with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The cloud refused the credentials (HTTP 401/403).
    Auth,
    /// Any other HTTP error status (after retries, for retryable ones).
    Http,
    /// An attempt took longer than the request timeout (after retries).
    Timeout,
    /// The refresh deadline passed before the request finished.
    Deadline,
    /// The response body was cut off, was not JSON, or lacked what it must contain.
    Decode,
    /// No connection could be made (after retries), or the endpoint is not a valid URL.
    Connect,
    /// Credentials (or what identifies what to read) are missing or could not be obtained.
    Credentials,
}

/// One failed request. Never contains a token or secret.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshError {
    pub provider: String,
    pub region: Option<String>,
    /// `GET https://host/path?query`; empty for errors not about a request (credentials).
    pub request: String,
    pub kind: ErrorKind,
    /// E.g. "HTTP 500 after 5 attempts: <the cloud's message>".
    pub reason: String,
}

impl fmt::Display for RefreshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.provider)?;
        if let Some(region) = &self.region {
            write!(f, " ({region})")?;
        }
        if self.request.is_empty() {
            write!(f, ": {}", self.reason)
        } else {
            write!(f, ": {} failed: {}", self.request, self.reason)
        }
    }
}

impl std::error::Error for RefreshError {}

/// Every error of a failed refresh.
#[derive(Debug, Clone)]
pub struct RefreshFailure {
    pub errors: Vec<RefreshError>,
}

impl fmt::Display for RefreshFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.as_slice() {
            [one] => write!(f, "refresh failed: {one}"),
            errors => {
                write!(f, "refresh failed with {} errors:", errors.len())?;
                for e in errors {
                    write!(f, "\n  - {e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for RefreshFailure {}

/// Reads everything in `scopes`. Blocking: runs its own tokio runtime. Every provider is
/// read; if any request fails after retries (or the deadline passes) the result is `Err`
/// with every error.
pub fn refresh(
    scopes: &[ProviderScope],
    creds: &Credentials,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Observation, RefreshFailure> {
    http::run(scopes, creds, opts, progress)
}
