"""Resident registration numbers (주민등록번호): validation, encryption at rest, masking, blind index.

PIPA §24-2 and its Decree §21-2 require RRNs to be stored encrypted. We use AES-256-GCM with a
random nonce per value and an HMAC-SHA256 blind index (separate key) so that an exact-match search
is one indexed lookup instead of decrypting every row.

The check digit is validated only for numbers issued before October 2020: since then the last six
digits are assigned without region code or checksum, so a strict checksum would reject real people.

Keys rotate (개인정보의 안전성 확보조치 기준 §7: keys are managed and changed; ``dolbom ops rotate-keys``). Each
ciphertext therefore names its key: ``<key id>:<base64 nonce + sealed>``, the key id being a fingerprint of
the key (``key_id``), so that no table of ids has to be kept in step with the keys. Ciphertexts written
before key ids existed are bare base64 (a base64 text never holds ":"); they are opened by trying each key
of the ring, which AES-GCM's tag makes unambiguous. A ``KeyRing`` is the current key, which seals, and
the other keys still accepted: the previous ones during and after a rotation (and in restored backups),
the next one before it becomes current. The blind index has its own ring: a search computes the index
under every key of it (``blind_indexes``), so a row is found whether or not the rotation has reached it.

A model that stores an RRN names its fields ``rrn_encrypted`` and ``rrn_index``; the rotation finds them
by these names in every installed app (dolbom/ops/keyrotation.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_RRN_RE = re.compile(r"^(\d{6})-?(\d)(\d{6})$")
_CENTURY = {"9": 1800, "0": 1800, "1": 1900, "2": 1900, "5": 1900, "6": 1900,
            "3": 2000, "4": 2000, "7": 2000, "8": 2000}
_MALE_DIGITS = frozenset("13579")


class InvalidRRN(ValueError):
    pass


@dataclass(frozen=True)
class RRN:
    digits: str  # 13 digits, no hyphen

    @property
    def formatted(self) -> str:
        return f"{self.digits[:6]}-{self.digits[6:]}"

    @property
    def masked(self) -> str:
        return mask(self.digits)

    @property
    def birth_date(self) -> dt.date:
        century = _CENTURY[self.digits[6]]
        return dt.date(century + int(self.digits[:2]), int(self.digits[2:4]), int(self.digits[4:6]))

    @property
    def sex(self) -> str:
        return "M" if self.digits[6] in _MALE_DIGITS else "F"


def parse(value: str) -> RRN:
    """Validate and normalise. Raises InvalidRRN with a reason a person can act on."""
    m = _RRN_RE.match(value.strip())
    if not m:
        raise InvalidRRN("format")
    digits = "".join(m.groups())
    if digits[6] not in _CENTURY:
        raise InvalidRRN("sex_digit")
    rrn = RRN(digits)
    try:
        birth = rrn.birth_date
    except ValueError as exc:
        raise InvalidRRN("birth_date") from exc
    if birth > dt.date.today():
        raise InvalidRRN("birth_date")
    if birth < dt.date(2020, 10, 1) and not _checksum_ok(digits):
        # Numbers issued before the 2020-10 reform carry a check digit; people born earlier but
        # re-issued after the reform (rare: identity theft victims) are handled by the office.
        raise InvalidRRN("checksum")
    return rrn


def _checksum_ok(digits: str) -> bool:
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    total = sum(int(d) * w for d, w in zip(digits[:12], weights, strict=True))
    return (11 - total % 11) % 10 == int(digits[12])


def check_digit(first12: str) -> str:
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    total = sum(int(d) * w for d, w in zip(first12, weights, strict=True))
    return str((11 - total % 11) % 10)


def mask(digits: str) -> str:
    digits = digits.replace("-", "")
    return f"{digits[:6]}-{digits[6]}******"


class UnknownKey(ValueError):
    """A ciphertext under a key that is not in the ring (a restored backup whose keys were not added)."""


def key_id(key: bytes) -> str:
    """A short public fingerprint of a key: names it in ciphertexts, manifests and the rotation's report.

    SHA-256 of a domain-separated key is one-way: the id tells nothing about the key."""
    return hashlib.sha256(b"dolbom-rrn-key-id\0" + key).hexdigest()[:8]


@dataclass(frozen=True)
class KeyRing:
    current: bytes
    others: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        for key in (self.current, *self.others):
            if len(key) != 32:
                raise ValueError("RRN keys are 32 bytes")

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    @property
    def keys(self) -> tuple[bytes, ...]:
        """Current first, then the others, without repeats."""
        return tuple(dict.fromkeys((self.current, *self.others)))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key_id(k) for k in self.keys)

    def get(self, kid: str) -> bytes | None:
        return next((k for k in self.keys if key_id(k) == kid), None)


def _ring(key: bytes | KeyRing) -> KeyRing:
    return key if isinstance(key, KeyRing) else KeyRing(key)


def encrypt(digits: str, key: bytes | KeyRing) -> str:
    """Seal under ``key`` (a ring's current key), naming the key in the ciphertext."""
    key = _ring(key).current
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, digits.encode(), b"rrn")
    return f"{key_id(key)}:{base64.b64encode(nonce + sealed).decode()}"


def token_key_id(token: str) -> str | None:
    """The id of the key a ciphertext was sealed under; None for one written before key ids."""
    kid, sep, _ = token.partition(":")
    return kid if sep else None


def decrypt(token: str, key: bytes | KeyRing) -> str:
    """Open a ciphertext under whichever key of the ring sealed it. Raises UnknownKey when none did."""
    ring = _ring(key)
    kid, sep, payload = token.partition(":")
    raw = base64.b64decode(payload if sep else token)
    if sep:
        named = ring.get(kid)
        candidates: tuple[bytes, ...] = (named,) if named is not None else ()
    else:
        candidates = ring.keys
    for candidate in candidates:
        try:
            return AESGCM(candidate).decrypt(raw[:12], raw[12:], b"rrn").decode()
        except InvalidTag:
            continue
    raise UnknownKey(f"no key of the ring opens this value (key id {kid if sep else 'none: written before key ids'})")


def blind_index(digits: str, key: bytes) -> str:
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()


def blind_indexes(digits: str, ring: bytes | KeyRing) -> list[str]:
    """The index of ``digits`` under every key of the ring, current first: what a search looks for while a
    rotation of the index key is under way (rows not yet reached carry the old key's index)."""
    return [blind_index(digits, k) for k in _ring(ring).keys]
