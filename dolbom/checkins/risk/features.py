"""Turning a Korean utterance into sparse features.

An utterance is tokenised by kiwipiepy, cut into clauses at sentence ends and clause-joining endings
(-는데, -고, -지만, ...), and each content morpheme becomes a feature. Negation and time are scoped to
the clause: "무릎은 안 아픈데 밥맛이 없어요" must keep the pain negated and the appetite not, so a
morpheme in a negated clause also emits ``form|NEG``; in a clause about the distant past
("작년에 넘어졌는데") it emits ``form|AGO``; when a later clause says it is over ("지금은 괜찮아요") it
emits ``form|RES``. Character n-grams of the raw text are added because older speakers' dialect and
speech-to-text errors often defeat the morphological analyser ("아퍼서" → 아/IC 푸/VV). The concepts of risk
(hand-chosen stems, ``S:`` features, danger cues) are in ``concepts``, the caller's question in ``questions``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dolbom.checkins.risk.concepts import (
    DANGER_CONCEPTS,
    NEG_RE,
    PROBLEM_CONCEPTS,
    concept_features,
    concepts_in,
    danger_cues,
)
from dolbom.checkins.risk.questions import ANSWER_NO, ANSWER_YES, answer_features, question_features

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

_KIWI: Kiwi | None = None
_KIWI_LOCK = threading.Lock()
# kiwipiepy drops candidate analyses scoring this far below the best; its default is 8. Analysis is
# nearly all of the time spent per utterance, and at 4 it runs about 1.3 times as fast.
# The shipped model is trained on what this setting produces, so train and serve must agree.
KIWI_CUTOFF = 4.0

# Endings that join clauses: negation and time do not reach across them. "-지" is left out on
# purpose: "아프지 않아요" is one clause whose verb is negated after the fact.
_CLAUSE_EC = frozenset(
    "는데 은데 ㄴ데 ᆫ데 는디 은디 ᆫ디 고 지만 는데도 은데도 면서 으면서 다가 더니 으니까 니까 어서 아서 서 "
    "어도 아도 더라도 거나 든지 는지".split()
)
# Words older speakers use to place a problem in the past.
_AGO = frozenset(
    "작년 재작년 옛날 예전 전 지난 지난번 지난달 지난해 젊 왕년 한때 옛적 수년 몇년 년전 오래전 접때 그때".split()
)
_NOW = frozenset("지금 요즘 요새 계속 아직 아직도 오늘 어제 어젯밤 며칠 며칠째 매일 맨날 날마다 밤마다 자꾸 당장 방금 이제".split())
# Verb/adjective stems that say a problem is over.
_RESOLVED = frozenset("괜찮 낫 나 좋아지 회복 멀쩡 말짱 개안 갠찮 괜찬 나사".split())
_NEG_ADVERB = frozenset("안 못 않 아니 말 아니하 못하".split())
_CONTENT_PREFIXES = ("NN", "NP", "NR", "VV", "VA", "VX", "MA", "XR", "IC", "SL", "SN", "MM", "XS")

# A few Jeolla/Chungcheong spoken forms mapped to standard ones before analysis; kiwipiepy's
# standard model reads the standard forms far better. Every replacement keeps the length, so the
# analyser's character offsets are offsets into what the client said and evidence quotes them exactly.
# With each pattern a character every match contains: most texts hold none of them, and eleven
# substitutions that find nothing cost more than the rest of normalising.
_DIALECT = [
    (re.compile(r"허요"), "해요", "허"),
    (re.compile(r"혀요"), "해요", "혀"),
    (re.compile(r"혀(?=[\s.,!?~]|$)"), "해", "혀"),
    (re.compile(r"겄"), "겠", "겄"),
    (re.compile(r"디(?=[\s.,!?~]|$)"), "데", "디"),
    (re.compile(r"아퍼"), "아파", "퍼"),
    (re.compile(r"(?<![가-힣])마니(?![가-힣])"), "많이", "니"),
    (re.compile(r"묵(?=[었어고는을으])"), "먹", "묵"),
    (re.compile(r"잉(?=[\s.,!?~]|$)"), " ", "잉"),
    (re.compile(r"~"), " ", "~"),
    (re.compile(r"…"), " ", "…"),
]


_SPACES = re.compile(r"\s+")


def kiwi() -> Kiwi:
    """One shared analyser. kiwipiepy loads its model from the kiwipiepy_model wheel (no download)."""
    global _KIWI
    if _KIWI is None:
        with _KIWI_LOCK:
            if _KIWI is None:
                from kiwipiepy import Kiwi

                # One worker thread: batch calls pipeline on it, and per-core speed stays measurable.
                k = Kiwi(num_workers=1)
                k.global_config.cutoff_threshold = KIWI_CUTOFF
                _SHORT_TOKENS.clear()  # another analyser's tokens
                _KIWI = k
    return _KIWI


def normalise(text: str) -> str:
    for pattern, repl, mark in _DIALECT:
        if mark in text:
            text = pattern.sub(repl, text)
    return text


@dataclass(frozen=True, slots=True)
class Clause:
    start: int  # character offsets into the normalised text
    end: int
    features: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Parsed:
    text: str  # what the client said; clause offsets refer to it
    clauses: tuple[Clause, ...]
    features: tuple[str, ...]  # utterance-level features (flags, concept pairs)
    # Every problem mentioned lies in the past and is said to be over ("작년에 넘어졌는데 지금은
    # 괜찮아요"): the analyser caps it at low and never reports it as an emergency.
    resolved_past: bool = False
    # Any word beyond interjections and particles ("예", "음", "아이고" alone have none): without words
    # there is nothing to show for a signal, and the model's bias alone would report health.
    has_content: bool = True
    cues: frozenset[str] = frozenset()  # see danger_cues


def _clause_spans(tags: Sequence[str], forms: Sequence[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    begin = 0
    last = len(tags) - 1
    for i, tag in enumerate(tags):
        # "-고" before an auxiliary verb joins nothing: "죽고 싶어", "먹고 있어" are one clause, and
        # cutting them would leave "싶은 생각은 없어요" denying nothing.
        if tag == "EC" and i < last and tags[i + 1].startswith("VX"):
            continue
        if tag in ("EF", "SF", "SP") or (tag == "EC" and forms[i] in _CLAUSE_EC):
            spans.append((begin, i + 1))
            begin = i + 1
    if begin < len(tags):
        spans.append((begin, len(tags)))
    return [s for s in spans if s[1] > s[0]]


_CHAR_SEP = re.compile(r"[\s.,!?~\"']+")
_NEG_TAGS = frozenset(("MAG", "VX", "VCN", "VV"))
_PAST_EP = frozenset(("었", "았", "였", "ᆻ"))


def _char_ngrams(text: str, polarity: str = "") -> list[str]:
    compact = "#" + _CHAR_SEP.sub("#", text) + "#"
    # Trigrams only: bigrams added nothing in cross-validation and cost speed.
    prefix = f"c3{polarity}:"
    return [prefix + compact[i : i + 3] for i in range(len(compact) - 2)]


_TOKEN_KIND: dict[str, str] = {}


def _token_kind(tag: str) -> str:
    """"/" and the tag's first two letters for content morphemes and past-tense markers, else ""."""
    kind = _TOKEN_KIND.get(tag)
    if kind is None:
        kind = _TOKEN_KIND[tag] = "/" + tag[:2] if tag.startswith(_CONTENT_PREFIXES) or tag == "EP" else ""
    return kind


