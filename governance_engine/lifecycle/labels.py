"""Words for identifiers: what a page shows when a workflow file gives no ``title``.

``wg_review`` -> "WG review", ``no_quorum`` -> "No quorum", ``toc_sign_off`` -> "TOC sign off".
"""

from __future__ import annotations

from typing import Final

# Abbreviations people write in capitals; every other word stays lower-case.
ABBREVIATIONS: Final = frozenset(
    {"wg", "toc", "iesg", "iab", "ietf", "pmc", "rfc", "id", "ad", "tsc", "ab"}
)


def humanize(name: object) -> str:
    """An identifier in words, capitalised, with known abbreviations in capitals."""
    words = [word for word in str(name).replace("-", "_").split("_") if word]
    if not words:
        return ""
    shown = [word.upper() if word.lower() in ABBREVIATIONS else word for word in words]
    first = shown[0]
    shown[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(shown)
