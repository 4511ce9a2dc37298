//! Credentials for the refresh, found the way each cloud's own SDKs find them, in the same
//! order, and the endpoint overrides of the environment.
//!
//! Each cloud in use gets one [`Provider`]: the first source of its chain that is configured
//! (see [`Credentials::from_lookup`] for the order), and a cache of what that source issued.
//! The first token (or set of AWS keys) is obtained before the refresh starts, so a source
//! that is configured but refuses is reported before any cloud is read; later requests take
//! the cached value, and a value about to expire is fetched again (see [`cache`]).
//!
//! Every secret read or issued (keys, tokens, client secrets, federated tokens, private keys)
//! is registered in [`Secrets`] and scrubbed from every error text; descriptions of sources
//! (what `-v` prints) name variables, files, role ARNs and client IDs, never a secret.

mod aws_chain;
mod azure_chain;
mod cache;
mod call;
mod gcp_adc;
mod ini;
mod jwt;

use crate::{ErrorKind, ProviderScope, RefreshError};
use cache::{Cache, Expiring};
use meridian_catalog::Cloud;
use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

pub(crate) const AZURE_TOKEN_VAR: &str = "AZURE_ACCESS_TOKEN";
pub(crate) const GCP_TOKEN_VAR: &str = "GOOGLE_OAUTH_ACCESS_TOKEN";
pub(crate) const AWS_KEY_VAR: &str = "AWS_ACCESS_KEY_ID";
pub(crate) const AWS_SECRET_VAR: &str = "AWS_SECRET_ACCESS_KEY";
pub(crate) const AWS_SESSION_VAR: &str = "AWS_SESSION_TOKEN";
pub(crate) const AZURE_ENDPOINT_VAR: &str = "MERIDIAN_AZURE_ENDPOINT";
pub(crate) const AWS_ENDPOINT_VAR: &str = "MERIDIAN_AWS_ENDPOINT";
pub(crate) const AWS_STS_ENDPOINT_VAR: &str = "MERIDIAN_AWS_STS_ENDPOINT";
pub(crate) const GCP_ENDPOINT_VAR: &str = "MERIDIAN_GCP_ENDPOINT";

/// A secret string: its `Debug` prints `***`.
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

/// Every secret read or issued during a run, to scrub from what is shown. Shared by every
/// clone of the [`Credentials`] it belongs to.
#[derive(Clone, Default)]
pub(crate) struct Secrets(Arc<Mutex<BTreeSet<String>>>);

impl Secrets {
    /// Scrubbing a very short value would mangle every message; real secrets are long.
    const MIN_LEN: usize = 8;

    pub(crate) fn add(&self, secret: &str) {
        let s = secret.trim();
        if s.len() >= Self::MIN_LEN {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(s.to_string());
        }
    }

    pub(crate) fn list(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    /// `text` with every secret replaced by `***`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        // Longest first, so a secret that contains another is replaced whole.
        let mut all = self.list();
        all.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for s in all {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "***");
            }
        }
        out
    }
}

/// AWS access keys.
#[derive(Debug, Clone)]
pub(crate) struct AwsKeys {
    pub(crate) access_key_id: Secret,
    pub(crate) secret_access_key: Secret,
    pub(crate) session_token: Option<Secret>,
}

impl AwsKeys {
    pub(crate) fn new(id: &str, secret: &str, session: Option<&str>, secrets: &Secrets) -> AwsKeys {
        secrets.add(id);
        secrets.add(secret);
        if let Some(t) = session {
            secrets.add(t);
        }
        AwsKeys {
            access_key_id: Secret::new(id),
            secret_access_key: Secret::new(secret),
            session_token: session.map(Secret::new),
        }
    }
}

