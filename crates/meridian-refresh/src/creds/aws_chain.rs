//! AWS: the default credential chain of the AWS SDKs, in their order
//! (<https://docs.aws.amazon.com/sdk-for-rust/latest/dg/credproviders.html>):
//!
//! 1. `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`);
//! 2. the shared `config` and `credentials` files, profile `AWS_PROFILE` (else `default`):
//!    static keys, `role_arn` with `source_profile` or `credential_source` (STS
//!    `AssumeRole`), `web_identity_token_file`, IAM Identity Center (SSO)
//!    `GetRoleCredentials` with the token `aws sso login` cached, or `credential_process`;
//! 3. web identity: `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` (STS
//!    `AssumeRoleWithWebIdentity`), as GitHub's and GitLab's OIDC tokens are used;
//! 4. ECS container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`,
//!    with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `_TOKEN`;
//! 5. EC2 instance metadata (IMDSv2), unless `AWS_EC2_METADATA_DISABLED=true`.
//!
//! A step that is not configured passes to the next; one that is configured but fails is an
//! error naming it. Within a profile, the resolution follows the SDKs': a profile with
//! `role_arn` assumes that role with the credentials of its `source_profile` (whose static
//! keys win over anything else it sets) or `credential_source`; otherwise the profile's own
//! source is, in order, `credential_source`, `web_identity_token_file`, SSO,
//! `credential_process`, static keys. A profile that sets none of them (only a `region`, say)
//! passes to the next step of the chain.

use super::call::{self, form_encode, url_shown, Call, Failure, METADATA_TIMEOUT};
use super::ini::{ProfileSet, Properties};
use super::{
    jwt, read_named, AwsKeys, Env, Expiring, Fetch, Found, Secret, AWS_KEY_VAR, AWS_SECRET_VAR,
    AWS_SESSION_VAR, AWS_STS_ENDPOINT_VAR,
};
use crate::ProviderScope;
use reqwest::{Method, Url};
use serde_json::Value;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

const STS_VERSION: &str = "2011-06-15";
const IMDS_DEFAULT: &str = "http://169.254.169.254";
const ECS_DEFAULT: &str = "http://169.254.170.2";
/// How long an IMDSv2 session token asks to live (the SDKs' value).
const IMDS_TOKEN_TTL: &str = "21600";

/// Where the AWS keys come from.
pub(crate) enum Source {
    Static(AwsKeys),
    WebIdentity(WebIdentity),
    /// A role assumed with the credentials of `base`.
    AssumeRole {
        base: Box<Source>,
        role: Role,
        sts: Sts,
    },
    Sso(Sso),
    Process(Process),
    Ecs(Ecs),
    Imds(Imds),
}

/// The STS endpoint of a region.
#[derive(Clone)]
pub(crate) struct Sts {
    url: String,
    region: String,
}

pub(crate) struct WebIdentity {
    role_arn: String,
    token_file: PathBuf,
    /// What named the file: `AWS_WEB_IDENTITY_TOKEN_FILE` or `profile X`.
    named_by: String,
    session_name: String,
    sts: Sts,
}

pub(crate) struct Role {
    arn: String,
    external_id: Option<String>,
    session_name: String,
}

pub(crate) struct Sso {
    profile: String,
    /// The `sso-session`, when the profile names one.
    session: Option<String>,
    cache_file: PathBuf,
    portal: String,
    account_id: String,
    role_name: String,
}

pub(crate) struct Process {
    profile: String,
    command: String,
    /// The program alone, as shown (its arguments may carry secrets).
    program: String,
}

pub(crate) struct Ecs {
    url: String,
    auth: Option<EcsAuth>,
    /// The variable that gave the URL.
    var: &'static str,
}

enum EcsAuth {
    File(PathBuf),
    Value(Secret),
}

pub(crate) struct Imds {
    endpoint: String,
}

type Fut<'a> = Pin<Box<dyn Future<Output = Result<Expiring<AwsKeys>, String>> + Send + 'a>>;

