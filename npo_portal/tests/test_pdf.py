import shutil
import subprocess

from django.test import override_settings

from npo_portal.pdf import render_pdf

PROBE = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>@page { size: A4 } body { font-family: "DejaVu Sans", sans-serif }</style></head>
<body><h1>{{ title }}</h1><p>{{ amount }}</p></body></html>"""

PROBE_TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {"probe.html": PROBE})]},
    }
]


@override_settings(TEMPLATES=PROBE_TEMPLATES)
def test_render_pdf_gives_a_tagged_a4_pdf_with_the_text(tmp_path):
    pdf = render_pdf(
        "probe.html", {"title": "Proefdocument", "amount": "€ 1.234,56"}, base_url=str(tmp_path)
    )
    assert pdf.startswith(b"%PDF")
    if pdfinfo := shutil.which("pdfinfo"):
        info = subprocess.run([pdfinfo, "-"], input=pdf, capture_output=True, check=True)
        assert b"595.276 x 841.89" in info.stdout
        assert b"Tagged:          yes" in info.stdout
    if pdftotext := shutil.which("pdftotext"):
        text = subprocess.run([pdftotext, "-", "-"], input=pdf, capture_output=True, check=True)
        assert "Proefdocument" in text.stdout.decode()
        assert "€ 1.234,56" in text.stdout.decode()