/// What the chains read: environment variables, through a lookup (so tests can give their
/// own), and the files those name.
pub(crate) struct Env<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl Env<'_> {
    /// A variable's value, trimmed; empty counts as unset.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// Whether a variable is `true` or `1` (any case).
    pub(crate) fn is_true(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }

    /// The home directory: `HOME`, else `USERPROFILE`.
    pub(crate) fn home(&self) -> Option<PathBuf> {
        self.get("HOME")
            .or_else(|| self.get("USERPROFILE"))
            .map(PathBuf::from)
    }

    /// A path from a variable or a file, with a leading `~/` taken as the home directory.
    pub(crate) fn expand(&self, path: &str) -> PathBuf {
        match (path.strip_prefix("~/"), self.home()) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(path),
        }
    }

    /// The program `name` on `PATH` (read through the lookup too).
    pub(crate) fn program(&self, name: &str) -> Option<PathBuf> {
        self.get("PATH").and_then(|p| find_on_path(&p, name))
    }
}

/// A configured source, found by a chain: what it is (for `-v` and errors) and what to check
/// when the cloud refuses what it issued.
pub(crate) struct Found<S> {
    pub(crate) source: S,
    pub(crate) description: String,
    pub(crate) hint: String,
}

/// One cloud's credentials: the source a chain chose and what it issued, cached.
pub(crate) struct Provider<T, S> {
    /// Which source, e.g. `web identity (AWS_ROLE_ARN=…, token file …)`.
    pub(crate) description: String,
    /// What to check when a cloud refuses what the source issued.
    pub(crate) hint: String,
    source: S,
    cache: Cache<T>,
    secrets: Secrets,
}

/// What a source's fetch gets: the HTTP client of the runtime it runs on, and where to
/// register what it reads or receives.
pub(crate) struct Fetch<'a> {
    pub(crate) client: &'a reqwest::Client,
    pub(crate) secrets: &'a Secrets,
}

/// What a source's fetch returns: a new value and when it expires.
pub(crate) type Issued<'a, T> =
    Pin<Box<dyn Future<Output = Result<Expiring<T>, String>> + Send + 'a>>;

/// A source of `T` (a bearer token, AWS keys).
pub(crate) trait Issue<T> {
    /// A new value from the source.
    fn issue<'a>(&'a self, f: &'a Fetch<'a>) -> Issued<'a, T>;
}

/// A bearer token source (Azure or Google).
pub(crate) enum TokenSource {
    Azure(azure_chain::Source),
    Gcp(gcp_adc::Source),
}

impl Issue<Secret> for TokenSource {
    fn issue<'a>(&'a self, f: &'a Fetch<'a>) -> Issued<'a, Secret> {
        match self {
            TokenSource::Azure(s) => Box::pin(s.fetch(f)),
            TokenSource::Gcp(s) => s.fetch(f),
        }
    }
}

impl Issue<AwsKeys> for aws_chain::Source {
    fn issue<'a>(&'a self, f: &'a Fetch<'a>) -> Issued<'a, AwsKeys> {
        self.fetch(f)
    }
}

pub(crate) type BearerProvider = Provider<Secret, TokenSource>;
pub(crate) type AwsProvider = Provider<AwsKeys, aws_chain::Source>;

impl<T: Clone, S> Provider<T, S> {
    fn new(found: Found<S>, secrets: &Secrets) -> Provider<T, S> {
        Provider {
            description: found.description,
            hint: found.hint,
            source: found.source,
            cache: Cache::default(),
            secrets: secrets.clone(),
        }
    }
}

impl<T: Clone, S: Issue<T>> Provider<T, S> {
    /// The current value (token or keys): the cached one, or a new one when none is cached
    /// or it is about to expire. A failure names the source, and is scrubbed.
    pub(crate) async fn current(&self, client: &reqwest::Client) -> Result<T, String> {
        let f = Fetch {
            client,
            secrets: &self.secrets,
        };
        self.cache
            .get(|| self.source.issue(&f))
            .await
            .map_err(|e| self.secrets.scrub(&format!("{}: {e}", self.description)))
    }
}

/// The source a variable holding a token as is names (`AZURE_ACCESS_TOKEN`,
/// `GOOGLE_OAUTH_ACCESS_TOKEN`), when set.
pub(crate) fn token_variable<S>(
    env: &Env<'_>,
    f: &Fetch<'_>,
    var: &str,
    source: impl FnOnce(Secret) -> S,
) -> Option<Found<S>> {
    let token = env.get(var)?;
    f.secrets.add(&token);
    Some(Found {
        source: source(Secret::new(&token)),
        description: var.to_string(),
        hint: format!("check {var}"),
    })
}

