"""The model: pure kernels over immutable pytrees, written against an array namespace ``xp``.

``person`` (the threat template, learning, the passing of time), ``response`` (the person's
response as probabilities, sampling and log-probability), ``world`` (the adult world's offers),
``history`` (the early history), ``healing`` (interventions), ``couple`` (a day of a
relationship) and ``decisions`` (the couple-day's named draws and decisions). No JAX import, no
input or output, no prose: the engine scans these, the references run them under NumPy.
"""