impl Source {
    /// New keys from this source.
    pub(crate) fn fetch<'a>(&'a self, f: &'a Fetch<'a>) -> Fut<'a> {
        Box::pin(async move {
            match self {
                Source::Static(keys) => Ok(Expiring::forever(keys.clone())),
                Source::WebIdentity(w) => w.fetch(f).await,
                Source::AssumeRole { base, role, sts } => {
                    let keys = base.fetch(f).await?.value;
                    assume_role(f, &keys, role, sts).await
                }
                Source::Sso(s) => s.fetch(f).await,
                Source::Process(p) => p.fetch(f),
                Source::Ecs(e) => e.fetch(f).await,
                Source::Imds(i) => i.fetch(f).await,
            }
        })
    }

    fn describe(&self) -> String {
        match self {
            Source::Static(_) => "static keys".into(),
            Source::WebIdentity(w) => format!(
                "web identity (role {}, token file {} from {})",
                w.role_arn,
                w.token_file.display(),
                w.named_by
            ),
            Source::AssumeRole { base, role, .. } => {
                format!("{} → assume role {}", base.describe(), role.arn)
            }
            Source::Sso(s) => format!(
                "IAM Identity Center (SSO{}, account {}, role {})",
                s.session
                    .as_ref()
                    .map(|n| format!(" session {n}"))
                    .unwrap_or_default(),
                s.account_id,
                s.role_name
            ),
            Source::Process(p) => format!("credential_process (program {})", p.program),
            Source::Ecs(e) => format!("ECS container credentials ({})", e.var),
            Source::Imds(i) => format!("EC2 instance metadata (IMDSv2 at {})", i.endpoint),
        }
    }
}

/// The first configured source of the chain, or why there is none.
pub(crate) async fn resolve(
    env: &Env<'_>,
    f: &Fetch<'_>,
    scope: &ProviderScope,
) -> Result<Found<Source>, String> {
    let mut looked: Vec<String> = Vec::new();

    // 1. Environment variables.
    match (env.get(AWS_KEY_VAR), env.get(AWS_SECRET_VAR)) {
        (Some(id), Some(secret)) => {
            let session = env.get(AWS_SESSION_VAR);
            let keys = AwsKeys::new(&id, &secret, session.as_deref(), f.secrets);
            let vars = if session.is_some() {
                format!("{AWS_KEY_VAR}, {AWS_SECRET_VAR}, {AWS_SESSION_VAR}")
            } else {
                format!("{AWS_KEY_VAR}, {AWS_SECRET_VAR}")
            };
            let hint = format!(
                "check {AWS_KEY_VAR}, {AWS_SECRET_VAR}{}",
                if session.is_some() {
                    format!(" and {AWS_SESSION_VAR}")
                } else {
                    format!(" (and {AWS_SESSION_VAR} for temporary credentials)")
                }
            );
            return Ok(Found {
                source: Source::Static(keys),
                description: format!("environment ({vars})"),
                hint,
            });
        }
        (Some(_), None) => looked.push(format!(
            "{AWS_KEY_VAR} is set but {AWS_SECRET_VAR} is not (set {AWS_SECRET_VAR} too)"
        )),
        (None, Some(_)) => looked.push(format!(
            "{AWS_SECRET_VAR} is set but {AWS_KEY_VAR} is not (set {AWS_KEY_VAR} too)"
        )),
        (None, None) => looked.push(format!("no {AWS_KEY_VAR} / {AWS_SECRET_VAR}")),
    }

    // 2. The shared config and credentials files.
    let home = env.home();
    let file = |var: &str, default: &str| {
        env.get(var)
            .map(|p| env.expand(&p))
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    let config_file = file("AWS_CONFIG_FILE", "config");
    let credentials_file = file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    let set = ProfileSet::load(config_file.as_deref(), credentials_file.as_deref())?;
    let explicit = env.get("AWS_PROFILE");
    let profile = explicit.clone().unwrap_or_else(|| "default".into());
    let region = region(env, &set, &profile, scope);
    let sts_override = env
        .get(AWS_STS_ENDPOINT_VAR)
        .or_else(|| env.get("AWS_ENDPOINT_URL_STS"));
    let sts = Sts {
        url: crate::aws::sts_url(scope, sts_override.as_deref(), &region),
        region: region.clone(),
    };
    let files_shown = || {
        [&config_file, &credentials_file]
            .into_iter()
            .flatten()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" and ")
    };
    if set.is_empty() {
        looked.push(format!("no profiles in {}", or_none(&files_shown())));
    } else if explicit.is_none() && set.profile("default").is_none() {
        looked.push(format!(
            "no default profile in {} (AWS_PROFILE is not set)",
            files_shown()
        ));
    } else {
        let read: Vec<String> = set.files.iter().map(|p| p.display().to_string()).collect();
        match from_profile(env, f, &set, &profile, &sts)? {
            Some(source) => {
                let description = format!(
                    "profile {profile} ({}): {}",
                    read.join(", "),
                    source.describe()
                );
                let hint = format!("check profile {profile} in {}", read.join(" and "));
                return Ok(Found {
                    source,
                    description,
                    hint,
                });
            }
            None => looked.push(format!(
                "profile {profile} sets no credentials ({})",
                read.join(", ")
            )),
        }
    }

    // 3. Web identity.
    match (
        env.get("AWS_ROLE_ARN"),
        env.get("AWS_WEB_IDENTITY_TOKEN_FILE"),
    ) {
        (Some(role_arn), Some(file)) => {
            let token_file = env.expand(&file);
            let description = format!(
                "web identity (AWS_ROLE_ARN={role_arn}, token file {})",
                token_file.display()
            );
            let source = Source::WebIdentity(WebIdentity {
                role_arn,
                token_file,
                named_by: "AWS_WEB_IDENTITY_TOKEN_FILE".into(),
                session_name: env
                    .get("AWS_ROLE_SESSION_NAME")
                    .unwrap_or_else(session_name),
                sts: sts.clone(),
            });
            return Ok(Found {
                source,
                description,
                hint: "check the role's permissions (the credentials are those of AWS_ROLE_ARN)"
                    .into(),
            });
        }
        (None, Some(_)) => {
            return Err(
                "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; set \
                 AWS_ROLE_ARN to the role the token may assume"
                    .into(),
            )
        }
        (Some(_), None) => looked.push(
            "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not (set it to the file \
             holding the OIDC token)"
                .into(),
        ),
        (None, None) => looked.push("no AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE".into()),
    }

    // 4. ECS container credentials.
    if let Some(ecs) = ecs(env)? {
        let description = ecs.describe_full();
        return Ok(Found {
            source: Source::Ecs(ecs),
            description,
            hint: "check the task role's permissions".into(),
        });
    }
    looked.push("no AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI".into());

    // 5. EC2 instance metadata.
    if env.is_true("AWS_EC2_METADATA_DISABLED") {
        looked.push("EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED)".into());
    } else {
        let imds = imds(env);
        match imds.session(f, true).await {
            Ok(_) => {
                let description = format!("EC2 instance metadata (IMDSv2 at {})", imds.endpoint);
                return Ok(Found {
                    source: Source::Imds(imds),
                    description,
                    hint: "check the instance profile role's permissions".into(),
                });
            }
            Err(why) => looked.push(format!("EC2 instance metadata at {}: {why}", imds.endpoint)),
        }
    }

    Err(format!(
        "no AWS credentials found. Looked, in the AWS SDKs' order, at: {}. Set {AWS_KEY_VAR} \
         and {AWS_SECRET_VAR}, choose a profile with AWS_PROFILE, or, in CI, set AWS_ROLE_ARN \
         and AWS_WEB_IDENTITY_TOKEN_FILE to use the pipeline's OIDC token",
        looked.join("; ")
    ))
}

