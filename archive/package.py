"""The archive package of one municipality's grant dossier: every record group as CSV (through
the safe-export function) and JSON with its JSON Schema, the audit trail, the final reports and
adopted plan versions as documents, and MDTO metadata per record group and per file, made
into a BagIt bag (RFC 8493) by the `bagit` package.

Deterministic: the same data gives the same bytes, so the same manifest. Every date in the
bag comes from the data (the last change in the dossier's audit trail), rows are in primary
key order, the documents carry no creation date and WeasyPrint's PDF/A identifier is a hash of
the content.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import bagit
from django.conf import settings
from django.db.models import Max
from django.utils import timezone, translation

from accounts.models import Municipality
from accounts.scoping import municipality_and_predecessors
from archive import mdto
from archive.groups import GroupSpec, Table, group_specs
from archive.models import ArchiveAction, RecordGroup, RetentionRule
from archive.retention import settlement_date
from archive.serialise import fields_of, row_values, rows_csv, rows_json, table_schema

# Where the files of the bag's payload go (under data/).
SCHEMAS = "schemas"
METADATA = "metadata"
DOCUMENTS = "documents"
AUDIT = "audit"
# A moment for a dossier without any audit trail (no data at all): the programme's start.
EMPTY_DOSSIER_MOMENT = datetime.datetime(2021, 7, 1, tzinfo=datetime.UTC)


@dataclass
class Payload:
    """The bag's payload as relative paths and bytes, and which files belong to which group."""

    files: dict[str, bytes] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    archival_pdfs: set[str] = field(default_factory=set)

    def add(self, group: str, path: str, content: bytes, *, archival_pdf: bool = False) -> None:
        self.files[path] = content
        self.groups.setdefault(group, []).append(path)
        if archival_pdf:
            self.archival_pdfs.add(path)


def member_ids(municipality: Municipality) -> list[int]:
    """The municipality and those merged into it: its grant's dossier."""
    return sorted(municipality_and_predecessors(municipality.pk).values_list("pk", flat=True))


def dossier_moment(municipality: Municipality) -> datetime.datetime:
    """The last change in the dossier's audit trail: the bag's one date, from the data."""
    members = member_ids(municipality)
    moments = []
    for spec in group_specs():
        for table in spec.tables:
            history = table.history_rows(members)
            if history is not None:
                moments.append(history.aggregate(last=Max("history_date"))["last"])
    moments = [m for m in moments if m is not None]
    moment = max(moments) if moments else EMPTY_DOSSIER_MOMENT
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


