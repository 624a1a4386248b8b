import datetime
import re
from decimal import Decimal

from django.urls import reverse

from api.tests.conftest import make_token
from finance.models import Expenditure
from plans.factories import PlanFactory
from settlement import services
from settlement.closed import is_closed
from settlement.models import Closure, Settlement
from settlement.tests.conftest import decision, letter


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_finance_officer_records_the_decision_and_the_repayment_in_the_pages(
    client, world, middelburg_books
):
    code = middelburg_books.code
    client.force_login(world.middelburg.finance_officer)
    page = text(client.get(reverse("settlement:detail", args=[code])))
    assert "Eindpositie" in page and "€ 92.500,00" in page and "€ 7.500,00" in page
    form = dict(decision())
    for name in ("allocation", "received", "amount_set", "amount_to_repay"):
        form[name] = f"{form[name]:.2f}".replace(".", ",")
    for name in ("decided_on", "sent_on"):
        form[name] = form[name].strftime("%d-%m-%Y")
    without_reason = client.post(
        reverse("settlement:record", args=[code]), {**form, "explanation": "", "letter": letter()}
    )
    assert "licht elk verschil toe" in text(without_reason)
    response = client.post(reverse("settlement:record", args=[code]), {**form, "letter": letter()})
    assert response.status_code == 302
    page = text(client.get(reverse("settlement:detail", args=[code])))
    assert "15-12-2026" in page  # objection deadline
    assert "€ -10,00" in page and "bankkosten" in page
    download = client.get(reverse("settlement:letter", args=[code]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    response = client.post(
        reverse("settlement:repayment", args=[code]),
        {"date": "27-11-2026", "amount": "7.510,00", "reference": "Terugbetaling"},
    )
    assert response.status_code == 302
    assert "€ 7.510,00 betaald op 27-11-2026" in text(
        client.get(reverse("settlement:detail", args=[code]))
    )


def test_the_letter_is_refused_to_whoever_may_not_read_the_settlement(
    client, world, middelburg_books
):
    services.record_settlement(
        municipality=middelburg_books,
        user=world.middelburg.finance_officer,
        letter=letter(),
        **decision(),
    )
    url = reverse("settlement:letter", args=[middelburg_books.code])
    for user, statuses in (
        (world.middelburg.board_user, {403}),
        (world.vlissingen.finance_officer, {404}),
        (world.middelburg.policy_officer, {200}),
        (world.functional_admin, {200}),
    ):
        client.force_login(user)
        assert client.get(url).status_code in statuses, user


def close(world, municipality):
    settlement = services.record_settlement(
        municipality=municipality,
        user=world.middelburg.finance_officer,
        letter=letter(),
        **decision(),
    )
    services.record_repayment(
        settlement=settlement,
        user=world.middelburg.finance_officer,
        date=datetime.date(2026, 11, 27),
        amount=Decimal("7510.00"),
    )
    return services.close_programme(municipality=municipality, user=world.functional_admin)


def test_closing_takes_the_forms_away_and_reopening_gives_them_back(
    client, world, middelburg_books
):
    """The control of the read-only walk (tests/test_closed_programme.py): the same pages
    offer their forms while the programme is open."""
    code = middelburg_books.code
    plan = PlanFactory(municipality=middelburg_books)
    finance, policy = world.middelburg.finance_officer, world.middelburg.policy_officer
    pages = [
        (finance, reverse("finance:expenditure-create", args=[code])),
        (finance, reverse("finance:payment-create", args=[code])),
        (policy, reverse("plans:edit", args=[plan.pk])),
    ]
    for user, url in pages:
        client.force_login(user)
        assert 'method="post"' in client.get(url).content.decode(), url
    close(world, middelburg_books)
    for user, url in pages:
        client.force_login(user)
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"description": "x"}).status_code == 403, url
    client.force_login(finance)
    notice = text(client.get(reverse("finance:dashboard", args=[code])))
    assert "Het programma van Middelburg (Z.) is afgesloten." in notice
    # The API's writes too.
    token = make_token(world.middelburg, name="Afgesloten")
    before = Expenditure.objects.count()
    response = client.post(
        reverse("api-v1:expenditure-list"),
        {
            "datum": "2024-04-01",
            "bedrag": "10.00",
            "bestedingsdoel": "bovenschools",
            "omschrijving": "Na afsluiten",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token.secret}",
    )
    assert response.status_code == 403
    assert Expenditure.objects.count() == before

    client.force_login(world.functional_admin)
    response = client.post(reverse("settlement:reopen", args=[code]), {"reason": "Bezwaar gegrond"})
    assert response.status_code == 302
    assert not is_closed(middelburg_books)
    assert "Bezwaar gegrond" in text(client.get(reverse("settlement:detail", args=[code])))
    client.force_login(finance)
    assert client.get(pages[0][1]).status_code == 200


def test_only_the_administrator_closes_and_only_when_settled_and_paid(
    client, world, middelburg_books
):
    code = middelburg_books.code
    client.force_login(world.functional_admin)
    refused = text(client.post(reverse("settlement:close", args=[code])))
    assert "Leg eerst de vaststellingsbeschikking vast" in refused
    assert not Closure.objects.exists()
    for user in (world.middelburg.finance_officer, world.middelburg.policy_officer):
        client.force_login(user)
        assert client.post(reverse("settlement:close", args=[code])).status_code == 403
    assert not Settlement.objects.exists()


def test_the_api_gives_the_final_position_and_the_decision_read_only(
    client, world, middelburg_books
):
    close(world, middelburg_books)
    token = make_token(world.middelburg, name="Lezen")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token.secret}"}
    position = client.get(reverse("api-v1:final-position"), **headers).json()
    assert (position["verwachte_vaststelling"], position["verwachte_terugvordering"]) == (
        "92500.00",
        "7500.00",
    )
    decided = client.get(reverse("api-v1:settlement"), **headers).json()
    assert (decided["vastgesteld"], decided["verwacht_vastgesteld"]) == ("92490.00", "92500.00")
    assert decided["terugbetaling_bedrag"] == "7510.00"
    assert decided["bezwaartermijn_tot_en_met"] == "2026-12-15"
    for method in ("post", "put", "delete"):
        response = getattr(client, method)(reverse("api-v1:settlement"), **headers)
        assert response.status_code in (403, 405), method
