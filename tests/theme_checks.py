"""What a themed document shows, read back from the file itself (issue 31, item 7)."""

from __future__ import annotations

import io
from email.mime.image import MIMEImage

import pikepdf

from npo_portal.contrast import rgb


def pdf_images_and_fill_colours(content: bytes, page: int = 0):
    """The image XObjects drawn on the page and the fill colours (`rg`) its text is set in."""
    pdf = pikepdf.open(io.BytesIO(content))
    sheet = pdf.pages[page]
    resources = sheet.obj.get("/Resources", pikepdf.Dictionary())
    xobjects = resources.get("/XObject", pikepdf.Dictionary())
    images = [xobjects[name] for name in xobjects if xobjects[name].get("/Subtype") == "/Image"]
    colours = {
        tuple(round(float(value), 2) for value in operands)
        for operands, operator in pikepdf.parse_content_stream(sheet)
        if str(operator) == "rg"
    }
    return images, colours, pdf


def as_fill(colour: str) -> tuple[float, float, float]:
    return tuple(round(channel / 255, 2) for channel in rgb(colour))


def figure_alts(pdf) -> list[str]:
    found, pending = [], [pdf.Root.StructTreeRoot]
    seen = set()
    while pending:
        element = pending.pop()
        if not isinstance(element, pikepdf.Dictionary) or element.objgen in seen:
            continue
        seen.add(element.objgen)
        if element.get("/S") == "/Figure" and "/Alt" in element:
            found.append(str(element.Alt))
        kids = element.get("/K")
        if isinstance(kids, pikepdf.Array):
            pending.extend(kids)
        elif isinstance(kids, pikepdf.Dictionary):
            pending.append(kids)
    return found


def mail_html_and_logo(message) -> tuple[str, MIMEImage | None]:
    """The HTML alternative of a sent message and its inline logo part."""
    html = next(content for content, kind in message.alternatives if kind == "text/html")
    logo = next((part for part in message.attachments if isinstance(part, MIMEImage)), None)
    return html, logo
