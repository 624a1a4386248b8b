"""The portal's e-mails: plain text, with an HTML alternative in the sending organisation's
house style (npo_portal/theming.py), its logo carried inside the message."""

from __future__ import annotations

from email.mime.image import MIMEImage

from django.core.mail import EmailMultiAlternatives
from django.template.defaultfilters import linebreaks_filter, urlize
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from npo_portal.theming import DEFAULTS, LINK_COLOR, Theme, complete

LOGO_CONTENT_ID = "logo@npo-portal"


def send_portal_mail(
    *, subject: str, body: str, recipients: list[str], theme: Theme | None = None
) -> int:
    """Send `body` as text and as HTML in the theme's colours (the portal's own without one).
    The logo travels as an inline part: a mail reader that blocks images from the internet
    still shows it, and no stored file is ever public."""
    tokens = theme.tokens if theme else complete(DEFAULTS)
    logo = theme.logo if theme and theme.logo else None
    # The text, escaped, with its addresses as links in the link colour (a mail reader
    # ignores the page's stylesheet; the colour is a checked #rrggbb token).
    paragraphs = linebreaks_filter(urlize(body, autoescape=True), autoescape=False)
    body_html = mark_safe(paragraphs.replace("<a ", f'<a style="color:{tokens[LINK_COLOR]}" '))  # noqa: S308
    html = render_to_string(
        "email/message.html",
        {
            "subject": subject,
            "body_html": body_html,
            "tokens": {name.lstrip("-").replace("-", "_"): value for name, value in tokens.items()},
            "logo_src": f"cid:{LOGO_CONTENT_ID}" if logo else "",
            "logo_alt": theme.logo_alt if theme else "",
        },
    )
    message = EmailMultiAlternatives(subject, body, None, recipients)
    message.attach_alternative(html, "text/html")
    if logo:
        message.mixed_subtype = "related"
        image = MIMEImage(logo, _subtype=theme.logo_type.split("/", 1)[1])
        image.add_header("Content-ID", f"<{LOGO_CONTENT_ID}>")
        image.add_header("Content-Disposition", "inline")
        message.attach(image)
    return message.send()
