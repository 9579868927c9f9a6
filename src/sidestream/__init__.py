"""sidestream: a regional industrial circular economy platform."""

__version__ = "0.1.0"
