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


TABLE = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Tabel</title></head>
<body><table><thead><tr><th scope="col">Doel</th><th scope="col">Bedrag</th></tr></thead>
<tbody><tr><th scope="row">Doel 1</th><td>€ 10,00</td></tr></tbody>
<tfoot><tr><th scope="row">Totaal</th><td>€ 10,00</td></tr></tfoot></table></body></html>"""


def _header_scopes(pdf: bytes) -> list[tuple[str, str]]:
    import io

    import pikepdf

    found = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        pending = [document.Root.StructTreeRoot.K]
        while pending:
            item = pending.pop()
            if isinstance(item, pikepdf.Array):
                pending.extend(item)
                continue
            if not isinstance(item, pikepdf.Dictionary) or item.get("/Type") != "/StructElem":
                continue
            if item.S == "/TH":
                attributes = item.get("/A")
                if isinstance(attributes, pikepdf.Dictionary):
                    attributes = [attributes]
                scope = [str(a.Scope) for a in attributes or [] if a.get("/O") == "/Table"]
                group = str(item.P.P.S)
                found.append((group, scope[0] if scope else ""))
            if "/K" in item:
                pending.append(item.K)
    return sorted(found)


@override_settings(
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [("django.template.loaders.locmem.Loader", {"table.html": TABLE})]
            },
        }
    ]
)
def test_every_header_cell_gets_a_scope_column_in_the_head_row_elsewhere(tmp_path):
    """PDF/UA-1 checkers flag a /TH without /Scope; WeasyPrint 70 writes none."""
    pdf = render_pdf("table.html", {}, base_url=str(tmp_path))
    assert _header_scopes(pdf) == [
        ("/TBody", "/Row"),
        ("/TFoot", "/Row"),
        ("/THead", "/Column"),
        ("/THead", "/Column"),
    ]
