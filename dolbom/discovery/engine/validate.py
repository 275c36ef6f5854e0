"""Line-by-line validation of an agency's source file, with Korean messages.

The import is all-or-nothing: the Django side imports a file only when this returns no error, and it
recognises a file already imported by ``file_sha256``. Every check is a column expression over the whole
file (no Python loop per line); only the erroneous lines are turned into ``LineError`` objects, at most
``MAX_ERRORS`` of them, after which one ``too_many_errors`` entry says how many more there were.

Line numbers: in a CSV the header is line 1 and the first record line 2; in a Parquet file rows count
from 1; line 0 is the file as a whole (unknown agency, wrong header, unreadable file).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from dolbom.discovery.catalogue import Agency, Catalogue
from dolbom.discovery.engine.schema import SOURCE_COLUMNS, SOURCE_POLARS

MAX_ERRORS = 1000

MESSAGES = {
    "unreadable": "파일을 읽을 수 없습니다: {detail}",
    "unknown_agency": "파일 이름으로 제공 기관을 알 수 없습니다 ({detail}). 파일 이름은 기관 파일명(kepco, nhis …)으로 시작해야 합니다.",
    "bad_header": "열 이름이 맞지 않습니다: {detail}",
    "bad_household_id": "가구 번호가 숫자가 아닙니다: '{value}'",
    "unknown_household": "등록되지 않은 가구입니다: {value}",
    "unknown_code": "알 수 없는 지표 코드입니다: '{value}'",
    "wrong_agency_code": "이 기관이 보낼 수 없는 지표 코드입니다: '{value}'",
    "code_not_in_force": "기준일에 사용하지 않는 지표입니다: '{value}'",
    "bad_date": "날짜 형식이 틀렸습니다(YYYY-MM-DD): '{value}'",
    "future_date": "기준일 이후의 날짜입니다: {value}",
    "missing_value": "이 지표에는 값이 필요합니다",
    "bad_months": "체납 개월 수가 올바르지 않습니다(0~600): '{value}'",
    "bad_amount": "금액이 올바르지 않습니다(0 이상의 원 단위 정수): '{value}'",
    "duplicate_row": "같은 줄이 이미 있습니다",
    "too_many_errors": "오류가 너무 많아 {detail}건은 생략했습니다",
}


@dataclass(frozen=True)
class LineError:
    line: int
    column: str
    code: str
    message: str


def _error(line: int, column: str, code: str, value: str = "", detail: str = "") -> LineError:
    return LineError(line, column, code, MESSAGES[code].format(value=value, detail=detail))


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def agency_of(path: Path, catalogue: Catalogue) -> Agency | None:
    stem = path.name.split(".", 1)[0].lower()
    return next((a for a in catalogue.agencies.values() if stem == a.file_stem or stem.startswith(a.file_stem + "_")),
                None)


def _read_text(path: Path) -> tuple[pl.DataFrame, int]:
    """The file as text columns and the line number of its first record."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        cols = [table.column(i).cast(pa.string()) for i in range(table.num_columns)]
        return pl.from_arrow(pa.table(dict(zip(table.column_names, cols, strict=True)))), 1  # type: ignore[return-value]
    return pl.read_csv(path, infer_schema=False, encoding="utf8"), 2


