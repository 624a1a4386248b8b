"""No lost updates on expenditures."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client

from finance.factories import ExpenditureFactory
from finance.models import Expenditure
from finance.services import update_expenditure
from finance.tests.test_views import form_data, url
from npo_portal.audit import EditConflict
from tests.versions import STALE_FORM, loaded_version
from tests.world import build_world


def at_once(*work, timeout: float) -> None:
    """Run each function in a thread of its own, all at once, each on its own database
    connection (closed when it ends), and wait for all of them."""

    def run(function) -> None:
        try:
            function()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(function,)) for function in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)


def test_saving_an_expenditure_over_a_newer_version_is_refused(world):
    municipality = world.middelburg.municipality
    expenditure = ExpenditureFactory(municipality=municipality)
    a, b = Client(), Client()
    a.force_login(world.middelburg.finance_officer)
    b.force_login(world.middelburg.finance_officer)
    edit = url("expenditure-update", municipality, pk=expenditure.pk)
    version_a, version_b = loaded_version(a.get(edit)), loaded_version(b.get(edit))
    assert b.post(edit, form_data(amount="200,00", version=version_b)).status_code == 302
    refused = a.post(edit, form_data(amount="300,00", version=version_a))
    page = refused.content.decode()
    assert "Iemand anders heeft dit intussen opgeslagen" in page
    assert "Bedrag: nu “€\xa0200,00”, van u “€\xa0300,00”" in page
    assert Expenditure.objects.get().amount == Decimal("200.00")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_simultaneous_saves_of_the_same_version_let_exactly_one_through():
    """Real concurrency: two connections save the version both loaded at the same moment.
    The row lock makes the second wait for the first and then see the newer version."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; SQLite serialises writers anyway.")
    world = build_world()
    expenditure = ExpenditureFactory(municipality=world.middelburg.municipality)
    both_loaded = threading.Barrier(2)
    outcomes: list[str] = []

    def save(amount: str) -> None:
        try:
            mine = Expenditure.objects.select_related("municipality", "programme").get(
                pk=expenditure.pk
            )
            both_loaded.wait(timeout=10)
            update_expenditure(expenditure=mine, user=None, version=1, amount=Decimal(amount))
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("refused")

    at_once(lambda: save("200"), lambda: save("300"), timeout=30)
    assert sorted(outcomes) == ["refused", "saved"]
    assert Expenditure.objects.get().version == 2


@pytest.mark.parametrize("version", [None, "abc"])
def test_an_expenditure_edit_without_a_valid_version_is_refused_and_nothing_is_saved(
    client, world, version
):
    municipality = world.middelburg.municipality
    expenditure = ExpenditureFactory(municipality=municipality, amount=Decimal("1250.00"))
    client.force_login(world.middelburg.finance_officer)
    data = form_data(amount="300,00")
    if version is not None:
        data["version"] = version
    refused = client.post(url("expenditure-update", municipality, pk=expenditure.pk), data)
    assert refused.status_code == 200
    assert STALE_FORM in refused.content.decode()
    saved = Expenditure.objects.get()
    assert (saved.amount, saved.version) == (Decimal("1250.00"), expenditure.version)


def test_recording_an_expenditure_needs_no_version(client, world):
    municipality = world.middelburg.municipality
    client.force_login(world.middelburg.finance_officer)
    response = client.post(url("expenditure-create", municipality), form_data(amount="300,00"))
    assert response.status_code == 302
    assert Expenditure.objects.get().amount == Decimal("300.00")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_simultaneous_imports_of_the_same_file_import_it_once_and_say_so(monkeypatch):
    """Real concurrency, as two upload workers (or two CLI runs) at once: both find none of
    the rows recorded, both insert; the second meets the first's rows in the unique index,
    is rolled back whole, and tries again, now reporting every row as already recorded."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent inserts need PostgreSQL; SQLite serialises writers anyway.")
    from finance.services import imports as services

    world = build_world()
    municipality = world.middelburg.municipality
    data = b"\n".join(
        [
            b"datum;bedrag;bestedingsdoel;interventie;omschrijving;leverancier;factuurnummer",
            b"01-02-2023;500;1;;Zomerschool;Z;F-1",
            b"02-02-2023;750;1;;Boeken;B;F-2",
        ]
    )
    both_checked = threading.Barrier(2)
    real_existing_keys = services._existing_keys
    checked: set[int] = set()

    def existing_keys_then_wait(municipality, keys):
        found = real_existing_keys(municipality, keys)
        if threading.get_ident() not in checked:  # only the first try of each import
            checked.add(threading.get_ident())
            both_checked.wait(timeout=10)
        return found

    monkeypatch.setattr(services, "_existing_keys", existing_keys_then_wait)
    outcomes = []

    def run() -> None:
        result = services.import_expenditures(municipality=municipality, data=data, user=None)
        outcomes.append((result.created, len(result.duplicates)))

    at_once(run, run, timeout=30)
    assert sorted(outcomes) == [(0, 2), (2, 0)]
    assert Expenditure.objects.filter(municipality=municipality).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_simultaneous_equal_pushes_record_the_rows_once_and_both_answer_their_ids(
    monkeypatch,
):
    """Two equal API requests at once, both past their checks: the second waits for the
    first's lock on the municipality, its write then leaves the first's rows out, and it
    answers them as already recorded, with the first's ids (no 409 to send again)."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent inserts need PostgreSQL; SQLite serialises writers anyway.")
    from finance.services import push

    world = build_world()
    municipality = world.middelburg.municipality
    rows = [
        {
            "datum": "2023-02-01",
            "bedrag": amount,
            "bestedingsdoel": "1",
            "interventie": "",
            "omschrijving": "Zomerschool",
            "leverancier": "Z",
            "factuurnummer": invoice,
            "extern_id": invoice,
        }
        for amount, invoice in (("500.00", "F-1"), ("750.00", "F-2"))
    ]
    both_checked = threading.Barrier(2)
    real_check_rows = push._check_rows

    def check_rows_then_wait(*args):
        checked = real_check_rows(*args)
        both_checked.wait(timeout=30)
        return checked

    monkeypatch.setattr(push, "_check_rows", check_rows_then_wait)
    outcomes = []

    def run() -> None:
        try:
            results = push.record_expenditures(municipality=municipality, rows=rows, user=None)
            outcomes.append([(r.id, r.extern_id, r.created) for r in results])
        except Exception as error:
            outcomes.append(repr(error))

    at_once(run, run, timeout=60)
    recorded = [
        (e.pk, e.extern_id)
        for e in Expenditure.objects.filter(municipality=municipality).order_by("pk")
    ]
    assert len(recorded) == 2, outcomes
    assert sorted(outcomes, key=lambda o: o[0][2]) == [
        [(*e, False) for e in recorded],
        [(*e, True) for e in recorded],
    ]
