"""Where the folders beside the package are: the one place that knows the tree's shape.

`shared/` sits at the root of the repository and of every function archive, with
`schemas/` and `functions/` beside it; the public data sets live in `../shared/data`
next to a checkout. Package data inside `shared/` is read with importlib.resources.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def beside(name: str) -> Path:
    """A folder at the root (schemas, functions); a clear error when it is not there."""
    path = ROOT / name
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no {name}/ folder beside the shared package")
    return path


# Beside the checkout, not inside it: the real data is never copied into the repository.
DATA_DIR = ROOT.parent / "shared" / "data"
