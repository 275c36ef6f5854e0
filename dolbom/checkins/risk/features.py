"""Turning a Korean utterance into sparse features.

An utterance is tokenised by kiwipiepy, cut into clauses at sentence ends and clause-joining endings
(-는데, -고, -지만, ...), and each content morpheme becomes a feature. Negation and time are scoped to
the clause: "무릎은 안 아픈데 밥맛이 없어요" must keep the pain negated and the appetite not, so a
morpheme in a negated clause also emits ``form|NEG``; in a clause about the distant past
("작년에 넘어졌는데") it emits ``form|AGO``; when a later clause says it is over ("지금은 괜찮아요") it
emits ``form|RES``. Character n-grams of the raw text are added because older speakers' dialect and
speech-to-text errors often defeat the morphological analyser ("아퍼서" → 아/IC 푸/VV).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

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
_DIALECT = [
    (re.compile(r"허요"), "해요"),
    (re.compile(r"혀요"), "해요"),
    (re.compile(r"혀(?=[\s.,!?~]|$)"), "해"),
    (re.compile(r"겄"), "겠"),
    (re.compile(r"디(?=[\s.,!?~]|$)"), "데"),
    (re.compile(r"아퍼"), "아파"),
    (re.compile(r"묵(?=[었어고는을으])"), "먹"),
    (re.compile(r"잉(?=[\s.,!?~]|$)"), " "),
    (re.compile(r"[~…]"), " "),
]


# Concept stems, matched as substrings of a clause with spaces removed, so that speech-to-text
# spacing ("아 파 서") and dialect the analyser misreads ("아퍼서" → 아/IC 푸/VV) still reach the model.
# They let a small labelled set generalise: an unseen pain word in a negated clause still fires
# ``S:PAIN|NEG``. Chosen by hand from the signal definitions, not from the test split.
_CONCEPTS: dict[str, tuple[str, ...]] = {
    "PAIN": ("아프", "아파", "아퍼", "아픈", "아팠", "아푸", "쑤시", "쑤셔", "결리", "결려", "저리", "저려", "시려", "시리",
             "시큰", "뻐근", "욱신", "통증", "찌릿", "따가", "쓰리", "쓰려", "결림", "당겨", "땡겨", "쥐가", "삭신"),
    "ILL": ("병원", "다쳐", "다친", "다쳤", "약을", "약이", "약은", "약값", "감기", "기침", "혈압", "당뇨", "수술", "입원",
            "검사", "진통제", "파스", "주사", "어지러", "어지럼", "숨이", "숨을", "토했", "토할", "설사", "부었", "부어", "붓",
            "열이", "몸살", "기운이없", "힘이없", "힘이빠", "관절", "디스크", "치매", "깜빡", "까먹", "잊어버", "안보여",
            "안들려", "몸이", "기억"),
    "SLEEP": ("잠", "자미", "못자", "못잤", "깨요", "깨서", "깨고", "깨부", "수면제", "불면", "뒤척", "설쳤", "설치", "뜬눈",
              "졸고", "자다가", "잠들"),
    "EAT": ("밥", "먹", "묵", "끼니", "입맛", "입마시", "밥맛", "굶", "식사", "반찬", "라면", "넘어가", "씹", "때워", "때우",
            "살이빠", "킬로", "죽만", "빵"),
    "LONELY": ("외롭", "외로", "쓸쓸", "적적", "심심", "허전", "서럽", "서러", "서운", "그리워", "말할사람", "말벗", "혼자",
               "아무도", "찾아오"),
    "SAD": ("우울", "슬프", "슬퍼", "눈물", "울어", "울다", "울컥", "한숨", "재미가없", "재미없", "낙이없", "의욕", "귀찮",
            "불안", "걱정", "답답", "서글", "처량", "막막", "지쳐", "지쳤", "힘들어", "속상", "짐이", "짐만", "쓸모없", "의미가없"),
    "DEATH": ("죽고", "죽어", "죽을", "죽으", "죽는", "죽었", "주꼬", "뛰어내", "목을매", "목매", "유서", "끝내", "끝낼",
              "사라지", "사라져", "세상떠", "그만살", "살기싫", "살고싶지", "살이유", "가야지", "가야혀", "데려가", "따라가",
              "번개탄", "연탄", "농약", "제초제", "수면제를", "약을모", "모아", "끈을", "손목을"),
    "WANT": ("싶", "십어", "시퍼", "할까", "려고", "을래", "ㄹ래", "겠어요", "거예요", "준비"),
    "FALL": ("넘어지", "넘어져", "넘어졌", "너머", "넘어저", "자빠", "쓰러", "미끄러", "굴렀", "떨어졌", "주저앉", "부딪"),
    "STUCK": ("못일어", "못이러", "일어날수가없", "못움직", "움직일수가", "움지겨", "움직이겠", "꼼짝", "못나와", "갇혔",
              "못펴", "바닥에"),
    "URGENT": ("119", "구급차", "살려", "도와주", "와주", "불이", "불났", "연기", "가스냄새", "피가", "피를", "숨을못",
               "숨이막", "숨이안", "숨을안", "마비", "경련", "발작", "의식", "정신을잃", "정신이없", "토하", "어눌", "캄캄"),
    "NOWM": ("지금", "당장", "방금", "아까", "아직", "부터", "요새", "요즘"),
    "HOUSE": ("보일러", "보이라", "난방", "월세", "집주인", "방세", "보증금", "전기", "가스가", "수도", "곰팡이", "천장",
              "지붕", "새요", "고장", "냉골", "추워", "외풍", "연탄", "기름", "집이", "이사", "쫓겨", "쪼껴", "잘데"),
    "MONEY": ("돈", "요금", "세가", "세를", "새가", "빚", "대출", "생활비", "연금", "수급", "독촉", "밀렸", "못내", "끊겼",
              "끊겨", "병원비", "관리비", "이자"),
    "CHORE": ("청소", "빨래", "목욕", "장보", "장을", "쓰레기", "설거지", "밥하기", "밥을못해", "씻", "옷입", "혼자서는",
              "혼자못", "계단", "지팡이", "휠체어", "버스", "못나가", "데려다"),
    "GOOD": ("괜찮", "괜찬", "갠찮", "좋아", "조아", "멀쩡", "나았", "낳았", "낫", "나사", "건강", "잘자", "잘먹", "잘묵",
             "잘지내", "잘있", "정정", "말짱"),
    "INTENS": ("너무", "많이", "마니", "겁나", "징하", "허벌", "엄청", "심해", "심하", "계속", "매일", "맨날", "자꾸", "통",
               "한숨도", "하나도", "전혀", "째", "며칠", "일주일", "한달", "달째", "점점", "더"),
    "MILD": ("조금", "좀", "약간", "살짝", "쪼까", "가끔", "그럭저럭", "별거", "벨거", "그냥", "정도", "살만", "참을만"),
    "HYPER": ("죽겠", "죽겄", "죽는줄", "죽을뻔", "죽것"),
    "OTHER": ("친구가", "옆집", "딸이", "아들이", "며느리", "손주", "영감이", "이웃", "뉴스", "텔레비전", "교육", "강의"),
}
_SIGNAL_CONCEPTS = ("PAIN", "ILL", "SLEEP", "EAT", "LONELY", "SAD", "DEATH", "FALL", "STUCK", "URGENT", "HOUSE", "MONEY", "CHORE")
# Concepts that are a problem wherever they appear; sleep and meals only when negated ("못 자요").
_PROBLEM_CONCEPTS = frozenset(_SIGNAL_CONCEPTS) - {"EAT", "SLEEP"} | {"HYPER"}
_MODIFIERS = ("WANT", "GOOD", "INTENS", "MILD", "HYPER", "OTHER", "NOWM")


# One regex finds every concept in a clause, overlapping stems included ("수면제를" is both a sleep
# word and a means of self-harm): at each position the lookahead matches the longest stem there, and
# every stem that also matches there is a prefix of it, so each stem stands for the concepts of all
# its prefixes. Twenty regex searches per clause cost more than the rest of feature extraction.
_STEM_CONCEPTS: dict[str, set[str]] = {}
for _name, _stems in _CONCEPTS.items():
    for _stem in _stems:
        _STEM_CONCEPTS.setdefault(_stem, set()).add(_name)
_STEM_CLOSURE: dict[str, frozenset[str]] = {
    stem: frozenset().union(*(names for other, names in _STEM_CONCEPTS.items() if stem.startswith(other)))
    for stem in _STEM_CONCEPTS
}
_STEM_RE = re.compile("(?=(" + "|".join(map(re.escape, sorted(_STEM_CONCEPTS, key=lambda x: (-len(x), x)))) + "))")
_NEG_RE = re.compile(r"않|안[^녕]|못|없|읎|업서|아니")
_SPACES = re.compile(r"\s+")


def _concepts_in(compact: str) -> set[str]:
    closure = _STEM_CLOSURE
    return set().union(*(closure[stem] for stem in _STEM_RE.findall(compact)))


def _concept_features(clause_text: str, neg: bool, ago: bool, later_resolved: bool) -> tuple[list[str], set[str]]:
    compact = _SPACES.sub("", clause_text)
    found = _concepts_in(compact)
    if not neg and _NEG_RE.search(compact):
        neg = True
    feats: list[str] = []
    mods = [m for m in _MODIFIERS if m in found]
    for c in _SIGNAL_CONCEPTS:
        if c not in found:
            continue
        base = "S:" + c + ("|NEG" if neg else "")
        feats.append(base)
        if ago:
            feats.append(base + "|AGO")
        if later_resolved:
            feats.append(base + "|RES")
        for m in mods:
            feats.append(f"{base}+{m}")
    return feats, found


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
                _KIWI = k
    return _KIWI


def normalise(text: str) -> str:
    for pattern, repl in _DIALECT:
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


def _clause_spans(tags: Sequence[str], forms: Sequence[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    begin = 0
    for i, tag in enumerate(tags):
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
    """(negated, "없" said, distant past, now, past tense, said to be over) for one clause."""
    neg = none = ago = now = past = over = False
    for form, tag in zip(forms, tags, strict=True):
        if form in _NEG_ADVERB and tag in _NEG_TAGS:
            neg = True
        if form == "없":
            none = True
        if form in _AGO or form.endswith("년전"):
            ago = True
        if form in _NOW:
            now = True
        if tag == "EP" and form in _PAST_EP:
            past = True
        if form in _RESOLVED and tag[0] in "VX":
            over = True
    return neg, none, ago, now, past, over and not neg


def parse_tokens(text: str, norm: str, tokens: Sequence) -> Parsed:
    forms = [t.form for t in tokens]
    tags = [t.tag for t in tokens]
    spans = _clause_spans(tags, forms)
    info = [_clause_flags(forms[a:b], tags[a:b]) for a, b in spans]
    n = len(spans)
    # A later clause saying it is over ("... 지금은 괜찮아요") reaches back to every earlier clause.
    later: list[bool] = [False] * n
    for ci in range(n - 2, -1, -1):
        later[ci] = later[ci + 1] or info[ci + 1][5]
    clauses: list[Clause] = []
    flags: set[str] = set()
    seen_concepts: set[str] = set()
    current_problem = past_problem = False
    for ci, (a, b) in enumerate(spans):
        neg, none, ago, now, past, resolved = info[ci]
        later_resolved = later[ci]
        feats: list[str] = []
        prev = "<s>"
        # In a negated clause the words only exist negated: "허리가 안 아파요" must not fire the same
        # 아프/VA that "허리가 아파요" does, or the many unnegated examples outvote the negation.
        pol = "|NEG" if neg else ""
        qualifiers = [
            q
            for q, on in (("|NONE", none), ("|AGO", ago), ("|RES", later_resolved), ("|NOW", now), ("|PAST", past and not now))
            if on
        ]
        append = feats.append
        for i in range(a, b):
            kind = _token_kind(tags[i])
            if not kind:
                continue
            key = forms[i] + kind
            append(key + pol)
            append(prev + "_" + key + pol)
            prev = key
            if kind == "/EP":
                continue
            for q in qualifiers:
                append(key + q)
        for name, on in (("NEG", neg), ("NONE", none), ("AGO", ago), ("NOW", now), ("RESOLVED", resolved)):
            if on:
                flags.add("F:" + name)
        start, end = tokens[a].start, tokens[b - 1].end
        cfeats, found = _concept_features(norm[start:end], neg, ago, later_resolved)
        feats.extend(cfeats)
        feats.extend(_char_ngrams(norm[start:end], "n" if neg else ""))
        seen_concepts.update(found)
        problem = bool(found & _PROBLEM_CONCEPTS or (neg and found & {"SLEEP", "EAT"})) and "OTHER" not in found
        if problem and ago:
            past_problem = True
        elif problem and not (resolved and not found & {"STUCK", "URGENT", "DEATH"}):
            current_problem = True
        clauses.append(Clause(start=start, end=end, features=tuple(feats)))
    # Across clauses: "넘어졌는데 ... 못 일어나요" is a fall and being stuck in two clauses.
    ordered = sorted(seen_concepts)
    pairs = [f"U:{a}+{b}" for i, a in enumerate(ordered) for b in ordered[i + 1 :]]
    feats_u = sorted(flags) + pairs + ["BIAS"]
    resolved_any = any(row[5] for row in info)
    return Parsed(
        text=text,
        clauses=tuple(clauses),
        features=tuple(feats_u),
        resolved_past=past_problem and resolved_any and not current_problem,
        has_content=any(tag != "IC" and _token_kind(tag) not in ("", "/EP") for tag in tags),
    )


def parse_many(texts: Iterable[str]) -> list[Parsed]:
    """Tokenise a batch in one kiwipiepy call (its pipeline is markedly faster than one call per text)."""
    texts = list(texts)
    norm = [normalise(t) for t in texts]
    # Materialised before parsing: consuming the lazy result while the analyser thread still works
    # makes the two threads take turns on the core, which cost about a third of the rate in a
    # one-core benchmark.
    results = list(kiwi().tokenize(norm)) if norm else []
    return [parse_tokens(t, n, list(toks)) for t, n, toks in zip(texts, norm, results, strict=True)]


def parse(text: str) -> Parsed:
    return parse_many([text])[0]
