from __future__ import annotations

from pathlib import Path

import polib

import dolbom.discovery

LOCALE = Path(dolbom.discovery.__file__).parent / "locale" / "ko" / "LC_MESSAGES"


def test_every_discovery_message_has_a_korean_translation_and_is_compiled():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(LOCALE / "django.mo")) if not e.msgid_plural}
    assert [e.msgid for e in po.translated_entries() if not e.msgid_plural and compiled.get(e.msgid) != e.msgstr] == []


def test_the_official_terms_are_used():
    po = {e.msgid: e.msgstr for e in polib.pofile(str(LOCALE / "django.po"))}
    assert po["Crisis discovery"] == "복지사각지대 발굴"
    assert po["Visit list"] == "발굴 대상자 명단"
    assert po["Crisis indicators"] == "위기정보"
