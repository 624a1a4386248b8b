"""The Dutch catalogues: every app's translation is the one the portal shows.

Django merges the catalogues of LOCALE_PATHS and of every installed app into one; a text
(msgid, with its context) translated differently in two catalogues is shown with one of the
two everywhere, whichever catalogue comes first. Where the same English word means two things
("on" a date, two-factor "on"), the texts carry a context (pgettext)."""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import translation as catalogue_for

ROOT = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    path
    for path in ROOT.glob("**/nl/LC_MESSAGES/django.mo")
    if ".venv" not in path.parts and "node_modules" not in path.parts
)


def _messages(mo: Path) -> dict:
    with mo.open("rb") as file:
        return {key: text for key, text in gettext.GNUTranslations(file)._catalog.items() if key}


def test_the_project_has_its_catalogues():
    names = {path.relative_to(ROOT).parts[0] for path in CATALOGUES}
    assert {"locale", "plans", "finance", "schools", "identity"} <= names


@pytest.mark.parametrize("mo", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT).parts[0]))
def test_every_translation_of_a_catalogue_is_the_one_shown(mo):
    with translation.override("nl"):
        shown = catalogue_for("nl")._catalog
        differs = {
            key: (text, shown.get(key))
            for key, text in _messages(mo).items()
            if shown.get(key) != text
        }
    assert differs == {}, (
        "translated otherwise in another catalogue; use one translation, or pgettext "
        f"where the meaning differs: {differs}"
    )


MSGFMT, GIT, MAKE = shutil.which("msgfmt"), shutil.which("git"), shutil.which("make")


@pytest.mark.skipif(not MSGFMT, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("mo", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT).parts[0]))
def test_the_compiled_catalogue_is_its_po_file(mo, tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run([MSGFMT, "-o", str(compiled), str(mo.with_suffix(".po"))], check=True)
    assert _messages(mo) == _messages(compiled), f"run `make messages` for {mo.with_suffix('.po')}"


@pytest.mark.skipif(
    not (MSGFMT and GIT and MAKE and shutil.which("xgettext")),
    reason="needs GNU gettext, make and git",
)
def test_make_messages_finds_every_text_translated(tmp_path):
    """`make messages` on a copy of the tree: it fails when a text marked for translation has
    no Dutch (a new text, or one whose translation another catalogue held)."""
    tracked = subprocess.run(
        [GIT, "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, tracked):
        source = ROOT / name.decode()
        if source.is_file():
            target = tmp_path / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    venv = Path(sys.prefix)
    done = subprocess.run(
        [MAKE, "-o", "install", f"VENV={venv}", "messages"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
