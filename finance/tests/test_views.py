import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from finance.factories import AllocationFactory, ExpenditureFactory, PaymentFactory
from finance.models import Expenditure, ExpenditureImport, ImportStatus, Payment
from finance.services import close_year, run_expenditure_import, start_expenditure_import
from finance.tests.conftest import csv_bytes
from plans.factories import InterventionFactory, PlanFactory, goal
from tests.versions import loaded_version


def url(name, municipality, **kwargs):
    return reverse(f"finance:{name}", kwargs={"code": municipality.code, **kwargs})


def form_data(**overrides):
    return {
        "date": "2023-03-01",
        "amount": "1.250,00",
        "goal": goal("bovenschools").pk,
        "intervention": "",
        "description": "Zomerschool",
        "supplier": "Stichting Z",
        "invoice_number": "F-1",
        **overrides,
    }


def test_finance_officer_sees_the_dashboard_with_allocation_and_warning(client, world):
    municipality = world.middelburg.municipality
    AllocationFactory(municipality=municipality, amount=Decimal("1214683.00"))
    ExpenditureFactory(municipality=municipality, amount=Decimal("1000.00"))
    client.force_login(world.middelburg.finance_officer)
    body = client.get(url("dashboard", municipality)).content.decode()
    assert "€\xa01.214.683,00" in body
    assert "risico op terugvordering" in body
    assert "<svg" in body


def test_policy_officer_reads_but_cannot_record(client, world):
    municipality = world.middelburg.municipality
    client.force_login(world.middelburg.policy_officer)
    assert client.get(url("dashboard", municipality)).status_code == 200
    assert client.get(url("expenditure-list", municipality)).status_code == 200
    assert client.get(url("payment-list", municipality)).status_code == 200
    assert client.post(url("expenditure-create", municipality), form_data()).status_code == 403
    assert client.get(url("import", municipality)).status_code == 403
    assert not Expenditure.objects.exists()


def test_board_users_see_no_municipal_money(client, world):
    client.force_login(world.middelburg.board_user)
    assert client.get(reverse("finance:index")).status_code == 403
    # 404 while boards see no municipality; 403 once boards see the municipalities of
    # their schools (main's scoping): refused either way.
    for name in ("dashboard", "expenditure-list", "payment-list", "import"):
        assert client.get(url(name, world.middelburg.municipality)).status_code in (403, 404)


def test_functional_admin_reads_every_municipality_but_records_nothing(client, world):
    AllocationFactory(municipality=world.vlissingen.municipality)
    client.force_login(world.functional_admin)
    assert "Vlissingen" in client.get(reverse("finance:allocation-list")).content.decode()
    assert client.get(url("dashboard", world.vlissingen.municipality)).status_code == 200
    response = client.post(url("expenditure-create", world.vlissingen.municipality), form_data())
    assert response.status_code == 403


def test_index_leads_to_the_own_dashboard(client, world):
    client.force_login(world.middelburg.finance_officer)
    response = client.get(reverse("finance:index"))
    assert response.url == url("dashboard", world.middelburg.municipality)


def test_finance_officer_records_an_expenditure_in_dutch_notation(client, world):
    municipality = world.middelburg.municipality
    client.force_login(world.middelburg.finance_officer)
    response = client.post(url("expenditure-create", municipality), form_data())
    assert response.status_code == 302
    expenditure = Expenditure.objects.get()
    assert (expenditure.amount, expenditure.recorded_by) == (
        Decimal("1250.00"),
        world.middelburg.finance_officer,
    )


def test_the_form_refuses_an_intervention_of_another_goal(client, world):
    municipality = world.middelburg.municipality
    intervention = InterventionFactory(
        plan=PlanFactory(municipality=municipality), code="ZS-01", goal=goal("bovenschools")
    )
    client.force_login(world.middelburg.finance_officer)
    response = client.post(
        url("expenditure-create", municipality),
        form_data(goal=goal("thuiszitters").pk, intervention=intervention.pk),
    )
    assert response.status_code == 200
    assert "valt onder &#x27;Bovenschoolse maatregelen&#x27;" in response.content.decode()
    assert not Expenditure.objects.exists()


def test_editing_and_deleting_with_a_confirmation_page(client, world):
    municipality = world.middelburg.municipality
    expenditure = ExpenditureFactory(municipality=municipality)
    client.force_login(world.middelburg.finance_officer)
    edit = url("expenditure-update", municipality, pk=expenditure.pk)
    loaded = client.get(edit)
    assert loaded.status_code == 200
    client.post(edit, form_data(amount="99,95", version=loaded_version(loaded)))
    expenditure.refresh_from_db()
    assert expenditure.amount == Decimal("99.95")
    delete = url("expenditure-delete", municipality, pk=expenditure.pk)
    assert "Wilt u de uitgave" in client.get(delete).content.decode()
    assert Expenditure.objects.exists()
    client.post(delete)
    assert not Expenditure.objects.exists()


