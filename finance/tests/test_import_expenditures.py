import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from finance.factories import ExpenditureFactory
from finance.models import Expenditure
from finance.services import ImportRejected, close_year, import_expenditures
from finance.tests.conftest import csv_bytes, xlsx_bytes
from plans.factories import InterventionFactory, PlanFactory, goal


def run(municipality, data, user=None):
    return import_expenditures(municipality=municipality, data=data, user=user)


def test_dutch_and_plain_amounts_and_both_date_formats_are_imported(middelburg):
    result = run(
        middelburg,
        csv_bytes(
            "15-03-2022;1.234,56;bovenschools;;Zomerschool;Stichting Z;F-1",
            "2022-03-16;1234.56;bovenschools;;Zomerschool;Stichting Z;F-2",
        ),
    )
    assert result.created == 2
    rows = list(Expenditure.objects.order_by("date").values_list("date", "amount"))
    assert rows == [
        (datetime.date(2022, 3, 15), Decimal("1234.56")),
        (datetime.date(2022, 3, 16), Decimal("1234.56")),
    ]


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("bovenschools", "bovenschools"),
        ("voorschools", "voorschools"),
        ("zorg_welzijn", "zorg_welzijn"),
        ("samenwerking", "samenwerking"),
        ("thuiszitters", "thuiszitters"),
        ("huisvesting", "huisvesting"),
        ("capaciteit", "capaciteit"),
        ("1", "bovenschools"),
        ("2", "voorschools"),
        ("3", "zorg_welzijn"),
        ("4", "samenwerking"),
        ("5", "thuiszitters"),
    ],
)
def test_every_goal_code_and_number_is_accepted(middelburg, written, code):
    run(middelburg, csv_bytes(f"01-02-2023;100,00;{written};;Uitgave;Leverancier;F-9"))
    assert Expenditure.objects.get().goal.code == code


def test_a_credit_note_is_imported_as_a_negative_amount(middelburg):
    run(middelburg, csv_bytes("01-02-2023;-1.250,00;1;;Creditnota zomerschool;Stichting Z;CN-1"))
    assert Expenditure.objects.get().amount == Decimal("-1250.00")


def test_interventions_of_the_plan_are_linked_by_code(middelburg):
    intervention = InterventionFactory(
        plan=PlanFactory(municipality=middelburg), code="ZS-01", goal=goal("bovenschools")
    )
    run(middelburg, csv_bytes("01-02-2023;500;bovenschools;ZS-01;Zomerschool;Z;F-1"))
    assert Expenditure.objects.get().intervention == intervention


def test_reimporting_the_same_file_doubles_nothing_and_reports_the_duplicates(middelburg):
    data = csv_bytes(
        "01-02-2023;500;1;;Zomerschool;Z;F-1",
        "02-02-2023;600;1;;Zomerschool;Z;F-2",
    )
    assert run(middelburg, data).created == 2
    again = run(middelburg, data)
    assert again.created == 0
    assert again.duplicates == [
        "Rij 2: al geregistreerd, niet opnieuw geïmporteerd.",
        "Rij 3: al geregistreerd, niet opnieuw geïmporteerd.",
    ]
    assert Expenditure.objects.count() == 2


def test_the_same_row_twice_in_one_file_is_imported_once(middelburg):
    result = run(
        middelburg,
        csv_bytes("01-02-2023;500;1;;Zomerschool;Z;F-1", "01-02-2023;500,00;1;;Zomerschool;Z;F-1"),
    )
    assert result.created == 1
    assert result.duplicates == ["Rij 3: dezelfde uitgave als rij 2, één keer geïmporteerd."]


def test_a_bad_file_imports_nothing_and_names_each_bad_row(middelburg):
    data = csv_bytes(
        "01-02-2023;500;1;;Goed;Z;F-1",
        "31-02-2023;500;1;;Datum fout;Z;F-2",
        "01-02-2023;vijf;1;;Bedrag fout;Z;F-3",
        "01-02-2023;500;6;;Doel fout;Z;F-4",
        "01-02-2023;500;1;GEEN;Interventie fout;Z;F-5",
        "01-02-2023;500;1;;;Z;F-6",
    )
    with pytest.raises(ImportRejected) as rejected:
        run(middelburg, data)
    errors = rejected.value.errors
    assert len(errors) == 5
    assert errors[0].startswith("Rij 3: kolom 'datum': '31-02-2023' is geen datum")
    assert errors[1] == "Rij 4: kolom 'bedrag': 'vijf' is geen bedrag."
    assert errors[2].startswith("Rij 5: kolom 'bestedingsdoel': '6' is geen bestedingsdoel")
    assert errors[3] == (
        "Rij 6: kolom 'interventie': 'GEEN' is geen interventie van het plan van deze gemeente."
    )
    assert errors[4] == "Rij 7: kolom 'omschrijving': leeg, een omschrijving is verplicht."
    assert Expenditure.objects.count() == 0


