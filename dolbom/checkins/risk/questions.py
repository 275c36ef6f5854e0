"""The caller's line as context for the answer after it (check-in risk features).

A short answer carries its meaning in the question, so the question's topics and frame are features of the
answer. Read with regular expressions only: this module knows nothing of tokens or concepts (``features``
passes what it found).
"""

from __future__ import annotations

import re
from functools import lru_cache

# ---- the caller's question as context -------------------------------------------------------
# A short answer carries its meaning in the question: "네" to "잠은 잘 주무세요?" is nothing, "아니요"
# to it is a sleep problem, and "네" to "죽고 싶다는 생각이 드신 적 있으세요?" is self-harm. The
# question is read with regular expressions, not kiwipiepy: the caller's lines are few and repeat
# (they are cached), and tokenising them would double the time per turn.
_Q_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rx))
    for name, rx in (
        ("health", r"몸|건강|아프|아픈|아파|편찮|불편|병원|약은|약을|어지럽|다치|기침|무릎|허리|어깨|다리"),
        ("meals", r"식사|드셨|드시|진지|입맛|밥|끼니|거르"),
        ("sleep", r"잠|주무"),
        ("mood", r"기분|마음|적적|외롭|울적|이야기 나눌|말벗|힘드시|걱정"),
        ("daily", r"생활|집안일|장 ?보|난방|따뜻|보일러|나들이|밖에|외출|산책|걷기|도움이 필요|불편한 건"),
        ("self_harm", r"죽고 싶|죽을 생각|나쁜 생각|해치|극단|살기 싫"),
        ("emergency", r"넘어지|넘어졌|쓰러|움직이실|일어나실|가슴이 아프|숨이 차|119|다치신"),
    )
)
# How the question is framed decides what "네" means: agreeing with "아프신 데는 없으세요?" says no pain.
_Q_NEGATIVE = re.compile(r"없으세요|없으시|없고요|없으신|않으세요|않으시|않고요|아니시죠|아니죠|괜찮으세요|괜찮으시")
_Q_DURATION = re.compile(r"얼마나 되|언제부터|며칠|몇 ?(달|년|일)")
_Q_FOLLOW_UP = re.compile(r"하셨는데|하셨잖아|지난번|지난주|저번")
# A question that names the problem itself ("요즘 식사 거르세요?", "지금도 두근거리세요?"): "네" to it says the
# problem is there, the opposite of "네" to "식사는 잘 하세요?". Empathy before it ("많이 힘드시겠어요.") is no
# question, so only the last sentence is read for this frame.
_Q_PROBLEM = re.compile(
    r"못 ?주무|못 ?드시|거르|아프세요|아프신가|아프신 데 있|편찮으세요|힘드세요|힘드신가|적적하세요|외로우세요"
    r"|어지러우세요|요즘도|아직도|여전히|지금도"
)
_SENTENCE_END = re.compile(r"[.!?。]\s+")
ANSWER_YES = re.compile(r"^[\s,.~…]*(네|예|응|어어|그럼|그래|그렇|맞아|맞지|암요|아무렴|당연|있어|있지|있어요)")
ANSWER_NO = re.compile(r"^[\s,.~…]*(아니|아뇨|아녀|안 |못 |없)")


@lru_cache(maxsize=4096)
def question_features(caller: str) -> tuple[str, ...]:
    """'topic|frame' for each topic the caller's line asks about ('health|NEG', 'sleep|POS', ...)."""
    caller = caller.strip()
    if not caller:
        return ()
    # The question is the caller's last sentence or two; a greeting or acknowledgement before it
    # ("다행이네요. 식사는 잘 하세요?") says nothing about what is asked.
    tail = caller[-60:]
    frame = (
        "DUR" if _Q_DURATION.search(tail)
        else "FU" if _Q_FOLLOW_UP.search(tail)
        else "NEG" if _Q_NEGATIVE.search(tail)
        else "PROB" if _Q_PROBLEM.search(_SENTENCE_END.split(tail.rstrip())[-1])
        else "POS"
    )
    out = [f"{name}|{frame}" for name, rx in _Q_TOPICS if rx.search(tail)]
    return tuple(out) if out else ("other|" + frame,)


def answer_features(questions: tuple[str, ...], norm: str, content_words: int, found: set[str], *, negated: bool,
                    problem: bool) -> list[str]:
    """The answer read with its question: the question's topic and frame with the answer's polarity and size.
    ``negated``: the answer holds a negation; ``problem``: it names a problem concept."""
    pols = []
    if ANSWER_YES.search(norm):
        pols.append("YES")
    if ANSWER_NO.search(norm):
        pols.append("NO")
    if negated:
        pols.append("NEG")
    if "GOOD" in found:
        pols.append("GOOD")
    if problem:
        pols.append("BAD")
    pols = pols or ["OTHER"]
    size = "SHORT" if content_words <= 2 else "LONG"
    out: list[str] = []
    for q in questions:
        topic = q.partition("|")[0]
        out += [f"Q:{topic}", f"Q:{q}", f"Q:{topic}+{size}"]
        out += [f"Q:{q}+A:{p}" for p in pols]
        out += [f"Q:{q}+A:{p}+{size}" for p in pols]
    return out
