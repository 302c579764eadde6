"""matcher: investor-startup matchmaking schedules, solved with CP-SAT."""

import time

# When the command began, before its imports (a second or two, more on a loaded machine):
# `matcher solve --time-limit` counts from here.
STARTED = time.monotonic()
