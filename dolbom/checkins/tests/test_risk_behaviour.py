"""How the shipped classifier reads utterances it was never trained on.

Every sentence here is checked to be absent from data/train.tsv, so these tests describe held-out
behaviour: negation, time, Jeolla dialect, spelling and speech-to-text errors, and the rule that
self-harm and emergency are always high.
"""

from __future__ import annotations

import random
import re

import pytest

from dolbom.checkins.risk import analyse_utterance, concepts
from dolbom.checkins.risk.dataset import load_train

TRAIN_TEXTS = {e.text for e in load_train()}


def analyse(text: str):
    assert text not in TRAIN_TEXTS, "tests must use utterances the model was not trained on"
    return analyse_utterance(text)


@pytest.mark.parametrize(
    "text",
    ["발목은 이제 하나도 안 아파요", "허리가 아프진 않아요", "어디 아픈 데는 없어요 다 괜찮아요"],
)
def test_negated_pain_is_not_a_health_signal_that_needs_follow_up(text):
    a = analyse(text)
    assert a.signals["health"] in (None, "low")
    assert not a.needs_followup


def test_the_same_words_without_negation_are_a_health_signal():
    assert analyse("발목이 요즘 계속 아파요").signals["health"] in ("medium", "high")


@pytest.mark.parametrize(
    "text",
    ["작년에 욕실에서 넘어졌는데 지금은 괜찮아요", "재작년에 허리를 다쳤었는데 이젠 다 나았어요"],
)
def test_a_problem_in_the_past_that_is_over_is_low_or_none(text):
    a = analyse(text)
    assert a.signals["emergency"] is None
    assert a.signals["health"] in (None, "low")
    assert not a.needs_followup


def test_a_fall_now_with_the_client_unable_to_get_up_is_an_emergency():
    a = analyse("부엌에서 넘어졌는데 혼자 못 일어나겠어요")
    assert a.signals["emergency"] == "high"
    assert a.needs_followup


@pytest.mark.parametrize(
    "text,kind",
    [
        ("허리가 징하게 아퍼서 못 댕기겄어", "health"),
        ("밤에 잠이 안 와서 꼬박 새웠당게", "sleep"),
        ("혼자 있응께 외로워서 못 살겄어", "mood"),
    ],
)
def test_jeolla_dialect_is_understood(text, kind):
    assert analyse(text).signals[kind] in ("medium", "high")


def test_jeolla_dialect_small_talk_raises_nothing():
    a = analyse("아따 오늘 장에 가서 생선 사 왔당게")
    assert not a.needs_followup


@pytest.mark.parametrize("text,kind", [("무릅이 마니 아파요", "health"), ("요새 자미 안 와서 힘드러요", "sleep")])
def test_spelling_and_speech_to_text_errors_still_reach_the_signal(text, kind):
    assert analyse(text).signals[kind] is not None


@pytest.mark.parametrize(
    "text,kind",
    [
        ("요새는 그냥 죽어 버리고 싶은 마음뿐이에요", "self_harm"),
        ("모아 둔 약을 오늘 다 먹으려고요", "self_harm"),
        ("목욕탕에서 미끄러져서 꼼짝을 못 하겠어요", "emergency"),
        ("숨이 막히고 가슴이 조여요 지금 구급차 좀", "emergency"),
    ],
)
def test_self_harm_and_emergency_are_always_high(text, kind):
    a = analyse(text)
    assert a.signals[kind] == "high"
    assert a.needs_followup
    assert a.evidence[kind] and all(span in text for span in a.evidence[kind])


@pytest.mark.parametrize("text", ["배고파 죽겠어요 얼른 저녁 먹어야겠네", "손녀가 귀여워 죽겠어요"])
def test_a_figure_of_speech_with_die_is_not_self_harm(text):
    assert analyse(text).signals["self_harm"] is None


@pytest.mark.parametrize(
    "text",
    ["어제 복지관에서 노래 배우고 왔어요", "며느리가 반찬을 잔뜩 해 왔어요", "네 잘 들려요 말씀하세요"],
)
def test_small_talk_raises_nothing(text):
    assert analyse(text).found() == []


def test_two_kinds_in_one_utterance_keep_their_own_negation():
    a = analyse("무릎은 안 아픈데 밥맛이 통 없어서 못 먹어요")
    assert a.signals["meals"] in ("medium", "high")
    assert a.signals["health"] in (None, "low")


def test_evidence_quotes_the_clients_own_words_even_in_dialect():
    text = "허리가 징하게 아퍼서 못 댕기겄어~ 잠도 못 자부러"
    a = analyse(text)
    assert a.found()
    assert all(span in text for spans in a.evidence.values() for span in spans)


def test_one_pass_concept_matching_finds_what_a_search_per_concept_finds():
    per_concept = {name: re.compile("|".join(map(re.escape, stems))) for name, stems in concepts.CONCEPTS.items()}
    stems = [s for group in concepts.CONCEPTS.values() for s in group]
    rng = random.Random(5)
    texts = ["수면제를모아뒀어요", "죽긴왜죽어요", "넘어졌는데못일어나요", "아무것도없어요"]
    texts += ["".join(rng.choice(stems + ["가", "요", "는데"]) for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    for text in texts:
        assert concepts.concepts_in(text) == {n for n, rx in per_concept.items() if rx.search(text)}, text


@pytest.mark.parametrize("text", ["예", "음", "어", "아이고", ""])
def test_an_interjection_alone_raises_no_signal(text):
    # The bias alone would otherwise report health for every filler word the model met only in context.
    assert not analyse_utterance(text).found()


def test_an_interjection_before_a_complaint_still_lets_the_complaint_through():
    assert analyse("예 어제부터 허리가 계속 쑤셔요").signals["health"] in ("medium", "high")
