//! Google Cloud: Application Default Credentials
//! (<https://cloud.google.com/docs/authentication/application-default-credentials>), after
//! Meridian's own `GOOGLE_OAUTH_ACCESS_TOKEN`, with the gcloud CLI last:
//!
//! 1. `GOOGLE_OAUTH_ACCESS_TOKEN`;
//! 2. the file `GOOGLE_APPLICATION_CREDENTIALS`;
//! 3. gcloud's ADC file: `$CLOUDSDK_CONFIG/application_default_credentials.json`, else
//!    `~/.config/gcloud/…` (`%APPDATA%\gcloud\…` on Windows);
//! 4. the metadata server (`GCE_METADATA_HOST`, else `169.254.169.254`);
//! 5. the gcloud CLI: `gcloud auth print-access-token`.
//!
//! A credential file is, by its `type`: `service_account` (a JWT bearer grant signed with the
//! key, RS256), `authorized_user` (a refresh-token grant: what `gcloud auth
//! application-default login` writes), `external_account` (workload identity federation: a
//! subject token from a file, a URL, an executable or AWS is exchanged at Google's STS, then
//! optionally for a service account's token through IAM Credentials
//! `generateAccessToken`), or `impersonated_service_account` (another credential, then
//! `generateAccessToken`). Every token is for scope `cloud-platform`.

use super::call::{self, url_shown, Call, Failure, METADATA_TIMEOUT};
use super::jwt::{self, RsaKey};
use super::{read_named, CliToken, Env, Expiring, Fetch, Found, Secret, GCP_TOKEN_VAR};
use reqwest::{Method, Url};
use serde_json::{json, Value};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime};

const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
const TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
const METADATA_HOST: &str = "169.254.169.254";
const ADC_FILE: &str = "application_default_credentials.json";

pub(crate) enum Source {
    Static(Secret),
    ServiceAccount(ServiceAccount),
    AuthorizedUser(AuthorizedUser),
    External(Box<External>),
    /// Another credential's token, exchanged for a service account's.
    Impersonated {
        base: Box<Source>,
        url: String,
    },
    Metadata {
        host: String,
    },
    Cli(CliToken),
}

pub(crate) struct ServiceAccount {
    email: String,
    key_id: Option<String>,
    key: RsaKey,
    token_uri: String,
}

pub(crate) struct AuthorizedUser {
    client_id: String,
    client_secret: Secret,
    refresh_token: Secret,
    token_uri: String,
}

pub(crate) struct External {
    audience: String,
    subject_token_type: String,
    token_url: String,
    impersonation_url: Option<String>,
    lifetime: Option<u64>,
    subject: Subject,
}

enum Format {
    Text,
    /// The subject token is this field of a JSON document.
    Json(String),
}

enum Subject {
    File {
        path: PathBuf,
        format: Format,
    },
    Url {
        url: String,
        headers: Vec<(String, String)>,
        format: Format,
    },
    Executable {
        command: String,
        timeout: Duration,
        output_file: Option<PathBuf>,
        /// `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1`.
        allowed: bool,
    },
    /// `environment_id: aws1`: a signed STS `GetCallerIdentity` request.
    Aws(Box<AwsSubject>),
}

struct AwsSubject {
    region_url: Option<String>,
    url: Option<String>,
    verification_url: String,
    session_token_url: Option<String>,
    /// `AWS_REGION` / `AWS_DEFAULT_REGION`.
    region: Option<String>,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
    keys: Option<(String, String, Option<String>)>,
}

type Fut<'a> = Pin<Box<dyn Future<Output = Result<Expiring<Secret>, String>> + Send + 'a>>;

