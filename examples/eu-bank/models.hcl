# Logical models. Callers ask the router for "assistant", "document-review" or "triage";
# the router tries the tiers in the order written and never leaves the EU on any of them.
#
# How each target keeps prompts in the EU (the reviewer's checklist):
# * Azure OpenAI, processing = "region": a Standard deployment in swedencentral, processed
#   within the Azure geography "Sweden". The EU Data Zone (processing = "geography") is NOT
#   used: since May 2026 Microsoft lists regions in Norway and Switzerland as part of the EU
#   Data Zone, and neither country is an EU member state.
# * Bedrock, processing = "geography": the `eu.` inference profile called FROM eu-central-1
#   (Frankfurt). From Frankfurt its destinations are EU member states only. The same profile
#   called from eu-west-2 (London) or eu-central-2 (Zurich) may process in GB or CH, which
#   is why no target here uses those source regions.
# * Bedrock, processing = "region": the bare model id, processed in the called region only.
# * Vertex AI, processing = "geography": the `eu` multi-region endpoint, called through the
#   project's europe-west4 location. Google's data-residency guarantee covers the EU
#   multi-region; the global endpoint would give no control at all.

model "assistant" {
  description  = "Customer-facing assistant in online banking and the mobile app"
  task         = "conversational support with tool calls into the account APIs"
  capabilities = ["chat", "tools"]
  context      = 128000
  residency    = residency.eu_strict
  strategy     = "priority"

  tier "primary" {
    target "aoai-sweden" {
      provider   = provider.azure.corp
      model      = "gpt-5.1"
      version    = "2025-11-13"
      region     = "swedencentral"
      processing = "region"
      billing    = "on_demand"
      capacity   = 250
    }
  }

  # Another cloud, so an Azure-wide incident does not take the assistant down.
  tier "secondary" {
    target "bedrock-frankfurt" {
      provider   = provider.aws.corp
      model      = "anthropic.claude-sonnet-4-5-20250929-v1:0"
      region     = "eu-central-1"
      processing = "geography"
    }
  }

  tier "tertiary" {
    target "vertex-eu" {
      provider   = provider.gcp.corp
      model      = "gemini-3.5-flash"
      region     = "europe-west4"
      processing = "geography"
    }
  }

  failover {
    on       = ["rate_limit", "server_error", "timeout"]
    retries  = 2
    timeout  = "30s"
    cooldown = "60s"
  }

  usage {
    input_tokens_per_month  = 900000000
    output_tokens_per_month = 120000000
  }

  azure {
    rai_policy = "Microsoft.DefaultV2"
  }

  aws {
    guardrail = "arn:aws:bedrock:eu-central-1:${var.aws_account_id}:guardrail/k7q2m9x4c1wz"
  }
}

model "document-review" {
  description  = "Reads loan applications, statements and scanned IDs for the back office"
  task         = "long-document extraction and review"
  capabilities = ["chat", "vision"]
  context      = 400000
  residency    = residency.eu_strict
  strategy     = "priority"

  # Claude Sonnet 4.5 on the last tier reads 200k tokens, half of what the model promises.
  # Falling back to it is accepted: the caller then splits very long document bundles.
  # Listing "context" here makes that decision visible in review.
  degrade = ["context"]

  tier "primary" {
    target "aoai-sweden" {
      provider   = provider.azure.corp
      model      = "gpt-5.1"
      version    = "2025-11-13"
      region     = "swedencentral"
      processing = "region"
      capacity   = 150
    }
  }

  tier "secondary" {
    target "vertex-eu" {
      provider   = provider.gcp.corp
      model      = "gemini-3.5-flash"
      region     = "europe-west4"
      processing = "geography"
    }
  }

  tier "last-resort" {
    target "bedrock-frankfurt" {
      provider   = provider.aws.corp
      model      = "anthropic.claude-sonnet-4-5-20250929-v1:0"
      region     = "eu-central-1"
      processing = "geography"
    }
  }

  failover {
    on      = ["rate_limit", "server_error", "timeout", "context_window"]
    retries = 1
    timeout = "120s"
  }

  usage {
    input_tokens_per_month  = 400000000
    output_tokens_per_month = 20000000
  }
}

model "triage" {
  description  = "Routes incoming customer e-mails and chat transcripts to the right team"
  task         = "classification"
  capabilities = ["chat", "tools"]
  context      = 100000
  residency    = residency.eu_strict
  strategy     = "priority"

  # Two in-region Bedrock targets, active-active: each processes only in its own region
  # (Ireland, Stockholm), so losing either region leaves the other serving.
  tier "primary" {
    target "bedrock-ireland" {
      provider   = provider.aws.corp
      model      = "anthropic.claude-haiku-4-5-20251001-v1:0"
      region     = "eu-west-1"
      processing = "region"
      weight     = 50
    }
    target "bedrock-stockholm" {
      provider   = provider.aws.corp
      model      = "anthropic.claude-haiku-4-5-20251001-v1:0"
      region     = "eu-north-1"
      processing = "region"
      weight     = 50
    }
  }

  tier "secondary" {
    target "vertex-eu" {
      provider   = provider.gcp.corp
      model      = "gemini-3.1-flash-lite"
      region     = "europe-west4"
      processing = "geography"
    }
  }

  usage {
    input_tokens_per_month  = 1500000000
    output_tokens_per_month = 30000000
  }
}
