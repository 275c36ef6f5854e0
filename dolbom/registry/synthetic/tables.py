"""Fixed tables the synthetic Jeonju is drawn from. Plain data; no database.

Assumptions (stated because the numbers are not official statistics):

- ``DONG_PROFILE`` gives each of the 35 boundary areas (2021-04 boundaries) a relative population in
  thousands and a relative share of people aged 65+ in percent. They are rounded approximations from
  public knowledge of Jeonju (the old downtown 중앙동/풍남동/노송동/완산동 is small and old; the new towns
  혁신동, 효자5동 and 송천1동 (에코시티) are large and young), not figures copied from the resident
  register. Only their ratios matter: the generator scales the older shares so that the city as a whole
  has ``TARGET_OLDER_SHARE`` people aged 65+, and normalises the populations.
- Household sizes move between a "family new town" mix and an "old downtown" mix with the dong's age
  profile; the city-wide result is about 2.1 persons per household with about a third of households
  single-person (통계청 인구총조사 order of magnitude for Jeonju).
- Surname frequencies follow the order of the 2015 census (김 21.5 %, 이 14.7 %, 박 8.4 % ...); given
  names are common names of each generation, so a 1945-born woman is 순자 or 영숙, a 2015-born boy 도윤.
- Street names are real or plausible road names of each dong; building numbers are random. Addresses
  are synthetic and do not identify anyone.
"""

from __future__ import annotations

import datetime as dt

# Ages are drawn as ages on this date so that the same seed gives the same birth dates (and RRNs) on any
# day the generator runs. The date the Integrated Care Support Act came into force.
REFERENCE_DATE = dt.date(2026, 3, 27)

TARGET_OLDER_SHARE = 0.178

# name -> (relative population in thousands, relative share aged 65+ in percent, road names)
DONG_PROFILE: dict[str, tuple[float, float, tuple[str, ...]]] = {
    # 완산구
    "중앙동": (4.0, 35, ("팔달로", "충경로", "전라감영로", "객사길")),
    "풍남동": (4.0, 33, ("태조로", "어진길", "은행로", "향교길", "최명희길")),
    "노송동": (7.8, 30, ("기린대로", "물왕멀길", "현무길", "권삼득로")),
    "완산동": (4.5, 37, ("용머리로", "전주천서로", "곤지산길", "매곡로")),
    "동서학동": (6.5, 31, ("서학로", "남고산성길", "전주천동로")),
    "서서학동": (8.5, 28, ("흑석로", "서학로", "공수내길")),
    "중화산1동": (11.0, 24, ("중화산로", "용머리로", "화산로")),
    "중화산2동": (22.0, 16, ("중화산로", "전룡로", "서원로")),
    "서신동": (33.0, 15, ("서신로", "감나무로", "서곡로", "백제대로")),
    "평화1동": (12.0, 22, ("장승배기로", "쑥고개로", "평화로")),
    "평화2동": (25.0, 19, ("모악로", "평화로", "학산로")),
    "삼천1동": (16.0, 17, ("거마평로", "삼천로", "쑥고개로")),
    "삼천2동": (13.0, 21, ("삼천로", "거마평로", "맏내로")),
    "삼천3동": (17.0, 19, ("원당로", "삼천로", "모악로")),
    "효자1동": (10.5, 22, ("효자로", "서원로", "용머리로")),
    "효자2동": (17.0, 18, ("효자로", "서원로", "홍산로")),
    "효자3동": (15.0, 17, ("효자로", "안행로", "삼천천변길")),
    "효자4동": (33.0, 12, ("홍산로", "홍산중앙로", "홍산남로", "효자로")),
    "효자5동": (38.0, 7, ("마전들로", "우전로", "서부로")),
    # 덕진구
    "진북동": (14.0, 25, ("진북로", "팔달로", "숲정이길")),
    "인후1동": (13.0, 24, ("권삼득로", "안덕원로", "견훤로")),
    "인후2동": (15.0, 22, ("견훤로", "안덕원로", "기린대로")),
    "인후3동": (20.0, 17, ("동부대로", "견훤로", "안덕원로")),
    "덕진동": (13.0, 22, ("권삼득로", "백제대로", "명륜길", "덕진연못길")),
    "금암1동": (7.5, 25, ("가리내로", "백제대로", "기린대로")),
    "금암2동": (6.0, 24, ("가리내로", "기린대로", "건산로")),
    "팔복동": (8.0, 30, ("팔복로", "신복로", "서귀로")),
    "우아1동": (13.0, 20, ("가련산로", "동부대로", "아중로")),
    "우아2동": (17.0, 23, ("아중로", "기린대로", "우아로")),
    "호성동": (22.0, 16, ("호성로", "동부대로", "진버들로")),
    "송천1동": (50.0, 8, ("송천중앙로", "세병로", "천마산로", "온고을로")),
    "송천2동": (25.0, 15, ("송천중앙로", "온고을로", "솔내로")),
    "조촌동": (15.0, 17, ("조촌로", "동산로", "신복로")),
    "여의동": (23.0, 12, ("동산로", "만성중앙로", "팔과정로")),
    "혁신동": (28.0, 6, ("콩쥐팥쥐로", "오공로", "기지로", "농생명로")),
}

