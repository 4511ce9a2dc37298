//! A small HTTP/1.1 client over `std::net::TcpStream` and a SigV4 signer of its own, so the
//! server is tested independently of its own code.
#![allow(dead_code, clippy::unwrap_used)]

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn content_length(&self) -> Option<usize> {
        self.header("content-length").and_then(|v| v.parse().ok())
    }
}

/// `(authority, path?query)` of an `http://` URL.
pub fn split_url(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    match rest.find('/') {
        Some(i) => (rest[..i].to_owned(), rest[i..].to_owned()),
        None => (rest.to_owned(), "/".to_owned()),
    }
}

/// Sends one request (with `Connection: close`) and reads the whole answer. A read that
/// waits longer than `timeout` is an `io::ErrorKind::WouldBlock`/`TimedOut` error.
pub fn send_with_timeout(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    timeout: Duration,
) -> io::Result<Response> {
    let (authority, target) = split_url(url);
    let mut stream = TcpStream::connect(&authority)?;
    stream.set_read_timeout(Some(timeout))?;
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {authority}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Connection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    ));
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "no answer in time"))
            }
            Err(_) => break,
        }
    }
    parse_response(&raw)
}

pub fn send(method: &str, url: &str, headers: &[(String, String)], body: &[u8]) -> Response {
    send_with_timeout(method, url, headers, body, Duration::from_secs(10)).unwrap()
}

fn parse_response(raw: &[u8]) -> io::Result<Response> {
    let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_owned());
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no header end"))?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| bad("head not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or_else(|| bad("no status line"))?;
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("bad status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let body = raw[end + 4..].to_vec();
    Ok(Response {
        status,
        headers,
        body,
    })
}

pub fn bearer(token: &str) -> Vec<(String, String)> {
    vec![("Authorization".to_owned(), format!("Bearer {token}"))]
}

// ---- SigV4 -------------------------------------------------------------------------------

pub struct Creds<'a> {
    pub key: &'a str,
    pub secret: &'a str,
    pub token: Option<&'a str>,
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(data.as_bytes());
    m.finalize().into_bytes().to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn enc(s: &str, slash: bool) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || (slash && b == b'/') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn dec(s: &str) -> String {
    let s = s.replace('+', " ");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// `YYYYMMDDTHHMMSSZ` of a time.
pub fn amz_date(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let days = i64::try_from(secs / 86_400).unwrap();
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01.
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let doe = shifted - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The signature of a request (headers other than `host`, `x-amz-date` and
/// `x-amz-security-token` are not signed).
pub fn signature_for(
    method: &str,
    authority: &str,
    target: &str,
    body: &[u8],
    date: &str,
    (region, service): (&str, &str),
    creds: &Creds<'_>,
) -> (String, String) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (enc(&dec(k), false), enc(&dec(v), false))
        })
        .collect();
    pairs.sort();
    let cq = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut headers = vec![
        ("host".to_owned(), authority.to_owned()),
        ("x-amz-date".to_owned(), date.to_owned()),
    ];
    if let Some(t) = creds.token {
        headers.push(("x-amz-security-token".to_owned(), t.to_owned()));
    }
    let signed = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let ch: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let cr = format!(
        "{method}\n{}\n{cq}\n{ch}\n{signed}\n{}",
        enc(path, true),
        hex(&Sha256::digest(body))
    );
    let day = &date[..8];
    let scope = format!("{day}/{region}/{service}/aws4_request");
    let sts = format!(
        "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        hex(&Sha256::digest(cr.as_bytes()))
    );
    let k = hmac(format!("AWS4{}", creds.secret).as_bytes(), day);
    let k = hmac(&k, region);
    let k = hmac(&k, service);
    let k = hmac(&k, "aws4_request");
    let sig = hex(&hmac(&k, &sts));
    (
        signed.clone(),
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={sig}",
            creds.key
        ),
    )
}

/// The headers that sign a Bedrock request to `url` in `region` at `at`.
pub fn sign(
    method: &str,
    url: &str,
    body: &[u8],
    region: &str,
    creds: &Creds<'_>,
    at: SystemTime,
) -> Vec<(String, String)> {
    sign_for("bedrock", method, url, body, region, creds, at)
}

/// [`sign`] for another service than Bedrock (`sts`).
pub fn sign_for(
    service: &str,
    method: &str,
    url: &str,
    body: &[u8],
    region: &str,
    creds: &Creds<'_>,
    at: SystemTime,
) -> Vec<(String, String)> {
    let (authority, target) = split_url(url);
    let date = amz_date(at);
    let (_, auth) = signature_for(
        method,
        &authority,
        &target,
        body,
        &date,
        (region, service),
        creds,
    );
    let mut h = vec![
        ("X-Amz-Date".to_owned(), date),
        ("Authorization".to_owned(), auth),
    ];
    if let Some(t) = creds.token {
        h.push(("X-Amz-Security-Token".to_owned(), t.to_owned()));
    }
    h
}
