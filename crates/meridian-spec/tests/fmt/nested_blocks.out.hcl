model "assistant" {
  description  = "Customer-facing assistant"
  task         = "reasoning"
  capabilities = ["chat", "tools"]
  context      = 128000
  residency    = residency.eu_strict
  strategy     = "priority"
  degrade      = ["vision"]
  tier "primary" {
    target "aoai-sweden" {
      provider   = provider.azure.corp
      model      = "gpt-4.1"
      version    = "2025-04-14"
      region     = "swedencentral"
      processing = "geography"
      billing    = "on_demand"
      capacity   = 250
      weight     = 60
    }
    target "aoai-france" {
      provider = provider.azure.corp
      model    = "gpt-4.1"
      region   = "francecentral"
      weight   = 40
    }
  }
  tier "secondary" {
    target "bedrock-frankfurt" {
      provider = provider.aws.main
      model    = "anthropic.claude-sonnet-4-5"
      region   = "eu-central-1"
    }
  }
  tier "last-resort" {
    target "empty" {}
    target "also-empty" {}
  }
  failover {
    on       = ["rate_limit", "server_error", "timeout"]
    retries  = 2
    timeout  = "30s"
    cooldown = "60s"
  }
  usage {
    input_tokens_per_month  = 800000000
    output_tokens_per_month = 150000000
  }
  azure { rai_policy = "Microsoft.DefaultV2" }
  aws { guardrail = "arn:aws:bedrock:eu-central-1:123456789012:guardrail/x" }
}
