"""Business rules that change schools, rounds, answers and reminders."""

from __future__ import annotations

import copy
import datetime
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import Municipality, SchoolBoard, User
from npo_portal.audit import Conflict, EditConflict, conflicts_between
from npo_portal.queueing import send_after_commit
from plans.models import MenuItem, SpendingGoal
from schools import csv_import, permissions, selectors
from schools.models import (
    AnswerEvent,
    AnswerEventKind,
    AnswerStatus,
    DelayAssessment,
    Domain,
    NeedRequest,
    NeedsAnswer,
    NeedsRound,
    QuestionAnswer,
    Reminder,
    RoundQuestion,
    RoundStatus,
    School,
    Sector,
    Severity,
)

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------
# The school registry

SCHOOL_COLUMNS = (
    "brin",
    "vestiging",
    "naam",
    "sector",
    "bevoegd_gezag",
    "bestuur_naam",
    "gemeentecode",
)


@dataclass
class SchoolImportResult:
    errors: list[str] = field(default_factory=list)
    schools_created: int = 0
    schools_updated: int = 0
    schools_unchanged: int = 0
    schools_closed: int = 0
    boards_created: int = 0
    boards_updated: int = 0
    boards_unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return _(
            "Schools: %(sc)d created, %(su)d updated, %(scl)d closed, %(sn)d unchanged. "
            "Boards: %(bc)d created, %(bu)d updated, %(bn)d unchanged."
        ) % {
            "scl": self.schools_closed,
            "sc": self.schools_created,
            "su": self.schools_updated,
            "sn": self.schools_unchanged,
            "bc": self.boards_created,
            "bu": self.boards_updated,
            "bn": self.boards_unchanged,
        }


@dataclass(frozen=True)
class _SchoolRow:
    number: int
    brin: str
    vestiging: str
    name: str
    sector: str
    board_number: str
    board_name: str | None  # DUO location files name no boards
    municipality_code: str


RowErrors = list[tuple[int, str]]


def _named_row_error(number: int, column: str, problem: str) -> tuple[int, str]:
    return _row_error(number, column, problem)


def _row_error(number: int, column: str, problem: str) -> tuple[int, str]:
    return number, _("Row %(row)d, column %(column)s: %(problem)s") % {
        "row": number,
        "column": column,
        "problem": problem,
    }


def _parse_school_row(
    row: csv_import.Row, errors: RowErrors, *, names: dict[str, str] | None = None
) -> _SchoolRow | None:
    """The row in the portal's own columns; `names` gives the file's column names in
    messages, and a row whose `bestuur_naam` is None carries no board name."""
    values, number = row.values, row.number
    found = len(errors)
    names = names or {}

    def _row_error(number: int, column: str, problem: str) -> tuple[int, str]:
        return _named_row_error(number, names.get(column, column), problem)

    brin = values["brin"].upper()
    if not re.fullmatch(r"\d{2}[0-9A-Z]{2}", brin):
        errors.append(
            _row_error(
                number,
                "brin",
                _("“%(value)s” is not a BRIN number (four characters, e.g. 12AB).")
                % {"value": values["brin"]},
            )
        )
    vestiging = values["vestiging"]
    if re.fullmatch(r"\d{1,2}", vestiging):
        vestiging = vestiging.zfill(2)
    else:
        errors.append(
            _row_error(
                number,
                "vestiging",
                _("“%(value)s” is not a location number (two digits, e.g. 00).")
                % {"value": vestiging},
            )
        )
    if not values["naam"]:
        errors.append(_row_error(number, "naam", _("the school's name is missing.")))
    sector = values["sector"].lower()
    if sector not in Sector.values:
        errors.append(
            _row_error(
                number,
                "sector",
                _("unknown sector “%(value)s”; use po, so or vo.") % {"value": values["sector"]},
            )
        )
    board_number = values["bevoegd_gezag"]
    if re.fullmatch(r"\d{1,5}", board_number):
        board_number = board_number.zfill(5)
    else:
        errors.append(
            _row_error(
                number,
                "bevoegd_gezag",
                _("“%(value)s” is not a bevoegd-gezagnummer (five digits).")
                % {"value": board_number},
            )
        )
    if values["bestuur_naam"] == "":
        errors.append(_row_error(number, "bestuur_naam", _("the board's name is missing.")))
    code = values["gemeentecode"].upper()
    digits = code.removeprefix("GM")
    if re.fullmatch(r"\d{1,4}", digits):
        code = f"GM{digits.zfill(4)}"
    else:
        errors.append(
            _row_error(
                number,
                "gemeentecode",
                _("“%(value)s” is not a municipality code (GM0687 or 0687).")
                % {"value": values["gemeentecode"]},
            )
        )
    if len(errors) > found:
        return None
    return _SchoolRow(
        number=number,
        brin=brin,
        vestiging=vestiging,
        name=values["naam"],
        sector=sector,
        board_number=board_number,
        board_name=values["bestuur_naam"],
        municipality_code=code,
    )


