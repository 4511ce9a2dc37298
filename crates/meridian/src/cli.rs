//! Command-line definitions (clap). Terraform spellings with one dash (`-var`, `-var-file`)
//! are accepted and normalised before parsing.

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use meridian_spec::InputKind;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "meridian",
    version,
    about = "Plan multi-cloud AI deployments from one HCL spec: residency on every failover path, validated before anything is generated.",
    after_help = "Examples:\n  meridian init\n  meridian validate examples/eu-bank\n  meridian validate --json -var region=westeurope .\n  meridian catalog models --provider aws\n\nExit codes: 0 success; 1 error, also for a usage error such as an unknown flag; 2 changes\n(`plan --detailed-exitcode` only); 3 `fmt --check` found unformatted files."
)]
pub struct Cli {
    /// Never colour output (NO_COLOR and CI=true do the same).
    #[arg(long, global = true)]
    pub no_color: bool,
    #[command(subcommand)]
    pub command: Command,
    /// The order of the command's `-var` and `-var-file` arguments (set by [`parse`]).
    #[arg(skip)]
    pub var_order: Vec<InputKind>,
}

/// Parses a command line (with Terraform's one-dash spellings) and records the order of its
/// `-var` and `-var-file` arguments, which apply in that order.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Cli, clap::Error> {
    let mut command = Cli::command();
    let matches = command.try_get_matches_from_mut(normalize_args(args))?;
    let mut cli = Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut command))?;
    cli.var_order = var_order(&matches);
    Ok(cli)
}

/// The kinds of the leaf command's `--var` and `--var-file` arguments, in command-line order.
fn var_order(matches: &ArgMatches) -> Vec<InputKind> {
    let mut leaf = matches;
    while let Some((_, sub)) = leaf.subcommand() {
        leaf = sub;
    }
    let mut found: Vec<(usize, InputKind)> = Vec::new();
    for (id, kind) in [("vars", InputKind::Var), ("var_files", InputKind::VarFile)] {
        if leaf.ids().any(|i| i.as_str() == id) {
            if let Some(indices) = leaf.indices_of(id) {
                found.extend(indices.map(|i| (i, kind)));
            }
        }
    }
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().map(|(_, k)| k).collect()
}

