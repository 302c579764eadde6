"""E-mailed invitations through a real SMTP server on loopback (aiosmtpd): parts, methods, failures."""

from __future__ import annotations

import email
import ssl
from pathlib import Path

import icalendar
import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword

from matcher.invites.ics import Organiser
from matcher.invites.mail import MailSetupError, SmtpSettings, outbox, send
from tests.ics_cases import event, icaljs, meeting, schedule
from tests.loopback_smtp import Inbox, free_port, smtp_server

ORGANISER = Organiser(email="desk@finals.example", name="Finals Desk")
EV = event("Asia/Hong_Kong", [("2023-09-13T14:00", "2023-09-13T14:20"),
                              ("2023-09-13T14:25", "2023-09-13T14:45")])
# Alpha and Vera and Omar have addresses; Gamma and Lee Wong (vc3) have none.
SCHEDULE = schedule(meeting(EV, "alpha", "vc1", "s1"), meeting(EV, "alpha", "vc2", "s2", sequence=1),
                    meeting(EV, "gamma", "vc3", "s1", "T2"))


@pytest.fixture(scope="module")
def certificates() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a certificate for 127.0.0.1 from a test authority the client trusts."""
    authority = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server)
    client = ssl.create_default_context()
    authority.configure_trust(client)
    return server, client


def parts(message: email.message.EmailMessage) -> tuple[str, icalendar.Calendar, str]:
    """The text, the calendar and the calendar part's method parameter of an invitation."""
    assert message.get_content_type() == "multipart/alternative"
    text, cal = message.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert cal.get_content_type() == "text/calendar"
    return text.get_content(), icalendar.Calendar.from_ical(cal.get_content()), cal.get_param("method")


def test_each_party_with_an_address_gets_one_request_per_meeting() -> None:
    box = outbox(EV, SCHEDULE, ORGANISER)
    assert [(i.participant, i.recipient, i.method) for i in box.invitations] == [
        ("alpha", "ceo@alpha.example", "REQUEST"), ("vc1", "vera@harbour.example", "REQUEST"),
        ("alpha", "ceo@alpha.example", "REQUEST"), ("vc2", "omar@fund.example", "REQUEST")]
    assert box.no_address == ("gamma", "vc3")
    assert [i.uid for i in box.invitations] == [SCHEDULE.meetings[0].uid] * 2 + \
        [SCHEDULE.meetings[1].uid] * 2


def test_after_a_change_only_new_moved_and_cancelled_meetings_go_out() -> None:
    # alpha/vc1 stays, alpha/vc2 moves (sequence 1 -> 2), gamma/vc3 is gone, beta/vc1 is new.
    new = schedule(SCHEDULE.meetings[0], meeting(EV, "alpha", "vc2", "s1", "T2", sequence=2),
                   meeting(EV, "beta", "vc1", "s2"))
    box = outbox(EV, new, ORGANISER, previous=(EV, SCHEDULE))
    assert [(i.participant, i.method, i.uid) for i in box.invitations] == [
        ("alpha", "REQUEST", new.meetings[1].uid), ("vc2", "REQUEST", new.meetings[1].uid),
        ("beta", "REQUEST", new.meetings[2].uid), ("vc1", "REQUEST", new.meetings[2].uid)]
    assert box.no_address == ("gamma", "vc3")  # the cancellation of gamma/vc3 has nobody to go to
    moved = box.invitations[0].message
    assert moved["Subject"] == "Updated: Alpha Robotics meets Omar Patel, 13 Sept 14:00"
    _, cal, method = parts(moved)
    assert (method, cal.events[0].sequence) == ("REQUEST", 2)


def test_a_cancellation_goes_out_as_method_cancel_with_the_next_sequence() -> None:
    new = schedule(SCHEDULE.meetings[0], SCHEDULE.meetings[2])
    box = outbox(EV, new, ORGANISER, previous=(EV, SCHEDULE))
    assert [(i.participant, i.method) for i in box.invitations] == [("alpha", "CANCEL"),
                                                                    ("vc2", "CANCEL")]
    text, cal, method = parts(box.invitations[1].message)
    assert method == "CANCEL" and cal["METHOD"] == "CANCEL"
    [vevent] = cal.events
    assert (vevent.uid, vevent.sequence, vevent["STATUS"]) == (SCHEDULE.meetings[1].uid, 2, "CANCELLED")
    assert "This meeting at Finals is cancelled:" in text
    assert box.invitations[1].message["Subject"] == \
        "Cancelled: Alpha Robotics meets Omar Patel, 13 Sept 14:25"


def test_messages_reach_a_real_smtp_server_with_their_text_and_calendar_parts(tmp_path: Path) -> None:
    box = outbox(EV, SCHEDULE, ORGANISER, agenda_link=lambda who: f"https://finals.example/a/{who}")
    inbox = Inbox()
    with smtp_server(inbox) as port:
        failures = send(box.invitations, SmtpSettings(host="127.0.0.1", port=port, security="none"))
    assert failures == []
    assert {sender for sender, _, _ in inbox.received} == {"desk@finals.example"}
    assert [to for _, to, _ in inbox.received] == [["ceo@alpha.example"], ["vera@harbour.example"],
                                                   ["ceo@alpha.example"], ["omar@fund.example"]]
    _, _, message = inbox.received[1]
    assert message["From"] == "Finals Desk <desk@finals.example>"
    assert message["To"] == "Vera Chan <vera@harbour.example>"
    assert message["Subject"] == \
        "Invitation: Alpha Robotics meets Vera Chan (Harbour Ventures), 13 Sept 14:00"
    text, cal, method = parts(message)
    assert method == "REQUEST" and cal["METHOD"] == "REQUEST"
    assert "  When: Wednesday, 13 September 2023, 14:00–14:20 (Hong Kong Time)" in text
    assert "  Where: Table T1, Science Park, Hall 2" in text
    assert "  Your agenda: https://finals.example/a/vc1" in text
    [vevent] = cal.events
    assert vevent.uid == SCHEDULE.meetings[0].uid and vevent.sequence == 0
    assert str(vevent["ORGANIZER"]) == "mailto:desk@finals.example"
    assert "mailto:vera@harbour.example" in [str(a) for a in vevent["ATTENDEE"]]
    path = tmp_path / "invite.ics"
    path.write_bytes(cal.to_ical())
    [read] = icaljs(path)
    assert (read["method"], read["events"][0]["start"]) == ("REQUEST", "2023-09-13T06:00:00.000Z")