def _check_consistency(
    rows: Sequence[_SchoolRow],
    municipalities: dict[str, Municipality],
    errors: RowErrors,
    *,
    names: dict[str, str] | None = None,
) -> None:
    names = names or {}

    def _row_error(number: int, column: str, problem: str) -> tuple[int, str]:
        return _named_row_error(number, names.get(column, column), problem)

    seen_schools: dict[tuple[str, str], int] = {}
    board_names: dict[str, tuple[str, int]] = {}
    for row in rows:
        if row.municipality_code not in municipalities:
            errors.append(
                _row_error(
                    row.number,
                    "gemeentecode",
                    _("no municipality has the code %(code)s.") % {"code": row.municipality_code},
                )
            )
        key = (row.brin, row.vestiging)
        if key in seen_schools:
            errors.append(
                _row_error(
                    row.number,
                    "brin",
                    _("school %(code)s also appears in row %(other)d.")
                    % {"code": f"{row.brin}{row.vestiging}", "other": seen_schools[key]},
                )
            )
        else:
            seen_schools[key] = row.number
        if row.board_name is None:
            continue
        name, first_row = board_names.setdefault(row.board_number, (row.board_name, row.number))
        if name != row.board_name:
            errors.append(
                _row_error(
                    row.number,
                    "bestuur_naam",
                    _("board %(number)s is called “%(name)s” in row %(other)d.")
                    % {"number": row.board_number, "name": name, "other": first_row},
                )
            )


# DUO's open-data files: the portal's column for each of DUO's, old names and new.
DUO_COLUMNS = {
    "brin": ("instellingscode", "brin nummer"),
    "vestiging": ("vestigingscode", "vestigingsnummer"),
    "naam": ("vestigingsnaam",),
    "bevoegd_gezag": ("bevoegd gezag nummer",),
    "gemeentecode": ("gemeentenummer",),
}
DUO_BOARD_NAME_COLUMNS = ("bevoegd gezag naam", "bevoegd gezagnaam", "naam", "bestuursnaam")
SO_KINDS = {"SBAO": Sector.PO, "SO": Sector.SO, "VSO": Sector.SO, "(V)SO": Sector.SO}


def _duo_kind(header: Sequence[str]) -> str | None:
    """bo, so or vo for a DUO location file, "besturen" for a board file, else None."""
    if "vestigingsnaam" in header and "bevoegd gezag nummer" in header:
        if "soort primair onderwijs" in header:
            return "so"
        if "onderwijsstructuur" in header:
            return "vo"
        return "bo"
    if "bevoegd gezag nummer" in header and any(n in header for n in DUO_BOARD_NAME_COLUMNS):
        return "besturen"
    return None


def _duo_column(header: Sequence[str], portal_name: str) -> str | None:
    return next((name for name in DUO_COLUMNS[portal_name] if name in header), None)


