//! Credentials and endpoint overrides, from the environment or the clouds' CLIs.

use crate::{ErrorKind, ProviderScope, RefreshError};
use meridian_catalog::Cloud;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

pub(crate) const AZURE_TOKEN_VAR: &str = "AZURE_ACCESS_TOKEN";
pub(crate) const GCP_TOKEN_VAR: &str = "GOOGLE_OAUTH_ACCESS_TOKEN";
pub(crate) const AWS_KEY_VAR: &str = "AWS_ACCESS_KEY_ID";
pub(crate) const AWS_SECRET_VAR: &str = "AWS_SECRET_ACCESS_KEY";
pub(crate) const AWS_SESSION_VAR: &str = "AWS_SESSION_TOKEN";
pub(crate) const AZURE_ENDPOINT_VAR: &str = "MERIDIAN_AZURE_ENDPOINT";
pub(crate) const AWS_ENDPOINT_VAR: &str = "MERIDIAN_AWS_ENDPOINT";
pub(crate) const AWS_STS_ENDPOINT_VAR: &str = "MERIDIAN_AWS_STS_ENDPOINT";
pub(crate) const GCP_ENDPOINT_VAR: &str = "MERIDIAN_GCP_ENDPOINT";

/// A secret string: its `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(Arc<str>);

impl Secret {
    pub(crate) fn new(s: &str) -> Secret {
        Secret(Arc::from(s))
    }
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A bearer token and where it came from (named in authentication errors).
#[derive(Debug, Clone)]
pub(crate) struct Bearer {
    pub(crate) token: Secret,
    /// What to check when the cloud refuses it, e.g. "check AZURE_ACCESS_TOKEN".
    pub(crate) hint: String,
}

/// AWS access keys.
#[derive(Debug, Clone)]
pub(crate) struct AwsKeys {
    pub(crate) access_key_id: Secret,
    pub(crate) secret_access_key: Secret,
    pub(crate) session_token: Option<Secret>,
}

/// Credentials for the clouds in use (only those), and the endpoint overrides of the
/// environment (`MERIDIAN_AZURE_ENDPOINT`, `MERIDIAN_AWS_ENDPOINT`, `MERIDIAN_GCP_ENDPOINT`),
/// which a provider block's `endpoint` takes precedence over, and `MERIDIAN_AWS_STS_ENDPOINT`.
///
/// `Debug` prints which credentials are present, never their values.
#[derive(Clone, Default)]
pub struct Credentials {
    pub(crate) azure: Option<Bearer>,
    pub(crate) gcp: Option<Bearer>,
    pub(crate) aws: Option<AwsKeys>,
    pub(crate) azure_endpoint: Option<String>,
    pub(crate) aws_endpoint: Option<String>,
    pub(crate) aws_sts_endpoint: Option<String>,
    pub(crate) gcp_endpoint: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("azure", &self.azure.as_ref().map(|_| "***"))
            .field("gcp", &self.gcp.as_ref().map(|_| "***"))
            .field(
                "aws",
                &self.aws.as_ref().map(|k| {
                    if k.session_token.is_some() {
                        "*** (with session token)"
                    } else {
                        "***"
                    }
                }),
            )
            .field("azure_endpoint", &self.azure_endpoint)
            .field("aws_endpoint", &self.aws_endpoint)
            .field("aws_sts_endpoint", &self.aws_sts_endpoint)
            .field("gcp_endpoint", &self.gcp_endpoint)
            .finish()
    }
}

impl Credentials {
    /// Resolves credentials from the process environment (see [`Credentials::from_lookup`]).
    pub fn from_env(scopes: &[ProviderScope]) -> Result<Credentials, RefreshError> {
        Credentials::from_lookup(scopes, |name| std::env::var(name).ok())
    }

