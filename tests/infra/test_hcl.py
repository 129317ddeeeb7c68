"""infra.hcl reads python-hcl2 8.1.4's source-form output as Terraform means it."""

from __future__ import annotations

from pathlib import Path

from infra import hcl
from infra.hcl import Expression

SOURCE = r"""
topic      = "alert-raised"
escaped    = "say \"hi\" $${not.interpolated}\n"
expression = var.project_id
reference  = google_cloudfunctions2_function.this.service_config[0].uri
template   = "${var.name}-dead-letter"
wrapped    = "${var.name}"
identifier = string
per_system = ["scorer"]
access     = { scorer = { publishes = ["predictions-scored"], webhook = false, models = var.access } }
number     = 600
literal_heredoc = <<-EOT
  gcloud pubsub subscriptions update "$SUB"
EOT
template_heredoc = <<-EOT
  ${var.x}
EOT

resource "google_pubsub_subscription" "push" {
  count = 1
  name  = "push"

  push_config {
    push_endpoint = "https://example.com"
  }
  retry_policy {}
  retry_policy {}
  labels = { app = "propflow" }

  dynamic "dead_letter_policy" {
    for_each = [1]
    content {
      max_delivery_attempts = dead_letter_policy.value
    }
  }
}
"""


def read(tmp_path: Path) -> hcl.Body:
    path = tmp_path / "main.tf"
    path.write_text(SOURCE)
    return hcl.read_file(path)


def test_literals_lose_their_quotes_and_keep_their_shape(tmp_path: Path) -> None:
    values = read(tmp_path).attributes
    assert values["topic"] == "alert-raised"
    assert values["escaped"] == 'say "hi" ${not.interpolated}\n'
    assert values["per_system"] == ["scorer"]
    assert values["access"] == {
        "scorer": {"publishes": ["predictions-scored"], "webhook": False, "models": Expression("var.access")}
    }
    assert values["number"] == 600
    assert values["literal_heredoc"] == 'gcloud pubsub subscriptions update "$SUB"'


def test_expressions_and_templates_are_never_literals(tmp_path: Path) -> None:
    values = read(tmp_path).attributes
    assert values["expression"] == Expression("var.project_id")
    assert values["reference"] == Expression("google_cloudfunctions2_function.this.service_config[0].uri")
    assert values["template"] == Expression('"${var.name}-dead-letter"')
    assert values["wrapped"] == Expression('"${var.name}"')
    assert values["identifier"] == Expression("string")
    assert isinstance(values["template_heredoc"], Expression)


def test_code_blanks_string_text_and_keeps_interpolations() -> None:
    expression = Expression('"${google_x.a.id}/google_y.b.id ${upper("google_z.c")}"')
    assert expression.code == '"${google_x.a.id}               ${upper("          ")}"'
    assert len(expression.code) == len(expression.source)


def test_blocks_and_attributes_stay_apart(tmp_path: Path) -> None:
    (subscription,) = read(tmp_path).blocks_of("resource")
    header = SOURCE.splitlines().index('resource "google_pubsub_subscription" "push" {') + 1
    assert (subscription.type, subscription.labels, subscription.line) == (
        "resource",
        ("google_pubsub_subscription", "push"),
        header,
    )
    assert subscription.attributes == {"count": 1, "name": "push", "labels": {"app": "propflow"}}
    assert [b.type for b in subscription.blocks] == ["push_config", "retry_policy", "retry_policy", "dynamic"]
    (dynamic,) = subscription.blocks_of("dynamic")
    assert dynamic.labels == ("dead_letter_policy",)
    assert dynamic.blocks_of("content")[0].attributes == {
        "max_delivery_attempts": Expression("dead_letter_policy.value")
    }
    assert Expression("dead_letter_policy.value") in subscription.expressions()
