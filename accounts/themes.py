"""An organisation's house style: who may set it, how it is checked and stored, and how the
pages, e-mails and PDFs read it (issue 31, item 7). The tokens and the contrast rule are in
npo_portal/theming.py; this module ties them to the organisations."""

from __future__ import annotations

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from accounts.models import Municipality, OrganisationTheme, SchoolBoard, User
from npo_portal.contrast import is_hex_colour
from npo_portal.theming import TOKEN_NAMES, Theme, complete, contrast_problems

MUNICIPALITY, SCHOOL_BOARD = "gemeente", "bestuur"
# The first bytes of the two formats a logo may have. An SVG can carry script and links, and
# sanitising it well is a project of its own: it is refused.
SIGNATURES = {b"\x89PNG\r\n\x1a\n": ("image/png", "PNG"), b"\xff\xd8\xff": ("image/jpeg", "JPEG")}
LOGO_MAX_PIXELS = 2000
# A logo is shown at most a few centimetres wide; 256 kB holds a sharp one in either format.
LOGO_MAX_KB = 256


def kind_and_key(organisation: Municipality | SchoolBoard) -> tuple[str, str]:
    """The organisation's place in the theme URLs: ("gemeente", "GM0718"), ("bestuur", …)."""
    if isinstance(organisation, Municipality):
        return MUNICIPALITY, organisation.code
    return SCHOOL_BOARD, organisation.number


def can_set_theme(user: User, organisation: Municipality | SchoolBoard) -> bool:
    """The functional administrator sets every organisation's house style; no one else."""
    return bool(user.is_authenticated and user.is_active and user.is_functional_admin)


def can_view_theme(user: User, organisation: Municipality | SchoolBoard) -> bool:
    """An organisation's stylesheet and logo: its own people, and the administrator."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_functional_admin:
        return True
    if isinstance(organisation, Municipality):
        return user.municipality_id == organisation.pk
    return user.school_board_id == organisation.pk


def theme_record(organisation: Municipality | SchoolBoard) -> OrganisationTheme | None:
    lookup = (
        {"municipality": organisation}
        if isinstance(organisation, Municipality)
        else {"school_board": organisation}
    )
    return OrganisationTheme.objects.filter(**lookup).first()


def as_theme(record: OrganisationTheme, *, with_logo: bool = False) -> Theme:
    logo = None
    if with_logo and record.logo:
        with record.logo.open("rb") as stored:
            logo = stored.read()
    return Theme(
        organisation_name=(record.municipality or record.school_board).name,
        tokens=complete(record.tokens),
        version=f"{int(record.updated_at.timestamp() * 1000):x}",
        has_logo=bool(record.logo),
        logo=logo,
        logo_type=record.logo_type,
    )


def theme_of(organisation, *, with_logo: bool = False) -> Theme | None:
    """The organisation's house style, or None for the portal's own look. `with_logo` reads
    the logo's bytes, for a PDF or an e-mail. An organisation whose row mirrors no version
    has none, so the portal's own look costs no query."""
    if organisation is None or not organisation.theme_version:
        return None
    record = theme_record(organisation)
    return as_theme(record, with_logo=with_logo) if record else None


def page_theme(organisation) -> Theme | None:
    """What a page needs of the organisation's house style (whether there is one, its version
    and whether it has a logo), read from the organisation itself: no query of its own."""
    if organisation is None or not organisation.theme_version:
        return None
    return Theme(
        organisation_name=organisation.name,
        tokens={},
        version=organisation.theme_version,
        has_logo=organisation.theme_has_logo,
    )


def theme_for_user(user) -> Theme | None:
    """The look of the user's own organisation; the administrator and the programme monitor
    belong to none and see the portal's own."""
    if not getattr(user, "is_authenticated", False):
        return None
    return page_theme(user.organisation)


def context(request) -> dict:
    """Context processor: `theme` (None for the portal's own look), and the addresses of its
    stylesheet and logo with the version that makes a browser fetch a changed one anew."""

    def look() -> dict:
        user = getattr(request, "user", None)
        theme = theme_for_user(user)
        if theme is None:
            return {"theme": None, "css": "", "logo": ""}
        kind, key = kind_and_key(user.organisation)
        query = f"?v={theme.version}"
        return {
            "theme": theme,
            "css": reverse("theme-css", args=[kind, key]) + query,
            "logo": reverse("theme-logo", args=[kind, key]) + query,
        }

    found = SimpleLazyObject(look)
    return {
        "theme": SimpleLazyObject(lambda: found["theme"]),
        "theme_css_url": SimpleLazyObject(lambda: found["css"]),
        "theme_logo_url": SimpleLazyObject(lambda: found["logo"]),
    }


