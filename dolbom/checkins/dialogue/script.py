"""What the caller says, and the few cues it listens for.

The caller always speaks Korean to the client, whatever language the staff UI is in, so these lines
are not gettext messages. They follow the guidance for speaking with older people: 존댓말, one idea
per sentence, short sentences, the client's preferred name and honorific, no jargon.
"""

from __future__ import annotations

import re

TOPIC_ORDER = ("health", "meals", "sleep", "activity", "mood", "daily")
# Which risk signal a topic's answer is mostly about (for the acknowledgement and the follow-up).
TOPIC_SIGNAL = {"health": "health", "meals": "meals", "sleep": "sleep", "activity": "daily_living",
                "mood": "mood", "daily": "daily_living"}

SIGNAL_TOPIC = {"health": "health", "meals": "meals", "sleep": "sleep", "mood": "mood", "daily_living": "daily"}
QUESTIONS: dict[str, tuple[str, ...]] = {
    "health": ("요즘 몸은 좀 어떠세요? 아프신 데는 없으세요?", "요즘 건강은 괜찮으세요? 불편하신 데는 없고요?"),
    "meals": ("식사는 잘 챙겨 드시고 계세요?", "오늘 아침은 드셨어요? 입맛은 좀 있으세요?"),
    "sleep": ("밤에 잠은 잘 주무세요?", "요즘 잠은 푹 주무세요?"),
    "activity": ("요즘 산책이나 바깥 나들이는 좀 하세요?", "요즘 밖에 좀 나가세요? 걷기는 하시고요?"),
    "mood": ("요즘 기분은 좀 어떠세요? 적적하시진 않으세요?", "요즘 마음은 편하세요? 외롭거나 울적하진 않으세요?"),
    "daily": ("집안일이나 장 보시는 데 불편한 건 없으세요?", "요즘 생활하시는 데 어려운 점은 없으세요?"),
}
PROBES = {
    "health": "병원에는 다녀오셨어요?",
    "meals": "식사를 거르신 지는 얼마나 되셨어요?",
    "sleep": "잠을 못 주무신 지는 얼마나 되셨어요?",
    "activity": "어디가 불편하셔서 못 나가세요?",
    "mood": "많이 힘드시겠어요. 요즘 이야기 나눌 분은 계세요?",
    "daily": "어떤 게 제일 불편하세요?",
}
# Memory follow-up: what the client told us last time, in the words the caller quotes.
FOLLOW_UP_PHRASES = {
    "무릎": "무릎이 아프다고", "허리": "허리가 아프다고", "다리": "다리가 불편하다고", "어깨": "어깨가 아프다고",
    "머리": "머리가 아프다고", "두통": "머리가 아프다고", "손목": "손목이 아프다고", "발목": "발목이 아프다고",
    "배": "배가 아프다고", "속": "속이 안 좋다고", "이가": "이가 아프다고", "치아": "이가 아프다고",
    "눈": "눈이 불편하다고", "귀": "귀가 잘 안 들린다고", "가슴": "가슴이 답답하다고",
    "혈압": "혈압 때문에 걱정이라고", "당뇨": "당뇨 때문에 걱정이라고", "감기": "감기 기운이 있다고",
    "기침": "기침을 하신다고", "어지": "어지럽다고", "넘어": "넘어지셨다고",
}
# A body part is recalled only when the client named it as one: the word on its own, followed by a particle
# or a space ("무릎이", "허리 아파"), never inside another word ("기다리다" is no 다리, "눈물" no 눈, "속상해"
# no 속, "아이가" no 이가). Where no phrase fits, the caller quotes the client's own words instead of
# inventing an ailment (a fallback "몸이 좀 불편하다고" once made it ask about pains nobody mentioned).
_PART_AFTER = r"(?=[이가은는도을를에의랑,.!?~\s]|$)"
# Stems and nouns that take an ending or another noun straight after them ("어지러워", "넘어졌어", "혈압약").
_STEMS = frozenset({"혈압", "당뇨", "감기", "기침", "어지", "넘어", "두통"})


def _part_pattern(key: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![가-힣]){re.escape(key)}" + ("" if key in _STEMS else _PART_AFTER))