def validate_source_file(path: str | Path, catalogue: Catalogue, known_household_ids: pa.Array | None = None, *,
                         as_of: dt.date | None = None) -> list[LineError]:
    """Every problem of the file, by line. Empty list: the file can be imported."""
    path = Path(path)
    agency = agency_of(path, catalogue)
    if agency is None:
        return [_error(0, "", "unknown_agency", detail=path.name)]
    try:
        df, first = _read_text(path)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the sender's to fix, reported as such
        return [_error(0, "", "unreadable", detail=str(exc).splitlines()[0][:200])]
    missing = [c for c in SOURCE_COLUMNS if c not in df.columns]
    extra = [c for c in df.columns if c not in SOURCE_COLUMNS]
    if missing or extra:
        detail = "; ".join(filter(None, [f"없는 열 {', '.join(missing)}" if missing else "",
                                         f"모르는 열 {', '.join(extra)}" if extra else ""]))
        return [_error(0 if path.suffix == ".parquet" else 1, "", "bad_header", detail=detail)]
    df = df.select(pl.col(c).str.strip_chars().replace("", None) for c in SOURCE_COLUMNS)
    df = df.with_row_index("_line", offset=first)

    day = as_of or dt.date.today()
    codes = catalogue.by_code()
    own = [i.code for i in catalogue.for_agency(agency.code)]
    in_force = [i.code for i in catalogue.for_agency(agency.code) if i.valid_on(day)]
    measure = {i.code: i.measure for i in catalogue.indicators}
    hid = pl.col("household_id").str.to_integer(strict=False)
    date = pl.col("reference_date").str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    months = pl.col("months").str.to_integer(strict=False)
    amount = pl.col("amount").str.to_integer(strict=False)
    is_months = pl.col("indicator_code").replace_strict(measure, default=None) == "months"
    is_amount = pl.col("indicator_code").replace_strict(measure, default=None) == "amount"

    checks: list[tuple[str, str, pl.Expr]] = [
        ("household_id", "bad_household_id", hid.is_null()),
        ("indicator_code", "unknown_code", ~pl.col("indicator_code").is_in(list(codes)) | pl.col("indicator_code").is_null()),
        ("indicator_code", "wrong_agency_code", pl.col("indicator_code").is_in(list(codes)) & ~pl.col("indicator_code").is_in(own)),
        ("indicator_code", "code_not_in_force", pl.col("indicator_code").is_in(own) & ~pl.col("indicator_code").is_in(in_force)),
        ("reference_date", "bad_date", date.is_null() | ~pl.col("reference_date").str.contains(r"^\d{4}-\d{2}-\d{2}$")),
        ("reference_date", "future_date", date > pl.lit(day)),
        ("months", "missing_value", is_months & pl.col("months").is_null()),
        ("months", "bad_months", pl.col("months").is_not_null() & (months.is_null() | (months < 0) | (months > 600))),
        ("amount", "missing_value", is_amount & pl.col("amount").is_null()),
        ("amount", "bad_amount", pl.col("amount").is_not_null() & (amount.is_null() | (amount < 0))),
        ("", "duplicate_row", pl.struct(SOURCE_COLUMNS).is_duplicated()
         & (pl.int_range(pl.len()).over(pl.struct(SOURCE_COLUMNS)) > 0)),
    ]
    if known_household_ids is not None:
        known = pl.Series(known_household_ids).cast(pl.Int64)
        checks.append(("household_id", "unknown_household", hid.is_not_null() & ~hid.is_in(known.implode())))

    flagged = df.select(
        "_line", *SOURCE_COLUMNS, *[expr.fill_null(False).alias(f"_{i}") for i, (_, _, expr) in enumerate(checks)]
    ).filter(pl.any_horizontal(f"_{i}" for i in range(len(checks))))
    flags = [f"_{i}" for i in range(len(checks))]
    total = int(flagged.select(pl.sum_horizontal(pl.col(flags).cast(pl.Int64)).sum()).item() or 0)
    errors: list[LineError] = []
    # Only the first lines are turned into objects: a file that is wrong throughout stays cheap.
    for row in flagged.head(MAX_ERRORS).iter_rows(named=True):
        for i, (column, code, _) in enumerate(checks):
            if row[f"_{i}"] and len(errors) < MAX_ERRORS:
                errors.append(_error(row["_line"], column, code, value=str(row[column]) if column else ""))
    if total > len(errors):
        errors.append(_error(0, "", "too_many_errors", detail=str(total - len(errors))))
    return errors


def read_source_file(path: str | Path) -> pl.DataFrame:
    """A validated source file with the engine's types."""
    path = Path(path)
    if path.suffix == ".parquet":
        return pl.read_parquet(path, columns=list(SOURCE_COLUMNS)).cast(SOURCE_POLARS)  # type: ignore[arg-type]
    return pl.read_csv(path, schema=SOURCE_POLARS)  # type: ignore[arg-type]
