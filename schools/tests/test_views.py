import re

import pytest
from django.urls import reverse

from accounts.factories import UserFactory
from accounts.models import Role
from schools import permissions
from schools.factories import NeedsAnswerFactory, NeedsRoundFactory, SchoolFactory
from schools.models import AnswerStatus, School


@pytest.fixture
def needs_round(world):
    return NeedsRoundFactory(municipality=world.middelburg.municipality, title="Peiling Middelburg")


def test_board_home_shows_open_rounds_and_the_schools_to_fill_in(client, world, needs_round):
    NeedsRoundFactory(municipality=world.vlissingen.municipality, title="Peiling Vlissingen")
    client.force_login(world.middelburg.board_user)
    body = client.get(reverse("home")).content.decode()
    assert "Peiling Middelburg" in body
    assert "1 school moet nog indienen" in body
    body = client.get(reverse("schools:round-list")).content.decode()
    assert "Peiling Middelburg" in body
    assert "Peiling Vlissingen" not in body
    assert reverse("schools:answer-edit", args=[needs_round.pk, world.middelburg.school.pk]) in body


def test_board_sees_only_its_own_schools_in_a_round(client, world, needs_round):
    other = SchoolFactory(municipality=world.middelburg.municipality, name="School van een ander")
    NeedsAnswerFactory(round=needs_round, school=other, submitted=True)
    client.force_login(world.middelburg.board_user)
    body = client.get(reverse("schools:round-detail", args=[needs_round.pk])).content.decode()
    assert world.middelburg.school.name in body
    assert "School van een ander" not in body


def test_board_user_cannot_read_another_boards_answer(client, world, needs_round):
    other = NeedsAnswerFactory(
        round=needs_round, school=SchoolFactory(municipality=world.middelburg.municipality)
    )
    client.force_login(world.middelburg.board_user)
    assert client.get(reverse("schools:answer-detail", args=[other.pk])).status_code == 404


def test_policy_officer_sees_every_school_of_the_municipality_in_a_round(
    client, world, needs_round
):
    other = SchoolFactory(municipality=world.middelburg.municipality, name="School van een ander")
    answer = NeedsAnswerFactory(round=needs_round, school=other, submitted=True)
    client.force_login(world.middelburg.policy_officer)
    body = client.get(reverse("schools:round-detail", args=[needs_round.pk])).content.decode()
    assert world.middelburg.school.name in body
    assert reverse("schools:answer-detail", args=[answer.pk]) in body
    assert client.get(reverse("schools:answer-detail", args=[answer.pk])).status_code == 200


def test_round_list_shows_own_rounds_only(client, world, needs_round):
    NeedsRoundFactory(municipality=world.vlissingen.municipality, title="Peiling Vlissingen")
    client.force_login(world.middelburg.policy_officer)
    body = client.get(reverse("schools:round-list")).content.decode()
    assert "Peiling Middelburg" in body
    assert "Peiling Vlissingen" not in body


def test_non_reporters_page_lists_schools_without_a_submitted_answer(client, world, needs_round):
    done = SchoolFactory(municipality=world.middelburg.municipality, name="Klaar-school")
    SchoolFactory(municipality=world.middelburg.municipality, name="Onbereikbare school")
    NeedsAnswerFactory(round=needs_round, school=done, submitted=True)
    client.force_login(world.middelburg.policy_officer)
    body = client.get(reverse("schools:non-reporters", args=[needs_round.pk])).content.decode()
    assert world.middelburg.school.name in body
    assert "Klaar-school" not in body
    assert "Herinneringen versturen" in body
    assert "nee: het bestuur heeft geen actieve gebruiker met een e-mailadres" in body


def test_school_list_of_the_municipality(client, world):
    SchoolFactory(municipality=world.vlissingen.municipality, name="Andere gemeente-school")
    client.force_login(world.middelburg.policy_officer)
    body = client.get(reverse("schools:school-list")).content.decode()
    assert world.middelburg.school.name in body
    assert "Andere gemeente-school" not in body


def test_school_list_query_count_is_fixed(client, world, django_assert_max_num_queries):
    for _ in range(40):
        SchoolFactory(municipality=world.middelburg.municipality)
    client.force_login(world.middelburg.policy_officer)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("schools:school-list")).status_code == 200


