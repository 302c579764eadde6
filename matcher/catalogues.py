"""The message catalogues kept up to date: extract every translatable message of the code and
templates (babel.cfg), merge them into each language's catalogue, and say what a catalogue
lacks. After changing a message: `make messages`, translate what is new, `make test`.

The catalogues are written without source locations and sorted by message, so that two
branches adding messages seldom touch the same lines.
"""

from __future__ import annotations

import re
import sys
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from matcher.i18n import DEFAULT, LANGUAGES, TRANSLATIONS

ROOT = Path(__file__).resolve().parents[1]
# Flask-Babel's lazy forms besides gettext's usual names (N_ among them).
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
# %(name)s of gettext and {name} of str.format, the two ways our messages take values.
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def extract() -> Catalog:
    """Every message of the code and templates, as a fresh template catalogue."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    # Walk only the folders babel.cfg names (not .venv, node_modules, data, ...).
    tops = {pattern.split("/")[0] for pattern, _method in method_map}

    def wanted(directory: str) -> bool:
        parts = Path(directory).relative_to(ROOT).parts
        return not parts or (parts[0] in tops and not parts[-1].startswith((".", "_")))

    template = Catalog(project="matcher", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            directory_filter=wanted):
        template.add(message, None, [(filename, lineno)], auto_comments=comments,
                     context=context)
    return template


def path_of(locale: str) -> Path:
    """The catalogue file of a language."""
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read(locale: str) -> Catalog:
    """A language's catalogue as stored."""
    with open(path_of(locale), "rb") as f:
        return read_po(f, locale=locale)


def write(catalog: Catalog, path: Path) -> None:
    """Write a catalogue the way it is kept: sorted, without locations or obsolete messages."""
    out = BytesIO()
    catalog.fuzzy = False
    write_po(out, catalog, width=100, no_location=True, sort_output=True, ignore_obsolete=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def new_catalogue(locale: str) -> Catalog:
    """An empty catalogue for a language."""
    catalog = Catalog(locale=locale, project="matcher", version="0.1", language_team=locale,
                      last_translator="matcher <matcher@example.org>")
    catalog.header_comment = f"# {Locale.parse(locale).english_name} messages of matcher.\n#"
    return catalog


def update(template: Catalog) -> list[str]:
    """Bring every language's catalogue up to the template: new messages added untranslated,
    vanished ones dropped; the catalogues written, their paths returned."""
    written = []
    for locale in LANGUAGES:
        if locale == DEFAULT:
            continue
        path = path_of(locale)
        catalog = read(locale) if path.exists() else new_catalogue(locale)
        template.creation_date = catalog.creation_date  # no header churn between updates
        catalog.update(template, no_fuzzy_matching=True)
        write(catalog, path)
        written.append(str(path.relative_to(ROOT)))
    return written


def placeholders(text: str) -> set[str]:
    """The named values a message takes."""
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def lacks(message: Message) -> str | None:
    """Why a catalogue's message is not ready to ship, or None."""
    # a message with plural forms has several ids and strings
    texts = list(message.string) if isinstance(message.string, (list, tuple)) else \
        [message.string or ""]
    if not all(texts):
        return "untranslated"
    if message.fuzzy:
        return "fuzzy"
    ids = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
    if any(placeholders(t) != placeholders(ids[-1]) for t in texts):
        return f"placeholders {sorted(placeholders(ids[-1]))} not kept"
    return None


def problems(locale: str, template: Catalog) -> list[str]:
    """What a language's catalogue lacks against the template, one line per message."""
    catalog = read(locale)
    found = [f"{locale}: missing: {m.id!r}" for m in template
             if m.id and catalog.get(m.id, m.context) is None]
    found += [f"{locale}: {why}: {m.id!r}" for m in catalog
              if m.id and (why := lacks(m)) is not None]
    return found


def main() -> int:
    """Extract the messages and update the catalogues; list what is left to translate."""
    template = extract()
    for path in update(template):
        print(f"updated {path}")
    todo = [line for locale in LANGUAGES if locale != DEFAULT
            for line in problems(locale, template)]
    print("\n".join(todo) or "every message is translated")
    return 1 if todo else 0


if __name__ == "__main__":
    sys.exit(main())