def _table_files(payload: Payload, spec: GroupSpec, table: Table, members: list[int]) -> None:
    group = spec.group.value
    model = table.model_class
    fields = fields_of(model)
    rows = table.rows(members)
    if model._meta.many_to_many:
        rows = rows.prefetch_related(*(f.name for f in model._meta.many_to_many))
    values = [row_values(obj, fields) for obj in rows]
    payload.add(group, f"{group}/{table.name}.csv", rows_csv(fields, values))
    payload.add(group, f"{group}/{table.name}.json", rows_json(values))
    schema_name = f"{SCHEMAS}/{group}.{table.name}.schema.json"
    payload.add(
        group,
        schema_name,
        table_schema(
            schema_id=schema_name,
            title=f"{spec.group.label}: {model._meta.verbose_name_plural}",
            model=model,
            fields=fields,
        ),
    )
    history = table.history_rows(members)
    if history is None:
        return
    history_fields = [
        f for f in fields_of(history.model) if not f.many_to_many
    ]  # simple_history keeps no many-to-many
    trail = [row_values(obj, history_fields) for obj in history]
    payload.add(group, f"{group}/{AUDIT}/{table.name}.csv", rows_csv(history_fields, trail))
    payload.add(group, f"{group}/{AUDIT}/{table.name}.json", rows_json(trail))
    audit_schema = f"{SCHEMAS}/{group}.{AUDIT}.{table.name}.schema.json"
    payload.add(
        group,
        audit_schema,
        table_schema(
            schema_id=audit_schema,
            title=f"{spec.group.label}: {model._meta.verbose_name_plural} (audit trail)",
            model=history.model,
            fields=history_fields,
        ),
    )


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def normalised_zip(content: bytes, moment: datetime.datetime) -> bytes:
    """A zip container (an XLSX) with every entry dated `moment` and in the same order, and
    the workbook's "modified" property (openpyxl writes the clock's time when saving) set to
    `moment`, so that the same workbook gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    stamp = moment.timetuple()[:6]
    modified = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + modified + rb"\g<2>", data)
            target.writestr(entry, data)
    return out.getvalue()


def _report_documents(payload: Payload, members: list[int], moment) -> None:
    """Every final report: the PDF as it was stored (PDF/UA-1), its spreadsheet, its audit
    dossier, and an archival PDF/A-2a rendition while the data still gives the same figures."""
    from reporting.models import AccountabilityReport
    from reporting.rendering import render_dossier_xlsx, render_report_pdf
    from reporting.selectors import report_dossier
    from reporting.services import report_meta

    group = RecordGroup.REPORTS.value
    finals = (
        AccountabilityReport.objects.filter(municipality_id__in=members, is_final=True)
        .select_related("municipality")
        .order_by("municipality__code", "year", "version")
    )
    for report in finals:
        base = f"{group}/{DOCUMENTS}/{report.identifier}"
        for stored, suffix in ((report.pdf, ".pdf"), (report.xlsx, ".xlsx")):
            if stored:
                with stored.open("rb") as handle:
                    payload.add(group, base + suffix, handle.read())
        dossier = report_dossier(report=report)
        payload.add(
            group,
            f"{base}-controledossier.xlsx",
            normalised_zip(render_dossier_xlsx(dossier), moment),
        )
        if dossier.agrees_with_stored_report:
            payload.add(
                group,
                f"{base}-pdfa.pdf",
                render_report_pdf(dossier.data, report_meta(report), archival=True),
                archival_pdf=True,
            )


def _plan_documents(payload: Payload, members: list[int]) -> None:
    """Every adopted plan version: its snapshot as JSON and as PDF/A-2a (+ PDF/UA-1)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from npo_portal.pdf import ARCHIVAL_PDF_VARIANT, finish_archival
    from plans.models import PlanVersion

    group = RecordGroup.PLAN.value
    versions = (
        PlanVersion.objects.filter(plan__municipality_id__in=members)
        .select_related("plan__municipality")
        .order_by("plan__municipality__code", "number")
    )
    for version in versions:
        municipality = version.plan.municipality
        base = f"{group}/{DOCUMENTS}/plan-{municipality.code}-v{version.number}"
        payload.add(group, base + ".json", rows_json(version.snapshot))
        html = render_to_string(
            "archive/plan_version_pdf.html",
            {"snapshot": version.snapshot, "version": version, "municipality": municipality},
        )
        pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
            pdf_variant=ARCHIVAL_PDF_VARIANT, uncompressed_pdf=False, finisher=finish_archival
        )
        payload.add(group, base + ".pdf", pdf, archival_pdf=True)


def _period(spec: GroupSpec, members: list[int]) -> tuple[datetime.date, datetime.date] | None:
    tables = {table.name: table for table in spec.tables}
    days = []
    for table_name, field_name in spec.date_fields:
        found = tables[table_name].model_class._default_manager.filter(
            **{f"{tables[table_name].municipality_path}__in": members}
        )
        for value in found.values_list(field_name, flat=True).order_by(field_name)[:1]:
            days.append(value)
        for value in found.values_list(field_name, flat=True).order_by(f"-{field_name}")[:1]:
            days.append(value)
    days = [timezone.localdate(d) if isinstance(d, datetime.datetime) else d for d in days if d]
    return (min(days), max(days)) if days else None


def _metadata(
    payload: Payload,
    municipality: Municipality,
    members: list[int],
    moment: datetime.datetime,
    settled_on: datetime.date | None,
) -> None:
    rules = {rule.record_group: rule for rule in RetentionRule.objects.all()}
    dossier = mdto.Reference(
        f"NP Onderwijs, specifieke uitkering {municipality.name}", f"NPO-{municipality.code}"
    )
    creator = mdto.Reference(municipality.name, municipality.code, "CBS gemeentecode")
    for spec in group_specs():
        group = spec.group.value
        rule = rules.get(group)
        paths = sorted(payload.groups.get(group, []))
        identifier = f"NPO-{municipality.code}-{group}"
        counts = ", ".join(
            f"{t.model_class._meta.verbose_name_plural}: {t.rows(members).count()}"
            for t in spec.tables
        )
        keep = rule is not None and rule.action == ArchiveAction.KEEP
        information_object = mdto.InformationObject(
            identifier=identifier,
            name=f"{spec.group.label} — {dossier.name}",
            level="Dossier",
            classification=mdto.Concept(str(spec.group.label), "Recordgroepen NPO Portal", group),
            description=counts,
            period=_period(spec, members),
            appraisal=mdto.Concept("Blijvend te bewaren", "Begrippenlijst Waarderingen MDTO", "B")
            if keep
            else mdto.Concept("Tijdelijk te bewaren", "Begrippenlijst Waarderingen MDTO", "V"),
            retention=mdto.Retention(
                trigger="Vaststelling van de specifieke uitkering",
                years=rule.years if rule else 0,
                start=settled_on,
                end=rule.action_date(settled_on) if (rule and settled_on and not keep) else None,
            ),
            category=mdto.Concept(
                rule.category if rule else "Niet vastgesteld",
                "Selectielijst gemeenten en intergemeentelijke organen",
                rule.category_code if rule else "",
            ),
            part_of=dossier,
            representations=[
                mdto.Reference(path, path, f"BagIt NPO-{municipality.code}") for path in paths
            ],
            creator=creator,
            restriction=mdto.Concept(
                "Openbaarheid te bepalen bij overbrenging", "Begrippenlijst NPO Portal"
            ),
        )
        payload.add(
            group,
            f"{METADATA}/{group}.mdto.xml",
            mdto.information_object_xml(information_object),
        )
        for path in paths:
            content = payload.files[path]
            file_object = mdto.FileObject(
                identifier=path,
                name=path.rsplit("/", 1)[-1],
                size=len(content),
                file_format=mdto.file_format(path, archival_pdf=path in payload.archival_pdfs),
                sha256=hashlib.sha256(content).hexdigest(),
                checksum_at=moment,
                represents=mdto.Reference(information_object.name, identifier),
            )
            payload.add(
                group,
                f"{METADATA}/{group}/{path.replace('/', '~')}.mdto.xml",
                mdto.file_object_xml(file_object),
            )