/// The first configured source, or why there is none.
pub(crate) async fn resolve(env: &Env<'_>, f: &Fetch<'_>) -> Result<Found<Source>, String> {
    let mut looked: Vec<String> = Vec::new();

    // 1. A token given as is.
    if let Some(found) = super::token_variable(env, f, GCP_TOKEN_VAR, Source::Static) {
        return Ok(found);
    }
    looked.push(format!("no {GCP_TOKEN_VAR}"));

    // 2. GOOGLE_APPLICATION_CREDENTIALS.
    if let Some(path) = env.get("GOOGLE_APPLICATION_CREDENTIALS") {
        let path = env.expand(&path);
        let text = read_named(&path, "GOOGLE_APPLICATION_CREDENTIALS")?;
        return from_file(env, f, &path, &text, "GOOGLE_APPLICATION_CREDENTIALS");
    }
    looked.push("no GOOGLE_APPLICATION_CREDENTIALS".into());

    // 3. gcloud's ADC file.
    let well_known = env
        .get("CLOUDSDK_CONFIG")
        .map(|d| env.expand(&d))
        .or_else(|| {
            if cfg!(windows) {
                env.get("APPDATA").map(|d| PathBuf::from(d).join("gcloud"))
            } else {
                env.home().map(|h| h.join(".config").join("gcloud"))
            }
        })
        .map(|d| d.join(ADC_FILE));
    match &well_known {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => return from_file(env, f, path, &text, "gcloud's ADC file"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                looked.push(format!("no {}", path.display()));
            }
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        },
        None => looked.push("no home directory for gcloud's ADC file".into()),
    }

    // 4. The metadata server.
    let host = env
        .get("GCE_METADATA_HOST")
        .unwrap_or_else(|| METADATA_HOST.into());
    let metadata = Source::Metadata { host: host.clone() };
    match metadata.metadata_token(f, true).await {
        Ok(_) => {
            return Ok(Found {
                description: format!("metadata server ({host}, the default service account)"),
                hint: "check the roles of the instance's service account".into(),
                source: metadata,
            })
        }
        Err(why) => looked.push(format!("metadata server at {host}: {why}")),
    }

    // 5. The gcloud CLI.
    if let Some(program) = env.program("gcloud") {
        return Ok(Found {
            description: "gcloud CLI (`gcloud auth print-access-token`)".into(),
            hint:
                "check `gcloud auth login` (token from `gcloud`) or set GOOGLE_OAUTH_ACCESS_TOKEN"
                    .into(),
            source: Source::Cli(CliToken {
                program,
                command: "gcloud auth print-access-token".into(),
                args: ["auth", "print-access-token"].map(String::from).to_vec(),
                login: "gcloud auth login".into(),
                var: GCP_TOKEN_VAR,
            }),
        });
    }
    looked.push("no `gcloud` CLI on PATH".into());

    Err(format!(
        "no Google Cloud credentials found. Looked, in Application Default Credentials' order, \
         at: {}. Set {GCP_TOKEN_VAR} or GOOGLE_APPLICATION_CREDENTIALS (a service-account key, \
         or in CI an external_account file for the pipeline's OIDC token), or run `gcloud auth \
         application-default login`",
        looked.join("; ")
    ))
}

/// The source a credential file describes.
fn from_file(
    env: &Env<'_>,
    f: &Fetch<'_>,
    path: &Path,
    text: &str,
    named_by: &str,
) -> Result<Found<Source>, String> {
    let at = format!("{} ({named_by})", path.display());
    let v: Value = serde_json::from_str(text)
        .map_err(|e| format!("the credential file {at} is not JSON: {e}"))?;
    let (source, what) = parse(env, f, &v).map_err(|e| format!("the credential file {at}: {e}"))?;
    let hint = match &source {
        Source::ServiceAccount(sa) => format!("check the roles of {}", sa.email),
        _ => format!("check the roles of the identity of {}", path.display()),
    };
    Ok(Found {
        source,
        description: format!("{what} ({named_by}={})", path.display()),
        hint,
    })
}

