"""Participants' personal pages and links."""
