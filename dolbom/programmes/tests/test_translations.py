"""The programmes catalogue is complete and compiled, and uses the glossary's words."""

from __future__ import annotations

from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[1] / "locale/ko/LC_MESSAGES/django.po"


def test_every_message_has_a_korean_translation_and_is_compiled():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po.untranslated_entries()] == [] and [e.msgid for e in po.fuzzy_entries()] == []
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(PO.with_suffix(".mo"))) if not e.msgid_plural}
    assert [e.msgid for e in po.translated_entries() if not e.msgid_plural and compiled.get(e.msgid) != e.msgstr] == []


def test_the_glossary_terms_are_used():
    po = {e.msgid: e.msgstr for e in polib.pofile(str(PO))}
    assert po["Programme sessions"] == "회차" and po["Village tax accountant"] == "마을세무사"
    assert po["Village lawyer"] == "마을변호사" and po["Waiting list"] == "대기"
