"""The caller: a state machine that needs no language model.

Role: a polite caller from the city who asks an older person how they are, in short 존댓말 sentences,
remembers what they said last time, never argues, never gives medical advice beyond "see a doctor",
and hands anything worrying to a person. State lives in a JSON dict stored on the call, so a turn
can arrive through any channel (web chat, gateway API) in any process.

Steps: greeting → follow-ups from memory → one question per topic (one probe when the answer is
worrying) → closing. Purpose calls run their own short script. A self-harm or emergency signal in
any answer switches at once to the safety script, which never hangs up by itself.

An optional phraser (dolbom.checkins.dialogue.llm) may rephrase the rule-based line; the safety
script is never rephrased, and the rule-based line is used whenever the phraser fails.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from dolbom.checkins.dialogue import script as s
from dolbom.checkins.risk import Analysis, analyse_utterance

SAFETY_KINDS = ("emergency", "self_harm")
_RANK = {None: 0, "low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True)
class MemoryCue:
    slot: str
    phrase: str  # "무릎이 아프다고"
    days_ago: int


@dataclass(frozen=True)
class CallContext:
    address: str  # "영숙 어르신"
    topics: tuple[str, ...] = s.TOPIC_ORDER
    cues: tuple[MemoryCue, ...] = ()
    pet: str = ""
    place: str = ""
    family: str = ""
    next_call: str = "다음에"
    campaign_kind: str = ""
    campaign_message: str = ""
    seed: int = 0


@dataclass
class Reply:
    text: str
    step: str
    ended: bool = False
    # "" while talking; "completed", "rescheduled", "no_response" or "safety" at the end.
    outcome: str = ""
    reschedule: str = ""  # "later" or "tomorrow"
    analysis: Analysis | None = None
    safety_kind: str = ""
    phrased: bool = False


class Phraser(Protocol):
    def rephrase(self, *, draft: str, client_text: str, step: str, address: str) -> str | None: ...


@dataclass
class DialogueEngine:
    context: CallContext
    # Called as analyse(text, previous_caller_line=...): the caller's line the client answers.
    analyse: Callable[..., Analysis] = analyse_utterance
    phraser: Phraser | None = None
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.context.seed)

    # Public ------------------------------------------------------------------------------------

    def opening(self, state: dict[str, Any]) -> Reply:
        c = self.context
        state.clear()
        state.update({"step": "greeting", "queue": self._queue(), "silences": 0, "off_topic": 0,
                      "probed": [], "answers": {}, "cues": {}, "where": "", "concern": False, "turns": 0})
        text = s.GREETING.format(address=c.address)
        if c.campaign_kind:
            intro, _tip = s.CAMPAIGNS.get(c.campaign_kind, s.CAMPAIGNS["notice"])
            message = f"{c.campaign_message.strip()} " if c.campaign_message.strip() else ""
            text = f"안녕하세요, {c.address}. 전주시 돌봄 안부전화예요. {message}{intro}"
            state["step"] = "campaign:check"
        state["last_question"] = text
        state["last_said"] = text
        return Reply(text=text, step=state["step"])

    def respond(self, state: dict[str, Any], text: str) -> Reply:
        """The caller's answer to one turn of the client; never the very line it said just before."""
        reply = self._respond(state, text)
        if reply.text == state.get("last_said"):
            reply.text = f"{s.NOT_AGAIN} {reply.text}"
        state["last_said"] = reply.text
        return reply

    def _respond(self, state: dict[str, Any], text: str) -> Reply:
        text = (text or "").strip()
        state["last_client"] = text[:300]
        state["turns"] = state.get("turns", 0) + 1
        step = state.get("step", "greeting")
        if step == "safety":
            return self._safety_turn(state, text)
        if s.is_silence(text):
            return self._silence(state)
        state["silences"] = 0
        analysis = self.analyse(text, previous_caller_line=self._answered(state))
        hit = self._safety_hit(analysis)
        if hit:
            return self._enter_safety(state, hit, analysis, text)
        if _RANK[max((v for v in analysis.signals.values()), key=lambda v: _RANK[v], default=None)] >= 2:
            state["concern"] = True
        if s.says_goodbye(text):
            return self._end(state, s.GOODBYE.format(next=self.context.next_call), "completed", analysis)
        if step == "greeting" and s.is_busy(text) or (step != "greeting" and s.is_busy(text) and state["turns"] <= 2):
            when = "내일" if s.wants_tomorrow(text) else "이따가"
            reply = self._end(state, s.BUSY_LATER.format(when=when), "rescheduled", analysis)
            reply.reschedule = "tomorrow" if when == "내일" else "later"
            return reply
        if s.asks_identity(text):
            return self._say(state, f"{s.IDENTITY} {state.get('last_question', '')}".strip(), step, analysis,
                             keep_question=True)
        if s.asks_repeat(text):
            return self._say(state, s.REPEAT.format(question=state.get("last_question", "")), step, analysis,
                             keep_question=True)
        if step.startswith("campaign:"):
            return self._campaign_turn(state, text, analysis)
        if step == "greeting":
            return self._next_question(state, analysis, prefix=s.START_TOPICS)
        if step.startswith("topic:") or step.startswith("probe:") or step.startswith("cue:"):
            return self._answer(state, text, analysis)
        return self._next_question(state, analysis)

    # Steps -------------------------------------------------------------------------------------

    def _queue(self) -> list[str]:
        c = self.context
        cues = [f"cue:{cue.slot}" for cue in c.cues[:2]]
        return cues + [f"topic:{t}" for t in c.topics]

    def _question(self, item: str, state: dict[str, Any]) -> str:
        c = self.context
        kind, _, name = item.partition(":")
        if kind == "cue":
            cue = next(x for x in c.cues if x.slot == name)
            state["cues"][name] = {"phrase": cue.phrase, "resolved": None}
            return s.FOLLOW_UP_Q.format(when=s.when_phrase(cue.days_ago), phrase=cue.phrase)
        if name == "activity" and c.place:
            return f"요즘도 {s.josa(c.place, '에', '에')} 다니세요? 산책은 좀 하시고요?"
        if name == "mood" and c.pet:
            return f"{s.josa(c.pet, '이는', '는')} 잘 있어요? 요즘 기분은 좀 어떠세요?"
        if name == "daily" and c.family:
            family = s.HONORIFIC_FAMILY.get(c.family, c.family)
            return f"요즘 {family}하고는 연락 자주 하세요? 생활하시는 데 불편한 건 없으시고요?"
        return self._rng.choice(s.QUESTIONS[name])

    def _next_question(self, state: dict[str, Any], analysis: Analysis | None, prefix: str = "") -> Reply:
        queue: list[str] = state["queue"]
        if not queue:
            extra = s.CLOSING_CONCERN if state.get("concern") else ""
            return self._end(state, s.CLOSING.format(extra=extra, next=self.context.next_call),
                             "completed", analysis, prefix=prefix)
        item = queue.pop(0)
        question = self._question(item, state)
        state["step"] = item
        state["off_topic"] = 0
        state["last_question"] = question
        return self._say(state, f"{prefix} {question}".strip(), item, analysis)

    def _answer(self, state: dict[str, Any], text: str, analysis: Analysis) -> Reply:
        step = state["step"]
        kind, _, name = step.partition(":")
        worst = self._worst(analysis)
        if kind != "probe" and not analysis.found() and s.is_off_topic(text) and state["off_topic"] < 2:
            state["off_topic"] += 1
            back = s.BACK_TO_TOPIC.format(address=self.context.address, question=state["last_question"])
            return self._say(state, f"{self._rng.choice(s.OFF_TOPIC)} {back}", step, analysis, keep_question=True)
        state["answers"].setdefault(name, []).append(text)
        for other in s.topics_mentioned(text):
            # Covered already: asking again would sound as if the caller had not listened.
            if other != name and f"topic:{other}" in state["queue"]:
                state["queue"].remove(f"topic:{other}")
                state["answers"].setdefault(other, []).append(text)
        if kind == "cue":
            better = worst < 2 and s.sounds_positive(text) and not s.sounds_negative(text)
            state["cues"][name]["resolved"] = better
            if not better:
                state["concern"] = True
            return self._next_question(state, analysis, prefix=s.FOLLOW_UP_BETTER if better else s.FOLLOW_UP_WORSE)
        if kind == "probe":
            return self._next_question(state, analysis, prefix=s.ACK_PROBE_ANSWER)
        # A worrying answer is probed on what it is about: "밥을 못 먹었어요" to the health question
        # gets the meals probe, and the meals question is then not asked again.
        own = s.TOPIC_SIGNAL.get(name, "")
        about = name if own and _RANK[analysis.signals.get(own)] == worst else \
            s.SIGNAL_TOPIC.get(self._worst_kind(analysis), name)
        about = about if about in s.PROBES else name
        if worst >= 2 and about not in state["probed"]:
            state["probed"].append(about)
            if f"topic:{about}" in state["queue"]:
                state["queue"].remove(f"topic:{about}")
            probe = s.PROBES[about]
            state["step"] = f"probe:{about}"
            state["last_question"] = probe
            return self._say(state, f"{self._rng.choice(s.ACK_CONCERN)} {probe}", state["step"], analysis)
        if worst == 1 or s.sounds_negative(text):
            ack = self._rng.choice(s.ACK_MILD)
        else:
            ack = self._rng.choice(s.ACK_GOOD)
        return self._next_question(state, analysis, prefix=ack)

    def _campaign_turn(self, state: dict[str, Any], text: str, analysis: Analysis) -> Reply:
        step = state["step"]
        _intro, tip = s.CAMPAIGNS.get(self.context.campaign_kind, s.CAMPAIGNS["notice"])
        state["answers"].setdefault(step, []).append(text)
        if step == "campaign:check":
            ack = s.ACK_CONCERN[1] if self._worst(analysis) >= 2 or s.sounds_negative(text) else s.ACK_GOOD[0]
            if self._worst(analysis) >= 2:
                state["concern"] = True
            state["step"] = "campaign:help"
            state["last_question"] = s.CAMPAIGN_HELP
            return self._say(state, f"{ack} {s.CAMPAIGN_HELP}", state["step"], analysis)
        extra = s.CLOSING_CONCERN if state.get("concern") or self._worst(analysis) >= 2 else ""
        return self._end(state, s.CAMPAIGN_CLOSE.format(tip=f"{extra}{tip} " if tip or extra else ""),
                         "completed", analysis)

    def _silence(self, state: dict[str, Any]) -> Reply:
        state["silences"] = state.get("silences", 0) + 1
        n = state["silences"]
        if n >= 3:
            outcome = "no_response"
            return self._end(state, s.SILENCE_END, outcome, None)
        line = s.SILENCE[n - 1].format(address=self.context.address)
        return Reply(text=f"{line} {state.get('last_question', '')}".strip() if n == 2 else line,
                     step=state.get("step", ""))

    # Safety ------------------------------------------------------------------------------------

    @staticmethod
    def _safety_hit(analysis: Analysis) -> str:
        for kind in SAFETY_KINDS:
            if analysis.signals.get(kind):
                return kind
        return ""

    def _enter_safety(self, state: dict[str, Any], kind: str, analysis: Analysis, text: str) -> Reply:
        state["step"] = "safety"
        state["where"] = s.where_in(text)
        state["safety_kind"] = kind
        state["concern"] = True
        state["silences"] = 0
        text = s.SAFETY_SELF_HARM.format(address=self.context.address) if kind == "self_harm" else s.SAFETY_EMERGENCY
        # The safety script is fixed text: it must say 119 and 109 exactly, whatever a model would write.
        return Reply(text=text, step="safety", analysis=analysis, safety_kind=kind)

    def _safety_turn(self, state: dict[str, Any], text: str) -> Reply:
        if s.is_silence(text):
            return Reply(text=s.SAFETY_SILENCE.format(address=self.context.address), step="safety")
        analysis = self.analyse(text, previous_caller_line=self._answered(state))
        if s.says_goodbye(text):
            return Reply(text=s.SAFETY_END, step="safety", ended=True, outcome="safety", analysis=analysis)
        where = s.where_in(text)
        if where and not state.get("where"):
            state["where"] = where
            return Reply(text=s.SAFETY_WHERE_KNOWN.format(where=s.josa(where, "에", "에")), step="safety",
                         analysis=analysis)
        if not state.get("where"):
            return Reply(text=s.SAFETY_ASK_WHERE, step="safety", analysis=analysis)
        stays = state.get("stays", 0)
        state["stays"] = stays + 1
        return Reply(text=s.SAFETY_STAYS[stays % len(s.SAFETY_STAYS)], step="safety", analysis=analysis)

    # Helpers -----------------------------------------------------------------------------------

    @staticmethod
    def _answered(state: dict[str, Any]) -> str | None:
        """The caller's line the client's turn answers: the whole line said last (as stored on the call,
        so the live reading and the one at the end of the call agree), else the last question."""
        return state.get("last_said") or state.get("last_question") or None

    @staticmethod
    def _worst(analysis: Analysis | None) -> int:
        if analysis is None:
            return 0
        return max((_RANK[v] for v in analysis.signals.values()), default=0)

    @staticmethod
    def _worst_kind(analysis: Analysis) -> str:
        ranked = [(_RANK[v], k) for k, v in analysis.signals.items() if v]
        return max(ranked)[1] if ranked else ""

    def _say(self, state: dict[str, Any], text: str, step: str, analysis: Analysis | None,
             keep_question: bool = False) -> Reply:
        phrased = False
        if self.phraser is not None:
            better = self.phraser.rephrase(draft=text, client_text=state.get("last_client", ""), step=step,
                                           address=self.context.address)
            if better:
                text, phrased = better, True
        return Reply(text=text, step=step, analysis=analysis, phrased=phrased)

    def _end(self, state: dict[str, Any], text: str, outcome: str, analysis: Analysis | None,
             prefix: str = "") -> Reply:
        state["step"] = "done"
        state["outcome"] = outcome
        reply = self._say(state, f"{prefix} {text}".strip(), "done", analysis)
        reply.ended, reply.outcome, reply.step = True, outcome, "done"
        return reply