/// The first line of a program's error output that is not blank.
pub(crate) fn first_line(stderr: &[u8]) -> Option<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

/// Credentials for the clouds in use (only those), and the endpoint overrides of the
/// environment (`MERIDIAN_AZURE_ENDPOINT`, `MERIDIAN_AWS_ENDPOINT`, `MERIDIAN_GCP_ENDPOINT`),
/// which a provider block's `endpoint` takes precedence over, and `MERIDIAN_AWS_STS_ENDPOINT`.
///
/// `Debug` prints which sources supplied the credentials, never a secret. Clones share the
/// cached tokens.
#[derive(Clone, Default)]
pub struct Credentials {
    pub(crate) azure: Option<Arc<BearerProvider>>,
    pub(crate) gcp: Option<Arc<BearerProvider>>,
    pub(crate) aws: Option<Arc<AwsProvider>>,
    pub(crate) azure_endpoint: Option<String>,
    pub(crate) aws_endpoint: Option<String>,
    pub(crate) aws_sts_endpoint: Option<String>,
    pub(crate) gcp_endpoint: Option<String>,
    secrets: Secrets,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("azure", &self.azure.as_ref().map(|p| &p.description))
            .field("gcp", &self.gcp.as_ref().map(|p| &p.description))
            .field("aws", &self.aws.as_ref().map(|p| &p.description))
            .field("azure_endpoint", &self.azure_endpoint)
            .field("aws_endpoint", &self.aws_endpoint)
            .field("aws_sts_endpoint", &self.aws_sts_endpoint)
            .field("gcp_endpoint", &self.gcp_endpoint)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Resolves credentials from the process environment (see [`Credentials::from_lookup`]).
    pub fn from_env(scopes: &[ProviderScope]) -> Result<Credentials, RefreshError> {
        Credentials::from_lookup(scopes, |name| std::env::var(name).ok())
    }

