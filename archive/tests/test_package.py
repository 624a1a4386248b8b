import csv
import io
import json
import subprocess
import sys
import zipfile
from xml.etree import ElementTree

import bagit
import jsonschema
import pikepdf
import pytest
from django.urls import reverse

from archive.models import ArchivePackage, PackageStatus
from archive.package import build_zipped_bag, write_bag
from archive.services import request_package

MDTO = "{https://www.nationaalarchief.nl/mdto}"


def test_the_bag_validates_with_bagits_own_validator(dossier, tmp_path):
    write_bag(dossier.municipality, tmp_path / "bag")
    result = subprocess.run(
        [sys.executable, "-m", "bagit", "--validate", str(tmp_path / "bag")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "is valid" in result.stderr


def test_the_bag_holds_every_record_group_with_documents_schemas_and_metadata(dossier, tmp_path):
    bag = write_bag(dossier.municipality, tmp_path / "bag")
    payload = {path.removeprefix("data/") for path in bag.payload_files()}
    for group, table in [
        ("verantwoording", "reports"),
        ("plan", "versions"),
        ("behoeften", "answers"),
        ("interventies", "interventions"),
        ("begrotingen", "budgets"),
        ("bestedingen", "expenditures"),
        ("betalingen", "payments"),
        ("toekenningen", "allocations"),
    ]:
        assert f"{group}/{table}.csv" in payload
        assert f"{group}/{table}.json" in payload
        assert f"schemas/{group}.{table}.schema.json" in payload
        assert f"metadata/{group}.mdto.xml" in payload
    assert "bestedingen/audit/expenditures.csv" in payload
    identifier = dossier.report.identifier
    assert f"verantwoording/documents/{identifier}.pdf" in payload
    assert f"verantwoording/documents/{identifier}.xlsx" in payload
    assert f"verantwoording/documents/{identifier}-controledossier.xlsx" in payload
    assert f"verantwoording/documents/{identifier}-pdfa.pdf" in payload
    assert "plan/documents/plan-GM0687-v1.pdf" in payload
    assert "plan/documents/plan-GM0687-v1.json" in payload
    assert bag.info["Source-Organization"] == "Middelburg (Z.)"


def test_the_same_data_gives_the_same_manifest_and_the_same_zip(dossier, tmp_path):
    first = write_bag(dossier.municipality, tmp_path / "one")
    second = write_bag(dossier.municipality, tmp_path / "two")
    for name in (
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "bag-info.txt",
    ):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert first.entries == second.entries
    assert (
        build_zipped_bag(dossier.municipality).content
        == build_zipped_bag(dossier.municipality).content
    )


def test_another_expenditure_changes_the_manifest(dossier, tmp_path):
    from finance.factories import ExpenditureFactory

    write_bag(dossier.municipality, tmp_path / "before")
    ExpenditureFactory(municipality=dossier.municipality)
    write_bag(dossier.municipality, tmp_path / "after")
    assert (tmp_path / "before" / "manifest-sha256.txt").read_bytes() != (
        tmp_path / "after" / "manifest-sha256.txt"
    ).read_bytes()


def test_csv_goes_through_the_safe_export_and_json_matches_its_schema(dossier, tmp_path):
    write_bag(dossier.municipality, tmp_path / "bag")
    data = tmp_path / "bag" / "data"
    text = (data / "bestedingen" / "expenditures.csv").read_text(encoding="utf-8-sig")
    descriptions = [row["description"] for row in csv.DictReader(io.StringIO(text), delimiter=";")]
    assert '\'=HYPERLINK("http://example.invalid")' in descriptions
    rows = json.loads((data / "bestedingen" / "expenditures.json").read_text())
    assert {row["amount"] for row in rows} == {"1250.00", "99.95"}
    for schema_file in (data / "schemas").glob("*.schema.json"):
        group, *table = schema_file.name.removesuffix(".schema.json").split(".")
        content = data / group / ("/".join(table) + ".json")
        jsonschema.validate(json.loads(content.read_text()), json.loads(schema_file.read_text()))


def test_each_record_group_has_mdto_metadata_with_creator_retention_and_checksums(
    dossier, tmp_path
):
    write_bag(dossier.municipality, tmp_path / "bag")
    data = tmp_path / "bag" / "data"
    root = ElementTree.parse(data / "metadata" / "bestedingen.mdto.xml").getroot()  # noqa: S314 (the bag's own XML)
    io_ = root.find(f"{MDTO}informatieobject")
    assert (
        io_.findtext(f"{MDTO}identificatie/{MDTO}identificatieKenmerk") == "NPO-GM0687-bestedingen"
    )
    assert io_.findtext(f"{MDTO}archiefvormer/{MDTO}verwijzingNaam") == "Middelburg (Z.)"
    assert io_.findtext(f"{MDTO}waardering/{MDTO}begripCode") == "V"
    assert io_.findtext(f"{MDTO}bewaartermijn/{MDTO}termijnLooptijd") == "P10Y"
    assert (
        "selectielijst"
        in io_.findtext(
            f"{MDTO}informatiecategorie/{MDTO}begripBegrippenlijst/{MDTO}verwijzingNaam"
        ).lower()
    )
    assert io_.findtext(f"{MDTO}dekkingInTijd/{MDTO}dekkingInTijdBegindatum") == "2022-03-15"
    manifest = dict(
        reversed(line.split("  ", 1))
        for line in (tmp_path / "bag" / "manifest-sha256.txt").read_text().splitlines()
    )
    file_xml = ElementTree.parse(  # noqa: S314 (the bag's own XML)
        data / "metadata" / "bestedingen" / "bestedingen~expenditures.csv.mdto.xml"
    ).getroot()
    assert (
        file_xml.findtext(f"{MDTO}bestand/{MDTO}checksum/{MDTO}checksumWaarde")
        == manifest["data/bestedingen/expenditures.csv"]
    )


def test_archival_pdfs_declare_both_pdf_a_2a_and_pdf_ua_1(dossier, tmp_path):
    write_bag(dossier.municipality, tmp_path / "bag")
    pdf = pikepdf.open(tmp_path / "bag" / "data" / "plan" / "documents" / "plan-GM0687-v1.pdf")
    meta = pdf.open_metadata()
    assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "A")
    assert meta.get("pdfuaid:part") == "1"
    assert "/StructTreeRoot" in pdf.Root and "/OutputIntents" in pdf.Root
    assert str(pdf.Root.Lang) == "nl"


def test_a_requested_package_is_built_into_the_storage_and_downloaded_by_finance(
    client, world, dossier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        package = request_package(
            municipality=dossier.municipality, user=world.middelburg.finance_officer
        )
    package.refresh_from_db()
    assert package.status == PackageStatus.DONE
    assert package.file.storage.exists(package.file.name)
    client.force_login(world.middelburg.finance_officer)
    response = client.get(
        reverse("archive:package-download", kwargs={"code": "GM0687", "pk": package.pk})
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert "NPO-GM0687/manifest-sha256.txt" in names
    extracted = zipfile.ZipFile(io.BytesIO(body))
    extracted.extractall(package.file.storage.location)
    assert bagit.Bag(f"{package.file.storage.location}/NPO-GM0687").is_valid()


@pytest.mark.parametrize(
    ("role", "status"),
    [("finance_officer", 200), ("policy_officer", 403), ("board_user", 403)],
)
def test_who_may_open_the_archive_page(client, world, role, status):
    client.force_login(getattr(world.middelburg, role))
    assert client.get(reverse("archive:package-list", kwargs={"code": "GM0687"})).status_code == (
        status
    )


def test_the_functional_administrator_builds_and_downloads_any_municipalitys_package(
    client, world, dossier, django_capture_on_commit_callbacks
):
    client.force_login(world.functional_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archive:package-list", kwargs={"code": "GM0687"}))
    assert response.status_code == 302
    package = ArchivePackage.objects.get()
    assert package.created_by == world.functional_admin
    response = client.get(
        reverse("archive:package-download", kwargs={"code": "GM0687", "pk": package.pk})
    )
    assert response.status_code == 200


def test_finance_of_another_municipality_cannot_download_the_package(
    client, world, dossier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        package = request_package(municipality=dossier.municipality, user=None)
    client.force_login(world.vlissingen.finance_officer)
    for kwargs in ({"code": "GM0687", "pk": package.pk}, {"code": "GM0718", "pk": package.pk}):
        response = client.get(reverse("archive:package-download", kwargs=kwargs))
        assert response.status_code == 404


def test_the_archive_page_speaks_dutch(client, world):
    client.force_login(world.middelburg.finance_officer)
    page = client.get(reverse("archive:package-list", kwargs={"code": "GM0687"})).content.decode()
    assert "Nieuw archiefpakket maken" in page
    assert "Blijvend bewaren (overbrengen)" in page
