"""The report page a user meets (issue 31): one notice for every unconfirmed SiSa year, the
way to confirm them for whoever may, and the build form before the list of versions."""

from django.urls import reverse

from reporting.factories import AccountabilityReportFactory
from reporting.models import SisaYear


def report_page(client, user, municipality):
    client.force_login(user)
    return client.get(reverse("reporting:report-list", args=[municipality.code])).content.decode()


def test_unconfirmed_sisa_years_are_summed_up_in_one_notice(client, world):
    municipality = world.middelburg.municipality
    for year in (2021, 2022, 2023):
        AccountabilityReportFactory(municipality=municipality, year=year, done=True)
    for year in (2021, 2022, 2023):
        SisaYear.objects.update_or_create(
            year=year,
            defaults={
                "grant_code": "H5",
                "grant_code_confirmed": False,
                "override_reason": "Bijlage nog niet verschenen." if year == 2023 else "",
            },
        )
    page = report_page(client, world.middelburg.finance_officer, municipality)
    assert page.count("alert-warning") == 1
    assert "SiSa 2021, 2022 en 2023 zijn niet bevestigd" in page
    assert "Geen rapport over 2021 en 2022 kan definitief worden gemaakt" in page
    assert "Rapporten over 2023 kunnen toch definitief worden gemaakt" in page
    # The finance officer cannot confirm: no link that would answer 403, but who does.
    assert "/beheer/reporting/sisayear/" not in page
    assert "De functioneel beheerder bevestigt ze." in page

    admin_page = report_page(client, world.functional_admin, municipality)
    confirm = reverse("admin:reporting_sisayear_changelist") + "?grant_code_confirmed__exact=0"
    assert f'href="{confirm}"' in admin_page
    assert client.get(confirm).status_code == 200


def test_the_build_form_comes_before_the_versions(client, world):
    municipality = world.middelburg.municipality
    AccountabilityReportFactory(municipality=municipality, year=2022, done=True)
    page = report_page(client, world.middelburg.finance_officer, municipality)
    assert page.index("Rapport maken") < page.index("Versies")
    assert '<h1 class="h3 mb-0">Rapporten voor de verantwoording</h1>' in page
