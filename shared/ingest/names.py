"""Player names as a join key: the same person however a feed spells them."""

from __future__ import annotations

import re
import unicodedata

SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v"}


def normalize(name: object) -> str:
    """'José Ramírez Jr.' -> 'jose ramirez': no accents, punctuation, case or generational suffix."""
    if not isinstance(name, str) or not name:
        return ""  # a missing name (NaN in a feed) matches nothing
    ascii_only = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z ]+", " ", ascii_only.lower().replace("'", "").replace(".", "")).split()
    return " ".join(w for w in words if w not in SUFFIXES)
