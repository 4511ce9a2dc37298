meridian {
  name = "ebk-assistants"
  catalog    = "catalog.json"
  default_tags = { cost_center = "cc-4711",owner="ml-platform" }
}

provider   "azure"    "corp"   {
  subscription_id= "00000000-0000-0000-0000-000000000000"
  resource_group ="rg-ai"
  tenant_id   =   "11111111-1111-1111-1111-111111111111"
  network {
    public_access = false
    private_endpoint_subnet_id = "/subscriptions/x/subnets/ai"
    allowed_ips   = []
  }
}

residency "eu_strict" {
  geographies = ["eu"]
  countries = [ "DE","FR" ]
  deny_regions = ["eu-south-2"]
  processing  = "geography"
}

policy {
  require_residency           = true
  required_tags = ["cost_center", "owner"]
  min_tiers                   = 2
  max_monthly_cost_usd        = 60000
}

emit "terraform" { path="generated/terraform" }
emit "litellm"   {   path = "generated/router/litellm.yaml"   }
