"""HTML to PDF with WeasyPrint, shared by every app that hands out documents.

PDFs go to the public sector, so they are tagged for accessibility (PDF/UA-1) with their
fonts embedded; templates set A4 and their language (`<html lang>`) themselves.
"""

from __future__ import annotations

import pydyf
from django.template.loader import render_to_string
from weasyprint import HTML

PDF_VARIANT = "pdf/ua-1"
# For the archive: PDF/A-2a (ISO 19005-2, level A: tagged) that also declares PDF/UA-1.
# WeasyPrint 70 takes one `pdf_variant`, and none of its variants writes both identifications;
# `pdf/a-2a` writes the tagged structure, the output intent and the file identifier, and
# `finish_archival` adds the PDF/UA identification to its XMP packet (with the extension
# schema PDF/A requires for a property outside its predefined schemas).
ARCHIVAL_PDF_VARIANT = "pdf/a-2a"
_PDFUA_IN_PDFA = (
    b'<rdf:Description rdf:about="" '
    b'xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
    b'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" '
    b'xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    b'<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
    b"<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>"
    b"<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>"
    b"<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>"
    b'<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    b"<pdfaProperty:name>part</pdfaProperty:name>"
    b"<pdfaProperty:valueType>Integer</pdfaProperty:valueType>"
    b"<pdfaProperty:category>internal</pdfaProperty:category>"
    b"<pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>"
    b"</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas>"
    b"</rdf:Description>"
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" '
    b'pdfuaid:part="1"/>'
)

# WeasyPrint lays out in CSS pixels; PDF user space is in points (72 per inch, 96 px).
POINTS_PER_PIXEL = 0.75


def render_pdf(
    template_name: str, context: dict, *, base_url: str, request=None, archival: bool = False
) -> bytes:
    """Render a Django template to PDF bytes (A4 unless the template's CSS says otherwise);
    `archival` makes it PDF/A-2a and PDF/UA-1 in one file, for the archive package."""
    html = render_to_string(template_name, context, request=request)
    document = HTML(string=html, base_url=base_url)
    if archival:
        return document.write_pdf(
            pdf_variant=ARCHIVAL_PDF_VARIANT, uncompressed_pdf=False, finisher=finish_archival
        )
    return document.write_pdf(
        pdf_variant=PDF_VARIANT, uncompressed_pdf=False, finisher=finish_tagging
    )


def finish_archival(document, pdf: pydyf.PDF) -> None:
    """The tagging corrections of `finish_tagging`, and the PDF/UA-1 identification added to
    the PDF/A packet's one rdf:RDF element (XMP allows one)."""
    finish_tagging(document, pdf)
    stream = pdf.objects[_number(pdf.catalog["Metadata"])]
    content = b"".join(stream.stream)
    head, tail = content.split(b"</rdf:RDF>", 1)
    stream.stream = [head + _PDFUA_IN_PDFA + b"</rdf:RDF>" + tail]


def finish_tagging(document, pdf: pydyf.PDF) -> None:
    """Four corrections to WeasyPrint 70's PDF/UA tagging, made before the file is written.

    - Decoration: WeasyPrint tags every `<svg>` as a /Figure and takes its /Alt from the svg's
      `<title>`; it ignores `aria-hidden`. A figure without alternative text fails PDF/UA-1
      (ISO 14289-1, 7.3), and the portal's only such figures are decoration (the colour
      swatches of a chart's legend, whose text stands beside them). They leave the structure
      tree and become artifacts, like the furniture below.
    - Page furniture: the text of margin boxes (running header and footer, page numbers) is
      marked as tagged content (`/Span <</MCID n>> BDC`) whose structure elements WeasyPrint
      keeps out of the structure tree ("only allowed in PDF 2.0", weasyprint/pdf/tags.py).
      Content that is tagged but unreachable fails PDF/UA-1 (ISO 14289-1, 7.1): furniture
      must be an artifact. It becomes `/Artifact <</Type /Pagination>> BDC`.
    - A figure's layout /BBox is written in CSS pixels from the page's top-left corner; PDF
      wants points from the bottom-left (ISO 32000-1, 14.8.5.4.3), on the page.
    - Header cells: WeasyPrint writes /TH without the /Scope attribute that PDF/UA-1 asks
      of every header cell (ISO 14289-1, 7.5; ISO 32000-1, 14.8.5.7). A header cell in the
      table head heads its column; one in the body or foot ("Totaal") heads its row, as the
      portal's templates use `<th scope="row">`.
    """
    objects = pdf.objects
    root = objects[_number(pdf.catalog["StructTreeRoot"])]
    decorative = _detach_figures_without_alt(objects, _reachable_elements(objects, root))
    reachable = _reachable_elements(objects, root)
    parent_tree = objects[_number(root["ParentTree"])]["Nums"]
    pages = [objects[_number(reference)] for reference in pdf.page_references]
    for index in range(0, len(parent_tree) - 1, 2):
        page_index, elements = parent_tree[index], parent_tree[index + 1]
        if not isinstance(elements, pydyf.Array) or page_index >= len(pages):
            continue
        furniture = {
            mcid
            for mcid, reference in enumerate(elements)
            if isinstance(reference, bytes) and _number(reference) not in reachable
        }
        if furniture:
            stream = objects[_number(pages[page_index]["Contents"])]
            _mark_as_artifacts(
                stream,
                {
                    mcid: "/Layout" if _number(elements[mcid]) in decorative else "/Pagination"
                    for mcid in furniture
                },
            )
            for mcid in furniture:
                elements[mcid] = "null"
    for number in reachable:
        element = objects[number]
        if isinstance(element, pydyf.Dictionary) and element.get("S") == "/TH":
            _give_scope(objects, element)
        layout = element.get("A") if isinstance(element, pydyf.Dictionary) else None
        if isinstance(layout, pydyf.Dictionary) and "BBox" in layout and "Pg" in element:
            page = objects[_number(element["Pg"])]
            layout["BBox"] = _page_points(layout["BBox"], page["MediaBox"])


