"""rectify: a rectification ledger (整改台账) on a local SQLite file."""

# A literal, not importlib.metadata: that costs ~25 ms at every start.
__version__ = "0.1.0"
