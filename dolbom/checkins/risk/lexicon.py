"""The baseline: a keyword lexicon, as one would write it without a classifier.

Each kind has substrings with a severity; an utterance gets the highest severity of the keywords it
contains. No negation, no time, no morphology. ``bench/checkins.py`` measures it beside the model.
"""

from __future__ import annotations

import numpy as np

from .dataset import SIGNALS

LEXICON: dict[str, list[tuple[str, int]]] = {
    "health": [
        ("아파", 2), ("아프", 2), ("아퍼", 2), ("쑤셔", 2), ("쑤시", 2), ("저려", 2), ("결려", 1), ("어지러", 2),
        ("병원", 1), ("약", 1), ("혈압", 2), ("당뇨", 2), ("기침", 2), ("열이", 2), ("숨이", 2), ("숨을", 2),
        ("부었", 2), ("통증", 2), ("감기", 1), ("시려", 1), ("뻐근", 1), ("피가", 3), ("가슴이", 2), ("토했", 3),
    ],
    "sleep": [("잠", 2), ("못 자", 2), ("못자", 2), ("깨요", 1), ("설쳤", 1), ("수면제", 2), ("불면", 2), ("뒤척", 1)],
    "meals": [("입맛", 2), ("밥맛", 2), ("굶", 2), ("끼니", 2), ("거르", 2), ("못 먹", 2), ("못먹", 2), ("안 먹", 2), ("살이 빠", 2)],
    "mood": [
        ("외로", 2), ("우울", 2), ("쓸쓸", 1), ("적적", 1), ("심심", 1), ("눈물", 2), ("서러", 2), ("서운", 1),
        ("재미가 없", 2), ("낙이 없", 2), ("불안", 2), ("허전", 1), ("귀찮", 1),
    ],
    "self_harm": [("죽고 싶", 3), ("죽고싶", 3), ("죽어야", 3), ("뛰어내", 3), ("자살", 3), ("살고 싶지", 3), ("그만 살", 3)],
    "emergency": [("넘어져", 3), ("넘어졌", 3), ("쓰러", 3), ("119", 3), ("살려", 3), ("불이 났", 3), ("못 일어나", 3), ("구급차", 3)],
    "daily_living": [
        ("보일러", 2), ("월세", 2), ("전기세", 2), ("돈이 없", 2), ("난방", 2), ("청소", 1), ("빨래", 1), ("장 보", 1),
        ("목욕", 1), ("계단", 1), ("고장", 2), ("밀렸", 2), ("끊겼", 2), ("쫓겨", 3),
    ],
}


def lexicon_severities(texts: list[str]) -> np.ndarray:
    """(n, kinds) severity 0..3."""
    out = np.zeros((len(texts), len(SIGNALS)), dtype=np.int64)
    for i, text in enumerate(texts):
        for k, kind in enumerate(SIGNALS):
            for word, sev in LEXICON[kind]:
                if word in text and sev > out[i, k]:
                    out[i, k] = sev
    return out
