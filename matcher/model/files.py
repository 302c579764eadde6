"""Reading and writing the project's JSON files, with messages that name the culprit."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from matcher.model.event import Event
from matcher.model.messages import sentence
from matcher.model.schedule import Schedule

M = TypeVar("M", bound=BaseModel)


class BadFile(Exception):
    """A file that cannot be read, is not JSON, or breaks the format (exit code 2)."""


def _where(data: Any, loc: tuple) -> str:
    """A readable location such as `startups[3] (st-04).min_meetings`, using ids where known."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            ident = node[key].get("id") if isinstance(node, list) and key < len(node) and \
                isinstance(node[key], dict) else None
            parts[-1] += f"[{key}]" + (f" ({ident})" if isinstance(ident, str) else "")
        else:
            parts.append(str(key))
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts)


def describe(error: ValidationError, data: Any) -> str:
    """Every problem of a validation error, one per line, located by ids."""
    lines = []
    for e in error.errors():
        message, where = sentence(e), _where(data, e["loc"])
        lines.append(f"{where}: {message}" if where else message)
    return "\n".join(lines)


def read_text(path: str | Path) -> str:
    """A text file's content; BadFile says why it cannot be read."""
    try:
        # utf-8-sig: files saved by spreadsheet programs often start with a byte-order mark.
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as e:
        raise BadFile(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise BadFile(f"{path} is not UTF-8 text") from None


def whole_characters(data: Any) -> bool:
    """Whether every text of parsed JSON is made of whole characters: a \\ud800 escape without
    its pair parses into half a character, which no message, file or database can hold."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


HALF_CHARACTER = ("holds a \\u escape of half a character (a lone surrogate such as \\ud800): "
                  "write text as UTF-8")


def read_json(path: str | Path) -> Any:
    """Parse a JSON file; BadFile names the file, line and column of a syntax error."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise BadFile(f"{path} line {e.lineno} column {e.colno}: not valid JSON: {e.msg}") from None
    if not whole_characters(data):
        raise BadFile(f"{path} {HALF_CHARACTER}")
    return data


def parse(model: type[M], data: Any, source: str) -> M:
    """Validate data as a model; BadFile lists every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise BadFile(f"{source} is not a valid {model.__name__.lower()} file:\n"
                      f"{describe(e, data)}") from None


def load_event(path: str | Path) -> Event:
    """Read and validate an event file."""
    return parse(Event, read_json(path), str(path))


def load_schedule(path: str | Path) -> Schedule:
    """Read and validate a schedule file."""
    return parse(Schedule, read_json(path), str(path))


def check_writable(path: str | Path) -> None:
    """Fail early, before long work, if a file cannot be written at this path."""
    path = Path(path)
    if path.is_dir():
        raise BadFile(f"cannot write {path}: it is a folder")
    folder = next((p for p in path.absolute().parents if p.exists()), None)
    if folder is None or not folder.is_dir() or not os.access(folder, os.W_OK):
        raise BadFile(f"cannot write {path}: {folder} is not a writable folder")


def write_json(path: str | Path, content: BaseModel | dict) -> None:
    """Write JSON atomically: the old file stays whole until the new one is complete."""
    text = content.model_dump_json(indent=2) if isinstance(content, BaseModel) else \
        json.dumps(content, indent=2)
    write_bytes(path, (text + "\n").encode("utf-8"))


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write a file atomically: the old file stays whole until the new one is complete."""
    path = Path(path)
    check_writable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise BadFile(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