def _clause_flags(forms: Sequence[str], tags: Sequence[str]) -> tuple[bool, bool, bool, bool, bool, bool]:
    """(negated, "없" said, distant past, now, past tense, said to be over) for one clause.

    Each flag is first looked for among the clause's words as a set; the tokens are walked only for
    the flags that also need the tag or the word before, and only when such a word is there.
    """
    words = set(forms)
    neg = past = over = False
    if not _NEG_ADVERB.isdisjoint(words):
        prev = ""
        for form, tag in zip(forms, tags, strict=True):
            # "말" negates only as "-지 말다" ("가지 마"); alone it is mostly a misread word ("마니" → 말/VV).
            if form in _NEG_ADVERB and tag in _NEG_TAGS and (form != "말" or prev == "지"):
                neg = True
                break
            prev = form
    none = "없" in words
    ago = not _AGO.isdisjoint(words) or any(form.endswith("년전") for form in words if "년전" in form)
    now = not _NOW.isdisjoint(words)
    if not _PAST_EP.isdisjoint(words):
        past = any(tag == "EP" and form in _PAST_EP for form, tag in zip(forms, tags, strict=True))
    if not _RESOLVED.isdisjoint(words):
        over = any(form in _RESOLVED and tag[0] in "VX" for form, tag in zip(forms, tags, strict=True))
    return neg, none, ago, now, past, over and not neg


