"""Reference strings shared by several parameter declarations (author, year, title)."""

RW = "Rescorla & Wagner 1972, A theory of Pavlovian conditioning"
BOUTON = "Bouton 2004, Context and behavioral processes in extinction"
MAIA = "Maia 2010, Two-factor theory, the actor-critic model, and conditioned avoidance"
MOWRER = "Mowrer 1947, On the dual nature of learning"
DAW = (
    "Daw, Niv & Dayan 2005, Uncertainty-based competition between prefrontal and "
    "dorsolateral striatal systems for behavioral control"
)
DAYAN_2006 = (
    "Dayan, Niv, Seymour & Daw 2006, The misbehavior of value and the discipline of the will"
)
DOWNEY = "Downey & Feldman 1996, Implications of rejection sensitivity for intimate relationships"
GOTTMAN_BIDS = (
    "Driver & Gottman 2004, Daily marital interactions and positive affect during marital "
    "conflict among newlywed couples"
)
RUSBULT = (
    "Rusbult 1980, Commitment and satisfaction in romantic associations: a test of the "
    "investment model"
)
CASCADE = (
    "Gottman 1993, A theory of marital dissolution and stability (the distance and isolation "
    "cascade)"
)
RUSBULT_1983 = (
    "Rusbult 1983, A longitudinal test of the investment model: the development (and "
    "deterioration) of satisfaction and commitment in heterosexual involvements"
)
ASSUMPTION = "modelling assumption"
"""The reference of a number no cited work pins down: a choice of the model, stated as such."""
