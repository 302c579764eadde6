"""The `matcher` command: solve, check, schema, ics, print, bench and b2b.

Exit codes: 0 done, 1 a schedule breaks rules (`check` found problems, or `solve` refused to
write one), 2 a malformed or inconsistent file (or an
unwritable output), 3 an event whose hard rules cannot all hold, 4 no schedule found in the time,
5 invitations not all sent (the calendar files are written).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from matcher import STARTED
from matcher.bench import b2b
from matcher.i18n import SHORT
from matcher.invites import ics, mail
from matcher.model.check import BrokenSchedule, verified, violations
from matcher.model.event import Event
from matcher.model.files import (
    BadFile,
    check_writable,
    load_event,
    load_schedule,
    write_bytes,
    write_json,
)
from matcher.model.instance import Instance
from matcher.report import ProgressLine, reach_report, shares, summary, timetable
from matcher.solve.pairing import Infeasible
from matcher.solve.solver import solve_instance

EXIT_BROKEN, EXIT_BAD_FILE, EXIT_INFEASIBLE, EXIT_TIMEOUT = 1, 2, 3, 4


def positive(text: str) -> float:
    """An argparse type: a number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} must be above 0")
    return value


def at_least(lowest: int) -> Callable[[str], int]:
    """An argparse type: a whole number no less than `lowest`."""
    def whole(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < lowest:
            raise argparse.ArgumentTypeError(f"{text} must be at least {lowest}")
        return value
    return whole


def cmd_solve(args: argparse.Namespace) -> int:
    """Solve an event; print the timetable and summary; write the schedule if asked."""
    event = load_event(args.event)
    if args.out:
        check_writable(args.out)
    inst = Instance(event)
    if args.now and args.now not in inst.slot_index:
        raise BadFile(f"--now {args.now} is not a slot of {args.event}")
    if args.now and not args.previous:
        raise BadFile("--now needs --previous: the schedule to re-plan from")
    previous = load_schedule(args.previous) if args.previous else None
    # The limit is for the whole command: the time spent importing and loading is gone (the
    # solver keeps what checking and writing take).
    limit = max(0.1, args.time_limit - (time.monotonic() - args.started))
    progress = ProgressLine(sys.stderr) if sys.stderr.isatty() else None
    try:
        if previous is not None:
            from matcher.solve.replan import replan

            schedule = replan(event, previous, time_limit=limit, now=args.now,
                              on_progress=progress)
        else:
            schedule = solve_instance(inst, time_limit=limit, on_progress=progress,
                                      engine=args.engine)
    finally:
        if progress:
            progress.close()
    schedule = verified(inst, schedule)  # a schedule that breaks a rule is never written
    print(f"{event.name}\n\n{timetable(inst, schedule)}\n\n{summary(inst, schedule)}")
    if previous is not None:
        from matcher.solve.replan import changes

        diff = changes(previous, schedule)
        print(f"against {args.previous}: {len(diff.kept)} kept, {len(diff.moved)} moved, "
              f"{len(diff.added)} new, {len(diff.cancelled)} cancelled; affected: "
              f"{', '.join(sorted(diff.affected())) or 'nobody'}")
    if args.out:
        write_json(args.out, schedule)
        print(f"schedule written to {args.out}")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    """Say, for each wish of a participant, whether it became a meeting and why not."""
    from matcher.model.explain import explain

    event, schedule = load_event(args.event), load_schedule(args.schedule)
    inst = Instance(event)
    if args.participant not in inst.participants:
        raise BadFile(f"{args.event} has no participant {args.participant}")
    answers = explain(inst, schedule, args.participant)
    if not answers:
        print(f"{args.participant} made no wishes")
    for a in answers:
        print(f"{a.other} (wish {a.wish}, pair score {a.score}): {a.text}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Check a schedule against an event; print each broken rule; exit 1 if any."""
    event, schedule = load_event(args.event), load_schedule(args.schedule)
    inst = Instance(event)
    problems = violations(inst, schedule)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem{'s' * (len(problems) != 1)} found" if problems else
          f"all rules hold: {len(schedule.meetings)} meetings, score {schedule.score}")
    for line in shares(inst, schedule):
        print(line)
    below = reach_report(inst, schedule, every=args.participants)
    if below:
        print("meetings against reach:" if args.participants else "below their reach:")
        print("\n".join(f"  {line}" for line in below))
    return EXIT_BROKEN if problems else 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of the event file (or of the schedule file)."""
    from matcher.model.schedule import Schedule

    model = Schedule if args.schedule else Event
    print(json.dumps(model.model_json_schema(), indent=2))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Benchmark the solver against the naive time-indexed model (or the B2B benchmark)."""
    if args.suite == "b2b":
        return b2b.run_bench(args)
    from matcher.bench.generated import run_bench

    return run_bench(args)


EXIT_NOT_SENT = 5  # `matcher ics --send`: some invitations were not sent; the files are written


def cmd_ics(args: argparse.Namespace) -> int:
    """Write the calendar files of a schedule, cancellations of meetings gone; e-mail them if asked."""
    if (args.previous or args.send) and not args.organiser:
        raise BadFile("--previous and --send need --organiser EMAIL: cancellations and e-mailed "
                      "invitations must name their organiser")
    event, schedule = load_event(args.event), load_schedule(args.schedule)
    previous = None if not args.previous else \
        (load_event(args.previous_event) if args.previous_event else event,
         load_schedule(args.previous))
    problems = ics.problems(event, schedule, previous)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        after = f" (after {args.previous})" if args.previous else ""
        if args.previous and not args.previous_event and any(
                p.startswith("the previous schedule does not fit") for p in problems):
            more += f"; if {args.previous} was made for another event, give it with --previous-event"
        raise BadFile(f"{args.schedule}{after}: {problems[0]}{more}")
    try:
        organiser = args.organiser and ics.Organiser(email=args.organiser, name=args.organiser_name)
    except ValueError:  # pydantic's ValidationError
        raise BadFile(f"--organiser {args.organiser!r} is not an e-mail address such as "
                      "events@example.org") from None
    try:
        settings = mail.SmtpSettings.from_env() if args.send else None
    except mail.MailSetupError as e:
        raise BadFile(str(e)) from None
    if args.send and settings is None:
        raise BadFile("--send needs an SMTP server: set MATCHER_SMTP_HOST (see the README)")

    def link(who: str) -> str:
        return args.agenda_url.replace("{id}", who)

    agenda_link = link if args.agenda_url else None
    check_writable(Path(args.out_dir) / ics.ORGANISER_FILE)
    files = ics.export(event, schedule, previous, organiser=organiser, agenda_link=agenda_link)
    for name, cal in files.items():
        write_bytes(Path(args.out_dir) / name, cal.to_ical())
    print(f"{len(files)} calendar files written to {args.out_dir}")
    if settings is None:
        return 0
    box = mail.outbox(event, schedule, organiser, previous=previous, agenda_link=agenda_link)
    return send_invitations(box, settings)


def send_invitations(box: mail.Outbox, settings: mail.SmtpSettings) -> int:
    """E-mail the outbox; print who has no address, and each message not sent with the reason."""
    for who in box.no_address:
        print(f"no e-mail address for {who}: give them their calendar file instead")
    failures = mail.send(box.invitations, settings)
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"{len(box.invitations) - len(failures)} of {len(box.invitations)} messages sent")
    return EXIT_NOT_SENT if failures else 0


