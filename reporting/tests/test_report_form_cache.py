"""The report page's start form comes from the cache while what it shows is unchanged."""

import re

from django.test import Client
from django.urls import reverse

from plans.factories import programme
from reporting.factories import AccountabilityReportFactory
from reporting.models import SisaYear


def page(client, organisation) -> str:
    client.force_login(organisation.finance_officer)
    url = reverse("reporting:report-list", args=[organisation.municipality.code])
    return client.get(url).content.decode()


def test_the_cached_form_follows_the_years_and_the_window_at_once(client, world):
    assert 'data-allowed-years="2023 2024 2025 2026"' in page(client, world.middelburg)
    assert 'data-allowed-years="2023 2024 2025 2026"' in page(client, world.middelburg)
    npo = programme()
    npo.final_accounting_first_year = 2024
    npo.save()
    assert 'data-allowed-years="2024 2025 2026"' in page(client, world.middelburg)
    latest = SisaYear.objects.order_by("-year").first()
    latest.pk, latest.year = None, latest.year + 1
    latest.save()
    assert f'<option value="{latest.year}"' in page(client, world.middelburg)


def test_the_cached_form_is_the_municipalitys_own(client, world):
    AccountabilityReportFactory(
        municipality=world.middelburg.municipality,
        year=2024,
        done=True,
        final_accounting=True,
        is_final=True,
    )
    middelburg = page(client, world.middelburg)
    vlissingen = page(client, world.vlissingen)
    filed = f"{world.middelburg.municipality.name} heeft de eindverantwoording over 2024"
    assert filed in middelburg
    assert filed not in vlissingen and 'data-allowed-years="2023 2024 2025 2026"' in vlissingen


def test_the_cached_form_carries_the_requests_own_csrf_token(world):
    for _ in range(2):  # the second page's form comes from the cache
        client = Client(enforce_csrf_checks=True)
        html = page(client, world.middelburg)
        start_form = re.search(r'<form  method="post" >.*?</form>', html, re.S).group(0)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', start_form).group(1)
        response = client.post(
            reverse("reporting:report-list", args=[world.middelburg.municipality.code]),
            {"csrfmiddlewaretoken": token, "year": 2021, "final_accounting": "on"},
        )
        assert response.status_code == 200  # the refusal on the form, not a CSRF 403
        assert "2021 valt daarbuiten" in response.content.decode()
