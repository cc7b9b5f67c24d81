"""Shifts and breaks from the requirement: the library behind ``ccsim schedule``."""
