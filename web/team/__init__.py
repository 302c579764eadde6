"""An event's team: its owner adds co-organisers and viewers, and removes them."""
