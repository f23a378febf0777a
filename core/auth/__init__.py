"""Signing in: passwords, the second factor, throttling, API tokens and password reset."""