/// Prints a command-line error (or the help or version asked for) and returns the exit code:
/// 0 for help and version, 1 for a usage error. (clap's own 2 would read as "changes" to a
/// pipeline running `plan -detailed-exitcode`.)
pub fn usage_exit(e: &clap::Error) -> i32 {
    let _ = e.print();
    if e.use_stderr() {
        crate::exit::ERROR
    } else {
        crate::exit::OK
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter spec and the .meridian/ state directory.
    #[command(
        after_help = "Examples:\n  meridian init\n  meridian init infra/ai --force\n\nExit codes: 0 written, 1 main.hcl exists (without --force) or a file could not be written."
    )]
    Init {
        /// Directory to initialise.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite an existing main.hcl.
        #[arg(long)]
        force: bool,
    },
    /// Check a spec: syntax, references, catalog facts, residency on every tier, policy.
    #[command(
        after_help = "Examples:\n  meridian validate\n  meridian validate examples/eu-bank\n  meridian validate --json spec.hcl > result.json\n  meridian validate -var-file prod.mvars -var primary_region=westeurope\n\nExit codes: 0 valid (warnings allowed), 1 invalid."
    )]
    Validate {
        #[command(flatten)]
        spec: SpecArgs,
        /// Print exactly one JSON object shaped like `terraform validate -json`.
        ///
        /// Keys: `format_version`, `valid`, `error_count`, `warning_count`, `diagnostics` (each
        /// with `severity`, `code`, `summary`, `detail` and `range`: `filename`, then `start` and
        /// `end`, each with `line`, `column` and `byte`).
        #[arg(long)]
        json: bool,
    },
    /// Show the validated model: tiers, targets and each target's processing footprint.
    #[command(
        after_help = "Examples:\n  meridian inspect examples/eu-bank\n  meridian inspect --json . | jq '.models[].tiers'\n\nExit codes: 0 shown, 1 the spec is invalid (its diagnostics are printed)."
    )]
    Inspect {
        #[command(flatten)]
        spec: SpecArgs,
        /// Print the model as JSON (schema: schema/spec.schema.json).
        ///
        /// Keys: `format_version`, `name`, `catalog_as_of`, `default_tags`, `providers`,
        /// `residencies`, `models` (each target with its `footprint`), `access`, `logging`,
        /// `policy`, `emits`.
        #[arg(long)]
        json: bool,
    },
    /// Write the Terraform, Pulumi and router artifacts the emit blocks ask for.
    #[command(
        after_help = "Examples:\n  meridian generate examples/eu-bank\n  meridian generate --out build/ .\n  meridian generate --templates my-templates/ .\n  meridian generate -lock-timeout=30s .\n\nFiles are written all-or-nothing and byte-identical for the same spec, holding the state lock\nthat apply takes; state is not touched. Nothing is written outside the spec directory (or\n--out), through a symbolic link, or over .meridian/ and the spec files.\n\nExit codes: 0 written (or already up to date), 1 the spec is invalid, the state lock is held\nor a file could not be written (then none is)."
    )]
    Generate {
        #[command(flatten)]
        spec: SpecArgs,
        /// Write under this directory instead of the spec directory (emit paths are kept).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Use templates from this directory where a file of the same name exists.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// How long to wait for the state lock held by another process (also -lock-timeout=10s).
        #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_lock_timeout)]
        lock_timeout: std::time::Duration,
        /// Print a JSON summary.
        ///
        /// Keys: `spec_hash`, `base` (the directory written under), `written`, `unchanged` (paths
        /// relative to `base`), `stale_removed` (staging files an interrupted run left, removed).
        #[arg(long)]
        json: bool,
    },
    /// Show what applying the spec would change: resources (against state) and generated files.
    #[command(
        after_help = "Examples:\n  meridian plan\n  meridian plan examples/eu-bank -out plan.json\n  meridian plan --detailed-exitcode --refresh=false\n  meridian plan --format markdown > plan.md\n  meridian plan --json | jq '.resource_changes[] | select(.change.actions != [\"no-op\"])'\n  meridian plan -target=azure.corp.deployment.assistant-aoai-sweden -out partial.json\n\nThe plan shows three things apart: changes (the spec against what was last written: what\napply writes), pending rollout (written, not yet live: the generated IaC has not run) and\ndrift (changed in the clouds after they held what was written). The last two need the\nrefresh; with --refresh=false the plan says what the state last recorded of them.\n\n-target ADDRESS (repeatable) limits the plan to those resources and what they need. The\nfiles of an emit block are written whole, so a block that describes a targeted change is\nwritten with every change it describes, and the plan marks those. The plan warns that it is\npartial; a saved partial plan records its targets.\n\nExit codes: 0 success (with --detailed-exitcode: nothing differs), 1 error, 2 changes, pending\nrollout or drift (--detailed-exitcode only)."
    )]
    Plan {
        #[command(flatten)]
        spec: SpecArgs,
        #[command(flatten)]
        state: StateArgs,
        /// Limit the plan to this resource and what it needs (repeatable; also -target=ADDRESS).
        #[arg(long = "target", value_name = "ADDRESS")]
        targets: Vec<String>,
        /// Save the plan to FILE, for `meridian apply FILE` (also written -out=FILE).
        #[arg(long = "out", value_name = "FILE")]
        out_file: Option<PathBuf>,
        /// Exit 2 when there are changes, 0 when there are none, 1 on error.
        #[arg(long)]
        detailed_exitcode: bool,
        /// Print the plan as JSON, shaped like `terraform show -json` (same as --format json).
        ///
        /// Keys: `format_version`, `meridian_version`, `spec_hash`, `catalog_hash`,
        /// `prior_state` (its `lineage` and `serial`, or null), `refreshed`, `resource_drift`,
        /// `resource_changes` (each with `address`, `type`, `name` and `change`: `actions`,
        /// `before`, `after`, `after_unknown`, `action_reason`), `artifact_changes`,
        /// `pending_rollout` (written, not yet live), `differences` (each section's count),
        /// `last_known` (with `--refresh=false`: what state last recorded), `emits` (each emit
        /// block's files), `unmanaged`, `changes`, `summary`, `cost` (a partial plan made with
        /// -target also lists its targets).
        #[arg(long)]
        json: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: PlanFormatArg,
    },
    /// Write the generated files and record state: a fresh plan after approval, or a saved plan.
    #[command(
        after_help = "Examples:\n  meridian apply                 # plan, show, ask for 'yes', write\n  meridian apply --auto-approve examples/eu-bank\n  meridian plan -out plan.json && meridian apply plan.json\n  meridian apply --auto-approve --json . | jq -r '.emits[].next_step.command'\n  meridian apply --auto-approve -target=router.assistant.deployment.aoai-sweden\n\nApply writes the generated files and records the state; it deploys nothing. It says which\nfiles each emit block created, updated and removed, and the command that rolls them out:\n  terraform  terraform -chdir=DIR init && terraform -chdir=DIR apply\n  pulumi     pulumi install --cwd DIR && pulumi up --cwd DIR\n  litellm    restart the proxy on the new file: litellm --config FILE\nUntil that has run, `meridian plan` lists what was written as pending rollout.\n\nA saved plan is applied exactly, without asking, and refused when the spec, the catalog,\nthe state or a generated file changed since it was made. Files and state are written\nall-or-nothing: an apply that fails or is interrupted leaves everything as it was before or\nas it is after, never half-written.\n\nExit codes: 0 applied (or nothing to apply), 1 an error, a stale saved plan, or an apply that\nwas not approved: nothing was changed."
    )]
    Apply {
        /// A saved plan (from `plan -out`), or a spec file or directory (default: current directory).
        #[arg(default_value = ".")]
        target: PathBuf,
        /// Set a variable: NAME=VALUE (repeatable; also written -var).
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
        /// Read variables from a file (repeatable; also written -var-file).
        #[arg(long = "var-file", value_name = "FILE")]
        var_files: Vec<PathBuf>,
        #[command(flatten)]
        state: StateArgs,
        /// Apply without asking for confirmation (needed without a terminal).
        #[arg(long)]
        auto_approve: bool,
        /// Limit the apply to this resource and what it needs (repeatable; also -target=ADDRESS).
        #[arg(long = "target", value_name = "ADDRESS")]
        targets: Vec<String>,
        /// Print what was written and the next steps as one JSON object (needs --auto-approve
        /// or a saved plan; the plan itself is not printed).
        #[arg(long)]
        json: bool,
    },
    /// Read live provider state, show what changed outside Meridian, and record it in state.
    #[command(
        after_help = "Examples:\n  meridian refresh examples/eu-bank\n  meridian refresh -v --json --parallelism 32 .\n\nCredentials are found as each cloud's SDKs find them (README: \"Credentials\"):\n  AWS    AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile AWS_PROFILE of ~/.aws/config and\n         ~/.aws/credentials (keys, role_arn, SSO, credential_process), web identity\n         (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE), ECS, EC2 instance metadata\n  Azure  AZURE_ACCESS_TOKEN, AZURE_TENANT_ID + AZURE_CLIENT_ID with AZURE_CLIENT_SECRET,\n         AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE, managed identity, `az`\n  GCP    GOOGLE_OAUTH_ACCESS_TOKEN, GOOGLE_APPLICATION_CREDENTIALS (service account,\n         external_account), gcloud's ADC file, the metadata server, `gcloud`\n-v names the source each cloud's credentials came from. Endpoints: a provider's `endpoint`,\nelse MERIDIAN_AZURE_ENDPOINT, MERIDIAN_AWS_ENDPOINT, MERIDIAN_GCP_ENDPOINT; the AWS account is\nchecked at MERIDIAN_AWS_STS_ENDPOINT (else STS in the region).\nLimits: MERIDIAN_REQUEST_TIMEOUT (30s), MERIDIAN_REFRESH_DEADLINE (10m), MERIDIAN_REFRESH_ATTEMPTS (5),\nMERIDIAN_RETRY_BACKOFF (500ms).\n\nExit codes: 0 read (state updated when the clouds differ), 1 error: nothing is written\nwhen any provider or region cannot be read."
    )]
    Refresh {
        #[command(flatten)]
        spec: SpecArgs,
        /// How long to wait for the state lock held by another process (also -lock-timeout=10s).
        #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_lock_timeout)]
        lock_timeout: std::time::Duration,
        /// How many requests to send at once (also written -parallelism=N).
        #[arg(long, value_name = "N", default_value_t = 10, value_parser = parse_parallelism)]
        parallelism: usize,
        /// Print one JSON object: drift, unmanaged resources, whether state was written.
        ///
        /// Keys: `format_version`, `providers` (each `provider` with its `regions`),
        /// `credentials` (the source of each cloud's credentials), `objects`, `requests`,
        /// `resource_drift`, `pending_rollout` (written, not yet live), `unmanaged`, `state_written`,
        /// `serial`.
        #[arg(long)]
        json: bool,
        /// Say which source supplied each cloud's credentials (never a secret).
        #[arg(short = 'v', long)]
        verbose: bool,
    },
    /// Record resources Terraform already manages (from `terraform show -json`) in Meridian's state.
    #[command(
        after_help = "Examples:\n  terraform show -json > tf-state.json && meridian import --terraform-state tf-state.json\n  meridian import --terraform-state tf-state.json examples/eu-bank\n  terraform show -json | meridian import --terraform-state - --json\n\nEach azurerm_cognitive_account, azurerm_cognitive_deployment, aws_bedrock_inference_profile,\naws_bedrock_provisioned_model_throughput, aws_iam_policy, azurerm_role_assignment,\nazurerm_monitor_diagnostic_setting, aws_bedrock_model_invocation_logging_configuration,\ngoogle_project_service and google_project_iam_member is recorded under the address of its\nmeridian-address tag or, for types without tags, of the spec's resource with the same\nidentifying attributes. Other types and data sources are skipped; what cannot be placed is\nlisted with the reason. The import adds to the state and refuses, writing nothing, when an\naddress is already in state.\n\nExit codes: 0 imported (or nothing to import), 1 error: the state is unchanged."
    )]
    Import {
        #[command(flatten)]
        spec: SpecArgs,
        /// The output of `terraform show -json` for the Terraform state (`-` reads standard input).
        #[arg(long, value_name = "FILE")]
        terraform_state: PathBuf,
        /// How long to wait for the state lock held by another process (also -lock-timeout=10s).
        #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_lock_timeout)]
        lock_timeout: std::time::Duration,
        /// Print one JSON object: what was imported, merged, left out and skipped, and the state written.
        ///
        /// Keys: `source`, `terraform_version`, `state_written`, `state` (`path`, `lineage`,
        /// `serial`, `resources`; null when nothing was written), `summary` (the counts),
        /// `imported`, `merged`, `router_entries`, `not_imported`, `skipped`.
        #[arg(long)]
        json: bool,
    },
    /// Render a saved plan.
    #[command(
        after_help = "Examples:\n  meridian show plan.json\n  meridian show --json plan.json\n  meridian show --format markdown plan.json > comment.md\n\nExit codes: 0 shown, 1 the file is not a readable plan file."
    )]
    Show {
        /// The plan file (from `meridian plan -out FILE`).
        plan: PathBuf,
        /// Print JSON, shaped like `terraform show -json` (same as --format json).
        ///
        /// Keys: those of `meridian plan --json`.
        #[arg(long)]
        json: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: PlanFormatArg,
    },
    /// Release a state lock left behind, by its ID (printed by the command that failed on it).
    #[command(
        after_help = "Examples:\n  meridian force-unlock 6f1c2a9e-5b7d-4c1e-9f3a-2d8b7e4c1a05\n  meridian force-unlock 6f1c2a9e-5b7d-4c1e-9f3a-2d8b7e4c1a05 infra/ai\n\nA lock held by a running Meridian process cannot be released: stop that process first.\n\nExit codes: 0 released, 1 no lock with this ID, or its holder is still running."
    )]
    ForceUnlock {
        /// The lock ID.
        id: String,
        /// The spec directory whose state is locked (default: current directory).
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Read and edit the state by address: list, show, rm, mv.
    #[command(
        subcommand,
        after_help = "Examples:\n  meridian state list\n  meridian state show azure.corp.deployment.assistant-aoai-sweden\n  meridian state rm -dry-run aws.corp.iam-policy.old-1234abcd\n  meridian state mv router.chat.deployment.a router.chat.deployment.b --dir infra/ai\n\nThe state records what the generated files describe, and beside each record whether the\nclouds hold it (pending rollout, live, drifted) as the last apply or refresh found. Nothing\nhere reads or changes a cloud."
    )]
    State(StateCommand),
    /// Print the values a pipeline needs after apply: per model the router model name and the
    /// target endpoints, per emit block the generated files.
    #[command(
        after_help = "Examples:\n  meridian output\n  meridian output models\n  meridian output -json | jq -r '.artifacts.value[] | select(.format == \"litellm\") | .files[]'\n  meridian output -json models | jq -r '.assistant.tiers[0].targets[].endpoint'\n  meridian output --dir infra/ai artifacts\n\nThe outputs are read from the state, as `terraform output` reads Terraform's: they say what\nwas applied, not what the spec says now. Meridian's outputs are fixed (the spec language has\nno output block):\n  artifacts  per emit block: path, format and the files last written\n  models     per model: router_model (the name callers ask the router for) and, per tier in\n             failover order, each target: cloud, region, model, weight, the serving resource,\n             the deployment to call, the Azure endpoint, and the rollout status\n-json prints all of them as `terraform output -json` does ({\"NAME\": {\"sensitive\": false,\n\"value\": ...}}; schema: schema/output.schema.json), or one value as JSON.\n\nExit codes: 0 printed, 1 no state or no such output."
    )]
    Output {
        /// One output to print (default: all).
        name: Option<String>,
        /// The spec directory whose state to read (default: the current directory).
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the dependency graph of the cloud resources the spec implies.
    #[command(
        after_help = "Examples:\n  meridian graph examples/eu-bank | dot -Tsvg > graph.svg\n  meridian graph --format mermaid .\n\nEdges point from a resource to what it needs, as in `terraform graph`.\n\nExit codes: 0 printed, 1 the spec is invalid."
    )]
    Graph {
        #[command(flatten)]
        spec: SpecArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "dot")]
        format: GraphFormat,
    },
    /// Rewrite spec files in the canonical layout.
    #[command(
        after_help = "Examples:\n  meridian fmt\n  meridian fmt --check --diff examples/\n  meridian fmt --recursive .\n\nExit codes: 0 done (or nothing to change), 1 error, 3 `--check` found files to reformat."
    )]
    Fmt {
        /// Files or directories (default: the current directory).
        paths: Vec<PathBuf>,
        /// Change nothing; exit 3 when a file is not formatted.
        #[arg(long)]
        check: bool,
        /// Show the changes as unified diffs.
        #[arg(long)]
        diff: bool,
        /// Also format *.hcl files in subdirectories.
        #[arg(long)]
        recursive: bool,
    },
    /// What-if: which target serves each model when providers or regions fail, where, at what cost.
    #[command(
        after_help = "Examples:\n  meridian simulate --fail azure examples/eu-bank\n  meridian simulate --fail aws:eu-central-1 --fail gcp .\n  meridian simulate --fail azure.corp:swedencentral --json\n  meridian simulate --all-single-failures examples/eu-bank\n\nA failure is CLOUD (azure), a provider block (azure.corp), or either with :REGION\n(aws:eu-central-1): a target is down when its cloud, its provider block or the region it\nis called from fails.\n\nExit codes: 0 done, 1 invalid spec or unknown --fail value, or a model loses service (or\nwould only survive outside its residency) while policy.survive_single_failure = true."
    )]
    Simulate(SimulateArgs),
    /// Browse the built-in catalog of models and regions.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Compliance review: residency matrix, failover chains, access, logging, cost and findings.
    #[command(
        after_help = "Examples:\n  meridian report examples/eu-bank                       # Markdown, for a pull-request comment\n  meridian report --format html --out report.html .\n  meridian report --format sarif --out meridian.sarif .  # for code scanning\n  meridian report --format json -var-file prod.mvars . | jq '.matrix[] | select(.verdict != \"compliant\")'\n\nThe report is written for an invalid spec too: its findings (SARIF results) say what is\nwrong. SARIF locations are relative to the Git work tree of the current directory.\n\nExit codes: 0 the spec is valid (warnings allowed), 1 the spec has errors (the report is\nstill written) or the report could not be written."
    )]
    Report(ReportArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  meridian completions bash > /etc/bash_completion.d/meridian\n  meridian completions zsh > \"${fpath[1]}/_meridian\"\n  meridian completions fish > ~/.config/fish/completions/meridian.fish\n\nExit codes: 0 printed."
    )]
    Completions { shell: Shell },
    /// Write this command reference (Markdown and man pages), generated from the command definitions.
    #[command(subcommand)]
    Docs(DocsCommand),
}

