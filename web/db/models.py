"""The tables: organisers, events, participants, schedule versions and solve jobs.

An event keeps its settings and slots on its own row and each participant on a row of its own,
so an investor's answers and an organiser's edit of the event never overwrite each other. Every
row that people edit carries a version number: a save based on a stale page fails instead of
silently undoing someone else's change. Schedule versions are written once and never changed,
except for the moment they are published.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext
from flask_login import UserMixin
from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.model.event import EMAIL_MAX, ID_MAX, TEXT_MAX
from web.db import Base


def now() -> datetime:
    """The current time in UTC, without tzinfo (SQLite keeps no offsets)."""
    return datetime.now(UTC).replace(tzinfo=None)


ACTIVE = ("queued", "running")  # statuses of work a worker has not finished


def one_active_per_event(table: str) -> Index:
    """A unique index that lets an event have one queued or running row at most: the queueing
    lock of its work, held in the database so that it holds across web processes."""
    active = text("status IN ('queued', 'running')")
    return Index(f"ix_{table}_one_active_per_event", "event_id", unique=True,
                 sqlite_where=active, postgresql_where=active)


def told(message: str | None, **values: Any) -> dict[str, Any]:
    """The columns of a worker task's message: its English words (marked with N_, with named
    placeholders) and their values, so that each reader reads it in their language."""
    return {"message": message, "message_values": values}


class WorkerTask:
    """A row that a worker works on (see `web.worker`): queued, running (claimed by one worker,
    which writes a heartbeat), then finished one way or another."""

    status: Mapped[str] = mapped_column(String(16), default="queued")
    # Who runs it ("host:pid"), since when, and when it last said it was alive: a running row
    # whose heartbeat is old has lost its worker.
    worker: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    # The job of the PostgreSQL queue (procrastinate) that runs it, if that queue is in use.
    queue_job_id: Mapped[int | None]
    # Each table maps its own message columns.
    message: str | None
    message_values: dict[str, Any] | None

    @property
    def active(self) -> bool:
        """Queued or running."""
        return self.status in ACTIVE

    def tell(self, message: str | None, **values: Any) -> None:
        """Keep a message for the people who follow this task (see `told`)."""
        for column, value in told(message, **values).items():
            setattr(self, column, value)

    @property
    def words(self) -> str | None:
        """The task's message in the request's language (one kept without values, by an older
        version, as it was written)."""
        if self.message is None or self.message_values is None:
            return self.message
        return gettext(self.message, **self.message_values)


def new_nonce() -> str:
    """A random part of a personal link or a login session; replacing it revokes the old one."""
    return secrets.token_urlsafe(12)


class Organiser(UserMixin, Base):
    """An organiser's account: a login and, optionally, an API token (both stored hashed)."""

    __tablename__ = "organisers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Part of every session cookie of this account: logging out replaces it, so a copied
    # cookie stops working (the cookie itself is only signed, not stored).
    session_nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    # The language the organiser last chose on the switch (a locale of matcher.i18n.LANGUAGES).
    language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=now)

    def get_id(self) -> str:
        """What the session cookie keeps: the account and its current session nonce."""
        return f"{self.id}:{self.session_nonce}"


ROLES = ("owner", "organiser", "viewer")  # from most to least allowed


class Member(Base):
    """An organiser account's role in one event: its owner (who created it and manages the
    team), an organiser (who changes it) or a viewer (who reads it)."""

    __tablename__ = "event_members"
    __table_args__ = (UniqueConstraint("event_id", "organiser_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organisers.id", ondelete="CASCADE"),
                                              index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=now)

    organiser: Mapped[Organiser] = relationship()


