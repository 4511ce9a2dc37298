model "assistant" {
  description = "Customer-facing assistant"
  task        = "reasoning"
  strategy    = "priority"
  tier "primary" {
    target "aoai-sweden" {
      provider   = provider.azure.corp
      model      = "gpt-4.1"
      region     = "swedencentral"
      processing = "geography"
    }
  }
  failover {
    on      = ["rate_limit", "timeout"]
    retries = 2
  }
}
