variable "system_ids" {
  type        = set(string)
  description = "Prediction systems to deploy a scorer for (shared/markets.yaml system ids)."
}
