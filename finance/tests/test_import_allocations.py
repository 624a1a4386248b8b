import io
from decimal import Decimal

import pytest

from accounts.models import Municipality
from finance.services import ImportRejected, import_allocations
from plans.models import Allocation

HEADER = "gemeentecode;gemeente;bedrag\n"


def test_allocations_are_imported_in_dutch_and_plain_amounts(world):
    data = (HEADER + "GM0687;Middelburg (Z.);1.214.683,00\n0718;Vlissingen;1056372.00\n").encode()
    result = import_allocations(data=data)
    assert result.created == 2
    amounts = dict(Allocation.objects.values_list("municipality__code", "amount"))
    assert amounts == {"GM0687": Decimal("1214683.00"), "GM0718": Decimal("1056372.00")}


def test_a_code_the_register_does_not_know_refuses_the_file_naming_each_row(world):
    # GM0000 once became a second "Vlissingen": a typo must not create a municipality.
    data = (
        HEADER
        + "GM0687;Middelburg;1000\nGM0000;Vlissingen;500.000,00\n"
        + "GM0718;Vlissingen;1000\n9999;Nergenshuizen;5\n"
    ).encode()
    municipalities = Municipality.objects.count()
    with pytest.raises(ImportRejected) as rejected:
        import_allocations(data=data)
    assert rejected.value.errors == [
        "Rij 3: kolom 'gemeentecode': er is geen gemeente met de code GM0000.",
        "Rij 5: kolom 'gemeentecode': er is geen gemeente met de code GM9999.",
    ]
    assert Municipality.objects.count() == municipalities
    assert not Allocation.objects.exists()


def test_the_command_refuses_an_unknown_code_in_dutch(world, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "toekenningen.csv"
    path.write_text(HEADER + "GM0000;Vlissingen;500.000,00\n")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="Niets geïmporteerd"):
        call_command("import_allocations", str(path), stderr=errors)
    assert "Rij 2: kolom 'gemeentecode': er is geen gemeente met de code GM0000." in (
        errors.getvalue()
    )
    assert not Municipality.objects.filter(code="GM0000").exists()


