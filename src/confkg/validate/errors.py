"""The errors the validate stage raises for input it cannot read."""

from __future__ import annotations


class ValidationInputError(Exception):
    """An RDF file or graph that cannot be validated: missing, unreadable or malformed.

    The message names the file and carries the parser's own message, so a user can
    find the broken line without a traceback.
    """
