"""confkg: a knowledge graph of security-cooperation conferences reported in Arabic news."""

__version__ = "0.1.0"