def test_functional_admin_uploads_the_registry(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.functional_admin)
    upload = SimpleUploadedFile(
        "scholen.csv",
        b"brin;vestiging;naam;sector;bevoegd_gezag;bestuur_naam;gemeentecode\n"
        b"40AB;00;Nieuwe school;po;44001;Stichting Nieuw;GM0687\n"
        b"4XAB;00;Kapotte school;po;44001;Stichting Nieuw;GM0687\n",
    )
    response = client.post(reverse("schools:school-import"), {"file": upload})
    assert "Rij 3, kolom brin" in response.content.decode()
    assert not School.objects.filter(brin="40AB").exists()
    upload = SimpleUploadedFile(
        "scholen.csv",
        b"brin;vestiging;naam;sector;bevoegd_gezag;bestuur_naam;gemeentecode\n"
        b"40AB;00;Nieuwe school;po;44001;Stichting Nieuw;GM0687\n",
    )
    response = client.post(reverse("schools:school-import"), {"file": upload}, follow=True)
    assert "Scholen: 1 nieuw, 0 bijgewerkt, 0 gesloten, 0 ongewijzigd." in response.content.decode()
    assert School.objects.get(brin="40AB").municipality == world.middelburg.municipality
    for role in ("policy_officer", "board_user"):
        client.force_login(getattr(world.middelburg, role))
        assert client.get(reverse("schools:school-import")).status_code == 403


def test_registry_upload_refuses_a_damaged_spreadsheet(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.functional_admin)
    upload = SimpleUploadedFile("scholen.csv", b"PK\x03\x04\x00\x00binary xlsx")
    response = client.post(reverse("schools:school-import"), {"file": upload})
    assert "Het bestand is een beschadigd zip-archief" in response.content.decode()


def test_round_detail_query_count_does_not_grow_with_the_schools(
    client, world, needs_round, django_assert_max_num_queries
):
    for index in range(30):
        school = SchoolFactory(municipality=world.middelburg.municipality)
        if index % 2:
            NeedsAnswerFactory(round=needs_round, school=school, submitted=index % 4 == 1)
    client.force_login(world.middelburg.policy_officer)
    url = reverse("schools:round-detail", args=[needs_round.pk])
    # 31 schools: a page of 25 and one of 6, each in the same number of queries.
    bodies = []
    for number in (1, 2):
        with django_assert_max_num_queries(10):
            response = client.get(url, {"pagina": number})
        bodies.append(response.content.decode())
    assert sum(body.count("text-bg-success") for body in bodies) == 8