/// `meridian docs` commands.
#[derive(Debug, Subcommand)]
pub enum DocsCommand {
    /// The command reference: Markdown (docs/cli.md) and a man page per command.
    #[command(
        after_help = "Examples:\n  meridian docs cli > cli.md\n  meridian docs cli --out-dir docs\n  man docs/man/meridian-plan.1\n\nWithout --out-dir the Markdown is printed. With it, DIR/cli.md and DIR/man/meridian*.1 are\nwritten all-or-nothing, and the man pages of commands that no longer exist are removed.\n\nExit codes: 0 written (or already up to date), 1 a file could not be written (then none is)."
    )]
    Cli {
        /// Write DIR/cli.md and the man pages DIR/man/meridian*.1 instead of printing the Markdown.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

/// `meridian state` subcommands.
#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// List the addresses in the state.
    #[command(
        after_help = "Examples:\n  meridian state list\n  meridian state list azure.corp\n  meridian state list --sort status --json | jq -r '.resources[] | select(.status == \"drifted\") | .address'\n\nA FILTER is an address or its leading segments (azure.corp, azure.corp.deployment).\nStatus: pending-create, pending-update (written, not yet live), live, drifted (as the last\nrefresh recorded in state found them), not-read, not-observable (kinds no refresh reads).\n\nExit codes: 0 listed, 1 no state, or a filter that matches nothing."
    )]
    List {
        /// Only addresses that are FILTER or start with its segments.
        filters: Vec<String>,
        /// The spec directory whose state to read (default: the current directory).
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        /// Order of the list (ties by address).
        #[arg(long, value_enum, default_value = "address")]
        sort: StateSortArg,
        /// Print JSON: address, type, provider, region, name and status of each.
        #[arg(long)]
        json: bool,
    },
    /// Show one resource: its attributes and tags, where it lives, which generated files
    /// describe it, and whether the clouds hold it as written.
    #[command(
        after_help = "Examples:\n  meridian state show azure.corp.deployment.assistant-aoai-sweden\n  meridian state show --json --dir infra/ai aws.corp.inference-profile.triage-bedrock-ireland\n\nExit codes: 0 shown, 1 no state, a malformed address, or one the state does not record."
    )]
    Show {
        /// The resource address.
        address: String,
        /// The spec directory whose state to read (default: the current directory).
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Forget resources: remove them from the state. Nothing in the clouds or the generated
    /// files is touched.
    #[command(
        after_help = "Examples:\n  meridian state rm azure.corp.deployment.old-target\n  meridian state rm -dry-run aws.corp.iam-policy.a aws.corp.iam-policy.b\n\nThe next plan treats what the spec still declares as new. A live object found with this\nproject's tags shows as existing outside the state; one without them stays unmanaged: listed,\nnever changed or destroyed. Every address must be in the state, or nothing is removed.\nLocked, journaled like apply, serial + 1, the previous state kept as state.json.backup.\n\nExit codes: 0 removed (or listed with -dry-run), 1 error: the state is unchanged."
    )]
    Rm {
        /// The resource addresses.
        #[arg(required = true)]
        addresses: Vec<String>,
        #[command(flatten)]
        edit: StateEditArgs,
    },
    /// Rename an address in the state, e.g. after renaming a target in the spec.
    #[command(
        after_help = "Examples:\n  meridian state mv router.assistant.deployment.aoai router.assistant.deployment.aoai-sweden\n  meridian state mv -dry-run azure.corp.deployment.a azure.prod.deployment.a\n\nThe kind of resource cannot change (an Azure deployment stays an Azure deployment), and TO\nmust not be in the state. The record keeps what was written: the next plan shows what the\nspec declares at TO against it. Locked, journaled like apply, serial + 1, the previous state\nkept as state.json.backup.\n\nExit codes: 0 moved (or checked with -dry-run), 1 error: the state is unchanged."
    )]
    Mv {
        /// The address the state records.
        from: String,
        /// The new address.
        to: String,
        #[command(flatten)]
        edit: StateEditArgs,
    },
}

