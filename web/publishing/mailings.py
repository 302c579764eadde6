"""E-mails sent by a worker thread through `matcher.invites.mail`: the invitations of a published
version (only what changed since the version published before it, or every meeting), or every
participant's personal link; the fate of each message kept on the mailing row, and retries that
send only what was not sent.

Sending never touches a version: a mailing that fails, or a server that stops mid-way, loses
nothing, and a retry picks up what is left. A message in flight when the server stopped may go
out twice; a calendar takes the second copy (same UID and SEQUENCE) as the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher.i18n import N_
from matcher.invites.ics import Organiser, problems
from matcher.invites.mail import (
    Invitation,
    LinkRecipient,
    MailSetupError,
    Outbox,
    SmtpSettings,
    link_outbox,
    outbox,
    send,
)
from matcher.model.event import STORED, Investor, Startup
from web import worker
from web.db import new_session
from web.db.models import ACTIVE, EventRow, Mailing, ScheduleVersion, told
from web.events.store import participant_data, previous_published, schedule_of, snapshot_of
from web.participants.links import link_for
from web.publishing.invites import agenda_links, organiser_of, with_addresses
from web.worker.liveness import Running, close, reap

CHUNK = 20  # messages per SMTP connection; the page's progress moves after each
Scope = Literal["changes", "all"]
BUSY = lazy_gettext("invitations of this event are being sent: wait until they are done")


LOST = N_("Interrupted: the worker sending it stopped (its process ended or lost the database) "
          "before every message was sent; retrying sends the rest.")
CRASHED = N_("Sending failed unexpectedly; the worker's log says why. Retrying sends what was "
             "not sent.")
STOPPED = N_("Sending stopped: its worker was asked to stop before every message was sent; "
             "retrying sends the rest.")


# Why mail cannot go, in English (marked for the catalogues): told in each reader's language.
NO_SERVER = N_("no e-mail server is set up: set MATCHER_SMTP_HOST (see the README)")
NO_ORGANISER = N_("the event has no organiser e-mail address: give one in its settings")


def mail_setup(row: EventRow) -> tuple[SmtpSettings | None, str | None]:
    """The SMTP server of the MATCHER_SMTP_* variables, or None and why the event's
    invitations cannot be e-mailed (English; a bad setting named as the administrator set it)."""
    try:
        settings = SmtpSettings.from_env()
    except MailSetupError as e:
        return None, str(e)
    if settings is None:
        return None, NO_SERVER
    if organiser_of(row) is None:
        return None, NO_ORGANISER
    return settings, None


def mail_problem(row: EventRow) -> str | None:
    """Why the event's invitations cannot be e-mailed now (in the request's language), or None
    when they can."""
    problem = mail_setup(row)[1]
    return None if problem is None else _(problem)


def active_mailing(session: Session, event_id: int) -> Mailing | None:
    """The event's queued or running mailing, if any (one whose worker is gone is failed first)."""
    reap(session, Mailing, LOST)
    return session.scalars(select(Mailing).where(Mailing.event_id == event_id,
                                                 Mailing.status.in_(ACTIVE))).first()


# What the pages say of a mailing's status.
STATUSES = {"queued": lazy_gettext("waiting to be sent"), "running": lazy_gettext("sending"),
            "done": lazy_gettext("sent"), "failed": lazy_gettext("not all sent")}


def mailings(session: Session, event_id: int, kind: str = "invitations") -> list[Mailing]:
    """Every mailing of an event of a kind (invitations, or personal links), newest first."""
    return list(session.scalars(select(Mailing).where(Mailing.event_id == event_id,
                                                      Mailing.kind == kind)
                                .order_by(Mailing.id.desc())))


def retried_by(session: Session, mailing: Mailing) -> Mailing | None:
    """The mailing that retried this one, if any (only the latest of a chain is retried)."""
    return session.scalars(select(Mailing).where(Mailing.retry_of_id == mailing.id)).first()


def blocked(session: Session, row: EventRow) -> str | None:
    """Why no mailing of the event can start now, or None."""
    if active_mailing(session, row.id) is not None:
        return str(BUSY)
    return mail_problem(row)


def start(app: Flask, session: Session, row: EventRow, version: ScheduleVersion, scope: Scope,
          base_url: str) -> tuple[Mailing | None, list[str]]:
    """Queue the invitations of a published version: with scope "changes", only what changed
    since the version published before it. The mailing, or None and why not."""
    problem = blocked(session, row)
    if problem is not None:
        return None, [problem]
    previous = previous_published(session, version)
    # Even when every meeting is sent, one that moved since the previous version must have a
    # higher sequence, or calendars keep it where it was.
    found = problems(snapshot_of(version), schedule_of(version),
                     None if previous is None else (snapshot_of(previous), schedule_of(previous)))
    if found:
        return None, found
    return queue(app, session, Mailing(
        event_id=row.id, version_id=version.id, base_url=base_url,
        previous_version_id=previous.id if previous is not None and scope == "changes" else None,
    ))


def retry(app: Flask, session: Session, row: EventRow, mailing: Mailing
          ) -> tuple[Mailing | None, list[str]]:
    """Queue the messages of a finished mailing that were not sent; or None and why not."""
    problem = blocked(session, row)
    if problem is not None:
        return None, [problem]
    sent = [[r["participant"], r["uid"], r["method"]] for r in mailing.sent]
    return queue(app, session, Mailing(
        event_id=row.id, kind=mailing.kind, version_id=mailing.version_id,
        base_url=mailing.base_url, previous_version_id=mailing.previous_version_id,
        retry_of_id=mailing.id, skip=mailing.skip + sent))


