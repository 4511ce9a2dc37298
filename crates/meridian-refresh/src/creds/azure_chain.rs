//! Azure: a token for Azure Resource Manager, in the order of `DefaultAzureCredential`
//! (<https://learn.microsoft.com/azure/developer/python/sdk/authentication/credential-chains>),
//! after Meridian's own `AZURE_ACCESS_TOKEN`:
//!
//! 1. `AZURE_ACCESS_TOKEN`;
//! 2. environment: `AZURE_TENANT_ID` + `AZURE_CLIENT_ID` with `AZURE_CLIENT_SECRET` (client
//!    secret), else with `AZURE_CLIENT_CERTIFICATE_PATH` (a PEM file holding the certificate
//!    and its unencrypted private key; a JWT assertion signed with RS256, `x5t` the
//!    certificate's SHA-1 thumbprint);
//! 3. workload identity federation: `AZURE_TENANT_ID` + `AZURE_CLIENT_ID` +
//!    `AZURE_FEDERATED_TOKEN_FILE` (the OIDC token of GitHub, GitLab or Kubernetes, sent as the
//!    client assertion; the file is read again for every token, as it rotates);
//! 4. managed identity: App Service and Functions (`IDENTITY_ENDPOINT` +
//!    `IDENTITY_HEADER`), else the instance metadata service (`169.254.169.254`, or
//!    `AZURE_POD_IDENTITY_AUTHORITY_HOST`), user-assigned when `AZURE_CLIENT_ID` is set;
//! 5. the Azure CLI: `az account get-access-token`.
//!
//! Client credentials are exchanged at `{AZURE_AUTHORITY_HOST}/{tenant}/oauth2/v2.0/token`
//! (`https://login.microsoftonline.com` by default) for scope
//! `https://management.azure.com/.default`.

use super::call::{self, url_shown, Call, Failure, METADATA_TIMEOUT};
use super::jwt::{self, RsaKey};
use super::{read_named, CliToken, Env, Expiring, Fetch, Found, Secret, AZURE_TOKEN_VAR};
use reqwest::Url;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

const AUTHORITY: &str = "https://login.microsoftonline.com";
const IMDS: &str = "http://169.254.169.254";
const SCOPE: &str = "https://management.azure.com/.default";
const RESOURCE: &str = "https://management.azure.com/";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// An app registration (or user-assigned identity) and its tenant's token endpoint.
pub(crate) struct Client {
    tenant: String,
    id: String,
    token_url: String,
}

pub(crate) struct Certificate {
    path: PathBuf,
    key: RsaKey,
    /// Base64url SHA-1 of the certificate's DER.
    x5t: String,
}

pub(crate) enum Source {
    Static(Secret),
    ClientSecret(Client, Secret),
    Certificate(Client, Box<Certificate>),
    Workload(Client, PathBuf),
    AppService {
        endpoint: String,
        header: Secret,
        client_id: Option<String>,
    },
    Imds {
        host: String,
        client_id: Option<String>,
    },
    Cli(CliToken),
}

