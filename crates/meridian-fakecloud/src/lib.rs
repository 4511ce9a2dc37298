//! A fake Azure Resource Manager, AWS Bedrock and Vertex AI (with serviceusage and
//! cloudresourcemanager `getIamPolicy`) for Meridian's tests and demos.
//!
//! [`FakeCloud::start`] serves a [`Fixture`] on `127.0.0.1` from a thread of its own (with
//! its own tokio runtime, so synchronous tests can use it). Azure is served under
//! `{base}/azure`, AWS under `{base}/aws` and GCP under `{base}/gcp`; the request paths below
//! those prefixes are the real clouds' paths, so Meridian's refresh reads the fake cloud when
//! `MERIDIAN_AZURE_ENDPOINT`, `MERIDIAN_AWS_ENDPOINT` and `MERIDIAN_GCP_ENDPOINT` point at
//! it. STS `GetCallerIdentity` is served under `{base}/aws/sts` (`MERIDIAN_AWS_STS_ENDPOINT`)
//! and answers with the account of the fixture's AWS credentials.
//!
//! ```
//! use meridian_fakecloud::{FakeCloud, Fault, FaultKind, Fixture, Provider};
//!
//! let mut fixture = Fixture::default();
//! fixture.aws_region_mut("eu-central-1").logging = Some(serde_json::json!({
//!     "s3Config": {"bucketName": "logs", "keyPrefix": "demo"},
//!     "textDataDeliveryEnabled": true,
//! }));
//! let cloud = FakeCloud::start(fixture)?;
//! // MERIDIAN_AWS_ENDPOINT=http://127.0.0.1:PORT/aws
//! assert!(cloud.aws_endpoint().ends_with("/aws"));
//! // The next AWS request in eu-central-1 is throttled once.
//! cloud.set_faults(vec![Fault::new(
//!     Provider::Aws,
//!     FaultKind::Status { status: 429, retry_after: Some("1".into()) },
//! )
//! .in_region("eu-central-1")
//! .times(1)]);
//! // Data can change between requests.
//! cloud.update(|f| f.aws_region_mut("eu-central-1").logging = None);
//! assert_eq!(cloud.request_count(), 0);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # What is served
//!
//! | Cloud | Request | Response |
//! |---|---|---|
//! | Azure | `GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.CognitiveServices/accounts?api-version=2025-06-01` | `{"value":[account…],"nextLink"?}` |
//! | Azure | `GET …/accounts/{name}/deployments?api-version=2025-06-01` | `{"value":[deployment…],"nextLink"?}` |
//! | AWS | `GET /inference-profiles?type=APPLICATION&maxResults=N&nextToken=T` | `{"inferenceProfileSummaries":[…],"nextToken"?}` |
//! | AWS | `GET /provisioned-model-throughputs?maxResults=N&nextToken=T` | `{"provisionedModelSummaries":[…],"nextToken"?}` |
//! | AWS | `GET /logging/modelinvocations` | `{"loggingConfig":{…}}` or `{}` |
//! | AWS | `POST /listTagsForResource` with `{"resourceARN":"arn…"}` | `{"tags":[{"key","value"}]}` |
//! | GCP | `GET /v1/projects/{p}/services/{service}` | `{"name":"projects/{number}/services/{service}","parent","state"}` |
//! | GCP | `POST /v1/projects/{p}:getIamPolicy` | `{"version":3,"etag","bindings"?}` |
//! | GCP | `GET /v1/projects/{p}/locations/{loc}/endpoints?pageSize=N&pageToken=T` | `{"endpoints"?:[…],"nextPageToken"?}` |
//! | Azure | `GET /subscriptions/{sub}/providers/Microsoft.CognitiveServices/locations/{loc}/models?api-version=2024-10-01` | `{"value":[{kind, skuName, model{…, skus[]}}…],"nextLink"?}` |
//! | AWS | `GET /foundation-models?byProvider=&byInferenceType=&byOutputModality=` | `{"modelSummaries":[…]}` (not paged) |
//! | AWS | `GET /inference-profiles/{id or ARN}` | the profile, or 404 `ResourceNotFoundException` |
//! | GCP | `GET /{loc}/v1beta1/publishers/{publisher}/models/{model}` | the publisher model, or 404 `NOT_FOUND` |
//!
//! The inference-profile filter is the query parameter `type` (`APPLICATION` or
//! `SYSTEM_DEFINED`), as in the Bedrock API reference (`typeEquals` is the SDK member name).
//! As in the real APIs, GCP omits empty repeated fields: an empty endpoint list is `{}` and a
//! policy without bindings has no `bindings`.
//!
//! Google serves each location from a host of its own (`{loc}-aiplatform.googleapis.com`,
//! `aiplatform.eu.rep.googleapis.com`); the fake takes the location as the first path segment
//! instead: `MERIDIAN_GCP_ENDPOINT=http://127.0.0.1:PORT/gcp/{location}`
//! ([`FakeCloud::gcp_location_endpoint`]). Every GCP path is served with or without it;
//! publisher models, whose paths name no location, only with it.
//!
//! [`Fixture::with_catalog`] adds what a catalog says, as these APIs state it: the cloud
//! `meridian catalog verify` reads back as no difference, for tests to change one fact at a
//! time ([`Fixture::aws_profile_mut`], [`Fixture::aws_foundation_model_mut`],
//! [`Fixture::azure_model_mut`], [`Fixture::azure_remove_sku`],
//! [`Fixture::gcp_remove_publisher_model`]).
//!
//! # Authentication
//!
//! Azure and GCP require `Authorization: Bearer <token>` equal to the fixture's
//! [`Auth::azure_token`] / [`Auth::gcp_token`]; anything else is a 401 in the cloud's error
//! shape. AWS requires a valid Signature Version 4 (`AWS4-HMAC-SHA256`, service `bedrock`,
//! any region — the region of the credential scope selects the fixture's region), signed
//! with the fixture's [`AwsCredentials`]: an unknown access key or session token is a 403
//! `UnrecognizedClientException`, a wrong signature a 403 `InvalidSignatureException`, and an
//! `X-Amz-Date` more than 15 minutes from now a 403 `InvalidSignatureException` ("Signature
//! expired"). A request without `x-amz-content-sha256` is verified against the SHA-256 of its
//! body.
//!
//! # Token endpoints
//!
//! What the clouds' credential chains call, each checking what the real one checks and
//! issuing the fixture's own credentials ([`Auth`]) only to a caller that proves one of the
//! identities of the fixture's [`Identity`] section (with
//! [`Identity::token_lifetime_secs`] set, every Azure and Google token issued is a new one,
//! accepted by the APIs only until it expires):
//!
//! | Endpoint | Request | Checks |
//! |---|---|---|
//! | AWS STS `{base}/aws/sts` | `AssumeRoleWithWebIdentity` | the token is the one a [`WebIdentityRole`] of that `RoleArn` trusts |
//! | AWS STS | `AssumeRole` | SigV4 (service `sts`) with the [`AssumableRole`]'s source credentials, its `ExternalId` |
//! | IAM Identity Center `{base}/aws/sso` | `GET /federation/credentials?account_id&role_name` | `x-amz-sso_bearer_token` of an [`SsoGrant`] for that account and role |
//! | ECS `{base}/aws/ecs/…` | `GET` | the [`EcsEndpoint`]'s `Authorization` |
//! | EC2 IMDSv2 `{base}/aws/imds` | `PUT /latest/api/token`, `GET /latest/meta-data/iam/security-credentials/[role]` | the session token; the instance role |
//! | Entra ID `{base}/azure/login` | `POST /{tenant}/oauth2/v2.0/token` (client credentials) | an [`AzureApp`] of that tenant and client: its secret, its federated token, or a client assertion signed RS256 by its certificate's key (`x5t`, `aud` = this URL, `iss` = `sub` = client ID, `jti`, times) |
//! | App Service `{base}/azure/msi/token` | `GET ?resource&api-version=2019-08-01[&client_id]` | `X-IDENTITY-HEADER` of the [`ManagedIdentity`] |
//! | Azure instance metadata `{base}/azure/imds` | `GET /metadata/identity/oauth2/token` | `Metadata: true`; the managed identity (400 "Identity not found" without one) |
//! | Google OAuth `{base}/gcp/oauth2/token` | JWT bearer grant; refresh-token grant | RS256 by a [`GcpServiceAccount`]'s certificate key, `aud` = this URL, scope `cloud-platform`, at most an hour; an [`AuthorizedUser`]'s client and refresh token |
//! | Google STS `{base}/gcp/sts/v1/token` | token exchange | a [`WorkloadProvider`] of the audience: its OIDC subject token, or a `GetCallerIdentity` request signed by its AWS credentials for that audience |
//! | IAM Credentials `{base}/gcp/iamcredentials/v1/projects/-/serviceAccounts/{sa}:generateAccessToken` | `POST` | a federated token of a provider that may impersonate `sa` |
//! | GCE metadata `{base}/computeMetadata/v1/…` | `GET …/service-accounts/default/token` | `Metadata-Flavor: Google` (no server without [`GcpIdentity::metadata_service_account`]) |
//! | GitHub Actions OIDC `{base}/github/oidc` | `GET ?audience` | the job's request token ([`GithubOidc`]) |
//!
//! [`FakeCloud::endpoint_env_vars`] gives the variables that point Meridian's chains at
//! them; the `TEST_*_PEM` constants are a key and certificate to sign and register.
//!
//! # Pagination
//!
//! Every list is paged with [`Fixture::page_size`] items a page, or the request's
//! `maxResults` (Bedrock) / `pageSize` (Vertex) when smaller. Azure's `nextLink` is an
//! absolute URL on the host the request was sent to (its `Host` header) with a
//! `$skipToken`; Bedrock returns `nextToken`, Vertex `nextPageToken` (sent back as
//! `pageToken`). Tokens are opaque and belong to one list: a token that is malformed, out of
//! range or from another list is a 400.
//!
//! # Errors
//!
//! Unknown paths are 404 in the cloud's error shape (Azure `{"error":{"code","message"}}`,
//! AWS `{"message"}` with an `x-amzn-ErrorType` header, GCP
//! `{"error":{"code","message","status"}}`). An unknown subscription is a 404
//! `SubscriptionNotFound`, an unknown resource group a 404 `ResourceGroupNotFound`, an
//! unknown account a 404 `ResourceNotFound`, and an unknown GCP project a 403
//! `PERMISSION_DENIED` (as GCP answers for projects that do not exist).
//!
//! # The fixture
//!
//! ```json
//! {
//!   "auth": {
//!     "azure_token": "fake-azure-token",
//!     "gcp_token": "fake-gcp-token",
//!     "aws": {"access_key_id": "AKIAFAKECLOUD0000001", "secret_access_key": "…", "session_token": "…"}
//!   },
//!   "page_size": 2,
//!   "azure": {"subscriptions": {"SUB": {"resource_groups": {"RG": {"accounts": [
//!     {"id": "/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.CognitiveServices/accounts/acct",
//!      "name": "acct", "location": "swedencentral", "kind": "AIServices", "sku": {"name": "S0"},
//!      "identity": {"type": "SystemAssigned"}, "tags": {},
//!      "properties": {"customSubDomainName": "acct", "publicNetworkAccess": "Disabled", "disableLocalAuth": true,
//!                     "networkAcls": {"defaultAction": "Deny", "ipRules": []}, "provisioningState": "Succeeded"},
//!      "deployments": [{"id": "…/accounts/acct/deployments/gpt", "name": "gpt", "sku": {"name": "Standard", "capacity": 10},
//!                       "properties": {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-08-06"}}}]}
//!   ]}}}}},
//!   "aws": {"regions": {"eu-central-1": {
//!     "inference_profiles": [{"inferenceProfileName": "p", "inferenceProfileArn": "arn:…", "type": "APPLICATION"}],
//!     "provisioned_throughputs": [{"provisionedModelName": "t", "provisionedModelArn": "arn:…", "modelUnits": 1}],
//!     "logging": {"s3Config": {"bucketName": "logs", "keyPrefix": "x"}, "textDataDeliveryEnabled": true},
//!     "tags": {"arn:…": {"managed-by": "meridian"}}
//!   }}},
//!   "gcp": {"projects": {"my-project": {
//!     "number": "123456789012",
//!     "services": {"aiplatform.googleapis.com": "ENABLED"},
//!     "iam_bindings": [{"role": "roles/aiplatform.user", "members": ["user:a@example.com"]}],
//!     "endpoints": {"europe-west4": [{"name": "projects/my-project/locations/europe-west4/endpoints/1", "displayName": "e"}]}
//!   }}},
//!   "faults": [{"provider": "aws", "region": "eu-central-1", "kind": {"status": {"status": 429, "retry_after": "1"}}, "times": 2}]
//! }
//! ```
//!
//! Every section may be omitted (`auth` defaults to the `TEST_*` credentials,
//! `page_size` to 2). Account and deployment objects are served exactly as written (an
//! account's `deployments` member is removed from the account list); inference-profile,
//! provisioned-throughput, logging and endpoint objects likewise. A region, subscription or
//! location without data serves empty lists.
//!
//! # Faults
//!
//! A [`Fault`] applies to the requests of one provider, optionally only in one `region`
//! (AWS: the credential scope's region; GCP: the `locations/{loc}` of the path; Azure
//! requests have no region, so an Azure fault with a region never applies) and only when
//! the request's path and query contain `path_contains`. `times: N` applies it to the
//! first N matching requests and then removes it; without `times` it stays. Kinds
//! ([`FaultKind`], externally tagged):
//!
//! - `{"latency": {"ms": 300}}` — delay the response; applies in addition to other faults.
//! - `{"status": {"status": 503, "retry_after": "2"}}` — answer with that status in the
//!   cloud's error shape (and a `Retry-After` header when given).
//! - `"timeout"` — accept the request and never answer.
//! - `"truncate"` — send the real response's status and a `Content-Length` of its full body,
//!   but only the first half of the body, then close the connection.
//! - `"unauthorized"` — answer as the cloud does to bad credentials (Azure and GCP 401, AWS
//!   403 `UnrecognizedClientException`).
//!
//! Of several matching faults, every latency applies and the first other fault decides the
//! response; only the faults applied count against their `times`.

