"""The simulation model: arrivals, channels, agents, routing, behaviour and the centre."""
