"""The timing engine: place given meetings in slots with as few breaks as possible.

This is the B2B meeting scheduling problem (Bofill et al., JAIR 74, 2022): participants, meetings
between pairs of them, slots 0..T-1, at most `capacity` meetings per slot, allowed slots per
meeting (sessions, forbidden and fixed slots already applied), precedences, and fairness: the
break counts of any two participants differ by at most `fairness`. A break is a group of idle
slots between two consecutive meetings of a participant. `matcher solve` times its chosen pairs
with this engine and `matcher b2b` solves the benchmark with it.

Modules: `problem` (input and output), `model` (the CP-SAT model), `bounds` (per-participant
lower bounds), `greedy` (a first placement for the hint), `search` (the solve strategy),
`sandbox` (solves in a child process, for a CP-SAT setting that can abort its process).
"""

from matcher.solve.timing.model import TimingModel, count_breaks
from matcher.solve.timing.problem import TimingMeeting, TimingProblem, TimingResult
from matcher.solve.timing.search import solve_timing

__all__ = ["TimingMeeting", "TimingModel", "TimingProblem", "TimingResult", "count_breaks",
           "solve_timing"]