def cmd_print(args: argparse.Namespace) -> int:
    """Write the print kit of a schedule: agendas, table signs, door list and session matrix."""
    from matcher.print import kit

    if args.link_url is not None and "{id}" not in args.link_url:
        raise BadFile(f"--link-url {args.link_url!r} has no {{id}}: it stands for the participant's "
                      "id, so that each agenda's QR code opens that participant's own page")
    event, schedule = load_event(args.event), load_schedule(args.schedule)
    problems = kit.problems(event, schedule)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise BadFile(f"{args.schedule}: {problems[0]}{more}")
    check_writable(Path(args.out_dir) / f"{kit.KINDS[0]}.pdf")

    def link(who: str) -> str:
        return args.link_url.replace("{id}", who)

    try:
        files = kit.write(event, schedule, args.out_dir, args.lang,
                          link if args.link_url else None)
    except OSError as e:
        raise BadFile(f"cannot write {args.out_dir}: {e.strerror or e}") from None
    print(f"{len(files)} PDF files written to {args.out_dir}: {', '.join(f.name for f in files)}")
    return 0
def cmd_serve(args: argparse.Namespace) -> int:
    """`matcher serve`: the web app under gunicorn."""
    from web.serve import serve

    return serve(args.bind, args.workers, args.threads)


