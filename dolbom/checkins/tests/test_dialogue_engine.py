"""The rule-based caller, with no database and no language model."""

from __future__ import annotations

from dolbom.checkins.dialogue.engine import CallContext, DialogueEngine, MemoryCue
from dolbom.checkins.tests.conftest import keyword_analysis


def engine(**context) -> DialogueEngine:
    return DialogueEngine(context=CallContext(address="영숙 어르신", **context), analyse=keyword_analysis)


def talk(e: DialogueEngine, lines: list[str]):
    state: dict = {}
    replies = [e.opening(state)]
    for line in lines:
        replies.append(e.respond(state, line))
        if replies[-1].ended:
            break
    return state, replies


def test_it_greets_the_client_by_the_preferred_name_and_honorific():
    _, replies = talk(engine(), [])
    assert replies[0].text.startswith("안녕하세요, 영숙 어르신.")


def test_every_line_is_polite_and_short():
    _, replies = talk(engine(), ["네", "괜찮아요", "잘 먹어요", "잘 자요", "산책해요", "좋아요", "없어요"])
    assert replies[-1].ended and replies[-1].outcome == "completed"
    for reply in replies:
        for sentence in reply.text.replace("?", ".").split("."):
            assert len(sentence.strip()) <= 45
        assert reply.text.rstrip().endswith(("요.", "요?", "니다.", "세요.", "예요."))


def test_it_asks_each_chosen_topic_once_and_never_an_opted_out_one():
    state, replies = talk(engine(topics=("health", "meals")), ["네", "괜찮아요", "잘 먹어요"])
    asked = " ".join(r.text for r in replies)
    assert "몸" in asked or "건강" in asked
    assert "주무세요" not in asked and "기분" not in asked
    assert replies[-1].ended


def test_it_follows_up_on_memory_first():
    _, replies = talk(engine(cues=(MemoryCue("health", "무릎이 아프다고", 7),)), ["네"])
    assert "지난주에 무릎이 아프다고 하셨는데, 요즘은 좀 어떠세요?" in replies[-1].text


def test_a_worrying_answer_gets_empathy_and_one_probe():
    state, replies = talk(engine(topics=("health", "meals")), ["네", "허리가 아파요"])
    assert "병원" in replies[-1].text and replies[-1].step == "probe:health"
    reply = DialogueEngine.respond(engine(topics=("health", "meals")), state, "아직 못 갔어요")
    assert "담당 선생님" in reply.text and reply.step == "topic:meals"


def test_busy_reschedules_and_tomorrow_is_understood():
    _, replies = talk(engine(), ["지금 바빠요 내일 전화해요"])
    assert replies[-1].ended and replies[-1].outcome == "rescheduled" and replies[-1].reschedule == "tomorrow"
    assert "내일" in replies[-1].text


def test_silence_is_prompted_twice_then_the_call_ends_politely():
    _, replies = talk(engine(), ["", "...", ""])
    assert "여보세요" in replies[1].text and not replies[1].ended
    assert replies[3].ended and replies[3].outcome == "no_response"


def test_off_topic_talk_is_acknowledged_and_the_question_comes_back():
    state, replies = talk(engine(), ["네", "어제 텔레비전에서 트로트 봤어요"])
    assert not replies[-1].ended
    assert state["step"] == "topic:health" and "건강" in replies[-1].text or "몸" in replies[-1].text


def test_who_is_calling_is_answered_honestly():
    _, replies = talk(engine(), ["누구세요?"])
    assert "인공지능" in replies[-1].text


def test_an_emergency_switches_to_the_safety_script_which_does_not_hang_up():
    state, replies = talk(engine(), ["네", "부엌에서 넘어졌어요"])
    assert replies[-1].safety_kind == "emergency" and "119" in replies[-1].text
    e = engine()
    for line in ["", "아파요", "집이에요", "계속 아파요"]:
        reply = e.respond(state, line)
        assert not reply.ended and reply.step == "safety"
    assert state["where"] == "부엌"


def test_a_heat_wave_purpose_call_runs_its_own_short_script():
    _, replies = talk(engine(campaign_kind="heat_wave", campaign_message="폭염경보입니다."),
                      ["좀 어지러워요", "아니요 괜찮아요"])
    assert "폭염" in replies[0].text
    assert "도움" in replies[1].text
    assert replies[2].ended and "무더위쉼터" in replies[2].text


def test_personal_memory_colours_the_questions():
    _, replies = talk(engine(topics=("activity", "mood", "daily"), pet="나비", place="경로당", family="딸"),
                      ["네", "네", "좋아요", "괜찮아요"])
    said = " ".join(r.text for r in replies)
    assert "경로당에 다니세요" in said and "나비는 잘 있어요" in said and "따님" in said


def test_a_topic_the_client_already_covered_is_not_asked_again():
    state, replies = talk(engine(topics=("health", "meals", "sleep")), ["네", "괜찮아요, 밥도 잘 먹어요"])
    assert "주무세요" in replies[-1].text and "식사" not in replies[-1].text
    assert state["answers"]["meals"] == ["괜찮아요, 밥도 잘 먹어요"]


def test_each_answer_is_read_with_the_callers_line_it_answers():
    heard: list[tuple[str, str | None]] = []

    def recording(text: str, previous_caller_line: str | None = None):
        heard.append((text, previous_caller_line))
        return keyword_analysis(text)

    engine = DialogueEngine(context=CallContext(address="영숙 어르신"), analyse=recording)
    state: dict = {}
    said = [engine.opening(state).text]
    for answer in ("네 괜찮아요", "무릎이 아파요", "병원은 아직요"):
        said.append(engine.respond(state, answer).text)
    assert [line for _, line in heard] == said[:3]
    assert [text for text, _ in heard] == ["네 괜찮아요", "무릎이 아파요", "병원은 아직요"]


def test_in_the_safety_script_an_answer_is_read_with_the_safety_line_before_it():
    heard: list[str | None] = []

    def recording(text: str, previous_caller_line: str | None = None):
        heard.append(previous_caller_line)
        return keyword_analysis(text)

    engine = DialogueEngine(context=CallContext(address="영숙 어르신"), analyse=recording)
    state: dict = {}
    engine.opening(state)
    safety = engine.respond(state, "넘어졌는데 못 일어나겠어요")
    assert safety.step == "safety"
    engine.respond(state, "안방이에요")
    assert heard[-1] == safety.text
