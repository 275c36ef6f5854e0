from __future__ import annotations

from pathlib import Path

import polib

import dolbom

LOCALE = Path(dolbom.__file__).parent / "locale"


def test_every_message_has_a_korean_translation():
    po = polib.pofile(str(LOCALE / "ko/LC_MESSAGES/django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_the_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(LOCALE / "ko/LC_MESSAGES/django.po"))
    mo = polib.mofile(str(LOCALE / "ko/LC_MESSAGES/django.mo"))
    compiled = {e.msgid: e.msgstr for e in mo if not e.msgid_plural}
    missing = [e.msgid for e in po.translated_entries() if not e.msgid_plural and compiled.get(e.msgid) != e.msgstr]
    assert missing == [], "run compilemessages"


def test_the_official_korean_terms_are_used():
    po = {e.msgid: e.msgstr for e in polib.pofile(str(LOCALE / "ko/LC_MESSAGES/django.po"))}
    assert po["Eligibility decision"] == "종합판정"
    assert po["Support plan"] == "개인별 지원계획"
    assert po["Integrated support meeting"] == "통합지원회의"
    assert po["Follow-up"] == "모니터링"
    assert po["Closed"] == "종결"