_FOLLOW_UP_PATTERNS = [(_part_pattern(key), phrase) for key, phrase in FOLLOW_UP_PHRASES.items()]
QUOTE_MAX = 30

GREETING = "안녕하세요, {address}. 전주시 돌봄 안부전화예요. 잠깐 통화 괜찮으세요?"
START_TOPICS = "네, 고맙습니다. 몇 가지만 여쭤볼게요."
ACK_GOOD = ("다행이네요.", "네, 좋아요.", "잘하고 계시네요.")
ACK_MILD = ("그러셨군요. 말씀해 주셔서 고마워요.", "아이고, 그러셨어요.")
ACK_CONCERN = ("아이고, 많이 불편하시겠어요.", "그러셨군요. 걱정이 되네요.")
ACK_PROBE_ANSWER = "네, 알겠습니다. 담당 선생님께 꼭 전해 드릴게요."
FOLLOW_UP_Q = "{when} {phrase} 하셨는데, 요즘은 좀 어떠세요?"
FOLLOW_UP_BETTER = "좋아지셨다니 정말 다행이에요."
FOLLOW_UP_WORSE = "아직 불편하시군요. 담당 선생님께 꼭 전해 드릴게요."
SILENCE = ("여보세요? {address}, 제 목소리 잘 들리세요?", "천천히 말씀하셔도 괜찮아요. 듣고 있어요.")
SILENCE_END = "지금은 통화가 어려우신 것 같네요. 조금 있다가 다시 전화드릴게요."
REPEAT = "다시 여쭤볼게요. {question}"
IDENTITY = "저는 전주시에서 안부 여쭈려고 전화드리는 인공지능 상담원이에요. 담당 선생님도 내용을 함께 봐요."
OFF_TOPIC = ("아, 그러셨어요. 재미있는 이야기네요.", "네, 그러시군요.")
BACK_TO_TOPIC = "그런데 {address}, {question}"
BUSY_LATER = "네, 알겠습니다. 그럼 {when} 다시 전화드릴게요. 좋은 하루 보내세요."
CLOSING = "오늘 이야기 나눠 주셔서 고맙습니다. {extra}{next} 또 전화드릴게요. 건강하게 지내세요."
CLOSING_CONCERN = "말씀하신 건 담당 선생님께 꼭 전해 드릴게요. "
GOODBYE = "네, 알겠습니다. 통화 고마웠어요. {next} 또 전화드릴게요. 건강하세요."

SAFETY_EMERGENCY = ("아이고, 많이 놀라셨겠어요. 제가 끊지 않고 같이 있을게요. 지금 어디에 계세요? "
                    "많이 다치셨으면 바로 119에 전화하세요. 담당 선생님께도 지금 바로 알리고 있어요.")
SAFETY_SELF_HARM = ("{address}, 그렇게 힘드셨군요. 말씀해 주셔서 고마워요. 저는 끊지 않고 계속 같이 있을게요. "
                    "지금 어디에 계세요? 위급하시면 119, 마음이 힘드실 때는 자살예방상담전화 109로 언제든 전화하세요.")
SAFETY_ASK_WHERE = "지금 계신 곳이 어디세요? 집에 계세요?"
SAFETY_WHERE_KNOWN = "네, {where} 계시는군요. 담당 선생님이 곧 연락드릴 거예요. 저는 계속 듣고 있어요."
SAFETY_STAY = "괜찮아요. 천천히 말씀하세요. 저 여기 있어요. 위급하시면 119, 힘드시면 109예요."
# Said in turn while the client stays on the line: the same sentence twice in a row sounds like a machine
# that stopped listening, which is the last thing a frightened person should hear.
SAFETY_STAYS = (
    SAFETY_STAY,
    "네, 잘 듣고 있어요. 담당 선생님이 곧 연락드릴 거예요. 위급하시면 바로 119에 전화하세요.",
    "저 끊지 않고 계속 있을게요. 필요하신 게 있으면 말씀해 주세요. 위급하시면 119예요.",
)
# Put before a line that would repeat the one just said (any step).
NOT_AGAIN = "네, 듣고 있어요."
SAFETY_SILENCE = "{address}, 제 목소리 들리세요? 대답하기 어려우시면 119에 바로 연락하도록 할게요."
SAFETY_END = "도움이 곧 갈 거예요. 위급하면 119, 마음이 힘들면 109, 꼭 기억해 주세요."

