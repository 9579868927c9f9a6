"""The domain core: side streams, needs, reference data and their rules. Pure: no I/O."""
