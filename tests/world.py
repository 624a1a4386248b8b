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


ORGANISATIONS = {
    "middelburg": ("GM0687", "Middelburg (Z.)", "41001", "11MB", "mdb"),
    "vlissingen": ("GM0718", "Vlissingen", "41002", "22VL", "vls"),
}


def build_world() -> World:
    """The factories' objects, as each factory's get-or-create would give them, written with
    one statement per table: the world is built for about 1,200 tests, and 13 get-or-creates
    of four statements each were a quarter of a second a test on a busy host."""
    municipalities = {
        code: MunicipalityFactory.build(code=code, name=name)
        for code, name, *_ in ORGANISATIONS.values()
    }
    municipalities = _get_or_create(Municipality, "code", municipalities)
    boards = {
        number: SchoolBoardFactory.build(number=number, name=f"Stichting Onderwijs {name}")
        for _, name, number, *_ in ORGANISATIONS.values()
    }
    boards = _get_or_create(SchoolBoard, "number", boards)
    schools = {
        brin: SchoolFactory.build(
            brin=brin,
            name=f"Basisschool {name}",
            municipality=municipalities[code],
            board=boards[number],
        )
        for code, name, number, brin, _ in ORGANISATIONS.values()
    }
    schools = _get_or_create(School, "brin", schools, vestiging="00")
    users = {}
    for code, _, board_number, _, prefix in ORGANISATIONS.values():
        municipality = municipalities[code]
        for username, traits in (
            (f"{prefix}-beleid", {"municipality": municipality}),
            (f"{prefix}-financien", {"municipality": municipality, "finance": True}),
            (f"{prefix}-bestuur", {"board_user": True, "school_board": boards[board_number]}),
        ):
            users[username] = UserFactory.build(username=username, **traits)
    users["beheer"] = UserFactory.build(username="beheer", functional_admin=True)
    users = _get_or_create(User, "username", users)

    def organisation(code, _, board_number, brin, prefix) -> Organisation:
        return Organisation(
            municipality=municipalities[code],
            board=boards[board_number],
            school=schools[brin],
            policy_officer=users[f"{prefix}-beleid"],
            finance_officer=users[f"{prefix}-financien"],
            board_user=users[f"{prefix}-bestuur"],
        )

    return World(
        middelburg=organisation(*ORGANISATIONS["middelburg"]),
        vlissingen=organisation(*ORGANISATIONS["vlissingen"]),
        functional_admin=users["beheer"],
    )


def _get_or_create(model, key: str, built: dict, **lookup) -> dict:
    """`built` (unsaved, by their `key`) as saved rows: those already there as they are (what
    the factory's get-or-create returns), the others inserted together, in `built`'s order."""
    found = {
        getattr(row, key): row
        for row in model.objects.filter(**{f"{key}__in": list(built)}, **lookup)
    }
    model.objects.bulk_create([row for value, row in built.items() if value not in found])
    return {value: found.get(value, row) for value, row in built.items()}
