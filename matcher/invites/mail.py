"""E-mailed invitations (iMIP, RFC 6047) sent through an SMTP server set by MATCHER_SMTP_* variables.

Each message is about one meeting: a text/plain part for the reader and a text/calendar part with
method=REQUEST (a new or changed meeting) or method=CANCEL. One meeting a message, because clients act
on one scheduling object per message: Outlook takes only the first UID of a REQUEST that holds
several, and a second calendar part of a message goes unread.
"""

from __future__ import annotations

import contextlib
import email.policy
import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Literal

import icalendar
from pydantic import BaseModel, ConfigDict, Field

from matcher.i18n import N_, format_moment, format_weekday, translator, zone_name
from matcher.invites.ics import AgendaLink, Method, Organiser, calendar, removed
from matcher.model.event import Event
from matcher.model.schedule import Meeting, Schedule

Security = Literal["starttls", "tls", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "tls": 465, "none": 25}
# Folded at 78 characters, a long Subject starts on a line of its own, and some readers then keep
# a leading space; 998 is the limit of RFC 5322.
POLICY = email.policy.default.clone(max_line_length=998)


class MailSetupError(ValueError):
    """MATCHER_SMTP_* variables that cannot be used; the message names the variable."""


class SmtpSettings(BaseModel):
    """Where and how to hand messages over: host, port, login and transport security."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1)
    port: int = Field(ge=1, le=65535)
    user: str | None = None
    password: str | None = Field(default=None, repr=False)
    security: Security = Field(default="starttls", description="starttls, tls (SMTPS) or none.")
    timeout: float = Field(default=30.0, gt=0, description="Seconds to wait for the server.")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> SmtpSettings | None:
        """Settings from MATCHER_SMTP_HOST, _PORT, _USER, _PASSWORD, _SECURITY; None without a host."""
        host = environ.get("MATCHER_SMTP_HOST", "").strip()
        if not host:
            return None
        security = environ.get("MATCHER_SMTP_SECURITY", "starttls").strip().lower()
        if security not in DEFAULT_PORTS:
            raise MailSetupError(f"MATCHER_SMTP_SECURITY is {security!r}: give starttls, tls or none")
        text = environ.get("MATCHER_SMTP_PORT", "").strip()
        if not text:
            port = DEFAULT_PORTS[security]
        elif text.isdigit() and 1 <= int(text) <= 65535:
            port = int(text)
        else:
            raise MailSetupError(f"MATCHER_SMTP_PORT is {text!r}: give a port number such as 587")
        user = environ.get("MATCHER_SMTP_USER", "").strip() or None
        password = environ.get("MATCHER_SMTP_PASSWORD") or None
        if password and not user:
            raise MailSetupError("MATCHER_SMTP_PASSWORD is set but MATCHER_SMTP_USER is not")
        return cls(host=host, port=port, user=user, password=password, security=security)


@dataclass(frozen=True)
class Invitation:
    """One message to one participant: about one meeting (its method and uid), or with their
    personal link (method LINK, no uid)."""

    participant: str
    recipient: str
    method: Method | Literal["LINK"]
    uid: str
    message: EmailMessage


@dataclass(frozen=True)
class Outbox:
    """The messages to send, and who would get one but has no e-mail address."""

    invitations: tuple[Invitation, ...]
    no_address: tuple[str, ...]


@dataclass(frozen=True)
class Failure:
    """A message the server did not take, kept whole so that it can be sent again."""

    invitation: Invitation
    reason: str

    def __str__(self) -> str:
        inv = self.invitation
        return (f"not sent to {inv.recipient} ({inv.participant}), "
                f"{inv.message['Subject']!r}: {self.reason}")


def outbox(event: Event, schedule: Schedule, organiser: Organiser, *,
           previous: tuple[Event, Schedule] | None = None, agenda_link: AgendaLink | None = None,
           ) -> Outbox:
    """Invitations for both parties of each meeting, and cancellations of the meetings gone.

    Without `previous` every meeting is sent; with it, only meetings that are new or whose sequence
    rose, and a cancellation of each meeting of `previous` that is gone (check `ics.problems` first).
    """
    before = {m.uid: m for m in previous[1].meetings} if previous else {}
    changed = [m for m in schedule.meetings if m.uid not in before or
               m.sequence > before[m.uid].sequence]
    mails: list[tuple[Event, Meeting, Method]] = [(event, m, "REQUEST") for m in changed]
    if previous:
        mails += [(previous[0], m, "CANCEL") for m in removed(previous[1], schedule)]
    invitations, no_address = [], []
    for ev, meeting, method in mails:
        people = {p.id: p for p in ev.participants}
        for who in (meeting.startup, meeting.investor):
            person = people[who]
            if not person.email:
                no_address.append(who)
                continue
            cal = calendar(ev, [meeting], method, who, organiser=organiser, agenda_link=agenda_link)
            kind: Kind = "cancelled" if method == "CANCEL" else \
                "updated" if meeting.uid in before else "invitation"
            invitations.append(Invitation(
                participant=who, recipient=person.email, method=method, uid=meeting.uid,
                message=_message(ev, cal, organiser, person.name, person.email, kind,
                                 person.language)))
    return Outbox(tuple(invitations), tuple(dict.fromkeys(no_address)))


# What a message says of its meeting, by kind: its subject, and the sentence that opens it.
SUBJECTS = {"invitation": N_("Invitation: %(meeting)s, %(moment)s"),
            "updated": N_("Updated: %(meeting)s, %(moment)s"),
            "cancelled": N_("Cancelled: %(meeting)s, %(moment)s")}
OPENINGS = {"invitation": N_("This meeting at %(event)s is scheduled:"),
            "updated": N_("This meeting at %(event)s has changed:"),
            "cancelled": N_("This meeting at %(event)s is cancelled:")}
Kind = Literal["invitation", "updated", "cancelled"]


def _message(event: Event, cal: icalendar.Calendar, organiser: Organiser, name: str, address: str,
             kind: Kind, language: str | None) -> EmailMessage:
    """A text part written from the calendar's one VEVENT in the reader's language, then the
    calendar itself."""
    _ = translator(language).gettext
    method = str(cal["METHOD"])
    vevent = cal.events[0]
    assert isinstance(vevent.start, datetime) and isinstance(vevent.end, datetime)  # timed
    start = vevent.start.astimezone(event.zone())
    end = vevent.end.astimezone(event.zone())
    title = str(vevent["SUMMARY"])
    when = _("When: %(day)s, %(start)s–%(end)s (%(zone)s)") % {
        "day": format_weekday(start, language), "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}", "zone": zone_name(event.timezone, language)}
    lines = [_("Hello %(name)s,") % {"name": name}, "",
             _(OPENINGS[kind]) % {"event": event.name}, "", f"  {title}", f"  {when}",
             "  " + _("Where: %(place)s") % {"place": vevent["LOCATION"]}]
    if "URL" in vevent:
        lines.append("  " + _("Your agenda: %(link)s") % {"link": vevent["URL"]})
    lines += ["", _("The calendar part of this message updates your calendar.")
              if method == "REQUEST" else
              _("The calendar part of this message removes it from your calendar."),
              "", f"{organiser.name or event.name}"]
    message = EmailMessage(policy=POLICY)
    message["Subject"] = _(SUBJECTS[kind]) % {"meeting": title,
                                               "moment": format_moment(start, language)}
    message["From"] = formataddr((organiser.name or event.name, organiser.email))
    message["To"] = formataddr((name, address))
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=organiser.email.rpartition("@")[2])
    message.set_content("\n".join(lines) + "\n")
    message.add_alternative(cal.to_ical().decode("utf-8"), subtype="calendar",
                            params={"method": method})
    return message


@dataclass(frozen=True)
class LinkRecipient:
    """A participant to send their personal link to (no address: listed, not sent)."""

    participant: str
    name: str
    email: str | None
    language: str | None
    link: str


def link_outbox(event_name: str, organiser: Organiser, people: Sequence[LinkRecipient]) -> Outbox:
    """One message to each person with an address, with their personal link, in their language;
    the others listed as without an address."""
    invitations = tuple(
        Invitation(participant=p.participant, recipient=p.email, method="LINK", uid="",
                   message=_link_message(event_name, organiser, p, p.email))
        for p in people if p.email)
    return Outbox(invitations, tuple(p.participant for p in people if not p.email))


def _link_message(event_name: str, organiser: Organiser, person: LinkRecipient, address: str
                  ) -> EmailMessage:
    """A participant's personal link, and what it is for."""
    _ = translator(person.language).gettext
    sender = organiser.name or event_name
    lines = [_("Hello %(name)s,") % {"name": person.name}, "",
             _("This is your personal link for %(event)s:") % {"event": event_name}, "",
             f"  {person.link}", "",
             _("It opens your own page: give your answers there, and once the timetable is "
               "published, find your meetings and add them to your calendar."),
             _("Keep this link to yourself: anyone who has it can change your answers."), "",
             sender]
    message = EmailMessage(policy=POLICY)
    message["Subject"] = _("Your personal link for %(event)s") % {"event": event_name}
    message["From"] = formataddr((sender, organiser.email))
    message["To"] = formataddr((person.name, address))
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=organiser.email.rpartition("@")[2])
    message.set_content("\n".join(lines) + "\n")
    return message


