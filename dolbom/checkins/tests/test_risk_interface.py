"""The contract the dialogue engine, alerts and the batch command rely on."""

from __future__ import annotations

import dataclasses

import pytest

from dolbom.checkins.risk import SIGNALS, Analysis, Signal, analyse_calls, analyse_turns, analyse_utterance
from dolbom.checkins.risk.analyser import analyse_many


def test_every_kind_is_a_key_even_when_nothing_is_found():
    a = analyse_utterance("오늘 손주가 놀러 와서 같이 점심 먹었어요")
    assert set(a.signals) == set(SIGNALS) and set(a.evidence) == set(SIGNALS)
    assert all(v is None for v in a.signals.values())
    assert a.needs_followup is False and a.found() == []


def test_results_are_immutable():
    a = analyse_utterance("요새 허리가 계속 아파요")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.needs_followup = False  # type: ignore[misc]


def test_needs_followup_is_true_exactly_when_a_signal_is_medium_or_high():
    for text in ("요새 허리가 계속 아파요", "어깨가 조금 결리는 정도예요", "날씨가 좋아서 산책했어요"):
        a = analyse_utterance(text)
        assert a.needs_followup == any(v in ("medium", "high") for v in a.signals.values())


def test_found_lists_signals_with_a_span_of_the_utterance_as_evidence():
    text = "밤마다 다리가 쑤셔서 한숨도 못 자요"
    a = analyse_utterance(text)
    found = a.found()
    assert found and all(isinstance(s, Signal) and s.kind in SIGNALS for s in found)
    for s in found:
        assert s.evidence and s.evidence in text
        assert a.signals[s.kind] == s.severity
    ranks = [("low", "medium", "high").index(s.severity) for s in found]
    assert ranks == sorted(ranks, reverse=True)


def test_only_the_clients_turns_count():
    turns = [
        {"role": "system", "text": "혹시 죽고 싶다는 생각이 드신 적 있으세요? 넘어지신 적은요?"},
        {"role": "user", "text": "아니요 그런 적 없어요"},
    ]
    a = analyse_turns(turns)
    assert a.signals["self_harm"] is None and a.signals["emergency"] is None


def test_turns_keep_the_most_severe_reading_of_each_kind():
    low_then_worse = [
        {"role": "user", "text": "허리가 조금 뻐근해요"},
        {"role": "system", "text": "언제부터 그러셨어요?"},
        {"role": "user", "text": "사실은 한 달째 허리가 너무 아파서 잠도 못 자요"},
    ]
    a = analyse_turns(low_then_worse)
    single = analyse_utterance(low_then_worse[2]["text"])
    assert a.signals["health"] == single.signals["health"] == "medium"
    assert a.needs_followup


def test_analysing_many_calls_at_once_gives_the_same_answers_as_one_by_one():
    calls = [
        [{"role": "user", "text": "입맛이 없어서 하루 한 끼 먹어요"}],
        [],
        [{"role": "user", "text": "잘 지내요"}, {"role": "user", "text": "밤에 자꾸 깨요"}],
    ]
    assert analyse_calls(calls) == [analyse_turns(c) for c in calls]
    assert isinstance(analyse_calls([[]])[0], Analysis)


def test_repeated_utterances_in_a_batch_get_the_same_analysis_as_alone():
    batch = ["네", "무릎이 계속 쑤셔요", "네", "무릎이 계속 쑤셔요", "고마워요"]
    together = analyse_many(batch)
    assert together == [analyse_many([text])[0] for text in batch]
    together[1][1]["health"].append("changed")  # each result is its own copy
    assert together[3][1]["health"] != together[1][1]["health"]


def test_a_short_turn_seen_in_an_earlier_batch_reads_as_it_did_with_the_same_question():
    sleep, harm = "잠은 잘 주무세요?", "혹시 죽고 싶다는 생각이 드신 적 있으세요?"
    first = analyse_many(["네", "네"], [sleep, harm])
    assert first[0][0]["self_harm"] is None and first[1][0]["self_harm"] == "high"
    first[1][1]["self_harm"].append("changed")  # the caller's copy, not the kept one
    again = analyse_many(["고마워요", "네", "네"], ["", harm, sleep])
    assert again[1:] == [analyse_many(["네"], [harm])[0], analyse_many(["네"], [sleep])[0]]
    assert "changed" not in again[1][1]["self_harm"] and again[1][0]["self_harm"] == "high"


