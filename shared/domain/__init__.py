"""Pure domain logic: odds, distributions, the decision, drift, features. No I/O."""
