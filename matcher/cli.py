"""The `matcher` command: solve, check, schema and bench.

Exit codes: 0 done, 1 a checked schedule breaks rules, 2 a malformed or inconsistent file,
3 an event whose hard rules cannot all hold.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from matcher.check import violations
from matcher.event import Event
from matcher.files import BadFile, load_event, load_schedule, write_json
from matcher.instance import Instance
from matcher.pairing import Infeasible
from matcher.report import summary, timetable
from matcher.solver import solve

EXIT_BROKEN, EXIT_BAD_FILE, EXIT_INFEASIBLE = 1, 2, 3


def positive(text: str) -> float:
    """An argparse type: a number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} must be above 0")
    return value


def cmd_solve(args: argparse.Namespace) -> int:
    """Solve an event; print the timetable and summary; write the schedule if asked."""
    event = load_event(args.event)
    schedule = solve(event, time_limit=args.time_limit)
    inst = Instance(event)
    print(f"{event.name}\n\n{timetable(inst, schedule)}\n\n{summary(inst, schedule)}")
    if args.out:
        write_json(args.out, schedule)
        print(f"schedule written to {args.out}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Check a schedule against an event; print each broken rule; exit 1 if any."""
    event, schedule = load_event(args.event), load_schedule(args.schedule)
    problems = violations(Instance(event), schedule)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem{'s' * (len(problems) != 1)} found" if problems else
          f"all rules hold: {len(schedule.meetings)} meetings, score {schedule.score}")
    return EXIT_BROKEN if problems else 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of the event file (or of the schedule file)."""
    from matcher.schedule import Schedule

    model = Schedule if args.schedule else Event
    print(json.dumps(model.model_json_schema(), indent=2))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Benchmark the solver against the naive time-indexed model."""
    from matcher.bench import run_bench

    return run_bench(args)


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
    p.set_defaults(run=cmd_solve)

    p = sub.add_parser("check", help="check a schedule against its event, without the solver")
    p.add_argument("event", metavar="EVENT.json")
    p.add_argument("schedule", metavar="SCHEDULE.json")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("schema", help="print the JSON Schema of the event file")
    p.add_argument("--schedule", action="store_true", help="of the schedule file instead")
    p.set_defaults(run=cmd_schema)

    p = sub.add_parser("bench", help="benchmark against the naive time-indexed model")
    p.add_argument("--sizes", default="michk,brokerage,large",
                   help="comma-separated: michk, brokerage, large")
    p.add_argument("--seeds", type=int, default=1, help="events per size (default 1)")
    p.set_defaults(run=cmd_bench)

    p = sub.add_parser("create-organiser", help="create an organiser account of the web app")
    p.add_argument("email", metavar="EMAIL")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from standard input instead of asking twice")
    p.set_defaults(run=cmd_create_organiser)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; errors become a message and an exit code, never a traceback."""
    args = parser().parse_args(argv)
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
        return EXIT_INFEASIBLE
    except KeyboardInterrupt:
        print("interrupted: nothing written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
