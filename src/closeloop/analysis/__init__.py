"""Numbers computed from simulated Datasets: no words, no figures, no files."""
