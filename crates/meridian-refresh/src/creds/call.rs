//! Requests to token endpoints and metadata services: retries of what may pass (429, 5xx,
//! dropped connections), short timeouts for the probes of metadata services, the error
//! message of each endpoint's error shape, and the time formats they use.

use super::Fetch;
use crate::http::chain;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::{Method, Url};
use serde_json::Value;
use std::time::{Duration, SystemTime};

/// The time one attempt at a token endpoint may take.
pub(crate) const TOKEN_TIMEOUT: Duration = Duration::from_secs(20);
/// The time a metadata service (EC2, Azure, GCE) has to answer a probe: off such a machine
/// nothing answers, and the chain must go on quickly.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(1);
/// The time a metadata service has to answer once it has answered a probe.
pub(crate) const METADATA_TIMEOUT: Duration = Duration::from_secs(5);

/// One request.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) url: &'a str,
    /// Sent as sensitive (never logged): every header here may carry a secret.
    pub(crate) headers: Vec<(&'static str, String)>,
    /// The body and its content type.
    pub(crate) body: Option<(Vec<u8>, &'static str)>,
    pub(crate) timeout: Duration,
    /// Attempts, the first included; 429, 5xx and connection failures are retried.
    pub(crate) attempts: u32,
}

impl<'a> Call<'a> {
    pub(crate) fn get(url: &'a str) -> Call<'a> {
        Call {
            method: Method::GET,
            url,
            headers: Vec::new(),
            body: None,
            timeout: TOKEN_TIMEOUT,
            attempts: 3,
        }
    }

    /// A `POST` of a form (`application/x-www-form-urlencoded`).
    pub(crate) fn form(url: &'a str, pairs: &[(&str, &str)]) -> Call<'a> {
        Call {
            method: Method::POST,
            url,
            headers: Vec::new(),
            body: Some((
                form_encode(pairs).into_bytes(),
                "application/x-www-form-urlencoded",
            )),
            timeout: TOKEN_TIMEOUT,
            attempts: 3,
        }
    }

    /// A `POST` of a JSON document.
    pub(crate) fn json(url: &'a str, doc: &Value) -> Call<'a> {
        Call {
            method: Method::POST,
            url,
            headers: Vec::new(),
            body: Some((doc.to_string().into_bytes(), "application/json")),
            timeout: TOKEN_TIMEOUT,
            attempts: 3,
        }
    }

    #[must_use]
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// A probe: one attempt within [`PROBE_TIMEOUT`].
    #[must_use]
    pub(crate) fn probe(mut self) -> Self {
        self.timeout = PROBE_TIMEOUT;
        self.attempts = 1;
        self
    }

    #[must_use]
    pub(crate) fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// A response, body read.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    pub(crate) fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON, or why not.
    pub(crate) fn json(&self) -> Result<Value, String> {
        serde_json::from_slice(&self.body).map_err(|e| format!("the response is not JSON: {e}"))
    }

    /// The body as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// `HTTP 400: <the endpoint's message>`.
    pub(crate) fn error(&self) -> String {
        format!("HTTP {}: {}", self.status, message(&self.body))
    }
}

/// Why no response came.
#[derive(Debug)]
pub(crate) enum Failure {
    /// No connection, or no response in time (after the attempts).
    Unreachable(String),
    /// The URL cannot be requested.
    Invalid(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Unreachable(s) | Failure::Invalid(s) => f.write_str(s),
        }
    }
}

impl Fetch<'_> {
    /// Sends `call`, retrying as it says.
    pub(crate) async fn call(&self, call: &Call<'_>) -> Result<Answer, Failure> {
        let url = Url::parse(call.url)
            .map_err(|e| Failure::Invalid(format!("invalid URL {:?}: {e}", call.url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Failure::Invalid(format!(
                "invalid URL {:?}: not http or https",
                call.url
            )));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= call.attempts.max(1);
            match self.attempt(call, &url).await {
                Ok(a) if matches!(a.status, 429 | 500 | 502 | 503 | 504) && !last => {}
                Ok(a) => return Ok(a),
                Err(e) if last => {
                    let tries = if attempt > 1 {
                        format!(" ({attempt} attempts)")
                    } else {
                        String::new()
                    };
                    return Err(Failure::Unreachable(format!(
                        "no response from {}{tries}: {e}",
                        url_shown(&url)
                    )));
                }
                Err(_) => {}
            }
            tokio::time::sleep(Duration::from_millis(200 << attempt.min(4))).await;
        }
    }

    /// [`Fetch::call`], with the failure as text.
    pub(crate) async fn send(&self, call: &Call<'_>) -> Result<Answer, String> {
        self.call(call).await.map_err(|e| e.to_string())
    }

    async fn attempt(&self, call: &Call<'_>, url: &Url) -> Result<Answer, String> {
        let mut b = self
            .client
            .request(call.method.clone(), url.clone())
            .timeout(call.timeout);
        for (name, value) in &call.headers {
            let mut v = HeaderValue::from_str(value)
                .map_err(|_| format!("the {name} header cannot be sent (not text)"))?;
            v.set_sensitive(true);
            b = b.header(HeaderName::from_static(name), v);
        }
        if let Some((body, content_type)) = &call.body {
            b = b.header(CONTENT_TYPE, *content_type).body(body.clone());
        }
        let resp = b.send().await.map_err(|e| {
            if e.is_timeout() {
                format!("no answer within {} s", call.timeout.as_secs_f32())
            } else {
                chain(&e)
            }
        })?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp
            .bytes()
            .await
            .map_err(|e| format!("the response was cut off: {}", chain(&e)))?
            .to_vec();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// A URL as shown in messages: without its query (which may carry parameters that are
/// nobody's business in a log).
pub(crate) fn url_shown(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// The message of an error response, in any of the shapes token endpoints use: OAuth
/// (`error`, `error_description`), Google (`{"error":{"status","message"}}`), AWS JSON
/// (`message`) and STS XML (`<Code>`, `<Message>`); else the start of the body.
pub(crate) fn message(body: &[u8]) -> String {
    let first_line = |s: &str| s.lines().next().unwrap_or_default().trim().to_string();
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        if let Some(desc) = s(&v, "error_description") {
            return match s(&v, "error") {
                Some(code) => format!("{code}: {}", first_line(&desc)),
                None => first_line(&desc),
            };
        }
        if let Some(err) = v.get("error") {
            if let Some(m) = s(err, "message") {
                return match s(err, "status") {
                    Some(status) => format!("{status}: {m}"),
                    None => m,
                };
            }
            if let Some(code) = err.as_str() {
                return code.to_string();
            }
        }
        if let Some(m) = s(&v, "message").or_else(|| s(&v, "Message")) {
            return m;
        }
    }
    let text = String::from_utf8_lossy(body);
    if let Some(msg) = crate::aws::xml_element(&text, "Message") {
        return match crate::aws::xml_element(&text, "Code") {
            Some(code) => format!("{code}: {msg}"),
            None => msg,
        };
    }
    let t = text.trim();
    if t.is_empty() {
        return "(no message)".into();
    }
    let mut short: String = t.chars().take(200).collect();
    if short.len() < t.len() {
        short.push('…');
    }
    short
}

/// `application/x-www-form-urlencoded`: every byte but the unreserved ones percent-encoded.
pub(crate) fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encoding of every byte but the unreserved ones (RFC 3986).
pub(crate) fn percent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Seconds since the epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// An RFC 3339 time (`2026-01-02T03:04:05Z`, with optional fractional seconds and an offset
/// such as `+01:00`).
pub(crate) fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let (date, rest) = text.trim().split_once(['T', 't', ' '])?;
    let mut ymd = date.split('-');
    let year: u64 = ymd.next()?.parse().ok()?;
    let month: u64 = ymd.next()?.parse().ok()?;
    let day: u64 = ymd.next()?.parse().ok()?;
    if ymd.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) || year < 1970
    {
        return None;
    }
    let (time, offset) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, 0i64)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (clock, off) = rest.split_at(at);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (off_h, off_m) = off[1..].split_once(':')?;
        let off_h: i64 = off_h.parse().ok()?;
        let off_m: i64 = off_m.parse().ok()?;
        (clock, sign * (off_h * 3600 + off_m * 60))
    };
    let (whole, frac) = time.split_once('.').unwrap_or((time, ""));
    let mut hms = whole.split(':');
    let hour: u64 = hms.next()?.parse().ok()?;
    let minute: u64 = hms.next()?.parse().ok()?;
    let sec: u64 = hms.next()?.parse().ok()?;
    if hms.next().is_some() || hour > 23 || minute > 59 || sec > 60 {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos: u32 = format!("{frac:0<9}").get(..9)?.parse().ok()?;
    let days = crate::http::days_from_civil(year, month, day);
    let secs = i64::try_from(days * 86_400 + hour * 3600 + minute * 60 + sec).ok()? - offset;
    let secs = u64::try_from(secs).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(s: &str) -> u64 {
        parse_rfc3339(s)
            .expect(s)
            .duration_since(SystemTime::UNIX_EPOCH)
            .expect("after the epoch")
            .as_secs()
    }

    #[test]
    fn rfc3339_times_of_each_issuer() {
        assert_eq!(unix("1970-01-01T00:00:00Z"), 0);
        assert_eq!(unix("2026-01-02T03:04:05Z"), 1_767_323_045);
        assert_eq!(unix("2026-01-02T03:04:05.123Z"), 1_767_323_045);
        assert_eq!(unix("2026-01-02T04:04:05+01:00"), 1_767_323_045);
        assert_eq!(unix("2026-01-02T02:34:05-00:30"), 1_767_323_045);
        assert!(parse_rfc3339("2026-13-02T03:04:05Z").is_none());
        assert!(parse_rfc3339("2026-01-02").is_none());
        assert!(parse_rfc3339("soon").is_none());
    }

    #[test]
    fn messages_of_each_error_shape() {
        assert_eq!(
            message(br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1"}"#),
            "invalid_client: AADSTS7000215: Invalid client secret provided."
        );
        assert_eq!(
            message(br#"{"error":{"code":403,"status":"PERMISSION_DENIED","message":"no"}}"#),
            "PERMISSION_DENIED: no"
        );
        assert_eq!(message(br#"{"error":"invalid_grant"}"#), "invalid_grant");
        assert_eq!(
            message(br#"{"message":"Session token not found"}"#),
            "Session token not found"
        );
        assert_eq!(
            message(b"<ErrorResponse><Error><Code>AccessDenied</Code><Message>Not authorized</Message></Error></ErrorResponse>"),
            "AccessDenied: Not authorized"
        );
        assert_eq!(message(b""), "(no message)");
    }

    #[test]
    fn forms_encode_everything_but_unreserved_bytes() {
        assert_eq!(
            form_encode(&[("a", "x y/z"), ("RoleArn", "arn:aws:iam::1:role/r")]),
            "a=x%20y%2Fz&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"
        );
    }
}
