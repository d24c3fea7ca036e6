output "service_name" {
  value = terraform_data.service.output.name
}

output "image" {
  value = terraform_data.service.output.image
}

output "model_store" {
  value = terraform_data.model_store.output.name
}
