"""Invitations in each reader's language: a participant's e-mails and calendar texts use theirs,
the other party's theirs, everything else English."""

from __future__ import annotations

import pytest

from matcher.i18n import field_name, format_weekday, translator, zone_name
from matcher.invites.ics import Organiser, calendar
from matcher.invites.mail import outbox
from matcher.model.event import Event
from tests.ics_cases import event, meeting, schedule
from tests.test_mail import parts

ORGANISER = Organiser(email="desk@finals.example", name="Finals Desk")


def speaking(ev: Event, **languages: str) -> Event:
    """The event with some participants' languages set."""
    def person(p):  # type: ignore[no-untyped-def]
        return p.model_copy(update={"language": languages[p.id]}) if p.id in languages else p
    return ev.model_copy(update={"startups": tuple(map(person, ev.startups)),
                                 "investors": tuple(map(person, ev.investors))})


EV = event("Asia/Hong_Kong", [("2023-09-13T14:00", "2023-09-13T14:20")])
SCHEDULE = schedule(meeting(EV, "alpha", "vc1", "s1"))


@pytest.mark.parametrize("language", ["zh_Hant_HK", "zh_Hans_CN"])
def test_each_party_reads_the_invitation_in_their_own_language(language: str) -> None:
    ev = speaking(EV, vc1=language)
    _ = translator(language).gettext
    by_reader = {i.participant: i.message for i in outbox(ev, SCHEDULE, ORGANISER).invitations}
    vera, alpha = by_reader["vc1"], by_reader["alpha"]
    startup, investor = ev.startups[0], ev.investors[0]
    title = _("%(startup)s meets %(investor)s (%(organisation)s)") % {
        "startup": startup.name, "investor": investor.name, "organisation": investor.organisation}
    assert str(vera["Subject"]).startswith(_("Invitation: %(meeting)s, %(moment)s").split("%")[0])
    assert title in str(vera["Subject"])
    text, cal, _method = parts(vera)
    assert _("Hello %(name)s,") % {"name": investor.name} in text
    assert _("This meeting at %(event)s is scheduled:") % {"event": ev.name} in text
    assert format_weekday(ev.slots[0].start, language) in text
    assert zone_name(ev.timezone, language) in text and ev.timezone not in text  # 香港時間
    [vevent] = cal.events
    assert str(vevent["SUMMARY"]) == title
    assert _("Field of %(startup)s: %(field)s") % {
        "startup": startup.name, "field": field_name(startup.field, language)} in vevent["DESCRIPTION"]
    # The startup chose no language: English, word for word as the catalogue's source.
    english, english_cal, _method = parts(alpha)
    assert english.startswith(f"Hello {startup.name},")
    assert str(english_cal.events[0]["SUMMARY"]).startswith(f"{startup.name} meets ")
    assert title not in english


def test_a_calendar_takes_its_owners_language_unless_told_another() -> None:
    ev = speaking(EV, alpha="zh-Hant")
    mine = calendar(ev, SCHEDULE.meetings, "PUBLISH", "alpha").events[0]
    organisers = calendar(ev, SCHEDULE.meetings, "PUBLISH").events[0]
    simplified = calendar(ev, SCHEDULE.meetings, "PUBLISH", language="zh_Hans_CN").events[0]
    where = {language: translator(language).gettext("Table %(table)s, %(venue)s") % {
        "table": "T1", "venue": ev.venue} for language in ("zh_Hant_HK", "zh_Hans_CN", "en")}
    assert str(mine["LOCATION"]) == where["zh_Hant_HK"]
    assert str(organisers["LOCATION"]) == where["en"]
    assert str(simplified["LOCATION"]) == where["zh_Hans_CN"]
    assert len(set(where.values())) == 3
