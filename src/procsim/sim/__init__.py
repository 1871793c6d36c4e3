"""Simulation: the engine (the only SimPy user), its random streams and its raw visit records."""