    /// Resolves credentials for the clouds present in `scopes` (only those), reading
    /// variables through `lookup`:
    /// - Azure: `AZURE_ACCESS_TOKEN`, else `az account get-access-token` when `az` is on
    ///   `PATH`;
    /// - AWS: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, optionally `AWS_SESSION_TOKEN`;
    /// - GCP: `GOOGLE_OAUTH_ACCESS_TOKEN`, else `gcloud auth print-access-token` when `gcloud`
    ///   is on `PATH`;
    /// - endpoint overrides: `MERIDIAN_AZURE_ENDPOINT`, `MERIDIAN_AWS_ENDPOINT`,
    ///   `MERIDIAN_AWS_STS_ENDPOINT` (where the AWS account is checked), `MERIDIAN_GCP_ENDPOINT`.
    ///
    /// `PATH` is read through `lookup` too. Empty values count as unset.
    pub fn from_lookup(
        scopes: &[ProviderScope],
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Credentials, RefreshError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let first = |cloud: Cloud| scopes.iter().find(|s| s.cloud == cloud);
        let mut creds = Credentials {
            azure_endpoint: get(AZURE_ENDPOINT_VAR),
            aws_endpoint: get(AWS_ENDPOINT_VAR),
            aws_sts_endpoint: get(AWS_STS_ENDPOINT_VAR),
            gcp_endpoint: get(GCP_ENDPOINT_VAR),
            ..Credentials::default()
        };
        let path = get("PATH");
        if let Some(scope) = first(Cloud::Azure) {
            creds.azure = Some(bearer(
                scope,
                get(AZURE_TOKEN_VAR),
                AZURE_TOKEN_VAR,
                path.as_deref(),
                "az",
                &[
                    "account",
                    "get-access-token",
                    "--resource",
                    "https://management.azure.com/",
                    "--query",
                    "accessToken",
                    "-o",
                    "tsv",
                ],
                "az login",
            )?);
        }
        if let Some(scope) = first(Cloud::Gcp) {
            creds.gcp = Some(bearer(
                scope,
                get(GCP_TOKEN_VAR),
                GCP_TOKEN_VAR,
                path.as_deref(),
                "gcloud",
                &["auth", "print-access-token"],
                "gcloud auth login",
            )?);
        }
        if let Some(scope) = first(Cloud::Aws) {
            let (Some(id), Some(secret)) = (get(AWS_KEY_VAR), get(AWS_SECRET_VAR)) else {
                let missing: Vec<&str> = [AWS_KEY_VAR, AWS_SECRET_VAR]
                    .into_iter()
                    .filter(|v| get(v).is_none())
                    .collect();
                return Err(credentials_error(
                    scope,
                    format!(
                        "no AWS credentials: set {} (and {AWS_SESSION_VAR} for temporary credentials)",
                        missing.join(" and ")
                    ),
                ));
            };
            creds.aws = Some(AwsKeys {
                access_key_id: Secret::new(&id),
                secret_access_key: Secret::new(&secret),
                session_token: get(AWS_SESSION_VAR).map(|t| Secret::new(&t)),
            });
        }
        Ok(creds)
    }

    /// Every secret held, to scrub from anything a cloud sends back.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        for b in [&self.azure, &self.gcp].into_iter().flatten() {
            out.push(b.token.expose().to_string());
        }
        if let Some(k) = &self.aws {
            out.push(k.access_key_id.expose().to_string());
            out.push(k.secret_access_key.expose().to_string());
            if let Some(t) = &k.session_token {
                out.push(t.expose().to_string());
            }
        }
        out.retain(|s| !s.is_empty());
        out
    }
}

fn credentials_error(scope: &ProviderScope, reason: String) -> RefreshError {
    RefreshError {
        provider: scope.address.clone(),
        region: None,
        request: String::new(),
        kind: ErrorKind::Credentials,
        reason,
    }
}

#[allow(clippy::too_many_arguments)]
fn bearer(
    scope: &ProviderScope,
    from_var: Option<String>,
    var: &str,
    path: Option<&str>,
    cli: &str,
    args: &[&str],
    login: &str,
) -> Result<Bearer, RefreshError> {
    if let Some(token) = from_var {
        return Ok(Bearer {
            token: Secret::new(&token),
            hint: format!("check {var}"),
        });
    }
    let Some(program) = path.and_then(|p| find_on_path(p, cli)) else {
        return Err(credentials_error(
            scope,
            format!("no access token: set {var}, or install the `{cli}` CLI and run `{login}`"),
        ));
    };
    let command = format!("{cli} {}", args.join(" "));
    let output = Command::new(&program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| credentials_error(scope, format!("could not run `{command}`: {e}")))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let token = stdout.trim();
    if !output.status.success() || token.is_empty() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let detail = stderr
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("no token printed");
        return Err(credentials_error(
            scope,
            format!(
                "`{command}` failed ({}): {detail}; set {var} or run `{login}`",
                output.status
            ),
        ));
    }
    Ok(Bearer {
        token: Secret::new(token),
        hint: format!("check `{login}` (token from `{cli}`) or set {var}"),
    })
}

fn find_on_path(path: &str, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .find_map(|dir| executable(&dir, name))
}

#[cfg(unix)]
fn executable(dir: &Path, name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .then_some(p)
}

#[cfg(not(unix))]
fn executable(dir: &Path, name: &str) -> Option<PathBuf> {
    ["exe", "cmd", "bat"]
        .iter()
        .map(|ext| dir.join(name).with_extension(ext))
        .find(|p| p.is_file())
}