fn or_none(s: &str) -> &str {
    if s.is_empty() {
        "(no home directory, AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE)"
    } else {
        s
    }
}

/// The region for STS: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, else the
/// first region the provider block reads.
fn region(env: &Env<'_>, set: &ProfileSet, profile: &str, scope: &ProviderScope) -> String {
    env.get("AWS_REGION")
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
        .or_else(|| {
            set.profile(profile)
                .and_then(|p| p.get("region"))
                .filter(|r| !r.is_empty())
                .cloned()
        })
        .or_else(|| scope.regions.first().cloned())
        .unwrap_or_else(|| "us-east-1".into())
}

/// A session name for an assumed role: `meridian-<seconds since the epoch>`.
fn session_name() -> String {
    format!("meridian-{}", call::unix_now())
}

/// The source of profile `name`, following `source_profile`s; `None` when the profile sets
/// no credentials at all.
fn from_profile(
    env: &Env<'_>,
    f: &Fetch<'_>,
    set: &ProfileSet,
    name: &str,
    sts: &Sts,
) -> Result<Option<Source>, String> {
    let mut visited: Vec<String> = Vec::new();
    let mut roles: Vec<Role> = Vec::new();
    let mut current = name.to_string();
    let base = loop {
        let Some(profile) = set.profile(&current) else {
            return Err(match visited.last() {
                None => format!("profile {current} (AWS_PROFILE) is not in {}", files(set)),
                Some(from) => format!(
                    "profile {current}, the source_profile of profile {from}, is not in {}",
                    files(set)
                ),
            });
        };
        if visited.contains(&current) {
            visited.push(current);
            return Err(format!(
                "the profiles' source_profile settings form a loop: {}",
                visited.join(" → ")
            ));
        }
        visited.push(current.clone());
        // A source profile's static keys win over anything else it sets.
        if visited.len() > 1 {
            if let Some(keys) = static_keys(profile, &current, f)? {
                break Source::Static(keys);
            }
        }
        let role_arn = profile
            .get("role_arn")
            .filter(|_| !profile.contains_key("web_identity_token_file"));
        let Some(role_arn) = role_arn else {
            match base_source(env, f, set, profile, &current, sts)? {
                Some(s) => break s,
                None if visited.len() == 1 => return Ok(None),
                None => {
                    return Err(format!(
                        "profile {current}, the source_profile of profile {}, sets no credentials",
                        visited[visited.len() - 2]
                    ))
                }
            }
        };
        roles.push(Role {
            arn: role_arn.clone(),
            external_id: profile.get("external_id").cloned(),
            session_name: profile
                .get("role_session_name")
                .cloned()
                .unwrap_or_else(session_name),
        });
        match (
            profile.get("source_profile"),
            profile.get("credential_source"),
        ) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "profile {current} sets both source_profile and credential_source; keep one"
                ))
            }
            (None, None) => {
                return Err(format!(
                    "profile {current} sets role_arn but neither source_profile nor \
                     credential_source, so nothing can assume the role"
                ))
            }
            (Some(source), None) if *source == current => {
                match base_source(env, f, set, profile, &current, sts)? {
                    Some(s) => break s,
                    None => {
                        return Err(format!(
                            "profile {current} is its own source_profile but sets no credentials"
                        ))
                    }
                }
            }
            (Some(source), None) => current.clone_from(source),
            (None, Some(_)) => match base_source(env, f, set, profile, &current, sts)? {
                Some(s) => break s,
                None => {
                    return Err(format!(
                        "profile {current}'s credential_source gave no credentials"
                    ))
                }
            },
        }
    };
    let mut source = base;
    for role in roles.into_iter().rev() {
        source = Source::AssumeRole {
            base: Box::new(source),
            role,
            sts: sts.clone(),
        };
    }
    Ok(Some(source))
}

