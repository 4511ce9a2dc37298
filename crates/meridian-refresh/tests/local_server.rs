//! Refresh against a minimal in-test HTTP server whose answers each test writes by hand.

use meridian_refresh::{
    refresh, Cloud, Credentials, ErrorKind, NoProgress, Options, ProviderScope, RefreshFailure,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A server on 127.0.0.1 answering each request (its head and body as text) with the raw
/// response `answer` returns; counts requests.
struct Server {
    base: String,
    count: Arc<AtomicUsize>,
}

fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    head.push_str(&String::from_utf8_lossy(&body));
    Some(head)
}

fn serve(answer: impl Fn(usize, &str) -> String + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let counter = Arc::clone(&counter);
            let answer = Arc::clone(&answer);
            std::thread::spawn(move || {
                while let Some(request) = read_request(&mut stream) {
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    let response = answer(n, &request);
                    if stream.write_all(response.as_bytes()).is_err() {
                        break;
                    }
                }
            });
        }
    });
    Server { base, count }
}

fn response(status: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra_headers}\r\n{body}",
        body.len()
    )
}

const TOKEN: &str = "test-token-0123456789";

fn gcp_scope(endpoint: &str) -> ProviderScope {
    ProviderScope {
        cloud: Cloud::Gcp,
        address: "gcp.corp".into(),
        regions: vec![],
        subscription_id: None,
        resource_group: None,
        account_id: None,
        partition: None,
        project: Some("p".into()),
        endpoint: Some(endpoint.to_string()),
    }
}

fn creds(scopes: &[ProviderScope], token: &str) -> Credentials {
    Credentials::from_lookup(scopes, |name| {
        (name == "GOOGLE_OAUTH_ACCESS_TOKEN").then(|| token.to_string())
    })
    .expect("credentials")
}

fn opts() -> Options {
    Options {
        parallelism: 4,
        request_timeout: Duration::from_secs(5),
        deadline: Duration::from_secs(20),
        max_attempts: 3,
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(20),
    }
}

fn run(scopes: &[ProviderScope], token: &str, opts: &Options) -> Result<usize, RefreshFailure> {
    refresh(scopes, &creds(scopes, token), opts, &NoProgress).map(|o| o.objects.len())
}

#[test]
fn a_failing_requests_error_never_contains_the_token_even_when_the_cloud_echoes_it() {
    let token = "ya29.a0AfH6SMBx-super-secret-token-value";
    // The server puts the Authorization header it received into its error message.
    let server = serve(|_, request| {
        let auth = request
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))
            .unwrap_or("none")
            .replace('"', "'");
        response(
            "400 Bad Request",
            "",
            &format!(
                r#"{{"error":{{"code":400,"message":"bad request with {auth}","status":"INVALID_ARGUMENT"}}}}"#
            ),
        )
    });
    let scopes = [gcp_scope(&server.base)];
    let err = run(&scopes, token, &opts()).expect_err("400");
    assert_eq!(err.errors.len(), 2, "service and IAM policy: {err}");
    let text = format!("{err}\n{err:?}");
    assert!(!text.contains(token), "token leaked: {text}");
    assert!(!text.contains("super-secret"), "token leaked: {text}");
    assert!(text.contains("Bearer ***"), "the echo is scrubbed: {text}");
    for e in &err.errors {
        assert_eq!(e.kind, ErrorKind::Http);
        assert!(
            e.reason
                .starts_with("HTTP 400: INVALID_ARGUMENT: bad request"),
            "{e}"
        );
    }
}

#[test]
fn an_http_date_retry_after_is_honoured() {
    let server = serve(|n, request| {
        if n == 0 {
            // A date in the past: retry at once.
            return response(
                "503 Service Unavailable",
                "retry-after: Wed, 21 Oct 2015 07:28:00 GMT\r\n",
                r#"{"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}"#,
            );
        }
        if request.starts_with("POST") {
            response("200 OK", "", r#"{"version":1,"etag":"BwX="}"#)
        } else {
            response(
                "200 OK",
                "",
                r#"{"name":"projects/1/services/aiplatform.googleapis.com","state":"DISABLED"}"#,
            )
        }
    });
    let scopes = [gcp_scope(&server.base)];
    let slow_backoff = Options {
        backoff_base: Duration::from_secs(30),
        backoff_cap: Duration::from_secs(30),
        ..opts()
    };
    let started = Instant::now();
    let found = run(&scopes, TOKEN, &slow_backoff).expect("retried");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the Retry-After date, not the 30 s backoff"
    );
    assert_eq!(found, 0, "a disabled API and a policy without bindings");
    assert_eq!(server.count.load(Ordering::SeqCst), 3);
}

