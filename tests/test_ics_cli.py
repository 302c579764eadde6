"""`matcher ics`: the files it writes, its refusals (exit 2, nothing written) and --send."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest

from matcher.cli import main
from matcher.model.files import write_json
from tests.ics_cases import event, meeting, schedule
from tests.loopback_smtp import Inbox, smtp_server

EV = event("Asia/Hong_Kong", [("2023-09-13T14:00", "2023-09-13T14:20"),
                              ("2023-09-13T14:25", "2023-09-13T14:45")])
OLD = schedule(meeting(EV, "alpha", "vc1", "s1"), meeting(EV, "beta", "vc2", "s1", "T2"),
               meeting(EV, "gamma", "vc2", "s2"))
NEW = schedule(meeting(EV, "alpha", "vc1", "s1"), meeting(EV, "beta", "vc2", "s2", sequence=1))


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A folder with event.json, old.json and new.json."""
    write_json(tmp_path / "event.json", EV)
    write_json(tmp_path / "old.json", OLD)
    write_json(tmp_path / "new.json", NEW)
    return tmp_path


def read(path: Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


def written(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_writes_a_file_per_participant_and_one_for_the_organiser(files: Path, capsys) -> None:
    out = files / "ics"
    assert main(["ics", str(files / "event.json"), str(files / "old.json"), "--out-dir", str(out),
                 "--agenda-url", "https://finals.example/agenda/{id}"]) == 0
    assert written(out) == ["alpha.ics", "beta.ics", "event.ics", "gamma.ics", "vc1.ics", "vc2.ics"]
    assert capsys.readouterr().out == f"6 calendar files written to {out}\n"
    vc2 = read(out / "vc2.ics")
    assert vc2["METHOD"] == "PUBLISH"
    assert [e.uid for e in vc2.events] == [OLD.meetings[1].uid, OLD.meetings[2].uid]
    assert vc2.events[0]["URL"] == "https://finals.example/agenda/vc2"
    assert "ORGANIZER" not in vc2.events[0]  # no --organiser


def test_previous_writes_cancellations(files: Path) -> None:
    out = files / "ics"
    assert main(["ics", str(files / "event.json"), str(files / "new.json"), "--out-dir", str(out),
                 "--previous", str(files / "old.json"), "--organiser", "desk@finals.example",
                 "--organiser-name", "Finals Desk"]) == 0
    # gamma/vc2 is gone: gamma has nothing left, vc2 still meets beta.
    assert written(out) == ["alpha.ics", "beta.ics", "cancelled/event.ics", "cancelled/gamma.ics",
                            "cancelled/vc2.ics", "event.ics", "gamma.ics", "vc1.ics", "vc2.ics"]
    gamma = read(out / "gamma.ics")
    assert gamma["METHOD"] == "CANCEL"
    [cancelled] = gamma.events
    assert (cancelled.uid, cancelled.sequence, cancelled["STATUS"]) == \
        (OLD.meetings[2].uid, 1, "CANCELLED")
    assert str(cancelled["ORGANIZER"]) == "mailto:desk@finals.example"
    assert read(out / "vc2.ics")["METHOD"] == "PUBLISH"
    assert [e.uid for e in read(out / "cancelled/vc2.ics").events] == [OLD.meetings[2].uid]
    assert [(e.uid, e.sequence) for e in read(out / "beta.ics").events] == [(NEW.meetings[1].uid, 1)]


def refused(files: Path, capsys, *args: str) -> str:
    """Run `matcher ics` expecting exit 2 and nothing written; return its one line of error."""
    out = files / "ics"
    assert main(["ics", *args, "--out-dir", str(out)]) == 2
    assert not out.exists()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    return captured.err.removesuffix("\n")


def test_a_schedule_of_another_event_is_refused(files: Path, capsys) -> None:
    write_json(files / "other.json", schedule(meeting(EV, "alpha", "vc7", "s1")))
    error = refused(files, capsys, str(files / "event.json"), str(files / "other.json"))
    assert error == (f"error: {files / 'other.json'}: the schedule does not fit the event: meeting 1 "
                     "(alpha/vc7) names unknown investor vc7")


def test_a_move_without_a_higher_sequence_is_refused(files: Path, capsys) -> None:
    write_json(files / "moved.json", schedule(meeting(EV, "alpha", "vc1", "s2")))
    error = refused(files, capsys, str(files / "event.json"), str(files / "moved.json"),
                    "--previous", str(files / "old.json"), "--organiser", "desk@finals.example")
    assert error.startswith(f"error: {files / 'moved.json'} (after {files / 'old.json'}): meeting "
                            "alpha/vc1 (uid ")
    assert error.endswith("but kept sequence 0: it must rise, or calendars ignore the move")


@pytest.mark.parametrize(("args", "message"), [
    (["missing.json", "new.json"], "error: cannot read {dir}/missing.json: No such file or directory"),
    (["event.json", "new.json", "--previous", "old.json"],
     "error: --previous and --send need --organiser EMAIL: cancellations and e-mailed invitations "
     "must name their organiser"),
    (["event.json", "new.json", "--organiser", "desk"],
     "error: --organiser 'desk' is not an e-mail address such as events@example.org"),
    (["event.json", "new.json", "--organiser", "desk@finals.example", "--send"],
     "error: --send needs an SMTP server: set MATCHER_SMTP_HOST (see the README)"),
])
def test_bad_input_is_one_line_naming_the_culprit(files: Path, capsys, monkeypatch, args: list[str],
                                                  message: str) -> None:
    monkeypatch.delenv("MATCHER_SMTP_HOST", raising=False)
    paths = [str(files / a) if a.endswith(".json") else a for a in args]
    assert refused(files, capsys, *paths) == message.format(dir=files)


def test_broken_json_is_refused(files: Path, capsys) -> None:
    (files / "broken.json").write_text('{"format": 1,')
    error = refused(files, capsys, str(files / "event.json"), str(files / "broken.json"))
    assert error.startswith(f"error: {files / 'broken.json'} line 1 column 14: not valid JSON")


def test_bad_smtp_settings_are_refused_before_anything_is_written(files: Path, capsys,
                                                                   monkeypatch) -> None:
    monkeypatch.setenv("MATCHER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MATCHER_SMTP_PORT", "twenty-five")
    error = refused(files, capsys, str(files / "event.json"), str(files / "new.json"), "--send",
                    "--organiser", "desk@finals.example")
    assert error == "error: MATCHER_SMTP_PORT is 'twenty-five': give a port number such as 587"


def test_send_mails_the_changes_and_reports_who_has_no_address(files: Path, capsys,
                                                               monkeypatch) -> None:
    inbox = Inbox(refuse={"omar@fund.example"})
    out = files / "ics"
    with smtp_server(inbox) as port:
        monkeypatch.setenv("MATCHER_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("MATCHER_SMTP_PORT", str(port))
        monkeypatch.setenv("MATCHER_SMTP_SECURITY", "none")
        code = main(["ics", str(files / "event.json"), str(files / "new.json"), "--out-dir", str(out),
                     "--previous", str(files / "old.json"), "--organiser", "desk@finals.example",
                     "--send"])
    captured = capsys.readouterr()
    # beta/vc2 moved (to beta and Omar), gamma/vc2 is cancelled (Omar; Gamma has no address).
    assert [(to, m.get_body(("calendar",)).get_param("method")) for _, to, m in inbox.received] == \
        [(["hi@beta.example"], "REQUEST")]
    assert captured.out.splitlines() == [
        f"9 calendar files written to {out}",
        "no e-mail address for gamma: give them their calendar file instead",
        "1 of 3 messages sent"]
    assert captured.err.splitlines() == [
        "not sent to omar@fund.example (vc2), 'Updated: Beta Bio meets Omar Patel, 13 Sept 14:25': "
        "550 5.1.1 no such mailbox here",
        "not sent to omar@fund.example (vc2), 'Cancelled: Gamma Grid meets Omar Patel, 13 Sept 14:25': "
        "550 5.1.1 no such mailbox here"]
    assert code == 5
    assert (out / "vc2.ics").exists()  # a failure to send loses nothing


def test_an_out_dir_that_cannot_be_written_is_refused_before_anything_is_written(files: Path,
                                                                                 capsys) -> None:
    blocker = files / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    assert main(["ics", str(files / "event.json"), str(files / "new.json"), "--out-dir",
                 str(blocker)]) == 2
    assert capsys.readouterr().err == (f"error: cannot write {blocker / 'event.ics'}: {blocker} is "
                                       "not a writable folder\n")
    assert blocker.read_text() == "a file where the folder should be"


def test_a_previous_schedule_of_an_older_event_asks_for_that_event(files: Path, capsys) -> None:
    data = EV.model_dump(mode="json")
    data["investors"] = [i for i in data["investors"] if i["id"] != "vc2"]
    write_json(files / "smaller.json", data)
    write_json(files / "kept.json", schedule(NEW.meetings[0]))
    common = [str(files / "smaller.json"), str(files / "kept.json"), "--previous",
              str(files / "old.json"), "--organiser", "desk@finals.example"]
    error = refused(files, capsys, *common)
    assert error == (f"error: {files / 'kept.json'} (after {files / 'old.json'}): the previous "
                     "schedule does not fit its event: meeting 2 (beta/vc2) names unknown investor "
                     f"vc2 (and 1 more); if {files / 'old.json'} was made for another event, give it "
                     "with --previous-event")
    out = files / "ics"
    assert main(["ics", *common, "--previous-event", str(files / "event.json"), "--out-dir",
                 str(out)]) == 0
    assert read(out / "vc2.ics")["METHOD"] == "CANCEL"
