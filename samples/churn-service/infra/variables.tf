variable "environment" {
  description = "dev or prod; names every resource"
  type        = string
  default     = "dev"
  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "image" {
  description = "The prediction service's image, as pushed by the build (REGISTRY/churn-service:TAG)"
  type        = string
}

variable "port" {
  description = "The port the service listens on"
  type        = number
  default     = 8080
}

variable "replicas" {
  type    = number
  default = 1
}