# A problem said not to exist: "아픈 데는 없어요", "죽고 싶은 생각은 전혀 없어요", "밥 굶는 일은 없어요".
# "없" alone is no negation ("입맛이 없어요", "살 이유가 없어요" are problems), so only these heads,
# which name the problem itself, turn the clause into a denial. "갈 데가 없어요" keeps its meaning:
# a "데" counts only after a word of pain.
_DENIAL = re.compile(
    r"(생각|마음|일|적|건|거|것|날|걱정|문제|이상|탈|틈|겨를|새|(아픈|아플|불편한|다친|쑤시는|결리는)데)"
    r"(은|는|도|이|가|같은건|같은거|따위는)?(전혀|하나도|별로|통|아무)?(없|읎|업)"
)
# Somebody else is the subject: the words describe their trouble, not the client's.
_OTHER_NOUNS = frozenset(
    "친구 옆집 이웃 딸 아들 며느리 사위 손주 손자 손녀 할아버지 할머니 할매 할배 언니 동생 오빠 형 형님 누나 "
    "동창 사돈 조카 강아지 고양이 주인공 배우 가수 사람 사람들 누구 애들 선생 목사 의사 친척 아저씨 아줌마 총각 "
    "새댁 권사 집사 회장 반장 통장".split()
)
_SUBJECT_MARKS = frozenset(("JKS", "JX"))
_SELF = frozenset(("나", "내", "저", "제"))
# Hearsay endings ("아프대요", "넘어지셨대", "입원했다네"): the client reports what they were told.
_HEARSAY_EF = frozenset("대 대요 래 래요 다네 다더라 더래 대더라 대서 ᆫ대 는대 ᆫ대요 는대요".split())
_MEDIA = re.compile(r"드라마|연속극|영화|주인공|뉴스|방송|테레비에서|텔레비전에서|티비에서|유튜브")


def _clause_other(forms: Sequence[str], tags: Sequence[str], compact: str) -> bool:
    """Is the clause about somebody else (another subject, hearsay, or what was on television)?"""
    if _MEDIA.search(compact):
        return True
    if _OTHER_WORDS.isdisjoint(forms):
        return False  # none of the words the walk below looks at
    other = False
    for i, (form, tag) in enumerate(zip(forms, tags, strict=True)):
        if tag.startswith("NP") and form in _SELF and i + 1 < len(tags) and tags[i + 1] in _SUBJECT_MARKS:
            return False  # "내가", "나는": the client speaks of themselves
        if form in _OTHER_NOUNS and tag.startswith("NN"):
            j = i + 1
            while j < len(tags) and tags[j] in ("XSN", "NNG", "NNP") and j <= i + 2:
                j += 1  # "할머니 님", "옆집 할머니"
            if j < len(tags) and (tags[j] in _SUBJECT_MARKS or tags[j] == "JKS"):
                other = True
        if tag == "EF" and form in _HEARSAY_EF:
            other = True
        if tag == "EC" and form in ("다고", "라고") and i + 1 < len(forms) and forms[i + 1] in ("하", "그러"):
            other = True
    return other


# Every word ``_clause_other`` acts on.
_OTHER_WORDS = _SELF | _OTHER_NOUNS | _HEARSAY_EF | {"다고", "라고"}


