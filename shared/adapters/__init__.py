"""Adapters behind the ports in shared/ports.py, one module per backend.

Chosen by PROPFLOW_BACKEND in shared/runtime.py and imported lazily there, so
the local backend never imports a google client.
"""
