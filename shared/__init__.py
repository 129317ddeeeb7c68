"""Propflow's shared library: everything the Cloud Functions in functions/ import."""
