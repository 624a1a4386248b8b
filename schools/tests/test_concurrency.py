"""No lost updates on a board's answer."""

import pytest
from django.test import Client

from schools.factories import NeedsAnswerFactory, NeedsRoundFactory
from schools.models import NeedsAnswer
from schools.tests.test_workflow import answer_post, edit_url
from tests.versions import STALE_FORM, loaded_version


def test_saving_an_answer_over_a_newer_version_is_refused(world):
    needs_round = NeedsRoundFactory(municipality=world.middelburg.municipality)
    url = edit_url(needs_round, world.middelburg.school)
    a, b = Client(), Client()
    a.force_login(world.middelburg.board_user)
    b.force_login(world.middelburg.board_user)
    version_a, version_b = loaded_version(a.get(url)), loaded_version(b.get(url))
    assert version_a == version_b == "0"
    assert b.post(url, answer_post(free_text="Van B", version=version_b)).status_code == 302
    refused = a.post(url, answer_post(free_text="Van A", version=version_a))
    page = refused.content.decode()
    assert "Iemand anders heeft dit intussen opgeslagen" in page
    assert "nu “Van B”, van u “Van A”" in page
    assert NeedsAnswer.objects.get().free_text == "Van B"


@pytest.mark.parametrize("version", [None, "abc"])
def test_an_answer_edit_without_a_valid_version_is_refused_and_nothing_is_saved(
    client, world, version
):
    needs_round = NeedsRoundFactory(municipality=world.middelburg.municipality)
    answer = NeedsAnswerFactory(
        round=needs_round, school=world.middelburg.school, free_text="Eerder opgeslagen"
    )
    client.force_login(world.middelburg.board_user)
    data = answer_post(free_text="Zonder versie")
    if version is not None:
        data["version"] = version
    refused = client.post(edit_url(needs_round, world.middelburg.school), data)
    assert refused.status_code == 200
    assert STALE_FORM in refused.content.decode()
    saved = NeedsAnswer.objects.get()
    assert (saved.free_text, saved.version) == ("Eerder opgeslagen", answer.version)
    assert not saved.needs.exists()


def test_a_first_answer_needs_no_version(client, world):
    needs_round = NeedsRoundFactory(municipality=world.middelburg.municipality)
    client.force_login(world.middelburg.board_user)
    data = answer_post(free_text="Eerste keer")
    assert "version" not in data
    assert client.post(edit_url(needs_round, world.middelburg.school), data).status_code == 302
    assert NeedsAnswer.objects.get().free_text == "Eerste keer"
