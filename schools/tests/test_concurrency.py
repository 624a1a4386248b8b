"""No lost updates on a board's answer."""

from django.test import Client

from schools.factories import NeedsRoundFactory
from schools.models import NeedsAnswer
from schools.tests.test_workflow import answer_post, edit_url
from tests.versions import loaded_version


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