def test_editing_in_a_closed_year_is_refused_on_the_page(client, world):
    municipality = world.middelburg.municipality
    expenditure = ExpenditureFactory(municipality=municipality, date=datetime.date(2022, 3, 1))
    client.force_login(world.middelburg.finance_officer)
    edit = url("expenditure-update", municipality, pk=expenditure.pk)
    version = loaded_version(client.get(edit))
    close_year(municipality=municipality, year=2022, user=None)
    response = client.post(edit, form_data(date="2022-03-01", amount="1,00", version=version))
    assert response.status_code == 302
    assert "Het jaar 2022 is afgesloten" in client.get(response.url).content.decode()
    response = client.post(url("expenditure-delete", municipality, pk=expenditure.pk), follow=True)
    assert "Het jaar 2022 is afgesloten" in response.content.decode()
    assert Expenditure.objects.get().amount == Decimal("1250.00")


def test_a_typed_in_edit_or_delete_address_in_a_closed_year_offers_no_form(client, world):
    municipality = world.middelburg.municipality
    expenditure = ExpenditureFactory(municipality=municipality, date=datetime.date(2022, 3, 1))
    close_year(municipality=municipality, year=2022, user=None)
    client.force_login(world.middelburg.finance_officer)
    for name in ("expenditure-update", "expenditure-delete"):
        response = client.get(url(name, municipality, pk=expenditure.pk), follow=True)
        assert response.redirect_chain[-1][0] == url("expenditure-list", municipality)
        body = response.content.decode()
        assert "Het jaar 2022 is afgesloten" in body
        assert 'name="amount"' not in body and 'class="btn btn-danger"' not in body


def test_a_date_after_the_merger_is_refused_on_the_date_field(client, world):
    from accounts.factories import UserFactory
    from accounts.models import Municipality

    weesp = Municipality.objects.get(code="GM0457")
    client.force_login(UserFactory(municipality=weesp, finance=True))
    response = client.post(url("expenditure-create", weesp), form_data(date="2022-04-01"))
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        "Weesp bestaat niet meer na 23-03-2022; boek deze uitgave op Amsterdam."
    ]
    response = client.post(
        url("payment-create", weesp), {"date": "2022-04-01", "amount": "1.000,00"}
    )
    assert response.context["form"].errors["date"] == [
        "Weesp bestaat niet meer na 23-03-2022; boek deze betaling op Amsterdam."
    ]
    assert not Expenditure.objects.exists() and not Payment.objects.exists()


def test_vlissingen_finance_officer_cannot_see_or_change_middelburgs_money(client, world):
    middelburg = world.middelburg.municipality
    expenditure = ExpenditureFactory(municipality=middelburg)
    PaymentFactory(municipality=middelburg)
    client.force_login(world.vlissingen.finance_officer)
    for name in ("dashboard", "expenditure-list", "payment-list", "import", "payment-create"):
        assert client.get(url(name, middelburg)).status_code == 404, name
    edit = url("expenditure-update", middelburg, pk=expenditure.pk)
    assert client.post(edit, form_data(amount="1,00")).status_code == 404
    delete = url("expenditure-delete", middelburg, pk=expenditure.pk)
    assert client.post(delete).status_code == 404
    # Not through their own municipality's URL either.
    own = world.vlissingen.municipality
    assert client.post(url("expenditure-delete", own, pk=expenditure.pk)).status_code == 404
    assert client.post(url("expenditure-create", middelburg), form_data()).status_code == 404
    file = SimpleUploadedFile("u.csv", csv_bytes("01-02-2023;1;1;;X;Y;Z"))
    assert client.post(url("import", middelburg), {"file": file}).status_code == 404
    assert not ExpenditureImport.objects.exists()
    expenditure.refresh_from_db()
    assert expenditure.amount == Decimal("1250.00")
    assert Expenditure.objects.filter(municipality=middelburg).count() == 1
    assert Payment.objects.count() == 1


