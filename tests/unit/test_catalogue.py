"""The zh_Hans catalogue is complete and safe: every msgid the code and templates use (found by the same
extraction as `make messages`) has a Simplified Chinese translation with the same %-placeholders, and
stored values that templates translate dynamically (`_(unit.use)` …) are marked for extraction."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from civic import i18n
from civic.auth.rules import ROLE_LABELS, SCOPE_LABELS
from civic.places.importer import AREA_SOURCES
from civic.places.models import LinkKind, PlaceKind, UnitUse

REPO_ROOT = Path(__file__).resolve().parents[2]
PO_FILE = REPO_ROOT / "civic" / "locale" / "zh_Hans" / "LC_MESSAGES" / "messages.po"
KEYWORD_SPECS = ["N_", "gettext:2", "ngettext:1,2"]  # as in the Makefile's `messages` target
HAN = re.compile(r"[\u4e00-\u9fff]")
# A %-conversion: "%%", or "%(name)s"-style (the only style msgids may use), or a bare "%s"/"%d".
PLACEHOLDER = re.compile(r"%(?:%|\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa])")
FIX = "run `make messages` and translate the new entries in civic/locale/zh_Hans/LC_MESSAGES/messages.po"


def _keep_directory(path: str) -> bool:
    """Skip hidden directories and caches only. Babel's own default also skips "_*" directories,
    which would silently drop templates/_partials (pagination, form errors) from the catalogue."""
    name = Path(path).name
    return not (name.startswith(".") or name == "__pycache__")


@cache
def extracted() -> dict[str, tuple[str, ...]]:
    """msgid (singular) → all msgids of the entry (singular, plural), extracted like `make messages`."""
    with (REPO_ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords(KEYWORD_SPECS))
    found: dict[str, tuple[str, ...]] = {}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(REPO_ROOT), method_map, options_map, keywords=keywords, directory_filter=_keep_directory):
        ids = message if isinstance(message, tuple) else (message,)
        if ids[0]:
            found[ids[0]] = ids
    return found


@cache
def catalogue() -> Catalog:
    with PO_FILE.open("rb") as fp:
        return read_po(fp, locale=i18n.LOCALES["zh-Hans"])


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def placeholders(text: str) -> set[str]:
    return {p for p in PLACEHOLDER.findall(text) if p != "%%"}


def test_extraction_finds_the_templates_and_the_code():
    ids = extracted()
    for msgid in ("Sign in", "Page %(number)d of %(pages)d", "There is no such place.", "Welcome back, %(name)s."):
        assert msgid in ids, f"extraction did not find {msgid!r}: check babel.cfg and the keywords"


def test_every_extracted_msgid_has_a_chinese_translation():
    translated = {_key(m.id): m for m in catalogue() if m.id}
    missing = sorted(msgid for msgid in extracted()
                     if msgid not in translated or not all(s.strip() for s in _strings(translated[msgid]))
                     or translated[msgid].fuzzy)
    assert not missing, f"{len(missing)} msgid(s) without a zh_Hans translation ({FIX}):\n  " + \
        "\n  ".join(repr(m) for m in missing)


def test_translations_keep_the_placeholders_of_their_msgid():
    wrong = []
    for message in catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        allowed = [placeholders(i) for i in ids]  # each plural form may follow the singular or the plural
        for form in _strings(message):
            if form and placeholders(form) not in allowed:
                wrong.append(f"{ids[-1]!r} {sorted(allowed[-1])} → {form!r} {sorted(placeholders(form))}")
    assert not wrong, "translations whose placeholders differ from their msgid:\n  " + "\n  ".join(wrong)


def test_translations_have_no_stray_percent_signs():
    """Templates format every translation with `%` (Jinja's newstyle gettext): a lone % would crash the page."""
    bad = [m.id for m in catalogue() if m.id and any(re.search(r"%(?!\()", s.replace("%%", "")) for s in _strings(m) if s)]
    assert not bad, f"write a literal percent sign as %% in: {bad}"


def test_chinese_has_one_plural_form():
    assert catalogue().plural_forms == "nplurals=1; plural=0;"
    plural = [m for m in catalogue() if m.id and isinstance(m.id, tuple)]
    assert plural, "no ngettext entries in the catalogue"
    for message in plural:
        assert len(message.string) == 1 and message.string[0], f"{message.id!r} needs exactly msgstr[0]"


def test_values_that_templates_translate_dynamically_are_extracted():
    """Templates show stored values with `_(value)`: each must be marked with N_ somewhere."""
    values = {*PlaceKind, *UnitUse, *LinkKind, *AREA_SOURCES, "pending", "approved", "rejected",
              *ROLE_LABELS.values(), *SCOPE_LABELS.values()}
    unmarked = sorted(str(v) for v in values if str(v) not in extracted())
    assert not unmarked, f"mark these with N_() so they are extracted, then {FIX}: {unmarked}"


def test_the_running_catalogue_speaks_chinese():
    translations = i18n.translations("zh-Hans")
    signed_in = translations.gettext("Sign in")
    assert signed_in != "Sign in" and HAN.search(signed_in), signed_in
    assert HAN.search(translations.ngettext("%(num)d unit", "%(num)d units", 1))
    assert translations.ngettext("%(num)d unit", "%(num)d units", 5) % {"num": 5} == \
        translations.ngettext("%(num)d unit", "%(num)d units", 1) % {"num": 5}


def test_make_messages_extracts_from_every_template_directory():
    recipe = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(line for line in recipe.splitlines() if "pybabel extract" in line)
    match = re.search(r"--ignore-dirs[= ](['\"])(.*?)\1", line)
    assert match, "`make messages` runs pybabel extract without --ignore-dirs, so templates/_partials is skipped"
    assert not any(Path("_partials").match(pattern) for pattern in match.group(2).split())