def cmd_worker(args: argparse.Namespace) -> int:
    """`matcher worker`: run queued jobs of the web app."""
    from web.commands import worker_command

    return worker_command(args.concurrency)


def cmd_create_organiser(args: argparse.Namespace) -> int:
    """Create an organiser account of the web app (its database from DATABASE_URL)."""
    from web.commands import create_organiser_command

    return create_organiser_command(args.email, args.password_stdin)


def parser() -> argparse.ArgumentParser:
    """The command line."""
    top = argparse.ArgumentParser(prog="matcher", description=__doc__.splitlines()[0])
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("solve", help="solve an event and print its timetable")
    p.add_argument("event", metavar="EVENT.json")
    p.add_argument("--time-limit", type=positive, default=30.0, metavar="SECONDS",
                   help="for the whole solve (default 30)")
    p.add_argument("--out", metavar="SCHEDULE.json", help="write the schedule file here")
    p.add_argument("--previous", metavar="OLD_SCHEDULE.json",
                   help="re-plan: keep as many of its meetings in place as the rules allow")
    p.add_argument("--now", metavar="SLOT",
                   help="with --previous: freeze the slots before this one")
    p.add_argument("--engine", choices=["auto", "cpsat", "flow"], default="auto",
                   help="cpsat: CP-SAT models in every stage; flow: a flow and matching core "
                        "for large events; auto (default): flow when the event is too large "
                        "for the CP-SAT models")
    p.set_defaults(run=cmd_solve)

    p = sub.add_parser("check", help="check a schedule against its event, without the solver")
    p.add_argument("event", metavar="EVENT.json")
    p.add_argument("schedule", metavar="SCHEDULE.json")
    p.add_argument("--participants", action="store_true",
                   help="list every participant's meetings against its reach")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("explain", help="why each wish of a participant did or did not happen")
    p.add_argument("event", metavar="EVENT.json")
    p.add_argument("schedule", metavar="SCHEDULE.json")
    p.add_argument("--participant", required=True, metavar="ID")
    p.set_defaults(run=cmd_explain)

    p = sub.add_parser("schema", help="print the JSON Schema of the event file")
    p.add_argument("--schedule", action="store_true", help="of the schedule file instead")
    p.set_defaults(run=cmd_schema)

    p = sub.add_parser("ics", help="write calendar files (.ics) of a schedule, and e-mail them")
    p.add_argument("event", metavar="EVENT.json")
    p.add_argument("schedule", metavar="SCHEDULE.json")
    p.add_argument("--out-dir", required=True, metavar="DIR", help="where the .ics files go")
    p.add_argument("--previous", metavar="OLD_SCHEDULE.json",
                   help="the schedule sent before: its meetings that are gone are cancelled")
    p.add_argument("--previous-event", metavar="OLD_EVENT.json",
                   help="the event OLD_SCHEDULE was made for, if not EVENT.json")
    p.add_argument("--organiser", "--organizer", metavar="EMAIL",
                   help="ORGANIZER of the meetings; without it, no ORGANIZER and no ATTENDEE")
    p.add_argument("--organiser-name", "--organizer-name", metavar="NAME")
    p.add_argument("--agenda-url", metavar="URL",
                   help="link in each meeting; {id} in it becomes the participant's id")
    p.add_argument("--send", action="store_true",
                   help="also e-mail each participant's invitations (MATCHER_SMTP_* variables)")
    p.set_defaults(run=cmd_ics)

    p = sub.add_parser("print", help="write the print kit (PDF): agendas, table signs, door list, "
                                     "session matrix")
    p.add_argument("event", metavar="EVENT.json")
    p.add_argument("schedule", metavar="SCHEDULE.json")
    p.add_argument("--out-dir", required=True, metavar="DIR", help="where the PDF files go")
    p.add_argument("--lang", choices=list(SHORT), default="en",
                   help="language of the printed texts (default en); names stay as given")
    p.add_argument("--link-url", metavar="URL",
                   help="each agenda's QR code opens this address; {id} in it becomes the "
                        "participant's id (without it, no QR code)")
    p.set_defaults(run=cmd_print)

    p = sub.add_parser("bench", help="benchmark against the naive time-indexed model")
    p.add_argument("--sizes", default="michk,brokerage,large",
                   help="comma-separated: michk, brokerage, large, trade-iltm, trade-ate "
                        "(trade: both)")
    p.add_argument("--seeds", type=at_least(1), default=1, help="events per size (default 1)")
    p.set_defaults(run=cmd_bench)
    add_b2b(sub, p)

    p = sub.add_parser("create-organiser", help="create an organiser account of the web app")
    p.add_argument("email", metavar="EMAIL")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from standard input instead of asking twice")
    p.set_defaults(run=cmd_create_organiser)

    p = sub.add_parser("serve", help="serve the web app with gunicorn (production)")
    p.add_argument("--bind", metavar="HOST:PORT",
                   help="where to listen (default $MATCHER_BIND, else 127.0.0.1:$PORT or :8000)")
    p.add_argument("--workers", type=at_least(1), metavar="N",
                   help="web processes (default $MATCHER_WEB_WORKERS, else 2 per core + 1)")
    p.add_argument("--threads", type=at_least(1), metavar="N",
                   help="threads per web process (default $MATCHER_WEB_THREADS, else 4)")
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("worker", help="run the web app's queued solves and mailings (PostgreSQL)")
    p.add_argument("--concurrency", type=at_least(1), metavar="N",
                   help="solves at a time (default $MATCHER_WORKER_CONCURRENCY, else 1); "
                        "mailings go one at a time besides")
    p.set_defaults(run=cmd_worker)
    return top