def test_a_refused_recipient_is_named_with_the_reason_and_the_others_still_go() -> None:
    box = outbox(EV, SCHEDULE, ORGANISER)
    inbox = Inbox(refuse={"vera@harbour.example"})
    with smtp_server(inbox) as port:
        failures = send(box.invitations, SmtpSettings(host="127.0.0.1", port=port, security="none"))
    assert [str(f) for f in failures] == [
        "not sent to vera@harbour.example (vc1), 'Invitation: Alpha Robotics meets Vera Chan "
        "(Harbour Ventures), 13 Sept 14:00': 550 5.1.1 no such mailbox here"]
    assert failures[0].invitation is box.invitations[1]  # kept whole, to send again
    assert [to for _, to, _ in inbox.received] == [["ceo@alpha.example"], ["ceo@alpha.example"],
                                                   ["omar@fund.example"]]


def test_a_server_that_cannot_be_reached_fails_every_message_with_the_reason() -> None:
    box = outbox(EV, SCHEDULE, ORGANISER)
    port = free_port()  # nothing listens there
    failures = send(box.invitations, SmtpSettings(host="127.0.0.1", port=port, security="none",
                                                  timeout=5))
    assert [f.invitation for f in failures] == list(box.invitations)
    assert all(f.reason.startswith(f"cannot deliver through 127.0.0.1:{port}: ") for f in failures)
    assert "refused" in failures[0].reason.lower()


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and \
        (auth_data.login, auth_data.password) == (b"desk", b"s3cret")
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 235 or 535


def test_starttls_and_login(certificates: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server_context, client_context = certificates
    box = outbox(EV, SCHEDULE, ORGANISER)
    inbox = Inbox()
    options = {"tls_context": server_context, "require_starttls": True, "auth_required": True,
               "authenticator": authenticator}
    with smtp_server(inbox, **options) as port:
        good = SmtpSettings(host="127.0.0.1", port=port, user="desk", password="s3cret")
        assert send(box.invitations[:1], good, client_context) == []
        wrong = good.model_copy(update={"password": "guess"})
        [failure] = send(box.invitations[:1], wrong, client_context)
        untrusted = send(box.invitations[:1], good)  # the system does not trust the test authority
    assert len(inbox.received) == 1
    assert failure.reason.startswith(f"cannot deliver through 127.0.0.1:{port}: 535 ")
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted[0].reason


def test_implicit_tls(certificates: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server_context, client_context = certificates
    inbox = Inbox()
    with smtp_server(inbox, ssl_context=server_context) as port:
        settings = SmtpSettings(host="127.0.0.1", port=port, security="tls")
        assert send(outbox(EV, SCHEDULE, ORGANISER).invitations, settings, client_context) == []
    assert len(inbox.received) == 4


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, None),
    ({"MATCHER_SMTP_HOST": "mail.example"},
     SmtpSettings(host="mail.example", port=587, security="starttls")),
    ({"MATCHER_SMTP_HOST": "mail.example", "MATCHER_SMTP_SECURITY": "TLS",
      "MATCHER_SMTP_USER": "desk", "MATCHER_SMTP_PASSWORD": "pw"},
     SmtpSettings(host="mail.example", port=465, security="tls", user="desk", password="pw")),
    ({"MATCHER_SMTP_HOST": "127.0.0.1", "MATCHER_SMTP_PORT": "2525", "MATCHER_SMTP_SECURITY": "none"},
     SmtpSettings(host="127.0.0.1", port=2525, security="none")),
])
def test_settings_from_the_environment(environ: dict, expected: SmtpSettings | None) -> None:
    assert SmtpSettings.from_env(environ) == expected


@pytest.mark.parametrize(("environ", "message"), [
    ({"MATCHER_SMTP_PORT": "smtp"}, "MATCHER_SMTP_PORT is 'smtp': give a port number such as 587"),
    ({"MATCHER_SMTP_PORT": "70000"}, "MATCHER_SMTP_PORT is '70000': give a port number such as 587"),
    ({"MATCHER_SMTP_SECURITY": "ssl"}, "MATCHER_SMTP_SECURITY is 'ssl': give starttls, tls or none"),
    ({"MATCHER_SMTP_PASSWORD": "pw"}, "MATCHER_SMTP_PASSWORD is set but MATCHER_SMTP_USER is not"),
])
def test_unusable_settings_name_the_variable(environ: dict, message: str) -> None:
    with pytest.raises(MailSetupError) as caught:
        SmtpSettings.from_env({"MATCHER_SMTP_HOST": "mail.example", **environ})
    assert str(caught.value) == message


def test_the_password_stays_out_of_the_settings_repr() -> None:
    assert "s3cret" not in repr(SmtpSettings(host="h", port=25, user="u", password="s3cret"))