class EventRow(Base):
    """An event's settings, slots, tables and organiser-made rules (pins, required pairs)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(TEXT_MAX))
    venue: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    timezone: Mapped[str] = mapped_column(String(ID_MAX), default="Asia/Hong_Kong")
    day: Mapped[date]
    meeting_minutes: Mapped[int] = mapped_column(default=20)
    changeover_minutes: Mapped[int] = mapped_column(default=5)
    sessions: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [["14:00", "16:00"], ...]
    slots: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"id", "start", "end"}]
    tables: Mapped[list[Any]] = mapped_column(JSON, default=list)
    fields: Mapped[list[Any]] = mapped_column(JSON, default=list)
    field_names: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field -> label
    halls: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"id", "name", "tables"}]
    required: Mapped[list[Any]] = mapped_column(JSON, default=list)
    pinned: Mapped[list[Any]] = mapped_column(JSON, default=list)
    form_open: Mapped[bool] = mapped_column(default=True)
    # The event file's fairness.max_score_loss: the share of the score given up for fairer shares.
    max_score_loss: Mapped[float] = mapped_column(Float, default=0.0)
    # The ORGANIZER of the calendar invites and the From of their e-mails.
    organiser_email: Mapped[str | None] = mapped_column(String(EMAIL_MAX))
    organiser_name: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    created_at: Mapped[datetime] = mapped_column(default=now)
    version: Mapped[int] = mapped_column(default=1)

    participants: Mapped[list[Participant]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Participant.id")

    __mapper_args__ = {"version_id_col": version}


class Participant(Base):
    """A startup or an investor of one event, with its answers."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "startup" or "investor"
    code: Mapped[str] = mapped_column(String(ID_MAX))  # the id in the event file
    name: Mapped[str] = mapped_column(String(TEXT_MAX))
    organisation: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    field: Mapped[str | None] = mapped_column(String(ID_MAX))
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX))
    description: Mapped[str | None] = mapped_column(Text)
    interests: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    wishes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    avoid: Mapped[list[Any]] = mapped_column(JSON, default=list)
    unavailable: Mapped[list[Any]] = mapped_column(JSON, default=list)
    min_meetings: Mapped[int] = mapped_column(default=0)
    max_meetings: Mapped[int | None]
    link_nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    # Their pages', e-mails' and calendar texts' language (a locale of matcher.i18n.LANGUAGES);
    # None until imported with one or chosen on their page: then the browser's applies.
    language: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    event: Mapped[EventRow] = relationship(back_populates="participants")

    __mapper_args__ = {"version_id_col": version}


class ScheduleVersion(Base):
    """One timetable of an event, numbered per event; published ones are what participants see."""

    __tablename__ = "schedule_versions"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    origin: Mapped[str] = mapped_column(String(16))  # "generated", "edited" or "imported"
    schedule: Mapped[dict[str, Any]] = mapped_column(JSON)  # a matcher Schedule, format 1
    event_data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the Event it was made for
    note: Mapped[str | None] = mapped_column(String(500))  # versions from before `details`
    # How it came about, told by `web.schedules.versions.story`: {"how": "generated", ...}.
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=now)
    published_at: Mapped[datetime | None]

    @property
    def score(self) -> int:
        """The version's score, kept in `details` so that a list of versions reads no schedule."""
        return int((self.details or {}).get("score", self.schedule["score"]))

    @property
    def meeting_count(self) -> int:
        """How many meetings the version has (kept in `details` too)."""
        return int((self.details or {}).get("count", len(self.schedule["meetings"])))


