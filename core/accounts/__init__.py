"""Organisations, users and their memberships."""
