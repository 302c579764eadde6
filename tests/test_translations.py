"""The catalogues: every message of the code and templates translated in every language, the
compiled catalogues matching their sources, and the checks that say so able to fail."""

from __future__ import annotations

import ast
from datetime import date, datetime

import pytest
from babel.messages.catalog import Catalog

from matcher import catalogues
from matcher.catalogues import ROOT
from matcher.i18n import (
    DEFAULT,
    FIELD_NAMES,
    LANGUAGES,
    field_name,
    format_day,
    format_moment,
    locale_of,
    translator,
)

TRANSLATED = [locale for locale in LANGUAGES if locale != DEFAULT]


@pytest.fixture(scope="module")
def template() -> Catalog:
    """A fresh extraction of every message, as `make messages` does it."""
    return catalogues.extract()


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated(locale: str, template: Catalog) -> None:
    found = catalogues.problems(locale, template)
    assert not found, ("catalogue not ready (run `make messages` and translate):\n"
                       + "\n".join(found[:40]))


def test_the_extraction_finds_the_code_and_the_templates(template: Catalog) -> None:
    places = {path.split("/")[0] for m in template for path, _line in m.locations}
    assert {"matcher", "web"} <= places
    assert any(path.endswith(".html") for m in template for path, _line in m.locations)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_compiled_catalogue_matches_its_source(locale: str) -> None:
    """The .mo that the app reads says what the .po says (`make` compiles it)."""
    gettext = translator(locale).gettext
    stale = [m.id for m in catalogues.read(locale)
             if m.id and isinstance(m.id, str) and gettext(m.id) != m.string]
    assert not stale, f"{locale}: .mo older than .po (run make translations): {stale[:5]}"


def message(msgid: str, string: str, fuzzy: bool = False) -> Catalog:
    catalog = Catalog(locale="zh_Hant_HK")
    catalog.add(msgid, string, flags=["fuzzy"] if fuzzy else [])
    return catalog


@pytest.mark.parametrize(("msgid", "string", "fuzzy", "why"), [
    ("Hello %(name)s", "%(name)s 您好", False, None),
    ("{value} is not a slot.", "{value} 不是時段。", False, None),
    ("Hello %(name)s", "", False, "untranslated"),
    ("Hello %(name)s", "%(name)s 您好", True, "fuzzy"),
    ("Hello %(name)s", "您好", False, "placeholders ['name'] not kept"),
    ("{value} is not a slot.", "{valeur} 不是時段。", False, "placeholders ['value'] not kept"),
])
def test_a_message_not_ready_is_named(msgid: str, string: str, fuzzy: bool,
                                      why: str | None) -> None:
    catalog = message(msgid, string, fuzzy)
    assert catalogues.lacks(catalog[msgid]) == why


def test_a_message_added_to_the_code_is_missing_from_every_catalogue(template: Catalog) -> None:
    extended = Catalog()
    for m in template:
        if m.id:
            extended.add(m.id, context=m.context)
    extended.add("A sentence added without a translation")
    for locale in TRANSLATED:
        assert catalogues.problems(locale, extended) == [
            f"{locale}: missing: 'A sentence added without a translation'"]


def test_field_names_are_translated_and_unknown_fields_keep_their_id() -> None:
    for locale in LANGUAGES:
        for field, name in FIELD_NAMES.items():
            assert field_name(field, locale) == translator(locale).gettext(name)
        assert field_name("quantum-farming", locale) == "quantum-farming"
    assert field_name("fintech", "en") == FIELD_NAMES["fintech"]
    assert field_name("fintech", "zh-Hant") != FIELD_NAMES["fintech"]


def test_dates_are_written_the_way_each_language_writes_them() -> None:
    day, moment = date(2023, 9, 13), datetime(2023, 9, 13, 14, 5)
    assert format_day(day, "en") == "13 September 2023"
    assert format_day(day, "zh-Hant") == format_day(day, "zh-Hans") == "2023年9月13日"
    assert format_moment(moment, "en").endswith("14:05")
    assert format_moment(moment, "zh_Hans_CN") == "9月13日 14:05"


@pytest.mark.parametrize(("name", "locale"), [
    (None, "en"), ("en", "en"), ("zh-Hant", "zh_Hant_HK"), ("zh_Hans_CN", "zh_Hans_CN")])
def test_language_names(name: str | None, locale: str) -> None:
    assert locale_of(name) == locale


def test_an_unknown_language_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="zh-Hant"):
        locale_of("fr")


def shadowed_gettext(source: str) -> list[int]:
    """Lines that assign to `_` in a module that imports gettext as `_` (every later `_()` in
    that function would call the assigned value instead)."""
    tree = ast.parse(source)
    imports = any(alias.asname == "_" or alias.name == "_" for node in tree.body
                  if isinstance(node, ast.ImportFrom) for alias in node.names)
    if not imports:
        return []
    local = {id(name) for node in ast.walk(tree) if isinstance(node, ast.comprehension)
             for name in ast.walk(node.target)}
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store)
            and id(node) not in local]


def test_no_module_that_translates_assigns_to_its_gettext() -> None:
    found = [f"{path.relative_to(ROOT)}:{line}" for path in sorted(ROOT.glob("[mw]*/**/*.py"))
             for line in shadowed_gettext(path.read_text())]
    assert not found, f"`_` assigned where it is gettext: {found}"


@pytest.mark.parametrize(("source", "lines"), [
    ("from flask_babel import gettext as _\ndef f():\n    a, _ = g()\n    return _('x')\n", [3]),
    ("from flask_babel import gettext as _\nxs = [1 for _ in range(3)]\n", []),
    ("def f():\n    a, _ = g()\n", []),
])
def test_an_assigned_gettext_is_found(source: str, lines: list[int]) -> None:
    assert shadowed_gettext(source) == lines