/// Options of the state commands that write.
#[derive(Debug, Args)]
pub struct StateEditArgs {
    /// The spec directory whose state to edit (default: the current directory).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Say what would change, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// How long to wait for the state lock held by another process (also -lock-timeout=10s).
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_lock_timeout)]
    pub lock_timeout: std::time::Duration,
}

/// The order of `state list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateSortArg {
    Address,
    Type,
    Provider,
    Region,
    Status,
}

/// `meridian simulate` options.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// A failure: CLOUD, CLOUD.NAME (a provider block), or either with :REGION (repeatable; all fail together).
    #[arg(long, value_name = "PROVIDER[:REGION]")]
    pub fail: Vec<String>,
    /// Try every single cloud, provider block and region outage and list the single points of failure.
    #[arg(long, conflicts_with = "fail")]
    pub all_single_failures: bool,
    /// Print one JSON object.
    ///
    /// Keys: `format_version`, `catalog_as_of`, `currency`, `mode`, `simulation` (with --fail:
    /// each model's serving tier and targets, footprints, verdicts and cost), `single_failures`
    /// (with --all-single-failures), `failing_models`, `survive_single_failure`, `passed`.
    #[arg(long)]
    pub json: bool,
}

/// `meridian report` options.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Output format: markdown (a pull-request comment), html (one self-contained page),
    /// json, or sarif (SARIF 2.1.0 for code scanning).
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
    /// Write the report to FILE instead of standard output (also written -out=FILE).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Report output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Html,
    Json,
    Sarif,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Models, with context, capabilities, processing modes and prices.
    #[command(
        after_help = "Examples:\n  meridian catalog models\n  meridian catalog models --provider azure\n  meridian catalog models --json\n\nExit codes: 0 listed, 1 an unreadable overlay."
    )]
    Models(CatalogArgs),
    /// Regions, with their country and residency groupings.
    #[command(
        after_help = "Examples:\n  meridian catalog regions --provider gcp\n  meridian catalog regions --json\n\nExit codes: 0 listed, 1 an unreadable overlay."
    )]
    Regions(CatalogArgs),
    /// One model: every version with its lifecycle, every offer and where it can be used
    /// (profile routes, Vertex processing guarantees), prices, sources and dates.
    #[command(
        after_help = "Examples:\n  meridian catalog show gpt-5.1\n  meridian catalog show gemini-embedding-001 --provider gcp --json\n  meridian catalog show anthropic.claude-sonnet-4-5-20250929-v1:0 --overlay catalog.json\n\nThe JSON shape is described by schema/catalog-show.schema.json.\nExit codes: 0 shown, 1 unknown or ambiguous model, or an unreadable overlay."
    )]
    Show(CatalogShowArgs),
    /// Which (region, processing) choices of a model satisfy a residency rule.
    #[command(
        after_help = "Examples:\n  meridian catalog where gemini-embedding-001 --provider gcp --residency poland infra/ai\n  meridian catalog where anthropic.claude-sonnet-4-5-20250929-v1:0 --geography eu\n  meridian catalog where gpt-5.1 --countries DE,FR,NL --processing geography --all\n  meridian catalog where claude-sonnet-4-6 --geography eu --json | jq '.passing[].region'\n\nEvery location of every offer of the model is tried as a target would be: its footprint is\ncomputed from the catalog and judged by the same residency check `meridian validate` runs.\nThe JSON shape is described by schema/catalog-where.schema.json.\nExit codes: 0 listed (even when no choice satisfies the rule), 1 unknown model, rule or code."
    )]
    Where(CatalogWhereArgs),
    /// Check the catalog against the spec's own cloud accounts: what each region offers, where
    /// Bedrock profiles route, which deployment types and dates Azure lists.
    #[command(
        after_help = "Examples:\n  meridian catalog verify examples/eu-bank\n  meridian catalog verify --provider aws --region eu-west-2 .\n  meridian catalog verify --all-regions --json . > verify.json\n  meridian catalog verify --write-overlay catalog-verified.json .\n\nWhat is read: Bedrock ListFoundationModels, ListInferenceProfiles (system-defined) and\nGetInferenceProfile; Azure's Microsoft.CognitiveServices/locations/{location}/models; Vertex AI\npublishers.models.get per location. Regions: those the spec's targets use, plus --region, or\nevery catalog region of each provider's cloud with --all-regions. Credentials, endpoints,\nretries and limits are those of `meridian refresh` (see `meridian refresh --help`).\n\nA difference that changes where prompts may be processed or what can be deployed where (and\nso a residency verdict) is an error; dates, lifecycle states and models the catalog does not\nlist are warnings. --write-overlay writes the differences as a catalog overlay (FILE is\nrelative to the current directory and must be inside the spec directory); name it in the\nmeridian block (catalog = \"FILE\") to plan with it.\n\nExit codes: 0 no errors (warnings allowed), 1 an error difference, a region that could not be\nread, or bad input."
    )]
    Verify(VerifyArgs),
}

