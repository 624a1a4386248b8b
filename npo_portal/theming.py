"""An organisation's own look as NL Design System design tokens (issue 31, item 7).

The tokens are CSS custom properties named as the NL Design System names them: the candidate
components' `--nl-*` tokens for the button, link and heading, and the Utrecht community
components' `--utrecht-page-header-*` and `--utrecht-page-footer-*` for the page's header
and footer (as Open Forms names them). static/css/portal.css reads them, with the portal's
own colours as fallbacks; an organisation's stylesheet (`theme_css`) only sets them.

This module knows no app: accounts stores a token set per organisation and hands a `Theme`
to the pages, e-mails and PDFs.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from urllib.parse import quote

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from npo_portal.contrast import NON_TEXT_RATIO, TEXT_RATIO, contrast_ratio, is_hex_colour, mix, rgb

BUTTON_BACKGROUND = "--nl-button-primary-background-color"
BUTTON_COLOR = "--nl-button-primary-color"
LINK_COLOR = "--nl-link-color"
HEADING_COLOR = "--nl-heading-color"
HEADER_BACKGROUND = "--utrecht-page-header-background-color"
HEADER_COLOR = "--utrecht-page-header-color"
FOOTER_BACKGROUND = "--utrecht-page-footer-background-color"
FOOTER_COLOR = "--utrecht-page-footer-color"
# The page itself stays white: every other colour of the portal (alerts, tables, forms) was
# checked against it.
PAGE_BACKGROUND = "#ffffff"


@dataclass(frozen=True)
class Token:
    name: str
    label: Promise
    default: str


# In the order the form shows them; the defaults are the portal's own look.
TOKENS: tuple[Token, ...] = (
    Token(HEADER_BACKGROUND, gettext_lazy("Page header: background"), "#154273"),
    Token(HEADER_COLOR, gettext_lazy("Page header: text"), "#ffffff"),
    Token(BUTTON_BACKGROUND, gettext_lazy("Primary button: background"), "#154273"),
    Token(BUTTON_COLOR, gettext_lazy("Primary button: text"), "#ffffff"),
    Token(LINK_COLOR, gettext_lazy("Links"), "#154273"),
    Token(HEADING_COLOR, gettext_lazy("Headings"), "#212529"),
    Token(FOOTER_BACKGROUND, gettext_lazy("Page footer: background"), "#ffffff"),
    Token(FOOTER_COLOR, gettext_lazy("Page footer: text and links"), "#595c5f"),
)
TOKEN_NAMES = tuple(token.name for token in TOKENS)
DEFAULTS = {token.name: token.default for token in TOKENS}
LABELS = {token.name: token.label for token in TOKENS}


@dataclass(frozen=True)
class Pair:
    foreground: str  # a token name
    background: str  # a token name, or None for the white page
    minimum: float


# What must be told apart, and by how much (WCAG 2.1 AA).
PAIRS: tuple[Pair, ...] = (
    Pair(HEADER_COLOR, HEADER_BACKGROUND, TEXT_RATIO),
    Pair(BUTTON_COLOR, BUTTON_BACKGROUND, TEXT_RATIO),
    # 1.4.11: a button's shape must stand out from the page it is on.
    Pair(BUTTON_BACKGROUND, "", NON_TEXT_RATIO),
    Pair(LINK_COLOR, "", TEXT_RATIO),
    Pair(HEADING_COLOR, "", TEXT_RATIO),
    Pair(FOOTER_COLOR, FOOTER_BACKGROUND, TEXT_RATIO),
)


def complete(tokens: dict[str, str] | None) -> dict[str, str]:
    """Every token: the organisation's value where it set a valid one, else the default."""
    given = tokens or {}
    return {
        name: given[name] if is_hex_colour(given.get(name, "")) else default
        for name, default in DEFAULTS.items()
    }


def _ratio_text(ratio: float) -> str:
    # Rounded down: a pair at 4.499:1 must not be shown as the 4,5:1 it fails.
    return number_format(math.floor(ratio * 100) / 100, decimal_pos=2)