CAMPAIGNS = {
    "heat_wave": ("요즘 폭염 특보가 내려서 안부 여쭈려고 전화드렸어요. 더위에 어지럽거나 몸이 불편한 데는 없으세요?",
                  "물 자주 드시고, 한낮에는 바깥에 나가지 마세요. 더우시면 가까운 무더위쉼터를 이용하세요."),
    "cold_wave": ("요즘 한파 특보가 내려서 전화드렸어요. 집은 따뜻하세요? 난방은 잘 되세요?",
                  "옷 따뜻하게 입으시고, 빙판길 조심하세요."),
    "disaster": ("안부 여쭈려고 전화드렸어요. 다치신 데나 집에 피해는 없으세요?",
                 "대피가 필요하시면 동 행정복지센터나 119에 바로 연락하세요."),
    "notice": ("전주시에서 알려 드릴 소식이 있어서 전화드렸어요. 제 말씀 잘 들리셨어요?", ""),
}
CAMPAIGN_HELP = "혹시 지금 도움이 필요하신 건 없으세요?"
CAMPAIGN_CLOSE = "{tip}전화 받아 주셔서 고맙습니다. 건강 조심하세요."

WEEKDAYS = "월화수목금토일"

# Cues. Deliberately small: they steer the conversation, they never decide a risk signal.
_BUSY = re.compile(r"바빠|바쁘|바뻐|바쁜|(나중에|이따가?|다음에|좀 있다).{0,6}(전화|통화|해|하세요|줘|주세요)"
                   r"|지금은? (통화|전화).{0,3}(못|안|어려)|운전 ?중|밖이라|나가는 ?중")
_TOMORROW = re.compile(r"내일")
_IDENTITY = re.compile(r"누구(세요|야|신데|시죠|냐)|어디(서|세요).{0,4}(전화|거)|기계|로봇|사람이에요|사람 맞")
_REPEAT = re.compile(r"뭐라고|잘 안 ?들려|안 들려|다시 (말|한번)|^네\?$|^예\?$|^뭐\?$")
_GOODBYE = re.compile(r"(끊을게|끊어요|끊자|그만 (하|끊)|이만 끊|전화 끊)")
_OFF_TOPIC = re.compile(r"날씨|텔레비|티비|TV|드라마|뉴스|대통령|선거|야구|축구|노래|트로트|연속극|정치|주식|복권")
_NEGATIVE = re.compile(r"아파|아프|못 ?(자|먹|잤|먹었|나가|움직)|안 좋|힘들|없어요|귀찮|쓸쓸|외로|우울|걱정|불편")
_POSITIVE = re.compile(r"괜찮|좋아|잘 ?(먹|자|잤|지내|드|다녀)|나았|덜 아|안 아프|안 아파|멀쩡|문제 없|건강해")
_SILENCE = re.compile(r"^[\s.…~음어아흠,?]*$")
_WHERE = re.compile(r"(집|방|안방|거실|부엌|주방|화장실|욕실|마당|현관|계단|밖|길|병원|시장|경로당|공원|[가-힣]+동)"
                    r"(에|이에요|이요|예요|인데|요)?")

FAMILY_WORDS = ("딸", "아들", "며느리", "사위", "손자", "손녀", "남편", "영감", "동생", "언니", "누나", "형님", "오빠", "조카")
HONORIFIC_FAMILY = {"딸": "따님", "아들": "아드님", "며느리": "며느님", "손자": "손주", "손녀": "손주"}
PET_WORDS = ("강아지", "고양이", "개", "새", "닭", "금붕어")
PLACE_WORDS = ("경로당", "노인정", "복지관", "시장", "병원", "보건소", "교회", "성당", "절", "공원", "마트", "은행",
               "약국", "한의원", "목욕탕", "체육관", "노인대학")


