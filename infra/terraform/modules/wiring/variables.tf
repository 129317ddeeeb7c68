variable "system_ids" {
  type        = set(string)
  description = "Prediction systems to deploy a scorer for (shared/contract/markets.yaml system ids)."
}
