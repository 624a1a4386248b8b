import datetime
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import UserFactory
from accounts.models import Municipality
from plans.factories import (
    ConsultationMomentFactory,
    InterventionFactory,
    PlanFactory,
    goal,
    programme,
)
from plans.models import Allocation, ConsultationMoment, Intervention, MenuItem, Plan
from schools.factories import SchoolFactory
from tests.versions import loaded_version


@pytest.fixture
def plan(world):
    return PlanFactory(municipality=world.middelburg.municipality)


def intervention_data(**overrides):
    data = {
        "code": "B-01",
        "title": "Zomerschool Walcheren",
        "description": "Twee weken zomerschool voor groep 6-8.",
        "goal": goal("bovenschools").pk,
        "menu_item": "",
        "target_groups": ["po"],
        "planned_reach": "150",
        "partners": ["bibliotheek", "vervolgonderwijs"],
        "other_partners": "",
        "start": "2022-07-01",
        "end": "2023-08-31",
        "status": "gepland",
        "budget_2021": "",
        "budget_2022": "12.500,00",
        "budget_2023": "8000,50",
        "budget_2024": "",
        "budget_2025": "",
    }
    data.update(overrides)
    return data


def test_policy_officer_without_a_plan_creates_one(client, world):
    client.force_login(world.middelburg.policy_officer)
    assert "Plan aanmaken" in client.get(reverse("plans:home")).content.decode()
    response = client.post(reverse("plans:create"), {"title": "Samen inhalen in Middelburg"})
    plan = Plan.objects.get(municipality=world.middelburg.municipality)
    assert response.url == reverse("plans:detail", kwargs={"pk": plan.pk})
    assert plan.title == "Samen inhalen in Middelburg"
    assert client.get(reverse("plans:home")).url == response.url


