"""Every word a template shows (text, labels, titles, confirmations) goes through the catalogue:
a template with bare English text fails here, before any browser test renders it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
# Attributes people read or hear.
READABLE = {"aria-label", "title", "placeholder", "alt", "data-confirm"}
# Text that stays as it is in every language: the product's name.
KEPT = {"matcher"}
# A macro's output of attributes (`described`), which sits between tags in its source.
ATTRIBUTES = re.compile(r'^(\s*[\w-]+="[^"]*")+\s*$')


class Bare(HTMLParser):
    """Collects the text and readable attributes left with letters once Jinja is taken out."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.code = 0  # inside <script>, <style>, <code>

    def keep(self, text: str, where: str) -> None:
        text = " ".join(text.replace("\0", " ").split())
        words = {word.lower() for word in re.findall(r"[A-Za-z]{2,}", text)}
        if words - KEPT and not ATTRIBUTES.match(text):
            self.found.append(f"line {self.getpos()[0]}: {where}{text!r}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.code += tag in ("script", "style", "code")
        for name, value in attrs:
            if name in READABLE and value:
                self.keep(value, f"{name}=")

    def handle_endtag(self, tag: str) -> None:
        self.code -= tag in ("script", "style", "code")

    def handle_data(self, data: str) -> None:
        if not self.code:
            self.keep(data, "")


def bare_text(source: str) -> list[str]:
    """The untranslated text of a template's source."""
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
    source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "\0", source, flags=re.S)
    parser = Bare()
    parser.feed(source)
    return parser.found


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")),
                         ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_has_no_bare_text(path: Path) -> None:
    found = bare_text(path.read_text())
    assert not found, f"wrap these in _(): {found}"


@pytest.mark.parametrize(("source", "bare"), [
    ("<p>{{ _('Hello') }} {{ name }}</p>", False),
    ("<p>Hello {{ name }}</p>", True),
    ('<button aria-label="Remove {{ name }}">{{ _("Remove") }}</button>', True),
    ("<h1>{{ row.name }} · matcher</h1>", False),
    ('{% if x %} aria-invalid="true"{% endif %}', False),
    ("<code>/api/</code>", False),
])
def test_bare_text_is_found(source: str, bare: bool) -> None:
    assert bool(bare_text(source)) is bare
