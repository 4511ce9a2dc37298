//! The request engine: a tokio runtime, a bounded number of requests in flight, retries with
//! jittered exponential backoff and `Retry-After`, per-attempt timeouts, the refresh deadline,
//! and the bookkeeping of progress, objects found and errors.

use crate::creds::{AwsProvider, BearerProvider};
use crate::verify::Fact;
use crate::{
    aws, azure, gcp, Cloud, Credentials, ErrorKind, LiveObject, Observation, Options, Progress,
    ProviderScope, RefreshError, RefreshFailure,
};
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, Url};
use serde_json::Value;
use std::collections::BTreeMap;
use std::collections::BinaryHeap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::{mpsc, oneshot};

/// How a request authenticates: with the current token or keys of a cloud's credentials
/// (fetched again when they are about to expire).
pub(crate) enum Auth {
    Bearer(Arc<BearerProvider>),
    /// SigV4 for `service` (`bedrock`, `sts`) in `region`.
    Aws {
        keys: Arc<AwsProvider>,
        region: String,
        service: &'static str,
    },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Bearer(p) => write!(f, "Bearer({})", p.description),
            Auth::Aws {
                keys,
                region,
                service,
            } => write!(f, "Aws({}, {region}, {service})", keys.description),
        }
    }
}

/// What a request sends and what its response holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    /// A JSON body (if any); a JSON object back.
    Json,
    /// The AWS Query protocol (STS): a form-encoded body; an XML document back, handed on as
    /// a JSON string.
    Query,
}

/// One request to make (retried as the options say).
#[derive(Debug)]
pub(crate) struct Req {
    pub(crate) provider: Arc<str>,
    pub(crate) region: Option<String>,
    pub(crate) method: Method,
    pub(crate) url: Url,
    /// The body, encoded as `wire` says.
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) wire: Wire,
    pub(crate) auth: Arc<Auth>,
    /// For progress, e.g. "GET deployments of acct-x (page 2)".
    pub(crate) what: String,
    /// Requests waiting for a slot are started highest priority first: the pages of lists
    /// (which lead to further requests) before requests nothing depends on, so the longest
    /// chains of dependent requests are not held up behind leaves.
    pub(crate) priority: u8,
    /// Whether Google's `404 NOT_FOUND` answer means "there is none" rather than an error:
    /// the handler then gets `Value::Null` (a publisher model not offered in a location).
    pub(crate) absent_if_not_found: bool,
}

impl Req {
    pub(crate) fn display(&self) -> String {
        format!("{} {}", self.method, self.url)
    }
}

enum Event {
    /// `n` more requests of a provider.
    Add(Arc<str>, usize),
    /// One request finished.
    Done(Arc<str>, String, bool),
    /// Keeps a provider unfinished while its first requests are being started.
    Hold(Arc<str>),
    Release(Arc<str>, bool),
}

#[derive(Debug, Clone, Copy)]
enum Stage {
    Queued,
    Sending(u32),
    Waiting(u32),
}

struct InFlight {
    provider: Arc<str>,
    region: Option<String>,
    request: String,
    stage: Stage,
}

/// A counting semaphore whose waiters are served highest priority first, then first come
/// first served.
struct Gate {
    state: Mutex<GateState>,
}

struct GateState {
    free: usize,
    seq: u64,
    waiting: BinaryHeap<Waiter>,
}

struct Waiter {
    priority: u8,
    seq: u64,
    wake: oneshot::Sender<()>,
}

impl PartialEq for Waiter {
    fn eq(&self, other: &Self) -> bool {
        (self.priority, self.seq) == (other.priority, other.seq)
    }
}

impl Eq for Waiter {}

impl PartialOrd for Waiter {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Waiter {
    /// The heap's greatest is served first: higher priority, then the earlier arrival.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.priority
            .cmp(&other.priority)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// A slot of a [`Gate`], given back when dropped.
struct Slot<'g>(&'g Gate);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.release();
    }
}

impl Gate {
    fn new(slots: usize) -> Gate {
        Gate {
            state: Mutex::new(GateState {
                free: slots,
                seq: 0,
                waiting: BinaryHeap::new(),
            }),
        }
    }

