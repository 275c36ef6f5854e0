"""Hangul helpers for name search (초성 검색)."""

from __future__ import annotations

_CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_SYLLABLE_FIRST = 0xAC00
_SYLLABLE_LAST = 0xD7A3
_COMPAT_CONSONANTS = frozenset("ㄱㄲㄳㄴㄵㄶㄷㄸㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅃㅄㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")


def initials(text: str) -> str:
    """'김민수' -> 'ㄱㅁㅅ'. Non-Hangul characters are kept so mixed names still match."""
    out = []
    for ch in text:
        code = ord(ch)
        if _SYLLABLE_FIRST <= code <= _SYLLABLE_LAST:
            out.append(_CHOSEONG[(code - _SYLLABLE_FIRST) // 588])
        elif not ch.isspace():
            out.append(ch)
    return "".join(out)


def is_initials_query(text: str) -> bool:
    """True when the query is made only of initial consonants (e.g. 'ㄱㅁㅅ')."""
    stripped = text.replace(" ", "")
    return bool(stripped) and all(ch in _COMPAT_CONSONANTS for ch in stripped)
