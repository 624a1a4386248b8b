"""A file's rows checked against the limits, its header found, its columns matched."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from npo_portal.tables.csv_reader import csv_rows
from npo_portal.tables.detection import check_opened, looks_like_xlsx
from npo_portal.tables.limits import (
    CONTROL_CHARACTER,
    HEADER_SEARCH_ROWS,
    Limits,
    Source,
    TableError,
    column_letter,
    excerpt,
    grouped,
    opener,
)
from npo_portal.tables.xlsx_reader import xlsx_rows

# Rows ---------------------------------------------------------------------------------------


def _rows(data: Source) -> Iterator[tuple[int, list]]:
    """Every row of the file as (row number, values), each value checked against the limits
    (rows, columns, field length, control characters) before anything reads it."""
    open_file = opener(data)
    check_opened(open_file)
    limits = Limits.from_settings()
    if looks_like_xlsx(open_file):
        rows = xlsx_rows(open_file, limits)
    else:
        rows = csv_rows(open_file, limits)
    for number, values in enumerate(rows, start=1):
        if number > limits.rows + HEADER_SEARCH_ROWS:
            raise TableError(
                _("The file has more than %(limit)s rows; split it into smaller files.")
                % {"limit": grouped(limits.rows)}
            )
        if len(values) > limits.columns:
            while values and (values[-1] is None or values[-1] == ""):
                values = values[:-1]
            if len(values) > limits.columns:
                raise TableError(
                    _("Row %(row)s has %(columns)s columns; at most %(limit)s are read.")
                    % {
                        "row": number,
                        "columns": grouped(len(values)),
                        "limit": grouped(limits.columns),
                    }
                )
        for index, value in enumerate(values):
            if not isinstance(value, str):
                continue
            if len(value) > limits.field_chars:
                raise TableError(
                    _(
                        "Row %(row)s, column %(column)s: the field is longer than %(limit)s "
                        "characters (it starts '%(start)s')."
                    )
                    % {
                        "row": number,
                        "column": column_letter(index),
                        "limit": grouped(limits.field_chars),
                        "start": excerpt(value),
                    }
                )
            control = CONTROL_CHARACTER.search(value)
            if control:
                raise TableError(
                    _(
                        "Row %(row)s, column %(column)s: the field contains a control "
                        "character (code %(code)s), which no typed text holds: '%(start)s'."
                    )
                    % {
                        "row": number,
                        "column": column_letter(index),
                        "code": ord(control.group()),
                        "start": excerpt(value),
                    }
                )
        yield number, values


def normalise_header(name) -> str:
    """A column name as compared: lower case, single spaces, no BOM or padding."""
    return " ".join(str(name).lstrip("\ufeff").split()).lower()


def refuse_duplicate_columns(header: list) -> None:
    """Raise TableError naming each column that the header gives more than once, also when
    two names only become equal once case, spaces and underscores are set aside
    ("Bedrag" and " BEDRAG", "opgegaan_in" and "opgegaan in"). Which copy a reader took
    would decide the data without anyone seeing it, so the whole file is refused."""
    first_at: dict[str, int] = {}
    doubles: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        key = normalise_header(name).replace("_", " ")
        if not key:
            continue
        if key in first_at:
            doubles.setdefault(key, [first_at[key]]).append(index)
        else:
            first_at[key] = index
    if not doubles:
        return
    problems = [
        _("“%(name)s” (columns %(columns)s)")
        % {
            "name": excerpt(str(header[indexes[0]]).strip().lstrip("\ufeff")),
            "columns": ", ".join(column_letter(index) for index in indexes),
        }
        for indexes in doubles.values()
    ]
    raise TableError(
        _(
            "The header names a column more than once: %(columns)s. Nothing has been read; "
            "keep one column of each name and upload the file again."
        )
        % {"columns": "; ".join(problems)}
    )


def _is_empty(values: list) -> bool:
    return not any(str(value).strip() for value in values)


def read_all(data: Source) -> tuple[list[str], list[tuple[int, dict]]]:
    """The normalised header and every non-empty row as (row number, {column: value}),
    values stripped of padding; for files whose kind the header tells (DUO's)."""
    rows = _rows(data)
    first = next(rows, None)
    if first is None:
        raise TableError(_("The file is empty."))
    refuse_duplicate_columns(first[1])
    names = [normalise_header(name) for name in first[1]]
    table = []
    for number, values in rows:
        if _is_empty(values):
            continue
        table.append(
            (
                number,
                {
                    name: str(values[index]).strip() if index < len(values) else ""
                    for index, name in enumerate(names)
                    if name
                },
            )
        )
    return names, table


def _find_header(rows: Iterator[tuple[int, list]], columns: list[str]) -> tuple[int, list]:
    """The first of the top rows that names every column (a title may stand above it)."""
    best: tuple[int, int, list[str]] | None = None  # (row, columns found, missing)
    first_seen = False
    for number, values in rows:
        if _is_empty(values):
            if number >= HEADER_SEARCH_ROWS:
                break
            continue
        first_seen = True
        names = [str(name).strip().lower().lstrip("\ufeff") for name in values]
        missing = [column for column in columns if column not in names]
        if not missing:
            return number, values
        found = len(columns) - len(missing)
        if found and (best is None or found > best[1]):
            best = (number, found, missing)
        if number >= HEADER_SEARCH_ROWS:
            break
    if not first_seen:
        raise TableError(_("The file is empty."))
    if best is not None and best[0] > 1:
        raise TableError(
            _(
                "Row %(row)s looks like the header but lacks the columns %(missing)s. "
                "The header must hold: %(header)s."
            )
            % {"row": best[0], "missing": ", ".join(best[2]), "header": ";".join(columns)}
        )
    missing = best[2] if best is not None else columns
    raise TableError(
        _("Missing columns: %(missing)s. The first row must be: %(header)s.")
        % {"missing": ", ".join(missing), "header": ";".join(columns)}
    )


def read_table(
    data: Source, *, columns: list[str], optional: dict[str, tuple[str, ...]] | None = None
) -> Iterator[tuple[int, dict]]:
    """Rows as (row number in the file, {column: value}) below the header.

    The header is the first row that names every column; rows above it (a title) are
    skipped. Columns are matched by name (any order, case and spaces ignored); empty rows are
    skipped. `optional` maps a column that a file may have to the headers accepted for it
    (underscores read as spaces); a row holds such a column only when the file has it.
    """
    rows = _rows(data)
    _header_row, header = _find_header(rows, columns)
    refuse_duplicate_columns(header)
    names = [str(name).strip().lower().lstrip("\ufeff") for name in header]
    positions = {column: names.index(column) for column in columns}
    spelled = [normalise_header(name).replace("_", " ") for name in header]
    for column, variants in (optional or {}).items():
        accepted = {normalise_header(variant).replace("_", " ") for variant in variants}
        found = [index for index, name in enumerate(spelled) if name in accepted]
        if len(found) > 1:
            raise TableError(
                _("'%(column)s' is given by more than one column (%(columns)s); keep one.")
                % {"columns": ", ".join(str(header[i]).strip() for i in found), "column": column}
            )
        if found:
            positions[column] = found[0]
    for number, values in rows:
        if _is_empty(values):
            continue
        yield (
            number,
            {
                column: values[index] if index < len(values) else ""
                for column, index in positions.items()
            },
        )