def test_the_list_filters_on_year_goal_intervention_and_eligibility(client, world):
    municipality = world.middelburg.municipality
    intervention = InterventionFactory(plan=PlanFactory(municipality=municipality), code="ZS-01")
    ExpenditureFactory(municipality=municipality, description="Alpha", intervention=intervention)
    ExpenditureFactory(
        municipality=municipality,
        description="Beta",
        date=datetime.date(2023, 1, 5),
        goal=goal("capaciteit"),
    )
    ExpenditureFactory(municipality=municipality, description="Gamma", after_period=True)
    client.force_login(world.middelburg.finance_officer)
    list_url = url("expenditure-list", municipality)

    def shown(**params):
        rows = client.get(list_url, params).context["page"].rows
        return [row.description for row in rows]

    assert shown() == ["Gamma", "Beta", "Alpha"]
    assert shown(jaar="2023") == ["Beta"]
    assert shown(doel="capaciteit") == ["Beta"]
    assert shown(interventie="ZS-01") == ["Alpha"]
    assert shown(interventie="-") == ["Gamma", "Beta"]
    assert shown(subsidiabel="ok") == ["Beta", "Alpha"]
    assert shown(subsidiabel="niet") == ["Gamma"]
    body = client.get(list_url, {"subsidiabel": "niet"}).content.decode()
    assert "Na de bestedingsperiode" in body


def test_the_list_pages_by_keyset(client, world):
    municipality = world.middelburg.municipality
    ExpenditureFactory.create_batch(120, municipality=municipality)
    client.force_login(world.middelburg.finance_officer)
    list_url = url("expenditure-list", municipality)
    first = client.get(list_url).context["page"]
    second = client.get(list_url, {"na": first.next_cursor}).context["page"]
    third = client.get(list_url, {"na": second.next_cursor}).context["page"]
    seen = [e.pk for page in (first, second, third) for e in page.rows]
    assert len(seen) == len(set(seen)) == 120
    assert third.next_cursor is None
    assert first.count == 120


@pytest.mark.parametrize("count", [10, 1000])
def test_dashboard_and_list_queries_do_not_grow_with_expenditures(
    client, world, django_assert_num_queries, count
):
    municipality = world.middelburg.municipality
    AllocationFactory(municipality=municipality)
    intervention = InterventionFactory(plan=PlanFactory(municipality=municipality))
    ExpenditureFactory.create_batch(count, municipality=municipality, intervention=intervention)
    client.force_login(world.middelburg.finance_officer)
    client.get(url("dashboard", municipality))  # warm the session and content types
    cache.clear()
    # The figures computed and rendered, and whether the programme is closed (then cached).
    # The user comes with their municipality, which is the one in the address (issue 32).
    with django_assert_num_queries(17):
        assert client.get(url("dashboard", municipality)).status_code == 200
    # The same figures, from the cache: the session, the user, and the grant with its
    # changes (one query, `insight.figures.grant_and_changes`).
    with django_assert_num_queries(3):
        assert client.get(url("dashboard", municipality)).status_code == 200
    # The list: its change count, then its filters' options, closed years, filtered total
    # and count (computed once, then cached under that count), and its page.
    with django_assert_num_queries(10):
        assert client.get(url("expenditure-list", municipality)).status_code == 200
    # The session, the user and the change count: the page's table is cached under it too.
    with django_assert_num_queries(3):
        assert client.get(url("expenditure-list", municipality)).status_code == 200


def upload(client, municipality, data, name="uitgaven.csv"):
    """Post a file; the import task runs when the request's transaction commits."""
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(url("import", municipality), {"file": file}, follow=True)


def test_the_upload_page_imports_in_the_background_and_shows_duplicates(
    client, world, django_capture_on_commit_callbacks
):
    municipality = world.middelburg.municipality
    client.force_login(world.middelburg.finance_officer)
    data = csv_bytes("01-02-2023;500;1;;Zomerschool;Z;F-1")
    for expected in ("1 uitgave geïmporteerd.", "Rij 2: al geregistreerd"):
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(client, municipality, data)
        job = ExpenditureImport.objects.order_by("-pk").first()
        # The redirect was rendered before the task ran; the job page shows the outcome.
        body = client.get(url("import-detail", municipality, pk=job.pk)).content.decode()
        assert response.redirect_chain[-1][0] == url("import-detail", municipality, pk=job.pk)
        assert expected in body
    assert Expenditure.objects.count() == 1
    assert job.uploaded_by == world.middelburg.finance_officer
    job.refresh_from_db()
    assert not job.upload  # deleted once imported
    assert "uitgaven.csv" in client.get(url("import", municipality)).content.decode()


def test_the_upload_page_names_each_bad_row_and_imports_nothing(
    client, world, django_capture_on_commit_callbacks
):
    municipality = world.middelburg.municipality
    client.force_login(world.middelburg.finance_officer)
    data = csv_bytes("01-02-2023;500;1;;Goed;Z;F-1", "01-02-2023;x;9;;Fout;Z;F-2")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, municipality, data, name="uitgaven.xlsx")
    job = ExpenditureImport.objects.get()
    body = client.get(url("import-detail", municipality, pk=job.pk)).content.decode()
    assert "Er is niets geïmporteerd" in body
    assert "Rij 3: kolom &#x27;bedrag&#x27;: &#x27;x&#x27; is geen bedrag" in body
    assert not Expenditure.objects.exists()