class SolveJob(WorkerTask, Base):
    """A generation or re-planning run by the worker: its progress, and the version it produced."""

    __tablename__ = "solve_jobs"
    __table_args__ = (one_active_per_event("solve_jobs"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="generate")  # or "replan"
    # The version published when the job was queued: the new version continues its meetings'
    # calendar uids and sequences (and a re-planning keeps as much of it as it can).
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_versions.id"))
    now_slot: Mapped[str | None] = mapped_column(String(ID_MAX))  # re-planning: earlier slots frozen
    time_limit: Mapped[float]
    stage: Mapped[str | None] = mapped_column(String(32))
    objective: Mapped[float | None]  # the best score so far
    bound: Mapped[float | None]  # the proven bound on the score
    # While the meetings are being timed: the fewest breaks found so far, and proven needed.
    breaks: Mapped[int | None]
    breaks_bound: Mapped[int | None]
    elapsed: Mapped[float] = mapped_column(default=0.0)
    stop_requested: Mapped[bool] = mapped_column(default=False)
    message: Mapped[str | None] = mapped_column(Text)
    message_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_versions.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    finished_at: Mapped[datetime | None]

    @property
    def gap(self) -> float | None:
        """Relative distance between the best score so far and the proven bound."""
        if self.objective is None or self.bound is None or self.bound <= 0:
            return None
        return max(0.0, (self.bound - self.objective) / self.bound)


class Mailing(WorkerTask, Base):
    """E-mails sent by the mail worker, and what became of each message: the invitations of a
    published version, or every participant's personal link (kind "links", no version); a retry
    is a new mailing that skips what was already sent."""

    __tablename__ = "mailings"
    __table_args__ = (one_active_per_event("mailings"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="invitations",
                                      server_default="invitations")
    version_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_versions.id"))
    # Only what changed since this version is sent; None sends every meeting.
    previous_version_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_versions.id"))
    retry_of_id: Mapped[int | None] = mapped_column(ForeignKey("mailings.id"))
    base_url: Mapped[str] = mapped_column(String(500))  # of the agenda links in the messages
    total: Mapped[int] = mapped_column(default=0)
    # One entry a message: participant, recipient, method, uid, subject, sent, reason.
    results: Mapped[list[Any]] = mapped_column(JSON, default=list)
    no_address: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # [participant, uid, method] of the messages the retried mailings already sent.
    skip: Mapped[list[Any]] = mapped_column(JSON, default=list)
    message: Mapped[str | None] = mapped_column(Text)
    message_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=now)
    finished_at: Mapped[datetime | None]

    @property
    def sent(self) -> list[dict[str, Any]]:
        """The messages the server took."""
        return [r for r in self.results if r["sent"]]

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The messages the server did not take, with the reason."""
        return [r for r in self.results if not r["sent"]]


class ImportDraft(Base):
    """A previewed file of participants, kept until the organiser confirms it (or it expires):
    its rows as read, so that the confirmation does not ask for the file again."""

    __tablename__ = "import_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organisers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # "startup" or "investor"
    filename: Mapped[str] = mapped_column(String(255))
    unit: Mapped[str] = mapped_column(String(8))  # "line" (CSV) or "row" (spreadsheet)
    separator: Mapped[str | None] = mapped_column(String(16))
    header: Mapped[list[Any]] = mapped_column(JSON)
    rows: Mapped[list[Any]] = mapped_column(JSON)  # [[line, [cell, ...]], ...]
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)


PRESENCE = ("arrived", "absent")  # what the desk marks; no row: not seen yet


class Attendance(Base):
    """A participant's presence on the day, as the desk marked it: arrived, or absent."""

    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(8))
    marked_at: Mapped[datetime] = mapped_column(default=now)
    # The organiser account that marked it (None once that account is deleted).
    marked_by: Mapped[int | None] = mapped_column(ForeignKey("organisers.id", ondelete="SET NULL"))


# b2match's scale, worst to best, as a participant rates a meeting after it.
RATINGS = ("not_held", "no_interest", "informative", "cooperation")


class MeetingRating(Base):
    """A participant's word on one of their published meetings once it has ended: how it went
    on b2match's scale, and whether the other side did not come (a no-show)."""

    __tablename__ = "meeting_ratings"
    __table_args__ = (UniqueConstraint("participant_id", "uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    uid: Mapped[str] = mapped_column(String(255))  # the meeting's calendar uid, kept across versions
    other: Mapped[str] = mapped_column(String(64))  # the other side's id when it was rated
    rating: Mapped[str] = mapped_column(String(16))
    no_show: Mapped[bool] = mapped_column(default=False)
    rated_at: Mapped[datetime] = mapped_column(default=now)
