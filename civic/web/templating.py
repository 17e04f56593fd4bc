"""The Jinja environment: autoescaping, per-request gettext, locale-aware filters."""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape

from civic import i18n, markdown
from civic.auth import permissions
from civic.planning.models import STATUS_LABELS
from civic.settings import PROJECT_ROOT
from civic.votes.rules import Sentence

TEMPLATE_DIR = PROJECT_ROOT / "templates"


@pass_context
def _gettext(context, message: str) -> str:
    return context["_translations"].gettext(message)


@pass_context
def _ngettext(context, singular: str, plural: str, n: int) -> str:
    return context["_translations"].ngettext(singular, plural, n)


@pass_context
def _url(context, name: str, /, **path_params) -> str:
    return str(context["request"].app.url_path_for(name, **path_params))


@pass_context
def _static(context, path: str) -> str:
    return str(context["request"].app.url_path_for("static", path=path))


@pass_context
def _sentence(context, value) -> str:
    """A result sentence (votes.rules.Sentence, or its stored [msgid, params] form) in the reader's language."""
    sentence = value if isinstance(value, Sentence) else Sentence.from_list(value)
    return sentence.render(context["_translations"].gettext)


def _localised(fn):
    @pass_context
    def apply(context, value, *args):
        return fn(value, context["locale"], *args)

    return apply


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Translations are looked up per render from the context, so one environment serves every locale.
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
    env.globals.update(url=_url, static=_static, LOCALE_NAMES=i18n.LOCALE_NAMES,
                       is_admin=permissions.is_admin, is_staff_anywhere=permissions.is_staff_anywhere,
                       has_scoped_role=permissions.has_scoped_role)
    env.filters.update(
        date=_localised(i18n.format_date),
        datetime=_localised(i18n.format_datetime),
        number=_localised(i18n.format_number),
        money=_localised(i18n.format_money),
        area=_localised(i18n.format_area),
        sentence=_sentence,
        markdown=markdown.render,
        proposal_status=lambda value: STATUS_LABELS.get(value, value),  # then _(): see planning.models
    )
    return env
