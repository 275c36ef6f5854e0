from __future__ import annotations

from pathlib import Path

import polib

import dolbom.reports

LOCALE = Path(dolbom.reports.__file__).parent / "locale" / "ko" / "LC_MESSAGES"


def test_every_reports_message_has_a_korean_translation_and_is_compiled():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(LOCALE / "django.mo")) if not e.msgid_plural}
    assert [e.msgid for e in po.translated_entries() if not e.msgid_plural and compiled.get(e.msgid) != e.msgstr] == []


def test_the_official_terms_are_used():
    po = {e.msgid: e.msgstr for e in polib.pofile(str(LOCALE / "django.po"))}
    assert po["Integrated support meetings"] == "통합지원회의"
    assert po["Older people living alone"] == "독거노인"
    assert po["Monthly brief"] == "합동간부회의 자료"