    /// Resolves credentials for the clouds present in `scopes` (only those), reading
    /// variables through `lookup` (`HOME` and `PATH` included), and obtains the first token
    /// (or keys) of each, so a source that refuses is reported here. The first source of
    /// each chain that is configured is used; one that is configured but fails is an error
    /// naming it (the chain does not go on past it), as in the clouds' SDKs:
    ///
    /// - **AWS** (the SDKs' default chain): `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY`
    ///   (+ `AWS_SESSION_TOKEN`); the profile `AWS_PROFILE` (else `default`) of
    ///   `AWS_CONFIG_FILE` (`~/.aws/config`) and `AWS_SHARED_CREDENTIALS_FILE`
    ///   (`~/.aws/credentials`) — static keys, `role_arn` with `source_profile` or
    ///   `credential_source`, `web_identity_token_file`, IAM Identity Center (SSO, from the
    ///   token cache of `aws sso login`), `credential_process`; web identity
    ///   (`AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`, STS `AssumeRoleWithWebIdentity`);
    ///   ECS container credentials (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`,
    ///   with `AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]`); EC2 instance metadata (IMDSv2;
    ///   `AWS_EC2_METADATA_DISABLED=true` skips it).
    /// - **Azure** (`DefaultAzureCredential`'s order): `AZURE_ACCESS_TOKEN`; a client secret
    ///   or certificate (`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` or
    ///   `AZURE_CLIENT_CERTIFICATE_PATH`); workload identity federation (`AZURE_TENANT_ID`,
    ///   `AZURE_CLIENT_ID`, `AZURE_FEDERATED_TOKEN_FILE`); managed identity (App Service's
    ///   `IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, else the instance metadata service); the
    ///   Azure CLI (`az account get-access-token`).
    /// - **Google Cloud** (Application Default Credentials): `GOOGLE_OAUTH_ACCESS_TOKEN`;
    ///   the file `GOOGLE_APPLICATION_CREDENTIALS` (a service-account key, `authorized_user`
    ///   or `external_account`); gcloud's ADC file
    ///   (`$CLOUDSDK_CONFIG/application_default_credentials.json`, else
    ///   `~/.config/gcloud/…`); the metadata server (`GCE_METADATA_HOST`); the gcloud CLI
    ///   (`gcloud auth print-access-token`).
    ///
    /// Endpoints, each overridable for tests and private endpoints: STS
    /// (`MERIDIAN_AWS_STS_ENDPOINT`, else `AWS_ENDPOINT_URL_STS`), the SSO portal
    /// (`AWS_ENDPOINT_URL_SSO`), EC2 metadata (`AWS_EC2_METADATA_SERVICE_ENDPOINT`), the ECS
    /// agent (`MERIDIAN_AWS_ECS_ENDPOINT`, for relative URIs), Entra ID
    /// (`AZURE_AUTHORITY_HOST`), Azure's instance metadata
    /// (`AZURE_POD_IDENTITY_AUTHORITY_HOST`), Google's token endpoints (from the credential
    /// file) and metadata server (`GCE_METADATA_HOST`); and the APIs read:
    /// `MERIDIAN_AZURE_ENDPOINT`, `MERIDIAN_AWS_ENDPOINT`, `MERIDIAN_GCP_ENDPOINT`.
    ///
    /// Empty values count as unset. Blocking (it runs a small runtime of its own while it
    /// obtains the first tokens): call it outside an async runtime.
    pub fn from_lookup(
        scopes: &[ProviderScope],
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Credentials, RefreshError> {
        let env = Env { lookup: &lookup };
        let first = |cloud: Cloud| scopes.iter().find(|s| s.cloud == cloud);
        let mut creds = Credentials {
            azure_endpoint: env.get(AZURE_ENDPOINT_VAR),
            aws_endpoint: env.get(AWS_ENDPOINT_VAR),
            aws_sts_endpoint: env.get(AWS_STS_ENDPOINT_VAR),
            gcp_endpoint: env.get(GCP_ENDPOINT_VAR),
            ..Credentials::default()
        };
        let (azure, aws, gcp) = (first(Cloud::Azure), first(Cloud::Aws), first(Cloud::Gcp));
        if azure.is_none() && aws.is_none() && gcp.is_none() {
            return Ok(creds);
        }
        let scope_error = |scope: &ProviderScope, reason: String| RefreshError {
            provider: scope.address.clone(),
            region: None,
            request: String::new(),
            kind: ErrorKind::Credentials,
            reason,
        };
        let any = azure.or(aws).or(gcp).expect("a cloud is in use");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| scope_error(any, format!("could not start the HTTP runtime: {e}")))?;
        let client = client().map_err(|e| scope_error(any, e))?;
        let secrets = creds.secrets.clone();
        let f = Fetch {
            client: &client,
            secrets: &secrets,
        };
        runtime.block_on(async {
            if let Some(scope) = azure {
                let found = azure_chain::resolve(&env, &f)
                    .await
                    .map_err(|e| scope_error(scope, secrets.scrub(&e)))?;
                let p = Provider::new(found.map(TokenSource::Azure), &secrets);
                p.current(&client)
                    .await
                    .map_err(|e| scope_error(scope, e))?;
                creds.azure = Some(Arc::new(p));
            }
            if let Some(scope) = aws {
                let found = aws_chain::resolve(&env, &f, scope)
                    .await
                    .map_err(|e| scope_error(scope, secrets.scrub(&e)))?;
                let p = Provider::new(found, &secrets);
                p.current(&client)
                    .await
                    .map_err(|e| scope_error(scope, e))?;
                creds.aws = Some(Arc::new(p));
            }
            if let Some(scope) = gcp {
                let found = gcp_adc::resolve(&env, &f)
                    .await
                    .map_err(|e| scope_error(scope, secrets.scrub(&e)))?;
                let p = Provider::new(found.map(TokenSource::Gcp), &secrets);
                p.current(&client)
                    .await
                    .map_err(|e| scope_error(scope, e))?;
                creds.gcp = Some(Arc::new(p));
            }
            Ok::<(), RefreshError>(())
        })?;
        Ok(creds)
    }

