"""The believable world every test starts from: two municipalities with all their roles."""

from dataclasses import dataclass

from accounts.factories import MunicipalityFactory, SchoolBoardFactory, UserFactory
from accounts.models import Municipality, SchoolBoard, User
from schools.factories import SchoolFactory
from schools.models import School


@dataclass
class Organisation:
    """One municipality with a school board that has a school in it, and a user in every role."""

    municipality: Municipality
    board: SchoolBoard
    school: School
    policy_officer: User
    finance_officer: User
    board_user: User


@dataclass
class World:
    middelburg: Organisation
    vlissingen: Organisation
    functional_admin: User


def build_organisation(
    code: str, name: str, board_number: str, brin: str, prefix: str
) -> Organisation:
    municipality = MunicipalityFactory(code=code, name=name)
    board = SchoolBoardFactory(number=board_number, name=f"Stichting Onderwijs {name}")
    return Organisation(
        municipality=municipality,
        board=board,
        school=SchoolFactory(
            brin=brin, name=f"Basisschool {name}", municipality=municipality, board=board
        ),
        policy_officer=UserFactory(username=f"{prefix}-beleid", municipality=municipality),
        finance_officer=UserFactory(
            username=f"{prefix}-financien", municipality=municipality, finance=True
        ),
        board_user=UserFactory(username=f"{prefix}-bestuur", board_user=True, school_board=board),
    )


def build_world() -> World:
    return World(
        middelburg=build_organisation("GM0687", "Middelburg (Z.)", "41001", "11MB", "mdb"),
        vlissingen=build_organisation("GM0718", "Vlissingen", "41002", "22VL", "vls"),
        functional_admin=UserFactory(username="beheer", functional_admin=True),
    )
