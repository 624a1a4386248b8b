"""What a file may cost and how a refusal reads: the limits, the error, the excerpt of a
value; and reading a file in chunks, shared by every reader."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import number_format

MAX_IMPORT_BYTES = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024

# A file to read: its bytes, or the path of the file on disk (an upload waiting for the import
# worker, a file given to a command). A path is read in chunks and never held whole.
Source = bytes | os.PathLike
Opener = Callable[[], io.BufferedIOBase]

# C0 control characters other than tab and line breaks, and DEL: never in a typed value.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
HEADER_SEARCH_ROWS = 10  # a header below a title is looked for this far down
EXCERPT_CHARS = 40
SCAN_CHUNK = 1024 * 1024
HEAD_BYTES = 4096


class TableError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Limits:
    unpacked_bytes: int
    rows: int
    columns: int
    field_chars: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            unpacked_bytes=settings.IMPORT_MAX_UNPACKED_MB * 1024 * 1024,
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            field_chars=settings.IMPORT_MAX_FIELD_CHARS,
        )


def excerpt(value, length: int = EXCERPT_CHARS) -> str:
    """A value as a refusal may echo it: control characters shown as '?', cut to `length`."""
    text = str(value)
    cut = len(text) > length
    text = CONTROL_CHARACTER.sub("?", text[:length])
    return text + "…" if cut else text


def grouped(number: int) -> str:
    """A count as a refusal states it, with thousands grouped (12.345)."""
    return number_format(number, force_grouping=True)


def column_letter(index: int) -> str:
    """The spreadsheet name of the 0-based column `index`: 0 → A, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


# Reading the file in chunks -----------------------------------------------------------------


def opener(data: Source) -> Opener:
    """A function that opens the file afresh for each pass over it (a BytesIO over bytes
    shares their buffer, so neither kind is copied whole)."""
    if isinstance(data, bytes | bytearray | memoryview):
        return lambda: io.BytesIO(data)
    return lambda: open(data, "rb")  # each caller closes it


def chunks(open_file: Opener, size: int = SCAN_CHUNK) -> Iterator[bytes]:
    """The file's bytes in chunks of `size`, from a fresh opening."""
    with open_file() as stream:
        while chunk := stream.read(size):
            yield chunk


def contains(open_file: Opener, needle: bytes) -> bool:
    """Whether the file holds `needle` anywhere, also across two chunks."""
    tail = b""
    for chunk in chunks(open_file):
        if needle in tail + chunk[: len(needle)] or needle in chunk:
            return True
        tail = chunk[-len(needle) :]
    return False


def count_bytes(open_file: Opener, needle: bytes) -> int:
    """How often the single byte `needle` occurs in the file."""
    # Only single bytes are counted, so no occurrence straddles two chunks.
    return sum(chunk.count(needle) for chunk in chunks(open_file))


def head(open_file: Opener, size: int = HEAD_BYTES) -> bytes:
    """The file's first `size` bytes."""
    with open_file() as stream:
        return stream.read(size)


def first_line(open_file: Opener) -> bytes:
    """The first line (without its line break), read no further than SCAN_CHUNK bytes."""
    line = b""
    for chunk in chunks(open_file, HEAD_BYTES):
        end = chunk.find(b"\n")
        if end >= 0:
            return line + chunk[:end]
        line += chunk
        if len(line) >= SCAN_CHUNK:
            break
    return line
