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


def test_a_missing_municipality_is_created_with_its_code_and_name(db):
    import_allocations(data=(HEADER + "9901;Nieuwgemeente;500.000,00\n").encode())
    assert Municipality.objects.get(code="GM9901").name == "Nieuwgemeente"
    assert Allocation.objects.get().amount == Decimal("500000.00")


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