/// `meridian catalog show` options.
#[derive(Debug, Args)]
pub struct CatalogShowArgs {
    /// The provider's model id (`gpt-5.1`, `gemini-embedding-001`, a Bedrock model id).
    pub model: String,
    /// The cloud, when several have a model with this id.
    #[arg(long, value_enum)]
    pub provider: Option<Provider>,
    /// Print JSON (schema: schema/catalog-show.schema.json).
    ///
    /// Keys: `format_version`, `catalog_as_of`, `cloud`, `id`, `name`, `lifecycle`,
    /// `deprecation_date`, `retirement_date`, `replacement`, `context_window`, `capabilities`,
    /// `versions`, `offers`, `prices`, `no_price`, `note`, `source`, `as_of`.
    #[arg(long)]
    pub json: bool,
    /// A catalog overlay file to merge over the built-in catalog (also --catalog).
    #[arg(long, visible_alias = "catalog", value_name = "FILE")]
    pub overlay: Option<PathBuf>,
}

/// `meridian catalog where` options.
#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("rule")
        .required(true)
        .multiple(true)
        .args(["residency", "countries", "geography"])
))]
pub struct CatalogWhereArgs {
    /// The provider's model id.
    pub model: String,
    /// The spec directory (or file) whose residency block --residency names (default: current directory).
    #[arg(requires = "residency")]
    pub spec: Option<PathBuf>,
    /// The cloud, when several have a model with this id.
    #[arg(long, value_enum)]
    pub provider: Option<Provider>,
    /// Judge against this residency block of the spec.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["countries", "geography"])]
    pub residency: Option<String>,
    /// Allowed countries, ISO 3166-1 alpha-2 (comma-separated).
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub countries: Vec<String>,
    /// Allowed geographies such as eu, eea, us (comma-separated).
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub geography: Vec<String>,
    /// The widest processing scope allowed (default: the residency block's, else global).
    #[arg(long, value_enum)]
    pub processing: Option<ProcessingArg>,
    /// The model version to try (Azure; default: the newest that is not retired).
    #[arg(long)]
    pub version: Option<String>,
    /// Also list the choices that fail, with the reason.
    #[arg(long)]
    pub all: bool,
    /// Print JSON, passing and failing choices (schema: schema/catalog-where.schema.json).
    ///
    /// Keys: `format_version`, `catalog_as_of`, `cloud`, `model`, `version`, `rule`, `passing`,
    /// `failing` (filled with --all).
    #[arg(long)]
    pub json: bool,
    /// A catalog overlay file to merge over the built-in catalog (also --catalog; default with
    /// --residency: the spec's own overlay).
    #[arg(long, visible_alias = "catalog", value_name = "FILE")]
    pub overlay: Option<PathBuf>,
    /// Set a variable of the spec: NAME=VALUE (repeatable; also written -var).
    #[arg(long = "var", value_name = "NAME=VALUE", requires = "residency")]
    pub vars: Vec<String>,
    /// Read variables of the spec from a file (repeatable; also written -var-file).
    #[arg(long = "var-file", value_name = "FILE", requires = "residency")]
    pub var_files: Vec<PathBuf>,
}