# Household size 1..5 in a young family town and in the old downtown; each dong interpolates by its
# older share. Both sum to 1.
SIZE_MIX_YOUNG = (0.30, 0.29, 0.22, 0.155, 0.035)
SIZE_MIX_OLD = (0.48, 0.34, 0.11, 0.05, 0.02)

# Share of apartment dwellers (address detail '101동 1203호') in a young and an old dong.
APARTMENT_YOUNG = 0.85
APARTMENT_OLD = 0.25

# 2015 census order; relative weights in per mille.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("김", 215), ("이", 147), ("박", 84), ("최", 47), ("정", 43), ("강", 24), ("조", 21), ("윤", 21),
    ("장", 20), ("임", 17), ("한", 15), ("오", 15), ("서", 15), ("신", 15), ("권", 14), ("황", 14),
    ("안", 13), ("송", 13), ("전", 11), ("홍", 11), ("유", 10), ("고", 9), ("문", 9), ("양", 9),
    ("손", 9), ("배", 8), ("백", 8), ("허", 6), ("남", 5), ("심", 5), ("노", 4), ("하", 4),
    ("곽", 4), ("성", 4), ("차", 4), ("주", 4), ("우", 4), ("구", 4), ("민", 3), ("류", 3), ("나", 3),
    ("진", 3), ("지", 3), ("엄", 3), ("채", 3), ("원", 3), ("천", 2), ("방", 2), ("공", 2), ("현", 2),
    ("함", 2), ("변", 2), ("염", 2), ("여", 1), ("추", 1), ("도", 1), ("소", 1), ("석", 1), ("선", 1),
    ("설", 1), ("마", 1), ("길", 1), ("연", 1), ("위", 1), ("표", 1), ("명", 1), ("기", 1), ("반", 1),
    ("라", 1), ("왕", 0.5), ("금", 0.5), ("옥", 0.5), ("육", 0.5), ("인", 0.5), ("맹", 0.5), ("제", 0.5),
    ("모", 0.5), ("탁", 0.5), ("국", 0.5), ("은", 0.3), ("편", 0.3), ("용", 0.3), ("남궁", 0.3),
    ("황보", 0.2), ("제갈", 0.1), ("선우", 0.1), ("독고", 0.05),
)

# Birth-year cut points of the given-name generations: before 1960, 1960-79, 1980-99, 2000 and later.
GENERATION_CUTS = (1960, 1980, 2000)

GIVEN_NAMES_FEMALE: tuple[tuple[str, ...], ...] = (
    ("순자", "영자", "정자", "영숙", "정숙", "순희", "옥순", "말순", "춘자", "명자", "경자", "정순", "영순",
     "순옥", "영희", "복순", "점순", "옥자", "금순", "순덕", "정희", "명숙", "미자", "숙자", "갑순"),
    ("미숙", "미경", "은주", "경희", "영미", "현숙", "정미", "미영", "은희", "경숙", "선영", "지영", "은정",
     "미정", "현주", "혜경", "영주", "수진", "은영", "미란", "순영", "선희", "경아", "윤정", "정란"),
    ("지영", "지현", "수진", "민정", "은지", "혜진", "지은", "현정", "유진", "수연", "민지", "지혜", "소연",
     "예진", "보람", "다은", "수정", "하나", "슬기", "아름", "지원", "은비", "유리", "미진", "혜원"),
    ("서연", "지민", "서윤", "민서", "하은", "지우", "서현", "수빈", "예은", "윤서", "채원", "하윤", "지유",
     "서아", "하린", "지아", "수아", "다인", "예린", "시은", "유나", "소율", "나은", "아린", "채은"),
)
GIVEN_NAMES_MALE: tuple[tuple[str, ...], ...] = (
    ("영수", "영철", "정수", "영호", "상철", "광수", "종수", "영식", "병철", "정식", "영길", "재호", "성수",
     "용수", "병호", "만수", "춘식", "석구", "기수", "동수", "순길", "점석", "영남", "창수", "덕수"),
    ("성호", "영진", "성진", "정호", "상훈", "성훈", "정훈", "재훈", "동현", "성민", "기훈", "진호", "상현",
     "준호", "영민", "재성", "종현", "승호", "경수", "현철", "상욱", "정민", "태호", "동욱", "병수"),
    ("지훈", "성민", "현우", "동현", "준영", "민수", "재현", "정훈", "상현", "준호", "민호", "지환", "성현",
     "현준", "승민", "태현", "우진", "진우", "민석", "동욱", "재민", "건우", "도현", "승현", "준혁"),
    ("민준", "서준", "도윤", "예준", "시우", "하준", "주원", "지호", "지후", "준우", "준서", "도현", "건우",
     "현우", "우진", "선우", "유준", "연우", "서진", "은우", "이준", "시윤", "민재", "지환", "승우"),
)

# Jeonbuk registration-office region codes (the 4 digits after the sex digit of a pre-2020 RRN).
RRN_REGION_FIRST = 4800
RRN_REGION_LAST = 5449
