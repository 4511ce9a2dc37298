# Least-privilege access: each workload gets invoke rights on exactly the deployments,
# inference profiles and destination regions its models use, on each cloud.

access "online-banking" {
  models = [model.assistant]
  aws    = ["arn:aws:iam::${var.aws_account_id}:role/ebk-online-banking-assistant"]
  azure  = ["3b9f6d1e-2c47-4a85-b0e3-7d12c9f4a6b8"] # Entra object id: managed identity mi-online-banking
  gcp    = ["serviceAccount:online-banking@${var.gcp_project}.iam.gserviceaccount.com"]
}

access "back-office" {
  models = [model.document-review, model.triage]
  aws = [
    "arn:aws:iam::${var.aws_account_id}:role/ebk-backoffice-workers",
    "arn:aws:iam::${var.aws_account_id}:role/ebk-mail-triage",
  ]
  azure = ["a4e07c52-91d6-4f3b-8e2a-65c1b0d9f7e4"] # Entra object id: group sg-backoffice-ai
  gcp = [
    "serviceAccount:backoffice-workers@${var.gcp_project}.iam.gserviceaccount.com",
    "group:ai-backoffice@europabank.eu",
  ]
}