def start_links(app: Flask, session: Session, row: EventRow, base_url: str
                ) -> tuple[Mailing | None, list[str]]:
    """Queue a message to every participant with an address, with their personal link; the
    mailing, or None and why not."""
    problem = blocked(session, row)
    if problem is not None:
        return None, [problem]
    return queue(app, session, Mailing(event_id=row.id, kind="links", base_url=base_url))


def queue(app: Flask, session: Session, mailing: Mailing) -> tuple[Mailing | None, list[str]]:
    """Store a mailing and hand it to a mail worker; or None and why not."""
    try:
        worker.enqueue(app, session, MAIL, mailing)
    except IntegrityError:  # another web process queued one a moment ago
        session.rollback()
        return None, [str(BUSY)]
    return mailing, []


def result(invitation: Invitation, reason: str | None) -> dict[str, Any]:
    """What became of one message, as the mailing row keeps it."""
    return {"participant": invitation.participant, "recipient": invitation.recipient,
            "method": invitation.method, "uid": invitation.uid,
            "subject": str(invitation.message["Subject"]), "sent": reason is None,
            "reason": reason}


def run_mailing(app: Flask, mailing_id: int, running: Running) -> None:
    """Send a claimed mailing's messages in chunks, writing each message's fate (the work of a
    "mail" row)."""
    with new_session(app) as session:
        mailing = session.get_one(Mailing, mailing_id)
        send_all(app, session, mailing, running)


def send_all(app: Flask, session: Session, mailing: Mailing, running: Running) -> None:
    """Build the mailing's outbox (the invitations of its version, or every personal link) and
    send what it has not sent yet, chunk by chunk; stop between chunks when the worker is asked
    to stop or lost the row."""
    row = session.get_one(EventRow, mailing.event_id)
    organiser = organiser_of(row)
    settings, problem = mail_setup(row)
    if settings is None or organiser is None:
        close(session, Mailing, mailing.id, running.worker, status="failed", **told(problem))
        return
    # The links in the messages are built as the request that queued them would have.
    with app.test_request_context(base_url=mailing.base_url):
        box = links_of(row, organiser) if mailing.kind == "links" else \
            invitations_of(session, row, mailing, organiser)
    skip = {tuple(key) for key in mailing.skip}
    todo = [inv for inv in box.invitations if (inv.participant, inv.uid, inv.method) not in skip]
    mailing.total, mailing.no_address = len(todo), list(box.no_address)
    session.commit()
    results: list[dict[str, Any]] = []
    for first in range(0, len(todo), CHUNK):
        if running.lost:
            return  # failed as lost meanwhile: a retry may be sending already
        if running.aborted():
            close(session, Mailing, mailing.id, running.worker, status="failed", **told(STOPPED))
            return
        chunk = todo[first:first + CHUNK]
        reasons = {id(f.invitation): f.reason for f in send(chunk, settings)}
        results += [result(inv, reasons.get(id(inv))) for inv in chunk]
        mailing.results = list(results)
        session.commit()
    failed = len(mailing.failed)
    counts = {"sent": len(todo) - failed, "total": len(todo)}
    if failed:
        message = told(N_("%(sent)s of %(total)s messages sent; %(failed)s not sent: retrying "
                          "sends them again."), failed=failed, **counts)
    else:
        message = told(N_("%(sent)s of %(total)s messages sent."), **counts)
    close(session, Mailing, mailing.id, running.worker, status="failed" if failed else "done",
          **message)


def invitations_of(session: Session, row: EventRow, mailing: Mailing, organiser: Organiser
                   ) -> Outbox:
    """The invitations of a mailing's version: every meeting, or what changed since the
    previous version."""
    version = session.get_one(ScheduleVersion, mailing.version_id)
    previous = session.get(ScheduleVersion, mailing.previous_version_id) \
        if mailing.previous_version_id else None
    return outbox(with_addresses(snapshot_of(version), row), schedule_of(version), organiser,
                  previous=None if previous is None else (
                      with_addresses(snapshot_of(previous), row), schedule_of(previous)),
                  agenda_link=agenda_links(row))


def links_of(row: EventRow, organiser: Organiser) -> Outbox:
    """Every participant's personal link, each in their language (names and addresses read as
    stored, old line breaks made spaces)."""
    people = []
    for p in row.participants:
        person = (Startup if p.kind == "startup" else Investor).model_validate(
            participant_data(p), context=STORED)
        people.append(LinkRecipient(p.code, person.name, person.email, person.language,
                                    link_for(p)))
    return link_outbox(row.name, organiser, people)


@dataclass(frozen=True)
class Recipient:
    """A participant who was sent messages: to which address, how many of each method."""

    participant: str
    recipient: str
    requests: int
    cancels: int


def recipients(results: list[dict[str, Any]]) -> list[Recipient]:
    """The participants the server took messages for, by id."""
    counts: dict[tuple[str, str], list[int]] = {}
    for r in results:
        if r["sent"]:
            tally = counts.setdefault((r["participant"], r["recipient"]), [0, 0])
            tally[r["method"] == "CANCEL"] += 1
    return [Recipient(who, address, requests, cancels)
            for (who, address), (requests, cancels) in sorted(counts.items())]


MAIL = worker.register(worker.Kind("mail", Mailing, run_mailing, lost=LOST, crashed=CRASHED))
