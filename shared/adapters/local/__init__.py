"""The embedded default: DuckDB, a folder, an in-process bus."""