    async fn acquire(&self, priority: u8) -> Slot<'_> {
        let wait = {
            let mut state = lock(&self.state);
            if state.free > 0 {
                state.free -= 1;
                return Slot(self);
            }
            let (wake, wait) = oneshot::channel();
            state.seq += 1;
            let seq = state.seq;
            state.waiting.push(Waiter {
                priority,
                seq,
                wake,
            });
            wait
        };
        // The slot is handed over by `release`; a closed channel cannot happen while the
        // gate lives, and is treated as a handed-over slot.
        let _ = wait.await;
        Slot(self)
    }

    /// Hands the slot to the first waiter still waiting, or frees it.
    fn release(&self) {
        let mut state = lock(&self.state);
        while let Some(w) = state.waiting.pop() {
            if w.wake.send(()).is_ok() {
                return;
            }
        }
        state.free += 1;
    }
}

/// What every task shares.
pub(crate) struct Ctx {
    client: reqwest::Client,
    permits: Gate,
    opts: Options,
    deadline: Instant,
    requests: AtomicUsize,
    events: mpsc::UnboundedSender<Event>,
    objects: Mutex<Vec<LiveObject>>,
    facts: Mutex<Vec<Fact>>,
    errors: Mutex<Vec<RefreshError>>,
    in_flight: Mutex<BTreeMap<u64, InFlight>>,
    next_id: AtomicU64,
    pub(crate) creds: Credentials,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why one attempt failed before a status was known, or while reading the body.
enum AttemptError {
    Connect(String),
    Timeout,
    CutOff {
        expected: Option<u64>,
        got: usize,
        detail: String,
    },
    Sign(String),
}

struct Response {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// The text of an error and its sources.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !out.contains(&s_text) {
            out.push_str(": ");
            out.push_str(&s_text);
        }
        source = s.source();
    }
    out
}

fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

impl Ctx {
    /// Records an object found.
    pub(crate) fn push(&self, object: LiveObject) {
        lock(&self.objects).push(object);
    }

    /// Records a catalog fact read (`catalog verify`).
    pub(crate) fn push_fact(&self, fact: Fact) {
        lock(&self.facts).push(fact);
    }

