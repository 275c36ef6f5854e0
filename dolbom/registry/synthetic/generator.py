"""A synthetic Jeonju as numpy columns: households first, then the people living in them.

Everything is drawn from one ``numpy.random.Generator`` seeded by the caller, in a fixed order, so the
same seed gives the same households, names, birth dates, RRNs, phones and addresses. There is no Python
loop per person: loops run over the 35 areas, the few dozen polygon edges of an area, or the few
thousand distinct names. Nothing here touches the database (see ``writer.py``).

How a household is built (see tables.py for the numbers and their sources):

1. households are spread over the 35 boundary areas in proportion to population / mean household size;
2. each gets a size 1..5 from its dong's mix and a type (older person alone, young adult alone, older
   couple, older parent with an adult child, couple, single parent, family, family with a grandparent);
3. each member's age follows from the type and position (children are 24-40 years younger than the
   head), and the older-type probabilities are scaled once so the whole city has 17.8 % aged 65+.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from dolbom.lib.hangul import initials
from dolbom.registry.synthetic import tables

MAX_AGE = 104
PROVINCE = "전북특별자치도"  # since 2024-01-18; addresses are written as they are today

# Household types.
OLDER_ALONE, ADULT_ALONE, OLDER_COUPLE, OLDER_WITH_CHILD, COUPLE, SINGLE_PARENT, FAMILY, FAMILY_GRAND = range(8)

# Member roles (what decides a member's age and sex).
R_OLDER, R_OLDER_SPOUSE, R_ADULT_ALONE, R_HEAD, R_SPOUSE, R_CHILD, R_ADULT_CHILD, R_GRANDPARENT = range(8)


@dataclass(frozen=True)
class Area:
    code: str  # KOSTAT code of the 2021 boundary area, as in BoundaryArea.kostat_code
    name: str
    gu: str
    lon: float
    lat: float
    area_km2: float
    population: float
    older_share: float
    roads: tuple[str, ...]


@lru_cache(maxsize=1)
def areas() -> tuple[Area, ...]:
    from dolbom.areas.dongs import _read

    rows = _read("jeonju_dongs.csv")
    names = {r["dong"] for r in rows}
    if names != set(tables.DONG_PROFILE):
        raise RuntimeError(f"synthetic dong table out of date: {sorted(names ^ set(tables.DONG_PROFILE))}")
    return tuple(
        Area(code=r["adm_cd"], name=r["dong"], gu=r["gu"], lon=float(r["centroid_lon"]),
             lat=float(r["centroid_lat"]), area_km2=float(r["area_km2"]),
             population=tables.DONG_PROFILE[r["dong"]][0], older_share=tables.DONG_PROFILE[r["dong"]][1] / 100,
             roads=tables.DONG_PROFILE[r["dong"]][2])
        for r in rows
    )


@dataclass(frozen=True)
class AreaParameters:
    household_weight: np.ndarray  # (A,) share of households
    size_probs: np.ndarray  # (A, 5)
    p_older_alone: np.ndarray  # (A,) among single-person households
    p_older_couple: np.ndarray  # (A,) among two-person households
    p_older_with_child: np.ndarray  # (A,) among two-person households
    p_grandparent: np.ndarray  # (A,) among households of 3+
    apartment: np.ndarray  # (A,)


def _type_probs(k: float, a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return (np.clip(k * a * 0.5, 0, 0.8), np.clip(k * a * 0.9, 0, 0.8), np.clip(k * a * 0.2, 0, 0.2),
            np.clip(k * a * 0.6, 0, 0.7))


@lru_cache(maxsize=1)
def area_parameters() -> AreaParameters:
    """Per-area probabilities, scaled so that the expected city-wide 65+ share is the target."""
    # Compressed a little: the small-household mix of old dongs already pushes their share up.
    a = np.array([x.older_share for x in areas()]) ** 0.8
    pop = np.array([x.population for x in areas()])
    t = (a - a.min()) / (a.max() - a.min())
    size_probs = (1 - t)[:, None] * np.array(tables.SIZE_MIX_YOUNG) + t[:, None] * np.array(tables.SIZE_MIX_OLD)
    mean_size = size_probs @ np.arange(1, 6)
    hh = pop / mean_size
    hh = hh / hh.sum()

    def older_share(k: float) -> float:
        p1, p2c, p2p, pg = _type_probs(k, a)
        older = size_probs[:, 0] * p1 + size_probs[:, 1] * (2 * p2c + p2p) + size_probs[:, 2:].sum(1) * pg
        return float((hh * older).sum() / (hh * mean_size).sum())

    lo, hi = 0.0, 20.0
    for _ in range(60):  # bisection: older_share is monotonic in k
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if older_share(mid) < tables.TARGET_OLDER_SHARE else (lo, mid)
    p1, p2c, p2p, pg = _type_probs(lo, a)
    apartment = (1 - t) * tables.APARTMENT_YOUNG + t * tables.APARTMENT_OLD
    return AreaParameters(hh, size_probs, p1, p2c, p2p, pg, apartment)


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Largest-remainder split of ``total`` by weights; every area gets one when there are enough."""
    n = len(weights)
    floor_min = 1 if total >= n else 0
    rest = total - floor_min * n
    raw = weights * rest
    counts = np.floor(raw).astype(np.int64)
    short = rest - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:short]] += 1
    return counts + floor_min


