"""What kind of file it is, by its content: a workbook, text in which encoding, or
something to refuse with a name (PDF, .xls, .ods, a protected workbook, UTF-16, UTF-7)."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext as _

from npo_portal.tables import limits
from npo_portal.tables.limits import (
    Opener,
    Source,
    TableError,
    chunks,
    contains,
    excerpt,
    head,
    opener,
)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format, and password-protected XLSX
# Other kinds people upload by mistake, by their first bytes: named in the refusal.
OTHER_KINDS = (
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"%PDF", "PDF"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf", "7-Zip"),
    (b"Rar!", "RAR"),
    (b"{\\rtf", "RTF"),
)
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Password-protected OOXML is an OLE container with this stream (its name in UTF-16).
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# Windows-1252 characters that Dutch text hardly uses but that mac_roman, cp437 and
# shift_jis bytes turn into (mac_roman's é reads as Ž: "CafŽ").
SUSPECT = "\u201a\u0192\u201e\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2022\u02dc\u0161\u203a\u0153\u017e\u0178"  # ‚ƒ„†‡ˆ‰Š‹ŒŽ•˜š›œžŸ  # noqa: RUF003
SUSPECT_CHARACTER = re.compile(f"[{SUSPECT}]")
SUSPECT_CAPITALS = "\u0160\u017d\u0152\u0178"  # Š Ž Œ Ÿ
SUSPECT_SMALL = "\u0161\u017e\u0153"  # š ž œ
CONTEXT_CHARS = 64  # what a chunk of decoded text repeats of the one before
# UTF-7's encoding of a non-ASCII letter, such as "Caf+AOk-" for "Café".
UTF7_RUN = re.compile(r"\+A[K-P][A-Za-z0-9+/]*-?")  # U+00A0 to U+00FF, as "+AOk" (é)


# What kind of file --------------------------------------------------------------------------


def _zip_names(open_file: Opener) -> list[str] | None:
    try:
        with open_file() as stream, zipfile.ZipFile(stream) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def looks_like_xlsx(open_file: Opener) -> bool:
    """Whether the file is a zip archive holding a workbook (`xl/workbook.xml`)."""
    if not head(open_file).startswith(ZIP_MAGIC):
        return False
    return "xl/workbook.xml" in (_zip_names(open_file) or [])


def _refuse_other_kinds(open_file: Opener) -> None:
    """Name what the file is when it is no table at all."""
    data = head(open_file)
    if data.startswith(OLE_MAGIC):
        if contains(open_file, ENCRYPTION_INFO):
            raise TableError(
                _(
                    "The workbook is protected with a password. Remove the password in Excel "
                    "(File > Info > Protect workbook) and save it again as XLSX."
                )
            )
        raise TableError(_("Old Excel files (.xls) are not supported; save as XLSX or CSV."))
    for magic, kind in OTHER_KINDS:
        if data.startswith(magic):
            raise TableError(
                _("The file is a %(kind)s file, not a spreadsheet (XLSX) or CSV file.")
                % {"kind": kind}
            )
    if data.startswith(ZIP_MAGIC):
        names = _zip_names(open_file)
        if names is None:
            raise TableError(_("The file is a damaged zip archive, not an XLSX or CSV file."))
        if "mimetype" in names and data[30:90].find(ODS_MIMETYPE) >= 0:
            raise TableError(
                _(
                    "The file is an OpenDocument spreadsheet (.ods). Save it as XLSX or CSV "
                    "(in LibreOffice: File > Save As, type Excel 2007-365 or Text CSV)."
                )
            )
        if "xl/workbook.xml" not in names:
            raise TableError(
                _("The file is a zip archive but no spreadsheet; upload an XLSX or CSV file.")
            )
        return
    if data.startswith(UTF16_BOMS):
        raise TableError(
            _(
                "The file is UTF-16 text ('Unicode text' in Excel). Save it as "
                "'CSV UTF-8 (comma delimited)' or as XLSX."
            )
        )
    binary = sum(1 for byte in data if byte < 32 and byte not in b"\t\n\r")
    if binary * 100 > len(data):
        raise TableError(
            _("The file is not a spreadsheet (XLSX) or CSV file: it holds binary data.")
        )


def check_file(data: Source) -> None:
    """Refuse what cannot be a table before reading it."""
    check_opened(opener(data))


def check_opened(open_file: Opener) -> None:
    """`check_file` for a file already given as its opener."""
    with open_file() as stream:
        size = stream.seek(0, io.SEEK_END)
    if size > limits.MAX_IMPORT_BYTES:
        raise TableError(
            _("The file is larger than %(size)s MB.")
            % {"size": limits.MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    if not any(chunk.strip() for chunk in chunks(open_file)):
        raise TableError(_("The file is empty."))
    _refuse_other_kinds(open_file)


# Text ---------------------------------------------------------------------------------------


def _garbled(text: str) -> str | None:
    """The first stretch of `text` that reads like mojibake, or None.

    Genuine Windows-1252 text holds Š, Ž, š, ž, Œ and œ as letters of names (Škoda, Jože
    Šušteršič's d.o.o., Œuvre), so those pass where a letter can stand: a capital at the
    start of a word or inside a word in capitals, a small letter anywhere in a word. What
    mac_roman and cp437 bytes turn into does not: a capital after a small letter ('CafŽ',
    mac_roman's é), a capital between a capital and a small letter ('ŽŽn', 'KŠse'), and the
    signs that are no letters (‚ ƒ „ † ‡ ˆ ‰ ‹ • ˜ ›) against a letter ('Caf‚', cp437's é).
    """  # noqa: RUF002
    for match in SUSPECT_CHARACTER.finditer(text):
        if _misplaced(text, match.start()):
            start = max(text.rfind(mark, 0, match.start()) for mark in "\n;,\t") + 1
            return text[max(start, match.start() - 20) : match.end() + 20].strip()
    return None


def _misplaced(text: str, index: int) -> bool:
    char = text[index]
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    if char in SUSPECT_SMALL:
        return before in SUSPECT or after in SUSPECT
    if char in SUSPECT_CAPITALS:
        if before in SUSPECT or after in SUSPECT:
            return True
        return before.islower() or (before.isupper() and after.islower())
    # A sign: mojibake where it touches a letter (ƒ 25 or "• item" are genuine).
    return before.isalpha() or after.isalpha() or before in SUSPECT or after in SUSPECT


def _utf7_word(text: str) -> str | None:
    for match in UTF7_RUN.finditer(text):
        try:
            decoded = match.group().encode("ascii").decode("utf-7")
        except UnicodeDecodeError:
            continue
        if any("\u00a0" <= char <= "\u024f" for char in decoded):
            return match.group()
    return None


def _decoded_chunks(open_file: Opener, encoding: str) -> Iterator[str]:
    """The file's text in chunks, each with the end of the one before (so that a pattern
    across two chunks is seen); raises UnicodeDecodeError where the text does not decode."""
    decoder = codecs.getincrementaldecoder(encoding)()
    tail = ""
    for chunk in chunks(open_file):
        text = decoder.decode(chunk)
        yield tail + text
        tail = text[-CONTEXT_CHARS:]
    yield tail + decoder.decode(b"", final=True)


def text_encoding(open_file: Opener) -> str:
    """The file's text encoding, checked to read cleanly: the text is decoded chunk by chunk
    (never held whole), then read as a stream."""
    try:
        for text in _decoded_chunks(open_file, "utf-8-sig"):
            word = _utf7_word(text)
            if word:
                raise TableError(
                    _(
                        "The file's text looks like UTF-7 ('%(example)s'). Save it as "
                        "'CSV UTF-8 (comma delimited)' or as XLSX."
                    )
                    % {"example": excerpt(word)}
                )
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8-sig"
    try:
        for text in _decoded_chunks(open_file, "cp1252"):
            garbled = _garbled(text)
            if garbled:
                raise TableError(
                    _(
                        "The file's characters do not read as UTF-8 or Windows-1252: it would "
                        "import as '%(example)s'. Save it as 'CSV UTF-8 (comma delimited)' or "
                        "as XLSX."
                    )
                    % {"example": excerpt(garbled)}
                )
    except UnicodeDecodeError as error:
        raise TableError(
            _("The file is neither UTF-8 nor Windows-1252 text. Save it as CSV (UTF-8).")
        ) from error
    return "cp1252"
