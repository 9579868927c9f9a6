"""Fixtures shared by the integration tests of the web app."""

from tests.integration.test_web_auth import site

__all__ = ["site"]  # a running web app on the test registry, with a facilitator and a member
