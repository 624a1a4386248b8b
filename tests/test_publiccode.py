"""publiccode.yml at the root describes the portal as it is (issue 31)."""

from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def test_publiccode_yml_has_the_keys_of_the_standard_and_the_portals_languages():
    meta = yaml.safe_load((ROOT / "publiccode.yml").read_text())
    assert meta["publiccodeYmlVersion"] == "0.4"
    assert meta["name"] == "NPO Portal"
    assert meta["platforms"] == ["web"] and meta["softwareType"] == "standalone/web"
    assert meta["developmentStatus"] in {"concept", "development", "beta", "stable", "obsolete"}
    dutch = meta["description"]["nl"]
    assert len(dutch["shortDescription"]) <= 150
    assert len(dutch["longDescription"]) >= 150
    assert meta["localisation"]["availableLanguages"] == [code for code, _ in settings.LANGUAGES]
    # Still open, and said so in the file: the public repository's address and the licence.
    assert "url" not in meta and "legal" not in meta