/// A processing scope on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProcessingArg {
    Region,
    Geography,
    Global,
}

/// `meridian catalog verify` options.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Only this cloud (aws, azure, gcp) or provider block (aws.corp); repeatable.
    #[arg(long, value_name = "PROVIDER")]
    pub provider: Vec<String>,
    /// Also read this region (or Vertex AI location); repeatable.
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Read every region the catalog lists for each provider's cloud.
    #[arg(long)]
    pub all_regions: bool,
    /// Print one JSON object.
    ///
    /// Keys: `format_version`, `catalog` (`as_of`, `overlay`), `providers`, `skipped`, `notes`,
    /// `requests`, `differences` (each with `severity`, `kind`, `provider`, `region`, `model`,
    /// `version`, the values on both sides, `message`, `source`), `errors`, `warnings`,
    /// `overlay` (what --write-overlay wrote, or null). When a region cannot be read, instead:
    /// `format_version`, `providers`, `read_errors` (each with `provider`, `region`, `request`,
    /// `reason`).
    #[arg(long)]
    pub json: bool,
    /// Write the differences as a catalog overlay to FILE (inside the spec directory).
    #[arg(long, value_name = "FILE")]
    pub write_overlay: Option<PathBuf>,
    /// How many requests to send at once (also written -parallelism=N).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = parse_parallelism)]
    pub parallelism: usize,
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// Only this cloud.
    #[arg(long, value_enum)]
    pub provider: Option<Provider>,
    /// Print JSON: an array of models or regions, as the catalog files hold them
    /// (schema/catalog.schema.json); keys without a value are left out.
    ///
    /// Keys of a model: `cloud`, `id`, `name`, `lifecycle`, `deprecation_date`,
    /// `retirement_date`, `replacement`, `context_window`, `capabilities`, `versions`, `offers`,
    /// `prices`, `no_price`, `note`, `source`, `as_of`. Keys of a region: `cloud`, `id`, `name`,
    /// `country`, `partition`, `azure_geography`, `data_zone`, `multi_region`, `verified`,
    /// `note`, `source`, `as_of`.
    #[arg(long)]
    pub json: bool,
    /// A catalog overlay file to merge over the built-in catalog (also --catalog).
    #[arg(long, visible_alias = "catalog", value_name = "FILE")]
    pub overlay: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Provider {
    Aws,
    Azure,
    Gcp,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Plan output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormatArg {
    Human,
    Json,
    Markdown,
}

/// State options of commands that read or write state.
#[derive(Debug, Args)]
pub struct StateArgs {
    /// How long to wait for the state lock held by another process: 0s (default), 500ms, 10s, 2m
    /// (also written -lock-timeout=10s).
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_lock_timeout)]
    pub lock_timeout: std::time::Duration,
    /// Read live provider state first (default true). With --refresh=false the plan uses the
    /// last known state and says so.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub refresh: bool,
    /// How many requests the refresh sends at once (also written -parallelism=N).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = parse_parallelism)]
    pub parallelism: usize,
    /// Say which source supplied each cloud's credentials for the refresh (never a secret).
    #[arg(short = 'v', long)]
    pub verbose: bool,
}

