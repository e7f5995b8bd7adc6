"""Teller: branch desktop app for the Prozora/DCM e-hryvnia platform."""

__version__ = "0.1.0"
