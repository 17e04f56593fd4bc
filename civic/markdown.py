"""Markdown written by people (vote descriptions, proposals, covenant preambles), rendered safely.

markdown-it's "js-default" preset escapes raw HTML and refuses javascript:/vbscript:/data: links, so the
output needs no further sanitising. Images are off (they would load from other hosts, which the page's
policy forbids anyway), headings start at <h3> so a description never competes with the page's own
<h1>/<h2>, and links carry rel="nofollow ugc noopener".
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

HEADING_OFFSET = 2  # "# Title" in a description becomes <h3>


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("js-default").disable("image")

    def heading_open(renderer, tokens, idx, options, env):
        token = tokens[idx]
        level = min(int(token.tag[1]) + HEADING_OFFSET, 6)
        token.tag = f"h{level}"
        tokens[_closing(tokens, idx)].tag = token.tag
        return renderer.renderToken(tokens, idx, options, env)

    def link_open(renderer, tokens, idx, options, env):
        tokens[idx].attrSet("rel", "nofollow ugc noopener")
        return renderer.renderToken(tokens, idx, options, env)

    parser.add_render_rule("heading_open", heading_open)
    parser.add_render_rule("link_open", link_open)
    return parser


def _closing(tokens, idx: int) -> int:
    for j in range(idx + 1, len(tokens)):
        if tokens[j].type == "heading_close":
            return j
    return idx


def render(text: str | None) -> Markup:
    """Safe HTML for a Markdown text (an empty text gives an empty string)."""
    if not text:
        return Markup("")
    return Markup(_parser().render(text))  # noqa: S704 — "js-default" escapes raw HTML, refuses unsafe links


_MARKDOWN_PUNCTUATION = "\\`*_{}[]()<>#+-.!|~=\"'"


def escape(text: str) -> str:
    """Markdown that renders as exactly this plain text: every punctuation mark Markdown could read as
    markup is backslash-escaped (CommonMark allows it before any ASCII punctuation) and each line break
    is kept as a hard break. For embedding a text people wrote, verbatim, in a Markdown description."""
    escaped = "".join(f"\\{ch}" if ch in _MARKDOWN_PUNCTUATION else ch for ch in text)
    return "\\\n".join(escaped.split("\n"))
