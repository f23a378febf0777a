"""The audit chain: every business operation leaves a hash-linked event."""
