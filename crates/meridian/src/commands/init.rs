use crate::exit;
use crate::output::Output;
use meridian_state::safe_fs::{self, OWN_DIR};
use meridian_state::Root;
use std::path::Path;

/// The starter spec `meridian init` writes. It validates clean.
pub const STARTER_SPEC: &str = r#"# Meridian spec: one source of truth for your AI models, where they run and how they fail over.
# Validate with `meridian validate`; browse models and regions with `meridian catalog models`.

meridian {
  name         = "my-ai-platform" # prefixes every generated resource name
  default_tags = { owner = "ml-platform", cost_center = "cc-0000" }
}

# One cloud account. Credentials never go in a spec: they come from the environment.
provider "azure" "main" {
  subscription_id = "00000000-0000-0000-0000-000000000000"
  resource_group  = "rg-ai"

  # Accounts take no calls from the internet: each gets a private endpoint in this subnet,
  # with the private DNS zones that resolve it in the subnet's network.
  network {
    private_endpoint_subnet_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-ai/subnets/private-endpoints"
  }
}

provider "aws" "main" {
  account_id = "123456789012"
}

# Prompts from European users must stay in Europe (the EEA, Switzerland and the UK), on every
# failover path. `meridian catalog where MODEL --geography eu` lists the choices for a stricter
# EU-only rule.
residency "europe" {
  geographies = ["europe"]
  processing  = "geography" # at most the cloud's EU data zone / EU inference profile
}

model "assistant" {
  description  = "General assistant"
  capabilities = ["chat", "tools"]
  context      = 128000
  residency    = residency.europe

  tier "primary" {
    target "aoai-sweden" {
      provider   = provider.azure.main
      model      = "gpt-5.4"
      version    = "2026-03-05"
      region     = "swedencentral"
      processing = "geography" # Azure Data Zone Standard: processed within the EU Data Zone
      capacity   = 100         # thousand tokens per minute
    }
  }

  tier "secondary" {
    target "bedrock-frankfurt" {
      provider   = provider.aws.main
      model      = "anthropic.claude-sonnet-4-5-20250929-v1:0"
      region     = "eu-central-1"
      processing = "geography" # the eu. inference profile; from Frankfurt it stays in the EU
    }
  }

  failover {
    on      = ["rate_limit", "server_error", "timeout"]
    retries = 2
    timeout = "30s"
  }
}

policy {
  require_residency = true
  min_tiers         = 2
}

emit "terraform" { path = "generated/terraform" }
emit "litellm" { path = "generated/router/litellm.yaml" }
"#;

/// `meridian init`: writes `main.hcl` and `.meridian/`.
pub fn init(dir: &Path, force: bool, out: &mut Output<'_>) -> i32 {
    let spec = dir.join("main.hcl");
    // The directory named is created if missing; `main.hcl` and `.meridian/` are never a link.
    let target = safe_fs::create_dirs(dir)
        .and_then(|()| Root::new(dir))
        .and_then(|root| Ok(root.target(Path::new("main.hcl"))?));
    let target = match target {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(out.err, "error: cannot initialise {}: {e}", dir.display());
            return exit::ERROR;
        }
    };
    if safe_fs::exists(&target).unwrap_or(true) && !force {
        let _ = writeln!(
            out.err,
            "error: {} already exists; pass --force to overwrite it.",
            spec.display()
        );
        return exit::ERROR;
    }
    let result = safe_fs::own_dir(&dir.join(OWN_DIR))
        .and_then(|()| safe_fs::write_atomic(&target, STARTER_SPEC.as_bytes()));
    match result {
        Ok(()) => {
            let _ = writeln!(
                out.out,
                "Wrote {} and {}/.",
                spec.display(),
                dir.join(".meridian").display()
            );
            let _ = writeln!(
                out.out,
                "Next: edit the spec, then run `meridian validate {}`.",
                dir.display()
            );
            exit::OK
        }
        Err(e) => {
            let _ = writeln!(out.err, "error: cannot initialise {}: {e}", dir.display());
            exit::ERROR
        }
    }
}