def _duo_location_rows(
    table: csv_import.Table, kind: str, errors: RowErrors
) -> tuple[list[_SchoolRow], dict[str, str]]:
    """The rows of a DUO location file in the portal's terms, and DUO's column names."""
    header = table.header
    columns = {name: _duo_column(header, name) for name in DUO_COLUMNS}
    missing = [
        DUO_COLUMNS[name][0].upper()
        for name, column in columns.items()
        if column is None and name != "brin"
    ]
    if missing:
        raise csv_import.UnreadableFile(
            _("The header lacks the column(s) %(missing)s; expected %(expected)s.")
            % {"missing": ", ".join(missing), "expected": "DUO"}
        )
    names = {name: column.upper() for name, column in columns.items() if column}
    names["sector"] = "SOORT PRIMAIR ONDERWIJS"
    names.setdefault("brin", names["vestiging"])
    rows = []
    for raw in table.rows:
        values = raw.values
        code = values[columns["vestiging"]].upper()
        brin = values[columns["brin"]].upper() if columns["brin"] else ""
        vestiging = code
        if len(code) == 6:
            brin, vestiging = brin or code[:4], code[4:]
            if code[:4] != brin:
                errors.append(
                    _named_row_error(
                        raw.number,
                        names["vestiging"],
                        _("“%(value)s” does not start with the instellingscode %(brin)s.")
                        % {"value": code, "brin": brin},
                    )
                )
                continue
        if kind == "so":
            sector = SO_KINDS.get(values.get("soort primair onderwijs", "").upper())
            if sector is None:
                errors.append(
                    _named_row_error(
                        raw.number,
                        names["sector"],
                        _("unknown kind “%(value)s”; DUO uses SBAO, SO, VSO or (V)SO.")
                        % {"value": values.get("soort primair onderwijs", "")},
                    )
                )
                continue
        else:
            sector = Sector.PO if kind == "bo" else Sector.VO
        portal = csv_import.Row(
            number=raw.number,
            values={
                "brin": brin,
                "vestiging": vestiging,
                "naam": values[columns["naam"]],
                "sector": sector,
                "bevoegd_gezag": values[columns["bevoegd_gezag"]],
                "bestuur_naam": None,
                "gemeentecode": values[columns["gemeentecode"]],
            },
        )
        if row := _parse_school_row(portal, errors, names=names):
            rows.append(row)
    return rows, names


def _import_duo_boards(table: csv_import.Table, result: SchoolImportResult) -> None:
    """Name the boards of a DUO board file; all or nothing."""
    name_column = next(n for n in DUO_BOARD_NAME_COLUMNS if n in table.header)
    errors: RowErrors = []
    names: dict[str, str] = {}
    for raw in table.rows:
        number, name = raw.values["bevoegd gezag nummer"], raw.values[name_column]
        if not re.fullmatch(r"\d{1,5}", number):
            errors.append(
                _row_error(
                    raw.number,
                    "BEVOEGD GEZAG NUMMER",
                    _("“%(value)s” is not a bevoegd-gezagnummer (five digits).")
                    % {"value": number},
                )
            )
        elif not name:
            errors.append(
                _row_error(raw.number, name_column.upper(), _("the board's name is missing."))
            )
        else:
            names[number.zfill(5)] = name
    if errors:
        result.errors = [message for _row, message in errors]
        return
    with transaction.atomic():
        existing = SchoolBoard.objects.in_bulk(list(names), field_name="number")
        for number, name in names.items():
            board = existing.get(number)
            if board is None:
                SchoolBoard.objects.create(number=number, name=name)
                result.boards_created += 1
            elif board.name != name:
                board.name = name
                board.save(update_fields=["name"])
                result.boards_updated += 1
            else:
                result.boards_unchanged += 1


def import_schools(*, content: bytes) -> SchoolImportResult:
    """Create or update the boards and school locations in a registry file; all or nothing.

    Takes the portal's own file and DUO's location (bo, so, vo) and board files as
    downloaded. A location that a newer DUO file of the same kind no longer lists is
    closed on the day of the import, never deleted. A bad row stops the whole import, with
    one message per bad row. Importing the same file again changes nothing.
    """
    result = SchoolImportResult()
    errors: RowErrors = []
    try:
        table = csv_import.read_table(content)
        kind = _duo_kind(table.header)
        if kind == "besturen":
            if not table.rows:
                result.errors.append(_("The file has no rows below the header."))
                return result
            _import_duo_boards(table, result)
            return result
        if kind:
            rows, names = _duo_location_rows(table, kind, errors)
        else:
            csv_import.check_columns(table, SCHOOL_COLUMNS)
            names = {}
            rows = [row for raw in table.rows if (row := _parse_school_row(raw, errors))]
    except csv_import.UnreadableFile as exc:
        result.errors.append(str(exc))
        return result
    if not table.rows:
        result.errors.append(_("The file has no rows below the header."))
        return result
    municipalities = _as_of_today(
        Municipality.objects.in_bulk({row.municipality_code for row in rows}, field_name="code")
    )
    _check_consistency(rows, municipalities, errors, names=names)
    if errors:
        result.errors = [message for _row, message in sorted(errors, key=lambda e: e[0])]
        return result
    with transaction.atomic():
        boards = _upsert_boards(rows, result)
        _upsert_schools(rows, boards, municipalities, result, duo_file=kind or "")
    return result