    /// `text` without any secret the credentials hold or have issued so far.
    fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.creds.secrets() {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "***");
            }
        }
        out
    }

    /// Records an error (with every secret removed from its text).
    pub(crate) fn record(&self, mut e: RefreshError) {
        e.request = self.scrub(&e.request);
        e.reason = self.scrub(&e.reason);
        lock(&self.errors).push(e);
    }

    pub(crate) fn error(req: &Req, kind: ErrorKind, reason: String) -> RefreshError {
        RefreshError {
            provider: req.provider.to_string(),
            region: req.region.clone(),
            request: req.display(),
            kind,
            reason,
        }
    }

    /// The bearer token of the scope's cloud (Azure, Google Cloud), or `None` after recording
    /// that none was resolved.
    pub(crate) fn bearer(&self, scope: &ProviderScope) -> Option<Arc<BearerProvider>> {
        let (token, name) = match scope.cloud {
            Cloud::Azure => (&self.creds.azure, "Azure"),
            Cloud::Gcp => (&self.creds.gcp, "Google Cloud"),
            Cloud::Aws => (&None, "bearer"),
        };
        if token.is_none() {
            self.scope_error(
                scope,
                ErrorKind::Credentials,
                format!("no {name} credentials were resolved for this provider"),
            );
        }
        token.clone()
    }

    /// Records an error not about a request (a provider that cannot be read at all).
    pub(crate) fn scope_error(&self, scope: &ProviderScope, kind: ErrorKind, reason: String) {
        self.record(RefreshError {
            provider: scope.address.clone(),
            region: None,
            request: String::new(),
            kind,
            reason,
        });
    }

    /// Starts `req` now (bounded by the parallelism); when its response arrives, `then` gets
    /// its JSON body and may start dependent requests. An `Err` from `then` is a body that
    /// lacks what it must contain (a decode error of `req`).
    pub(crate) fn spawn_fetch<H>(self: &Arc<Self>, req: Req, then: H)
    where
        H: FnOnce(&Arc<Ctx>, Value) -> Result<(), String> + Send + 'static,
    {
        let _ = self.events.send(Event::Add(req.provider.clone(), 1));
        let ctx = Arc::clone(self);
        tokio::spawn(async move {
            let ok = match ctx.fetch(&req).await {
                Ok(body) => match then(&ctx, body) {
                    Ok(()) => true,
                    Err(reason) => {
                        ctx.record(Ctx::error(&req, ErrorKind::Decode, reason));
                        false
                    }
                },
                Err(e) => {
                    ctx.record(e);
                    false
                }
            };
            let _ = ctx
                .events
                .send(Event::Done(req.provider.clone(), req.what, ok));
        });
    }

    fn stage(&self, id: u64, stage: Stage) {
        if let Some(f) = lock(&self.in_flight).get_mut(&id) {
            f.stage = stage;
        }
    }

    /// Makes `req`, retrying as the options say; the JSON body of a successful response.
    async fn fetch(&self, req: &Req) -> Result<Value, RefreshError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        lock(&self.in_flight).insert(
            id,
            InFlight {
                provider: req.provider.clone(),
                region: req.region.clone(),
                request: req.display(),
                stage: Stage::Queued,
            },
        );
        let result = self.fetch_with_retries(req, id).await;
        lock(&self.in_flight).remove(&id);
        result
    }

    async fn fetch_with_retries(&self, req: &Req, id: u64) -> Result<Value, RefreshError> {
        let max_attempts = self.opts.max_attempts.max(1);
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let permit = self.permits.acquire(req.priority).await;
            self.stage(id, Stage::Sending(attempt));
            self.requests.fetch_add(1, Ordering::Relaxed);
            let outcome = tokio::time::timeout(self.opts.request_timeout, self.attempt(req)).await;
            drop(permit);
            let after = |n: u32| {
                if n > 1 {
                    format!(" after {n} attempts")
                } else {
                    String::new()
                }
            };
            let (kind, reason, retry_after) = match outcome {
                Ok(Ok(resp)) if (200..300).contains(&resp.status) => {
                    let parsed = match req.wire {
                        Wire::Json => parse_json(&resp.body),
                        Wire::Query => parse_text(&resp.body),
                    };
                    return parsed.map_err(|reason| Ctx::error(req, ErrorKind::Decode, reason));
                }
                Ok(Ok(resp))
                    if resp.status == 404
                        && req.absent_if_not_found
                        && is_google_not_found(&resp.body) =>
                {
                    return Ok(Value::Null);
                }
                Ok(Ok(resp)) if resp.status == 401 || resp.status == 403 => {
                    let hint = match &*req.auth {
                        Auth::Bearer(b) => {
                            format!("{} (credentials from {})", b.hint, b.description)
                        }
                        Auth::Aws { keys, .. } => {
                            format!("{} (credentials from {})", keys.hint, keys.description)
                        }
                    };
                    return Err(Ctx::error(
                        req,
                        ErrorKind::Auth,
                        format!(
                            "authentication failed (HTTP {}): {}; {hint}",
                            resp.status,
                            cloud_message(&resp.headers, &resp.body)
                        ),
                    ));
                }
                Ok(Ok(resp)) => {
                    let retryable = matches!(resp.status, 429 | 500 | 502 | 503 | 504);
                    let message = cloud_message(&resp.headers, &resp.body);
                    let reason = format!("HTTP {}{}: {message}", resp.status, after(attempt));
                    if !retryable {
                        return Err(Ctx::error(req, ErrorKind::Http, reason));
                    }
                    (
                        ErrorKind::Http,
                        reason,
                        retry_after(&resp.headers, SystemTime::now()),
                    )
                }
                Ok(Err(AttemptError::CutOff {
                    expected,
                    got,
                    detail,
                })) => {
                    let reason = match expected {
                        Some(n) => format!(
                            "response body was cut off (expected {n} bytes, got {got}): {detail}"
                        ),
                        None => format!("response body was cut off after {got} bytes: {detail}"),
                    };
                    return Err(Ctx::error(req, ErrorKind::Decode, reason));
                }
                Ok(Err(AttemptError::Sign(reason))) => {
                    return Err(Ctx::error(req, ErrorKind::Credentials, reason));
                }
                Ok(Err(AttemptError::Connect(detail))) => (
                    ErrorKind::Connect,
                    format!("could not connect{}: {detail}", after(attempt)),
                    None,
                ),
                Ok(Err(AttemptError::Timeout)) | Err(_) => (
                    ErrorKind::Timeout,
                    format!(
                        "no complete response within {}{}",
                        human(self.opts.request_timeout),
                        after(attempt)
                    ),
                    None,
                ),
            };
            if attempt >= max_attempts {
                return Err(Ctx::error(req, kind, reason));
            }
            let wait = retry_after.unwrap_or_else(|| {
                backoff(
                    self.opts.backoff_base,
                    self.opts.backoff_cap,
                    attempt,
                    random_u64(),
                )
            });
            if Instant::now()
                .checked_add(wait)
                .is_none_or(|at| at >= self.deadline)
            {
                return Err(Ctx::error(
                    req,
                    kind,
                    format!(
                        "{reason}; not retried: the next attempt (in {}) would start after the refresh deadline",
                        human(wait)
                    ),
                ));
            }
            self.stage(id, Stage::Waiting(attempt));
            tokio::time::sleep(wait).await;
        }
    }

    /// One attempt: the response, its body read in full.
    async fn attempt(&self, req: &Req) -> Result<Response, AttemptError> {
        let (accept, content_type) = match req.wire {
            Wire::Json => ("application/json", "application/json"),
            Wire::Query => ("text/xml", aws::FORM_CONTENT_TYPE),
        };
        let mut builder = self
            .client
            .request(req.method.clone(), req.url.clone())
            .header(ACCEPT, accept);
        if let Some(body) = &req.body {
            builder = builder
                .header(CONTENT_TYPE, content_type)
                .body(body.clone());
        }
        match &*req.auth {
            Auth::Bearer(b) => {
                let token = b.current(&self.client).await.map_err(AttemptError::Sign)?;
                builder = builder.bearer_auth(token.expose());
            }
            Auth::Aws {
                keys,
                region,
                service,
            } => {
                let keys = keys
                    .current(&self.client)
                    .await
                    .map_err(AttemptError::Sign)?;
                let headers = aws::sign(
                    &keys,
                    region,
                    service,
                    &req.method,
                    &req.url,
                    req.body.as_deref().map(|b| (b, content_type)),
                    SystemTime::now(),
                )
                .map_err(AttemptError::Sign)?;
                for (name, value, sensitive) in headers {
                    let Ok(mut value) = reqwest::header::HeaderValue::from_str(&value) else {
                        return Err(AttemptError::Sign(format!(
                            "signing produced an invalid {name} header"
                        )));
                    };
                    value.set_sensitive(sensitive);
                    builder = builder.header(name, value);
                }
            }
        }
        let mut resp = builder.send().await.map_err(|e| {
            if e.is_timeout() {
                AttemptError::Timeout
            } else {
                AttemptError::Connect(chain(&e))
            }
        })?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let expected = resp.content_length();
        let mut body = Vec::with_capacity(
            expected.map_or(0, |n| usize::try_from(n.min(1 << 20)).unwrap_or(0)),
        );
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) if e.is_timeout() => return Err(AttemptError::Timeout),
                Err(e) => {
                    return Err(AttemptError::CutOff {
                        expected,
                        got: body.len(),
                        detail: chain(&e),
                    })
                }
            }
        }
        if let Some(n) = expected {
            if body.len() as u64 != n {
                return Err(AttemptError::CutOff {
                    expected,
                    got: body.len(),
                    detail: "length mismatch".into(),
                });
            }
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// A text body (an XML document) as a JSON string.
fn parse_text(body: &[u8]) -> Result<Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("response body was empty".into());
    }
    String::from_utf8(body.to_vec())
        .map(Value::String)
        .map_err(|_| "response body is not UTF-8 text".into())
}

