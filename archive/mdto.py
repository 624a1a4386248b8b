"""MDTO metadata (Metagegevens Duurzaam Toegankelijke Overheidsinformatie, Nationaal Archief)
for the archive package, written with the element names and order of MDTO-XML 1.0.x
(namespace https://www.nationaalarchief.nl/mdto).

One XML file describes one object, as MDTO asks: an `informatieobject` per record group (its
identification, name, classification, time span, appraisal, retention and creator) and a
`bestand` per file (size, format, checksum). Not validated against the XSD here: the schema is
not shipped with the portal; the element order follows its published sequence.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, SubElement, indent, tostring

NAMESPACE = "https://www.nationaalarchief.nl/mdto"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NAMESPACE} https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.1.xsd"
SOURCE = "NPO Portal"

# PRONOM identifiers (The National Archives' format registry) of the files the bag holds.
FORMATS = {
    ".pdf": ("fmt/276", "Acrobat PDF 1.7 - Portable Document Format"),
    ".pdfa": ("fmt/476", "Acrobat PDF/A - Portable Document Format 2a"),
    ".csv": ("x-fmt/18", "Comma Separated Values"),
    ".json": ("fmt/817", "JSON Data Interchange Format"),
    ".xlsx": ("fmt/214", "Microsoft Excel for Windows 2007 onwards"),
    ".xml": ("fmt/101", "Extensible Markup Language 1.0"),
}


@dataclass
class Reference:
    name: str
    identifier: str | None = None
    source: str = SOURCE


@dataclass
class Concept:
    label: str
    vocabulary: str
    code: str = ""


@dataclass
class Retention:
    trigger: str
    years: int
    start: datetime.date | None
    end: datetime.date | None


@dataclass
class InformationObject:
    identifier: str
    name: str
    level: str
    classification: Concept
    description: str
    period: tuple[datetime.date, datetime.date] | None
    appraisal: Concept
    retention: Retention
    category: Concept
    part_of: Reference
    representations: list[Reference] = field(default_factory=list)
    creator: Reference | None = None
    restriction: Concept | None = None


@dataclass
class FileObject:
    identifier: str
    name: str
    size: int
    file_format: Concept
    sha256: str
    checksum_at: datetime.datetime
    represents: Reference


def _text(parent: Element, tag: str, value: str) -> Element:
    element = SubElement(parent, tag)
    element.text = value
    return element


def _identification(parent: Element, tag: str, identifier: str, source: str) -> None:
    element = SubElement(parent, tag)
    _text(element, "identificatieKenmerk", identifier)
    _text(element, "identificatieBron", source)


def _reference(parent: Element, tag: str, reference: Reference) -> None:
    element = SubElement(parent, tag)
    _text(element, "verwijzingNaam", reference.name)
    if reference.identifier:
        _identification(element, "verwijzingIdentificatie", reference.identifier, reference.source)


def _concept(parent: Element, tag: str, concept: Concept) -> None:
    element = SubElement(parent, tag)
    _text(element, "begripLabel", concept.label)
    if concept.code:
        _text(element, "begripCode", concept.code)
    _reference(element, "begripBegrippenlijst", Reference(concept.vocabulary))


def _document(build) -> bytes:
    root = Element(
        "MDTO", {"xmlns": NAMESPACE, "xmlns:xsi": XSI, "xsi:schemaLocation": SCHEMA_LOCATION}
    )
    build(root)
    indent(root, space="  ")
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + tostring(root, encoding="utf-8").split(b"?>\n", 1)[-1]
        + b"\n"
    )


def information_object_xml(obj: InformationObject) -> bytes:
    def build(root: Element) -> None:
        io = SubElement(root, "informatieobject")
        _identification(io, "identificatie", obj.identifier, SOURCE)
        _text(io, "naam", obj.name)
        _concept(
            io, "aggregatieniveau", Concept(obj.level, "Begrippenlijst Aggregatieniveaus MDTO")
        )
        _concept(io, "classificatie", obj.classification)
        _text(io, "omschrijving", obj.description)
        if obj.period:
            span = SubElement(io, "dekkingInTijd")
            _concept(span, "dekkingInTijdType", Concept("Looptijd", "Begrippenlijst NPO Portal"))
            _text(span, "dekkingInTijdBegindatum", obj.period[0].isoformat())
            _text(span, "dekkingInTijdEinddatum", obj.period[1].isoformat())
        _text(io, "taal", "nl")
        _concept(io, "waardering", obj.appraisal)
        term = SubElement(io, "bewaartermijn")
        _concept(
            term,
            "termijnTriggerStartLooptijd",
            Concept(obj.retention.trigger, "Begrippenlijst NPO Portal"),
        )
        if obj.retention.start:
            _text(term, "termijnStartdatumLooptijd", obj.retention.start.isoformat())
        _text(term, "termijnLooptijd", f"P{obj.retention.years}Y")
        if obj.retention.end:
            _text(term, "termijnEinddatum", obj.retention.end.isoformat())
        _concept(io, "informatiecategorie", obj.category)
        _reference(io, "isOnderdeelVan", obj.part_of)
        for representation in obj.representations:
            _reference(io, "heeftRepresentatie", representation)
        if obj.creator:
            _reference(io, "archiefvormer", obj.creator)
        if obj.restriction:
            restriction = SubElement(io, "beperkingGebruik")
            _concept(restriction, "beperkingGebruikType", obj.restriction)

    return _document(build)


def file_object_xml(obj: FileObject) -> bytes:
    def build(root: Element) -> None:
        bestand = SubElement(root, "bestand")
        _identification(bestand, "identificatie", obj.identifier, SOURCE)
        _text(bestand, "naam", obj.name)
        _text(bestand, "omvang", str(obj.size))
        _concept(bestand, "bestandsformaat", obj.file_format)
        checksum = SubElement(bestand, "checksum")
        _concept(
            checksum,
            "checksumAlgoritme",
            Concept("SHA256", "Begrippenlijst ChecksumAlgoritme MDTO"),
        )
        _text(checksum, "checksumWaarde", obj.sha256)
        _text(
            checksum,
            "checksumDatum",
            obj.checksum_at.replace(tzinfo=None).isoformat(timespec="seconds"),
        )
        _reference(bestand, "isRepresentatieVan", obj.represents)

    return _document(build)


def file_format(path: str, *, archival_pdf: bool = False) -> Concept:
    suffix = "." + path.rsplit(".", 1)[-1].lower()
    if suffix == ".pdf" and archival_pdf:
        suffix = ".pdfa"
    code, label = FORMATS.get(suffix, ("", "Onbekend formaat"))
    return Concept(label, "PRONOM-register", code)
