"""Server-rendered pages (Jinja2), each with a JSON twin from the same service call."""