fn parse_json(body: &[u8]) -> Result<Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("response body was empty".into());
    }
    serde_json::from_slice::<Value>(body)
        .map_err(|e| format!("response body is not valid JSON: {e}"))
        .and_then(|v| {
            if v.is_object() {
                Ok(v)
            } else {
                Err("response body is not a JSON object".into())
            }
        })
}

/// Whether a body is Google's "not found" error (`{"error":{"status":"NOT_FOUND"}}`), as
/// opposed to a 404 from something that is not the API (a wrong endpoint).
fn is_google_not_found(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .is_ok_and(|v| v.pointer("/error/status").and_then(Value::as_str) == Some("NOT_FOUND"))
}

/// The message of a cloud's error response: Azure and GCP `{"error":{"code"|"status",
/// "message"}}`, AWS `{"message"}` with `x-amzn-ErrorType`; else the start of the body.
fn cloud_message(headers: &HeaderMap, body: &[u8]) -> String {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let str_at = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    if let Some(v) = &json {
        if let Some(err) = v.get("error") {
            if let Some(message) = str_at(err, "message") {
                let code = str_at(err, "status").or_else(|| str_at(err, "code"));
                return match code {
                    Some(c) if !c.is_empty() => format!("{c}: {message}"),
                    _ => message,
                };
            }
            if let Some(s) = err.as_str() {
                return s.to_string();
            }
        }
        if let Some(message) = str_at(v, "message").or_else(|| str_at(v, "Message")) {
            let kind = headers
                .get("x-amzn-errortype")
                .and_then(|h| h.to_str().ok())
                .map(|t| t.split(':').next().unwrap_or(t).to_string())
                .filter(|t| !t.is_empty());
            return match kind {
                Some(k) => format!("{k}: {message}"),
                None => message,
            };
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "(no message)".into();
    }
    // The AWS Query protocol (STS): <ErrorResponse><Error><Code/><Message/></Error>.
    if let Some(message) = aws::xml_element(text, "Message") {
        return match aws::xml_element(text, "Code") {
            Some(code) if !code.is_empty() => format!("{code}: {message}"),
            _ => message,
        };
    }
    let mut out: String = text.chars().take(200).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

fn random_u64() -> u64 {
    getrandom::u64().unwrap_or_else(|_| {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos().into())
    })
}

/// Full jitter: a random wait between zero and `min(cap, base * 2^(attempt-1))`, from
/// `random`.
pub(crate) fn backoff(base: Duration, cap: Duration, attempt: u32, random: u64) -> Duration {
    let exp = attempt.saturating_sub(1).min(30);
    let ceiling = base.saturating_mul(1 << exp).min(cap);
    let nanos = ceiling.as_nanos();
    if nanos == 0 {
        return Duration::ZERO;
    }
    let pick = u128::from(random) % (nanos + 1);
    Duration::from_nanos(u64::try_from(pick).unwrap_or(u64::MAX))
}

/// The wait a `Retry-After` header asks for: delta-seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An HTTP date (RFC 9110 §5.6.7): IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, the obsolete
/// RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`.
pub(crate) fn parse_http_date(s: &str) -> Option<SystemTime> {
    let month = |m: &str| MONTHS.iter().position(|x| *x == m).map(|i| i as u64 + 1);
    let (day, mon, year, time) = if let Some((_, rest)) = s.split_once(", ") {
        if rest.contains('-') {
            // RFC 850: 06-Nov-94 08:49:37 GMT
            let mut parts = rest.split_whitespace();
            let date = parts.next()?;
            let time = parts.next()?;
            if parts.next()? != "GMT" {
                return None;
            }
            let mut d = date.split('-');
            let day: u64 = d.next()?.parse().ok()?;
            let mon = month(d.next()?)?;
            let yy: u64 = d.next()?.parse().ok()?;
            let year = if yy < 70 { 2000 + yy } else { 1900 + yy };
            (day, mon, year, time)
        } else {
            let mut parts = rest.split_whitespace();
            let day: u64 = parts.next()?.parse().ok()?;
            let mon = month(parts.next()?)?;
            let year: u64 = parts.next()?.parse().ok()?;
            let time = parts.next()?;
            if parts.next()? != "GMT" {
                return None;
            }
            (day, mon, year, time)
        }
    } else {
        // asctime: Sun Nov  6 08:49:37 1994
        let mut parts = s.split_whitespace();
        parts.next()?;
        let mon = month(parts.next()?)?;
        let day: u64 = parts.next()?.parse().ok()?;
        let time = parts.next()?;
        let year: u64 = parts.next()?.parse().ok()?;
        (day, mon, year, time)
    };
    let mut t = time.split(':');
    let h: u64 = t.next()?.parse().ok()?;
    let m: u64 = t.next()?.parse().ok()?;
    let sec: u64 = t.next()?.parse().ok()?;
    if t.next().is_some() || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    if year < 1970 {
        return None;
    }
    let days = days_from_civil(year, mon, day);
    let secs = days * 86_400 + h * 3600 + m * 60 + sec;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (year >= 1970).
pub(crate) fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Starts reading one provider (its first requests); false if it cannot be read at all.
pub(crate) type Start<'a> = &'a (dyn Fn(&Arc<Ctx>, &ProviderScope) -> bool + Sync);

/// Everything a run found.
pub(crate) struct Collected {
    /// Sorted by (provider, kind, region, name), then id.
    pub(crate) objects: Vec<LiveObject>,
    /// In the order they were recorded.
    pub(crate) facts: Vec<Fact>,
    pub(crate) requests: usize,
}

/// Runs a refresh (see [`crate::refresh`]).
pub(crate) fn run(
    scopes: &[ProviderScope],
    creds: &Credentials,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Observation, RefreshFailure> {
    let collected = run_with(scopes, creds, opts, progress, &start_refresh)?;
    Ok(Observation {
        objects: collected.objects,
        requests: collected.requests,
    })
}

/// What a refresh reads of one provider.
fn start_refresh(ctx: &Arc<Ctx>, scope: &ProviderScope) -> bool {
    match scope.cloud {
        Cloud::Azure => azure::start(ctx, scope),
        Cloud::Aws => aws::start(ctx, scope),
        Cloud::Gcp => gcp::start(ctx, scope),
    }
}

/// Reads every scope, `start` making the first requests of each, with the bounded
/// concurrency, retries, timeouts and deadline of [`Options`]. Any error fails the run with
/// every error.
pub(crate) fn run_with(
    scopes: &[ProviderScope],
    creds: &Credentials,
    opts: &Options,
    progress: &dyn Progress,
    start: Start<'_>,
) -> Result<Collected, RefreshFailure> {
    let started = Instant::now();
    let fail = |reason: String| RefreshFailure {
        errors: vec![RefreshError {
            provider: scopes
                .first()
                .map_or_else(|| "refresh".to_string(), |s| s.address.clone()),
            region: None,
            request: String::new(),
            kind: ErrorKind::Connect,
            reason,
        }],
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| fail(format!("could not start the HTTP runtime: {e}")))?;
    let client = reqwest::Client::builder()
        .connect_timeout(opts.request_timeout)
        // A redirect is an error: credentials are never sent anywhere but the endpoint.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("meridian/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| fail(format!("could not build the HTTP client: {}", chain(&e))))?;
    let (tx, rx) = mpsc::unbounded_channel();
    let ctx = Arc::new(Ctx {
        client,
        permits: Gate::new(opts.parallelism.max(1)),
        opts: opts.clone(),
        deadline: started + opts.deadline,
        requests: AtomicUsize::new(0),
        events: tx,
        objects: Mutex::new(Vec::new()),
        facts: Mutex::new(Vec::new()),
        errors: Mutex::new(Vec::new()),
        in_flight: Mutex::new(BTreeMap::new()),
        next_id: AtomicU64::new(0),
        creds: creds.clone(),
    });
    let timed_out = runtime.block_on(drive(&ctx, scopes, rx, progress, start));
    if timed_out {
        deadline_errors(&ctx, scopes);
    }
    runtime.shutdown_background();
    let requests = ctx.requests.load(Ordering::Relaxed);
    let mut objects = std::mem::take(&mut *lock(&ctx.objects));
    let facts = std::mem::take(&mut *lock(&ctx.facts));
    let errors = std::mem::take(&mut *lock(&ctx.errors));
    if !errors.is_empty() {
        return Err(RefreshFailure {
            errors: tidy_errors(errors),
        });
    }
    objects.sort_by(|a, b| {
        (&a.provider, &a.kind, &a.region, &a.name, &a.id).cmp(&(
            &b.provider,
            &b.kind,
            &b.region,
            &b.name,
            &b.id,
        ))
    });
    Ok(Collected {
        objects,
        facts,
        requests,
    })
}

/// Starts every provider and follows progress until every request has finished; true if
/// the deadline passed first.
async fn drive(
    ctx: &Arc<Ctx>,
    scopes: &[ProviderScope],
    mut rx: mpsc::UnboundedReceiver<Event>,
    progress: &dyn Progress,
    start: Start<'_>,
) -> bool {
    struct Count {
        pending: usize,
        ok: bool,
        finished: bool,
    }
    if scopes.is_empty() {
        return false;
    }
    let mut counts: BTreeMap<Arc<str>, Count> = BTreeMap::new();
    // Every provider is held before any is started: the count of outstanding requests must
    // not reach zero while some provider has not started its first requests yet.
    for scope in scopes {
        let _ = ctx
            .events
            .send(Event::Hold(Arc::from(scope.address.as_str())));
    }
    for scope in scopes {
        let provider: Arc<str> = Arc::from(scope.address.as_str());
        let started = start(ctx, scope);
        let _ = ctx.events.send(Event::Release(provider, started));
    }
    let deadline = tokio::time::Instant::from_std(ctx.deadline);
    let mut outstanding: usize = 0;
    loop {
        let event = tokio::select! {
            event = rx.recv() => event,
            () = tokio::time::sleep_until(deadline) => {
                for (provider, c) in &counts {
                    if !c.finished {
                        progress.finished(provider, false);
                    }
                }
                return true;
            }
        };
        let Some(event) = event else { return false };
        let (provider, done_ok) = match event {
            Event::Hold(p) => {
                let c = counts.entry(p).or_insert(Count {
                    pending: 0,
                    ok: true,
                    finished: false,
                });
                c.pending += 1;
                outstanding += 1;
                continue;
            }
            Event::Add(p, n) => {
                if let Some(c) = counts.get_mut(&p) {
                    c.pending += n;
                }
                outstanding += n;
                progress.add(&p, n);
                continue;
            }
            Event::Done(p, what, ok) => {
                progress.done(&p, &what);
                (p, ok)
            }
            Event::Release(p, ok) => (p, ok),
        };
        outstanding = outstanding.saturating_sub(1);
        if let Some(c) = counts.get_mut(&provider) {
            c.pending = c.pending.saturating_sub(1);
            c.ok &= done_ok;
            if c.pending == 0 && !c.finished {
                c.finished = true;
                progress.finished(&provider, c.ok);
            }
        }
        if outstanding == 0 {
            return false;
        }
    }
}

/// One deadline error per provider and region with requests unfinished, listing them.
fn deadline_errors(ctx: &Ctx, scopes: &[ProviderScope]) {
    type Group = (String, Option<String>);
    let mut groups: BTreeMap<Group, Vec<(String, Stage)>> = BTreeMap::new();
    for f in lock(&ctx.in_flight).values() {
        groups
            .entry((f.provider.to_string(), f.region.clone()))
            .or_default()
            .push((f.request.clone(), f.stage));
    }
    let limit = human(ctx.opts.deadline);
    if groups.is_empty() {
        if let Some(scope) = scopes.first() {
            ctx.scope_error(
                scope,
                ErrorKind::Deadline,
                format!("the refresh deadline ({limit}) passed"),
            );
        }
        return;
    }
    for ((provider, region), requests) in groups {
        let mut reason = format!(
            "the refresh deadline ({limit}) passed with {} request{} unfinished:",
            requests.len(),
            if requests.len() == 1 { "" } else { "s" }
        );
        for (request, stage) in requests.iter().take(10) {
            let stage = match stage {
                Stage::Queued => "queued".to_string(),
                Stage::Sending(n) => format!("attempt {n} in flight"),
                Stage::Waiting(n) => format!("waiting to retry after attempt {n}"),
            };
            let _ = write!(reason, " {request} ({stage});");
        }
        if requests.len() > 10 {
            let _ = write!(reason, " and {} more", requests.len() - 10);
        } else {
            reason.pop();
        }
        let first = requests.first().map(|(r, _)| r.clone()).unwrap_or_default();
        ctx.record(RefreshError {
            provider,
            region,
            request: first,
            kind: ErrorKind::Deadline,
            reason,
        });
    }
}

/// Errors sorted, with one authentication error per provider (the others counted in it).
fn tidy_errors(mut errors: Vec<RefreshError>) -> Vec<RefreshError> {
    errors.sort_by(|a, b| {
        (&a.provider, &a.region, &a.request, &a.reason).cmp(&(
            &b.provider,
            &b.region,
            &b.request,
            &b.reason,
        ))
    });
    let mut out: Vec<RefreshError> = Vec::with_capacity(errors.len());
    let mut auth_at: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for e in errors {
        if e.kind == ErrorKind::Auth {
            if let Some((_, more)) = auth_at.get_mut(&e.provider) {
                *more += 1;
                continue;
            }
            auth_at.insert(e.provider.clone(), (out.len(), 0));
        }
        out.push(e);
    }
    for (at, more) in auth_at.into_values() {
        if more > 0 {
            let _ = write!(
                out[at].reason,
                " ({more} more {} refused too)",
                if more == 1 {
                    "request of this provider was"
                } else {
                    "requests of this provider were"
                }
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_full_jitter_under_the_cap() {
        let base = Duration::from_millis(500);
        let cap = Duration::from_secs(20);
        assert_eq!(backoff(base, cap, 1, 0), Duration::ZERO);
        assert_eq!(backoff(base, cap, 1, 500_000_000), base);
        assert!(backoff(base, cap, 3, u64::MAX) <= Duration::from_secs(2));
        assert!(backoff(base, cap, 40, u64::MAX) <= cap);
        let third = backoff(base, cap, 3, 1_999_999_999);
        assert!(third > Duration::from_millis(1_900) && third <= Duration::from_secs(2));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "7".parse().expect("header"));
        assert_eq!(
            retry_after(&h, SystemTime::now()),
            Some(Duration::from_secs(7))
        );
        let now = parse_http_date("Sun, 06 Nov 1994 08:49:30 GMT").expect("date");
        assert_eq!(
            now.duration_since(SystemTime::UNIX_EPOCH)
                .expect("after epoch")
                .as_secs(),
            784_111_770
        );
        for v in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            h.insert(RETRY_AFTER, v.parse().expect("header"));
            assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)), "{v}");
        }
        h.insert(
            RETRY_AFTER,
            "Sun, 06 Nov 1994 08:49:00 GMT".parse().expect("h"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, "soon".parse().expect("header"));
        assert_eq!(retry_after(&h, now), None);
        assert!(parse_http_date("Sun, 32 Nov 1994 08:49:37 GMT").is_none());
        assert!(parse_http_date("Sun, 06 Nov 1994 08:49:37 CET").is_none());
    }

    #[test]
    fn cloud_messages_of_each_cloud() {
        let mut h = HeaderMap::new();
        assert_eq!(
            cloud_message(
                &h,
                br#"{"error":{"code":"ResourceGroupNotFound","message":"no rg"}}"#
            ),
            "ResourceGroupNotFound: no rg"
        );
        assert_eq!(
            cloud_message(
                &h,
                br#"{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}"#
            ),
            "PERMISSION_DENIED: denied"
        );
        h.insert(
            "x-amzn-ErrorType",
            "ValidationException:http://internal.amazon.com/"
                .parse()
                .expect("header"),
        );
        assert_eq!(
            cloud_message(&h, br#"{"message":"bad token"}"#),
            "ValidationException: bad token"
        );
        assert_eq!(cloud_message(&h, b"  "), "(no message)");
        assert_eq!(cloud_message(&h, b"<html>oops</html>"), "<html>oops</html>");
        assert_eq!(
            cloud_message(
                &HeaderMap::new(),
                b"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>\
                  <Message>The token &amp; &lt;key&gt; are invalid.</Message></Error></ErrorResponse>"
            ),
            "InvalidClientTokenId: The token & <key> are invalid."
        );
    }

    #[test]
    fn the_gate_serves_higher_priorities_first_then_in_order() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let gate = Arc::new(Gate::new(1));
            let order = Arc::new(Mutex::new(Vec::new()));
            let held = gate.acquire(0).await;
            let mut tasks = Vec::new();
            for (name, priority) in [
                ("leaf-a", 0),
                ("page-a", 2),
                ("leaf-b", 0),
                ("page-b", 2),
                ("head", 3),
            ] {
                let gate = Arc::clone(&gate);
                let order = Arc::clone(&order);
                tasks.push(tokio::spawn(async move {
                    let _slot = gate.acquire(priority).await;
                    lock(&order).push(name);
                }));
                // Let the task queue up before the next one.
                tokio::task::yield_now().await;
            }
            drop(held);
            for t in tasks {
                t.await.expect("task");
            }
            assert_eq!(
                *lock(&order),
                ["head", "page-a", "page-b", "leaf-a", "leaf-b"]
            );
            assert_eq!(lock(&gate.state).free, 1, "every slot given back");
        });
    }

    #[test]
    fn bodies_must_be_json_objects() {
        assert!(parse_json(b"").is_err());
        assert!(parse_json(b"[1]").is_err());
        assert!(parse_json(br#"{"value":[1"#)
            .expect_err("cut")
            .contains("not valid JSON"));
        assert!(parse_json(b"{}").is_ok());
    }
}
