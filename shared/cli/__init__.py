"""The `propflow` command."""
