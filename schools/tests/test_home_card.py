"""The home page's needs card reads its rounds and counts from the cache while the needs log
of the user's municipality (and those merged into it) stands still."""

from django.urls import reverse

from schools.factories import NeedsRoundFactory
from schools.models import NeedsRound, RoundStatus


def home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_the_cached_rounds_follow_each_round_opened_renamed_and_closed_at_once(client, world):
    officer = world.middelburg.policy_officer
    assert "Peiling voorjaar" not in home(client, officer)
    needs_round = NeedsRoundFactory(
        municipality=world.middelburg.municipality, title="Peiling voorjaar"
    )
    assert "Peiling voorjaar" in home(client, officer)
    assert "Peiling voorjaar" in home(client, officer)  # from the cache
    NeedsRound.objects.filter(pk=needs_round.pk).update(title="Peiling najaar")
    page = home(client, officer)
    assert "Peiling najaar" in page and "Peiling voorjaar" not in page
    NeedsRound.objects.filter(pk=needs_round.pk).update(status=RoundStatus.CLOSED)
    assert "Peiling najaar" not in home(client, officer)


def test_the_cached_rounds_are_the_municipalitys_own(client, world):
    NeedsRoundFactory(municipality=world.middelburg.municipality, title="Peiling Middelburg")
    NeedsRoundFactory(municipality=world.vlissingen.municipality, title="Peiling Vlissingen")
    middelburg = home(client, world.middelburg.policy_officer)
    vlissingen = home(client, world.vlissingen.policy_officer)
    assert "Peiling Middelburg" in middelburg and "Peiling Vlissingen" not in middelburg
    assert "Peiling Vlissingen" in vlissingen and "Peiling Middelburg" not in vlissingen
