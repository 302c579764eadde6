"""An event's settings, participants and imports."""