fn files(set: &ProfileSet) -> String {
    set.files
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A profile's own source, in the SDKs' order; `None` when it sets none.
fn base_source(
    env: &Env<'_>,
    f: &Fetch<'_>,
    set: &ProfileSet,
    profile: &Properties,
    name: &str,
    sts: &Sts,
) -> Result<Option<Source>, String> {
    if let Some(source) = profile.get("credential_source") {
        return match source.as_str() {
            "Environment" => match (env.get(AWS_KEY_VAR), env.get(AWS_SECRET_VAR)) {
                (Some(id), Some(secret)) => Ok(Some(Source::Static(AwsKeys::new(
                    &id,
                    &secret,
                    env.get(AWS_SESSION_VAR).as_deref(),
                    f.secrets,
                )))),
                _ => Err(format!(
                    "profile {name} has credential_source = Environment but {AWS_KEY_VAR} and \
                     {AWS_SECRET_VAR} are not both set"
                )),
            },
            "Ec2InstanceMetadata" => Ok(Some(Source::Imds(imds(env)))),
            "EcsContainer" => match ecs(env)? {
                Some(e) => Ok(Some(Source::Ecs(e))),
                None => Err(format!(
                    "profile {name} has credential_source = EcsContainer but neither \
                     AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set"
                )),
            },
            other => Err(format!(
                "profile {name} has credential_source = {other}; expected Environment, \
                 Ec2InstanceMetadata or EcsContainer"
            )),
        };
    }
    match (
        profile.get("role_arn"),
        profile.get("web_identity_token_file"),
    ) {
        (Some(role_arn), Some(file)) => {
            return Ok(Some(Source::WebIdentity(WebIdentity {
                role_arn: role_arn.clone(),
                token_file: env.expand(file),
                named_by: format!("profile {name}"),
                session_name: profile
                    .get("role_session_name")
                    .cloned()
                    .unwrap_or_else(session_name),
                sts: sts.clone(),
            })))
        }
        (None, Some(_)) => {
            return Err(format!(
                "profile {name} sets web_identity_token_file but not role_arn"
            ))
        }
        _ => {}
    }
    if let Some(sso) = sso(env, set, profile, name)? {
        return Ok(Some(Source::Sso(sso)));
    }
    if let Some(command) = profile.get("credential_process") {
        let program = command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .trim_matches(['"', '\''])
            .to_string();
        return Ok(Some(Source::Process(Process {
            profile: name.to_string(),
            command: command.clone(),
            program,
        })));
    }
    Ok(static_keys(profile, name, f)?.map(Source::Static))
}

/// A profile's static keys; `None` when it sets none of them.
fn static_keys(profile: &Properties, name: &str, f: &Fetch<'_>) -> Result<Option<AwsKeys>, String> {
    let id = profile.get("aws_access_key_id").filter(|v| !v.is_empty());
    let secret = profile
        .get("aws_secret_access_key")
        .filter(|v| !v.is_empty());
    let token = profile.get("aws_session_token").filter(|v| !v.is_empty());
    match (id, secret) {
        (Some(id), Some(secret)) => Ok(Some(AwsKeys::new(
            id,
            secret,
            token.map(String::as_str),
            f.secrets,
        ))),
        (None, None) if token.is_none() => Ok(None),
        (None, _) => Err(format!("profile {name} is missing aws_access_key_id")),
        (_, None) => Err(format!("profile {name} is missing aws_secret_access_key")),
    }
}

/// A profile's IAM Identity Center settings (legacy, or through an `sso-session`).
fn sso(
    env: &Env<'_>,
    set: &ProfileSet,
    profile: &Properties,
    name: &str,
) -> Result<Option<Sso>, String> {
    let keys = [
        "sso_account_id",
        "sso_region",
        "sso_role_name",
        "sso_start_url",
        "sso_session",
    ];
    if keys.iter().all(|k| !profile.contains_key(*k)) {
        return Ok(None);
    }
    let session = profile.get("sso_session").cloned();
    let (start_url, sso_region) = match &session {
        Some(s) => {
            for k in ["sso_start_url", "sso_region"] {
                if profile.contains_key(k) {
                    return Err(format!(
                        "profile {name} names sso_session {s}, so {k} belongs in [sso-session {s}], not in the profile"
                    ));
                }
            }
            let Some(sess) = set.sso_session(s) else {
                return Err(format!(
                    "profile {name} names sso_session {s}, but there is no [sso-session {s}] section"
                ));
            };
            (sess.get("sso_start_url"), sess.get("sso_region"))
        }
        None => (profile.get("sso_start_url"), profile.get("sso_region")),
    };
    let (Some(start_url), Some(sso_region)) = (start_url, sso_region) else {
        return Err(format!(
            "profile {name}'s IAM Identity Center settings need sso_start_url and sso_region"
        ));
    };
    let (Some(account_id), Some(role_name)) =
        (profile.get("sso_account_id"), profile.get("sso_role_name"))
    else {
        return Err(format!(
            "profile {name}'s IAM Identity Center settings need sso_account_id and sso_role_name \
             for credentials"
        ));
    };
    let key = session.as_deref().unwrap_or(start_url.as_str());
    let cache_dir = env
        .home()
        .map(|h| h.join(".aws").join("sso").join("cache"))
        .ok_or("no home directory, so the SSO token cache (~/.aws/sso/cache) cannot be found")?;
    let cache_file = cache_dir.join(format!("{}.json", jwt::hex(&jwt::sha1(key.as_bytes()))));
    let portal = env
        .get("AWS_ENDPOINT_URL_SSO")
        .unwrap_or_else(|| format!("https://portal.sso.{sso_region}.amazonaws.com"));
    Ok(Some(Sso {
        profile: name.to_string(),
        session,
        cache_file,
        portal,
        account_id: account_id.clone(),
        role_name: role_name.clone(),
    }))
}

/// ECS container credentials, when configured.
fn ecs(env: &Env<'_>) -> Result<Option<Ecs>, String> {
    let auth = if let Some(file) = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
        Some(EcsAuth::File(env.expand(&file)))
    } else {
        env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")
            .map(|t| EcsAuth::Value(Secret::new(&t)))
    };
    if let Some(relative) = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
        let host = env
            .get("MERIDIAN_AWS_ECS_ENDPOINT")
            .unwrap_or_else(|| ECS_DEFAULT.into());
        return Ok(Some(Ecs {
            url: format!("{}{relative}", host.trim_end_matches('/')),
            auth,
            var: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        }));
    }
    if let Some(full) = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
        let url = Url::parse(&full).map_err(|e| {
            format!(
                "ECS container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL: {e}"
            )
        })?;
        let host = url
            .host_str()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let agent = |ip: std::net::IpAddr| {
            ip.is_loopback()
                || ip == std::net::Ipv4Addr::new(169, 254, 170, 2)
                || ip == std::net::Ipv4Addr::new(169, 254, 170, 23)
                || ip == std::net::Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23)
        };
        let allowed = url.scheme() == "https"
            || (url.scheme() == "http"
                && (host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(agent)));
        if !allowed {
            return Err(format!(
                "ECS container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI ({}) must be https, or http to a loopback address or the ECS/EKS agent",
                url_shown(&url)
            ));
        }
        return Ok(Some(Ecs {
            url: full,
            auth,
            var: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        }));
    }
    Ok(None)
}