def _upsert_boards(rows: Sequence[_SchoolRow], result: SchoolImportResult) -> dict:
    names = {row.board_number: row.board_name for row in rows}
    existing = SchoolBoard.objects.in_bulk(list(names), field_name="number")
    for number, name in names.items():
        board = existing.get(number)
        if name is None:
            # A DUO location file: the board file names it; until then its number does.
            if board is None:
                existing[number] = SchoolBoard.objects.create(
                    number=number, name=_("Board %(number)s") % {"number": number}
                )
                result.boards_created += 1
            else:
                result.boards_unchanged += 1
        elif board is None:
            existing[number] = SchoolBoard.objects.create(number=number, name=name)
            result.boards_created += 1
        elif board.name != name:
            board.name = name
            board.save(update_fields=["name"])
            result.boards_updated += 1
        else:
            result.boards_unchanged += 1
    return existing


def _as_of_today(municipalities: dict[str, Municipality]) -> dict[str, Municipality]:
    """A location listed under a municipality that has since merged lies in its successor:
    an older DUO file must not move it back into the ceased municipality."""
    today = timezone.localdate()
    current = {}
    for code, municipality in municipalities.items():
        seen = set()
        while (
            municipality.successor_id
            and municipality.valid_until
            and municipality.valid_until < today
            and municipality.pk not in seen
        ):
            seen.add(municipality.pk)
            municipality = municipality.successor
        current[code] = municipality
    return current


def _upsert_schools(
    rows: Sequence[_SchoolRow],
    boards: dict[str, SchoolBoard],
    municipalities: dict[str, Municipality],
    result: SchoolImportResult,
    *,
    duo_file: str = "",
) -> None:
    existing = {
        (school.brin, school.vestiging): school
        for school in School.objects.filter(brin__in={row.brin for row in rows})
    }
    listed = set()
    for row in rows:
        listed.add((row.brin, row.vestiging))
        wanted = {
            "closed_on": None,
            "name": row.name,
            "sector": row.sector,
            "board_id": boards[row.board_number].pk,
            "municipality_id": municipalities[row.municipality_code].pk,
        }
        if duo_file:
            wanted["duo_file"] = duo_file
        school = existing.get((row.brin, row.vestiging))
        if school is None:
            School.objects.create(brin=row.brin, vestiging=row.vestiging, **wanted)
            result.schools_created += 1
            continue
        changed = [name for name, value in wanted.items() if getattr(school, name) != value]
        if changed:
            for name in changed:
                setattr(school, name, wanted[name])
            school.save(update_fields=[name.removesuffix("_id") for name in changed])
            result.schools_updated += 1
        else:
            result.schools_unchanged += 1
    if duo_file:
        missing = [
            school.pk
            for school in School.objects.open().filter(duo_file=duo_file).only("brin", "vestiging")
            if (school.brin, school.vestiging) not in listed
        ]
        result.schools_closed = School.objects.filter(pk__in=missing).update(
            closed_on=timezone.localdate()
        )


# ---------------------------------------------------------------------------------------
# Rounds


def _check_school_year(school_year: str) -> None:
    first, _sep, second = school_year.partition("-")
    if not (first.isdigit() and second.isdigit() and int(second) == int(first) + 1):
        raise ValidationError(
            {"school_year": _("A school year runs over two consecutive years, e.g. 2022-2023.")}
        )