@dataclass
class SyntheticCity:
    seed: int
    as_of: dt.date
    areas: tuple[Area, ...]
    # Households, shape (H,)
    h_area: np.ndarray
    h_size: np.ndarray
    h_type: np.ndarray
    h_road_address: np.ndarray
    h_address_detail: np.ndarray
    h_lon: np.ndarray
    h_lat: np.ndarray
    # Residents, shape (R,), grouped by household in order
    r_household: np.ndarray
    r_name: np.ndarray
    r_name_initials: np.ndarray
    r_birth_date: np.ndarray  # datetime64[D]
    r_sex: np.ndarray  # 'M' / 'F'
    r_rrn: np.ndarray  # 13 ASCII digits (dtype S13), no hyphen
    r_phone: np.ndarray
    r_is_older: np.ndarray
    r_has_severe_disability: np.ndarray
    r_has_mental_illness: np.ndarray
    r_is_other_target: np.ndarray
    r_lives_alone: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def household_count(self) -> int:
        return len(self.h_area)

    @property
    def resident_count(self) -> int:
        return len(self.r_household)

    def age_on(self, day: dt.date) -> np.ndarray:
        return _age_on(self.r_birth_date, day)


def _age_on(birth: np.ndarray, day: dt.date) -> np.ndarray:
    years = birth.astype("M8[Y]").astype(np.int64) + 1970
    months = birth.astype("M8[M]")
    month = months.astype(np.int64) % 12 + 1
    mday = (birth - months.astype("M8[D]")).astype(np.int64) + 1
    before_birthday = (month * 100 + mday) > (day.month * 100 + day.day)
    return day.year - years - before_birthday


