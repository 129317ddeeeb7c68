"""Player names as a join key: the same person however a feed spells them."""

from __future__ import annotations

import re
import unicodedata

SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v"}
# Nicknames a feed uses for a player the box scores name in full (normalised on both sides).
ALIASES = {
    "bj boston": "brandon boston",
    "herb jones": "herbert jones",
    "jake latz": "jacob latz",
    "moe wagner": "moritz wagner",
    "nicolas claxton": "nic claxton",
}


def normalize(name: object) -> str:
    """'José Ramírez Jr.' -> 'jose ramirez': no accents, punctuation, case, generational suffix or known nickname."""
    if not isinstance(name, str) or not name:
        return ""  # a missing name (NaN in a feed) matches nothing
    ascii_only = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z ]+", " ", ascii_only.lower().replace("'", "").replace(".", "")).split()
    words = [w for w in words if w not in SUFFIXES]
    # Initials spelled apart ("J. T. Ginn") read as the feeds write them ("JT Ginn").
    name = re.sub(r"\b(\w) (?=\w\b)", r"\1", " ".join(words))
    return ALIASES.get(name, name)
