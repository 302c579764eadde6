"""The `matcher` command: output, exit codes, and one clear message with nothing written on errors."""

from __future__ import annotations

import io
import json
import re
import sys

import pytest

from matcher.cli import main
from matcher.model.schedule import Schedule


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_solve_prints_timetable_and_writes_schedule(capsys, write, tiny, tmp_path) -> None:
    out_file = tmp_path / "schedule.json"
    code, out, _ = run(capsys, "solve", write(tiny), "--time-limit", "10", "--out", out_file)
    assert code == 0
    assert "s1  14:00-14:20" in out and "meetings per startup: a " in out
    schedule = json.loads(out_file.read_text())
    assert schedule["format"] == 1 and f"status {schedule['status']}" in out
    code, out, _ = run(capsys, "check", write(tiny), out_file)
    assert code == 0 and "all rules hold" in out


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda e: e.update(timezone="Mars/Olympus"), "Mars/Olympus is not a time zone"),
    (lambda e: e["startups"][0].update(field="fintek"),
     "startups[0] (a).field: fintek is not one of the event's fields"),
    (lambda e: e["investors"][0].update(avoid=["a"]) or e.update(
        required=[{"startup": "a", "investor": "x"}]), "Xavier avoids Alpha"),
])
def test_bad_event_exits_2_without_writing(capsys, write, tiny, tmp_path, mutate,
                                           message) -> None:
    mutate(tiny)
    out_file = tmp_path / "schedule.json"
    code, out, err = run(capsys, "solve", write(tiny), "--out", out_file)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not out_file.exists()


def test_broken_json_exits_2_naming_line(capsys, write, tmp_path) -> None:
    code, _, err = run(capsys, "solve", write('{"format": 1,,}'), "--out", tmp_path / "s.json")
    assert code == 2 and "line 1 column 14: not valid JSON" in err
    assert not (tmp_path / "s.json").exists()


def test_infeasible_event_exits_3_keeping_old_schedule(capsys, write, tiny, tmp_path) -> None:
    out_file = tmp_path / "schedule.json"
    out_file.write_text("previous content")
    tiny["startups"][0]["min_meetings"] = 3
    tiny["startups"][0]["unavailable"] = ["s1"]
    code, _, err = run(capsys, "solve", write(tiny), "--out", out_file)
    assert code == 3
    assert "a needs at least 3 meetings but is free in only 2 slots" in err
    assert out_file.read_text() == "previous content"


def test_check_lists_every_broken_rule_and_exits_1(capsys, write, tiny) -> None:
    schedule = {"format": 1, "status": "feasible", "score": 5, "bound": 5, "breaks": 0,
                "table_changes": 0, "seconds": 1.0, "meetings": [
                    {"startup": "a", "investor": "x", "slot": "s1", "table": "T1", "score": 2,
                     "uid": "u1", "sequence": 0},
                    {"startup": "b", "investor": "x", "slot": "s1", "table": "T1", "score": 1,
                     "uid": "u2", "sequence": 0}]}
    code, out, _ = run(capsys, "check", write(tiny), write(schedule, "schedule.json"))
    assert code == 1
    assert "x has two meetings in s1" in out
    assert "table T1 has two meetings in s1" in out
    assert "the schedule claims score 5, but its meetings give 3" in out


def test_check_refuses_malformed_schedule(capsys, write, tiny) -> None:
    code, _, err = run(capsys, "check", write(tiny), write({"format": 1}, "schedule.json"))
    assert code == 2 and "schedule.json is not a valid schedule file" in err
    assert "status: This is required." in err


def test_schema_describes_the_event_format(capsys) -> None:
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0
    assert {"format", "slots", "startups", "investors"} <= set(schema["properties"])
    assert set(schema["required"]) == {"format", "name", "timezone", "slots", "tables"}


@pytest.mark.parametrize("limit", ["0", "-3", "soon"])
def test_time_limit_must_be_a_positive_number(capsys, write, tiny, limit) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["solve", str(write(tiny)), "--time-limit", limit])
    assert caught.value.code == 2
    assert "--time-limit" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "option"), [
    (["b2b", "x.dzn", "--fairness", "-1"], "--fairness"),
    (["b2b", "x.dzn", "--fairness", "two"], "--fairness"),
    (["bench", "b2b", ".", "--fairness", "-1"], "--fairness"),
    (["bench", "--seeds", "0"], "--seeds"),
])
def test_counts_must_be_whole_numbers_in_range(capsys, argv, option) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert option in capsys.readouterr().err


