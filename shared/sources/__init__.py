"""Where data comes from: the synthetic league and its feed, the real data sets' ingestion."""