def open_round(
    *,
    municipality: Municipality,
    user: User,
    title: str,
    school_year: str,
    deadline: datetime.date,
    questions: Sequence[str] = (),
) -> NeedsRound:
    """Open a reporting round in which the municipality's schools' boards report."""
    if not permissions.can_manage_rounds(user, municipality):
        raise PermissionDenied
    _check_school_year(school_year)
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot lie in the past.")})
    with transaction.atomic():
        needs_round = NeedsRound.objects.create(
            municipality=municipality,
            title=title,
            school_year=school_year,
            deadline=deadline,
            opened_by=user,
        )
        _set_questions(needs_round, questions)
    return needs_round


def update_round(
    *,
    needs_round: NeedsRound,
    user: User,
    title: str,
    school_year: str,
    deadline: datetime.date,
    questions: Sequence[str] = (),
) -> NeedsRound:
    """Change an open round's title, year, deadline and own questions.

    Questions keep their place: the n-th text replaces the n-th question. A question that
    boards have already answered cannot be dropped.
    """
    if not permissions.can_manage_rounds(user, needs_round.municipality):
        raise PermissionDenied
    if not needs_round.is_open:
        raise ValidationError(_("A closed round can no longer be changed."))
    _check_school_year(school_year)
    with transaction.atomic():
        needs_round.title, needs_round.school_year = title, school_year
        needs_round.deadline = deadline
        needs_round.save(update_fields=["title", "school_year", "deadline"])
        _set_questions(needs_round, questions)
    return needs_round


def _set_questions(needs_round: NeedsRound, texts: Sequence[str]) -> None:
    texts = [text.strip() for text in texts if text.strip()]
    existing = list(needs_round.questions.all())
    for order, text in enumerate(texts):
        if order < len(existing):
            question = existing[order]
            if question.text != text or question.order != order:
                question.text, question.order = text, order
                question.save(update_fields=["text", "order"])
        else:
            RoundQuestion.objects.create(round=needs_round, text=text, order=order)
    surplus = existing[len(texts) :]
    if QuestionAnswer.objects.filter(question__in=surplus).exclude(text="").exists():
        raise ValidationError(
            _("A question that school boards have already answered cannot be removed.")
        )
    RoundQuestion.objects.filter(pk__in=[q.pk for q in surplus]).delete()


def close_round(*, needs_round: NeedsRound, user: User) -> NeedsRound:
    """Close a round: boards can no longer submit or change their answers."""
    if not permissions.can_manage_rounds(user, needs_round.municipality):
        raise PermissionDenied
    if needs_round.is_open:
        needs_round.status = RoundStatus.CLOSED
        needs_round.closed_at = timezone.now()
        needs_round.save(update_fields=["status", "closed_at"])
    return needs_round


# ---------------------------------------------------------------------------------------
# Answers


@dataclass
class AnswerInput:
    """What a board fills in for one school; delays map a domain to (severity, share)."""

    delays: dict[str, tuple[str, int]]
    menu_items: Iterable[MenuItem] = ()
    needs: Sequence[tuple[str, Sequence[SpendingGoal]]] = ()
    question_texts: dict[int, str] = field(default_factory=dict)
    free_text: str = ""
    version: int | None = None  # as loaded in the form; None: no check (demo data, scripts)


def _check_round_accepts(needs_round: NeedsRound) -> None:
    if not selectors.round_accepts_answers(needs_round=needs_round):
        raise ValidationError(
            _("This round is closed or its deadline has passed; answers can no longer be changed.")
        )


