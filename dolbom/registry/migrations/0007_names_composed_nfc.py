"""Names stored as decomposed Hangul (ᄀ+ᅵ+ᆷ for 김) before issue 18 composed every input: composed to NFC,
their initials recomputed, so that a search finds them like everyone else. Batched; rows already composed
are untouched. Nothing to undo: NFC is the text the person typed."""

import unicodedata

from django.db import migrations

_CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"


def _initials(text):
    out = []
    for ch in text:
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7A3:
            out.append(_CHOSEONG[(code - 0xAC00) // 588])
        elif not ch.isspace():
            out.append(ch)
    return "".join(out)


def compose(apps, schema_editor):
    Resident = apps.get_model("registry", "Resident")
    changed = []
    for pk, name in Resident.objects.values_list("pk", "name").iterator(chunk_size=5000):
        composed = unicodedata.normalize("NFC", name)
        if composed != name:
            changed.append(Resident(pk=pk, name=composed, name_initials=_initials(composed)))
        if len(changed) >= 1000:
            Resident.objects.bulk_update(changed, ["name", "name_initials"])
            changed = []
    if changed:
        Resident.objects.bulk_update(changed, ["name", "name_initials"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_registrychange")]
    operations = [migrations.RunPython(compose, migrations.RunPython.noop)]