def test_one_message_names_every_problem_of_a_row(middelburg):
    with pytest.raises(ImportRejected) as rejected:
        run(middelburg, csv_bytes("gisteren;veel;1;;Uitgave;Z;F-1"))
    assert rejected.value.errors == [
        "Rij 2: kolom 'datum': 'gisteren' is geen datum; schrijf dd-mm-jjjj of jjjj-mm-dd; "
        "kolom 'bedrag': 'veel' is geen bedrag."
    ]


def test_an_intervention_of_another_goal_is_refused_in_an_import(middelburg):
    InterventionFactory(
        plan=PlanFactory(municipality=middelburg), code="ZS-01", goal=goal("bovenschools")
    )
    with pytest.raises(ImportRejected) as rejected:
        run(middelburg, csv_bytes("01-02-2023;500;zorg_welzijn;ZS-01;Jeugdhulp;Z;F-1"))
    assert rejected.value.errors == [
        "Rij 2: kolom 'interventie': interventie ZS-01 valt onder 'bovenschools', niet onder "
        "'zorg_welzijn'."
    ]


def test_an_intervention_of_another_municipality_is_not_found(world, middelburg):
    InterventionFactory(plan=PlanFactory(municipality=world.vlissingen.municipality), code="VL-1")
    with pytest.raises(ImportRejected, match="'VL-1' is geen interventie van het plan"):
        run(middelburg, csv_bytes("01-02-2023;500;1;VL-1;Zomerschool;Z;F-1"))


def test_rows_in_a_closed_year_are_refused_and_nothing_is_imported(world, middelburg):
    close_year(municipality=middelburg, year=2022, user=world.middelburg.finance_officer)
    with pytest.raises(ImportRejected) as rejected:
        run(
            middelburg,
            csv_bytes("01-02-2023;500;1;;Zomerschool;Z;F-1", "15-12-2022;500;1;;Oud;Z;F-2"),
        )
    assert rejected.value.errors == [
        "Rij 3: kolom 'datum': Het jaar 2022 is afgesloten: de verantwoording ervan is "
        "definitief. Boek een correctie in een later jaar."
    ]
    assert Expenditure.objects.count() == 0


def test_a_row_dated_after_today_or_of_zero_euros_is_named_and_nothing_is_imported(middelburg):
    later = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(ImportRejected) as rejected:
        run(
            middelburg,
            csv_bytes(
                "01-02-2023;500;1;;Zomerschool;Z;F-1",
                f"{later:%d-%m-%Y};500;1;;Later;Z;F-2",
                "02-02-2023;0,00;1;;Niets;Z;F-3",
            ),
        )
    assert rejected.value.errors == [
        f"Rij 3: kolom 'datum': {later:%d-%m-%Y} ligt in de toekomst; leg het vast zodra het "
        "betaald is.",
        "Rij 4: kolom 'bedrag': € 0,00 besteedt niets; laat de rij weg.",
    ]
    assert Expenditure.objects.count() == 0


def test_a_missing_column_rejects_the_file(middelburg):
    with pytest.raises(ImportRejected, match="Ontbrekende kolommen: factuurnummer"):
        run(
            middelburg,
            csv_bytes(
                "01-02-2023;500;1;;Z;Z",
                header=";".join(
                    [
                        "datum",
                        "bedrag",
                        "bestedingsdoel",
                        "interventie",
                        "omschrijving",
                        "leverancier",
                    ]
                ),
            ),
        )


def test_comma_separated_windows_1252_with_bom_free_header_is_read(middelburg):
    data = csv_bytes(
        '01-02-2023,"1.250,00",1,,Café-avond ouders,Brasserie Dé,F-1',
        header="datum,bedrag,bestedingsdoel,interventie,omschrijving,leverancier,factuurnummer",
        encoding="cp1252",
    )
    run(middelburg, data)
    expenditure = Expenditure.objects.get()
    assert (expenditure.amount, expenditure.description) == (
        Decimal("1250.00"),
        "Café-avond ouders",
    )


def test_utf8_with_bom_is_read(middelburg):
    run(middelburg, b"\xef\xbb\xbf" + csv_bytes("01-02-2023;10;1;;Thé;Z;F-1"))
    assert Expenditure.objects.get().description == "Thé"


