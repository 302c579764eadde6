"""On the day: the check-in desk, meeting ratings and no-shows, the organiser's dashboard."""
