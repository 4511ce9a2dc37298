# Fjord Health: a patient-messaging service with users in the EU and in the US. Each
# region's users get their own logical model, on their own cloud accounts, under their own
# residency rule. The router decides which model a request uses from the tenant's home
# region; nothing in either model's failover chain can cross the Atlantic.

meridian {
  name = "fjord-assist"
  default_tags = {
    cost_center = "cc-3100"
    owner       = "platform-ai"
    environment = var.environment
  }
}

variable "environment" {
  type    = string
  default = "prod"
}

variable "aws_eu_account_id" {
  type        = string
  description = "AWS account for EU workloads (organisation unit eu-prod)."
  default     = "281947305516"
}

variable "aws_us_account_id" {
  type        = string
  description = "AWS account for US workloads (organisation unit us-prod)."
  default     = "593160274488"
}

locals {
  azure_eu_subscription = "8d3f5a27-1e64-4c9b-a07d-3b2e9c5f1a86"
  gcp_us_project        = "fjord-assist-us-${var.environment}"
}

# --- accounts: EU users are served from Azure and an EU AWS account, US users from a US
# --- AWS account and Google Cloud.

provider "azure" "eu" {
  subscription_id = local.azure_eu_subscription
  resource_group  = "rg-fjord-ai-eu-${var.environment}"

  # The router runs in the EU application network: the accounts get private endpoints in its
  # endpoint subnet and take no calls over the internet.
  network {
    private_endpoint_subnet_id = "/subscriptions/${local.azure_eu_subscription}/resourceGroups/rg-fjord-network-eu/providers/Microsoft.Network/virtualNetworks/vnet-fjord-eu/subnets/snet-private-endpoints"
  }
}

provider "aws" "eu" {
  account_id = var.aws_eu_account_id
}

provider "aws" "us" {
  account_id = var.aws_us_account_id
}

provider "gcp" "us" {
  project = local.gcp_us_project
}

# --- residency ---------------------------------------------------------------------------

# EU users: processing in the EEA or Switzerland. The DPIA accepts Switzerland (EU adequacy
# decision) but not the United Kingdom. This admits Azure's EU Data Zone, which since May 2026
# spans regions in Norway and Switzerland as well as EU member states.
# deny_regions: AWS eu-south-2 (Spain) is not yet listed in the data processing addendum
# the company signed with AWS, so it must not process patient data. This also excludes the
# Bedrock `eu.` inference profiles for Claude, whose destinations include eu-south-2: the EU
# Bedrock tier therefore calls Claude Haiku 4.5 in-region in Ireland and Stockholm.
residency "eu_users" {
  geographies  = ["eea"]
  countries    = ["CH"]
  deny_regions = ["eu-south-2"]
  processing   = "geography"
}

# US users (HIPAA workloads): processing in the United States only.
residency "us_users" {
  countries  = ["US"]
  processing = "geography"
}

policy {
  require_residency         = true
  required_tags             = ["cost_center", "owner", "environment"]
  min_tiers                 = 2
  failover_across_providers = true
  allowed_processing        = ["region", "geography"]
  survive_single_failure    = true
}

# --- models --------------------------------------------------------------------------------

model "assistant-eu" {
  description  = "Patient-messaging assistant for EU tenants"
  capabilities = ["chat", "tools"]
  context      = 128000
  residency    = residency.eu_users
  strategy     = "priority"

  tier "primary" {
    # Two Data Zone deployments (DataZoneStandard) in different regions: both process inside
    # the EU Data Zone, and losing one region leaves the other serving.
    target "aoai-sweden" {
      provider   = provider.azure.eu
      model      = "gpt-5.1"
      version    = "2025-11-13"
      region     = "swedencentral"
      processing = "geography"
      capacity   = 200
      weight     = 70
    }
    target "aoai-france" {
      provider   = provider.azure.eu
      model      = "gpt-5.1"
      version    = "2025-11-13"
      region     = "francecentral"
      processing = "geography"
      capacity   = 100
      weight     = 30
    }
  }

  tier "secondary" {
    target "bedrock-ireland" {
      provider   = provider.aws.eu
      model      = "anthropic.claude-haiku-4-5-20251001-v1:0"
      region     = "eu-west-1"
      processing = "region"
    }
    target "bedrock-stockholm" {
      provider   = provider.aws.eu
      model      = "anthropic.claude-haiku-4-5-20251001-v1:0"
      region     = "eu-north-1"
      processing = "region"
    }
  }

  failover {
    on      = ["rate_limit", "server_error", "timeout"]
    retries = 2
    timeout = "30s"
  }

  usage {
    input_tokens_per_month  = 400000000
    output_tokens_per_month = 60000000
  }
}

model "assistant-us" {
  description  = "Patient-messaging assistant for US tenants"
  capabilities = ["chat", "tools"]
  context      = 128000
  residency    = residency.us_users
  strategy     = "priority"

  tier "primary" {
    # `us.` inference profile from two source regions: US destinations only.
    target "bedrock-virginia" {
      provider   = provider.aws.us
      model      = "anthropic.claude-sonnet-4-5-20250929-v1:0"
      region     = "us-east-1"
      processing = "geography"
    }
    target "bedrock-oregon" {
      provider   = provider.aws.us
      model      = "anthropic.claude-sonnet-4-5-20250929-v1:0"
      region     = "us-west-2"
      processing = "geography"
    }
  }

  tier "secondary" {
    # Vertex AI `us` multi-region endpoint.
    target "vertex-us" {
      provider   = provider.gcp.us
      model      = "gemini-3.5-flash"
      region     = "us-central1"
      processing = "geography"
    }
  }

  failover {
    on      = ["rate_limit", "server_error", "timeout"]
    retries = 2
    timeout = "30s"
  }

  usage {
    input_tokens_per_month  = 700000000
    output_tokens_per_month = 90000000
  }
}

# --- access and logging ----------------------------------------------------------------------

access "messaging-eu" {
  models = [model.assistant-eu]
  aws    = ["arn:aws:iam::${var.aws_eu_account_id}:role/fjord-messaging-eu"]
  azure  = ["e81c4d2a-5f70-4b3e-9d16-c2a7f08b5e34"] # managed identity of the EU messaging service
}

access "messaging-us" {
  models = [model.assistant-us]
  aws    = ["arn:aws:iam::${var.aws_us_account_id}:role/fjord-messaging-us"]
  gcp    = ["serviceAccount:messaging@${local.gcp_us_project}.iam.gserviceaccount.com"]
}

# Each geography logs to its own sinks, inside the same geography as its traffic. Bedrock
# invocation logging for the two AWS accounts is set up per account by the AWS landing zone
# (an S3 bucket in eu-west-1 for the EU account, in us-east-1 for the US account).
logging "eu-audit" {
  retention_days = 365

  azure {
    workspace_id = "/subscriptions/${local.azure_eu_subscription}/resourceGroups/rg-fjord-logs-eu/providers/Microsoft.OperationalInsights/workspaces/law-fjord-eu"
    region       = "westeurope"
  }
}

logging "us-audit" {
  retention_days = 365

  gcp {
    bigquery_dataset = "fjord_vertex_logs"
    location         = "US"
  }
}

emit "terraform" {
  path = "generated/terraform"
}

emit "litellm" {
  path = "generated/router/litellm.yaml"
}