fn parse_parallelism(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=256).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a whole number from 1 to 256, got \"{s}\""
        )),
    }
}

fn parse_lock_timeout(s: &str) -> Result<std::time::Duration, String> {
    meridian_state::parse_duration(s)
}

/// Where the spec is and what its variables are.
#[derive(Debug, Args)]
pub struct SpecArgs {
    /// A spec file, or a directory whose *.hcl files form the spec (default: current directory).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Set a variable: NAME=VALUE (repeatable; also written -var).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read variables from a file of NAME = value lines (repeatable; also written -var-file).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
}

/// The long flags also accepted with one dash, as Terraform spells them (`-var x=1`).
pub const SINGLE_DASH: &[&str] = &[
    "var",
    "var-file",
    "no-color",
    "json",
    "check",
    "diff",
    "recursive",
    "out",
    "detailed-exitcode",
    "auto-approve",
    "lock-timeout",
    "refresh",
    "parallelism",
    "terraform-state",
    "write-overlay",
    "all-regions",
    "target",
    "dry-run",
    "dir",
    "sort",
];

/// Accepts Terraform's single-dash long flags (`-var x=1`, `-var-file=f`).
pub fn normalize_args<I: IntoIterator<Item = String>>(args: I) -> Vec<String> {
    args.into_iter()
        .map(|a| {
            if let Some(rest) = a.strip_prefix('-').filter(|r| !r.starts_with('-')) {
                let name = rest.split('=').next().unwrap_or(rest);
                if SINGLE_DASH.contains(&name) {
                    return format!("-{a}");
                }
            }
            a
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn single_dash_target_and_state_flags_are_accepted() {
        let args = normalize_args(
            [
                "meridian",
                "state",
                "rm",
                "-dry-run",
                "-dir=infra",
                "-lock-timeout=5s",
                "a.b.c.d",
            ]
            .map(String::from),
        );
        assert_eq!(
            args,
            [
                "meridian",
                "state",
                "rm",
                "--dry-run",
                "--dir=infra",
                "--lock-timeout=5s",
                "a.b.c.d"
            ]
        );
        let cli = Cli::try_parse_from(normalize_args(
            ["meridian", "plan", "-target=a.b.c.d", "-target", "e.f.g.h"].map(String::from),
        ))
        .expect("parses");
        match cli.command {
            Command::Plan { targets, .. } => assert_eq!(targets, ["a.b.c.d", "e.f.g.h"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn single_dash_terraform_flags_are_accepted() {
        let args = normalize_args(
            [
                "meridian",
                "validate",
                "-var",
                "a=1",
                "-var-file=x.mvars",
                "-json",
                "-v",
            ]
            .map(String::from),
        );
        assert_eq!(
            args,
            [
                "meridian",
                "validate",
                "--var",
                "a=1",
                "--var-file=x.mvars",
                "--json",
                "-v"
            ]
        );
    }
}