def test_a_waiting_import_page_refreshes_itself(client, world):
    municipality = world.middelburg.municipality
    client.force_login(world.middelburg.finance_officer)
    upload(client, municipality, csv_bytes("01-02-2023;500;1;;Zomerschool;Z;F-1"))
    job = ExpenditureImport.objects.get()
    body = client.get(url("import-detail", municipality, pk=job.pk)).content.decode()
    assert job.status == ImportStatus.QUEUED
    assert 'http-equiv="refresh"' in body


def test_an_import_task_delivered_twice_imports_once(world):
    job = start_expenditure_import(
        municipality=world.middelburg.municipality,
        user=None,
        file_name="u.csv",
        data=csv_bytes("01-02-2023;500;1;;Zomerschool;Z;F-1"),
    )
    assert run_expenditure_import(import_id=job.pk).status == ImportStatus.DONE
    assert run_expenditure_import(import_id=job.pk) is None
    assert Expenditure.objects.count() == 1


def test_payments_page_shows_expected_against_received(client, world):
    municipality = world.middelburg.municipality
    AllocationFactory(municipality=municipality, amount=Decimal("240000.00"))
    client.force_login(world.middelburg.finance_officer)
    response = client.post(
        url("payment-create", municipality),
        {"date": "2021-12-20", "amount": "50.000,00", "reference": "OCW 12-2021"},
    )
    assert response.status_code == 302
    body = client.get(url("payment-list", municipality)).content.decode()
    assert "€\xa050.000,00" in body  # 5/24 of 240.000 expected and received in December 2021
    assert "OCW 12-2021" in body
    assert Payment.objects.get().recorded_by == world.middelburg.finance_officer


def test_the_payments_pages_cached_schedule_follows_each_payment(client, world):
    """Expected against received is cached under the grant's change count (issue 32)."""
    municipality = world.middelburg.municipality
    AllocationFactory(municipality=municipality, amount=Decimal("240000.00"))
    client.force_login(world.middelburg.finance_officer)
    before = client.get(url("payment-list", municipality)).content.decode()
    assert "€\xa012.345,67" not in before
    assert client.get(url("payment-list", municipality)).context["figures_key"]
    PaymentFactory(
        municipality=municipality, date=datetime.date(2021, 12, 20), amount=Decimal("12345.67")
    )
    after = client.get(url("payment-list", municipality)).content.decode()
    # Received in December 2021 and in all: in the schedule, its total and the list.
    assert after.count("€\xa012.345,67") == 3


def test_import_commands(tmp_path, world, capsys):
    allocations = tmp_path / "toekenningen.csv"
    allocations.write_text("gemeentecode;gemeente;bedrag\n0687;Middelburg;1.214.683,00\n")
    call_command("import_allocations", str(allocations))
    expenditures = tmp_path / "uitgaven.csv"
    expenditures.write_bytes(csv_bytes("01-02-2023;500;1;;Zomerschool;Z;F-1"))
    call_command("import_expenditures", str(expenditures), "--municipality", "GM0687")
    call_command("import_expenditures", str(expenditures), "--municipality", "0687")
    assert Expenditure.objects.count() == 1
    assert "0 uitgaven geïmporteerd" in capsys.readouterr().out


@pytest.mark.parametrize("code", ["GM0000", "0002"])
def test_the_expenditure_command_refuses_a_code_the_register_does_not_know(tmp_path, world, code):
    expenditures = tmp_path / "uitgaven.csv"
    expenditures.write_bytes(csv_bytes("01-02-2023;500;1;;Zomerschool;Z;F-1"))
    with pytest.raises(CommandError, match=r"er is geen gemeente met de code GM000[02]\."):
        call_command("import_expenditures", str(expenditures), "--municipality", code)
    assert not Expenditure.objects.exists()


def _remove_the_programme() -> None:
    """What a database without the migrations' reference data holds: no programme, and so no
    goals, plans or allocations (deleted in the order their protected keys ask)."""
    from django.db.models import ProtectedError

    from plans.models import Programme

    def delete(queryset):
        while True:
            try:
                queryset.delete()
                return
            except ProtectedError as error:
                delete(type(next(iter(error.protected_objects)))._default_manager.all())

    delete(Programme.objects.all())


@pytest.mark.django_db
def test_without_a_programme_the_finance_pages_answer_with_nothing_to_add_up(client, world):
    _remove_the_programme()
    client.force_login(world.middelburg.finance_officer)
    for name in ("finance:dashboard", "finance:expenditure-list", "finance:payment-list"):
        response = client.get(reverse(name, kwargs={"code": "GM0687"}))
        assert response.status_code == 200, name
