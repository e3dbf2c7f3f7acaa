"""Payment references: Belgian structured communication (OGM/VCS) and ISO 11649 RF."""

from __future__ import annotations

import hashlib

from stdnum import iso11649
from stdnum.be import ogm_vcs


def ogm_from_seed(seed: str) -> str:
    """A Belgian structured communication ``+++ddd/dddd/ddddd+++`` derived from ``seed``."""
    base = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 10**10
    check = base % 97 or 97
    digits = f"{base:010d}{check:02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def is_valid_reference(reference: str) -> bool:
    compact = reference.strip()
    if compact.startswith(("+++", "***")) or compact.replace("/", "").isdigit():
        return bool(ogm_vcs.is_valid(compact))
    if compact.upper().startswith("RF"):
        return bool(iso11649.is_valid(compact))
    return True  # other (free) references are accepted as given


def normalise_reference(reference: str) -> str:
    compact = reference.strip()
    if ogm_vcs.is_valid(compact):
        digits = ogm_vcs.compact(compact)
        return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"
    if iso11649.is_valid(compact):
        return str(iso11649.compact(compact))
    return compact
