"""Organiser accounts: log in and out, API tokens."""
