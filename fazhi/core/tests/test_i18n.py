"""The Chinese catalog is complete, compiled, and the language switch works."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "fazhi" / "locale" / "zh_Hans" / "LC_MESSAGES"
_ENTRY = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt) "(.*)"$')


def _unquote(text: str) -> str:
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def _entries() -> list[dict[str, str]]:
    """Parse django.po into entries (msgctxt/msgid/msgid_plural/msgstr…, flags)."""
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = ""
    for line in (LOCALE / "django.po").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                entries.append(current)
            current, key = {}, ""
            continue
        if line.startswith("#,"):
            current["flags"] = line[2:]
            continue
        if line.startswith("#"):
            continue
        match = _ENTRY.match(line)
        if match:
            key = match.group(1)
            current[key] = match.group(2)
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
    if current:
        entries.append(current)
    return [e for e in entries if e.get("msgid")]


def test_every_string_has_a_chinese_translation() -> None:
    missing = []
    for entry in _entries():
        if "fuzzy" in entry.get("flags", ""):
            missing.append(("fuzzy", entry["msgid"]))
        translations = [v for k, v in entry.items() if k.startswith("msgstr")]
        if not translations or any(not t for t in translations):
            missing.append(("untranslated", entry["msgid"]))
    assert not missing, f"{len(missing)} strings lack a translation, e.g. {missing[:10]}"


def test_compiled_catalog_matches_the_source_catalog() -> None:
    with (LOCALE / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for entry in _entries():
        if "msgid_plural" in entry or "msgctxt" in entry:
            continue
        msgid, msgstr = _unquote(entry["msgid"]), _unquote(entry.get("msgstr", ""))
        if compiled.gettext(msgid) != msgstr:
            stale.append(msgid)
    assert not stale, f"django.mo is stale (run ./dev messages): {stale[:10]}"


def test_pages_are_chinese_by_default_and_english_on_request(client, personas) -> None:
    client.force_login(personas.city_officer)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "zh-hans"
    assert "首页" in response.content.decode()

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert response["Content-Language"] == "en"
    assert "Home" in response.content.decode()


def test_api_errors_follow_accept_language(client, personas) -> None:
    client.force_login(personas.city_officer)
    response = client.get(
        "/api/v1/clock/deadline",
        {"start": "2026-01-05", "length": "0", "unit": "workday"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert response["Content-Language"] == "en"