def contrast_problems(tokens: dict[str, str]) -> list[str]:
    """One sentence per pair of the token set that fails WCAG 2.1 AA, naming both colours
    and the ratio; empty when the set passes."""
    values = complete(tokens)
    problems = []
    for pair in PAIRS:
        foreground = values[pair.foreground]
        background = values[pair.background] if pair.background else PAGE_BACKGROUND
        ratio = contrast_ratio(foreground, background)
        if ratio >= pair.minimum:
            continue
        problems.append(
            _(
                "%(foreground)s (%(foreground_value)s) on %(background)s (%(background_value)s) "
                "has a contrast of %(ratio)s:1; WCAG 2.1 AA asks at least %(minimum)s:1 "
                "for %(what)s."
            )
            % {
                "foreground": LABELS[pair.foreground],
                "foreground_value": foreground,
                "background": LABELS[pair.background] if pair.background else _("the white page"),
                "background_value": background,
                "ratio": _ratio_text(ratio),
                "minimum": number_format(pair.minimum, decimal_pos=1),
                "what": _("text") if pair.minimum == TEXT_RATIO else _("a button's shape"),
            }
        )
    return problems


@dataclass(frozen=True)
class Theme:
    """An organisation's look as the pages, e-mails and PDFs use it."""

    organisation_name: str
    tokens: dict[str, str]
    version: str
    has_logo: bool = False
    # The logo's bytes, read only for documents and e-mails (pages link to it).
    logo: bytes | None = field(default=None, repr=False)
    logo_type: str = ""

    @property
    def header_background(self) -> str:
        return self.tokens[HEADER_BACKGROUND]

    @property
    def header_color(self) -> str:
        return self.tokens[HEADER_COLOR]

    @property
    def heading_color(self) -> str:
        return self.tokens[HEADING_COLOR]

    @property
    def link_color(self) -> str:
        return self.tokens[LINK_COLOR]

    @property
    def logo_data_uri(self) -> str:
        """The logo inline, for a PDF (WeasyPrint fetches nothing)."""
        if not self.logo:
            return ""
        return f"data:{self.logo_type};base64,{base64.b64encode(self.logo).decode()}"

    @property
    def logo_alt(self) -> str:
        return _("Logo of %(organisation)s") % {"organisation": self.organisation_name}


def _rgb_list(colour: str) -> str:
    return ", ".join(str(channel) for channel in rgb(colour))


def _pressed(background: str, text: str) -> str:
    """A hovered or pressed button: its background moved away from its text colour, so the
    contrast the set was checked for only grows."""
    darker = contrast_ratio(text, "#000000") > contrast_ratio(text, "#ffffff")
    return mix(background, "#000000" if darker else "#ffffff", 0.2)


def _toggler_icon(colour: str) -> str:
    # Bootstrap's menu icon, drawn in the header's text colour.
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 30 30'><path "
        f"stroke='{colour}' stroke-linecap='round' stroke-miterlimit='10' "
        "stroke-width='2' d='M4 7h22M4 15h22M4 23h22'/></svg>"
    )
    return f'url("data:image/svg+xml,{quote(svg)}")'


def theme_css(tokens: dict[str, str], *, organisation_name: str = "") -> str:
    """The organisation's stylesheet: its tokens, and the values CSS cannot derive from a
    token (Bootstrap's comma-separated RGB variables, the pressed button, the menu icon).
    Every value is a checked #rrggbb colour, so nothing else can reach the CSS."""
    values = complete(tokens)
    button, button_text = values[BUTTON_BACKGROUND], values[BUTTON_COLOR]
    lines = [f"/* {organisation_name.replace('*/', '')}: NL Design System tokens */", ":root {"]
    lines += [f"  {name}: {values[name]};" for name in TOKEN_NAMES]
    lines += [
        f"  --bs-primary-rgb: {_rgb_list(button)};",
        f"  --bs-link-color-rgb: {_rgb_list(values[LINK_COLOR])};",
        f"  --bs-link-hover-color-rgb: {_rgb_list(mix(values[LINK_COLOR], '#000000', 0.2))};",
        f"  --npo-button-primary-pressed-background-color: {_pressed(button, button_text)};",
        f"  --npo-page-header-toggler-icon: {_toggler_icon(values[HEADER_COLOR])};",
        "}",
    ]
    return "\n".join(lines) + "\n"
