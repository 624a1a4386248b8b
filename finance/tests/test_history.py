"""The audit trail of the municipality's money."""

from django.urls import reverse

from finance.factories import ExpenditureFactory, PaymentFactory
from finance.services import import_expenditures
from finance.tests.test_views import form_data, url
from tests.versions import loaded_version


def history(client, municipality, page=None):
    path = reverse("finance:history", kwargs={"code": municipality.code})
    return client.get(path, {"pagina": page} if page else {}).content.decode()


def test_history_of_one_expenditure_shows_create_edit_and_delete_with_who_and_values(client, world):
    municipality = world.middelburg.municipality
    officer = world.middelburg.finance_officer
    client.force_login(officer)
    client.post(url("expenditure-create", municipality), form_data(description="Zomerschool"))
    expenditure = municipality.expenditures.get()
    edit = url("expenditure-update", municipality, pk=expenditure.pk)
    version = loaded_version(client.get(edit))
    client.post(edit, form_data(description="Zomerschool", amount="99,95", version=version))
    client.post(url("expenditure-delete", municipality, pk=expenditure.pk))
    assert not municipality.expenditures.exists()

    page = history(client, municipality)
    entries = page.split("<tr>")[2:]  # newest first, after the header row
    assert len(entries) == 3
    deleted, changed, created = entries
    name = officer.get_full_name() or officer.username
    assert all(name in entry for entry in entries)
    assert "verwijderd" in deleted
    assert (
        "gewijzigd" in changed and "<strong>Bedrag</strong>: €\xa01.250,00 → €\xa099,95" in changed
    )
    assert "Omschrijving" not in changed  # unchanged fields are left out
    assert "aangemaakt" in created and "<strong>Bedrag</strong>: — → €\xa01.250,00" in created
    assert "<strong>Omschrijving</strong>: — → Zomerschool" in created


def test_imported_expenditures_are_in_the_history_with_the_importing_user(client, world):

    municipality = world.middelburg.municipality
    officer = world.middelburg.finance_officer
    data = (
        b"datum;bedrag;bestedingsdoel;interventie;omschrijving;leverancier;factuurnummer\n"
        b"01-03-2022;100,00;bovenschools;;Boeken;;F-9\n"
    )
    import_expenditures(municipality=municipality, data=data, user=officer)
    record = municipality.expenditures.get().history.get()
    assert record.history_type == "+"
    assert record.history_user == officer


def test_history_page_query_count_does_not_grow_with_the_records(
    client, world, django_assert_max_num_queries
):
    municipality = world.middelburg.municipality
    client.force_login(world.middelburg.finance_officer)
    ExpenditureFactory(municipality=municipality, invoice_number="H-start").save()
    PaymentFactory(municipality=municipality, reference="B-start")
    with django_assert_max_num_queries(30) as few:
        history(client, municipality)
    for number in range(40):
        expenditure = ExpenditureFactory(municipality=municipality, invoice_number=f"H-{number}")
        expenditure.description = "Gewijzigd"
        expenditure.save()
        PaymentFactory(municipality=municipality, reference=f"B-{number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = history(client, municipality, page=2)
    assert "Pagina 2 van" in page


def test_functional_administrator_sees_any_municipalitys_history(client, world):
    ExpenditureFactory(municipality=world.vlissingen.municipality, description="Bijles")
    client.force_login(world.functional_admin)
    assert "Bijles" in history(client, world.vlissingen.municipality)


def test_functional_administrator_reads_an_expenditures_history_in_the_admin(client, world):
    expenditure = ExpenditureFactory(municipality=world.vlissingen.municipality)
    expenditure.description = "Gecorrigeerd"
    expenditure.save()
    client.force_login(world.functional_admin)
    page = client.get(
        reverse("admin:finance_expenditure_history", args=[expenditure.pk])
    ).content.decode()
    assert "Gecorrigeerd" in page


def test_a_change_to_a_row_from_before_the_trail_says_its_earlier_values_are_unknown(client, world):
    municipality = world.middelburg.municipality
    expenditure = ExpenditureFactory(municipality=municipality, supplier="")
    expenditure.history.all().delete()  # as if recorded before the audit trail existed
    expenditure.description = "Na de invoering"
    expenditure.save()
    client.force_login(world.middelburg.finance_officer)
    page = history(client, municipality)
    assert "Eerdere waarden zijn niet vastgelegd" in page
    assert "<strong>Omschrijving</strong>: — → Na de invoering" in page
    assert "<strong>Leverancier</strong>" not in page


def test_saving_without_a_change_is_recorded_as_such(client, world):
    municipality = world.middelburg.municipality
    ExpenditureFactory(municipality=municipality).save()
    client.force_login(world.middelburg.finance_officer)
    assert "Opgeslagen zonder een waarde te wijzigen." in history(client, municipality)