#[test]
fn a_retry_after_past_the_deadline_fails_at_once() {
    let server = serve(|_, _| {
        response(
            "429 Too Many Requests",
            "retry-after: 99999999999999999999999\r\n",
            r#"{"error":{"code":429,"message":"slow down","status":"RESOURCE_EXHAUSTED"}}"#,
        )
    });
    let scopes = [gcp_scope(&server.base)];
    let started = Instant::now();
    let err = run(&scopes, TOKEN, &opts()).expect_err("429");
    assert!(started.elapsed() < Duration::from_secs(3));
    for e in &err.errors {
        assert_eq!(e.kind, ErrorKind::Http);
        assert!(
            e.reason.contains("HTTP 429: RESOURCE_EXHAUSTED: slow down"),
            "{e}"
        );
        assert!(e.reason.contains("after the refresh deadline"), "{e}");
    }
    assert_eq!(server.count.load(Ordering::SeqCst), 2, "one attempt each");
}

#[test]
fn a_redirect_is_not_followed() {
    let server = serve(|_, _| {
        response(
            "302 Found",
            "location: http://127.0.0.1:9/elsewhere\r\n",
            "{}",
        )
    });
    let scopes = [gcp_scope(&server.base)];
    let err = run(&scopes, TOKEN, &opts()).expect_err("302");
    assert_eq!(err.errors.len(), 2, "{err}");
    assert!(err
        .errors
        .iter()
        .all(|e| e.kind == ErrorKind::Http && e.reason.starts_with("HTTP 302")));
    assert_eq!(server.count.load(Ordering::SeqCst), 2);
}

#[test]
fn invalid_json_and_missing_fields_are_decode_errors() {
    let server = serve(|_, request| {
        if request.starts_with("POST") {
            response("200 OK", "", "{}")
        } else {
            response("200 OK", "", r#"{"name": "projects/1/serv"#)
        }
    });
    let scopes = [gcp_scope(&server.base)];
    let err = run(&scopes, TOKEN, &opts()).expect_err("decode");
    assert_eq!(err.errors.len(), 2, "{err}");
    assert!(err.errors.iter().all(|e| e.kind == ErrorKind::Decode));
    let text = err.to_string();
    assert!(text.contains("not valid JSON"), "{text}");
    assert!(text.contains("neither \"bindings\" nor \"etag\""), "{text}");
}

#[test]
fn a_refused_connection_is_retried_then_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let scopes = [gcp_scope(&base)];
    let err = run(&scopes, TOKEN, &opts()).expect_err("refused");
    assert_eq!(err.errors.len(), 2, "{err}");
    for e in &err.errors {
        assert_eq!(e.kind, ErrorKind::Connect);
        assert!(
            e.reason.starts_with("could not connect after 3 attempts"),
            "{e}"
        );
        assert!(
            e.request
                .starts_with(&format!("GET {base}/v1/projects/p/services/"))
                || e.request
                    .starts_with(&format!("POST {base}/v1/projects/p:getIamPolicy")),
            "{e}"
        );
    }
}