@pytest.mark.parametrize("target", ["folder", "missing/deeper/s.json"])
def test_output_path_is_checked_before_solving(capsys, write, tiny, tmp_path, target) -> None:
    (tmp_path / "folder").mkdir()
    out = tmp_path / target
    code, out_text, err = run(capsys, "solve", write(tiny), "--out", out)
    if target == "folder":
        assert code == 2 and "it is a folder" in err and out_text == ""
    else:
        assert code == 0 and out.exists()  # missing folders are created


def test_event_with_byte_order_mark_loads(capsys, write, tiny) -> None:
    path = write(tiny)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code, _, _ = run(capsys, "solve", path, "--time-limit", "5")
    assert code == 0


def test_explain_names_an_unknown_participant(capsys, write, tiny, tmp_path) -> None:
    out_file = tmp_path / "s.json"
    assert run(capsys, "solve", write(tiny), "--out", out_file)[0] == 0
    code, _, err = run(capsys, "explain", write(tiny), out_file, "--participant", "nobody")
    assert code == 2 and "has no participant nobody" in err
    code, out, _ = run(capsys, "explain", write(tiny), out_file, "--participant", "a")
    assert code == 0 and "made no wishes" in out


def test_now_without_previous_is_refused(capsys, write, tiny) -> None:
    code, _, err = run(capsys, "solve", write(tiny), "--now", "s2")
    assert code == 2 and "--now needs --previous" in err
    code, _, err = run(capsys, "solve", write(tiny), "--now", "s9")
    assert code == 2 and "--now s9 is not a slot" in err


def with_a_meeting_twice(schedule: Schedule) -> Schedule:
    """The schedule with its first meeting listed again under another uid: it breaks a rule."""
    first = schedule.meetings[0]
    again = first.model_copy(update={"uid": "again@matcher"})
    return schedule.model_copy(update={"meetings": (*schedule.meetings, again)})


def test_solve_never_writes_a_schedule_that_breaks_a_rule(capsys, write, tiny, tmp_path,
                                                          monkeypatch) -> None:
    from matcher import cli
    from matcher.solve.solver import solve_instance

    monkeypatch.setattr(cli, "solve_instance",
                        lambda *a, **k: with_a_meeting_twice(solve_instance(*a, **k)))
    out_file = tmp_path / "schedule.json"
    code, out, err = run(capsys, "solve", write(tiny), "--time-limit", "5", "--out", out_file)
    assert code == 1 and not out_file.exists() and out == ""
    assert "breaks the rules, so it is not written:" in err and "meet more than once" in err


class Terminal(io.StringIO):
    """Standard error as a terminal."""

    def isatty(self) -> bool:
        return True


def test_solve_shows_a_progress_line_on_a_terminal_only(monkeypatch, capsys, write, tiny,
                                                        ) -> None:
    path = str(write(tiny))
    assert main(["solve", path, "--time-limit", "5"]) == 0
    assert "\r" not in capsys.readouterr().err  # not a terminal: plain output
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["solve", path, "--time-limit", "5"]) == 0
    shown = terminal.getvalue()
    assert shown.startswith("\r\x1b[K") and shown.endswith("\r\x1b[K")  # drawn, then cleared
    assert re.search(r"\d+\.\d s  pairs  score (\d+), bound \1, gap 0\.00%", shown)


def test_progress_line_tells_stage_score_bound_gap_breaks_and_time() -> None:
    from matcher.report import ProgressLine
    from matcher.solve.cpsat import Progress

    terminal = Terminal()
    line = ProgressLine(terminal)
    line(Progress("pairs", 90, 100, 0.5))
    line.shown = 0.0  # the next update is not held back
    line(Progress("timing", 7, 2, 1.0))
    last = terminal.getvalue().split("\r\x1b[K")[-1]
    assert "timing" in last and "score 90, bound 100, gap 10.00%" in last and "breaks 7" in last
    assert last.strip().split()[1] == "s"  # elapsed seconds come first


def test_summary_of_a_large_event_lists_the_first_startups_only() -> None:
    from matcher.bench.generate import TradeSize, generate_trade
    from matcher.model.instance import Instance
    from matcher.report import MAX_LISTED, summary
    from matcher.solve.solver import solve

    event = generate_trade(TradeSize("t", buyers=50, exhibitors=45, days=1, slots_per_day=6,
                                     diary=0.5), 0)
    text = summary(Instance(event), solve(event, time_limit=10))
    line = next(x for x in text.splitlines() if x.startswith("meetings per startup:"))
    assert line.count(",") == MAX_LISTED - 1 and "and 5 more (see the schedule file)" in line
