"""Issue 12: risk signals that respect the base rates of real calls.

Every sentence here is checked to be absent from the training side (train.tsv, train_answers.tsv and
the turns of train_calls.txt), so these tests describe held-out behaviour.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from dolbom.checkins.risk import SIGNALS, analyse_calls, analyse_utterance
from dolbom.checkins.risk import train as training
from dolbom.checkins.risk.dataset import TRAIN_CALLS, load, load_calls
from dolbom.checkins.risk.features import KIWI_CUTOFF, parse_many
from dolbom.checkins.risk.model import ARTEFACT, Model
from dolbom.checkins.services import analysis as signal_service

TRAINED = {(e.text, e.context) for e in training.training_examples()[0]}


def analyse(text: str, question: str = ""):
    assert (text, question) not in TRAINED, "tests must use utterances the model was not trained on"
    return analyse_utterance(text, previous_caller_line=question or None)


def present(a) -> dict[str, str]:
    return {k: v for k, v in a.signals.items() if v}


# The issue's table: what analyse_utterance returned before, and what a case manager expects.
@pytest.mark.parametrize(
    "text,expected",
    [
        ("커피 한 잔 마시고 테레비 보고 있었어요.", {}),  # was meals high
        ("경로당 가서 친구들이랑 화투 쳤지.", {}),  # was mood medium; positive social contact
        ("요즘 텃밭에 상추 심느라 바빠요.", {}),  # was health medium
        ("그럼요, 나야 늘 똑같지 뭐.", {}),  # was mood medium
        ("어제 넘어져서 허리가 아파요.", {"health": "medium"}),  # a fall yesterday: the caller should ask more
    ],
)
def test_the_five_sentences_of_the_issue_give_what_a_case_manager_expects(text, expected):
    assert present(analyse(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "아이고 놀라서 죽는 줄 알았네 고양이가 뛰어들어서",
        "더워 죽겠네 오늘은 밖에 못 나가겠어",
        "배고파 죽겠어 얼른 밥 차려 먹어야지",
        pytest.param("미치겠네 돋보기를 또 어디 뒀는지 모르겠어", marks=pytest.mark.xfail(
            strict=True, reason="known miss since batches 16-18: '모르겠어' after '또' reads as daily_living medium "
            "(confusion), as the training calls' ongoing forgetting says it")),
        "기가 막혀 글쎄 고추 한 근에 이만 원이래",
        "말도 안 돼 우리 손녀가 벌써 시집을 간대",
        "어이가 없네 우체국이 벌써 문을 닫았어",
        # batches 8-10: idioms of death, breath and fright, and "going" to the bus, are no danger either
        "손주 재롱 보다가 웃겨서 죽는 줄 알았당께",
        "아이고 더워서 숨 막혀 죽겄네, 오늘은 집에 있을라고",
        "간 떨어질 뻔했네, 천둥이 어찌나 크게 치던지",
        pytest.param("버스 놓치겄다, 나 인자 빨리 가야 혀", marks=pytest.mark.xfail(
            strict=True, reason="known miss: '빨리 가야' is read as a wish to be gone whatever the bus")),
    ],
)
def test_an_idiom_or_an_exclamation_is_neither_self_harm_nor_an_emergency(text):
    a = analyse(text)
    assert a.signals["self_harm"] is None and a.signals["emergency"] is None
    assert not a.needs_followup


@pytest.mark.parametrize(
    "text",
    [
        "지난봄에 계단에서 굴렀는데 이제는 멀쩡해요",
        "작년 겨울에 심장 때문에 입원했었는데 지금은 괜찮아요",
        "앞집 할머니가 쓰러지셔서 구급차가 왔대요",
        "드라마에서 주인공이 불난 집에 갇혔어",
        "요새 그 양반 생각만 하면 가슴이 콩닥거려 허허",  # being in love
        "재작년에 쓰러져서 수술했는디 인자 다 나아서 밭일도 혀",
        "지난달에 가스 냄새가 나서 점검받았는디 아무 이상 없었어",
        "사촌 언니가 어제 넘어져서 못 일어나 구급차를 불렀대",
    ],
)
def test_a_past_event_another_persons_trouble_or_love_talk_is_no_emergency(text):
    a = analyse(text)
    assert a.signals["emergency"] is None and a.signals["self_harm"] is None
    assert not a.needs_followup


@pytest.mark.parametrize(
    "text,kind",
    [
        ("지금 방에서 넘어졌는데 혼자 못 일어나겠어요", "emergency"),
        ("가슴이 너무 조이고 숨이 안 쉬어져요 지금", "emergency"),
        ("부엌에 불이 붙었어요 연기가 가득해", "emergency"),
        ("오늘 밤에 죽어 버릴 거예요", "self_harm"),
        ("이제 그만 살고 싶어 아무 낙이 없어", "self_harm"),
        # said indirectly, as on a real call
        ("방바닥에 주저앉았는디 다리에 힘이 없어서 일어날 수가 없어", "emergency"),
        ("숨이 차서 말을 못 하겠어, 가슴도 꽉 막힌 것 같어", "emergency"),
        ("지금 집 안에서 가스 냄새가 나는 것 같어", "emergency"),
        ("요새는 매일 그냥 자다가 안 깼으면 좋겠어", "self_harm"),
    ],
)
def test_a_present_danger_is_high(text, kind):
    a = analyse(text)
    assert a.signals[kind] == "high" and a.needs_followup


def test_a_short_answer_is_read_with_the_callers_question():
    sleep_q = "요새 밤에 잠은 잘 주무시고요?"
    assert present(analyse("네", sleep_q)) == {}
    assert analyse("아니요", sleep_q).signals["sleep"] in ("medium", "high")
    meals_q = "끼니는 잘 챙겨 드시고요?"
    assert present(analyse("응 잘 먹지", meals_q)) == {}
    assert analyse("아니요 입맛이 통 없어요", meals_q).signals["meals"] in ("medium", "high")


def test_yes_to_a_question_about_wanting_to_die_is_self_harm_and_no_is_nothing():
    question = "요즘 살기 싫다는 생각이 드실 때가 있으세요?"
    assert analyse("네", question).signals["self_harm"] == "high"
    assert present(analyse("아니요 그런 적 없어요", question)) == {}


def test_without_the_question_a_bare_yes_says_nothing():
    assert present(analyse_utterance("네")) == {}
    assert present(analyse_utterance("네", previous_caller_line="")) == {}


@pytest.mark.real_signals
def test_the_live_path_passes_the_callers_line_through_the_service():
    question = "요새 밤에 잠은 잘 주무시고요?"
    assert signal_service.analyse_utterance("아니요", previous_caller_line=question).signals["sleep"] in ("medium", "high")
    assert signal_service.analyse_utterance("아니요").signals["sleep"] is None  # the old one-argument call still works


def test_a_call_is_read_turn_by_turn_with_the_question_before_each_answer():
    sleep = [
        {"role": "system", "text": "안녕하세요, 어르신. 돌봄 안부전화예요."},
        {"role": "user", "text": "네"},
        {"role": "system", "text": "요새 밤에 잠은 잘 주무시고요?"},
        {"role": "user", "text": "아니요"},
    ]
    calm = [sleep[0], sleep[1], {"role": "system", "text": "요새 식사는 잘 챙겨 드시고요?"}, {"role": "user", "text": "네"}]
    a, b = analyse_calls([sleep, calm])
    assert a.needs_followup and a.signals["sleep"] in ("medium", "high")
    assert not b.needs_followup and present(b) == {}


def test_the_batch_command_flags_a_call_from_its_worst_turn_read_in_context(tmp_path: Path):
    calls = [
        {"id": "routine", "turns": [
            {"role": "system", "text": "요즘 어떻게 지내세요?"},
            {"role": "user", "text": "아침에 공원 한 바퀴 돌고 와서 믹스커피 한 잔 했지요"},
            {"role": "system", "text": "요새 밤에 잠은 잘 주무시고요?"},
            {"role": "user", "text": "네"},
        ]},
        {"id": "sleepless", "turns": [
            {"role": "system", "text": "요즘 어떻게 지내세요?"},
            {"role": "user", "text": "아침에 공원 한 바퀴 돌고 와서 믹스커피 한 잔 했지요"},
            {"role": "system", "text": "요새 밤에 잠은 잘 주무시고요?"},
            {"role": "user", "text": "아니요"},
        ]},
    ]
    src = tmp_path / "calls.jsonl"
    src.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in calls), encoding="utf-8")
    out = tmp_path / "signals.jsonl"
    call_command("checkins", "analyse", "--input", str(src), "--output", str(out))
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["routine"]["needs_followup"] is False
    assert rows["sleepless"]["needs_followup"] is True and rows["sleepless"]["signals"]["sleep"] in ("medium", "high")


# ---- the shipped model and its training ---------------------------------------------------------

def test_the_shipped_model_was_trained_on_the_current_answers_and_calls():
    # If train_answers.tsv or train_calls.txt changes, run `dolbom checkins train` and ship model.npz.
    assert Model.load(ARTEFACT).extra_fingerprint == training.extra_fingerprint()


def test_the_shipped_model_carries_the_thresholds_the_analyser_decides_with():
    from dolbom.checkins.risk.analyser import model

    shipped, serving = Model.load(ARTEFACT), model()
    assert serving.kiwi_cutoff == shipped.kiwi_cutoff == KIWI_CUTOFF
    for name in ("present_threshold", "followup_threshold", "urgent_threshold", "urgent_cue_threshold", "single_threshold"):
        assert np.array_equal(np.broadcast_to(getattr(serving, name), (len(SIGNALS),)), getattr(shipped, name)), name
    # Every threshold came from cross-validation's grid, not a default left behind.
    grid = set(training.GRID) | set(training.PRESENT_GRID)
    for i, kind in enumerate(SIGNALS):
        used = (shipped.urgent_threshold[i], shipped.urgent_cue_threshold[i]) if kind in ("self_harm", "emergency") \
            else (shipped.followup_threshold[i], shipped.present_threshold[i])
        assert all(any(abs(float(u) - g) < 1e-6 for g in grid) for u in used), kind
        # The whole-call rule's threshold: from the grid (or 1.01, every lone medium tentative), never
        # below the follow-up threshold, so a medium stays a medium on the line.
        single = float(shipped.single_threshold[i])
        assert single >= float(shipped.followup_threshold[i]) - 1e-6, kind
        assert any(abs(single - g) < 1e-6 for g in (*grid, 1.01)), kind


def test_choosing_thresholds_by_cross_validation_is_deterministic():
    examples, _, n_utterances = training.training_examples()
    sample = examples[:150] + examples[-150:]  # utterances and whole-call turns
    parsed = parse_many([e.text for e in sample], [e.context for e in sample])
    labels = training.labels_of(sample)
    content = np.array([p.has_content for p in parsed])
    from dolbom.checkins.risk.model import cue_matrix

    cues = cue_matrix(parsed)
    weights = training.base_rate_weights(labels, 150)
    runs = []
    for _ in range(2):
        oof = training.cross_validate(parsed, labels, training.folds_of(sample))
        runs.append((oof, training.choose_thresholds(oof, labels, weights, content, cues)))
    assert np.array_equal(runs[0][0], runs[1][0])
    for name in ("present", "followup", "urgent", "urgent_cue"):
        assert np.array_equal(getattr(runs[0][1], name), getattr(runs[1][1], name))


def test_a_call_never_straddles_two_cross_validation_folds():
    examples, calls, _ = training.training_examples()
    folds = training.folds_of(examples)
    by_call: dict[str, set[int]] = {}
    for e, f in zip(examples, folds, strict=True):
        if e.call:
            by_call.setdefault(e.call, set()).add(int(f))
    assert len(by_call) == len(calls) and all(len(f) == 1 for f in by_call.values())


def test_routine_utterances_weigh_as_often_as_routine_turns_occur_in_whole_calls():
    examples, _, n_utterances = training.training_examples()
    labels = training.labels_of(examples)
    weights = training.base_rate_weights(labels, n_utterances)
    routine = ~(labels >= 2).any(axis=1)
    weighted_share = weights[:n_utterances][routine[:n_utterances]].sum() / weights[:n_utterances].sum()
    assert weighted_share == pytest.approx(routine[n_utterances:].mean())
    assert (weights[n_utterances:] == 1).all()


# ---- the training calls ---------------------------------------------------------------------------

def test_the_training_calls_look_like_real_calls():
    calls = load_calls()
    assert len(calls) >= 100
    turns = [e for c in calls for e in c.examples()]
    routine_turns = sum(not any(v >= 2 for v in e.labels.values()) for e in turns)
    assert routine_turns / len(turns) > 0.8  # most of what people say on a call carries nothing
    needing = sum(any(v >= 2 for v in c.labels().values()) for c in calls)
    assert 0.15 <= needing / len(calls) <= 0.3  # about one call in five needs follow-up
    assert all(e.context for e in turns), "every client turn follows a caller's line"


def test_a_training_call_is_labelled_by_its_worst_turn():
    call = load_calls()[0]
    worst = call.labels()
    for kind in SIGNALS:
        assert worst[kind] == max(e.labels[kind] for e in call.examples())


@pytest.mark.parametrize(
    "line,why",
    [
        ("U\t-\t네", "before the first"),
        ("=== a\nX\t네", "expected 'C<TAB>text'"),
        ("=== a\nU\tq9\t네", "bad label"),
        ("=== a\nC\t안녕하세요\n=== a\nC\t또", "repeat"),
    ],
)
def test_a_malformed_training_call_file_is_refused_with_its_line(tmp_path: Path, line, why):
    path = tmp_path / "calls.txt"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=why):
        load_calls(path)


def test_an_answer_keeps_the_callers_question_from_its_third_column(tmp_path: Path):
    path = tmp_path / "answers.tsv"
    path.write_text("s2\t아니요\t밤에 잠은 잘 주무세요?\n-\t네\n", encoding="utf-8")
    first, second = load(path)
    assert (first.text, first.context, first.labels["sleep"]) == ("아니요", "밤에 잠은 잘 주무세요?", 2)
    assert (second.text, second.context) == ("네", "")


def test_the_issue_sentences_were_kept_out_of_the_training_side():
    texts = {t for t, _ in TRAINED} | {t.text for c in load_calls(TRAIN_CALLS) for t in c.turns}
    for sentence in ("커피 한 잔 마시고 테레비 보고 있었어요.", "경로당 가서 친구들이랑 화투 쳤지.",
                     "요즘 텃밭에 상추 심느라 바빠요.", "그럼요, 나야 늘 똑같지 뭐.", "어제 넘어져서 허리가 아파요."):
        assert sentence not in texts and sentence.rstrip(".").replace(",", "") not in texts


def test_a_question_that_names_the_problem_is_framed_apart_from_one_that_asks_if_all_is_well():
    # "네" to "요즘 식사 거르세요?" says the problem is there, "네" to "식사는 잘 하세요?" that all is well: the model
    # can only tell them apart if the question's frame does. Empathy before the question ("많이 힘드시겠어요.")
    # is not what is asked.
    from dolbom.checkins.risk.questions import question_features

    assert question_features("요즘 식사 거르세요?") == ("meals|PROB",)
    assert question_features("식사는 잘 하세요?") == ("meals|POS",)
    assert "sleep|PROB" in question_features("그러셨구나. 요즘도 밤에 잠을 잘 못 주무세요?")
    assert all(q.endswith("|POS") for q in question_features("많이 힘드시겠어요. 식사는 하세요?"))
    assert question_features("어디 편찮으세요?") == ("health|PROB",)
    assert question_features("아프신 데는 없으세요?") == ("health|NEG",)
