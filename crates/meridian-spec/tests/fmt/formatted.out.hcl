# Meridian spec for the assistants platform.

meridian {
  name         = "ebk-assistants" # prefixes generated names
  catalog      = "catalog.json"
  default_tags = { cost_center = "cc-4711", owner = "ml-platform" }
}

variable "environment" {}

locals {
  regions = [
    "swedencentral",
    "francecentral",
  ]
  tags = merge(var.extra_tags, {
    environment = var.environment
    team        = "assistants"
  })
}

provider "azure" "corp" {
  subscription_id = "00000000-0000-0000-0000-000000000000"
  resource_group  = "rg-ai"

  network {
    public_access              = false
    private_endpoint_subnet_id = "/subscriptions/x/subnets/ai"
    allowed_ips                = []
  }
  waiver "CKV2_AZURE_22" { # a deliberate departure from a security check
    reason = "Microsoft-managed keys accepted by risk review R-42"
  }
}

provider "aws" "main" {
  account_id = "123456789012"
}

residency "eu_strict" {
  geographies  = ["eu"]
  countries    = ["DE", "FR"]
  deny_regions = ["eu-south-2"]
  processing   = "geography" # region | geography | global
}

model "assistant" {
  description  = "Customer-facing assistant"
  capabilities = ["chat", "tools"]
  context      = 128000
  residency    = residency.eu_strict
  strategy     = "priority"
  system       = <<EOT
You are the EBK assistant.
EOT

  tier "primary" {
    target "aoai-sweden" {
      provider   = provider.azure.corp
      model      = "gpt-4.1"
      version    = "2025-04-14"
      region     = "swedencentral"
      processing = "geography"
      weight     = 60
    }
  }
  tier "secondary" {
    target "bedrock-frankfurt" {
      provider = provider.aws.main
      model    = "anthropic.claude-sonnet-4-5"
      region   = "eu-central-1"
    }
  }

  failover {
    on      = ["rate_limit", "server_error", "timeout"]
    retries = 2
  }
  azure { rai_policy = "Microsoft.DefaultV2" }
}

access "support-portal" {
  models = [model.assistant]
  aws = [
    "arn:aws:iam::123456789012:role/support-portal", # production role
  ]
}

policy {
  require_residency = true
  min_tiers         = 2
}

emit "terraform" { path = "generated/terraform" }
emit "litellm" { path = "generated/router/litellm.yaml" }
