# Lumen: a consumer writing app sold worldwide. Most traffic carries no residency promise,
# so it is served from global deployments on all three clouds at the lowest price; only the
# internal HR assistant is held to US-only processing.

meridian {
  name         = "lumen-ai"
  default_tags = local.tags
}

variable "environment" {
  type    = string
  default = "prod"
}

variable "aws_account_id" {
  type    = string
  default = "730219648152"
}

variable "azure_subscription_id" {
  type    = string
  default = "c2a9e4f1-5b38-4d07-8e6a-91f3d2b7c045"
}

variable "gcp_project" {
  type    = string
  default = "lumen-ai-prod"
}

variable "monthly_budget_usd" {
  type        = number
  description = "Finance-approved monthly ceiling for model spend across all clouds."
  default     = 25000
}

locals {
  tags = {
    cost_center = "cc-2040"
    owner       = "ai-platform"
    product     = "lumen"
    environment = var.environment
  }

  app_role = "arn:aws:iam::${var.aws_account_id}:role/lumen-${var.environment}-api"
  app_sa   = "serviceAccount:lumen-api@${var.gcp_project}.iam.gserviceaccount.com"
}

provider "aws" "prod" {
  account_id = var.aws_account_id
}

provider "azure" "prod" {
  subscription_id = var.azure_subscription_id
  resource_group  = "rg-lumen-ai-${var.environment}"

  # The API runs outside Azure: the accounts take calls over their public endpoints, from the
  # API's egress addresses only (the network ACL denies every other address).
  network {
    public_access = true
    allowed_ips   = ["203.0.113.32/28", "198.51.100.14"]
  }
}

provider "gcp" "prod" {
  project = var.gcp_project
}

# Used only by the HR assistant: employee data stays in the United States. Bedrock `us.`
# profiles, Azure US Data Zone deployments and the Vertex `us` multi-region all qualify.
residency "us_only" {
  geographies = ["us"]
  processing  = "geography"
}

policy {
  required_tags             = ["cost_center", "owner", "product"]
  min_tiers                 = 2
  failover_across_providers = true
  max_monthly_cost_usd      = var.monthly_budget_usd
  retirement_warning_days   = 60
  allowed_processing        = ["region", "geography", "global"]
  survive_single_failure    = true
}

# ---------------------------------------------------------------------------------------
# Public traffic: global processing, cheapest first.
# ---------------------------------------------------------------------------------------

# strategy = "cost": inside each tier the router prefers the target that is cheapest for
# this model's usage mix; the others in the tier take over when it is throttled.
model "chat" {
  description  = "Interactive writing assistant in the editor"
  task         = "chat with tool calls (search, citations)"
  capabilities = ["chat", "tools"]
  context      = 128000
  strategy     = "cost"

  tier "pool" {
    # The `global.` profile: about 10% cheaper than `us.` for Claude, routed worldwide.
    target "bedrock-global" {
      provider   = provider.aws.prod
      model      = "anthropic.claude-sonnet-4-5-20250929-v1:0"
      region     = "us-east-1"
      processing = "global"
    }
    # GlobalStandard deployment.
    target "aoai-global" {
      provider   = provider.azure.prod
      model      = "gpt-5.1"
      version    = "2025-11-13"
      region     = "eastus2"
      processing = "global"
      capacity   = 1000
    }
    # The Vertex AI global endpoint.
    target "vertex-global" {
      provider   = provider.gcp.prod
      model      = "gemini-3.5-flash"
      region     = "global"
      processing = "global"
    }
  }

  tier "backup" {
    target "bedrock-haiku" {
      provider   = provider.aws.prod
      model      = "anthropic.claude-haiku-4-5-20251001-v1:0"
      region     = "us-west-2"
      processing = "global"
    }
    target "vertex-flash-lite" {
      provider   = provider.gcp.prod
      model      = "gemini-3.1-flash-lite"
      region     = "global"
      processing = "global"
    }
  }

  failover {
    on       = ["rate_limit", "server_error", "timeout"]
    retries  = 1
    timeout  = "20s"
    cooldown = "30s"
  }

  usage {
    input_tokens_per_month  = 3000000000
    output_tokens_per_month = 600000000
  }
}

