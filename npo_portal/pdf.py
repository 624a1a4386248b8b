"""HTML to PDF with WeasyPrint, shared by every app that hands out documents.

PDFs go to the public sector, so they are tagged for accessibility (PDF/UA-1) with their
fonts embedded; templates set A4 and their language (`<html lang>`) themselves.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML

PDF_VARIANT = "pdf/ua-1"


def render_pdf(template_name: str, context: dict, *, base_url: str, request=None) -> bytes:
    """Render a Django template to PDF bytes (A4 unless the template's CSS says otherwise)."""
    html = render_to_string(template_name, context, request=request)
    document = HTML(string=html, base_url=base_url)
    return document.write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=False)
