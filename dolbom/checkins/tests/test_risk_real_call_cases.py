"""Issue 12, batches 8 to 10: whole calls like the realistic ones, in fresh sentences (checked absent
from the training side). The single-utterance cases are in ``test_risk_base_rates.py``."""

from __future__ import annotations

from dolbom.checkins.risk import analyse_calls
from dolbom.checkins.risk import train as training

TRAINED = {e.text for e in training.training_examples()[0]}


def _call(*lines: str) -> list[dict]:
    """Caller and client lines in turn, the caller first; every client line that says something (more
    than a "그려.") must be fresh."""
    turns = [{"role": "system" if i % 2 == 0 else "user", "text": t} for i, t in enumerate(lines)]
    said = [t["text"] for t in turns if t["role"] == "user" and len(t["text"]) > 12]
    assert not any(text in TRAINED for text in said), "use sentences not trained on"
    return turns


def test_it_does_not_alert_on_a_routine_call_full_of_managed_aches():
    (a,) = analyse_calls([_call(
        "안녕하세요, 어르신. 보건소 안부전화예요. 요즘 어떻게 지내세요?",
        "오늘은 복지관 가서 탁구 치고 왔어. 팔이 좀 뻐근헌디 재밌어.",
        "좋으셨겠어요. 식사는 잘 하세요?",
        "점심에 칼국수 한 그릇 다 먹었지.",
        "잠은 잘 주무세요?",
        "새벽에 화장실 한 번 가는 거 말고는 잘 자.",
    )])
    assert not a.needs_followup
    assert a.signals["self_harm"] is None and a.signals["emergency"] is None


def test_it_alerts_on_a_present_fall_in_a_call_that_began_as_small_talk():
    (a,) = analyse_calls([_call(
        "안녕하세요, 할머니. 돌봄 AI 말벗이에요. 오늘 하루 어떠셨어요?",
        "아침에 텃밭 갔다 왔어.",
        "부지런하시네요. 지금은 뭐 하세요?",
        "부엌에서 미끄러져 갖고 지금 바닥에 누워 있어. 혼자는 못 일어나겄어.",
    )])
    assert a.needs_followup and a.signals["emergency"] == "high"


def test_it_alerts_on_an_ongoing_problem_played_down():
    (a,) = analyse_calls([_call(
        "안녕하세요, 아버님. 안부전화입니다. 별일 없으셨어요?",
        "별일이야 없지. 괜찮어.",
        "식사는 잘 하세요?",
        "뭐 먹기는 먹는디, 요 열흘째 하루 한 끼나 겨우 먹어. 넘어가질 않어.",
        "다음 주에 또 전화드릴게요.",
        "그려.",
    )])
    assert a.needs_followup and a.signals["meals"] in ("medium", "high")



# Fresh sentences written after batches 12-14, whose calls taught handled aches, 연탄불 for heating and "빨리
# 가야" before lunch: the model of run 3 (2bb12c0) read the ache in "파스 붙이면 가라앉아" as medium and the
# second and last client lines as self-harm high, alone and in this call. Caller and client in turn.
HANDLED_ACHES_CALL = (
    "안녕하세요, 어르신. 안부전화예요. 요즘 어떠세요?", "손목이 쑤시는 건 파스 붙이면 가라앉아.",
    "다행이에요. 식사는요?", "연탄불 갈고 와서 고구마 올려놨어.",
    "잠은 잘 주무세요?", "초저녁에 자서 새벽에 일어나. 늘 그려.",
    "네, 또 전화드릴게요.", "인자 빨리 가야 혀, 회관에서 점심 준대.",
)


def test_a_call_of_handled_aches_rural_heating_and_leaving_for_lunch_raises_nothing():
    (a,) = analyse_calls([_call(*HANDLED_ACHES_CALL)])
    assert not a.needs_followup
    assert a.signals["self_harm"] is None and a.signals["emergency"] is None