def save_answer(
    *, needs_round: NeedsRound, school: School, user: User, data: AnswerInput
) -> NeedsAnswer:
    """Save a board's answer for one school as a draft (created on first save); refused when
    someone saved it after the form was loaded."""
    if not permissions.can_fill_answer(user, school) or school.municipality_id != (
        needs_round.municipality_id
    ):
        raise PermissionDenied
    _check_round_accepts(needs_round)
    with transaction.atomic():
        answer, created = NeedsAnswer.objects.select_for_update().get_or_create(
            round=needs_round, school=school, defaults={"board": school.board}
        )
        if answer.is_submitted:
            raise ValidationError(
                _("This answer has been submitted; ask the municipality to reopen it first.")
            )
        if not created and data.version is not None and data.version != answer.version:
            raise EditConflict(_answer_conflicts(answer, data), current_version=answer.version)
        answer.free_text = data.free_text.strip()
        answer.updated_by = user
        answer.version = answer.version if created else answer.version + 1
        answer.save(update_fields=["free_text", "updated_by", "updated_at", "version"])
        answer.menu_items.set(list(data.menu_items))
        answer.delays.all().delete()
        bulk_create_with_history(
            [
                DelayAssessment(
                    answer=answer, domain=domain, severity=severity, share_of_pupils=share
                )
                for domain, (severity, share) in data.delays.items()
            ],
            DelayAssessment,
            default_user=user,
        )
        answer.needs.all().delete()
        for description, goals in data.needs:
            need = NeedRequest.objects.create(answer=answer, description=description.strip())
            need.goals.set(list(goals))
        valid_questions = set(needs_round.questions.values_list("pk", flat=True))
        answer.question_answers.all().delete()
        QuestionAnswer.objects.bulk_create(
            QuestionAnswer(answer=answer, question_id=question_id, text=text.strip())
            for question_id, text in data.question_texts.items()
            if question_id in valid_questions and text.strip()
        )
    return answer


def _answer_conflicts(answer: NeedsAnswer, data: AnswerInput) -> list[Conflict]:
    """What the stored answer says where the submitted one says something else."""
    submitted = copy.copy(answer)
    submitted.free_text = data.free_text.strip()
    found = conflicts_between(current=answer, submitted=submitted)
    stored = {d.domain: (d.severity, d.share_of_pupils) for d in answer.delays.all()}

    def delay_text(value: tuple[str, int] | None) -> str:
        if value is None:
            return "—"
        return f"{Severity(value[0]).label}, {value[1]}%"

    for domain in Domain.values:
        theirs, yours = stored.get(domain), data.delays.get(domain)
        if theirs != yours:
            found.append(
                Conflict(
                    label=Domain(domain).label, theirs=delay_text(theirs), yours=delay_text(yours)
                )
            )
    return found


REQUIRED_DOMAINS = [domain for domain in Domain.values if domain != Domain.OTHER]


def submit_answer(*, answer: NeedsAnswer, user: User) -> NeedsAnswer:
    """Submit a draft: it is locked until the municipality reopens it."""
    if not permissions.can_fill_answer(user, answer.school):
        raise PermissionDenied
    _check_round_accepts(answer.round)
    if answer.is_submitted:
        raise ValidationError(_("This answer has already been submitted."))
    filled = set(answer.delays.values_list("domain", flat=True))
    missing = [Domain(domain).label for domain in REQUIRED_DOMAINS if domain not in filled]
    if missing:
        raise ValidationError(
            _("Give the severity of the delay for every domain before submitting; missing: %s.")
            % ", ".join(str(label) for label in missing)
        )
    now = timezone.now()
    with transaction.atomic():
        answer.status = AnswerStatus.SUBMITTED
        answer.submitted_at, answer.submitted_by = now, user
        answer.reopen_requested_at, answer.reopen_requested_by = None, None
        answer.reopen_reason = ""
        answer.save()
        AnswerEvent.objects.create(answer=answer, kind=AnswerEventKind.SUBMITTED, at=now, by=user)
    return answer


def request_reopen(*, answer: NeedsAnswer, user: User, reason: str) -> NeedsAnswer:
    """The board asks the municipality to reopen its submitted answer, saying why."""
    if not permissions.can_request_reopen(user, answer):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the answer should be reopened.")})
    if not answer.round.is_open:
        raise ValidationError(_("This round is closed; answers can no longer be reopened."))
    now = timezone.now()
    with transaction.atomic():
        answer.reopen_requested_at, answer.reopen_requested_by = now, user
        answer.reopen_reason = reason.strip()
        answer.save(update_fields=["reopen_requested_at", "reopen_requested_by", "reopen_reason"])
        AnswerEvent.objects.create(
            answer=answer,
            kind=AnswerEventKind.REOPEN_REQUESTED,
            at=now,
            by=user,
            note=reason.strip(),
        )
    return answer


