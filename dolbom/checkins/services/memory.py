"""The caller's memory of a client: slots updated after each call, read and corrected by the case manager."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dolbom.accounts.scope import lock_in_scope
from dolbom.checkins.dialogue import script
from dolbom.checkins.errors import CheckinErrorCode
from dolbom.checkins.models import Call, Enrolment, MemoryChange, MemorySlot, Slot, Turn, TurnRole
from dolbom.checkins.services.common import require_writer
from dolbom.lib.errors import DomainError

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_GO = r"(다녀|갔|가요|가서|가고|가는|나가|다니|다녔)"
_PLACE = re.compile(rf"({'|'.join(script.PLACE_WORDS)})(에|엘|을|를|도|에도|에는)?\s?(?:[가-힣]{{1,4}}\s)?{_GO}")
_PET = re.compile(rf"({'|'.join(p for p in script.PET_WORDS if len(p) > 1)})")
_PET_NAME = re.compile(r"([가-힣]{1,4})(?:이)?(?:라는|라고 하는|라고 부르는) (강아지|고양이)")
_FAMILY = re.compile(rf"(?<![가-힣])({'|'.join(script.FAMILY_WORDS)})(이|가|은|는|을|를|네|하고|한테|도|랑|이랑|내외|들)?(?![가-힣])")
_HEALTH_SLOT = {"health": "health", "meals": "meals", "sleep": "sleep"}


@dataclass(frozen=True)
class SlotUpdate:
    value: str
    follow_up: str = ""
    cue: str = ""


def _sentence_with(text: str, start: int) -> str:
    for m in _SENTENCE.finditer(text):
        if m.start() <= start < m.end():
            return m.group(0).strip()[:120]
    return text[:120]


def extract(*, client_texts: list[str], signals: dict[str, str | None], evidence: dict[str, list[str]],
            answers: dict[str, list[str]], cues: dict[str, dict]) -> dict[str, SlotUpdate]:
    """Slot values from one call: the signal evidence for health, meals and sleep, and simple
    patterns for places visited, pets and family. Only what the client said is used."""
    out: dict[str, SlotUpdate] = {}
    for slot in _HEALTH_SLOT:
        words = [w for w in evidence.get(slot, []) if w]
        if signals.get(slot) and words:
            value = "; ".join(dict.fromkeys(words))[:200]
            out[slot] = SlotUpdate(value=value, follow_up=script.follow_up_phrase(value, slot))
        elif cues.get(slot, {}).get("resolved"):
            said = (answers.get(slot) or [""])[0]
            out[slot] = SlotUpdate(value=f"좋아졌다고 함: {said}"[:200])
        elif answers.get(slot) and not cues.get(slot):
            out[slot] = SlotUpdate(value=answers[slot][0][:200])
    joined = "\n".join(client_texts)
    places = list(dict.fromkeys(m.group(1) for m in _PLACE.finditer(joined)))
    if places:
        out[Slot.PLACES] = SlotUpdate(value=", ".join(places), cue=places[0])
    named = _PET_NAME.search(joined)
    pet = _PET.search(joined)
    if named:
        out[Slot.PETS] = SlotUpdate(value=f"{named.group(2)} ({named.group(1)})", cue=named.group(1))
    elif pet:
        out[Slot.PETS] = SlotUpdate(value=_sentence_with(joined, pet.start()), cue=pet.group(1))
    family = _FAMILY.search(joined)
    if family:
        out[Slot.FAMILY] = SlotUpdate(value=_sentence_with(joined, family.start()), cue=family.group(1))
    return out


def _write(memory: MemorySlot, update: SlotUpdate, *, actor: User | None, call: Call | None, reason: str) -> None:
    now = timezone.now()
    if (memory.value, memory.follow_up, memory.cue) == (update.value, update.follow_up, update.cue) and memory.pk:
        return
    old = memory.value
    memory.value, memory.follow_up, memory.cue = update.value, update.follow_up, update.cue
    memory.updated_at = now
    if call is not None:
        memory.source_call = call
    memory.save()
    MemoryChange.objects.create(memory=memory, old_value=old, new_value=update.value, actor=actor, call=call,
                                reason=reason, at=now)


def memory_update_from_call(*, call: Call, signals: dict[str, str | None], evidence: dict[str, list[str]]) -> int:
    """Called inside the call's closing transaction."""
    texts = list(call.turns.filter(role=TurnRole.CLIENT).exclude(text="").values_list("text", flat=True))
    state = call.state or {}
    updates = extract(client_texts=texts, signals=signals, evidence=evidence, answers=state.get("answers", {}),
                      cues=state.get("cues", {}))
    for slot, update in updates.items():
        memory, _ = MemorySlot.objects.get_or_create(resident_id=call.enrolment.resident_id, slot=slot,
                                                     defaults={"updated_at": timezone.now()})
        _write(memory, update, actor=None, call=call, reason="")
    return len(updates)


@transaction.atomic
def memory_correct(*, actor: User, enrolment: Enrolment, slot: Slot | str, value: str, ask_next: bool,
                   reason: str) -> MemorySlot:
    """A case manager corrects what the caller remembers; the old value and the reason are kept."""
    from dolbom.checkins.selectors import enrolment_visible

    require_writer(actor)
    enrolment = lock_in_scope(enrolment_visible(actor), enrolment.pk, CheckinErrorCode.ENROLMENT_NOT_FOUND,
                              actor=actor, record_type="checkin_enrolment", resident="resident_id")
    if len(reason.strip()) < 2:
        raise DomainError(CheckinErrorCode.MEMORY_REASON_REQUIRED)
    slot = Slot(slot)
    value = value.strip()[:300]
    memory, _ = MemorySlot.objects.get_or_create(resident_id=enrolment.resident_id, slot=slot,
                                                 defaults={"updated_at": timezone.now()})
    follow_up = script.follow_up_phrase(value, slot) if ask_next and value else ""
    cue = re.split(r"[\s,(]", value)[0][:10] if slot in (Slot.PETS, Slot.PLACES, Slot.FAMILY) and value else ""
    _write(memory, SlotUpdate(value=value, follow_up=follow_up, cue=cue), actor=actor, call=None,
           reason=reason.strip()[:200])
    return memory


def client_turn_texts(call: Call) -> list[Turn]:
    return list(call.turns.filter(role=TurnRole.CLIENT))
