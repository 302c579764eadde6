"""The JSON API for organisers' scripts."""
