"""Adapters: the database, data files, file formats and solvers around the domain."""
