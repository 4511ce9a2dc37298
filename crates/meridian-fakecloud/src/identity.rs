//! Who the token endpoints recognise: the fixture's `identity` section.
//!
//! Every token endpoint issues what the APIs accept — the fixture's [`crate::Auth`]: AWS
//! flows issue its AWS credentials (as temporary credentials with an `Expiration`), Azure
//! flows its Azure token, Google flows its Google token — but only to a caller that proves
//! one of the identities listed here. So a test that reads the APIs without giving the
//! tokens themselves proves that the flow it chose obtained them.
//!
//! With [`Identity::token_lifetime_secs`] set, every Azure and Google token issued is a new
//! one (`<token>~<expiry in ms>~<n>`), and the APIs accept it only until it expires: a
//! client that does not fetch a new token in time is refused.

use crate::fixture::AwsCredentials;
use serde::{Deserialize, Serialize};

/// The identities the token endpoints recognise (see the crate documentation's "Token
/// endpoints").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// The lifetime of what the token endpoints issue, in seconds. Unset: an hour, and the
    /// tokens issued are the fixture's own. Set: every Azure and Google token issued is new
    /// and accepted only until it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_lifetime_secs: Option<u64>,
    /// AWS: STS, IAM Identity Center, ECS and EC2 metadata.
    #[serde(default)]
    pub aws: AwsIdentity,
    /// Azure: Entra ID and managed identity.
    #[serde(default)]
    pub azure: AzureIdentity,
    /// Google: OAuth, STS, IAM Credentials and the metadata server.
    #[serde(default)]
    pub gcp: GcpIdentity,
    /// GitHub Actions' OIDC token service (under `/github/oidc`), for pipelines' steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<GithubOidc>,
}

/// GitHub Actions' OIDC token service: a job's `ACTIONS_ID_TOKEN_REQUEST_TOKEN` gets a token
/// per audience (`{"value": …}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubOidc {
    /// The `ACTIONS_ID_TOKEN_REQUEST_TOKEN` it requires (as `Authorization: bearer …`).
    pub request_token: String,
    /// The token issued for each `audience`; other audiences are refused.
    pub tokens: std::collections::BTreeMap<String, String>,
}

impl Identity {
    /// Whether nothing is configured (the section is then left out of the JSON).
    pub fn is_empty(&self) -> bool {
        *self == Identity::default()
    }
}

/// AWS identities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsIdentity {
    /// Roles STS `AssumeRoleWithWebIdentity` lets a web identity token assume.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub web_identity: Vec<WebIdentityRole>,
    /// Roles STS `AssumeRole` lets credentials assume.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<AssumableRole>,
    /// What IAM Identity Center's `GetRoleCredentials` answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sso: Vec<SsoGrant>,
    /// The ECS container credentials endpoint (under `/aws/ecs/`), when served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecs: Option<EcsEndpoint>,
    /// The role of the EC2 instance whose metadata is served (under `/aws/imds`); none: no
    /// instance metadata is served (404, as off EC2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_role: Option<String>,
}

/// A role and the web identity token (an OIDC token) its trust policy accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebIdentityRole {
    /// `arn:aws:iam::123456789012:role/ci`.
    pub role_arn: String,
    /// The token, exactly.
    pub token: String,
}

/// A role and the credentials its trust policy accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssumableRole {
    /// `arn:aws:iam::123456789012:role/deploy`.
    pub role_arn: String,
    /// The credentials `AssumeRole` must be signed with.
    pub source: AwsCredentials,
    /// The `ExternalId` the caller must give, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// An IAM Identity Center access token and the account role it may get credentials of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoGrant {
    /// The access token `aws sso login` cached.
    pub access_token: String,
    /// `123456789012`.
    pub account_id: String,
    /// The permission set's role name.
    pub role_name: String,
}

/// The ECS credentials endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EcsEndpoint {
    /// The `Authorization` value it requires, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<String>,
}

/// Azure identities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzureIdentity {
    /// App registrations the Entra ID token endpoint knows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<AzureApp>,
    /// The managed identity of the App Service endpoint (`/azure/msi/token`) and the
    /// instance metadata service (`/azure/imds/…`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_identity: Option<ManagedIdentity>,
}

/// An app registration and the credentials it accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzureApp {
    /// The tenant's ID.
    pub tenant_id: String,
    /// The application (client) ID.
    pub client_id: String,
    /// A client secret it accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// A certificate (PEM) whose key may sign client assertions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// A federated token (an OIDC token) its federated credential accepts, exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federated_token: Option<String>,
}

/// A managed identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedIdentity {
    /// A user-assigned identity's client ID; requests naming another are refused. None: the
    /// system-assigned identity, and requests naming a client ID are refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The `X-IDENTITY-HEADER` value the App Service endpoint requires.
    pub identity_header: String,
}

/// Google identities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GcpIdentity {
    /// Service accounts whose key may sign JWT bearer assertions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_accounts: Vec<GcpServiceAccount>,
    /// OAuth clients and refresh tokens of users (`authorized_user`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorized_users: Vec<AuthorizedUser>,
    /// Workload identity pool providers Google STS exchanges subject tokens for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workload_providers: Vec<WorkloadProvider>,
    /// The metadata server's default service account (its email); none: no metadata server
    /// is served (404 without `Metadata-Flavor`, as off Google Cloud).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_service_account: Option<String>,
}

/// A service account and the certificate of its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GcpServiceAccount {
    /// `name@project.iam.gserviceaccount.com`.
    pub client_email: String,
    /// The certificate (PEM) of its key.
    pub certificate: String,
}

/// A user's OAuth refresh token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorizedUser {
    /// The OAuth client's ID.
    pub client_id: String,
    /// The OAuth client's secret.
    pub client_secret: String,
    /// The refresh token.
    pub refresh_token: String,
}

/// A workload identity pool provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadProvider {
    /// `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/R`.
    pub audience: String,
    /// An OIDC subject token it accepts, exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_token: Option<String>,
    /// AWS credentials whose signed `GetCallerIdentity` requests it accepts as subject
    /// tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsCredentials>,
    /// When set, STS issues a federated token that only IAM Credentials
    /// `generateAccessToken` for this service account accepts (the APIs do not). Unset: STS
    /// issues the fixture's Google token (direct resource access).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
}