    /// Which source supplied the credentials of each cloud in use, e.g. `(Aws, "web identity
    /// (AWS_ROLE_ARN=arn:aws:iam::123456789012:role/ci, token file /tmp/aws.jwt)")`. Never a
    /// secret.
    pub fn sources(&self) -> Vec<(Cloud, String)> {
        let mut out = Vec::new();
        if let Some(p) = &self.aws {
            out.push((Cloud::Aws, p.description.clone()));
        }
        if let Some(p) = &self.azure {
            out.push((Cloud::Azure, p.description.clone()));
        }
        if let Some(p) = &self.gcp {
            out.push((Cloud::Gcp, p.description.clone()));
        }
        out
    }

    /// Every secret held or seen so far, to scrub from anything a cloud sends back.
    pub(crate) fn secrets(&self) -> Vec<String> {
        self.secrets.list()
    }
}

impl<S> Found<S> {
    fn map<T>(self, f: impl FnOnce(S) -> T) -> Found<T> {
        Found {
            source: f(self.source),
            description: self.description,
            hint: self.hint,
        }
    }
}

/// The HTTP client for token endpoints: no redirects (credentials go nowhere but the
/// endpoint named), Meridian's user agent.
fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("meridian/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("could not build the HTTP client: {e}"))
}

/// A token printed by a cloud's CLI (`az`, `gcloud`).
pub(crate) struct CliToken {
    pub(crate) program: PathBuf,
    /// As shown, e.g. `az account get-access-token`.
    pub(crate) command: String,
    pub(crate) args: Vec<String>,
    /// The login command to suggest, e.g. `az login`.
    pub(crate) login: String,
    /// The variable that takes precedence, to suggest too.
    pub(crate) var: &'static str,
}

impl CliToken {
    /// Runs the CLI; the token it prints. CLI tokens are used for the run (the CLIs hand out
    /// tokens valid for several minutes at least, and refresh them themselves).
    pub(crate) fn fetch(&self, secrets: &Secrets) -> Result<Expiring<Secret>, String> {
        let output = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("could not run `{}`: {e}", self.command))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let token = stdout.trim();
        if !output.status.success() || token.is_empty() {
            let detail =
                first_line(&output.stderr).unwrap_or_else(|| "no token printed".to_string());
            return Err(format!(
                "`{}` failed ({}): {detail}; set {} or run `{}`",
                self.command, output.status, self.var, self.login
            ));
        }
        secrets.add(token);
        Ok(Expiring::forever(Secret::new(token)))
    }
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

/// Reads a file named by a variable or a profile, saying which and why it cannot be read.
pub(crate) fn read_named(path: &Path, named_by: &str) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {} (from {named_by}): {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_scrubbed_longest_first_and_short_values_are_not_secrets() {
        let s = Secrets::default();
        s.add("abc");
        s.add("token-0123456789");
        s.add("token-0123456789-and-more");
        let text = "abc token-0123456789-and-more token-0123456789";
        assert_eq!(s.scrub(text), "abc *** ***");
    }

    #[test]
    fn env_values_are_trimmed_and_empty_is_unset() {
        let lookup = |n: &str| match n {
            "A" => Some("  x ".to_string()),
            "B" => Some("  ".to_string()),
            "T" => Some("TRUE".to_string()),
            "HOME" => Some("/home/u".to_string()),
            _ => None,
        };
        let env = Env { lookup: &lookup };
        assert_eq!(env.get("A").as_deref(), Some("x"));
        assert_eq!(env.get("B"), None);
        assert!(env.is_true("T"));
        assert!(!env.is_true("A"));
        assert_eq!(
            env.expand("~/.aws/config"),
            PathBuf::from("/home/u/.aws/config")
        );
        assert_eq!(env.expand("/etc/x"), PathBuf::from("/etc/x"));
    }
}
