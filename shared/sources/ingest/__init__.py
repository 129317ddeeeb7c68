"""Loading the real public data in ../shared/data into the warehouse (`propflow ingest`)."""