/// A credential document: the source and its description.
fn parse(env: &Env<'_>, f: &Fetch<'_>, v: &Value) -> Result<(Source, String), String> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let need = |k: &str| s(k).ok_or_else(|| format!("it has no {k}"));
    match s("type") {
        Some("service_account") => {
            let email = need("client_email")?.to_string();
            let pem = need("private_key")?;
            f.secrets.add(pem);
            let key = RsaKey::from_pem(pem).map_err(|e| format!("its private_key: {e}"))?;
            let described = format!("service account key of {email}");
            Ok((
                Source::ServiceAccount(ServiceAccount {
                    email,
                    key_id: s("private_key_id").map(str::to_string),
                    key,
                    token_uri: s("token_uri").unwrap_or(TOKEN_URI).to_string(),
                }),
                described,
            ))
        }
        Some("authorized_user") => {
            let client_secret = need("client_secret")?;
            let refresh_token = need("refresh_token")?;
            f.secrets.add(client_secret);
            f.secrets.add(refresh_token);
            Ok((
                Source::AuthorizedUser(AuthorizedUser {
                    client_id: need("client_id")?.to_string(),
                    client_secret: Secret::new(client_secret),
                    refresh_token: Secret::new(refresh_token),
                    token_uri: s("token_uri").unwrap_or(TOKEN_URI).to_string(),
                }),
                "gcloud user credentials (authorized_user)".into(),
            ))
        }
        Some("external_account") => external(env, v),
        Some("impersonated_service_account") => {
            let url = need("service_account_impersonation_url")?.to_string();
            let inner = v
                .get("source_credentials")
                .ok_or("it has no source_credentials")?;
            let (base, what) =
                parse(env, f, inner).map_err(|e| format!("its source_credentials: {e}"))?;
            let described = format!("{what}, impersonating {}", impersonated(&url));
            Ok((
                Source::Impersonated {
                    base: Box::new(base),
                    url,
                },
                described,
            ))
        }
        Some(other) => Err(format!(
            "its type {other:?} is not read (service_account, authorized_user, external_account \
             and impersonated_service_account are)"
        )),
        None => Err("it has no type".into()),
    }
}

/// The service account a `generateAccessToken` URL names.
fn impersonated(url: &str) -> String {
    url.rsplit('/')
        .next()
        .and_then(|s| s.split(':').next())
        .unwrap_or(url)
        .to_string()
}