# What shows that an answer already covered a later topic ("밥은 잘 먹어요" to the health question).
_MENTIONS = {
    "meals": re.compile(r"밥|식사|끼니|반찬|먹어|먹었|드셨|먹고"),
    "sleep": re.compile(r"잠[은을이도]|잘 자|잤어|푹 자|못 자|주무"),
    "activity": re.compile(r"산책|운동|걷|나들이|외출|바깥"),
    "mood": re.compile(r"기분|외로|심심|우울|적적|쓸쓸"),
}


def topics_mentioned(text: str) -> list[str]:
    return [topic for topic, pattern in _MENTIONS.items() if pattern.search(text)]


def has_batchim(word: str) -> bool:
    if not word:
        return False
    code = ord(word[-1])
    if 0xAC00 <= code <= 0xD7A3:
        return (code - 0xAC00) % 28 != 0
    return False


def josa(word: str, with_batchim: str, without: str) -> str:
    return word + (with_batchim if has_batchim(word) else without)


def is_silence(text: str) -> bool:
    return bool(_SILENCE.match(text or ""))


def is_busy(text: str) -> bool:
    return bool(_BUSY.search(text))


def wants_tomorrow(text: str) -> bool:
    return bool(_TOMORROW.search(text))


def asks_identity(text: str) -> bool:
    return bool(_IDENTITY.search(text))


def asks_repeat(text: str) -> bool:
    return bool(_REPEAT.search(text.strip()))


def says_goodbye(text: str) -> bool:
    return bool(_GOODBYE.search(text))


def is_off_topic(text: str) -> bool:
    return bool(_OFF_TOPIC.search(text))


def sounds_negative(text: str) -> bool:
    return bool(_NEGATIVE.search(text)) and not sounds_positive(text)


def sounds_positive(text: str) -> bool:
    return bool(_POSITIVE.search(text))


def where_in(text: str) -> str:
    m = _WHERE.search(text)
    return m.group(1) if m else ""


def follow_up_phrase(value: str, slot: str) -> str:
    """The phrase the caller quotes next time ("무릎이 아프다고"), or the client's own words in quotes
    ("“요즘 속상해서”라고"); empty when nothing was said."""
    for pattern, phrase in _FOLLOW_UP_PATTERNS:
        if pattern.search(value):
            return phrase
    said = value.split(";")[0].strip().rstrip(".!?~ ")
    if not said:
        return ""
    if len(said) > QUOTE_MAX:
        cut = said[:QUOTE_MAX].rsplit(" ", 1)[0]
        said = f"{cut}…"
    return f"“{said}”라고"


def when_phrase(days_ago: int) -> str:
    if days_ago <= 1:
        return "어제"
    if days_ago <= 4:
        return "며칠 전에"
    if days_ago <= 10:
        return "지난주에"
    return "지난번 통화 때"


def next_call_phrase(weekday: int | None, days_ahead: int | None) -> str:
    if weekday is None or days_ahead is None:
        return "다음에"
    day = WEEKDAYS[weekday]
    if days_ahead <= 6:
        return f"{day}요일에"
    if days_ahead <= 13:
        return f"다음 주 {day}요일에"
    return "다음에"


# How the caller addresses the client -------------------------------------------------------------------
# The enrolment names a preferred name and an honorific. A kin term says a sex and an age: "할머니" to a
# 66-year-old man is wrong twice over. A kin term that does not match the client's sex becomes "어르신",
# and under 65 (a younger person with a disability, say) "어르신" and the kin terms become "님".
GENDERED_HONORIFICS = {"할머니": "F", "할머님": "F", "할매": "F", "어머니": "F", "어머님": "F",
                       "할아버지": "M", "할아버님": "M", "할배": "M", "아버지": "M", "아버님": "M"}
OLDER_AGE = 65


def address_for(preferred_name: str, honorific: str, *, sex: str, age: int) -> str:
    """"영숙 어르신", "철수 님": the name the client chose and an honorific that fits them."""
    honorific = (honorific or "").strip() or "어르신"
    wanted = GENDERED_HONORIFICS.get(honorific)
    if wanted and sex and wanted != sex:
        honorific = "어르신"
    if age < OLDER_AGE and (honorific == "어르신" or honorific in GENDERED_HONORIFICS):
        honorific = "님"
    return f"{preferred_name.strip()} {honorific}".strip()
