"""The text of a PDF as poppler's pdftotext reads it, for tests that check what a reader sees."""

import shutil
import subprocess


def pdf_text(content: bytes, *, layout: bool = False) -> str:
    """`layout` keeps each table row on one line, as the page shows it."""
    command = [shutil.which("pdftotext") or "/usr/bin/pdftotext", "-", "-"]
    if layout:
        command.insert(1, "-layout")
    return subprocess.run(command, input=content, capture_output=True, check=True).stdout.decode()