#[test]
fn an_endpoint_override_with_a_location_placeholder_is_filled_in() {
    let server = serve(|_, request| {
        let first = request.lines().next().unwrap_or_default().to_string();
        if first
            .contains("/europe-west4/v1/projects/p/locations/europe-west4/endpoints?pageSize=100 ")
        {
            response(
                "200 OK",
                "",
                r#"{"endpoints":[{"name":"projects/p/locations/europe-west4/endpoints/1","displayName":"e1"}]}"#,
            )
        } else if first.starts_with("POST /global/v1/projects/p:getIamPolicy ") {
            response("200 OK", "", r#"{"etag":"x"}"#)
        } else if first.starts_with("GET /global/v1/projects/p/services/aiplatform.googleapis.com ")
        {
            response("200 OK", "", r#"{"state":"ENABLED"}"#)
        } else {
            response(
                "404 Not Found",
                "",
                &format!(
                    r#"{{"error":{{"code":404,"message":"{}","status":"NOT_FOUND"}}}}"#,
                    first.replace('"', "")
                ),
            )
        }
    });
    let mut scope = gcp_scope(&format!("{}/{{location}}/", server.base));
    scope.regions = vec!["europe-west4".into()];
    let found = run(&[scope], TOKEN, &opts()).expect("read");
    assert_eq!(found, 2, "the service and one endpoint");
}

#[test]
fn a_next_page_token_that_loops_fails_at_once_naming_the_request() {
    let server = serve(|_, request| {
        let first = request.lines().next().unwrap_or_default().to_string();
        if first.contains("/endpoints?") {
            // Every page, the second one included, names the same next page.
            response(
                "200 OK",
                "",
                r#"{"endpoints":[],"nextPageToken":"page-token-that-loops"}"#,
            )
        } else if first.starts_with("POST ") {
            response("200 OK", "", r#"{"etag":"x"}"#)
        } else {
            response("200 OK", "", r#"{"state":"ENABLED"}"#)
        }
    });
    let mut scope = gcp_scope(&server.base);
    scope.regions = vec!["europe-west4".into()];
    let options = Options {
        deadline: Duration::from_secs(60),
        ..opts()
    };
    let start = Instant::now();
    let err = run(&[scope], TOKEN, &options).expect_err("loops");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(err.errors.len(), 1, "{err}");
    let e = &err.errors[0];
    assert_eq!(e.kind, ErrorKind::Decode);
    assert!(
        e.request.contains("/endpoints?pageSize=100&pageToken="),
        "the second page's request is named: {e}"
    );
    assert_eq!(
        e.reason,
        "the nextPageToken of page 2 leads back to page 2 of this list: the server's paging loops, so it is not followed"
    );
    assert!(!e.reason.contains("page-token-that-loops"), "{e}");
    // The service, the IAM policy and two endpoint pages: no third page.
    assert_eq!(server.count.load(Ordering::SeqCst), 4);
}

#[test]
fn a_next_link_to_itself_fails_at_once_naming_the_request() {
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    let base_in = Arc::clone(&base);
    let server = serve(move |_, request| {
        let target = request
            .lines()
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .unwrap_or_default()
            .to_string();
        let own = format!("{}{target}", base_in.get().map_or("", String::as_str));
        response(
            "200 OK",
            "",
            &format!(r#"{{"value":[],"nextLink":"{own}"}}"#),
        )
    });
    base.set(server.base.clone()).expect("base");
    let scope = ProviderScope {
        cloud: Cloud::Azure,
        address: "azure.corp".into(),
        regions: vec![],
        subscription_id: Some("11111111-2222-3333-4444-555555555555".into()),
        resource_group: Some("rg-ai".into()),
        account_id: None,
        partition: None,
        project: None,
        endpoint: Some(server.base.clone()),
    };
    let scopes = [scope];
    let creds = Credentials::from_lookup(&scopes, |name| {
        (name == "AZURE_ACCESS_TOKEN").then(|| TOKEN.to_string())
    })
    .expect("credentials");
    let start = Instant::now();
    let err = refresh(&scopes, &creds, &opts(), &NoProgress).expect_err("loops");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(err.errors.len(), 1, "{err}");
    let e = &err.errors[0];
    assert_eq!(e.kind, ErrorKind::Decode);
    assert!(
        e.request.starts_with(&format!(
            "GET {}/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts",
            server.base
        )),
        "{e}"
    );
    assert!(
        e.reason.ends_with("of page 1 leads back to page 1 of this list: the server's paging loops, so it is not followed"),
        "{e}"
    );
    assert_eq!(server.count.load(Ordering::SeqCst), 1);
}