# strategy = "weighted": one pool across both tiers. The provisioned Azure deployment
# (GlobalProvisionedManaged) is paid for whether used or not, so it takes most of the steady
# batch load; the on-demand targets absorb the rest and any overflow.
model "summarise" {
  description  = "Nightly document summaries and title suggestions"
  task         = "summarisation"
  capabilities = ["chat"]
  context      = 128000
  strategy     = "weighted"

  tier "committed" {
    target "aoai-ptu" {
      provider   = provider.azure.prod
      model      = "gpt-5.1"
      version    = "2025-11-13"
      region     = "eastus2"
      processing = "global"
      billing    = "provisioned"
      capacity   = 50
      weight     = 70
    }
  }

  tier "burst" {
    target "vertex-flash-lite" {
      provider   = provider.gcp.prod
      model      = "gemini-3.1-flash-lite"
      region     = "global"
      processing = "global"
      weight     = 20
    }
    target "bedrock-haiku" {
      provider   = provider.aws.prod
      model      = "anthropic.claude-haiku-4-5-20251001-v1:0"
      region     = "us-east-1"
      processing = "global"
      weight     = 10
    }
  }

  usage {
    input_tokens_per_month  = 2000000000
    output_tokens_per_month = 150000000
  }
}

# strategy = "latency": the router sends each request to whichever target in the tier has
# answered fastest recently.
model "research" {
  description  = "Deep research mode: multi-step reasoning with tools"
  task         = "reasoning"
  capabilities = ["chat", "tools", "reasoning"]
  context      = 200000
  strategy     = "latency"

  tier "primary" {
    target "aoai-gpt-5-4" {
      provider   = provider.azure.prod
      model      = "gpt-5.4"
      version    = "2026-03-05"
      region     = "eastus2"
      processing = "global"
      capacity   = 300
    }
    # A regional endpoint: Vertex AI logs Claude requests there, not on the global endpoint.
    # Google gives no processing guarantee at us-east5, so it counts as global processing.
    target "vertex-opus" {
      provider   = provider.gcp.prod
      model      = "claude-opus-4-6"
      region     = "us-east5"
      processing = "region"
    }
  }

  tier "fallback" {
    target "bedrock-opus" {
      provider   = provider.aws.prod
      model      = "anthropic.claude-opus-4-6-v1"
      region     = "us-west-2"
      processing = "global"
    }
  }

  usage {
    input_tokens_per_month  = 250000000
    output_tokens_per_month = 50000000
  }
}

# ---------------------------------------------------------------------------------------
# Internal traffic with a residency promise.
# ---------------------------------------------------------------------------------------

model "hr-assistant" {
  description  = "Answers employees' questions about benefits, leave and payroll"
  task         = "retrieval-augmented chat"
  capabilities = ["chat", "tools"]
  context      = 128000
  residency    = residency.us_only
  strategy     = "priority"

  tier "primary" {
    # `us.` profile from N. Virginia: processed in US regions only.
    target "bedrock-us" {
      provider   = provider.aws.prod
      model      = "anthropic.claude-sonnet-4-5-20250929-v1:0"
      region     = "us-east-1"
      processing = "geography"
    }
  }

  tier "secondary" {
    # DataZoneStandard: processed anywhere in the US Data Zone.
    target "aoai-us" {
      provider   = provider.azure.prod
      model      = "gpt-5.1"
      version    = "2025-11-13"
      region     = "eastus2"
      processing = "geography"
      capacity   = 100
    }
    # The `us` multi-region endpoint.
    target "vertex-us" {
      provider   = provider.gcp.prod
      model      = "gemini-3.5-flash"
      region     = "us-central1"
      processing = "geography"
    }
  }

  usage {
    input_tokens_per_month  = 60000000
    output_tokens_per_month = 8000000
  }
}

access "lumen-api" {
  models = [model.chat, model.summarise, model.research]
  aws    = [local.app_role]
  azure  = ["5e2d8f40-a1c7-4b96-83e5-0f7b6c2d9a14"] # managed identity of the API (object id)
  gcp    = [local.app_sa]
}

access "people-portal" {
  models = [model.hr-assistant]
  aws    = ["arn:aws:iam::${var.aws_account_id}:role/people-portal"]
  azure  = ["9c4b1a7e-6d23-4f58-b0e1-27a8d5f3c6e9"]
  gcp    = ["serviceAccount:people-portal@${var.gcp_project}.iam.gserviceaccount.com"]
}

# HR prompts are logged in the US, so the HR assistant's residency holds for its logs too.
logging "invocations" {
  retention_days = 90

  aws {
    bucket = "lumen-${var.environment}-bedrock-invocations"
    region = "us-east-1"
  }

  azure {
    workspace_id = "/subscriptions/${var.azure_subscription_id}/resourceGroups/rg-lumen-observability/providers/Microsoft.OperationalInsights/workspaces/law-lumen-${var.environment}"
    region       = "eastus2"
  }

  gcp {
    bigquery_dataset = "lumen_vertex_invocations"
    location         = "US"
  }
}

# Bedrock writes a region's invocation logs only to a bucket in that region: Oregon has its own.
logging "invocations-oregon" {
  retention_days = 90

  aws {
    bucket = "lumen-${var.environment}-bedrock-invocations-usw2"
    region = "us-west-2"
  }
}

emit "terraform" {
  path = "generated/terraform"
}

emit "litellm" {
  path = "generated/router/litellm.yaml"
}
