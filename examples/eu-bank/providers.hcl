# Cloud accounts. None of these attributes is a credential: Meridian and the generated
# Terraform/Pulumi authenticate from the environment (workload identity in CI).

provider "azure" "corp" {
  subscription_id = var.azure_subscription_id
  tenant_id       = local.tenant_id
  resource_group  = "rg-ebk-ai-${var.environment}"

  # Accounts are reachable only over private endpoints in the hub network.
  network {
    public_access              = false
    private_endpoint_subnet_id = "/subscriptions/${var.azure_subscription_id}/resourceGroups/rg-ebk-network/providers/Microsoft.Network/virtualNetworks/vnet-ebk-hub-swc/subnets/snet-ai-endpoints"
  }

  # Customer-managed key in the bank's EU Key Vault (versionless URL: rotation is automatic).
  encryption {
    key_id = "https://kv-ebk-ai-swc.vault.azure.net/keys/cmk-openai"
  }

  # Data loss prevention on the account (outbound_network_access_restricted) is not used:
  # the accounts have no route to the internet, all egress passes the hub firewall.
  waiver "CKV_AZURE_247" {
    reason = "Egress is denied by the hub firewall (Azure Firewall policy fwp-ebk-hub); accepted in risk review R-2025-31"
  }
}

provider "aws" "corp" {
  account_id = var.aws_account_id
  partition  = "aws"

  # KMS key in Frankfurt for guardrails, logs and application inference profiles.
  encryption {
    key_id = "arn:aws:kms:eu-central-1:${var.aws_account_id}:key/6c1f0e52-8a3d-4b7e-9f21-d0a4c3b85e17"
  }
}

provider "gcp" "corp" {
  project = var.gcp_project
}