def test_xlsx_with_the_same_columns_is_imported(middelburg):
    data = xlsx_bytes(
        [
            [datetime.datetime(2023, 2, 1), 1250.5, "bovenschools", None, "Zomerschool", "Z", 1001],
            ["02-02-2023", "-100,00", 3, "", "Creditnota", "Z", "CN-1"],
        ]
    )
    assert run(middelburg, data).created == 2
    rows = set(Expenditure.objects.values_list("amount", "goal__code", "invoice_number"))
    assert rows == {
        (Decimal("1250.50"), "bovenschools", "1001"),
        (Decimal("-100.00"), "zorg_welzijn", "CN-1"),
    }


def test_the_file_type_is_decided_by_content_not_by_name(middelburg):
    with pytest.raises(ImportRejected, match="beschadigd zip-archief, geen XLSX- of CSV-bestand"):
        run(middelburg, b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ImportRejected, match=r"Oude Excel-bestanden \(.xls\)"):
        run(middelburg, b"\xd0\xcf\x11\xe0" + b"\x00" * 100)


def test_rows_outside_the_period_are_imported_and_counted_as_such(middelburg):
    result = run(middelburg, csv_bytes("15-08-2025;500;1;;Na de periode;Z;F-1"))
    assert (result.created, result.outside_period) == (1, 1)


def test_existing_expenditures_entered_by_hand_count_as_duplicates(middelburg):
    ExpenditureFactory(
        municipality=middelburg,
        date=datetime.date(2023, 2, 1),
        amount=Decimal("500.00"),
        description="Zomerschool",
        supplier="Z",
        invoice_number="F-1",
    )
    result = run(middelburg, csv_bytes("01-02-2023;500;1;;Zomerschool;Z;F-1"))
    assert result.created == 0
    assert len(result.duplicates) == 1


def test_a_file_over_the_size_limit_is_refused(middelburg, monkeypatch):
    monkeypatch.setattr("npo_portal.tables.limits.MAX_IMPORT_BYTES", 100)
    with pytest.raises(ImportRejected, match="groter dan"):
        run(middelburg, csv_bytes(*["01-02-2023;500;1;;Zomerschool;Z;F-1"] * 5))


def test_rows_dated_after_a_merger_are_named_and_nothing_is_imported(world):
    from accounts.models import Municipality

    weesp = Municipality.objects.get(code="GM0457")
    with pytest.raises(ImportRejected) as rejected:
        run(
            weesp,
            csv_bytes(
                "23-03-2022;100,00;1;;Laatste dag;Z;F-1",
                "24-03-2022;100,00;1;;Na de fusie;Z;F-2",
            ),
        )
    assert rejected.value.errors == [
        "Rij 3: kolom 'datum': Weesp bestaat niet meer na 23-03-2022; "
        "boek deze uitgave op Amsterdam."
    ]
    assert not Expenditure.objects.exists()


def test_rows_dated_before_a_municipality_existed_are_named(world):
    from accounts.models import Municipality

    voorne = Municipality.objects.get(code="GM1992")
    with pytest.raises(ImportRejected) as rejected:
        run(voorne, csv_bytes("31-12-2022;100,00;1;;Te vroeg;Z;F-1"))
    assert rejected.value.errors == [
        "Rij 2: kolom 'datum': Voorne aan Zee bestaat pas vanaf 01-01-2023."
    ]


def test_an_imported_row_and_its_history_record_hold_exactly_the_files_texts(world, middelburg):
    """On PostgreSQL the rows go in by COPY: quotes, semicolons, a line break, a lone \\N
    and empty texts arrive unchanged; a row without intervention has none."""
    officer = world.middelburg.finance_officer
    intervention = InterventionFactory(
        plan=PlanFactory(municipality=middelburg), code="K-1", goal=goal("bovenschools")
    )
    data = csv_bytes(
        '01-03-2022;100,00;bovenschools;K-1;"Boeken ""deel 1""; en\nschriften";\\N;',
        "02-03-2022;-5,10;voorschools;;\\N;;F-2",
    )
    import_expenditures(municipality=middelburg, data=data, user=officer)
    first, second = Expenditure.objects.filter(municipality=middelburg).order_by("date")
    assert (first.description, first.supplier, first.invoice_number) == (
        'Boeken "deel 1"; en schriften',  # the import joins a text's lines
        "\\N",
        "",
    )
    assert first.intervention == intervention and first.recorded_by == officer
    assert (second.amount, second.description, second.intervention) == (
        Decimal("-5.10"),
        "\\N",
        None,
    )
    for row in (first, second):
        record = row.history.get()
        assert (record.history_type, record.history_user, record.version) == ("+", officer, 1)
        assert (record.description, record.supplier, record.amount, record.goal_id) == (
            row.description,
            row.supplier,
            row.amount,
            row.goal_id,
        )
        assert record.created_at == row.created_at