fn imds(env: &Env<'_>) -> Imds {
    Imds {
        endpoint: env
            .get("AWS_EC2_METADATA_SERVICE_ENDPOINT")
            .unwrap_or_else(|| IMDS_DEFAULT.into())
            .trim_end_matches('/')
            .to_string(),
    }
}

impl Ecs {
    fn describe_full(&self) -> String {
        let auth = match &self.auth {
            Some(EcsAuth::File(p)) => format!(
                ", authorization token file {} (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)",
                p.display()
            ),
            Some(EcsAuth::Value(_)) => {
                ", authorization token from AWS_CONTAINER_AUTHORIZATION_TOKEN".into()
            }
            None => String::new(),
        };
        let shown = Url::parse(&self.url).map_or_else(|_| self.url.clone(), |u| url_shown(&u));
        format!("ECS container credentials ({}={shown}{auth})", self.var)
    }

    async fn fetch(&self, f: &Fetch<'_>) -> Result<Expiring<AwsKeys>, String> {
        let mut c = Call::get(&self.url).timeout(METADATA_TIMEOUT);
        match &self.auth {
            Some(EcsAuth::File(p)) => {
                let token = read_named(p, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")?;
                let token = token.trim().to_string();
                f.secrets.add(&token);
                c = c.header("authorization", token);
            }
            Some(EcsAuth::Value(t)) => {
                f.secrets.add(t.expose());
                c = c.header("authorization", t.expose());
            }
            None => {}
        }
        let a = f.send(&c).await?;
        if !a.ok() {
            return Err(format!(
                "the container credentials endpoint answered {}; check the task role and the \
                 authorization token",
                a.error()
            ));
        }
        let v = a.json()?;
        keys_of(&v, "AccessKeyId", "SecretAccessKey", "Token", f)
            .map_err(|e| format!("the container credentials endpoint's answer {e}"))
    }
}

impl Imds {
    /// An IMDSv2 session token (`PUT /latest/api/token`). As a probe, one quick attempt, and
    /// a refusal means "not on EC2" too.
    async fn session(&self, f: &Fetch<'_>, probe: bool) -> Result<String, String> {
        let url = format!("{}/latest/api/token", self.endpoint);
        let mut c = Call::get(&url)
            .header("x-aws-ec2-metadata-token-ttl-seconds", IMDS_TOKEN_TTL)
            .timeout(METADATA_TIMEOUT);
        c.method = Method::PUT;
        if probe {
            c = c.probe();
        }
        let a = f.call(&c).await.map_err(|e| match e {
            Failure::Unreachable(_) if probe => "no answer (not an EC2 instance)".to_string(),
            e => e.to_string(),
        })?;
        if !a.ok() {
            return Err(format!("the session token request answered {}", a.error()));
        }
        let token = a.text().trim().to_string();
        f.secrets.add(&token);
        Ok(token)
    }

