"""Errors in what was asked, as opposed to faults of the platform.

A lookup that finds nothing raises NotFound; a request that cannot be done as
things stand raises Invalid. They subclass KeyError and ValueError, which
callers already catch, so raising them changes no caller. `propflow` answers
either with one line and exit status 2: a traceback would read as a bug.
"""

from __future__ import annotations


class NotFound(KeyError):
    """A market, system, version, event or experiment that does not exist; the message lists what does."""


class Invalid(ValueError):
    """A request that cannot be done as things stand: a disabled version, no history to roll back to, too few rows."""
