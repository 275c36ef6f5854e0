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
            "안들려", "기억"),
    "SLEEP": ("잠", "자미", "못자", "못잤", "깨요", "깨서", "깨고", "깨부", "수면제", "불면", "뒤척", "설쳤", "설치", "뜬눈",
              "졸고", "자다가", "잠들"),
    "EAT": ("밥", "먹", "묵", "끼니", "입맛", "입마시", "밥맛", "굶", "식사", "반찬", "라면", "넘어가", "씹", "때워", "때우",
            "살이빠", "킬로", "죽만", "빵"),
    "LONELY": ("외롭", "외로", "쓸쓸", "적적", "심심", "허전", "서럽", "서러", "서운", "그리워", "말할사람", "말벗", "혼자",
               "아무도", "찾아오"),
    "SAD": ("우울", "슬프", "슬퍼", "눈물", "울어", "울다", "울컥", "한숨", "재미가없", "재미없", "낙이없", "의욕", "귀찮",
            "불안", "걱정", "답답", "서글", "처량", "막막", "지쳐", "지쳤", "힘들어", "속상", "짐이", "짐만", "쓸모없", "의미가없"),
    # Death named outright ("죽고 싶어", "죽어 버릴까"); figures of speech ("배고파 죽겠어") carry HYPER too.
    "DEATH": ("죽고", "죽어", "죽을", "죽으", "죽는", "죽었", "죽나", "주꼬", "주거버", "자살", "세상떠"),
    # Means of self-harm.
    "MEANS": ("뛰어내", "뛰어들", "목을매", "목매", "목맬", "번개탄", "농약", "제초제", "수면제를모", "약을모", "한꺼번에",
              "한움큼", "손목을", "유서", "투신", "빠져버", "빠져죽", "끈을봐", "끈을사", "다리위에", "수면제",
              "모아둔약", "모아놓은약", "약을다먹", "약을한꺼번에",
              "연탄을피", "저수지", "칼을보면"),
    # A wish to be gone, said without the word death ("자다가 안 깼으면", "그만 가고 싶어", "살아서 뭐 해").
    "WISHEND": ("그만살", "살기싫", "살고싶지", "살고싶은마음이", "살이유", "살아서뭐", "살아서뭣", "살아뭐", "살면뭐",
                "그만가고", "빨리가고싶", "얼른가고싶", "안깼으면", "안깨어났으면", "안깨면", "안왔으면", "끝났으면",
                "끝내고싶", "다끝내", "없어지고", "없어지는게", "없어져야", "없어져줘", "사라지고싶", "사라져버리",
                "사라졌으면", "조용히갔", "조용히가면", "갔으면좋", "가버렸으면", "데려가주", "데려갔으면", "따라가고싶",
                "따라갈", "따라죽", "마지막일", "마지막문자", "곧없을", "정리하고가",
                "그만가", "미련이없", "데려가셨으면", "갈준비", "이제갈거", "끝낼거", "편지써놨", "고마웠다고전해",
                "연락못할", "살고싶은생각이없", "끝내버릴",
                # Not to wake again, said with the eyes ("이대로 눈 안 떴으면"): batch 11 of the training calls.
                "눈안떴으면", "눈안뜨면", "눈을안떴으면", "안깨어나", "영영잠들", "영영안깨", "깨지않았으면", "그만눈감",
                "눈감았으면"),
    # Words that are a wish to be gone only sometimes ("이제 가야지" is also leaving for the market): kept
    # apart from WISHEND so that their weight is learned on its own.
    # "빨리 가야" and "연탄불" moved here from WISHEND and MEANS after batch 12 of the training calls: said
    # far more often of the bus, the market, lunch at the 경로당 and rural heating than of dying.
    "GOAWAY": ("가야지", "가야혀", "따라가", "데려가", "끝내", "끝낼", "사라지", "사라져", "연탄", "끈을", "빨리가야",
               "얼른가야", "인자가야", "가야제"),
    "FALL": ("넘어지", "넘어져", "넘어졌", "너머", "넘어저", "넘어졋", "자빠", "쓰러", "미끄러", "굴렀", "떨어졌", "주저앉",
             "부딪"),
    "STUCK": ("못일어", "못이러", "일어날수가없", "일어나지를못", "일어나지못", "일어날수없", "못움직", "움직일수가",
              "움지겨", "움직이겠", "안움직", "꼼짝", "못나와", "못나오", "못나가겠", "갇혔", "못펴", "바닥에", "말을안들",
              "깔렸", "깔려", "못쓰겄", "못쓰겠", "일어나질못"),
    # The emergencies of issue 5, finer than one word list so that each is weighed on its own.
    "BREATH": ("숨이차", "숨차", "숨을못", "숨이막", "숨막", "숨이안", "숨을안", "숨쉬기", "숨을쉴", "숨이가쁘", "숨가쁘",
               "가빠", "입술이파", "입술이퍼", "쌕쌕", "헉헉", "목이막"),
    "CHEST": ("가슴이", "가슴을", "가슴팍", "가스미", "심장"),
    "STROKE": ("마비", "어눌", "입이돌아", "얼굴한쪽", "한쪽이처", "한쪽팔", "한쪽다리", "한쪽손", "한쪽얼굴", "혀가꼬",
               "말이잘안나", "말이안나", "발음이", "침도흘", "침이흘", "경련", "발작"),
    "FAINT": ("정신을잃", "몽롱", "오락가락", "의식", "기절", "까무러", "정신이없", "캄캄", "앞이안보", "앞이하나도", "쓰러질것같",
              "쓰러지겄", "쓰러지겠", "정신이왔다", "가물가물"),
    "INJURY": ("부러진", "부러졌", "부러져", "뼈가", "화상", "데었", "데여", "살갗", "물집", "피가", "피를", "피나", "토하",
               "토했", "꺾였", "데굴데굴"),
    "HAZARD": ("불이", "불났", "불붙", "연기", "가스냄새", "가스가새", "가스새", "가스가샌", "물이차", "물이넘", "잠겼",
               "침수", "누가문", "모르는남자", "모르는사람", "창문을뜯", "도둑", "비밀번호를누", "물이들어차", "문을열려고",
               "불꽃"),
    "HELP": ("119", "구급차", "살려", "도와주", "도와줘", "와주", "와줘", "와봐"),
    # Now, as opposed to lately: an emergency is happening at the time of the call.
    "ACUTE": ("지금", "당장", "방금", "아까", "갑자기", "조금전", "금방", "부터", "아직도못", "아직못"),
    "HOUSE": ("보일러", "보이라", "난방", "월세", "집주인", "방세", "보증금", "전기", "가스가", "수도", "곰팡이", "천장",
              "지붕", "새요", "고장", "냉골", "추워", "외풍", "연탄", "기름", "집이", "이사", "쫓겨", "쪼껴", "잘데"),
    "MONEY": ("돈", "요금", "세가", "세를", "새가", "빚", "대출", "생활비", "연금", "수급", "독촉", "밀렸", "못내", "끊겼",
              "끊겨", "병원비", "관리비", "이자가", "이자를"),
    "CHORE": ("청소", "빨래", "목욕", "장보", "장을", "쓰레기", "설거지", "밥하기", "밥을못해", "씻", "옷입", "혼자서는",
              "혼자못", "계단", "지팡이", "휠체어", "버스", "못나가", "데려다"),
    "GOOD": ("괜찮", "괜찬", "갠찮", "좋아", "조아", "멀쩡", "나았", "낳았", "낫", "나사", "건강", "잘자", "잘먹", "잘묵",
             "잘지내", "잘있", "정정", "말짱"),
    "INTENS": ("너무", "많이", "마니", "겁나", "징하", "허벌", "엄청", "심해", "심하", "계속", "매일", "맨날", "자꾸", "통",
               "한숨도", "하나도", "전혀", "째", "며칠", "일주일", "한달", "달째", "점점", "더"),
    "MILD": ("조금", "좀", "약간", "살짝", "쪼까", "쪼금", "쪼매", "쬐끔", "쪼끔", "가끔", "그럭저럭", "별거", "벨거", "그냥", "정도", "살만", "참을만"),
    "HYPER": ("죽겠", "죽겄", "죽는줄", "죽을뻔", "죽것"),
    # A trouble that is handled: treated, tolerated, usual ("약 먹으면 다닐 만해", "파스 붙이면 괜찮어", "늘
    # 그려"). Real calls are full of managed aches that are low; without a word for the handling the
    # pain words alone outvote it. Kept by nested CV per training call (batches 1-14): see data/README.md.
    "MANAGED": ("약먹", "약을먹", "약묵", "약을묵", "약받아", "약지어", "약바르", "파스", "찜질", "물리치료", "침맞",
                "주사맞", "한의원", "견딜만", "다닐만", "할만", "걸을만", "참을만", "그러려니", "늘그", "맨날그", "원래그",
                "원래", "나이탓", "나이들어", "나이먹으", "나이가있", "관리", "정상이", "꼬박꼬박", "풀려", "풀리", "가라앉",
                "좋아졌", "덜아", "나아져", "낫겄", "낫겠", "쉬면", "자고나면", "하룻밤", "고쳤", "고쳐", "온대", "온다고",
                "해줘", "해줬", "배달", "챙겨", "아껴", "넉넉", "모자라지"),
    # A near miss or a comparison, not an event: "넘어질 뻔했어", "불이 났나 했더니", "쓰러질 듯이 졸려".
    "NEAR": ("뻔했", "뻔하", "뻔봤", "뻔한", "줄알았", "나했더니", "나했는데", "나싶었", "듯이", "지경"),
    "OTHER": ("친구가", "옆집", "딸이", "아들이", "며느리", "손주", "영감이", "이웃", "뉴스", "텔레비전", "교육", "강의",
              "드라마", "연속극", "영화", "주인공", "방송"),
}
_SIGNAL_CONCEPTS = (
    "PAIN", "ILL", "SLEEP", "EAT", "LONELY", "SAD", "DEATH", "MEANS", "WISHEND", "GOAWAY", "FALL", "STUCK", "BREATH",
    "CHEST", "STROKE", "FAINT", "INJURY", "HAZARD", "HELP", "HOUSE", "MONEY", "CHORE",
)
_SIGNAL_SET = frozenset(_SIGNAL_CONCEPTS)
# An emergency or self-harm stays current even when a later clause says "괜찮아요".
_DANGER_CONCEPTS = frozenset(("STUCK", "BREATH", "STROKE", "FAINT", "HAZARD", "HELP", "DEATH", "MEANS", "WISHEND"))
# Concepts that are a problem wherever they appear; sleep and meals only when negated ("못 자요").
_PROBLEM_CONCEPTS = frozenset(_SIGNAL_CONCEPTS) - {"EAT", "SLEEP", "GOAWAY"} | {"HYPER"}
_MODIFIERS = ("WANT", "GOOD", "INTENS", "MILD", "HYPER", "NEAR", "OTHER", "NOWM", "ACUTE", "MANAGED")


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