    async fn fetch(&self, f: &Fetch<'_>) -> Result<Expiring<AwsKeys>, String> {
        let token = self.session(f, false).await?;
        let list = format!(
            "{}/latest/meta-data/iam/security-credentials/",
            self.endpoint
        );
        let a = f
            .send(
                &Call::get(&list)
                    .header("x-aws-ec2-metadata-token", token.clone())
                    .timeout(METADATA_TIMEOUT),
            )
            .await?;
        if a.status == 404 {
            return Err(
                "the instance has no IAM role (no instance profile is attached); attach one with \
                 Bedrock read access"
                    .into(),
            );
        }
        if !a.ok() {
            return Err(format!(
                "listing the instance's role answered {}",
                a.error()
            ));
        }
        let text = a.text();
        let role = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .ok_or("the instance metadata names no role")?
            .to_string();
        let url = format!("{list}{role}");
        let a = f
            .send(
                &Call::get(&url)
                    .header("x-aws-ec2-metadata-token", token)
                    .timeout(METADATA_TIMEOUT),
            )
            .await?;
        if !a.ok() {
            return Err(format!(
                "the credentials of role {role} answered {}",
                a.error()
            ));
        }
        let v = a.json()?;
        if let Some(code) = v.get("Code").and_then(Value::as_str) {
            if code != "Success" {
                return Err(format!(
                    "the credentials of role {role} are not available: {code}"
                ));
            }
        }
        keys_of(&v, "AccessKeyId", "SecretAccessKey", "Token", f)
            .map_err(|e| format!("the credentials of role {role} {e}"))
    }
}

/// Keys from a JSON document (ECS, IMDS, `credential_process`), with its `Expiration`.
fn keys_of(
    v: &Value,
    id: &str,
    secret: &str,
    token: &str,
    f: &Fetch<'_>,
) -> Result<Expiring<AwsKeys>, String> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let (Some(key_id), Some(key_secret)) = (text(id), text(secret)) else {
        return Err(format!("lack {id} or {secret}"));
    };
    let keys = AwsKeys::new(key_id, key_secret, text(token), f.secrets);
    let expires = match text("Expiration") {
        Some(t) => Some(
            call::parse_rfc3339(t)
                .ok_or_else(|| format!("has an Expiration that is not an RFC 3339 time: {t:?}"))?,
        ),
        None => None,
    };
    Ok(Expiring::until_or_forever(keys, expires))
}

