# Europa Bank (EBK): customer and back-office assistants on three clouds, with every prompt
# processed inside the European Union on every tier of every failover chain.
#
# The files of this directory are read together, like a Terraform module:
#   main.hcl       project settings, variables, residency rule, policy, logging, outputs
#   providers.hcl  the cloud accounts and their network/encryption settings
#   models.hcl     the logical models and their failover tiers
#   access.hcl     which workloads may call which models

meridian {
  name         = "ebk-assistants"
  default_tags = merge(local.base_tags, { environment = var.environment })
}

variable "environment" {
  type        = string
  description = "Deployment stage; becomes a tag and part of log sink names."
  default     = "prod"
}

variable "aws_account_id" {
  type        = string
  description = "AWS account that hosts Bedrock for the bank (ML platform, production)."
  default     = "418295730641"
}

variable "azure_subscription_id" {
  type        = string
  description = "Azure subscription of the AI landing zone."
  default     = "6f1c2b7e-93a4-4d2e-9b0f-2c5e8a71d4b3"
}

variable "gcp_project" {
  type        = string
  description = "Google Cloud project that calls Vertex AI."
  default     = "ebk-ml-prod"
}

variable "log_retention_days" {
  type        = number
  description = "Prompt/completion logs are records of customer communication; kept 400 days for audit."
  default     = 400
}

locals {
  prefix = "ebk"

  base_tags = {
    cost_center         = "cc-4711"
    owner               = "ml-platform"
    data_classification = "confidential"
  }

  # Entra tenant of the bank; not a secret, it is printed in every sign-in URL.
  tenant_id = "0d5e8c2a-7b14-4f63-a9d1-5e2f60c8b947"
}

locals {
  log_name = "${local.prefix}-ai-${var.environment}"
}

# ---------------------------------------------------------------------------------------
# Residency
#
# What the compliance review signed off (DPIA-2025-017):
# * Prompts and completions may be processed in EU member states only. The wider "europe"
#   geography is deliberately not used: it includes the United Kingdom and Switzerland,
#   which are outside the EU even though both have adequacy decisions.
# * Processing may span several EU countries ("geography"), never the whole world
#   ("global"). This rules out Azure GlobalStandard deployments, Bedrock `global.`
#   inference profiles and the Vertex AI `global` endpoint for every model below.
# ---------------------------------------------------------------------------------------
residency "eu_strict" {
  geographies = ["eu"]
  processing  = "geography"
}

policy {
  require_residency         = true
  required_tags             = ["cost_center", "owner", "data_classification"]
  min_tiers                 = 2
  failover_across_providers = true
  allowed_processing        = ["region", "geography"]
  survive_single_failure    = true
  retirement_warning_days   = 120
}

# Logs contain the prompts themselves, so every sink is held to the same EU-only rule as
# the models whose traffic it records.
logging "audit" {
  retention_days = var.log_retention_days

  # S3 in Frankfurt; Bedrock invocation logging writes here.
  aws {
    bucket = "${local.log_name}-bedrock-invocations"
    region = "eu-central-1"
  }

  # Log Analytics workspace in West Europe (Netherlands).
  azure {
    workspace_id = "/subscriptions/${var.azure_subscription_id}/resourceGroups/rg-ebk-logging/providers/Microsoft.OperationalInsights/workspaces/${local.log_name}"
    region       = "westeurope"
  }

  # BigQuery "EU" multi-region: storage and queries stay in EU member states.
  gcp {
    bigquery_dataset = "ebk_vertex_logs"
    location         = "EU"
  }
}

# Bedrock writes a region's invocation logs only to a bucket of that region: the triage
# targets in Stockholm and Ireland log to buckets there (both EU member states).
logging "audit-stockholm" {
  retention_days = var.log_retention_days

  aws {
    bucket = "${local.log_name}-bedrock-invocations-eun1"
    region = "eu-north-1"
  }
}

logging "audit-ireland" {
  retention_days = var.log_retention_days

  aws {
    bucket = "${local.log_name}-bedrock-invocations-euw1"
    region = "eu-west-1"
  }
}

emit "terraform" {
  path = "generated/terraform"
}

emit "pulumi" {
  path     = "generated/pulumi"
  language = "typescript"
}

emit "litellm" {
  path = "generated/router/litellm.yaml"
}
