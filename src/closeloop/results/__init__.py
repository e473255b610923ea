"""The results layer: a simulation's Dataset as files, and what a run records."""