fn external(env: &Env<'_>, v: &Value) -> Result<(Source, String), String> {
    let s = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let audience = s(v, "audience").ok_or("it has no audience")?;
    let subject_token_type = s(v, "subject_token_type").ok_or("it has no subject_token_type")?;
    let token_url =
        s(v, "token_url").unwrap_or_else(|| "https://sts.googleapis.com/v1/token".into());
    let impersonation_url = s(v, "service_account_impersonation_url");
    let lifetime = v
        .get("service_account_impersonation")
        .and_then(|i| i.get("token_lifetime_seconds"))
        .and_then(Value::as_u64);
    let cs = v
        .get("credential_source")
        .ok_or("it has no credential_source")?;
    let format = match cs.get("format") {
        None => Format::Text,
        Some(fmt) => match s(fmt, "type").as_deref() {
            None | Some("text") => Format::Text,
            Some("json") => Format::Json(
                s(fmt, "subject_token_field_name")
                    .ok_or("its credential_source.format has no subject_token_field_name")?,
            ),
            Some(other) => {
                return Err(format!(
                    "its credential_source.format.type {other:?} is neither text nor json"
                ))
            }
        },
    };
    let (subject, from) = if let Some(exe) = cs.get("executable") {
        let command = s(exe, "command").ok_or("its credential_source.executable has no command")?;
        let millis = exe
            .get("timeout_millis")
            .and_then(Value::as_u64)
            .unwrap_or(30_000);
        let program = command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string();
        (
            Subject::Executable {
                command,
                timeout: Duration::from_millis(millis),
                output_file: s(exe, "output_file").map(|p| env.expand(&p)),
                allowed: env
                    .get("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES")
                    .as_deref()
                    == Some("1"),
            },
            format!("executable {program}"),
        )
    } else if s(cs, "environment_id").is_some_and(|e| e.starts_with("aws")) {
        let id = s(cs, "environment_id").unwrap_or_default();
        if id != "aws1" {
            return Err(format!(
                "its credential_source.environment_id {id:?} is not aws1"
            ));
        }
        let keys = match (
            env.get("AWS_ACCESS_KEY_ID"),
            env.get("AWS_SECRET_ACCESS_KEY"),
        ) {
            (Some(a), Some(b)) => Some((a, b, env.get("AWS_SESSION_TOKEN"))),
            _ => None,
        };
        (
            Subject::Aws(Box::new(AwsSubject {
                region_url: s(cs, "region_url"),
                url: s(cs, "url"),
                verification_url: s(cs, "regional_cred_verification_url")
                    .ok_or("its credential_source has no regional_cred_verification_url")?,
                session_token_url: s(cs, "imdsv2_session_token_url"),
                region: env
                    .get("AWS_REGION")
                    .or_else(|| env.get("AWS_DEFAULT_REGION")),
                keys,
            })),
            "AWS (a signed GetCallerIdentity request)".to_string(),
        )
    } else if let Some(path) = s(cs, "file") {
        let path = env.expand(&path);
        let shown = format!("file {}", path.display());
        (Subject::File { path, format }, shown)
    } else if let Some(url) = s(cs, "url") {
        let headers = cs
            .get("headers")
            .and_then(Value::as_object)
            .map(|h| {
                h.iter()
                    .filter_map(|(k, v)| {
                        v.as_str().map(|v| (k.to_ascii_lowercase(), v.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let shown = format!(
            "URL {}",
            Url::parse(&url).map_or_else(|_| url.clone(), |u| url_shown(&u))
        );
        (
            Subject::Url {
                url,
                headers,
                format,
            },
            shown,
        )
    } else {
        return Err(
            "its credential_source has none of file, url, executable or environment_id".into(),
        );
    };
    let mut described =
        format!("workload identity federation (external_account, subject token from {from}, audience {audience}");
    if let Some(u) = &impersonation_url {
        described.push_str(&format!(", impersonating {}", impersonated(u)));
    }
    described.push(')');
    Ok((
        Source::External(Box::new(External {
            audience,
            subject_token_type,
            token_url,
            impersonation_url,
            lifetime,
            subject,
        })),
        described,
    ))
}

impl Source {
    pub(crate) fn fetch<'a>(&'a self, f: &'a Fetch<'a>) -> Fut<'a> {
        Box::pin(async move {
            match self {
                Source::Static(t) => Ok(Expiring::forever(t.clone())),
                Source::ServiceAccount(sa) => sa.fetch(f).await,
                Source::AuthorizedUser(u) => u.fetch(f).await,
                Source::External(x) => x.fetch(f).await,
                Source::Impersonated { base, url } => {
                    let token = base.fetch(f).await?.value;
                    generate_access_token(f, url, &token, None).await
                }
                Source::Metadata { .. } => self.metadata_token(f, false).await,
                Source::Cli(cli) => cli.fetch(f.secrets),
            }
        })
    }

    /// A token of the instance's default service account; as a probe, one quick attempt,
    /// and an answer without `Metadata-Flavor: Google` is no metadata server.
    async fn metadata_token(&self, f: &Fetch<'_>, probe: bool) -> Result<Expiring<Secret>, String> {
        let Source::Metadata { host } = self else {
            return Err("not the metadata server".into());
        };
        let url = format!(
            "http://{}/computeMetadata/v1/instance/service-accounts/default/token",
            host.trim_end_matches('/')
        );
        let mut c = Call::get(&url)
            .header("metadata-flavor", "Google")
            .timeout(METADATA_TIMEOUT);
        if probe {
            c = c.probe();
        }
        let a = f.call(&c).await.map_err(|e| match e {
            Failure::Unreachable(_) if probe => "no answer (not on Google Cloud)".to_string(),
            e => e.to_string(),
        })?;
        let flavor = a
            .headers
            .get("metadata-flavor")
            .and_then(|v| v.to_str().ok());
        if flavor != Some("Google") {
            return Err(
                "the answer is not from a Google metadata server (no Metadata-Flavor: Google)"
                    .into(),
            );
        }
        if !a.ok() {
            return Err(format!(
                "the metadata server answered {}; check that the instance has a service account",
                a.error()
            ));
        }
        oauth_token(&a.json()?, f)
    }
}

/// An OAuth token response: `access_token` and `expires_in`.
fn oauth_token(v: &Value, f: &Fetch<'_>) -> Result<Expiring<Secret>, String> {
    let token = v
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or("the token response has no access_token")?;
    f.secrets.add(token);
    let secs = match v.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
    .unwrap_or(3600);
    Ok(Expiring::lasting(
        Secret::new(token),
        Duration::from_secs(secs),
    ))
}

impl ServiceAccount {
    async fn fetch(&self, f: &Fetch<'_>) -> Result<Expiring<Secret>, String> {
        let now = call::unix_now();
        let mut header = json!({"alg": "RS256", "typ": "JWT"});
        if let Some(kid) = &self.key_id {
            header["kid"] = Value::from(kid.as_str());
        }
        let assertion = jwt::rs256(
            &self.key,
            &header,
            &json!({
                "iss": self.email,
                "scope": SCOPE,
                "aud": self.token_uri,
                "iat": now,
                "exp": now + 3600,
            }),
        )?;
        f.secrets.add(&assertion);
        let a = f
            .send(&Call::form(
                &self.token_uri,
                &[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                    ("assertion", &assertion),
                ],
            ))
            .await?;
        if !a.ok() {
            return Err(format!(
                "the token endpoint {} refused the key's assertion ({}); check that key {} of \
                 {} is neither disabled nor deleted",
                self.token_uri,
                a.error(),
                self.key_id.as_deref().unwrap_or("(no private_key_id)"),
                self.email
            ));
        }
        oauth_token(&a.json()?, f)
    }
}

impl AuthorizedUser {
    async fn fetch(&self, f: &Fetch<'_>) -> Result<Expiring<Secret>, String> {
        let a = f
            .send(&Call::form(
                &self.token_uri,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", &self.client_id),
                    ("client_secret", self.client_secret.expose()),
                    ("refresh_token", self.refresh_token.expose()),
                ],
            ))
            .await?;
        if !a.ok() {
            return Err(format!(
                "the token endpoint {} refused the refresh token ({}); it may be revoked or \
                 expired: run `gcloud auth application-default login`",
                self.token_uri,
                a.error()
            ));
        }
        oauth_token(&a.json()?, f)
    }
}

/// IAM Credentials `generateAccessToken` at `url`, authorised by `token`.
async fn generate_access_token(
    f: &Fetch<'_>,
    url: &str,
    token: &Secret,
    lifetime: Option<u64>,
) -> Result<Expiring<Secret>, String> {
    let body = json!({
        "scope": [SCOPE],
        "lifetime": format!("{}s", lifetime.unwrap_or(3600)),
    });
    let a = f
        .send(&Call::json(url, &body).header("authorization", format!("Bearer {}", token.expose())))
        .await?;
    let account = impersonated(url);
    if !a.ok() {
        return Err(format!(
            "IAM Credentials generateAccessToken for {account} refused ({}); check that the \
             identity has roles/iam.serviceAccountTokenCreator (or, for a workload identity \
             pool, roles/iam.workloadIdentityUser) on {account}",
            a.error()
        ));
    }
    let v = a.json()?;
    let t = v
        .get("accessToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or("the generateAccessToken response has no accessToken")?;
    f.secrets.add(t);
    let expires = v
        .get("expireTime")
        .and_then(Value::as_str)
        .and_then(call::parse_rfc3339);
    Ok(match expires {
        Some(at) => Expiring::until(Secret::new(t), at),
        None => Expiring::lasting(Secret::new(t), Duration::from_secs(3600)),
    })
}

impl External {
    async fn fetch(&self, f: &Fetch<'_>) -> Result<Expiring<Secret>, String> {
        let subject = self.subject_token(f).await?;
        f.secrets.add(&subject);
        let a = f
            .send(&Call::form(
                &self.token_url,
                &[
                    (
                        "grant_type",
                        "urn:ietf:params:oauth:grant-type:token-exchange",
                    ),
                    ("audience", &self.audience),
                    ("scope", SCOPE),
                    (
                        "requested_token_type",
                        "urn:ietf:params:oauth:token-type:access_token",
                    ),
                    ("subject_token", &subject),
                    ("subject_token_type", &self.subject_token_type),
                ],
            ))
            .await?;
        if !a.ok() {
            return Err(format!(
                "Google STS at {} refused the subject token ({}); check the workload identity \
                 pool provider {} (its issuer, allowed audiences and attribute condition must \
                 accept the token)",
                self.token_url,
                a.error(),
                self.audience
            ));
        }
        let federated = oauth_token(&a.json()?, f)?;
        match &self.impersonation_url {
            None => Ok(federated),
            Some(url) => generate_access_token(f, url, &federated.value, self.lifetime).await,
        }
    }

    async fn subject_token(&self, f: &Fetch<'_>) -> Result<String, String> {
        match &self.subject {
            Subject::File { path, format } => {
                let text = read_named(path, "credential_source.file")?;
                pick(&text, format)
                    .map_err(|e| format!("the subject token file {}: {e}", path.display()))
            }
            Subject::Url {
                url,
                headers,
                format,
            } => {
                let mut c = Call::get(url);
                for (k, v) in headers {
                    f.secrets.add(v);
                    let name: &'static str = match k.as_str() {
                        "authorization" => "authorization",
                        "metadata" => "metadata",
                        "metadata-flavor" => "metadata-flavor",
                        other => {
                            return Err(format!(
                                "credential_source.headers: the header {other:?} is not sent (authorization, metadata and metadata-flavor are)"
                            ))
                        }
                    };
                    c = c.header(name, v.clone());
                }
                let a = f.send(&c).await?;
                if !a.ok() {
                    return Err(format!("the subject token URL answered {}", a.error()));
                }
                pick(&a.text(), format).map_err(|e| format!("the subject token URL's answer: {e}"))
            }
            Subject::Executable {
                command,
                timeout,
                output_file,
                allowed,
            } => {
                if !allowed {
                    return Err("the credential file runs an executable, which needs \
                         GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1"
                        .into());
                }
                self.run_executable(command, *timeout, output_file.as_deref())
            }
            Subject::Aws(aws) => aws.subject_token(f, &self.audience).await,
        }
    }

    fn run_executable(
        &self,
        command: &str,
        timeout: Duration,
        output_file: Option<&Path>,
    ) -> Result<String, String> {
        let program = command.split_whitespace().next().unwrap_or_default();
        if let Some(cached) = output_file.and_then(|p| std::fs::read_to_string(p).ok()) {
            if let Ok(token) = executable_token(&cached, &self.subject_token_type, program, true) {
                return Ok(token);
            }
        }
        let mut parts = command.split_whitespace();
        let mut cmd = std::process::Command::new(parts.next().unwrap_or_default());
        cmd.args(parts)
            .env("GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE", &self.audience)
            .env(
                "GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE",
                &self.subject_token_type,
            )
            .env("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE", "0")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        if let Some(u) = &self.impersonation_url {
            cmd.env(
                "GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL",
                impersonated(u),
            );
        }
        if let Some(p) = output_file {
            cmd.env("GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE", p);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("could not run the executable {program}: {e}"))?;
        let started = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if started.elapsed() >= timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "the executable {program} did not finish within {} ms (timeout_millis)",
                        timeout.as_millis()
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(format!("waiting for the executable {program}: {e}")),
            }
        }
        let out = child
            .wait_with_output()
            .map_err(|e| format!("reading the output of {program}: {e}"))?;
        executable_token(
            &String::from_utf8_lossy(&out.stdout),
            &self.subject_token_type,
            program,
            false,
        )
    }
}

/// The subject token of an executable's response (version 1).
fn executable_token(
    text: &str,
    token_type: &str,
    program: &str,
    cached: bool,
) -> Result<String, String> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| format!("the executable {program} printed no JSON response: {e}"))?;
    if v.get("version").and_then(Value::as_u64) != Some(1) {
        return Err(format!(
            "the executable {program}'s response is not version 1"
        ));
    }
    if v.get("success").and_then(Value::as_bool) != Some(true) {
        let s = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or("(none)")
                .to_string()
        };
        return Err(format!(
            "the executable {program} reported failure: {}: {}",
            s("code"),
            s("message")
        ));
    }
    if let Some(exp) = v.get("expiration_time").and_then(Value::as_u64) {
        if exp <= call::unix_now() {
            return Err(format!("the executable {program}'s token has expired"));
        }
    } else if cached {
        return Err("a cached response without expiration_time is not reused".into());
    }
    let field = if token_type.contains("saml2") {
        "saml_response"
    } else {
        "id_token"
    };
    v.get(field)
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .ok_or_else(|| format!("the executable {program}'s response has no {field}"))
}