def _trie(words: Iterable[str]) -> str:
    """One alternation of ``words`` as a character trie, e.g. 가(?:슴(?:이|을)|빠)?: at each position the
    engine follows a single branch instead of trying some six hundred stems in turn (2.3 times as fast
    on the training calls' clauses). A greedy ``?`` tries the longer stem first, so the match at a
    position is the longest stem there, as with the stems listed longest first."""
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" not in node:
            return body
        return ("(?:" + body + ")" if len(alts) == 1 else body) + "?"

    return emit(root)


_STEM_RE = re.compile("(?=(" + _trie(_STEM_CONCEPTS) + "))")
_NEG_RE = re.compile(r"않|안[^녕]|못|없|읎|업서|아니")
_SPACES = re.compile(r"\s+")


def _concepts_in(compact: str) -> set[str]:
    closure = _STEM_CLOSURE
    return set().union(*(closure[stem] for stem in _STEM_RE.findall(compact)))


def _concept_features(
    compact: str, found: set[str], neg: bool, ago: bool, later_resolved: bool, other: bool = False
) -> list[str]:
    """The clause's concepts (``found`` in ``compact``, its text without spaces) with its polarity and time."""
    if _SIGNAL_SET.isdisjoint(found):
        return []  # only signal concepts make features; most clauses have none
    if not neg and _NEG_RE.search(compact):
        neg = True
    feats: list[str] = []
    mods = [m for m in _MODIFIERS if m in found]
    for c in _SIGNAL_CONCEPTS:
        if c not in found:
            continue
        base = "S:" + c + ("|OTH" if other else "|NEG" if neg else "")
        feats.append(base)
        if ago:
            feats.append(base + "|AGO")
        if later_resolved:
            feats.append(base + "|RES")
        for m in mods:
            feats.append(f"{base}+{m}")
    return feats


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


