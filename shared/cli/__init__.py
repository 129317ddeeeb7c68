"""The `propflow` command: main.py holds the top group, one module per command group adds its commands;
errors.py answers user errors in one line, params.py checks the shared options, render.py draws tables."""