/// The subject token in a text, as the format says.
fn pick(text: &str, format: &Format) -> Result<String, String> {
    let token = match format {
        Format::Text => text.trim().to_string(),
        Format::Json(field) => serde_json::from_str::<Value>(text)
            .map_err(|e| format!("it is not JSON: {e}"))?
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_string(),
    };
    if token.is_empty() {
        return Err(match format {
            Format::Text => "it is empty".into(),
            Format::Json(field) => format!("it has no {field}"),
        });
    }
    Ok(token)
}

impl AwsSubject {
    /// The subject token of AWS: a `GetCallerIdentity` request signed with the instance's
    /// (or the environment's) AWS keys, serialised as Google's STS expects it.
    async fn subject_token(&self, f: &Fetch<'_>, audience: &str) -> Result<String, String> {
        let session = match &self.session_token_url {
            Some(url) if self.keys.is_none() || self.region.is_none() => {
                let mut c = Call::get(url)
                    .header("x-aws-ec2-metadata-token-ttl-seconds", "300")
                    .timeout(METADATA_TIMEOUT);
                c.method = Method::PUT;
                let a = f.send(&c).await?;
                if !a.ok() {
                    return Err(format!(
                        "the IMDSv2 session token request answered {}",
                        a.error()
                    ));
                }
                let t = a.text().trim().to_string();
                f.secrets.add(&t);
                Some(t)
            }
            _ => None,
        };
        let region = match &self.region {
            Some(r) => r.clone(),
            None => {
                let url = self
                    .region_url
                    .as_deref()
                    .ok_or("no AWS_REGION and no credential_source.region_url")?;
                let zone = imds_get(f, url, session.as_deref()).await?;
                let zone = zone.trim();
                // An availability zone (`us-east-1b`) without its letter.
                zone[..zone.len().saturating_sub(1)].to_string()
            }
        };
        let keys = match &self.keys {
            Some((id, secret, token)) => {
                super::AwsKeys::new(id, secret, token.as_deref(), f.secrets)
            }
            None => {
                let url = self
                    .url
                    .as_deref()
                    .ok_or("no AWS_ACCESS_KEY_ID and no credential_source.url")?;
                let role = imds_get(f, url, session.as_deref()).await?;
                let role = role.lines().next().unwrap_or_default().trim().to_string();
                let role_url = format!("{}/{role}", url.trim_end_matches('/'));
                let doc = imds_get(f, &role_url, session.as_deref()).await?;
                let v: Value = serde_json::from_str(&doc)
                    .map_err(|e| format!("the role credentials are not JSON: {e}"))?;
                let s = |k: &str| {
                    v.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                super::AwsKeys::new(
                    &s("AccessKeyId"),
                    &s("SecretAccessKey"),
                    Some(s("Token")).filter(|t| !t.is_empty()).as_deref(),
                    f.secrets,
                )
            }
        };
        let url_text = self.verification_url.replace("{region}", &region);
        let url = Url::parse(&url_text)
            .map_err(|e| format!("regional_cred_verification_url is not a URL: {e}"))?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => return Err("regional_cred_verification_url has no host".into()),
        };
        let signed = crate::aws::sign_with(
            &keys,
            &region,
            "sts",
            &Method::POST,
            &url,
            &[("x-goog-cloud-target-resource", audience)],
            None,
            SystemTime::now(),
        )?;
        let mut headers = vec![
            json!({"key": "host", "value": host}),
            json!({"key": "x-goog-cloud-target-resource", "value": audience}),
        ];
        for (name, value, _) in signed {
            let key = if name.eq_ignore_ascii_case("authorization") {
                "Authorization"
            } else {
                name
            };
            headers.push(json!({"key": key, "value": value}));
        }
        let doc = json!({"url": url_text, "method": "POST", "headers": headers});
        Ok(call::percent(&doc.to_string()))
    }
}

/// A GET of EC2's instance metadata (with an IMDSv2 session token, when there is one).
async fn imds_get(f: &Fetch<'_>, url: &str, session: Option<&str>) -> Result<String, String> {
    let mut c = Call::get(url).timeout(METADATA_TIMEOUT);
    if let Some(t) = session {
        c = c.header("x-aws-ec2-metadata-token", t);
    }
    let a = f.send(&c).await?;
    if a.ok() {
        Ok(a.text())
    } else {
        Err(format!("{url} answered {}", a.error()))
    }
}