def read_logo(upload) -> tuple[bytes, str]:
    """The uploaded logo's bytes and type, after checking what it really is (not its name):
    PNG or JPEG, at most LOGO_MAX_KB and LOGO_MAX_PIXELS on each side."""
    limit = LOGO_MAX_KB * 1024
    if upload.size > limit:
        raise ValidationError(
            _("The logo is %(size)s kB; at most %(limit)s kB is accepted.")
            % {"size": (upload.size + 1023) // 1024, "limit": LOGO_MAX_KB}
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    kind = next((kind for sig, kind in SIGNATURES.items() if content.startswith(sig)), None)
    if kind is None:
        raise ValidationError(
            _("The logo must be a PNG or JPEG image. Other files, SVG among them, are refused.")
        )
    content_type, pillow_format = kind
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                image.verify()
                width, height = image.size
                found = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombWarning) as error:
        raise ValidationError(_("The logo cannot be read as an image.")) from error
    if found != pillow_format:
        raise ValidationError(_("The logo cannot be read as an image."))
    if width > LOGO_MAX_PIXELS or height > LOGO_MAX_PIXELS:
        raise ValidationError(
            _("The logo is %(width)s by %(height)s pixels; at most %(limit)s on each side.")
            % {"width": width, "height": height, "limit": LOGO_MAX_PIXELS}
        )
    return content, content_type


def check_tokens(tokens: dict[str, str]) -> dict[str, str]:
    """The token set as it will be stored, or ValidationError with every reason: an unknown
    token, a value that is no #rrggbb colour, and each pair below WCAG 2.1 AA contrast."""
    unknown = sorted(set(tokens) - set(TOKEN_NAMES))
    if unknown:
        raise ValidationError(
            _("Unknown design tokens: %(names)s.") % {"names": ", ".join(unknown)}
        )
    bad = sorted(name for name, value in tokens.items() if not is_hex_colour(value))
    if bad:
        raise ValidationError(
            _("Not a colour of the form #rrggbb: %(names)s.") % {"names": ", ".join(bad)}
        )
    cleaned = {name: value.lower() for name, value in tokens.items()}
    problems = contrast_problems(cleaned)
    if problems:
        raise ValidationError(problems)
    return cleaned


@transaction.atomic
def save_theme(
    *,
    organisation: Municipality | SchoolBoard,
    tokens: dict[str, str],
    user: User,
    logo=None,
    remove_logo: bool = False,
) -> OrganisationTheme:
    """Store the organisation's colour tokens and, when given, its new logo (or remove it).
    Refused whole, with every reason, when the tokens fail WCAG 2.1 AA or the logo is no
    PNG or JPEG within the limits."""
    if not can_set_theme(user, organisation):
        raise ValidationError(_("Only the functional administrator sets a house style."))
    cleaned = check_tokens(tokens)
    logo_content = read_logo(logo) if logo is not None else None
    record = theme_record(organisation) or OrganisationTheme(
        **(
            {"municipality": organisation}
            if isinstance(organisation, Municipality)
            else {"school_board": organisation}
        )
    )
    old_logo = record.logo.name if record.logo else ""
    record.tokens = cleaned
    record.updated_by = user
    if logo_content is not None:
        content, record.logo_type = logo_content
        record.logo.save("logo", ContentFile(content), save=False)
    elif remove_logo:
        record.logo, record.logo_type = "", ""
    record.save()
    _mirror(organisation, version=as_theme(record).version, has_logo=bool(record.logo))
    if old_logo and old_logo != record.logo.name:
        storage = record.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return record


def _mirror(organisation, *, version: str, has_logo: bool) -> None:
    # The organisation's copy of what its pages need (Municipality.theme_version).
    organisation.theme_version, organisation.theme_has_logo = version, has_logo
    type(organisation).objects.filter(pk=organisation.pk).update(
        theme_version=version, theme_has_logo=has_logo
    )


def remove_theme(*, organisation: Municipality | SchoolBoard, user: User) -> None:
    """Back to the portal's own look: the tokens and the logo go."""
    if not can_set_theme(user, organisation):
        raise ValidationError(_("Only the functional administrator sets a house style."))
    record = theme_record(organisation)
    if record is None:
        return
    name, storage = record.logo.name, record.logo.storage
    record.delete()
    _mirror(organisation, version="", has_logo=False)
    if name:
        transaction.on_commit(lambda: storage.delete(name))
