# The event wiring, as data only (no resources), so the offline tests can
# evaluate it with Terraform itself and compare it with shared/contract/topology.py.

locals {
  # Every topic of shared/contract/topology.TOPICS.
  topics = [
    "lines-posted",
    "features-ready",
    "predictions-scored",
    "ensemble-scored",
    "game-final",
    "diagnostics-daily",
    "alert-raised",
    "retrain-requested",
    "ensemble-deadline",
    "slates-due",
  ]

  # Entry point -> the topic that triggers it: shared/contract/topology.TRIGGERS, exactly.
  triggers = {
    schedule       = "slates-due"
    feature_store  = "lines-posted"
    scorer         = "features-ready"
    ensemble       = "predictions-scored"
    ensemble_sweep = "ensemble-deadline"
    grading        = "game-final"
    grading_late   = "ensemble-scored"
    diagnostics    = "diagnostics-daily"
    alerting       = "alert-raised"
    training       = "retrain-requested"
  }

  # Buckets that trigger functions, by role (shared/contract/topology.BUCKETS); the root module names them.
  buckets = ["landing"]

  # Entry point -> the bucket whose finalized objects trigger it: shared/contract/topology.BUCKET_TRIGGERS, exactly.
  storage_triggers = {
    ingest = "landing"
  }

  # Entry points whose code lives in another function's folder (shared/contract/topology.SOURCES).
  sources = {
    ensemble_sweep = "ensemble"
    grading_late   = "grading"
  }

  # What each entry point may touch beyond the dataset: the topics it publishes,
  # its access to the model bucket, whether it reads the alert webhook secret.
  access = {
    schedule       = { publishes = ["lines-posted", "ensemble-deadline"], models = "none", webhook = false }
    feature_store  = { publishes = ["features-ready"], models = "none", webhook = false }
    scorer         = { publishes = ["predictions-scored"], models = "read", webhook = false }
    ensemble       = { publishes = ["ensemble-scored"], models = "none", webhook = false }
    ensemble_sweep = { publishes = ["ensemble-scored"], models = "none", webhook = false }
    grading        = { publishes = [], models = "none", webhook = false }
    grading_late   = { publishes = [], models = "none", webhook = false }
    diagnostics    = { publishes = ["alert-raised"], models = "none", webhook = false }
    alerting       = { publishes = [], models = "none", webhook = true }
    training       = { publishes = [], models = "write", webhook = false }
    ingest         = { publishes = ["game-final", "lines-posted"], models = "none", webhook = false }
  }

  # Deployed once per prediction system, told apart by SYSTEM_ID (shared/contract/topology.PER_SYSTEM).
  per_system = ["scorer"]

  shared_functions = {
    for function in setsubtract(keys(local.triggers), local.per_system) : replace(function, "_", "-") => {
      function = function
      topic    = local.triggers[function]
      bucket   = null
      env      = {}
    }
  }

  per_system_functions = merge([
    for function in local.per_system : {
      for system_id in var.system_ids : "${replace(function, "_", "-")}-${replace(system_id, "_", "-")}" => {
        function = function
        topic    = local.triggers[function]
        bucket   = null
        env      = { SYSTEM_ID = system_id }
      }
    }
  ]...)

  # A deployment's trigger is a topic or a bucket (by role), never both.
  storage_functions = {
    for function, bucket in local.storage_triggers : replace(function, "_", "-") => {
      function = function
      topic    = null
      bucket   = bucket
      env      = {}
    }
  }

  # Deployment name -> function, trigger (topic or bucket) and extra env: topology.deployments().
  deployments = merge(local.shared_functions, local.per_system_functions, local.storage_functions)
}