mod aws;
mod azure;
mod faults;
mod fixture;
mod from_catalog;
mod from_state;
mod gcp;
mod http;
mod identity;
mod server;
mod sigv4;
mod tokens;

pub use faults::{Fault, FaultKind, Provider};
pub use fixture::{
    Auth, AwsCredentials, AwsFixture, AwsRegion, AzureFixture, Fixture, FixtureError, GcpFixture,
    GcpProject, IamBinding, ResourceGroup, Subscription, DEFAULT_PAGE_SIZE, TEST_AWS_ACCESS_KEY_ID,
    TEST_AWS_SECRET_ACCESS_KEY, TEST_AZURE_TOKEN, TEST_GCP_TOKEN,
};
pub use from_state::DEFAULT_AWS_ACCOUNT_ID;
pub use identity::{
    AssumableRole, AuthorizedUser, AwsIdentity, AzureApp, AzureIdentity, EcsEndpoint, GcpIdentity,
    GcpServiceAccount, GithubOidc, Identity, ManagedIdentity, SsoGrant, WebIdentityRole,
    WorkloadProvider,
};
pub use server::{FakeCloud, RequestRecord};

/// A test RSA private key (PKCS#8 PEM) whose certificate is [`TEST_CERTIFICATE_PEM`]: what a
/// test signs client assertions and service-account JWTs with.
pub const TEST_PRIVATE_KEY_PEM: &str = include_str!("../testdata/test-key.pem");
/// [`TEST_PRIVATE_KEY_PEM`] as PKCS#1 (`RSA PRIVATE KEY`).
pub const TEST_PRIVATE_KEY_RSA_PEM: &str = include_str!("../testdata/test-key-rsa.pem");
/// A self-signed certificate of [`TEST_PRIVATE_KEY_PEM`], to register with the fake cloud.
pub const TEST_CERTIFICATE_PEM: &str = include_str!("../testdata/test-cert.pem");
/// Another RSA private key, whose signatures the fake cloud refuses.
pub const OTHER_PRIVATE_KEY_PEM: &str = include_str!("../testdata/other-key.pem");

/// The Azure ARM API version the fake serves (and requires) for accounts and deployments.
pub const AZURE_API_VERSION: &str = "2025-06-01";

/// The API version the fake serves (and requires) for a location's model list.
pub const AZURE_MODELS_API_VERSION: &str = "2024-10-01";
