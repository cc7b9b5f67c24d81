"""ccsim: a discrete-event simulator of a multichannel contact centre.

A planner describes a centre in a YAML scenario (demand, channels, customer behaviour,
agent pools, a channel policy, costs); :func:`sim.experiment.run_scenario` simulates it
over replications and returns tidy results.
"""

__version__ = "0.1.0"
