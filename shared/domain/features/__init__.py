"""As-of features: declared per market in specs/<market>.yaml, computed in build.py."""