/// Keys from an STS response (`<Credentials>` of `AssumeRole` and
/// `AssumeRoleWithWebIdentity`).
fn sts_keys(doc: &str, f: &Fetch<'_>) -> Result<Expiring<AwsKeys>, String> {
    let el = |n| crate::aws::xml_element(doc, n).filter(|s| !s.is_empty());
    let (Some(id), Some(secret)) = (el("AccessKeyId"), el("SecretAccessKey")) else {
        return Err("the STS response has no <Credentials>".into());
    };
    let keys = AwsKeys::new(&id, &secret, el("SessionToken").as_deref(), f.secrets);
    let expires = el("Expiration").and_then(|t| call::parse_rfc3339(&t));
    Ok(Expiring::until_or_forever(keys, expires))
}

impl WebIdentity {
    async fn fetch(&self, f: &Fetch<'_>) -> Result<Expiring<AwsKeys>, String> {
        let token = read_named(&self.token_file, &self.named_by)?;
        let token = token.trim();
        if token.is_empty() {
            return Err(format!(
                "the token file {} is empty; check the step that writes the OIDC token",
                self.token_file.display()
            ));
        }
        f.secrets.add(token);
        let c = Call::form(
            &self.sts.url,
            &[
                ("Action", "AssumeRoleWithWebIdentity"),
                ("Version", STS_VERSION),
                ("RoleArn", &self.role_arn),
                ("RoleSessionName", &self.session_name),
                ("WebIdentityToken", token),
            ],
        );
        let a = f.send(&c).await?;
        if !a.ok() {
            return Err(format!(
                "STS AssumeRoleWithWebIdentity at {} refused ({}); check the role's trust policy \
                 (the token's issuer, audience and subject) and that the token in {} is current",
                self.sts.shown(),
                a.error(),
                self.token_file.display()
            ));
        }
        sts_keys(&a.text(), f)
    }
}

impl Sts {
    fn shown(&self) -> String {
        Url::parse(&self.url).map_or_else(|_| self.url.clone(), |u| url_shown(&u))
    }
}

/// STS `AssumeRole` with `keys`, signed as AWS's SDKs sign it.
async fn assume_role(
    f: &Fetch<'_>,
    keys: &AwsKeys,
    role: &Role,
    sts: &Sts,
) -> Result<Expiring<AwsKeys>, String> {
    let mut pairs = vec![
        ("Action", "AssumeRole"),
        ("Version", STS_VERSION),
        ("RoleArn", role.arn.as_str()),
        ("RoleSessionName", role.session_name.as_str()),
    ];
    if let Some(id) = &role.external_id {
        pairs.push(("ExternalId", id.as_str()));
    }
    let body = form_encode(&pairs);
    let url = Url::parse(&sts.url).map_err(|e| format!("invalid STS URL {:?}: {e}", sts.url))?;
    let headers = crate::aws::sign(
        keys,
        &sts.region,
        "sts",
        &Method::POST,
        &url,
        Some((body.as_bytes(), crate::aws::FORM_CONTENT_TYPE)),
        SystemTime::now(),
    )?;
    let mut c = Call {
        method: Method::POST,
        url: &sts.url,
        headers: Vec::new(),
        body: Some((body.into_bytes(), crate::aws::FORM_CONTENT_TYPE)),
        timeout: call::TOKEN_TIMEOUT,
        attempts: 3,
    };
    for (name, value, _) in headers {
        c = c.header(name, value);
    }
    let a = f.send(&c).await?;
    if !a.ok() {
        return Err(format!(
            "STS AssumeRole of {} at {} refused ({}); check the role's trust policy (it must \
             trust the source credentials){}",
            role.arn,
            sts.shown(),
            a.error(),
            if role.external_id.is_some() {
                " and external_id"
            } else {
                ""
            }
        ));
    }
    sts_keys(&a.text(), f)
}

