"""Prediction systems: a model artifact in the blob store becomes a `Model` with one predict()."""
