"""Reading and writing the import/export tables as CSV, Excel and GeoJSON files."""