def build_payload(municipality: Municipality) -> tuple[Payload, datetime.datetime]:
    """Everything the bag holds for `municipality`, and the moment it stands for."""
    members = member_ids(municipality)
    moment = dossier_moment(municipality)
    settled_on = settlement_date(municipality)
    payload = Payload()
    with translation.override("nl"):
        for spec in group_specs():
            for table in spec.tables:
                _table_files(payload, spec, table, members)
        _report_documents(payload, members, moment)
        _plan_documents(payload, members)
        _metadata(payload, municipality, members, moment, settled_on)
    return payload, moment


def bag_info(municipality: Municipality, moment: datetime.datetime) -> dict[str, str]:
    return {
        "Source-Organization": municipality.name,
        "Organization-Address": f"CBS {municipality.code}",
        "External-Description": (
            f"Dossier van de specifieke uitkering Nationaal Programma Onderwijs van "
            f"{municipality.name}, uit NPO Portal"
        ),
        "External-Identifier": f"NPO-{municipality.code}",
        "Bagging-Date": moment.date().isoformat(),
        "Bag-Group-Identifier": "NPO Portal",
    }


def write_bag(municipality: Municipality, directory: Path) -> bagit.Bag:
    """Write the municipality's bag into `directory` (empty or new) with bagit."""
    payload, moment = build_payload(municipality)
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise ValueError(f"{directory} is not empty")
    for path, content in sorted(payload.files.items()):
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    bag = bagit.make_bag(
        str(directory), bag_info(municipality, moment), checksums=["sha256", "sha512"]
    )
    _sort_tag_manifests(directory)
    return bag


def _sort_tag_manifests(directory: Path) -> None:
    """bagit lists the tag files in directory order, which differs between file systems;
    sorted, the same bag gives the same tag manifest (the content is the same)."""
    for manifest in sorted(directory.glob("tagmanifest-*.txt")):
        lines = manifest.read_text(encoding="utf-8").splitlines()
        manifest.write_text(
            "\n".join(sorted(lines, key=lambda line: line.split(" ", 1)[1])) + "\n",
            encoding="utf-8",
        )


def zip_bag(directory: Path, moment: datetime.datetime) -> bytes:
    """The bag as one zip, top folder named after the bag, entries sorted and dated `moment`."""
    out = io.BytesIO()
    stamp = moment.timetuple()[:6]
    root = directory.name
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            entry = zipfile.ZipInfo(f"{root}/{path.relative_to(directory).as_posix()}", stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, path.read_bytes())
    return out.getvalue()


@dataclass
class BuiltBag:
    name: str
    content: bytes
    manifest_sha256: str
    files: int


def build_zipped_bag(municipality: Municipality) -> BuiltBag:
    """The bag, made by bagit in a scratch folder (bagit works on a folder) and handed back
    as a zip for the storage; the scratch folder is removed."""
    name = f"NPO-{municipality.code}"
    with tempfile.TemporaryDirectory(prefix="npo-bag-") as scratch:
        directory = Path(scratch) / name
        write_bag(municipality, directory)
        bag = bagit.Bag(str(directory))
        bag.validate()
        manifest = (directory / "manifest-sha256.txt").read_bytes()
        moment = datetime.datetime.fromisoformat(bag.info["Bagging-Date"])
        files = sum(1 for _ in bag.payload_files())
        content = zip_bag(directory, moment)
    return BuiltBag(name, content, hashlib.sha256(manifest).hexdigest(), files)