def send(invitations: Sequence[Invitation], settings: SmtpSettings,
         context: ssl.SSLContext | None = None) -> list[Failure]:
    """Hand each message to the server; return those it did not take, each with the reason.

    A refused message does not stop the others; a lost connection fails the rest with its reason.
    `context` verifies the server's certificate (the system's trusted authorities by default).
    """
    try:
        smtp = _connect(settings, context or ssl.create_default_context())
    except OSError as e:  # smtplib's errors included
        where = f"{settings.host}:{settings.port}"
        return [Failure(inv, f"cannot deliver through {where}: {_reason(e)}") for inv in invitations]
    failures: list[Failure] = []
    try:
        for n, inv in enumerate(invitations):
            try:
                smtp.send_message(inv.message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError,
                    smtplib.SMTPNotSupportedError) as e:
                failures.append(Failure(inv, _reason(e)))
            except OSError as e:  # smtplib's other errors are OSErrors too: the connection is gone
                lost = f"connection lost: {_reason(e)}"
                failures += [Failure(rest, lost) for rest in invitations[n:]]
                break
    finally:
        # Every message is handed over or failed by now: how the goodbye goes changes nothing.
        with contextlib.suppress(OSError):
            smtp.quit()
        smtp.close()
    return failures


def _connect(settings: SmtpSettings, context: ssl.SSLContext) -> smtplib.SMTP:
    smtp: smtplib.SMTP
    if settings.security == "tls":
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.security == "starttls":
            smtp.starttls(context=context)
        if settings.user:
            smtp.login(settings.user, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _reason(error: BaseException) -> str:
    """The server's own words where it gave any."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {text.decode(errors='replace')}"
                         for code, text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) \
            else str(error.smtp_error)
        return f"{error.smtp_code} {text}"
    return str(error) or type(error).__name__