def _u(values: np.ndarray) -> np.ndarray:
    return values.astype(np.str_)


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """(N,) non-negative ints -> (N, width) digit values, most significant first."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values[:, None] // powers) % 10


def generate(*, households: int, seed: int, as_of: dt.date | None = None) -> SyntheticCity:
    """Draw a city of ``households`` households. ``as_of`` only decides who counts as 65+ today."""
    import time

    if households < 1:
        raise ValueError("households must be positive")
    as_of = as_of or dt.date.today()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    ar = areas()
    params = area_parameters()

    # Households ------------------------------------------------------------------------------
    h_area = np.repeat(np.arange(len(ar), dtype=np.int16), allocate(households, params.household_weight))
    H = len(h_area)
    cum = np.cumsum(params.size_probs, axis=1)[h_area]
    h_size = (1 + (rng.random(H)[:, None] > cum[:, :-1]).sum(axis=1)).astype(np.int8)
    u = rng.random(H)
    p1, p2c, p2p, pg = (params.p_older_alone[h_area], params.p_older_couple[h_area],
                        params.p_older_with_child[h_area], params.p_grandparent[h_area])
    s1, s2 = h_size == 1, h_size == 2
    h_type = np.select(
        [s1 & (u < p1), s1, s2 & (u < p2c), s2 & (u < p2c + p2p), s2 & (u < p2c + p2p + (1 - p2c - p2p) * 0.7), s2,
         u < pg],
        [OLDER_ALONE, ADULT_ALONE, OLDER_COUPLE, OLDER_WITH_CHILD, COUPLE, SINGLE_PARENT, FAMILY_GRAND],
        default=FAMILY,
    ).astype(np.int8)

    # Household-level ages: the older person, the head, the grandparent.
    h_older_age = 65 + np.minimum(rng.exponential(8.5, H), MAX_AGE - 65).astype(np.int64)
    young = rng.random(H)
    h_head_age = np.select(
        [h_type == ADULT_ALONE, h_type == COUPLE, h_type == SINGLE_PARENT],
        [np.where(young < 0.55, rng.integers(20, 40, H), rng.integers(40, 65, H)),
         np.where(young < 0.35, rng.integers(25, 40, H), rng.integers(40, 65, H)),
         rng.integers(30, 61, H)],
        default=rng.integers(30, 59, H),
    )
    h_grand_age = np.clip(np.maximum(65 + rng.exponential(9.0, H).astype(np.int64), h_head_age + 22), 65, MAX_AGE)
    timings["households"] = time.perf_counter() - t0

    # Residents -------------------------------------------------------------------------------
    t1 = time.perf_counter()
    R = int(h_size.sum())
    r_household = np.repeat(np.arange(H, dtype=np.int64), h_size)
    first = np.cumsum(h_size, dtype=np.int64) - h_size
    pos = np.arange(R, dtype=np.int64) - first[r_household]
    t = h_type[r_household]
    size = h_size[r_household]
    role = np.select(
        [t == OLDER_ALONE, t == ADULT_ALONE,
         (t == OLDER_COUPLE) & (pos == 0), t == OLDER_COUPLE,
         (t == OLDER_WITH_CHILD) & (pos == 0), t == OLDER_WITH_CHILD,
         pos == 0, (pos == 1) & (t != SINGLE_PARENT),
         (t == FAMILY_GRAND) & (pos == size - 1)],
        [R_OLDER, R_ADULT_ALONE, R_OLDER, R_OLDER_SPOUSE, R_OLDER, R_ADULT_CHILD, R_HEAD, R_SPOUSE, R_GRANDPARENT],
        default=R_CHILD,
    ).astype(np.int8)
    older_age = h_older_age[r_household]
    head_age = h_head_age[r_household]
    noise = np.rint(rng.normal(-2, 3, R)).astype(np.int64)
    gap = 24 + np.floor(rng.random(R) * (np.minimum(40, head_age) - 24 + 1)).astype(np.int64)
    adult_gap = rng.integers(25, 41, R)
    age = np.select(
        [role == R_OLDER, role == R_OLDER_SPOUSE, role == R_ADULT_CHILD, role == R_SPOUSE, role == R_CHILD,
         role == R_GRANDPARENT],
        [older_age, np.clip(older_age + noise, 65, MAX_AGE), np.clip(older_age - adult_gap, 20, 64),
         np.clip(head_age + noise, 20, 64), np.maximum(head_age - gap, 0), h_grand_age[r_household]],
        default=head_age,
    )

    female = rng.random(R)
    is_female = np.select(
        [role == R_OLDER, role == R_OLDER_SPOUSE, role == R_SPOUSE, role == R_ADULT_ALONE, role == R_GRANDPARENT,
         (role == R_HEAD) & (t == SINGLE_PARENT)],
        # Women outlive men: most older people living alone are women.
        [np.where(t == OLDER_COUPLE, False, female < 0.7), True, True, female < 0.45, female < 0.7, female < 0.75],
        default=np.where(role == R_HEAD, False, female < 0.49),
    )
    r_sex = np.where(is_female, "F", "M")

    ref = tables.REFERENCE_DATE
    anchor = np.array([dt.date(ref.year - a, ref.month, ref.day) for a in range(MAX_AGE + 1)], dtype="M8[D]")
    birth = anchor[age] - rng.integers(0, 365, R).astype("m8[D]")
    timings["ages"] = time.perf_counter() - t1

    # Names ------------------------------------------------------------------------------------
    t2 = time.perf_counter()
    surnames = [s for s, _ in tables.SURNAMES]
    sw = np.array([w for _, w in tables.SURNAMES])
    surname = rng.choice(len(surnames), size=R, p=sw / sw.sum())
    # Children take the father's surname (the head's, when the head is a man); a wife keeps her own, as
    # Korean women do.
    takes_head = ((role == R_CHILD) | (role == R_ADULT_CHILD)) & ~is_female[first[r_household]]
    surname = np.where(takes_head, surname[first[r_household]], surname)
    year = birth.astype("M8[Y]").astype(np.int64) + 1970
    generation = np.searchsorted(np.array(tables.GENERATION_CUTS), year, side="right")
    per_pool = len(tables.GIVEN_NAMES_FEMALE[0])
    given_pool = [n for pool in (*tables.GIVEN_NAMES_FEMALE, *tables.GIVEN_NAMES_MALE) for n in pool]
    gw = 1.0 / (np.arange(per_pool) + 12.0)
    given = ((~is_female) * 4 + generation) * per_pool + rng.choice(per_pool, size=R, p=gw / gw.sum())
    name_id = surname * len(given_pool) + given
    unique_ids, inverse = np.unique(name_id, return_inverse=True)
    # Per distinct name, not per person: a few thousand strings for the whole city.
    names = [surnames[i // len(given_pool)] + given_pool[i % len(given_pool)] for i in unique_ids.tolist()]
    r_name = np.array(names)[inverse]
    r_name_initials = np.array([initials(n) for n in names])[inverse]
    timings["names"] = time.perf_counter() - t2

    # RRNs -------------------------------------------------------------------------------------
    t3 = time.perf_counter()
    r_rrn = rrn_digits(birth, is_female, rng)
    timings["rrns"] = time.perf_counter() - t3

    # Target groups, phones --------------------------------------------------------------------
    t4 = time.perf_counter()
    age_now = _age_on(birth, as_of)
    r_is_older = age_now >= 65
    draw = rng.random((4, R))
    # Registered severe disability rises steeply with age (~2.5 % overall).
    r_disability = draw[0] < np.where(r_is_older, 0.062, 0.017)
    r_mental = draw[1] < np.select([age_now < 20, age_now < 65], [0.003, 0.0125], 0.008)
    r_lives_alone = (h_size == 1)[r_household]
    # "Other": people outside the three groups the dong team still follows, mostly middle-aged people
    # living alone (고독사 위험 중장년 1인가구).
    r_other = (~r_is_older & ~r_disability & ~r_mental
               & (draw[2] < np.where(r_lives_alone & (age_now >= 40), 0.05, 0.002)))
    mid = _u(rng.integers(2000, 10000, R))
    last = np.strings.zfill(_u(rng.integers(0, 10000, R)), 4)
    landline = (age_now >= 75) & (draw[3] < 0.25)
    head = np.where(landline, "063-", "010-")
    mid = np.where(landline, _u(rng.integers(200, 300, R)), mid)
    r_phone = np.where(age_now < 10, "", np.strings.add(np.strings.add(np.strings.add(head, mid), "-"), last))
    timings["groups_phones"] = time.perf_counter() - t4

    # Addresses and points ---------------------------------------------------------------------
    t5 = time.perf_counter()
    h_road_address, h_address_detail = _addresses(ar, h_area, params.apartment, rng)
    h_lon, h_lat = _points(ar, h_area, rng)
    timings["addresses_points"] = time.perf_counter() - t5
    timings["generate_total"] = time.perf_counter() - t0

    return SyntheticCity(
        seed=seed, as_of=as_of, areas=ar, h_area=h_area, h_size=h_size, h_type=h_type,
        h_road_address=h_road_address, h_address_detail=h_address_detail, h_lon=h_lon, h_lat=h_lat,
        r_household=r_household, r_name=r_name, r_name_initials=r_name_initials, r_birth_date=birth, r_sex=r_sex,
        r_rrn=r_rrn, r_phone=r_phone, r_is_older=r_is_older, r_has_severe_disability=r_disability,
        r_has_mental_illness=r_mental, r_is_other_target=r_other, r_lives_alone=r_lives_alone, timings=timings,
    )


_RRN_WEIGHTS = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5], dtype=np.int64)


def rrn_digits(birth: np.ndarray, is_female: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Valid pre-2020-style RRNs (birth date, sex digit, region code, order, check digit), unique.

    People sharing a birth date and sex get consecutive orders under a region code drawn per group, so
    uniqueness holds by construction rather than by retrying.
    """
    R = len(birth)
    day = birth.astype(np.int64)
    key = day * 2 + is_female
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
    group = np.cumsum(starts) - 1
    start_index = np.flatnonzero(starts)
    rank = np.empty(R, dtype=np.int64)
    rank[order] = np.arange(R) - start_index[group]
    group_of = np.empty(R, dtype=np.int64)
    group_of[order] = group
    region = rng.integers(tables.RRN_REGION_FIRST, tables.RRN_REGION_LAST - 50, len(start_index))[group_of]
    serial = (region + rank // 10) * 10 + rank % 10
    if serial.max(initial=0) > 99999:
        raise ValueError("too many people share a birth date for the synthetic RRN scheme")

    year = birth.astype("M8[Y]").astype(np.int64) + 1970
    months = birth.astype("M8[M]")
    month = months.astype(np.int64) % 12 + 1
    mday = (birth - months.astype("M8[D]")).astype(np.int64) + 1
    sex_digit = np.where(year >= 2000, 3, 1) + is_female
    first12 = np.concatenate([
        _digits(year % 100, 2), _digits(month, 2), _digits(mday, 2), sex_digit[:, None], _digits(serial, 5),
    ], axis=1)
    check = (11 - (first12 @ _RRN_WEIGHTS) % 11) % 10
    ascii_digits = (np.concatenate([first12, check[:, None]], axis=1) + ord("0")).astype(np.uint8)
    return np.ascontiguousarray(ascii_digits).view("S13").ravel()


def _addresses(ar: tuple[Area, ...], h_area: np.ndarray, apartment: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    H = len(h_area)
    roads = np.array([r for a in ar for r in a.roads])
    # Side streets are numbered off the road: 서신로 -> 서신로3길, but 객사길 -> 객사3길.
    stems = np.array([r[:-1] if r.endswith("길") else r for a in ar for r in a.roads])
    counts = np.array([len(a.roads) for a in ar])
    offsets = np.cumsum(counts) - counts
    pick = offsets[h_area] + np.floor(rng.random(H) * counts[h_area]).astype(np.int64)
    side_street = rng.random(H) < 0.45
    side = np.strings.add(np.strings.add(stems[pick], _u(rng.integers(1, 41, H))), "길")
    road = np.where(side_street, side, roads[pick])
    number = np.where(side_street, rng.integers(1, 61, H), rng.integers(1, 251, H))
    prefix = np.array([f"{PROVINCE} 전주시 {a.gu} " for a in ar])[h_area]
    address = np.strings.add(np.strings.add(np.strings.add(prefix, road), " "), _u(number))
    is_apartment = rng.random(H) < apartment[h_area]
    unit = rng.integers(1, 26, H) * 100 + rng.integers(1, 5, H)
    detail = np.strings.add(np.strings.add(_u(rng.integers(101, 116, H)), "동 "), np.strings.add(_u(unit), "호"))
    return address, np.where(is_apartment, detail, "")


@lru_cache(maxsize=1)
def _rings() -> dict[str, list[tuple[np.ndarray, list[np.ndarray]]]]:
    from dolbom.areas.geo import boundaries

    out: dict[str, list[tuple[np.ndarray, list[np.ndarray]]]] = {}
    for feature in boundaries()["features"]:
        geom = feature["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        out[feature["properties"]["adm_cd"]] = [
            (np.array(poly[0], dtype=float), [np.array(h, dtype=float) for h in poly[1:]]) for poly in polys
        ]
    return out


def _in_ring(x: np.ndarray, y: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Even-odd rule, vectorised over the points; the loop runs over the ring's edges."""
    inside = np.zeros(len(x), dtype=bool)
    xj, yj = ring[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        for xi, yi in ring:
            crosses = (yi > y) != (yj > y)
            inside ^= crosses & (x < (xj - xi) * (y - yi) / (yj - yi) + xi)
            xj, yj = xi, yi
    return inside


def in_area(code: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    result = np.zeros(len(x), dtype=bool)
    for outer, holes in _rings().get(code, []):
        inside = _in_ring(x, y, outer)
        for hole in holes:
            inside &= ~_in_ring(x, y, hole)
        result |= inside
    return result


def _points(ar: tuple[Area, ...], h_area: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A point in the household's boundary area: the centroid plus a jitter, redrawn until inside.

    People cluster near the centre of a dong rather than on its mountain edges, hence a normal jitter
    around the centroid, not a uniform draw over the polygon.
    """
    H = len(h_area)
    lon = np.empty(H)
    lat = np.empty(H)
    km_per_deg_lat = 111.0
    for i, a in enumerate(ar):
        idx = np.flatnonzero(h_area == i)
        if not len(idx):
            continue
        sd_km = min(0.45 * np.sqrt(a.area_km2 / np.pi), 1.2)
        km_per_deg_lon = km_per_deg_lat * np.cos(np.radians(a.lat))
        x = np.full(len(idx), a.lon)
        y = np.full(len(idx), a.lat)
        todo = np.arange(len(idx))
        for _ in range(8):
            cx = a.lon + rng.normal(0, sd_km / km_per_deg_lon, len(todo))
            cy = a.lat + rng.normal(0, sd_km / km_per_deg_lat, len(todo))
            ok = in_area(a.code, cx, cy)
            x[todo[ok]], y[todo[ok]] = cx[ok], cy[ok]
            todo = todo[~ok]
            if not len(todo):
                break
        # Whatever is left after eight tries stays on the centroid, which lies inside every area.
        lon[idx], lat[idx] = np.round(x, 6), np.round(y, 6)
    return lon, lat