class _Reading:
    """What one clause says on its own: its flags, concepts and features. A clause is read from its text
    and its tokens alone (plus whether a later clause says the trouble is over), so ``parse_many`` reads
    each distinct one once per batch: a third of all clauses are a lone "." after a sentence ending, and
    "괜찮어", "잘 먹어" and "고마워요" recur in every batch."""

    __slots__ = ("text", "keys", "kinds", "compact", "neg", "none", "ago", "now", "past", "over", "other", "found",
                 "flags", "problem", "danger", "content", "_features")

    def __init__(self, clause_text: str, forms: Sequence[str], tags: Sequence[str]) -> None:
        neg, none, ago, now, past, over = _clause_flags(forms, tags)
        compact = _SPACES.sub("", clause_text)
        if not neg and _DENIAL.search(compact):
            neg = True
        other = _clause_other(forms, tags, compact)
        found = concepts_in(compact)
        # Each token's feature stem ("아프/VA") once, not once per use below.
        kind_of = _TOKEN_KIND.get
        kinds = [kind_of(tag) if tag in _TOKEN_KIND else _token_kind(tag) for tag in tags]
        self.text, self.compact, self.kinds = clause_text, compact, kinds
        self.keys = [form + kind if kind else "" for form, kind in zip(forms, kinds, strict=True)]
        self.neg, self.none, self.ago, self.now, self.past, self.over, self.other = neg, none, ago, now, past, over, other
        self.found = found
        self.flags = [
            "F:" + name
            for name, on in (("NEG", neg), ("NONE", none), ("AGO", ago), ("NOW", now), ("RESOLVED", over), ("OTH", other))
            if on
        ]
        self.problem = (
            bool(found & PROBLEM_CONCEPTS or (neg and found & {"SLEEP", "EAT"})) and not other and "OTHER" not in found
        )
        self.danger = bool(found & DANGER_CONCEPTS)
        self.content = sum(tag != "IC" and kind not in ("", "/EP") for tag, kind in zip(tags, kinds, strict=True))
        self._features: list[tuple[str, ...] | None] = [None, None]

    def features(self, later_resolved: bool) -> tuple[str, ...]:
        """The clause's features; ``later_resolved``: a later clause says the trouble is over."""
        kept = self._features[later_resolved]
        if kept is not None:
            return kept
        neg, other, now = self.neg, self.other, self.now
        # In a negated clause the words only exist negated: "허리가 안 아파요" must not fire the same
        # 아프/VA that "허리가 아파요" does, or the many unnegated examples outvote the negation. The
        # same holds for a clause about somebody else ("며느리가 허리가 아프대요"), whose negation is
        # theirs too ("손주는 밥을 안 먹어").
        pol = "|OTH" if other else "|NEG" if neg else ""
        qualifiers = [
            q
            for q, on in (("|NONE", self.none), ("|AGO", self.ago), ("|RES", later_resolved), ("|NOW", now),
                          ("|PAST", self.past and not now))
            if on
        ]
        feats: list[str] = []
        append = feats.append
        prev = "<s>"
        for key, kind in zip(self.keys, self.kinds, strict=True):
            if not key:
                continue
            append(key + pol)
            append(prev + "_" + key + pol)
            prev = key
            if kind == "/EP":
                continue
            for q in qualifiers:
                append(key + q)
        feats.extend(concept_features(self.compact, self.found, neg, self.ago, later_resolved, other))
        feats.extend(_char_ngrams(self.text, "o" if other else "n" if neg else ""))
        out = self._features[later_resolved] = tuple(feats)
        return out


