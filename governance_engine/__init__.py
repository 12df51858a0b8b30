"""governance-engine: system of record for an alliance's governance."""

__version__ = "0.1.0"
