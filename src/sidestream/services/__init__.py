"""Use cases. Each owns its unit of work and talks to ports only."""
