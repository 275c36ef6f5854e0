from __future__ import annotations

from pathlib import Path

import polib

import dolbom.integrations.messaging

LOCALE = Path(dolbom.integrations.messaging.__file__).parent / "locale" / "ko" / "LC_MESSAGES"


def test_every_messaging_error_has_a_korean_translation_and_is_compiled():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(LOCALE / "django.mo")) if not e.msgid_plural}
    assert [e.msgid for e in po.translated_entries() if not e.msgid_plural and compiled.get(e.msgid) != e.msgstr] == []
