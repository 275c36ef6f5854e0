"""Import of the national integrated-care resource file (CSV, ~90,000 rows).

All or nothing: every line is checked first and the errors are reported by line number in Korean; only a
clean file is written, in one transaction. Rows are matched by their resource id (services) and institution
code, so importing the same file twice changes nothing. Set-based writes (bulk upserts), not a save per row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from dolbom.areas.selectors import dong_list_valid_on
from dolbom.referrals.categories import categories
from dolbom.referrals.models import Institution, InstitutionKind, Service

COLUMNS = ["자원ID", "기관코드", "기관명", "기관유형", "대분류", "소분류", "서비스명", "자격요건", "제공지역", "정원", "대기",
           "연락처", "주소"]
CITYWIDE = {"전체", "전주시 전체", "*"}
KIND_BY_LABEL = {
    "병원": InstitutionKind.HOSPITAL, "의원": InstitutionKind.CLINIC, "보건소": InstitutionKind.PUBLIC_HEALTH_CENTRE,
    "재가기관": InstitutionKind.HOME_CARE_AGENCY, "방문간호기관": InstitutionKind.HOME_NURSING_AGENCY,
    "복지관": InstitutionKind.WELFARE_CENTRE, "노인복지관": InstitutionKind.SENIOR_WELFARE_CENTRE,
    "집수리단체": InstitutionKind.HOUSING_REPAIR, "식사배달단체": InstitutionKind.MEAL_DELIVERY,
    "장기요양시설": InstitutionKind.LONG_TERM_CARE_FACILITY, "장애인거주시설": InstitutionKind.DISABILITY_RESIDENCE,
    "정신건강복지센터": InstitutionKind.MENTAL_HEALTH_CENTRE, "한의원": InstitutionKind.KOREAN_MEDICINE,
    "기타": InstitutionKind.OTHER,
}


@dataclass
class ImportResult:
    rows: int = 0
    institutions_created: int = 0
    services_created: int = 0
    services_updated: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    service_code: str
    inst_code: str
    inst_name: str
    kind: str
    category: str
    name: str
    eligibility: str
    citywide: bool
    dong_ids: tuple[int, ...]
    capacity: int
    waiting: int
    phone: str
    address: str


def _int(value: str, line: int, column: str, errors: list[str]) -> int:
    try:
        n = int(value.replace(",", "").strip() or "0")
    except ValueError:
        errors.append(f"{line}행: '{column}' 값 '{value}'은(는) 숫자가 아닙니다.")
        return 0
    if n < 0:
        errors.append(f"{line}행: '{column}' 값은 0 이상이어야 합니다.")
    return max(n, 0)


def _parse(lines: Iterable[str]) -> tuple[list[_Row], list[str]]:
    cat = categories()
    dongs = {d.name: d.pk for d in dong_list_valid_on(timezone.localdate())}
    reader = csv.DictReader(lines)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [f"1행: 필수 열이 없습니다: {', '.join(missing)}"]
    rows: list[_Row] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        v = {k: (raw.get(k) or "").strip() for k in COLUMNS}
        before = len(errors)
        for col in ("자원ID", "기관코드", "기관명", "서비스명", "소분류"):
            if not v[col]:
                errors.append(f"{line}행: '{col}'이(가) 비어 있습니다.")
        minor = cat.minors.get(v["소분류"])
        if v["소분류"] and minor is None:
            errors.append(f"{line}행: 소분류 코드 '{v['소분류']}'를 알 수 없습니다 (분류 {cat.version}).")
        elif minor and v["대분류"] and v["대분류"] != minor.major_code:
            errors.append(f"{line}행: 소분류 '{v['소분류']}'는 대분류 '{minor.major_code}'에 속합니다 "
                          f"('{v['대분류']}'로 적혀 있습니다).")
        kind = KIND_BY_LABEL.get(v["기관유형"]) or (v["기관유형"] if v["기관유형"] in InstitutionKind.values else None)
        if kind is None:
            errors.append(f"{line}행: 기관유형 '{v['기관유형']}'을(를) 알 수 없습니다.")
        area = v["제공지역"]
        citywide = area in CITYWIDE or not area
        dong_ids: list[int] = []
        if not citywide:
            for name in (n.strip() for n in area.replace(",", ";").split(";") if n.strip()):
                if name not in dongs:
                    errors.append(f"{line}행: 제공지역의 동 '{name}'은(는) 현재 전주시의 행정동이 아닙니다.")
                else:
                    dong_ids.append(dongs[name])
        capacity = _int(v["정원"], line, "정원", errors)
        waiting = _int(v["대기"], line, "대기", errors)
        if v["자원ID"] in seen:
            errors.append(f"{line}행: 자원ID '{v['자원ID']}'가 {seen[v['자원ID']]}행과 중복됩니다.")
        seen.setdefault(v["자원ID"], line)
        if len(errors) == before:
            rows.append(_Row(v["자원ID"], v["기관코드"], v["기관명"], str(kind), v["소분류"], v["서비스명"],
                             v["자격요건"], citywide, tuple(dong_ids), capacity, waiting, v["연락처"], v["주소"]))
    return rows, errors


def resource_file_import(text: str) -> ImportResult:
    """Check the whole file, then write it in one transaction. Nothing is written if any line is wrong."""
    rows, errors = _parse(io.StringIO(text.lstrip("\ufeff"), newline=""))
    result = ImportResult(rows=len(rows) + 0, errors=errors)
    if errors:
        return result
    _write(rows, result)
    return result


@transaction.atomic
def _write(rows: list[_Row], result: ImportResult) -> None:
    insts: dict[str, _Row] = {}
    for r in rows:
        insts.setdefault(r.inst_code, r)
    existing_insts = set(Institution.objects.filter(code__in=insts).values_list("code", flat=True))
    Institution.objects.bulk_create(
        [Institution(code=c, name=r.inst_name, kind=r.kind, phone=r.phone, address=r.address) for c, r in insts.items()],
        update_conflicts=True, unique_fields=["code"], update_fields=["name", "kind", "phone", "address"],
        batch_size=2000)
    inst_ids = dict(Institution.objects.filter(code__in=insts).values_list("code", "pk"))
    existing_services = set(Service.objects.filter(code__in=[r.service_code for r in rows])
                            .values_list("code", flat=True))
    Service.objects.bulk_create(
        [Service(code=r.service_code, institution_id=inst_ids[r.inst_code], name=r.name, category_code=r.category,
                 eligibility=r.eligibility, citywide=r.citywide, capacity=r.capacity, waiting=r.waiting)
         for r in rows],
        update_conflicts=True, unique_fields=["code"],
        update_fields=["institution", "name", "category_code", "eligibility", "citywide", "capacity", "waiting"],
        batch_size=2000)
    service_ids = dict(Service.objects.filter(code__in=[r.service_code for r in rows]).values_list("code", "pk"))
    through = Service.dongs.through
    ids = list(service_ids.values())
    for i in range(0, len(ids), 5000):
        through.objects.filter(service_id__in=ids[i:i + 5000]).delete()
    through.objects.bulk_create([through(service_id=service_ids[r.service_code], dong_id=d)
                                 for r in rows for d in r.dong_ids], batch_size=5000)
    result.institutions_created = len(insts) - len(existing_insts)
    result.services_created = len(rows) - len(existing_services)
    result.services_updated = len(existing_services)
