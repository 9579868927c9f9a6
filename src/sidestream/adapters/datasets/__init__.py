"""Loaders for the data files shipped inside the package (sidestream/data/)."""