/// The first configured source, or why there is none.
pub(crate) async fn resolve(env: &Env<'_>, f: &Fetch<'_>) -> Result<Found<Source>, String> {
    let mut looked: Vec<String> = Vec::new();

    // 1. A token given as is.
    if let Some(found) = super::token_variable(env, f, AZURE_TOKEN_VAR, Source::Static) {
        return Ok(found);
    }
    looked.push(format!("no {AZURE_TOKEN_VAR}"));

    let tenant = env.get("AZURE_TENANT_ID");
    let client_id = env.get("AZURE_CLIENT_ID");
    let authority = env
        .get("AZURE_AUTHORITY_HOST")
        .unwrap_or_else(|| AUTHORITY.into());
    let client = || match (&tenant, &client_id) {
        (Some(t), Some(c)) => Some(Client {
            tenant: t.clone(),
            id: c.clone(),
            token_url: format!("{}/{t}/oauth2/v2.0/token", authority.trim_end_matches('/')),
        }),
        _ => None,
    };
    let ids = || {
        format!(
            "AZURE_TENANT_ID={}, AZURE_CLIENT_ID={}",
            tenant.as_deref().unwrap_or_default(),
            client_id.as_deref().unwrap_or_default()
        )
    };
    let missing_ids = || {
        [
            ("AZURE_TENANT_ID", &tenant),
            ("AZURE_CLIENT_ID", &client_id),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| n)
        .collect::<Vec<_>>()
        .join(" and ")
    };

    // 2. Environment: a client secret, else a client certificate.
    let secret = env.get("AZURE_CLIENT_SECRET");
    let cert_path = env.get("AZURE_CLIENT_CERTIFICATE_PATH");
    match (client(), secret, cert_path) {
        (Some(c), Some(secret), _) => {
            f.secrets.add(&secret);
            return Ok(Found {
                description: format!("client secret ({})", ids()),
                hint: format!(
                    "check the role assignments of the app {} (AZURE_CLIENT_ID)",
                    c.id
                ),
                source: Source::ClientSecret(c, Secret::new(&secret)),
            });
        }
        (Some(c), None, Some(path)) => {
            let path = env.expand(&path);
            let description = format!(
                "client certificate ({}, certificate {})",
                ids(),
                path.display()
            );
            let cert = certificate(&path).map_err(|e| format!("{description}: {e}"))?;
            return Ok(Found {
                hint: format!(
                    "check the role assignments of the app {} (AZURE_CLIENT_ID)",
                    c.id
                ),
                description,
                source: Source::Certificate(c, Box::new(cert)),
            });
        }
        (None, Some(_), _) => looked.push(format!(
            "AZURE_CLIENT_SECRET is set but {} is not",
            missing_ids()
        )),
        (None, None, Some(_)) => looked.push(format!(
            "AZURE_CLIENT_CERTIFICATE_PATH is set but {} is not",
            missing_ids()
        )),
        (_, None, None) => {
            looked.push("no AZURE_CLIENT_SECRET / AZURE_CLIENT_CERTIFICATE_PATH".into());
        }
    }

    // 3. Workload identity federation.
    match (client(), env.get("AZURE_FEDERATED_TOKEN_FILE")) {
        (Some(c), Some(file)) => {
            let path = env.expand(&file);
            return Ok(Found {
                description: format!(
                    "workload identity federation ({}, token file {})",
                    ids(),
                    path.display()
                ),
                hint: format!(
                    "check the role assignments of the app {} (AZURE_CLIENT_ID)",
                    c.id
                ),
                source: Source::Workload(c, path),
            });
        }
        (None, Some(_)) => looked.push(format!(
            "AZURE_FEDERATED_TOKEN_FILE is set but {} is not",
            missing_ids()
        )),
        (_, None) => looked.push("no AZURE_FEDERATED_TOKEN_FILE".into()),
    }

    // 4. Managed identity.
    match (env.get("IDENTITY_ENDPOINT"), env.get("IDENTITY_HEADER")) {
        (Some(endpoint), Some(header)) => {
            f.secrets.add(&header);
            let shown = Url::parse(&endpoint).map_or_else(|_| endpoint.clone(), |u| url_shown(&u));
            return Ok(Found {
                description: format!(
                    "managed identity (App Service, IDENTITY_ENDPOINT={shown}{})",
                    user_assigned(client_id.as_deref())
                ),
                hint: "check the role assignments of the managed identity".into(),
                source: Source::AppService {
                    endpoint,
                    header: Secret::new(&header),
                    client_id: client_id.clone(),
                },
            });
        }
        (Some(_), None) => {
            looked.push("IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not".into());
        }
        _ => {}
    }
    let host = env
        .get("AZURE_POD_IDENTITY_AUTHORITY_HOST")
        .unwrap_or_else(|| IMDS.into())
        .trim_end_matches('/')
        .to_string();
    let imds = Source::Imds {
        host: host.clone(),
        client_id: client_id.clone(),
    };
    match imds.imds_token(f, true).await {
        Ok(_) => {
            return Ok(Found {
                description: format!(
                    "managed identity (instance metadata at {host}{})",
                    user_assigned(client_id.as_deref())
                ),
                hint: "check the role assignments of the managed identity".into(),
                source: imds,
            })
        }
        Err(why) => looked.push(format!("managed identity at {host}: {why}")),
    }

    // 5. The Azure CLI.
    if let Some(program) = env.program("az") {
        return Ok(Found {
            description: "Azure CLI (`az account get-access-token`)".into(),
            hint: "check `az login` (token from `az`) or set AZURE_ACCESS_TOKEN".into(),
            source: Source::Cli(CliToken {
                program,
                command: "az account get-access-token --resource https://management.azure.com/ --query accessToken -o tsv".into(),
                args: [
                    "account",
                    "get-access-token",
                    "--resource",
                    RESOURCE,
                    "--query",
                    "accessToken",
                    "-o",
                    "tsv",
                ]
                .map(String::from)
                .to_vec(),
                login: "az login".into(),
                var: AZURE_TOKEN_VAR,
            }),
        });
    }
    looked.push("no `az` CLI on PATH".into());

    Err(format!(
        "no Azure credentials found. Looked, in DefaultAzureCredential's order, at: {}. Set \
         {AZURE_TOKEN_VAR}; or AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_CLIENT_SECRET, \
         AZURE_CLIENT_CERTIFICATE_PATH or (in CI, from the pipeline's OIDC token) \
         AZURE_FEDERATED_TOKEN_FILE; or install the `az` CLI and run `az login`",
        looked.join("; ")
    ))
}