def parse_tokens(text: str, norm: str, tokens: Sequence, context: str = "", readings: dict | None = None) -> Parsed:
    """``text`` as the model reads it, from kiwipiepy's ``tokens`` of its normalised form ``norm``.

    ``readings``: clauses already read in this batch (``_Reading``), shared by the texts of one
    ``parse_many`` call and filled here.
    """
    forms = [t.form for t in tokens]
    tags = [t.tag for t in tokens]
    spans = _clause_spans(tags, forms)
    if readings is None:
        readings = {}
    clauses_read: list[_Reading] = []
    bounds: list[tuple[int, int]] = []
    for a, b in spans:
        start, end = tokens[a].start, tokens[b - 1].end
        clause_text = norm[start:end]
        key = (clause_text, tuple(forms[a:b]), tuple(tags[a:b]))
        r = readings.get(key)
        if r is None:
            r = readings[key] = _Reading(clause_text, forms[a:b], tags[a:b])
        clauses_read.append(r)
        bounds.append((start, end))
    n = len(spans)
    # A later clause saying it is over ("... 지금은 괜찮아요") reaches back to every earlier clause.
    later: list[bool] = [False] * n
    for ci in range(n - 2, -1, -1):
        later[ci] = later[ci + 1] or clauses_read[ci + 1].over
    clauses: list[Clause] = []
    flags: set[str] = set()
    seen_concepts: set[str] = set()
    current_problem = past_problem = False
    for r, (start, end), later_resolved in zip(clauses_read, bounds, later, strict=True):
        flags.update(r.flags)
        seen_concepts.update(r.found)
        if r.problem and r.ago:
            past_problem = True
        elif r.problem and not (r.over and not r.danger):
            current_problem = True
        clauses.append(Clause(start=start, end=end, features=r.features(later_resolved)))
    # Across clauses: "넘어졌는데 ... 못 일어나요" is a fall and being stuck in two clauses.
    ordered = sorted(seen_concepts)
    pairs = [f"U:{a}+{b}" for i, a in enumerate(ordered) for b in ordered[i + 1 :]]
    feats_u = sorted(flags) + pairs + ["BIAS"]
    resolved_any = any(r.over for r in clauses_read)
    content_words = sum(r.content for r in clauses_read)
    questions = question_features(context) if context else ()
    if questions:
        feats_u += answer_features(questions, norm, content_words, seen_concepts,
                                   negated=bool(NEG_RE.search(_SPACES.sub("", norm))),
                                   problem=bool(seen_concepts & PROBLEM_CONCEPTS))
    return Parsed(
        text=text,
        clauses=tuple(clauses),
        features=tuple(feats_u),
        resolved_past=past_problem and resolved_any and not current_problem,
        # "네" alone says nothing, but "네" to a question does: with a question it is an answer.
        has_content=content_words > 0 or (bool(questions) and bool(ANSWER_YES.search(norm) or ANSWER_NO.search(norm))),
        cues=danger_cues(seen_concepts, questions),
    )


def parse_many(texts: Iterable[str], contexts: Sequence[str] | None = None) -> list[Parsed]:
    """Tokenise a batch in one kiwipiepy call (its pipeline is markedly faster than one call per text).

    ``contexts``: per text, the caller's line it answers ("" for none).
    """
    texts = list(texts)
    ctx = list(contexts) if contexts is not None else [""] * len(texts)
    if len(ctx) != len(texts):
        raise ValueError("one context per text")
    norm = [normalise(t) for t in texts]
    # Each distinct text is tokenised once: "네" after twenty different questions is one analysis by
    # kiwipiepy and twenty readings in context. Materialised before parsing: consuming the lazy
    # result while the analyser thread still works makes the two threads take turns on the core,
    # which cost about a third of the rate in a one-core benchmark.
    # Short texts are looked up first: "네" and "그려" recur in every batch, after other questions.
    tokens, todo = lookup(_SHORT_TOKENS, norm)
    if todo:
        fresh = [list(r) for r in kiwi().tokenize(todo)]
        tokens.update(zip(todo, fresh, strict=True))
        keep(_SHORT_TOKENS, ((n, r) for n, r in zip(todo, fresh, strict=True) if len(n) <= _SHORT_TEXT),
             _SHORT_TOKENS_SIZE)
    readings: dict = {}  # the clauses read in this batch (``_Reading``)
    return [parse_tokens(t, n, tokens[n], c, readings) for t, n, c in zip(texts, norm, ctx, strict=True)]


# kiwipiepy's tokens of short normalised texts, oldest first (``parse_many``); the analyser's settings
# never change in a process, so they stay valid.
_SHORT_TEXT = 16
_SHORT_TOKENS_SIZE = 8192
_SHORT_TOKENS: dict[str, list] = {}
_KEEP_LOCK = threading.Lock()


def lookup(store: dict, keys: Iterable) -> tuple[dict, list]:
    """The distinct keys found in ``store`` with their values, and those not found, in first-seen order."""
    found: dict = {}
    missing: list = []
    for k in dict.fromkeys(keys):
        kept = store.get(k)
        if kept is None:
            missing.append(k)
        else:
            found[k] = kept
    return found, missing


def keep(store: dict, items: Iterable[tuple], size: int) -> None:
    """Put (key, value) pairs in ``store``, dropping the oldest entries beyond ``size``; threads may share it."""
    with _KEEP_LOCK:
        for k, v in items:
            if len(store) >= size:
                store.pop(next(iter(store)))
            store[k] = v


def parse(text: str, context: str = "") -> Parsed:
    return parse_many([text], [context])[0]
