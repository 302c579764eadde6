"""The large timing search's end: the work after it is given its processor time stretched by the
share of a processor the solve has had lately, so a loaded machine stops the search earlier."""

from __future__ import annotations

import pytest

from matcher.solve.timing import finish
from matcher.solve.timing.finish import Finish


class Machine:
    """A scripted clock: wall-clock seconds pass, and the process gets `share` of them."""

    def __init__(self) -> None:
        self.wall, self.cpu, self.share = 0.0, 0.0, 1.0

    def run(self, seconds: float, search: Finish | None = None) -> None:
        """Let the seconds pass, the search asking whether to stop every half second."""
        for _ in range(round(seconds * 2)):
            self.wall += 0.5
            self.cpu += 0.5 * self.share
            if search is not None:
                search.reached()

    def read(self) -> tuple[float, float]:
        return self.wall, self.cpu


@pytest.fixture
def machine(monkeypatch: pytest.MonkeyPatch) -> Machine:
    m = Machine()
    monkeypatch.setattr(finish, "clock", m.read)
    return m


def test_an_idle_machine_keeps_the_work_after_as_it_is(machine: Machine) -> None:
    f = Finish(end=100.0, after=5.0)
    machine.run(94.5, f)
    assert not f.reached()
    machine.run(0.5)
    assert f.reached()  # at 95


def test_a_loaded_machine_stops_the_search_earlier(machine: Machine) -> None:
    f = Finish(end=100.0, after=5.0)
    machine.run(20, f)
    machine.share = 0.25  # other work takes three quarters of the processor
    machine.run(59.5, f)
    assert not f.reached()
    machine.run(0.5)
    assert f.reached()  # at 80: 5 processor-seconds take 20 s now


def test_the_share_is_measured_over_the_recent_past(machine: Machine) -> None:
    machine.share = 0.1
    f = Finish(end=200.0, after=2.0)
    machine.run(50, f)
    assert f.reserve == pytest.approx(20.0)  # 2 / 0.1
    machine.share = 1.0  # the load went away: within a window the reserve is back to 2 s
    machine.run(30, f)
    assert f.reserve == pytest.approx(2.0)
    machine.run(117.5, f)
    assert not f.reached()
    machine.run(0.5)
    assert f.reached()  # at 198


def test_a_starved_process_keeps_a_bounded_reserve(machine: Machine) -> None:
    machine.share = 0.0
    f = Finish(end=1000.0, after=3.0, since=machine.read())
    machine.run(10, f)
    assert f.reserve == pytest.approx(3.0 / finish.LEAST_SHARE)


def test_since_counts_the_time_before_the_finish_was_made(machine: Machine) -> None:
    began = machine.read()
    machine.share = 0.5
    machine.run(5)  # building the problem, at half a processor
    f = Finish(end=100.0, after=4.0, since=began)
    assert f.reserve == pytest.approx(8.0)