def test_finance_officer_reads_the_plan_but_cannot_create_or_change_it(client, world, plan):
    client.force_login(world.middelburg.finance_officer)
    response = client.get(reverse("plans:detail", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    assert "Nieuwe interventie" not in response.content.decode()
    assert client.post(reverse("plans:create"), {"title": "x"}).status_code == 403
    assert client.get(reverse("plans:edit", kwargs={"pk": plan.pk})).status_code == 403
    url = reverse("plans:intervention-create", kwargs={"pk": plan.pk})
    assert client.post(url, intervention_data()).status_code == 403
    assert not Intervention.objects.exists()


def test_board_users_see_nothing_of_plans(client, world, plan):
    client.force_login(world.middelburg.board_user)
    assert client.get(reverse("plans:home")).status_code == 403
    assert client.get(reverse("plans:detail", kwargs={"pk": plan.pk})).status_code == 404


def test_functional_admin_reads_every_plan(client, world, plan):
    other = PlanFactory(municipality=world.vlissingen.municipality)
    client.force_login(world.functional_admin)
    body = client.get(reverse("plans:home")).content.decode()
    assert plan.title in body and other.title in body
    assert client.get(reverse("plans:detail", kwargs={"pk": other.pk})).status_code == 200
    assert client.get(reverse("plans:edit", kwargs={"pk": other.pk})).status_code == 403


def test_policy_officer_edits_the_plan_texts(client, world, plan):
    client.force_login(world.middelburg.policy_officer)
    url = reverse("plans:edit", kwargs={"pk": plan.pk})
    response = client.post(
        url,
        {
            "title": plan.title,
            "context": "Veel vertraging bij begrijpend lezen.",
            "aims": "Inhalen.",
            "version": loaded_version(client.get(url)),
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.context == "Veel vertraging bij begrijpend lezen."


def test_intervention_is_saved_with_its_budgets_partners_and_schools(client, world, plan):
    school = world.middelburg.school
    client.force_login(world.middelburg.policy_officer)
    response = client.post(
        reverse("plans:intervention-create", kwargs={"pk": plan.pk}),
        intervention_data(schools=[school.pk], school_boards=[world.middelburg.board.pk]),
    )
    assert response.status_code == 302, response.context["form"].errors
    intervention = Intervention.objects.get(plan=plan)
    assert dict(intervention.budgets.values_list("year", "amount")) == {
        2022: Decimal("12500.00"),
        2023: Decimal("8000.50"),
    }
    assert intervention.partners == ["bibliotheek", "vervolgonderwijs"]
    assert list(intervention.schools.all()) == [school]
    assert list(intervention.school_boards.all()) == [world.middelburg.board]


def test_editing_an_intervention_replaces_its_budgets(client, world, plan):
    intervention = InterventionFactory(
        plan=plan, code="B-01", budgets={2021: "100.00", 2022: "200.00"}
    )
    client.force_login(world.middelburg.policy_officer)
    url = reverse("plans:intervention-edit", kwargs={"pk": intervention.pk})
    loaded = client.get(url)
    assert 'value="100,00"' in loaded.content.decode()
    response = client.post(
        url,
        intervention_data(budget_2022="300", budget_2023="", version=loaded_version(loaded)),
    )
    assert response.status_code == 302
    assert dict(intervention.budgets.values_list("year", "amount")) == {2022: Decimal("300.00")}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start": "2021-06-30"}, "De startdatum ligt buiten de bestedingsperiode"),
        ({"end": "2025-08-01"}, "De einddatum ligt buiten de bestedingsperiode"),
        ({"target_groups": []}, "Kies ten minste één doelgroep."),
        ({"target_groups": ["mbo"]}, "Een interventie voor mbo- of hbo-studenten"),
        ({"budget_2022": "-5"}, "Zorg ervoor dat deze waarde minstens 0 is."),
        ({"partners": ["anders"]}, "Noem de andere partners."),
    ],
)
def test_ineligible_intervention_is_refused_with_a_dutch_message(
    client, world, plan, overrides, message
):
    client.force_login(world.middelburg.policy_officer)
    response = client.post(
        reverse("plans:intervention-create", kwargs={"pk": plan.pk}), intervention_data(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Intervention.objects.exists()


def test_follow_on_education_as_partner_is_accepted(client, world, plan):
    client.force_login(world.middelburg.policy_officer)
    client.post(
        reverse("plans:intervention-create", kwargs={"pk": plan.pk}),
        intervention_data(partners=["vervolgonderwijs"], target_groups=["po", "vo"]),
    )
    assert Intervention.objects.get().partners == ["vervolgonderwijs"]


def test_duplicate_code_in_the_plan_is_refused(client, world, plan):
    InterventionFactory(plan=plan, code="B-01")
    client.force_login(world.middelburg.policy_officer)
    response = client.post(
        reverse("plans:intervention-create", kwargs={"pk": plan.pk}), intervention_data()
    )
    assert "Het plan heeft al een interventie met deze code." in response.content.decode()


def test_only_schools_in_the_municipality_are_offered_and_accepted(client, world, plan):
    client.force_login(world.middelburg.policy_officer)
    url = reverse("plans:intervention-create", kwargs={"pk": plan.pk})
    form = client.get(url).context["form"]
    assert list(form.fields["schools"].queryset) == [world.middelburg.school]
    assert list(form.fields["school_boards"].queryset) == [world.middelburg.board]
    response = client.post(url, intervention_data(schools=[world.vlissingen.school.pk]))
    assert response.status_code == 200
    assert not Intervention.objects.exists()


def test_delete_asks_for_confirmation_and_deletes_only_on_post(client, world, plan):
    intervention = InterventionFactory(plan=plan, budgets={2022: "10.00"})
    client.force_login(world.middelburg.policy_officer)
    url = reverse("plans:intervention-delete", kwargs={"pk": intervention.pk})
    assert "Verwijderen" in client.get(url).content.decode()
    assert Intervention.objects.filter(pk=intervention.pk).exists()
    assert client.post(url).status_code == 302
    assert not Intervention.objects.filter(pk=intervention.pk).exists()


def test_consultation_moments_are_logged_changed_and_removed(client, world, plan):
    client.force_login(world.middelburg.policy_officer)
    client.post(
        reverse("plans:consultation-create", kwargs={"pk": plan.pk}),
        {
            "date": "2021-10-05",
            "body": "lea",
            "participants": "po, vo",
            "summary": "Behoeften besproken.",
        },
    )
    moment = ConsultationMoment.objects.get(plan=plan)
    client.post(
        reverse("plans:consultation-edit", kwargs={"pk": moment.pk}),
        {
            "date": "2021-10-06",
            "body": "samenwerkingsverband",
            "participants": "",
            "summary": "Bijgesteld.",
        },
    )
    moment.refresh_from_db()
    assert (moment.date, moment.body) == (datetime.date(2021, 10, 6), "samenwerkingsverband")
    client.post(reverse("plans:consultation-delete", kwargs={"pk": moment.pk}))
    assert not ConsultationMoment.objects.exists()


def test_plan_page_warns_when_the_budget_exceeds_the_allocation(client, world, plan):
    InterventionFactory(plan=plan, budgets={2022: "900.00", 2023: "300.00"})
    client.force_login(world.middelburg.policy_officer)
    body = client.get(reverse("plans:detail", kwargs={"pk": plan.pk})).content.decode()
    assert "nog geen toekenning vastgelegd" in body
    Allocation.objects.create(
        programme=programme(), municipality=plan.municipality, amount=Decimal("1000.00")
    )
    body = client.get(reverse("plans:detail", kwargs={"pk": plan.pk})).content.decode()
    body = body.replace("\xa0", " ")
    assert "€ 200,00 meer dan de toekenning" in body
    assert "<svg" in body and "€ 900,00" in body
    assert '<th scope="col" class="text-end">2022</th>' in body


def fill_plan(plan, count):
    for n in range(count):
        InterventionFactory(
            plan=plan,
            goal=goal(["bovenschools", "voorschools", "zorg_welzijn", "capaciteit"][n % 4]),
            budgets={2022: "1000.00", 2023: "500.00"},
        )
    ConsultationMomentFactory(plan=plan)


def test_plan_page_query_count_does_not_grow_with_the_interventions(
    client, world, plan, django_assert_num_queries
):
    client.force_login(world.middelburg.policy_officer)
    url = reverse("plans:detail", kwargs={"pk": plan.pk})
    fill_plan(plan, 5)
    for intervention in plan.interventions.all():
        intervention.schools.add(world.middelburg.school)
    client.get(url)
    cache.clear()  # both requests compute the golden-thread summary, not read it cached
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    fill_plan(plan, 45)
    cache.clear()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.context["figures"]["intervention_count"] == 50


def test_pdf_of_the_plan_is_a_pdf_with_its_title(client, world, plan):
    InterventionFactory(plan=plan, title="Zomerschool Walcheren", budgets={2022: "1000.00"})
    client.force_login(world.middelburg.finance_officer)
    response = client.get(reverse("plans:pdf", kwargs={"pk": plan.pk}))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if pdftotext := shutil.which("pdftotext"):
        text = (
            subprocess.run(
                [pdftotext, "-", "-"], input=response.content, capture_output=True, check=True
            )
            .stdout.decode()
            .replace("\xa0", " ")
        )
        assert plan.title in text
        assert "Zomerschool Walcheren" in text
        assert "€ 1.000,00" in text


def test_printable_plan_shows_the_interventions(client, world, plan):
    InterventionFactory(plan=plan, title="Zomerschool Walcheren", budgets={2022: "1000.00"})
    client.force_login(world.middelburg.policy_officer)
    body = client.get(reverse("plans:print", kwargs={"pk": plan.pk})).content.decode()
    assert "Zomerschool Walcheren" in body and "data-print" in body
    # The CSP allows no inline style or script: the print rules live in the stylesheet.
    assert "<style" not in body and "onclick" not in body
    css = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text()
    assert "@media print" in css and ".no-print" in css


def test_school_of_another_municipality_cannot_be_saved_by_the_service(world, plan):
    from django.core.exceptions import ValidationError

    from plans import services

    stranger = SchoolFactory(
        municipality=world.vlissingen.municipality, board=world.vlissingen.board
    )
    intervention = Intervention(
        plan=plan, code="X", title="X", goal=goal("bovenschools"), target_groups=["po"],
        start=datetime.date(2022, 1, 1), end=datetime.date(2022, 12, 31),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.save_intervention(
            intervention=intervention, budgets={2026: Decimal("5")}, schools=[stranger],
            school_boards=[], user=world.middelburg.policy_officer,
        )  # fmt: skip
    with pytest.raises(ValidationError):
        services.save_intervention(
            intervention=intervention, budgets={}, schools=[stranger],
            school_boards=[], user=world.middelburg.policy_officer,
        )  # fmt: skip
    assert not Intervention.objects.exists()


def test_editing_keeps_a_board_linked_before_its_schools_were_registered(client, world, plan):
    from accounts.factories import SchoolBoardFactory

    board = SchoolBoardFactory(number="41999")
    intervention = InterventionFactory(plan=plan, code="B-01")
    intervention.school_boards.add(board)
    client.force_login(world.middelburg.policy_officer)
    url = reverse("plans:intervention-edit", kwargs={"pk": intervention.pk})
    response = client.post(
        url, intervention_data(school_boards=[board.pk], version=loaded_version(client.get(url)))
    )
    assert response.status_code == 302
    assert list(intervention.school_boards.all()) == [board]


def test_plan_page_shows_what_the_boards_reported_in_the_latest_round(client, world, plan):
    from schools.factories import NeedsAnswerFactory, NeedsRoundFactory

    needs_round = NeedsRoundFactory(
        municipality=world.middelburg.municipality, title="Peiling 2022"
    )
    NeedsAnswerFactory(
        round=needs_round,
        school=world.middelburg.school,
        submitted=True,
        delays={"rekenen": ("ernstig", 40)},
    )
    client.force_login(world.middelburg.policy_officer)
    body = client.get(reverse("plans:detail", kwargs={"pk": plan.pk})).content.decode()
    assert "Wat de schoolbesturen melden" in body
    assert "Peiling 2022 (2022-2023): 1 van 1 scholen ingediend." in body


def test_plan_page_without_a_needs_round_invites_opening_one(client, world, plan):
    client.force_login(world.middelburg.policy_officer)
    body = client.get(reverse("plans:detail", kwargs={"pk": plan.pk})).content.decode()
    assert "Nog geen behoeftepeiling." in body


def test_a_successor_carries_the_merged_municipalitys_plan_on_read_only(client, db):
    weesp, amsterdam = (Municipality.objects.get(code=code) for code in ("GM0457", "GM0363"))
    weesp_plan = PlanFactory(municipality=weesp, title="Weesp haalt in")
    amsterdam_plan = PlanFactory(municipality=amsterdam, title="Amsterdam haalt in")
    client.force_login(UserFactory(municipality=amsterdam))

    own = client.get(reverse("plans:detail", args=[amsterdam_plan.pk])).content.decode()
    assert "Weesp haalt in" in own and "24-03-2022" in own
    merged = client.get(reverse("plans:detail", args=[weesp_plan.pk]))
    assert merged.status_code == 200
    assert reverse("plans:edit", args=[weesp_plan.pk]) not in merged.content.decode()
    assert client.get(reverse("plans:edit", args=[weesp_plan.pk])).status_code == 403


def test_a_closed_school_is_not_offered_for_a_new_intervention(client, world, plan):
    closed = SchoolFactory(
        municipality=world.middelburg.municipality,
        board=world.middelburg.board,
        closed_on=datetime.date(2024, 8, 1),
    )
    client.force_login(world.middelburg.policy_officer)
    url = reverse("plans:intervention-create", kwargs={"pk": plan.pk})
    form = client.get(url).context["form"]
    assert list(form.fields["schools"].queryset) == [world.middelburg.school]
    response = client.post(url, intervention_data(schools=[closed.pk]))
    assert response.status_code == 200
    assert not Intervention.objects.exists()


def test_a_closed_school_stays_on_the_intervention_that_already_reached_it(client, world, plan):
    closed = SchoolFactory(
        municipality=world.middelburg.municipality,
        board=world.middelburg.board,
        closed_on=datetime.date(2024, 8, 1),
    )
    other_closed = SchoolFactory(
        municipality=world.middelburg.municipality,
        board=world.middelburg.board,
        closed_on=datetime.date(2024, 8, 1),
    )
    intervention = InterventionFactory(plan=plan, code="B-01")
    intervention.schools.add(closed)
    client.force_login(world.middelburg.policy_officer)
    url = reverse("plans:intervention-edit", kwargs={"pk": intervention.pk})
    response = client.get(url)
    assert set(response.context["form"].fields["schools"].queryset) == {
        world.middelburg.school,
        closed,
    }
    assert "(gesloten op 01-08-2024)" in response.content.decode()
    response = client.post(
        url,
        intervention_data(
            schools=[closed.pk, world.middelburg.school.pk], version=loaded_version(response)
        ),
    )
    assert response.status_code == 302
    assert set(intervention.schools.all()) == {closed, world.middelburg.school}
    response = client.post(
        url,
        intervention_data(
            schools=[closed.pk, other_closed.pk], version=loaded_version(client.get(url))
        ),
    )
    assert response.status_code == 200
    assert set(intervention.schools.all()) == {closed, world.middelburg.school}


def test_the_service_refuses_to_add_a_closed_school(world, plan):
    from django.core.exceptions import ValidationError

    from plans import services

    closed = SchoolFactory(
        municipality=world.middelburg.municipality,
        board=world.middelburg.board,
        closed_on=datetime.date(2024, 8, 1),
    )
    intervention = InterventionFactory(plan=plan, code="B-01")
    with pytest.raises(ValidationError) as refused:
        services.save_intervention(
            intervention=intervention, budgets={}, schools=[closed],
            school_boards=[], user=world.middelburg.policy_officer,
        )  # fmt: skip
    assert "gesloten op 01-08-2024" in refused.value.messages[0]
    assert not intervention.schools.exists()


def test_plan_page_warm_asks_at_most_this_many_queries(
    client, world, plan, django_assert_max_num_queries
):
    """Issue 32: the page lists no schools per intervention (the printed plan does), and asks
    for the grant's members once. Warm: the golden thread's and the needs' summaries cached."""
    client.force_login(world.middelburg.policy_officer)
    url = reverse("plans:detail", kwargs={"pk": plan.pk})
    fill_plan(plan, 5)
    for intervention in plan.interventions.all():
        intervention.schools.add(world.middelburg.school)
    client.get(url)
    # Session, user, plan, the money log's count for the cached figures, consultations,
    # transitions, versions, needs round, merged plans, grant members, needs and money
    # change counts, the user's municipality (menu). Before: 19 (schools and boards of each
    # intervention, the grant's members twice), then 16 (goals, budgets, interventions and
    # allocation, now read only when the cached figures are missing).
    with django_assert_max_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["figures"]["intervention_count"] == 5


def _page(client, plan) -> str:
    response = client.get(reverse("plans:detail", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    return response.content.decode().replace("\xa0", " ")


def test_plan_page_figures_come_from_the_cache_and_every_edit_shows_at_once(client, world, plan):
    """Issue 32: the cards, budget table and interventions are rendered once per change of
    the money log's count for the plan's municipality (`figures_version`); each write below
    changes what they show, and the next view shows it."""
    intervention = InterventionFactory(
        plan=plan, code="B-01", title="Zomerschool Walcheren", budgets={2022: "1000.00"}
    )
    client.force_login(world.middelburg.policy_officer)
    assert "Zomerschool Walcheren" in _page(client, plan)
    with CaptureQueriesContext(connection) as warm:
        body = _page(client, plan)
    assert "Zomerschool Walcheren" in body and "€ 1.000,00" in body
    read = " ".join(query["sql"] for query in warm.captured_queries)
    assert "plans_interventionbudget" not in read and "plans_allocation" not in read

    # An intervention edited through its form: title and budget.
    url = reverse("plans:intervention-edit", kwargs={"pk": intervention.pk})
    loaded = client.get(url)
    response = client.post(
        url,
        intervention_data(
            title="Zomerschool Vlissingen",
            budget_2022="2.345,67",
            budget_2023="",
            version=loaded_version(loaded),
        ),
    )
    assert response.status_code == 302
    body = _page(client, plan)
    assert "Zomerschool Vlissingen" in body and "Zomerschool Walcheren" not in body
    assert "€ 2.345,67" in body

    # A budget written without the form, the allocation, and a menu item of the menukaart.
    intervention.budgets.filter(year=2022).update(amount=Decimal("3456.78"))
    assert "€ 3.456,78" in _page(client, plan)
    Allocation.objects.create(
        programme=programme(), municipality=plan.municipality, amount=Decimal("9876.54")
    )
    assert "€ 9.876,54" in _page(client, plan)
    item = MenuItem.objects.order_by("pk").first()
    Intervention.objects.filter(pk=intervention.pk).update(menu_item=item)
    assert item.name in _page(client, plan)
    MenuItem.objects.filter(pk=item.pk).update(name="Extra leertijd op zaterdag")
    assert "Extra leertijd op zaterdag" in _page(client, plan)

    # A new intervention, and a deleted one.
    InterventionFactory(plan=plan, code="B-02", title="Taalklas", budgets={2023: "10.00"})
    body = _page(client, plan)
    assert "Taalklas" in body and "2 interventies" in body
    Intervention.objects.filter(code="B-02").delete()
    assert "Taalklas" not in _page(client, plan)


def test_plan_page_cached_figures_follow_what_the_user_may_do(client, world, plan):
    """The cached interventions table holds the edit links of whoever filled the cache only
    for users who may do the same: the key holds what the user may do to interventions."""
    intervention = InterventionFactory(plan=plan, budgets={2022: "1000.00"})
    edit = reverse("plans:intervention-edit", kwargs={"pk": intervention.pk})
    finance = world.middelburg.finance_officer
    for first, second in (
        (world.middelburg.policy_officer, finance),
        (finance, world.middelburg.policy_officer),
    ):
        cache.clear()
        client.force_login(first)
        first_body = _page(client, plan)
        client.force_login(second)
        second_body = _page(client, plan)
        policy_body, finance_body = (
            (first_body, second_body) if first != finance else (second_body, first_body)
        )
        assert edit in policy_body
        assert edit not in finance_body
        assert intervention.title in finance_body


def test_plan_page_cached_figures_are_those_of_the_plan_and_the_language(client, world, plan):
    """Two municipalities' plans never share a cached fragment; nor do two languages."""
    InterventionFactory(plan=plan, title="Zomerschool Walcheren", budgets={2022: "1000.00"})
    other = PlanFactory(municipality=world.vlissingen.municipality)
    InterventionFactory(plan=other, title="Taalklas Vlissingen", budgets={2022: "20.00"})
    client.force_login(world.middelburg.policy_officer)
    assert "Zomerschool Walcheren" in _page(client, plan)
    client.force_login(world.vlissingen.policy_officer)
    body = _page(client, other)
    assert "Taalklas Vlissingen" in body and "Zomerschool Walcheren" not in body
    assert client.get(reverse("plans:detail", kwargs={"pk": plan.pk})).status_code == 404
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _page(client, other)
    assert "Budgeted in the plan" in english and "Taalklas Vlissingen" in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    assert "Begroot in het plan" in _page(client, other)
