"""What the web pages and the HTTP API share: who is asking, CSRF, security headers and the
problem responses of errors."""
