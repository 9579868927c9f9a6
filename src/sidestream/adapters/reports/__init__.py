"""Reports written to files: impact reports for funders (HTML) and their tables (CSV)."""
