import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from accounts.factories import UserFactory
from accounts.models import Municipality, MunicipalityQuerySet, Role, SchoolBoard, User
from schools.factories import SchoolFactory


def codes(queryset):
    return set(queryset.values_list("code", flat=True))


def test_policy_officer_sees_only_own_municipality(world):
    assert codes(Municipality.objects.for_user(world.middelburg.policy_officer)) == {"GM0687"}
    assert codes(Municipality.objects.for_user(world.vlissingen.finance_officer)) == {"GM0718"}


def test_school_board_user_sees_own_board_and_the_municipalities_of_its_schools(world):
    user = world.middelburg.board_user
    assert list(SchoolBoard.objects.for_user(user)) == [world.middelburg.board]
    assert list(Municipality.objects.for_user(user)) == [world.middelburg.municipality]


def test_board_with_several_schools_sees_each_municipality_once(world):
    board = world.middelburg.board
    SchoolFactory(municipality=world.middelburg.municipality, board=board)
    SchoolFactory(municipality=world.vlissingen.municipality, board=board)
    SchoolFactory(municipality=world.vlissingen.municipality, board=board)
    visible = list(Municipality.objects.for_user(world.middelburg.board_user))
    assert visible == [world.middelburg.municipality, world.vlissingen.municipality]


def test_board_without_schools_sees_no_municipality(world):
    user = UserFactory(username="leeg-bestuur", board_user=True)
    assert not Municipality.objects.for_user(user).exists()


def test_municipal_users_see_no_school_boards_directly(world):
    assert not SchoolBoard.objects.for_user(world.middelburg.policy_officer).exists()


def test_functional_admin_sees_every_municipality(world):
    assert (
        Municipality.objects.for_user(world.functional_admin).count()
        == Municipality.objects.count()
    )


def test_anonymous_sees_nothing(world):
    assert not Municipality.objects.for_user(AnonymousUser()).exists()
    assert not User.objects.for_user(AnonymousUser()).exists()


def test_inactive_user_sees_nothing(world):
    user = world.middelburg.policy_officer
    user.is_active = False
    assert not Municipality.objects.for_user(user).exists()


def test_users_are_scoped_to_their_organisation(world):
    usernames = set(
        User.objects.for_user(world.middelburg.policy_officer).values_list("username", flat=True)
    )
    assert usernames == {"mdb-beleid", "mdb-financien"}
    usernames = set(
        User.objects.for_user(world.vlissingen.board_user).values_list("username", flat=True)
    )
    assert usernames == {"vls-bestuur"}


@pytest.mark.parametrize(
    "fields",
    [
        {"role": Role.POLICY_OFFICER, "municipality": None},
        {"role": Role.FINANCE_OFFICER, "municipality": None},
        {"role": Role.SCHOOL_BOARD, "municipality": None, "school_board": None},
        {"role": Role.FUNCTIONAL_ADMIN},
        {"role": Role.POLICY_OFFICER, "is_staff": True},
    ],
    ids=[
        "policy-without-municipality",
        "finance-without-municipality",
        "board-user-without-board",
        "admin-with-municipality",
        "policy-officer-as-staff",
    ],
)
def test_role_and_organisation_must_match(db, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(**fields)


def test_superuser_from_command_line_is_functional_admin(db):
    user = User.objects.create_superuser("root", "root@example.org", "een-lang-wachtwoord")
    assert user.is_functional_admin
    assert user.organisation is None


def test_inactive_board_user_sees_no_municipality(world):
    user = world.middelburg.board_user
    user.is_active = False
    assert not Municipality.objects.for_user(user).exists()


def test_a_board_condition_of_none_shows_a_board_user_nothing(world):
    class MunicipalOnly(MunicipalityQuerySet):
        def school_board_condition(self, board_id):
            return None

    queryset = MunicipalOnly(model=Municipality)
    assert not queryset.for_user(world.middelburg.board_user).exists()
    assert queryset.for_user(world.middelburg.policy_officer).exists()


def test_a_successor_sees_the_municipalities_merged_into_it_and_not_the_reverse(world):
    weesp, amsterdam = (
        Municipality.objects.get(code="GM0457"),
        Municipality.objects.get(code="GM0363"),
    )
    assert weesp.successor == amsterdam  # the loaded register: Weesp ended 23-03-2022
    amsterdammer = UserFactory(municipality=amsterdam)
    assert set(Municipality.objects.for_user(amsterdammer)) == {amsterdam, weesp}
    assert weesp.is_held_by(amsterdam.pk) and not amsterdam.is_held_by(weesp.pk)
    voorne = Municipality.objects.get(code="GM1992")
    assert {m.code for m in Municipality.objects.for_user(UserFactory(municipality=voorne))} == {
        "GM1992",
        "GM0501",
        "GM0530",
        "GM0614",
    }
    # A user still registered at a predecessor sees only the predecessor.
    assert list(Municipality.objects.for_user(UserFactory(municipality=weesp))) == [weesp]
