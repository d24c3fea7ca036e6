# The churn service's environment, as infrastructure as code. Offline on purpose: the state lives
# in a local backend and every resource is a `terraform_data` (built into Terraform, so `init`
# downloads no provider). In a real project the same shape holds a cloud provider's resources:
# a bucket for models, a service running var.image, its DNS name.
terraform {
  required_version = ">= 1.4" # terraform_data arrived in 1.4
  backend "local" {
    path = "terraform.tfstate"
  }
}

locals {
  service_name = "churn-service-${var.environment}"
}

# Where the models of this environment are kept (a bucket, in a cloud).
resource "terraform_data" "model_store" {
  input = {
    name      = "${local.service_name}-models"
    retention = var.environment == "prod" ? "365d" : "30d"
  }
}

# The service itself: which image runs, on what port, how many replicas. A new image replaces it,
# as a new revision of a managed service would.
resource "terraform_data" "service" {
  triggers_replace = [var.image]
  input = {
    name        = local.service_name
    image       = var.image
    port        = var.port
    replicas    = var.replicas
    model_store = terraform_data.model_store.output.name
  }
}
