"""Entrypoints: the HTTP API, the web pages and the command line. They do not import each other."""
