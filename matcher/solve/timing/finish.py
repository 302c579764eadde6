"""When the timing search of a large event stops: early enough for the work that follows it.

What follows the search (seating, the schedule file, its check, writing or storing it) takes a
known number of processor-seconds, but on a loaded machine the process gets only a share of a
processor, and those seconds stretch by that share. So the search stops by the end less the
work after it divided by the share of a processor the process has had lately, measured as it
goes rather than guessed once at the start.
"""

from __future__ import annotations

import time
from collections import deque

WINDOW = 10.0  # seconds of recent history that measure the share of a processor
LEAST_SHARE = 0.05  # below this the reserve would swallow any time limit


def clock() -> tuple[float, float]:
    """The monotonic clock and the process's processor time, read together."""
    return time.monotonic(), time.process_time()


class Finish:
    """The end of a search that `after` processor-seconds of work must follow by `end` (a
    monotonic time); `since` is when the solve's own measurements began (default: now)."""

    def __init__(self, end: float, after: float = 0.0,
                 since: tuple[float, float] | None = None) -> None:
        self.end, self.after = end, after
        self.samples = deque([since or clock()])
        self.reserve = after
        self.sample()

    def sample(self) -> None:
        """Measure the share of a processor over the last WINDOW seconds, and the reserve."""
        now = clock()
        self.samples.append(now)
        while len(self.samples) > 2 and now[0] - self.samples[1][0] >= WINDOW:
            self.samples.popleft()
        wall, cpu = self.samples[0]
        span = now[0] - wall
        share = (now[1] - cpu) / span if span >= 1.0 else 1.0
        self.reserve = self.after / min(1.0, max(LEAST_SHARE, share))

    def reached(self) -> bool:
        """Whether the search must stop now (the share is measured again twice a second)."""
        now = clock()[0]
        if now - self.samples[-1][0] >= 0.5:
            self.sample()
        return now >= self.end - self.reserve