fn user_assigned(client_id: Option<&str>) -> String {
    client_id
        .map(|c| format!(", user-assigned client {c}"))
        .unwrap_or_default()
}

/// The certificate and key of a PEM file.
fn certificate(path: &std::path::Path) -> Result<Certificate, String> {
    let text = read_named(path, "AZURE_CLIENT_CERTIFICATE_PATH")?;
    if !text.contains("-----BEGIN") {
        return Err(
            "the file is not PEM (PKCS#12 .pfx files are not read: convert it with \
             `openssl pkcs12 -in cert.pfx -out cert.pem -nodes`)"
                .into(),
        );
    }
    let blocks = jwt::pem_blocks(&text)?;
    let cert = blocks
        .iter()
        .find(|b| b.label == "CERTIFICATE")
        .ok_or("the file has no CERTIFICATE block")?;
    let key = RsaKey::from_pem(&text)?;
    Ok(Certificate {
        path: path.to_path_buf(),
        key,
        x5t: jwt::b64url(&jwt::sha1(&cert.der)),
    })
}

impl Source {
    pub(crate) async fn fetch(&self, f: &Fetch<'_>) -> Result<Expiring<Secret>, String> {
        match self {
            Source::Static(t) => Ok(Expiring::forever(t.clone())),
            Source::ClientSecret(c, secret) => {
                c.token(
                    f,
                    &[("client_secret", secret.expose())],
                    "the client secret",
                    "check AZURE_CLIENT_SECRET (it may have expired) and AZURE_CLIENT_ID",
                )
                .await
            }
            Source::Certificate(c, cert) => {
                let assertion = c.assertion(cert)?;
                f.secrets.add(&assertion);
                c.token(
                    f,
                    &[
                        ("client_assertion_type", ASSERTION_TYPE),
                        ("client_assertion", &assertion),
                    ],
                    &format!("the certificate {}", cert.path.display()),
                    "check that this certificate is uploaded to the app registration \
                     (AZURE_CLIENT_ID) and has not expired",
                )
                .await
            }
            Source::Workload(c, path) => {
                let token = read_named(path, "AZURE_FEDERATED_TOKEN_FILE")?;
                let token = token.trim();
                if token.is_empty() {
                    return Err(format!(
                        "the token file {} is empty; check the step that writes the OIDC token",
                        path.display()
                    ));
                }
                f.secrets.add(token);
                c.token(
                    f,
                    &[
                        ("client_assertion_type", ASSERTION_TYPE),
                        ("client_assertion", token),
                    ],
                    "the federated token",
                    "check the app registration's federated credential (its issuer, subject \
                     and audience api://AzureADTokenExchange must match the token) and that \
                     AZURE_FEDERATED_TOKEN_FILE holds a current token",
                )
                .await
            }
            Source::AppService {
                endpoint,
                header,
                client_id,
            } => {
                let mut url = Url::parse(endpoint)
                    .map_err(|e| format!("IDENTITY_ENDPOINT is not a URL: {e}"))?;
                url.query_pairs_mut()
                    .append_pair("resource", RESOURCE)
                    .append_pair("api-version", "2019-08-01");
                if let Some(id) = client_id {
                    url.query_pairs_mut().append_pair("client_id", id);
                }
                let u = url.to_string();
                let a = f
                    .send(
                        &Call::get(&u)
                            .header("x-identity-header", header.expose())
                            .timeout(METADATA_TIMEOUT),
                    )
                    .await?;
                if !a.ok() {
                    return Err(format!(
                        "the App Service identity endpoint answered {}; check that the app has a \
                         managed identity{}",
                        a.error(),
                        if client_id.is_some() {
                            " and that AZURE_CLIENT_ID names one assigned to it"
                        } else {
                            ""
                        }
                    ));
                }
                token_of(&a.json()?, f)
            }
            Source::Imds { .. } => self.imds_token(f, false).await,
            Source::Cli(cli) => cli.fetch(f.secrets),
        }
    }