# The first stage for self-harm and emergency: words that make a present danger possible at all. With
# one of them the model needs less certainty to raise the safety script; without one it needs more,
# so an everyday sentence the model half-recognises ("가슴이 두근거려" in love talk) does not page anyone.
_SELF_HARM_CUES = frozenset(("MEANS", "WISHEND"))
_EMERGENCY_CUES = frozenset(("STUCK", "BREATH", "STROKE", "FAINT", "HAZARD", "HELP", "INJURY"))


def danger_cues(found: set[str], questions: Sequence[str] = ()) -> frozenset[str]:
    """The always-high kinds ("self_harm", "emergency") the utterance gives a cue for."""
    out: set[str] = set()
    if found & _SELF_HARM_CUES or ("DEATH" in found and "HYPER" not in found):
        out.add("self_harm")
    if (found & _EMERGENCY_CUES or ("CHEST" in found and found & {"PAIN", "BREATH", "ACUTE"})
            or ("FALL" in found and "ACUTE" in found)):
        out.add("emergency")
    for q in questions:
        topic = q.partition("|")[0]
        if topic in ("self_harm", "emergency"):
            out.add(topic)
    return frozenset(out)


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
        found = _concepts_in(compact)
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
            bool(found & _PROBLEM_CONCEPTS or (neg and found & {"SLEEP", "EAT"})) and not other and "OTHER" not in found
        )
        self.danger = bool(found & _DANGER_CONCEPTS)
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
        feats.extend(_concept_features(self.compact, self.found, neg, self.ago, later_resolved, other))
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
                                   negated=bool(_NEG_RE.search(_SPACES.sub("", norm))),
                                   problem=bool(seen_concepts & _PROBLEM_CONCEPTS))
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
