//! The HTTP server: its thread and runtime, routing by provider, faults and the request log.

use crate::faults::{self, Decision, FaultKind, Provider};
use crate::fixture::{Fixture, FixtureError};
use crate::http::{Incoming, Reply};
use crate::{aws, azure, gcp, sigv4, tokens, Fault};
use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::body::{Body, Frame, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use std::convert::Infallible;
use std::future::Future as _;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};
use tokio::sync::oneshot;

/// One request the fake cloud received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path as received, provider prefix included: `/azure/subscriptions/…`.
    pub path: String,
    /// The query as received, without `?`.
    pub query: Option<String>,
    /// The provider the path prefix names; `None` for paths outside `/azure`, `/aws`, `/gcp`.
    pub provider: Option<Provider>,
    /// The status answered; `None` when a timeout fault kept the request unanswered.
    pub status: Option<u16>,
}

struct Shared {
    fixture: Mutex<Fixture>,
    log: Mutex<Vec<RequestRecord>>,
    addr: SocketAddr,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running fake cloud; dropping it stops the server.
pub struct FakeCloud {
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FakeCloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeCloud")
            .field("addr", &self.shared.addr)
            .finish_non_exhaustive()
    }
}

impl FakeCloud {
    /// Serves `fixture` on `127.0.0.1` on a free port.
    pub fn start(fixture: Fixture) -> io::Result<FakeCloud> {
        FakeCloud::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), fixture)
    }

    /// Serves `fixture` on `addr`. A fixture that does not validate is an `InvalidInput`
    /// error.
    pub fn start_on(addr: SocketAddr, fixture: Fixture) -> io::Result<FakeCloud> {
        fixture
            .validate()
            .map_err(|e: FixtureError| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let shared = Arc::new(Shared {
            fixture: Mutex::new(fixture),
            log: Mutex::new(Vec::new()),
            addr,
        });
        let (tx, rx) = oneshot::channel();
        let serving = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("meridian-fakecloud-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(serve(listener, serving, rx));
                runtime.shutdown_background();
            })?;
        Ok(FakeCloud {
            shared,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// `http://127.0.0.1:PORT/azure`: the value of `MERIDIAN_AZURE_ENDPOINT`.
    pub fn azure_endpoint(&self) -> String {
        format!("{}/azure", self.base_url())
    }

    /// `http://127.0.0.1:PORT/aws`: the value of `MERIDIAN_AWS_ENDPOINT`.
    pub fn aws_endpoint(&self) -> String {
        format!("{}/aws", self.base_url())
    }

    /// `http://127.0.0.1:PORT/aws/sts`: the value of `MERIDIAN_AWS_STS_ENDPOINT`, where
    /// `GetCallerIdentity` answers with the fixture's AWS account.
    pub fn aws_sts_endpoint(&self) -> String {
        format!("{}/aws/sts", self.base_url())
    }

    /// `http://127.0.0.1:PORT/gcp`: the value of `MERIDIAN_GCP_ENDPOINT`.
    pub fn gcp_endpoint(&self) -> String {
        format!("{}/gcp", self.base_url())
    }

    /// `http://127.0.0.1:PORT/gcp/{location}`: a value of `MERIDIAN_GCP_ENDPOINT` that keeps
    /// the location in every request, as Google's per-location hosts
    /// (`{location}-aiplatform.googleapis.com`) do. Every GCP path is served under it too;
    /// publisher models (`/v1beta1/publishers/…`), whose paths name no location, only under
    /// it.
    pub fn gcp_location_endpoint(&self) -> String {
        format!("{}/gcp/{{location}}", self.base_url())
    }

    /// `http://127.0.0.1:PORT/azure/login`: the value of `AZURE_AUTHORITY_HOST`, where the
    /// Entra ID token endpoint is `/{tenant}/oauth2/v2.0/token`.
    pub fn azure_authority_host(&self) -> String {
        format!("{}/azure/login", self.base_url())
    }

    /// `http://127.0.0.1:PORT/azure/imds`: the value of `AZURE_POD_IDENTITY_AUTHORITY_HOST`,
    /// Azure's instance metadata service (`/metadata/identity/oauth2/token`).
    pub fn azure_imds_host(&self) -> String {
        format!("{}/azure/imds", self.base_url())
    }

    /// `http://127.0.0.1:PORT/azure/msi/token`: an App Service `IDENTITY_ENDPOINT`.
    pub fn azure_identity_endpoint(&self) -> String {
        format!("{}/azure/msi/token", self.base_url())
    }

    /// `http://127.0.0.1:PORT/aws/imds`: the value of `AWS_EC2_METADATA_SERVICE_ENDPOINT`.
    pub fn aws_imds_endpoint(&self) -> String {
        format!("{}/aws/imds", self.base_url())
    }

    /// `http://127.0.0.1:PORT/aws/sso`: the value of `AWS_ENDPOINT_URL_SSO`, the IAM
    /// Identity Center portal (`/federation/credentials`).
    pub fn aws_sso_endpoint(&self) -> String {
        format!("{}/aws/sso", self.base_url())
    }

    /// `http://127.0.0.1:PORT/aws/ecs/credentials`: an `AWS_CONTAINER_CREDENTIALS_FULL_URI`
    /// (any path under `/aws/ecs/` serves the container credentials).
    pub fn aws_ecs_url(&self) -> String {
        format!("{}/aws/ecs/credentials", self.base_url())
    }

    /// `http://127.0.0.1:PORT/aws/ecs`: the value of `MERIDIAN_AWS_ECS_ENDPOINT`, the host
    /// an `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is appended to.
    pub fn aws_ecs_host(&self) -> String {
        format!("{}/aws/ecs", self.base_url())
    }

    /// `http://127.0.0.1:PORT/gcp/oauth2/token`: a credential file's `token_uri`.
    pub fn gcp_token_uri(&self) -> String {
        format!("{}/gcp/oauth2/token", self.base_url())
    }

    /// `http://127.0.0.1:PORT/gcp/sts/v1/token`: an `external_account` file's `token_url`.
    pub fn gcp_sts_url(&self) -> String {
        format!("{}/gcp/sts/v1/token", self.base_url())
    }

    /// IAM Credentials `generateAccessToken` of a service account: an `external_account`
    /// file's `service_account_impersonation_url`.
    pub fn gcp_impersonation_url(&self, service_account: &str) -> String {
        format!(
            "{}/gcp/iamcredentials/v1/projects/-/serviceAccounts/{service_account}:generateAccessToken",
            self.base_url()
        )
    }

    /// `http://127.0.0.1:PORT/github/oidc?api-version=2.0`: the value of
    /// `ACTIONS_ID_TOKEN_REQUEST_URL` (a job appends `&audience=…`).
    pub fn github_oidc_url(&self) -> String {
        format!("{}/github/oidc?api-version=2.0", self.base_url())
    }

    /// `127.0.0.1:PORT`: the value of `GCE_METADATA_HOST` (the metadata server is served at
    /// the root, under `/computeMetadata/v1/`).
    pub fn gce_metadata_host(&self) -> String {
        self.shared.addr.to_string()
    }

    /// The environment that points Meridian at this fake cloud without credentials: the
    /// four `MERIDIAN_*_ENDPOINT` variables (GCP's with `{location}`, see
    /// [`FakeCloud::gcp_location_endpoint`]), and every token endpoint and metadata service
    /// (`AZURE_AUTHORITY_HOST`, `AZURE_POD_IDENTITY_AUTHORITY_HOST`,
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, `AWS_ENDPOINT_URL_SSO`,
    /// `MERIDIAN_AWS_ECS_ENDPOINT`, `GCE_METADATA_HOST`), so that nothing is asked of the
    /// real ones.
    pub fn endpoint_env_vars(&self) -> Vec<(String, String)> {
        [
            ("MERIDIAN_AZURE_ENDPOINT", self.azure_endpoint()),
            ("MERIDIAN_AWS_ENDPOINT", self.aws_endpoint()),
            ("MERIDIAN_AWS_STS_ENDPOINT", self.aws_sts_endpoint()),
            ("MERIDIAN_GCP_ENDPOINT", self.gcp_location_endpoint()),
            ("AZURE_AUTHORITY_HOST", self.azure_authority_host()),
            ("AZURE_POD_IDENTITY_AUTHORITY_HOST", self.azure_imds_host()),
            (
                "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                self.aws_imds_endpoint(),
            ),
            ("AWS_ENDPOINT_URL_SSO", self.aws_sso_endpoint()),
            ("MERIDIAN_AWS_ECS_ENDPOINT", self.aws_ecs_host()),
            ("GCE_METADATA_HOST", self.gce_metadata_host()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// [`FakeCloud::endpoint_env_vars`] and the fixture's credentials
    /// (`AZURE_ACCESS_TOKEN`, `GOOGLE_OAUTH_ACCESS_TOKEN`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, and `AWS_SESSION_TOKEN` when the fixture has one), as of now.
    pub fn env_vars(&self) -> Vec<(String, String)> {
        let auth = lock(&self.shared.fixture).auth.clone();
        let mut vars = self.endpoint_env_vars();
        vars.extend([
            ("AZURE_ACCESS_TOKEN".to_owned(), auth.azure_token),
            ("GOOGLE_OAUTH_ACCESS_TOKEN".to_owned(), auth.gcp_token),
            ("AWS_ACCESS_KEY_ID".to_owned(), auth.aws.access_key_id),
            (
                "AWS_SECRET_ACCESS_KEY".to_owned(),
                auth.aws.secret_access_key,
            ),
        ]);
        if let Some(token) = auth.aws.session_token {
            vars.push(("AWS_SESSION_TOKEN".to_owned(), token));
        }
        vars
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Vec<Fault>) {
        lock(&self.shared.fixture).faults = faults;
    }

    /// Changes the data served from the next request on.
    pub fn update<R>(&self, change: impl FnOnce(&mut Fixture) -> R) -> R {
        change(&mut lock(&self.shared.fixture))
    }

    /// A copy of the fixture as it is now (faults used up are gone).
    pub fn fixture(&self) -> Fixture {
        lock(&self.shared.fixture).clone()
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).clone()
    }

    /// How many requests were received so far.
    pub fn request_count(&self) -> usize {
        lock(&self.shared.log).len()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }
}

impl Drop for FakeCloud {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>, mut shutdown: oneshot::Receiver<()>) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                };
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let shared = Arc::clone(&shared);
                        async move { Ok::<_, Infallible>(respond(&shared, req).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

/// The provider a path's first segment names, and the rest of the path.
fn split_provider(path: &str) -> (Option<Provider>, &str) {
    for p in [Provider::Azure, Provider::Aws, Provider::Gcp] {
        if let Some(rest) = path
            .strip_prefix('/')
            .and_then(|r| r.strip_prefix(p.as_str()))
        {
            if rest.is_empty() || rest.starts_with('/') {
                return (Some(p), rest);
            }
        }
    }
    (None, path)
}

async fn respond(shared: &Shared, req: Request<hyper::body::Incoming>) -> Response<ReplyBody> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    let incoming = Incoming {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    };
    let host = incoming
        .header("host")
        .map_or_else(|| shared.addr.to_string(), str::to_owned);
    let (provider, rest) = split_provider(&incoming.path);
    let (decision, reply) = {
        let mut fixture = lock(&shared.fixture);
        match provider {
            None if incoming.path.starts_with("/computeMetadata/") => (
                Decision::default(),
                tokens::gce_metadata(&incoming, &fixture, SystemTime::now()),
            ),
            None if incoming.path == "/github/oidc" => (
                Decision::default(),
                tokens::github_oidc(&incoming, &fixture),
            ),
            None => (
                Decision::default(),
                azure::error(
                    404,
                    "NotFound",
                    "The fake cloud serves Azure under /azure, AWS under /aws and GCP under /gcp.",
                ),
            ),
            Some(p) => {
                let region = match p {
                    Provider::Aws => sigv4::scope_region(&incoming.headers),
                    Provider::Gcp => gcp::location(rest),
                    Provider::Azure => None,
                };
                let decision = faults::decide(
                    &mut fixture.faults,
                    p,
                    region.as_deref(),
                    &incoming.target(),
                );
                let reply = match &decision.fault {
                    Some(FaultKind::Status {
                        status,
                        retry_after,
                    }) => status_reply(p, rest, *status, retry_after.as_deref()),
                    Some(FaultKind::Unauthorized) => match p {
                        Provider::Azure => azure::unauthorized(false),
                        Provider::Aws if aws::is_sts(rest) => aws::sts_error(
                            403,
                            "InvalidClientTokenId",
                            "The security token included in the request is invalid.",
                        ),
                        Provider::Aws => aws::unrecognized_client(),
                        Provider::Gcp => gcp::unauthenticated(),
                    },
                    _ => {
                        let now = SystemTime::now();
                        match p {
                            Provider::Azure => tokens::azure(&incoming, rest, &fixture, &host, now)
                                .unwrap_or_else(|| azure::handle(&incoming, rest, &fixture, &host)),
                            Provider::Aws => tokens::aws(&incoming, rest, &fixture, now)
                                .unwrap_or_else(|| aws::handle(&incoming, rest, &fixture, now)),
                            Provider::Gcp => tokens::gcp(&incoming, rest, &fixture, &host, now)
                                .unwrap_or_else(|| gcp::handle(&incoming, rest, &fixture)),
                        }
                    }
                };
                (decision, reply)
            }
        }
    };
    let timeout = decision.fault == Some(FaultKind::Timeout);
    lock(&shared.log).push(RequestRecord {
        method: incoming.method.clone(),
        path: incoming.path.clone(),
        query: incoming.query.clone(),
        provider,
        status: (!timeout).then_some(reply.status),
    });
    if decision.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(decision.latency_ms)).await;
    }
    if timeout {
        return std::future::pending().await;
    }
    build_response(reply, decision.fault == Some(FaultKind::Truncate))
}

fn status_reply(p: Provider, rest: &str, status: u16, retry_after: Option<&str>) -> Reply {
    let message =
        format!("The request failed with HTTP {status} (a fault injected by the fake cloud).");
    let reply = match p {
        Provider::Azure => azure::error(status, azure::status_code(status), &message),
        Provider::Aws if aws::is_sts(rest) => {
            aws::sts_error(status, aws::status_type(status), &message)
        }
        Provider::Aws => aws::error(status, aws::status_type(status), &message),
        Provider::Gcp => gcp::error(status, gcp::status_name(status), &message),
    };
    match retry_after {
        Some(v) => reply.with_header("Retry-After", v),
        None => reply,
    }
}

fn build_response(reply: Reply, truncate: bool) -> Response<ReplyBody> {
    let full_len = reply.body.len();
    let content_type = reply.content_type;
    let body = if truncate {
        let half = Bytes::from(reply.body).slice(..full_len / 2);
        ReplyBody::truncated(half)
    } else {
        ReplyBody::full(Bytes::from(reply.body))
    };
    let mut response = Response::new(body);
    *response.status_mut() = hyper::StatusCode::from_u16(reply.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(content_type),
    );
    if truncate {
        headers.insert(
            hyper::header::CONTENT_LENGTH,
            hyper::header::HeaderValue::from(full_len),
        );
    }
    for (name, value) in reply.headers {
        if let (Ok(n), Ok(v)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(&value),
        ) {
            headers.append(n, v);
        }
    }
    response
}

/// A response body: all of it, or a part followed (after a moment, so the part is sent)
/// by an error that makes the server close the connection.
pub(crate) struct ReplyBody {
    data: Option<Bytes>,
    fail_after: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl ReplyBody {
    fn full(data: Bytes) -> ReplyBody {
        ReplyBody {
            data: Some(data),
            fail_after: None,
        }
    }

    fn truncated(data: Bytes) -> ReplyBody {
        ReplyBody {
            data: Some(data),
            fail_after: Some(Box::pin(tokio::time::sleep(Duration::from_millis(50)))),
        }
    }
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if let Some(data) = this.data.take() {
            if !data.is_empty() {
                return Poll::Ready(Some(Ok(Frame::data(data))));
            }
        }
        match &mut this.fail_after {
            None => Poll::Ready(None),
            Some(sleep) => match sleep.as_mut().poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(()) => Poll::Ready(Some(Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "response truncated",
                )))),
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.fail_after.is_none() && self.data.as_ref().is_none_or(Bytes::is_empty)
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.fail_after, &self.data) {
            (None, Some(d)) => SizeHint::with_exact(d.len() as u64),
            (None, None) => SizeHint::with_exact(0),
            (Some(_), _) => SizeHint::default(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn provider_prefixes() {
        assert_eq!(split_provider("/azure/x"), (Some(Provider::Azure), "/x"));
        assert_eq!(split_provider("/aws"), (Some(Provider::Aws), ""));
        assert_eq!(split_provider("/gcp/v1"), (Some(Provider::Gcp), "/v1"));
        assert_eq!(split_provider("/awsx/y"), (None, "/awsx/y"));
        assert_eq!(split_provider("/"), (None, "/"));
    }
}