def test_importing_the_same_file_again_changes_nothing(world):
    data = (HEADER + "GM0687;Middelburg (Z.);1.214.683,00\n").encode()
    import_allocations(data=data)
    again = import_allocations(data=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Allocation.objects.count() == 1


def test_a_changed_amount_updates_the_allocation(world):
    import_allocations(data=(HEADER + "GM0687;Middelburg;1000\n").encode())
    result = import_allocations(data=(HEADER + "GM0687;Middelburg;1200\n").encode())
    assert result.updated == 1
    assert Allocation.objects.get().amount == Decimal("1200.00")


def test_a_bad_row_imports_nothing_and_each_bad_row_is_named(world):
    data = (
        HEADER + "GM0687;Middelburg;1000\nXX12;Fout;1000\n0718;Vlissingen;veel\n0687;Dubbel;5\n"
    ).encode()
    with pytest.raises(ImportRejected) as rejected:
        import_allocations(data=data)
    assert rejected.value.errors == [
        "Rij 3: kolom 'gemeentecode': 'XX12' is geen CBS-gemeentecode zoals GM0687 of 0687.",
        "Rij 4: kolom 'bedrag': 'veel' is geen bedrag.",
        "Rij 5: kolom 'gemeentecode': GM0687 staat ook al in rij 2.",
    ]
    assert not Allocation.objects.exists()


BASIS_HEADER = "gemeentecode;gemeente;bedrag;leerlingen;achterstandspunten\n"


def test_the_basis_columns_set_pupils_and_achterstandspunten(world):
    data = (BASIS_HEADER + "GM0687;Middelburg;700.000,00;5.000;4.000,5\n").encode()
    assert import_allocations(data=data).created == 1
    allocation = Allocation.objects.get()
    assert (allocation.pupils, allocation.achterstandspunten) == (5000, Decimal("4000.50"))
    assert allocation.formula_amount == Decimal("681121.32")


@pytest.mark.parametrize(
    "header",
    [
        "GEMEENTECODE;Gemeente;Bedrag;Leerlingen;Achterstandspunten",
        "gemeentecode;gemeente;bedrag;Aantal leerlingen;aantal_achterstandspunten",
        "gemeentecode,gemeente,bedrag,Leerlingen 1 oktober 2020,ACHTERSTANDSPUNTEN",
    ],
)
def test_the_basis_columns_are_recognised_in_common_spellings(world, header):
    separator = "," if "," in header else ";"
    row = separator.join(["GM0687", "Middelburg", "700000", "5000", "4000"])
    import_allocations(data=f"{header}\n{row}\n".encode())
    allocation = Allocation.objects.get()
    assert (allocation.pupils, allocation.achterstandspunten) == (5000, Decimal("4000"))


def test_a_file_without_basis_columns_leaves_the_basis_alone(world):
    import_allocations(data=(BASIS_HEADER + "GM0687;Middelburg;700000;5000;4000\n").encode())
    result = import_allocations(data=(HEADER + "GM0687;Middelburg;700000\n").encode())
    assert (result.updated, result.unchanged) == (0, 1)
    allocation = Allocation.objects.get()
    assert (allocation.pupils, allocation.achterstandspunten) == (5000, Decimal("4000"))


def test_a_changed_basis_updates_and_an_empty_cell_clears_it(world):
    import_allocations(data=(BASIS_HEADER + "GM0687;Middelburg;700000;5000;4000\n").encode())
    result = import_allocations(data=(BASIS_HEADER + "GM0687;Middelburg;700000;5100;\n").encode())
    assert result.updated == 1
    allocation = Allocation.objects.get()
    assert (allocation.pupils, allocation.achterstandspunten) == (5100, None)
    assert allocation.formula_amount is None


def test_reimporting_a_file_with_basis_changes_nothing(world):
    data = (
        BASIS_HEADER
        + "GM0687;Middelburg;700.000,00;5.000;4.000,50\n0718;Vlissingen;650000;4200;3100.25\n"
    ).encode()
    import_allocations(data=data, decision_reference="OCW/2021/1")
    history = Allocation.history.count()
    again = import_allocations(data=data, decision_reference="OCW/2021/1")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Allocation.history.count() == history


def test_bad_basis_values_are_named_per_row_and_column_and_nothing_is_imported(world):
    data = (
        BASIS_HEADER
        + "GM0687;Middelburg;700000;5000;4000\n"
        + "0718;Vlissingen;650000;12,5;veel\n"
        + "0719;Veere;100000;-3;-1\n"
        + "0716;Noord-Beveland;100000;5000;1,234\n"
    ).encode()
    with pytest.raises(ImportRejected) as rejected:
        import_allocations(data=data)
    assert rejected.value.errors == [
        "Rij 3: kolom 'leerlingen': '12,5' is geen geheel aantal leerlingen; "
        "kolom 'achterstandspunten': 'veel' is geen aantal achterstandspunten met hoogstens "
        "twee decimalen.",
        "Rij 4: kolom 'leerlingen': een aantal leerlingen kan niet negatief zijn; "
        "kolom 'achterstandspunten': achterstandspunten kunnen niet negatief zijn.",
        "Rij 5: kolom 'achterstandspunten': '1,234' is geen aantal achterstandspunten met "
        "hoogstens twee decimalen.",
    ]
    assert not Allocation.objects.exists()


def test_two_columns_for_the_same_basis_field_are_refused(world):
    data = "gemeentecode;gemeente;bedrag;leerlingen;aantal leerlingen\nGM0687;M;1;2;3\n"
    with pytest.raises(ImportRejected) as rejected:
        import_allocations(data=data.encode())
    assert rejected.value.errors == [
        "'leerlingen' staat in meer dan één kolom (leerlingen, aantal leerlingen); houd er één "
        "over."
    ]


def test_problems_in_one_row_are_named_in_the_files_column_order(world):
    data = (BASIS_HEADER + "XX;Middelburg;veel;5000;geen\n").encode()
    with pytest.raises(ImportRejected) as rejected:
        import_allocations(data=data)
    message = rejected.value.errors[0]
    positions = [message.index(f"'{c}'") for c in ("gemeentecode", "bedrag", "achterstandspunten")]
    assert positions == sorted(positions)


def test_a_closed_programmes_allocation_does_not_change_but_the_same_file_passes(world):
    from settlement.factories import ClosureFactory, SettlementFactory

    import_allocations(data=(HEADER + "GM0687;Middelburg;1000\nGM0718;Vlissingen;500\n").encode())
    middelburg = world.middelburg.municipality
    ClosureFactory(settlement=SettlementFactory(municipality=middelburg), municipality=middelburg)
    import_allocations(data=(HEADER + "GM0687;Middelburg;1000\nGM0718;Vlissingen;600\n").encode())
    with pytest.raises(ImportRejected, match="afgesloten"):
        import_allocations(
            data=(HEADER + "GM0687;Middelburg;1200\nGM0718;Vlissingen;700\n").encode()
        )
    amounts = dict(Allocation.objects.values_list("municipality__code", "amount"))
    assert (amounts["GM0687"], amounts["GM0718"]) == (Decimal("1000.00"), Decimal("600.00"))