def _give_scope(objects: list, cell: pydyf.Dictionary) -> None:
    row = objects[_number(cell["P"])] if "P" in cell else None
    group = objects[_number(row["P"])] if isinstance(row, pydyf.Dictionary) and "P" in row else None
    in_head = isinstance(group, pydyf.Dictionary) and group.get("S") == "/THead"
    scope = "/Column" if in_head else "/Row"
    existing = cell.get("A")
    attributes = existing if isinstance(existing, pydyf.Array) else [existing]
    for attribute in attributes:
        # WeasyPrint may have written a table attribute already (its row and column spans).
        if isinstance(attribute, pydyf.Dictionary) and attribute.get("O") == "/Table":
            attribute["Scope"] = scope
            return
    table = pydyf.Dictionary({"O": "/Table", "Scope": scope})
    if existing is None:
        cell["A"] = table
    elif isinstance(existing, pydyf.Array):
        existing.append(table)
    else:
        cell["A"] = pydyf.Array([existing, table])


def _number(reference: bytes | str) -> int:
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return int(text.split()[0])


def _reachable_elements(objects: list, root: pydyf.Dictionary) -> set[int]:
    """Numbers of the structure elements reachable from the structure tree's root."""
    found: set[int] = set()
    pending = list(root.get("K", []))
    while pending:
        kid = pending.pop()
        if not isinstance(kid, bytes):
            continue  # an MCID
        number = _number(kid)
        if number in found:
            continue
        found.add(number)
        element = objects[number]
        if isinstance(element, pydyf.Dictionary) and element.get("Type") == "/StructElem":
            kids = element.get("K", [])
            pending.extend(kids if isinstance(kids, pydyf.Array) else [kids])
    return found


def _detach_figures_without_alt(objects: list, reachable: set[int]) -> set[int]:
    """Take the figures without /Alt out of their parents; return their object numbers."""
    detached = set()
    for number in reachable:
        element = objects[number]
        if (
            isinstance(element, pydyf.Dictionary)
            and element.get("S") == "/Figure"
            and "Alt" not in element
        ):
            parent = objects[_number(element["P"])]
            kids = parent.get("K")
            if isinstance(kids, pydyf.Array):
                parent["K"] = pydyf.Array(
                    kid for kid in kids if not (isinstance(kid, bytes) and _number(kid) == number)
                )
            detached.add(number)
    return detached


def _mark_as_artifacts(stream: pydyf.Stream, mcids: dict[int, str]) -> None:
    """Turn the marked-content sequences with these MCIDs into artifacts of the given type."""
    items = stream.stream
    for position in range(1, len(items) - 1):
        properties = items[position]
        if (
            isinstance(properties, pydyf.Dictionary)
            and properties.get("MCID") in mcids
            and items[position + 1] == b"BDC"
        ):
            items[position - 1] = "/Artifact"
            items[position] = pydyf.Dictionary({"Type": mcids[properties["MCID"]]})


def _page_points(box, media_box) -> pydyf.Array:
    x1, y1, x2, y2 = (float(value) * POINTS_PER_PIXEL for value in box)
    height = float(media_box[3]) - float(media_box[1])
    return pydyf.Array([round(x1, 2), round(height - y2, 2), round(x2, 2), round(height - y1, 2)])