def add_b2b(sub: argparse._SubParsersAction, bench: argparse.ArgumentParser) -> None:
    """`matcher b2b FILE.dzn` and `matcher bench b2b DIR`: the B2B benchmark (see matcher.bench.b2b)."""
    p = sub.add_parser("b2b", help="solve a B2B meeting scheduling instance (.dzn)")
    p.add_argument("file", metavar="FILE.dzn")
    p.add_argument("--fairness", type=at_least(0), default=2, metavar="D",
                   help="break counts differ by at most D (default 2)")
    p.add_argument("--time-limit", type=positive, default=30.0, metavar="SECONDS",
                   help="default 30")
    p.add_argument("--out", metavar="RESULT.json", help="write the result here")
    p.set_defaults(run=b2b.cmd_b2b)
    bench.add_argument("suite", nargs="?", choices=["b2b"],
                       help="b2b: solve every .dzn of DIR instead")
    bench.add_argument("directory", nargs="?", metavar="DIR", help="with b2b: the .dzn files")
    bench.add_argument("--pattern", default="*.dzn", help="with b2b: which files (default *.dzn)")
    bench.add_argument("--time-limit", type=positive, default=30.0, metavar="SECONDS",
                       help="with b2b: per instance (default 30)")
    bench.add_argument("--fairness", type=at_least(0), default=2, metavar="D",
                       help="with b2b: fairness (default 2)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; errors become a message and an exit code, never a traceback."""
    args = parser().parse_args(argv)
    # The command itself began before its imports; a call from Python begins now.
    args.started = STARTED if argv is None else time.monotonic()
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except BadFile as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_FILE
    except Infeasible as e:
        print(f"error: the event's hard rules cannot all hold: {e}", file=sys.stderr)
        return EXIT_INFEASIBLE
    except TimeoutError as e:
        print(f"error: {e}; try a longer --time-limit", file=sys.stderr)
        return EXIT_TIMEOUT
    except BrokenSchedule as e:
        print(f"error: the solver's schedule breaks the rules, so it is not written: {e}",
              file=sys.stderr)
        return EXIT_BROKEN
    except KeyboardInterrupt:
        print("interrupted: nothing written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