def reopen_answer(*, answer: NeedsAnswer, user: User) -> NeedsAnswer:
    """The municipality puts a submitted answer back into draft so the board can change it."""
    if not permissions.can_reopen(user, answer):
        raise PermissionDenied
    if not answer.round.is_open:
        raise ValidationError(_("This round is closed; answers can no longer be reopened."))
    now = timezone.now()
    with transaction.atomic():
        answer.status = AnswerStatus.DRAFT
        answer.reopen_requested_at, answer.reopen_requested_by = None, None
        answer.save(update_fields=["status", "reopen_requested_at", "reopen_requested_by"])
        AnswerEvent.objects.create(
            answer=answer,
            kind=AnswerEventKind.REOPENED,
            at=now,
            by=user,
            note=answer.reopen_reason,
        )
    return answer


# ---------------------------------------------------------------------------------------
# Reminders


@dataclass
class ReminderOutcome:
    sent: list[str] = field(default_factory=list)
    already_today: list[str] = field(default_factory=list)


def queue_reminders(*, needs_round: NeedsRound, user: User) -> ReminderOutcome:
    """Queue reminder e-mails to the boards of schools that have not reported; says who will
    get one and who was already reminded today (they get nothing)."""
    if not permissions.can_send_reminders(user, needs_round):
        raise PermissionDenied
    if not needs_round.is_open:
        raise ValidationError(_("This round is closed; there is nothing to remind anyone of."))
    from schools.tasks import send_round_reminders

    today = timezone.localdate()
    outcome = ReminderOutcome()
    already = selectors.reminded_on(needs_round=needs_round, day=today)
    for recipient in selectors.reminder_recipients(needs_round=needs_round):
        target = outcome.already_today if recipient.email in already else outcome.sent
        target.append(recipient.email)
    if outcome.sent:
        # Nothing is recorded before the task runs, so a refusing broker leaves nothing to undo.
        send_after_commit(
            lambda: send_round_reminders.delay(needs_round.pk, user.pk), on_failure=lambda: None
        )
    return outcome


def send_reminders(
    *, needs_round: NeedsRound, sent_by: User | None = None, today: datetime.date | None = None
) -> ReminderOutcome:
    """E-mail each active user with an address of every board with unreported schools,
    recording each mail; whoever already got one today for this round is skipped."""
    today = today or timezone.localdate()
    outcome = ReminderOutcome()
    if not needs_round.is_open:
        return outcome
    for recipient in selectors.reminder_recipients(needs_round=needs_round):
        try:
            with transaction.atomic():
                _reminder, created = Reminder.objects.get_or_create(
                    round=needs_round,
                    recipient=recipient.email,
                    sent_on=today,
                    defaults={"board": recipient.board, "user": recipient.user, "sent_by": sent_by},
                )
                if created:
                    # Inside the transaction: a mail that fails leaves no record, so the
                    # next run tries again.
                    _send_reminder_mail(needs_round=needs_round, recipient=recipient)
        except IntegrityError:
            created = False
        (outcome.sent if created else outcome.already_today).append(recipient.email)
    logger.info(
        "Round %s: %d reminders sent, %d already reminded today",
        needs_round.pk,
        len(outcome.sent),
        len(outcome.already_today),
    )
    return outcome


def _send_reminder_mail(*, needs_round: NeedsRound, recipient: selectors.Recipient) -> None:
    link = settings.PORTAL_BASE_URL + reverse("schools:round-detail", args=[needs_round.pk])
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "round": needs_round,
            "municipality": needs_round.municipality,
            "user": recipient.user,
            "board": recipient.board,
            "schools": recipient.schools,
            "link": link,
        }
        subject = render_to_string("schools/email/reminder_subject.txt", context).strip()
        body = render_to_string("schools/email/reminder_email.txt", context)
    send_mail(subject, body, None, [recipient.email])


def send_deadline_reminders(*, today: datetime.date | None = None) -> dict[int, ReminderOutcome]:
    """Remind the boards of every open round whose deadline is within the configured number
    of days (NEEDS_REMINDER_DAYS_BEFORE_DEADLINE)."""
    today = today or timezone.localdate()
    return {
        needs_round.pk: send_reminders(needs_round=needs_round, today=today)
        for needs_round in selectors.rounds_due_for_reminders(today=today)
    }
