"""The concepts of risk: hand-chosen word stems that stand for pain, falls, a wish to die, money trouble, ...

Matched as substrings of a clause with its spaces removed, so that speech-to-text spacing and dialect the
morphological analyser misreads still reach the model; ``features`` turns the concepts found in a clause, with
the clause's polarity and time, into the model's ``S:`` features, and the danger concepts into the cues that let
the safety script's thresholds differ. Knows nothing of tokens or clauses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# Concept stems, matched as substrings of a clause with spaces removed, so that speech-to-text
# spacing ("아 파 서") and dialect the analyser misreads ("아퍼서" → 아/IC 푸/VV) still reach the model.
# They let a small labelled set generalise: an unseen pain word in a negated clause still fires
# ``S:PAIN|NEG``. Chosen by hand from the signal definitions, not from the test split.
CONCEPTS: dict[str, tuple[str, ...]] = {
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
SIGNAL_CONCEPTS = (
    "PAIN", "ILL", "SLEEP", "EAT", "LONELY", "SAD", "DEATH", "MEANS", "WISHEND", "GOAWAY", "FALL", "STUCK", "BREATH",
    "CHEST", "STROKE", "FAINT", "INJURY", "HAZARD", "HELP", "HOUSE", "MONEY", "CHORE",
)
SIGNAL_SET = frozenset(SIGNAL_CONCEPTS)
# An emergency or self-harm stays current even when a later clause says "괜찮아요".
DANGER_CONCEPTS = frozenset(("STUCK", "BREATH", "STROKE", "FAINT", "HAZARD", "HELP", "DEATH", "MEANS", "WISHEND"))
# Concepts that are a problem wherever they appear; sleep and meals only when negated ("못 자요").
PROBLEM_CONCEPTS = frozenset(SIGNAL_CONCEPTS) - {"EAT", "SLEEP", "GOAWAY"} | {"HYPER"}
MODIFIERS = ("WANT", "GOOD", "INTENS", "MILD", "HYPER", "NEAR", "OTHER", "NOWM", "ACUTE", "MANAGED")


# One regex finds every concept in a clause, overlapping stems included ("수면제를" is both a sleep
# word and a means of self-harm): at each position the lookahead matches the longest stem there, and
# every stem that also matches there is a prefix of it, so each stem stands for the concepts of all
# its prefixes. Twenty regex searches per clause cost more than the rest of feature extraction.
_STEM_CONCEPTS: dict[str, set[str]] = {}
for _name, _stems in CONCEPTS.items():
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
NEG_RE = re.compile(r"않|안[^녕]|못|없|읎|업서|아니")

def concepts_in(compact: str) -> set[str]:
    closure = _STEM_CLOSURE
    return set().union(*(closure[stem] for stem in _STEM_RE.findall(compact)))


def concept_features(
    compact: str, found: set[str], neg: bool, ago: bool, later_resolved: bool, other: bool = False
) -> list[str]:
    """The clause's concepts (``found`` in ``compact``, its text without spaces) with its polarity and time."""
    if SIGNAL_SET.isdisjoint(found):
        return []  # only signal concepts make features; most clauses have none
    if not neg and NEG_RE.search(compact):
        neg = True
    feats: list[str] = []
    mods = [m for m in MODIFIERS if m in found]
    for c in SIGNAL_CONCEPTS:
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
