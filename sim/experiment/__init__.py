"""Running experiments on the model: replications, their statistics and their tables.

Apart from the model (which only simulates and counts) and from presentation (which prints
and draws): functions here return results and never print.
"""