def test_board_home_query_count_does_not_grow_with_the_municipalities_it_works_in(
    client, world, needs_round
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.factories import MunicipalityFactory

    board = world.middelburg.board
    client.force_login(world.middelburg.board_user)
    with CaptureQueriesContext(connection) as one_round:
        client.get(reverse("home"))
    NeedsAnswerFactory(round=needs_round, school=world.middelburg.school, submitted=True)
    for number in range(4):
        municipality = MunicipalityFactory(
            code=f"GM99{number + 10}", name=f"Proefgemeente {number}"
        )
        NeedsRoundFactory(municipality=municipality, title=f"Peiling {number}")
        SchoolFactory(municipality=municipality, board=board, name=f"Proefschool {number}")

    with CaptureQueriesContext(connection) as five_rounds:
        body = client.get(reverse("home")).content.decode()

    assert len(five_rounds) == len(one_round)
    assert all(f"Peiling {number}" in body for number in range(4))
    assert body.count("1 school moet nog indienen") == 4


@pytest.fixture
def monitor_user(db):
    return UserFactory(username="programmabureau", role=Role.MONITOR, municipality=None)


@pytest.mark.parametrize("name", ["schools:round-list", "schools:school-list"])
def test_the_programme_monitor_is_refused_the_municipal_lists(client, world, monitor_user, name):
    client.force_login(monitor_user)
    assert client.get(reverse(name)).status_code == 403


def test_a_policy_officer_still_gets_the_rounds_and_schools_of_the_municipality(
    client, world, needs_round
):
    client.force_login(world.middelburg.policy_officer)
    rounds = client.get(reverse("schools:round-list"))
    assert rounds.status_code == 200
    assert [r.title for r in rounds.context["rounds"]] == ["Peiling Middelburg"]
    schools = client.get(reverse("schools:school-list"))
    assert schools.status_code == 200
    assert [s.name for s in schools.context["object_list"]] == [world.middelburg.school.name]


def test_every_organisation_role_may_list_and_the_monitor_and_auditor_may_not(world, monitor_user):
    auditor = UserFactory(
        username="mdb-accountant", role=Role.AUDITOR, municipality=world.middelburg.municipality
    )
    for user in (
        world.middelburg.policy_officer,
        world.middelburg.finance_officer,
        world.middelburg.board_user,
        world.functional_admin,
    ):
        assert permissions.can_list_rounds(user) and permissions.can_list_schools(user)
    for user in (monitor_user, auditor):
        assert not permissions.can_list_rounds(user)
        assert not permissions.can_list_schools(user)


def test_round_detail_pages_the_schools_and_counts_them_all(client, world, needs_round):
    """The officers' round detail shows 25 schools a page, the counts per response over all
    schools on top, and a filter on the response that keeps every school that has not
    reported findable."""
    municipality = world.middelburg.municipality
    for index in range(40):
        school = SchoolFactory(municipality=municipality, name=f"School {index:02d}")
        if index < 12:
            NeedsAnswerFactory(round=needs_round, school=school, submitted=index < 5)
    client.force_login(world.middelburg.policy_officer)
    url = reverse("schools:round-detail", args=[needs_round.pk])
    body = client.get(url).content.decode()
    assert body.count("<tr>") - 1 == 25  # the header row and 25 schools
    assert "Scholen 1 tot en met 25 van 41." in body
    assert "Pagina 1 van 2" in body
    assert 'href="?pagina=2#respons"' in body
    # The counts cover every school, not the page.
    assert re.search(r"Ingediend <span[^>]*>5</span>", body)
    assert re.search(r"Concept <span[^>]*>7</span>", body)
    assert re.search(r"Niet begonnen <span[^>]*>29</span>", body)
    assert re.search(r"Niet gerapporteerd <span[^>]*>36</span>", body)

    unreported = client.get(url, {"status": "niet-gerapporteerd"}).content.decode()
    assert "Scholen 1 tot en met 25 van 36." in unreported
    assert 'href="?status=niet-gerapporteerd&amp;pagina=2#respons"' in unreported
    second = client.get(url, {"status": "niet-gerapporteerd", "pagina": 2}).content.decode()
    names = set(re.findall(r"School \d\d", unreported + second))
    assert names == {f"School {index:02d}" for index in range(5, 40)}
    assert "text-bg-success" not in unreported + second

    submitted = client.get(url, {"status": "ingediend"}).content.decode()
    assert submitted.count("text-bg-success") == 5
    assert "Pagina 1 van" not in submitted
    # An unknown filter shows every school.
    assert "van 41." in client.get(url, {"status": "onzin"}).content.decode()


def test_round_detail_cached_responses_follow_every_answer_at_once(client, world, needs_round):
    """The officers' responses per school are cached under the needs change count: a warm
    view reads no school, and an answer saved or submitted shows on the next view, for the
    officer and for the functional administrator (who sees them under a scope of their own)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("schools:round-detail", args=[needs_round.pk])
    second = SchoolFactory(municipality=world.middelburg.municipality, name="De Linde")

    def counts(user) -> tuple[str, str]:
        client.force_login(user)
        body = client.get(url).content.decode()
        submitted = re.search(r"Ingediend <span[^>]*>(\d+)</span>", body).group(1)
        draft = re.search(r"Concept <span[^>]*>(\d+)</span>", body).group(1)
        return submitted, draft

    officer, admin = world.middelburg.policy_officer, world.functional_admin
    assert counts(officer) == counts(admin) == ("0", "0")
    client.force_login(officer)
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    assert not [q for q in warm.captured_queries if '"schools_school"' in q["sql"]]

    answer = NeedsAnswerFactory(round=needs_round, school=second)
    assert counts(officer) == counts(admin) == ("0", "1")
    answer.status = AnswerStatus.SUBMITTED
    answer.save()
    assert counts(officer) == counts(admin) == ("1", "0")
    client.force_login(officer)
    assert 'href="/scholen/antwoorden/' in client.get(url, {"status": "ingediend"}).content.decode()
