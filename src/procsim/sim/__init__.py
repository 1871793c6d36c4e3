"""Simulation: the engine (the only SimPy user), the set-up and the general path of its event
loop, its logbook, its random streams and its raw visit records."""
