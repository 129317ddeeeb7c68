"""Feed specs: a feed described by a YAML file (what kind of data, how to read it), and the pure reading of it."""