impl Sso {
    async fn fetch(&self, f: &Fetch<'_>) -> Result<Expiring<AwsKeys>, String> {
        let login = format!("aws sso login --profile {}", self.profile);
        let text = std::fs::read_to_string(&self.cache_file).map_err(|e| {
            format!(
                "no cached SSO token ({}: {e}); run `{login}`",
                self.cache_file.display()
            )
        })?;
        let cached: Value = serde_json::from_str(&text).map_err(|e| {
            format!(
                "the SSO token cache {} is not JSON ({e}); run `{login}`",
                self.cache_file.display()
            )
        })?;
        let token = cached
            .get("accessToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                format!(
                    "the SSO token cache {} has no accessToken; run `{login}`",
                    self.cache_file.display()
                )
            })?;
        f.secrets.add(token);
        let expires = cached
            .get("expiresAt")
            .and_then(Value::as_str)
            .and_then(call::parse_rfc3339);
        if expires.is_some_and(|e| e <= SystemTime::now()) {
            return Err(format!("the SSO session has expired; run `{login}`"));
        }
        let mut url = Url::parse(&format!(
            "{}/federation/credentials",
            self.portal.trim_end_matches('/')
        ))
        .map_err(|e| format!("invalid SSO portal URL {:?}: {e}", self.portal))?;
        url.query_pairs_mut()
            .append_pair("role_name", &self.role_name)
            .append_pair("account_id", &self.account_id);
        let url_text = url.to_string();
        let request = Call::get(&url_text).header("x-amz-sso_bearer_token", token);
        let a = f.send(&request).await?;
        if a.status == 401 || a.status == 403 {
            return Err(format!(
                "the SSO portal refused the cached token ({}); run `{login}`",
                a.error()
            ));
        }
        if !a.ok() {
            return Err(format!(
                "SSO GetRoleCredentials at {} answered {}; check sso_account_id and sso_role_name",
                url_shown(&url),
                a.error()
            ));
        }
        let doc = a.json()?;
        let rc = doc
            .get("roleCredentials")
            .ok_or("the SSO portal's answer has no roleCredentials")?;
        let s = |k: &str| rc.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
        let (Some(id), Some(secret)) = (s("accessKeyId"), s("secretAccessKey")) else {
            return Err(
                "the SSO portal's roleCredentials lack accessKeyId or secretAccessKey".into(),
            );
        };
        let keys = AwsKeys::new(id, secret, s("sessionToken"), f.secrets);
        let expires = rc
            .get("expiration")
            .and_then(Value::as_u64)
            .map(|ms| SystemTime::UNIX_EPOCH + Duration::from_millis(ms));
        Ok(Expiring::until_or_forever(keys, expires))
    }
}

impl Process {
    fn fetch(&self, f: &Fetch<'_>) -> Result<Expiring<AwsKeys>, String> {
        let shown = format!("credential_process of profile {}", self.profile);
        let mut cmd = if cfg!(windows) {
            let mut c = std::process::Command::new("cmd");
            c.arg("/C").arg(&self.command);
            c
        } else {
            let mut c = std::process::Command::new("sh");
            c.arg("-c").arg(&self.command);
            c
        };
        let out = cmd
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("could not run the {shown} ({}): {e}", self.program))?;
        if !out.status.success() {
            let detail = super::first_line(&out.stderr).unwrap_or_else(|| "no message".into());
            return Err(format!(
                "the {shown} ({}) failed ({}): {}",
                self.program,
                out.status,
                f.secrets.scrub(&detail)
            ));
        }
        let v: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
            format!(
                "the {shown} ({}) printed no JSON document: {e}",
                self.program
            )
        })?;
        match v.get("Version").and_then(Value::as_u64) {
            Some(1) => {}
            other => {
                return Err(format!(
                    "the {shown} ({}) printed Version {}; only Version 1 is defined",
                    self.program,
                    other.map_or_else(|| "(none)".to_string(), |n| n.to_string())
                ))
            }
        }
        keys_of(&v, "AccessKeyId", "SecretAccessKey", "SessionToken", f)
            .map_err(|e| format!("the {shown}'s output {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sts_responses_give_keys_and_expiry() {
        let secrets = super::super::Secrets::default();
        let client = reqwest::Client::new();
        let f = Fetch {
            client: &client,
            secrets: &secrets,
        };
        let doc = "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIA0001</AccessKeyId><SecretAccessKey>secret-key-0001</SecretAccessKey><SessionToken>session-token-0001</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
        let k = sts_keys(doc, &f).expect("keys");
        assert_eq!(k.value.access_key_id.expose(), "ASIA0001");
        assert!(secrets.list().contains(&"session-token-0001".to_string()));
        assert!(sts_keys("<x/>", &f).is_err());
    }
}