    /// A token from Azure's instance metadata service; as a probe, one quick attempt, and
    /// "no identity" counts as not configured.
    async fn imds_token(&self, f: &Fetch<'_>, probe: bool) -> Result<Expiring<Secret>, String> {
        let Source::Imds { host, client_id } = self else {
            return Err("not the instance metadata service".into());
        };
        let mut url = Url::parse(&format!("{host}/metadata/identity/oauth2/token"))
            .map_err(|e| format!("invalid instance metadata URL {host:?}: {e}"))?;
        url.query_pairs_mut()
            .append_pair("api-version", "2018-02-01")
            .append_pair("resource", RESOURCE);
        if let Some(id) = client_id {
            url.query_pairs_mut().append_pair("client_id", id);
        }
        let u = url.to_string();
        let mut c = Call::get(&u)
            .header("metadata", "true")
            .timeout(METADATA_TIMEOUT);
        if probe {
            c = c.probe();
        }
        let a = f.call(&c).await.map_err(|e| match e {
            Failure::Unreachable(_) if probe => "no answer (not an Azure VM)".to_string(),
            e => e.to_string(),
        })?;
        if a.status == 400 && probe {
            return Err(format!("no managed identity is assigned ({})", a.error()));
        }
        if !a.ok() {
            return Err(format!(
                "the instance metadata service answered {}; check the VM's managed identity{}",
                a.error(),
                if client_id.is_some() {
                    " and that AZURE_CLIENT_ID names one assigned to it"
                } else {
                    ""
                }
            ));
        }
        token_of(&a.json()?, f)
    }
}

impl Client {
    /// The client-credentials grant with `auth` (a secret or an assertion).
    async fn token(
        &self,
        f: &Fetch<'_>,
        auth: &[(&str, &str)],
        what: &str,
        check: &str,
    ) -> Result<Expiring<Secret>, String> {
        let mut pairs = vec![
            ("client_id", self.id.as_str()),
            ("scope", SCOPE),
            ("grant_type", "client_credentials"),
        ];
        pairs.extend_from_slice(auth);
        let a = f.send(&Call::form(&self.token_url, &pairs)).await?;
        if !a.ok() {
            return Err(format!(
                "the token endpoint {} of tenant {} refused {what} ({}); {check}",
                self.token_url,
                self.tenant,
                a.error()
            ));
        }
        token_of(&a.json()?, f)
    }

    /// The client assertion of a certificate credential.
    fn assertion(&self, cert: &Certificate) -> Result<String, String> {
        let now = call::unix_now();
        jwt::rs256(
            &cert.key,
            &json!({"alg": "RS256", "typ": "JWT", "x5t": cert.x5t}),
            &json!({
                "aud": self.token_url,
                "iss": self.id,
                "sub": self.id,
                "jti": jwt::uuid_v4(),
                "nbf": now,
                "iat": now,
                "exp": now + 600,
            }),
        )
    }
}

/// An access token and its expiry from a token response: `expires_in` (seconds, a number or
/// a string), else `expires_on` (seconds since the epoch).
fn token_of(v: &Value, f: &Fetch<'_>) -> Result<Expiring<Secret>, String> {
    let token = v
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or("the token response has no access_token")?;
    f.secrets.add(token);
    let num = |k: &str| match v.get(k) {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let secret = Secret::new(token);
    Ok(if let Some(secs) = num("expires_in") {
        Expiring::lasting(secret, Duration::from_secs(secs))
    } else if let Some(at) = num("expires_on") {
        Expiring::until(secret, SystemTime::UNIX_EPOCH + Duration::from_secs(at))
    } else {
        Expiring::lasting(secret, Duration::from_secs(3600))
    })
}
