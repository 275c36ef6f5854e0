from __future__ import annotations

from pathlib import Path

import polib
from django.test import Client
from django.urls import reverse

import dolbom.subsidies

LOCALE = Path(dolbom.subsidies.__file__).parent / "locale" / "ko" / "LC_MESSAGES"


def test_every_subsidies_message_has_a_korean_translation_and_is_compiled():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(LOCALE / "django.mo")) if not e.msgid_plural}
    assert [e.msgid for e in po.translated_entries()
            if not e.msgid_plural and compiled.get((e.msgctxt, e.msgid)) != e.msgstr] == []


def test_the_official_terms_are_used():
    po = {e.msgid: e.msgstr for e in polib.pofile(str(LOCALE / "django.po"))}
    assert po["Subsidies"] == "지원사업"
    assert po["Supplement requested"] == "보완 요청"
    assert po["Objection"] == "이의신청"
    assert po["Clawback"] == "환수"


def test_words_other_apps_translate_otherwise_read_as_subsidy_words(slate, db):
    html = Client().get(reverse("subsidies:public_board")).content.decode()
    assert "접수" in html and "공고" in html and "수신" not in html
