"""Calendar files: right instants for two parsers, stable UIDs, sequences, attendees, cancellations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from matcher.invites.ics import (
    Organiser,
    calendar,
    calendar_stream,
    export,
    problems,
    removed,
    vtimezone,
)
from matcher.model.event import Event
from matcher.model.files import BadFile, parse
from tests.ics_cases import event, event_data, icaljs, meeting, schedule

ORGANISER = Organiser(email="desk@finals.example", name="Finals Desk")
STAMP = datetime(2023, 9, 1, 8, 30, tzinfo=UTC)


def link(who: str) -> str:
    return f"https://finals.example/agenda/{who}"


def utc(text: str) -> datetime:
    """An ISO time; without an offset, in UTC."""
    time = datetime.fromisoformat(text)
    return time if time.tzinfo else time.replace(tzinfo=UTC)


HK = event("Asia/Hong_Kong", [("2023-09-13T14:00", "2023-09-13T14:20"),
                              ("2023-09-13T14:25", "2023-09-13T14:45"),
                              ("2023-09-13T14:50", "2023-09-13T15:10")])
HK_SCHEDULE = schedule(meeting(HK, "alpha", "vc1", "s1"),
                       meeting(HK, "alpha", "vc2", "s2", sequence=2),
                       meeting(HK, "beta", "vc1", "s2", "T2", sequence=1),
                       meeting(HK, "beta", "vc3", "s3"),
                       meeting(HK, "gamma", "vc2", "s3", "T2"))
# Hong Kong keeps UTC+8 all year.
HK_UTC = {"s1": ("2023-09-13T06:00", "2023-09-13T06:20"),
          "s2": ("2023-09-13T06:25", "2023-09-13T06:45"),
          "s3": ("2023-09-13T06:50", "2023-09-13T07:10")}

# London, the night British Summer Time ends: at 01:00 UTC (02:00 BST) clocks go back to 01:00 GMT,
# so local times from 01:00 to 02:00 happen twice; RFC 5545 reads them as the first time.
LONDON = event("Europe/London", [("2023-10-29T00:00", "2023-10-29T00:40"),
                                 ("2023-10-29T00:45", "2023-10-29T01:30"),
                                 ("2023-10-29T01:35", "2023-10-29T02:10"),
                                 ("2023-10-29T02:15", "2023-10-29T03:00")])
LONDON_SCHEDULE = schedule(meeting(LONDON, "alpha", "vc1", "s1"),
                           meeting(LONDON, "alpha", "vc2", "s2"),
                           meeting(LONDON, "beta", "vc1", "s3"),
                           meeting(LONDON, "gamma", "vc3", "s3", "T2"),
                           meeting(LONDON, "beta", "vc2", "s4"))
LONDON_UTC = {"s1": ("2023-10-28T23:00", "2023-10-28T23:40"),  # BST, UTC+1
              "s2": ("2023-10-28T23:45", "2023-10-29T00:30"),  # ends in the repeated hour, first time
              "s3": ("2023-10-29T00:35", "2023-10-29T02:10"),  # across the change: BST to GMT
              "s4": ("2023-10-29T02:15", "2023-10-29T03:00")}  # GMT, UTC+0

CASES = {"hong-kong": (HK, HK_SCHEDULE, HK_UTC), "london": (LONDON, LONDON_SCHEDULE, LONDON_UTC)}


def write(files: dict[str, icalendar.Calendar], folder: Path) -> dict[str, Path]:
    paths = {}
    for name, cal in files.items():
        paths[name] = folder / name
        paths[name].parent.mkdir(parents=True, exist_ok=True)
        paths[name].write_bytes(cal.to_ical())
    return paths


@pytest.mark.parametrize("case", CASES)
def test_every_meeting_is_at_its_instant_for_icalendar_and_icaljs(case: str, tmp_path: Path) -> None:
    ev, sched, expected = CASES[case]
    paths = write(export(ev, sched, organiser=ORGANISER, agenda_link=link, stamp=STAMP), tmp_path)
    slot_of = {m.uid: m.slot for m in sched.meetings}
    seen = 0
    for name, read in zip(paths, icaljs(*paths.values()), strict=True):
        assert read["timezones"] == [ev.timezone], name
        parsed = icalendar.Calendar.from_ical(paths[name].read_bytes())
        for by_js, by_py in zip(read["events"], parsed.events, strict=True):
            start, end = (utc(t) for t in expected[slot_of[by_js["uid"]]])
            assert (utc(by_js["start"]), utc(by_js["end"])) == (start, end), name
            assert by_py.start == start and by_py.end == end, name
            seen += 1
    # event.ics has every meeting; each participant's file each of theirs (two parties a meeting).
    assert seen == 3 * len(sched.meetings)


def test_a_time_that_happens_twice_is_written_in_utc_the_others_with_the_tzid() -> None:
    text = calendar(LONDON, LONDON_SCHEDULE.meetings, "PUBLISH", stamp=STAMP).to_ical().decode()
    assert "DTSTART;TZID=Europe/London:20231029T000000\r\n" in text
    assert "DTEND;TZID=Europe/London:20231029T030000\r\n" in text
    # s2 ends and s3 starts in the repeated hour: both times of both meetings in UTC.
    assert "DTSTART:20231028T234500Z\r\nDTEND:20231029T003000Z\r\n" in text
    assert "DTSTART:20231029T003500Z\r\nDTEND:20231029T021000Z\r\n" in text


ZONE_NIGHTS = {
    "Europe/London": [("2023-03-25T22:00", 8), ("2023-10-28T22:00", 8)],
    "America/New_York": [("2023-03-11T22:00", 8), ("2023-11-04T22:00", 8)],
    "Australia/Lord_Howe": [("2023-04-01T22:00", 8), ("2023-09-30T22:00", 8)],  # half-hour shifts
    "America/Santiago": [("2023-04-01T20:00", 8), ("2023-09-02T20:00", 8)],  # changes at midnight
    "Asia/Hong_Kong": [("2023-09-13T00:00", 24)],
}


@pytest.mark.parametrize("zone", ZONE_NIGHTS)
def test_icaljs_reads_the_vtimezone_as_zoneinfo_every_quarter_hour_of_a_changeover(
        zone: str, tmp_path: Path) -> None:
    nights = [(datetime.fromisoformat(start), hours) for start, hours in ZONE_NIGHTS[zone]]
    quarter = timedelta(minutes=15)
    # The slots only set the days the VTIMEZONE covers: those of the nights swept.
    ev = event(zone, list(dict.fromkeys((start.isoformat(), (start + quarter).isoformat())
                                        for start in (nights[0][0], nights[-1][0]))))
    cal = icalendar.Calendar.new(prodid="-//test//EN")
    cal.add_component(vtimezone(ev))
    locals_ = [start + k * quarter for start, hours in nights for k in range(4 * hours)]
    checked = []
    for n, local in enumerate(locals_):
        aware, later = local.replace(tzinfo=ev.zone()), local.replace(tzinfo=ev.zone(), fold=1)
        exists = aware.astimezone(UTC).astimezone(ev.zone()).replace(tzinfo=None) == local
        if not exists or aware.utcoffset() != later.utcoffset():
            continue  # no time, or two: the calendar files never give either with a TZID
        cal.add_component(icalendar.Event.new(uid=f"t{n}", stamp=STAMP, start=aware, end=aware))
        checked.append(aware.astimezone(UTC))
    path = tmp_path / "zone.ics"
    path.write_bytes(cal.to_ical())
    read = icaljs(path)[0]["events"]
    assert [utc(e["start"]) for e in read] == checked
    assert len(checked) >= 4 * sum(hours for _, hours in nights) - 8


def test_an_event_over_months_gets_every_changeover_in_its_vtimezone(tmp_path: Path) -> None:
    # One meeting a day either side of each change of 2023 and of March 2024: icalendar's own
    # generator lists these onsets as RDATEs, which ical.js misreads by an hour for months.
    days = ["2023-03-25", "2023-03-27", "2023-10-28", "2023-10-30", "2024-03-30", "2024-04-01"]
    ev = event("Europe/London", [(f"{d}T10:00", f"{d}T10:20") for d in days])
    pairs = [("alpha", "vc1"), ("alpha", "vc2"), ("beta", "vc1"), ("beta", "vc2"), ("gamma", "vc1"),
             ("gamma", "vc2")]
    sched = schedule(*(meeting(ev, s, i, f"s{n}") for n, (s, i) in enumerate(pairs, 1)))
    path = tmp_path / "event.ics"
    path.write_bytes(calendar(ev, sched.meetings, "PUBLISH", stamp=STAMP).to_ical())
    hours = [utc(e["start"]).hour for e in icaljs(path)[0]["events"]]
    assert hours == [10, 9, 9, 10, 10, 9]


def test_uid_and_sequence_are_the_schedules_in_both_parties_files_and_every_export(
        tmp_path: Path) -> None:
    one = export(HK, HK_SCHEDULE, organiser=ORGANISER, stamp=STAMP)
    two = export(HK, HK_SCHEDULE, organiser=ORGANISER, stamp=datetime(2023, 9, 12, tzinfo=UTC))
    for m in HK_SCHEDULE.meetings:
        for files in (one, two):
            for name in ("event.ics", f"{m.startup}.ics", f"{m.investor}.ics"):
                found = [e for e in files[name].events if e.uid == m.uid]
                assert len(found) == 1, name
                assert found[0].sequence == m.sequence
    read = icaljs(*write(one, tmp_path / "one").values(), *write(two, tmp_path / "two").values())
    uids = [sorted(e["uid"] for e in r["events"]) for r in read]
    assert uids[:len(one)] == uids[len(one):]
    second = HK_SCHEDULE.meetings[1].uid
    assert [e["sequence"] for r in read for e in r["events"] if e["uid"] == second] == [2] * 6
    assert two["event.ics"].events[0].DTSTAMP == datetime(2023, 9, 12, tzinfo=UTC)
    assert b"DTSTAMP:20230912T000000Z\r\n" in two["alpha.ics"].to_ical()


@pytest.mark.parametrize("owner", [None, "vc1"])
def test_a_streamed_calendar_is_the_same_file_a_meeting_at_a_time(owner: str | None) -> None:
    chunks = list(calendar_stream(HK, HK_SCHEDULE.meetings, "PUBLISH", owner, organiser=ORGANISER,
                                  agenda_link=link, stamp=STAMP))
    whole = calendar(HK, HK_SCHEDULE.meetings, "PUBLISH", owner, organiser=ORGANISER,
                     agenda_link=link, stamp=STAMP).to_ical()
    assert b"".join(chunks) == whole
    meetings = [m for m in HK_SCHEDULE.meetings if owner in (None, m.startup, m.investor)]
    assert len(chunks) == len(meetings) + 2 and all(c.startswith(b"BEGIN:VEVENT") for c in chunks[1:-1])


def test_a_participants_file_holds_exactly_their_meetings() -> None:
    files = export(HK, HK_SCHEDULE, stamp=STAMP)
    assert sorted(files) == ["alpha.ics", "beta.ics", "event.ics", "gamma.ics", "vc1.ics", "vc2.ics",
                             "vc3.ics"]
    for who in ("alpha", "beta", "gamma", "vc1", "vc2", "vc3"):
        mine = {m.uid for m in HK_SCHEDULE.meetings if who in (m.startup, m.investor)}
        assert {e.uid for e in files[f"{who}.ics"].events} == mine
        assert files[f"{who}.ics"]["METHOD"] == "PUBLISH"


def test_vevent_names_both_parties_the_table_venue_field_and_the_owners_agenda(tmp_path: Path) -> None:
    cal = calendar(HK, HK_SCHEDULE.meetings, "PUBLISH", "vc1", organiser=ORGANISER, agenda_link=link,
                   stamp=STAMP)
    first = cal.events[0]
    assert first["SUMMARY"] == "Alpha Robotics meets Vera Chan (Harbour Ventures)"
    assert first["LOCATION"] == "Table T1, Science Park, Hall 2"
    assert first["STATUS"] == "CONFIRMED"
    assert first["URL"] == "https://finals.example/agenda/vc1"
    description = str(first["DESCRIPTION"])
    assert "Field of Alpha Robotics: Internet of Things" in description
    assert "About Alpha Robotics: Warehouse robots" in description
    assert "Agenda: https://finals.example/agenda/vc1" in description
    assert "agenda/alpha" not in cal.to_ical().decode()  # never another participant's link
    organiser_file = calendar(HK, HK_SCHEDULE.meetings, "PUBLISH", agenda_link=link, stamp=STAMP)
    both = str(organiser_file.events[0]["DESCRIPTION"])
    assert "Agenda of Alpha Robotics: https://finals.example/agenda/alpha" in both
    assert "Agenda of Vera Chan: https://finals.example/agenda/vc1" in both
    path = tmp_path / "vc1.ics"
    path.write_bytes(cal.to_ical())
    read = icaljs(path)[0]["events"][0]
    assert read["summary"] == "Alpha Robotics meets Vera Chan (Harbour Ventures)"
    assert read["location"] == "Table T1, Science Park, Hall 2"
    assert read["description"] == description


def test_organiser_and_attendees_with_mailto_cn_role_partstat_rsvp(tmp_path: Path) -> None:
    cal = calendar(HK, HK_SCHEDULE.meetings, "PUBLISH", organiser=ORGANISER, stamp=STAMP)
    path = tmp_path / "event.ics"
    path.write_bytes(cal.to_ical())
    read = {e["uid"]: e for e in icaljs(path)[0]["events"]}
    first = read[HK_SCHEDULE.meetings[0].uid]
    assert first["organizer"] == "mailto:desk@finals.example"
    assert first["attendees"] == [
        {"address": "mailto:ceo@alpha.example", "cn": "Alpha Robotics", "role": "REQ-PARTICIPANT",
         "partstat": "NEEDS-ACTION", "rsvp": "TRUE"},
        {"address": "mailto:vera@harbour.example", "cn": "Vera Chan", "role": "REQ-PARTICIPANT",
         "partstat": "NEEDS-ACTION", "rsvp": "TRUE"}]
    # Beta has an address, Lee Wong (vc3) none: only Beta is an attendee; both are named.
    beta_vc3 = read[HK_SCHEDULE.meetings[3].uid]
    assert [a["address"] for a in beta_vc3["attendees"]] == ["mailto:hi@beta.example"]
    assert beta_vc3["summary"] == "Beta Bio meets Lee Wong"
    assert str(cal.events[0]["ORGANIZER"].params["CN"]) == "Finals Desk"


def test_without_an_organiser_there_is_no_organizer_and_no_attendee() -> None:
    text = calendar(HK, HK_SCHEDULE.meetings, "PUBLISH", stamp=STAMP).to_ical().decode()
    assert "ORGANIZER" not in text and "ATTENDEE" not in text
    with pytest.raises(ValueError, match="METHOD:REQUEST needs an organiser"):
        calendar(HK, HK_SCHEDULE.meetings, "REQUEST")


def test_cancellations_keep_the_uid_raise_the_sequence_and_reach_whoever_lost_a_meeting(
        tmp_path: Path) -> None:
    # alpha/vc2 (sequence 2) and gamma/vc2 are gone: gamma has no meeting left, alpha and vc2 have.
    new = schedule(*(m for m in HK_SCHEDULE.meetings if m.investor != "vc2"))
    gone = removed(HK_SCHEDULE, new)
    assert [(m.startup, m.investor) for m in gone] == [("alpha", "vc2"), ("gamma", "vc2")]
    files = export(HK, new, (HK, HK_SCHEDULE), organiser=ORGANISER, stamp=STAMP)
    assert sorted(files) == ["alpha.ics", "beta.ics", "cancelled/alpha.ics", "cancelled/event.ics",
                             "cancelled/gamma.ics", "cancelled/vc2.ics", "event.ics", "gamma.ics",
                             "vc1.ics", "vc2.ics", "vc3.ics"]
    paths = write(files, tmp_path)
    read = dict(zip(paths, icaljs(*paths.values()), strict=True))
    for name in ("cancelled/event.ics", "cancelled/vc2.ics", "gamma.ics", "vc2.ics"):
        assert read[name]["method"] == "CANCEL", name
        assert {e["status"] for e in read[name]["events"]} == {"CANCELLED"}
    assert [(e["uid"], e["sequence"]) for e in read["cancelled/vc2.ics"]["events"]] == \
        [(gone[0].uid, 3), (gone[1].uid, 1)]
    assert [e["uid"] for e in read["cancelled/alpha.ics"]["events"]] == [gone[0].uid]
    assert read["alpha.ics"]["method"] == "PUBLISH"
    assert [e["uid"] for e in read["alpha.ics"]["events"]] == [HK_SCHEDULE.meetings[0].uid]
    cancelled = icalendar.Calendar.from_ical(paths["gamma.ics"].read_bytes()).events[0]
    assert (cancelled.uid, cancelled.sequence, cancelled["STATUS"]) == (gone[1].uid, 1, "CANCELLED")
    assert (utc(read["gamma.ics"]["events"][0]["start"]), cancelled.start) == \
        (utc("2023-09-13T06:50"), utc("2023-09-13T06:50"))
    assert [a["rsvp"] for a in read["cancelled/alpha.ics"]["events"][0]["attendees"]] == \
        ["FALSE", "FALSE"]


def test_a_cancellation_names_people_from_the_event_it_was_made_for() -> None:
    # Omar (vc2) left the event; his meetings are cancelled from the previous event's data.
    data = HK.model_dump()
    data["investors"] = [i for i in data["investors"] if i["id"] != "vc2"]
    smaller = parse(Event, data, "smaller event")
    new = schedule(*(m for m in HK_SCHEDULE.meetings if m.investor != "vc2"))
    assert problems(smaller, new, (HK, HK_SCHEDULE)) == []
    files = export(smaller, new, (HK, HK_SCHEDULE), organiser=ORGANISER, stamp=STAMP)
    omar = files["vc2.ics"]
    assert omar["METHOD"] == "CANCEL"
    assert [str(a) for a in omar.events[0]["ATTENDEE"]] == ["mailto:ceo@alpha.example",
                                                           "mailto:omar@fund.example"]


def test_problems_name_the_culprit() -> None:
    stranger = schedule(meeting(HK, "alpha", "vc9", "s1"))
    assert problems(HK, stranger) == [
        "the schedule does not fit the event: meeting 1 (alpha/vc9) names unknown investor vc9"]
    twice = schedule(meeting(HK, "alpha", "vc1", "s1"), meeting(HK, "alpha", "vc1", "s2"))
    assert problems(HK, twice) == [
        f"the schedule gives uid {twice.meetings[0].uid} to 2 meetings"]
    moved = schedule(meeting(HK, "alpha", "vc1", "s2"))
    [message] = problems(HK, moved, (HK, schedule(meeting(HK, "alpha", "vc1", "s1"))))
    assert message == (f"meeting alpha/vc1 (uid {moved.meetings[0].uid}) moved from 2023-09-13 "
                       "06:00-06:20 UTC at Table T1, Science Park, Hall 2 to 2023-09-13 06:25-06:45 "
                       "UTC at Table T1, Science Park, Hall 2 but kept sequence 0: it must rise, or "
                       "calendars ignore the move")
    bumped = schedule(meeting(HK, "alpha", "vc1", "s2", sequence=1))
    assert problems(HK, bumped, (HK, schedule(meeting(HK, "alpha", "vc1", "s1")))) == []
    fell = schedule(meeting(HK, "alpha", "vc1", "s1", sequence=0))
    assert problems(HK, fell, (HK, schedule(meeting(HK, "alpha", "vc1", "s1", sequence=3)))) == [
        f"meeting alpha/vc1 (uid {fell.meetings[0].uid}) has sequence 0, below its previous 3: a "
        "sequence never falls"]


def test_a_participant_called_event_would_overwrite_the_organisers_file() -> None:
    data = HK.model_dump()
    data["investors"][0]["id"] = "event"
    ev = parse(Event, data, "event")
    sched = schedule(meeting(ev, "alpha", "event", "s1"))
    assert problems(ev, sched) == ["participant id event would overwrite the organiser's file "
                                   "event.ics: give the participant another id"]


def test_a_slot_at_a_time_the_clocks_skip_is_refused() -> None:
    # 2023-03-26 in London: at 01:00 GMT clocks go forward to 02:00 BST; 01:30 never happens.
    data = event_data("Europe/London", [("2023-03-26T00:30", "2023-03-26T00:50"),
                                        ("2023-03-26T01:30", "2023-03-26T02:30")])
    with pytest.raises(BadFile, match="The time 2023-03-26 01:30 of the slot s2 does not exist "
                                      "in Europe/London: the clocks go forward then"):
        parse(Event, data, "spring.json")
    data["slots"][1]["start"] = "2023-03-26T03:00"
    data["slots"][1]["end"] = "2023-03-26T03:20"
    assert parse(Event, data, "spring.json").instant(datetime(2023, 3, 26, 3)) == \
        datetime(2023, 3, 26, 2, tzinfo=UTC)