def test_a_model_switched_to_never_answers_from_what_the_first_one_kept(tmp_path):
    import numpy as np

    from dolbom.checkins.risk.analyser import model

    text = "허리가 계속 아파요"  # short: kept for later batches
    assert analyse_utterance(text).needs_followup and analyse_utterance(text).needs_followup
    strict = dataclasses.replace(model(), followup_threshold=np.full(len(SIGNALS), 1.01, dtype=np.float32))
    assert not strict.memo
    _follows_up_only_with_the_shipped_model(text, strict, tmp_path)


def _follows_up_only_with_the_shipped_model(text, strict, tmp_path):
    from dolbom.checkins.risk import use_model

    strict.save(tmp_path / "strict.npz")
    try:
        use_model(tmp_path / "strict.npz")
        assert not analyse_utterance(text).needs_followup
    finally:
        use_model(None)
    assert analyse_utterance(text).needs_followup


def test_use_model_switches_the_analyser_to_another_model_file_and_back(tmp_path):
    import numpy as np

    from dolbom.checkins.risk.analyser import model

    text = "요새 허리가 계속 아파요"
    assert analyse_utterance(text).needs_followup
    strict = dataclasses.replace(model(), followup_threshold=np.full(len(SIGNALS), 1.01, dtype=np.float32))
    _follows_up_only_with_the_shipped_model(text, strict, tmp_path)


def test_use_model_refuses_a_file_made_with_other_analyser_settings(tmp_path):
    from dolbom.checkins.risk import use_model
    from dolbom.checkins.risk.analyser import model

    other = dataclasses.replace(model(), kiwi_cutoff=model().kiwi_cutoff + 1)
    other.save(tmp_path / "other.npz")
    with pytest.raises(ValueError):
        use_model(tmp_path / "other.npz")
    assert analyse_utterance("요새 허리가 계속 아파요").needs_followup


def _turn(tentative: frozenset[str] = frozenset(), **levels: str) -> Analysis:
    signals = {k: levels.get(k) for k in SIGNALS}
    evidence = {k: ([f"{k} 말"] if levels.get(k) else []) for k in SIGNALS}
    return Analysis(signals=signals, evidence=evidence, tentative=tentative,
                    needs_followup=any(v in ("medium", "high") for v in signals.values()))


def test_a_call_with_one_unsure_medium_and_nothing_else_is_not_a_follow_up():
    from dolbom.checkins.risk import combine_turns

    call = combine_turns([_turn(), _turn(frozenset({"health"}), health="medium"), _turn(sleep="low")])
    assert call.signals["health"] == "low" and call.signals["sleep"] == "low"
    assert not call.needs_followup and call.evidence["health"] == ["health 말"]


def test_an_unsure_medium_counts_when_another_turn_raises_a_follow_up_too():
    from dolbom.checkins.risk import combine_turns

    call = combine_turns([_turn(frozenset({"health"}), health="medium"), _turn(frozenset({"sleep"}), sleep="medium")])
    assert call.signals["health"] == "medium" and call.signals["sleep"] == "medium" and call.needs_followup


def test_a_sure_medium_or_any_high_makes_the_call_a_follow_up_alone():
    from dolbom.checkins.risk import combine_turns

    assert combine_turns([_turn(), _turn(mood="medium")]).signals["mood"] == "medium"
    urgent = combine_turns([_turn(frozenset({"health"}), health="medium", emergency="high")])
    assert urgent.signals["emergency"] == "high" and urgent.needs_followup
    assert combine_turns([_turn(health="high")]).signals["health"] == "high"


def test_a_whole_call_is_the_rule_applied_to_its_turns_read_one_by_one():
    from dolbom.checkins.risk import analyse_calls, client_turns, combine_turns

    call = [{"role": "system", "text": "요즘 몸은 좀 어떠세요?"}, {"role": "user", "text": "무릎이 좀 쑤시는데 파스 붙이면 나아요"},
            {"role": "system", "text": "잠은 잘 주무세요?"}, {"role": "user", "text": "요새 한 달째 잠을 거의 못 자요"}]
    one_by_one = combine_turns([analyse_utterance(t, previous_caller_line=c) for t, c in client_turns(call)])
    assert analyse_calls([call])[0] == one_by_one
