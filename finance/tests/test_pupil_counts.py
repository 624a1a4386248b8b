"""The allocation's basis from DUO's pupil counts of 1 October 2020."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Municipality
from finance.services import ImportRejected, import_allocations
from finance.services.pupil_counts import import_pupil_counts
from npo_portal.duo_files import SHAPES, Location, po_pupil_file, vo_pupil_file
from plans.models import Allocation, Programme, PupilCount

PO = [
    Location("11CC", "00", "De Zeester", "41003", "Delfzijl", "GM0010", "Delfzijl", 212),
    Location("11CC", "01", "De Zeester Noord", "41003", "Delfzijl", "GM0010", "Delfzijl", 95),
    Location("11JJ", "00", "De Kameleon", "41006", "Appingedam", "GM0003", "Appingedam", 180),
    Location("11MM", "00", "Op Wieken", "41006", "Loppersum", "GM0024", "Loppersum", 64),
    Location("11EE", "00", "De Bongerd", "41004", "Helvoirt", "GM0788", "Haaren", 301),
    Location("11NN", "00", "De Wingerd", "41007", "Vught", "GM0865", "Vught", 410),
    Location("11DD", "00", "Het Palet", "41004", "Haaren", "GM0788", "Haaren", 150),
]
# Other years' columns, which must not count: only LEERLINGEN_2020 is 1-10-2020.
PO_OTHER_YEARS = {
    2018: {"11CC00": 250, "11NN00": 390},
    2019: {"11CC00": 230, "11NN00": 400},
    2021: {"11CC00": 200, "11NN00": 420},
}
VO = [
    Location("22AA", "00", "Ubbo Emmius", "40001", "Delfzijl", "GM0010", "Delfzijl", 655),
    Location("22AA", "00", "Ubbo Emmius", "40002", "Delfzijl", "GM0010", "Delfzijl", 45),
    Location("22BB", "00", "Maurick College", "40003", "Vught", "GM0865", "Vught", 1180),
]


@pytest.fixture
def programme(db):
    return Programme.objects.get(slug="npo-gemeenten")


def allocate(programme, code, amount, points):
    return Allocation.objects.create(
        programme=programme,
        municipality=Municipality.objects.get(code=code),
        amount=Decimal(amount),
        achterstandspunten=Decimal(points),
    )


def test_pupils_of_1_october_2020_add_up_per_municipality_as_on_the_programmes_start(programme):
    """Worked out by hand (€ 118,11 per pupil, € 22,64 per achterstandspunt):

    Eemsdelta (GM1979), formed 1-1-2021 from Appingedam, Delfzijl and Loppersum:
      po 212 + 95 (Delfzijl) + 180 (Appingedam) + 64 (Loppersum)      =   551
      vo 655 + 45 (one Delfzijl location, two boards)                 =   700
      pupils                                                          = 1.251
      1.251 x € 118,11  = € 147.755,61
      2.400,50 punten x € 22,64 = € 54.347,32
      formula           = € 202.102,93

    Vught (GM0865), which took Helvoirt from Haaren on 1-1-2021:
      po 301 (Helvoirt, listed under Haaren) + 410 (Vught)            =   711
      vo 1.180                                                        = 1.180
      pupils                                                          = 1.891
      1.891 x € 118,11  = € 223.346,01
      0 punten          = € 0,00
      formula           = € 223.346,01

    Haaren's own village (150 pupils) lies in Oisterwijk (GM0824).
    """
    eemsdelta = allocate(programme, "GM1979", "202102.50", "2400.50")
    vught = allocate(programme, "GM0865", "225000.00", "0")

    po = import_pupil_counts(
        content=po_pupil_file(PO, years=PO_OTHER_YEARS), file_name="leerlingen_po_2020.csv"
    )
    assert po.per_municipality == {"GM0824": 150, "GM0865": 711, "GM1979": 551}
    assert po.column == "leerlingen_2020" and po.locations == 7
    assert po.without_allocation == ["GM0824"]
    vo = import_pupil_counts(content=vo_pupil_file(VO), file_name="leerlingen_vo_2020.csv")
    assert vo.per_municipality == {"GM0865": 1180, "GM1979": 700}
    assert vo.locations == 2

    eemsdelta.refresh_from_db()
    vught.refresh_from_db()
    assert eemsdelta.pupils == 1251
    assert eemsdelta.formula_amount == Decimal("202102.93")
    assert vught.pupils == 1891
    assert vught.formula_amount == Decimal("223346.01")
    assert vught.pupils_source == (
        "po: leerlingen_po_2020.csv (LEERLINGEN_2020); vo: leerlingen_vo_2020.csv "
        "(AANTAL LEERLINGEN)"
    )
    assert {old: dict(where) for old, where in po.mapped.items()} == {
        "Delfzijl (GM0010)": {"Eemsdelta (GM1979)": 2},
        "Appingedam (GM0003)": {"Eemsdelta (GM1979)": 1},
        "Loppersum (GM0024)": {"Eemsdelta (GM1979)": 1},
        "Haaren (GM0788)": {"Vught (GM0865)": 1, "Oisterwijk (GM0824)": 1},
    }


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.name for shape in SHAPES])
def test_every_shape_of_the_po_file_counts_the_same(programme, shape):
    result = import_pupil_counts(content=po_pupil_file(PO, shape=shape), file_name="po.csv")
    assert result.per_municipality == {"GM0824": 150, "GM0865": 711, "GM1979": 551}


def test_importing_the_same_file_again_changes_nothing(programme):
    allocate(programme, "GM1979", "202102.50", "2400.50")
    content = po_pupil_file(PO)
    first = import_pupil_counts(content=content, file_name="po.csv")
    assert first.allocations_updated == 1
    again = import_pupil_counts(content=content, file_name="po.csv")
    assert (again.allocations_updated, again.allocations_unchanged) == (0, 1)
    assert PupilCount.objects.filter(sector="po").count() == 3


def test_split_places_count_as_duo_spells_them(programme):
    # PostNL's suffixes and the Frisian names, as DUO writes them under a split municipality.
    rows = [
        Location("12AA", "00", "De Wierde", "41006", "Winsum GN", "GM0053", "Winsum", 100),
        Location("12BB", "00", "It Twaluk", "41006", "Wjelsryp", "GM0140", "Littenseradiel", 20),
        Location("12CC", "00", "Bears", "41006", "Bears FR", "GM0140", "Littenseradiel", 30),
    ]
    result = import_pupil_counts(content=po_pupil_file(rows), file_name="po.csv")
    assert result.per_municipality == {"GM0080": 30, "GM1949": 20, "GM1966": 100}


def test_a_bad_row_imports_nothing_and_names_each_row(programme):
    rows = [
        *PO,
        Location("11LL", "00", "De Vlonder", "41004", "Udenhout", "GM0788", "Haaren", 90),
        Location("11CC", "00", "De Zeester", "41003", "Delfzijl", "GM0010", "Delfzijl", 1),
        Location("11PP", "00", "Nergens", "41008", "Nergens", "GM9999", "Nergens", 1),
    ]
    content = po_pupil_file(rows).replace(b";90\r\n", b";<5\r\n")
    with pytest.raises(ImportRejected) as rejected:
        import_pupil_counts(content=content, file_name="po.csv")
    assert rejected.value.errors == [
        "Rij 9: kolom 'LEERLINGEN_2020': “<5” is geen heel aantal leerlingen; kolom "
        "'PLAATSNAAM': Haaren (GM0788) is op 01-01-2021 naar woonplaats gesplitst en de "
        "woonplaats “UDENHOUT” ging naar geen van haar opvolgers (Boxtel, Oisterwijk, Tilburg, "
        "Vught).",
        "Rij 10: kolom 'VESTIGINGSNUMMER': vestiging 11CC00 staat ook in rij 2.",
        "Rij 11: kolom 'GEMEENTENUMMER': er is geen gemeente met de code GM9999.",
    ]
    assert not PupilCount.objects.exists()


def test_a_file_without_the_count_of_1_october_2020_is_refused(programme):
    content = po_pupil_file(PO).replace(b"LEERLINGEN_2020", b"LEERLINGEN_2019")
    with pytest.raises(ImportRejected) as rejected:
        import_pupil_counts(content=content, file_name="po.csv")
    assert rejected.value.errors == [
        "Het bestand heeft geen kolom LEERLINGEN_2020 (de telling van 01-10-2020); het heeft "
        "LEERLINGEN_2019."
    ]


def test_a_vo_file_of_another_count_date_is_refused(programme):
    content = vo_pupil_file(VO).replace(b'"01-10-2020"', b'"01-10-2019"', 1)
    with pytest.raises(ImportRejected) as rejected:
        import_pupil_counts(content=content, file_name="vo.csv")
    assert rejected.value.errors == [
        "Rij 2: kolom 'PEILDATUM': de telling is van 01-10-2019, niet van 01-10-2020."
    ]


def test_an_allocation_imported_later_takes_the_stored_count(programme):
    import_pupil_counts(content=po_pupil_file(PO), file_name="po.csv")
    import_allocations(data=b"gemeentecode;gemeente;bedrag\nGM0865;Vught;225000,00\n")
    vught = Allocation.objects.get(municipality__code="GM0865")
    assert vught.pupils == 711
    assert vught.pupils_source == "po: po.csv (LEERLINGEN_2020)"


def test_the_administrator_lists_allocations_off_the_formula_by_more_than_a_euro(
    programme, world, client
):
    allocate(programme, "GM1979", "202102.50", "2400.50")  # € 0,43 under the formula
    allocate(programme, "GM0865", "225000.00", "0")  # € 1.653,99 over it
    import_pupil_counts(content=po_pupil_file(PO), file_name="po.csv")
    import_pupil_counts(content=vo_pupil_file(VO), file_name="vo.csv")
    client.force_login(world.functional_admin)
    response = client.get(reverse("finance:allocation-list"), {"afwijkend": "1"})
    assert [a.municipality.code for a in response.context["object_list"]] == ["GM0865"]
    page = response.content.decode()
    assert "€\xa0225.000,00" in page and "€\xa0223.346,01" in page and "€\xa01.653,99" in page
    assert "po: po.csv (LEERLINGEN_2020); vo: vo.csv (AANTAL LEERLINGEN)" in page
    everything = client.get(reverse("finance:allocation-list")).context["object_list"]
    assert len(everything) == 2


def test_the_dashboard_names_the_duo_files_of_the_basis(programme, world, client):
    allocate(programme, world.middelburg.municipality.code, "1000.00", "0")
    middelburg = Location("11HH", "00", "De Meidoorn", "41005", "Middelburg", "GM0687", "x", 8)
    import_pupil_counts(content=po_pupil_file([middelburg]), file_name="po_2020.csv")
    client.force_login(world.middelburg.finance_officer)
    page = client.get(
        reverse("finance:dashboard", kwargs={"code": world.middelburg.municipality.code})
    ).content.decode()
    assert "Leerlingen geteld door DUO: po: po_2020.csv (LEERLINGEN_2020)" in page


def test_only_the_functional_administrator_sees_the_list(world, client):
    client.force_login(world.middelburg.finance_officer)
    response = client.get(reverse("finance:allocation-list"), {"afwijkend": "1"})
    assert response.status_code == 403


def test_the_command_prints_the_totals_per_municipality(programme, tmp_path, capsys):
    path = tmp_path / "leerlingen_po.csv"
    path.write_bytes(po_pupil_file(PO))
    call_command("import_pupil_counts", str(path))
    out = capsys.readouterr().out
    assert "GM1979\t551" in out and "GM0865\t711" in out
