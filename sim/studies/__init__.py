"""Studies built on the simulator: fitting scenarios to data, and the like."""
