import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq

from dolbom.discovery.engine import load_catalogue, read_source_file, validate_source_file

AS_OF = dt.date(2026, 11, 1)
HEADER = "household_id,indicator_code,reference_date,months,amount\n"


def _check(path, body, known=(1, 2, 3)):
    path.write_text(HEADER + body, encoding="utf-8")
    return validate_source_file(path, load_catalogue(), pa.array(known, pa.int64()), as_of=AS_OF)


def test_a_clean_file_has_no_error_and_reads_with_types(tmp_path):
    path = tmp_path / "kepco.csv"
    assert _check(path, "1,E02,2026-10-01,4,\n2,E01,2026-09-30,,\n") == []
    frame = read_source_file(path)
    assert frame["months"].to_list() == [4, None]
    assert frame["reference_date"].to_list() == [dt.date(2026, 10, 1), dt.date(2026, 9, 30)]


def test_each_kind_of_bad_line_is_reported_with_its_line_and_column(tmp_path):
    body = (
        "1,E02,2026-10-01,4,\n"      # line 2: fine
        "x1,E02,2026-10-01,4,\n"     # 3: household id not a number
        "9,E02,2026-10-01,4,\n"      # 4: unknown household
        "1,ZZ9,2026-10-01,,\n"       # 5: unknown code
        "1,H01,2026-10-01,4,\n"      # 6: another agency's code
        "1,E02,2026/10/01,4,\n"      # 7: date format
        "1,E02,2027-01-01,4,\n"      # 8: after the cycle date
        "1,E02,2026-10-01,,\n"       # 9: months missing
        "1,E02,2026-10-01,-2,\n"     # 10: months negative
        "2,E01,2026-09-30,,\n"       # 11: fine
        "2,E01,2026-09-30,,\n"       # 12: duplicate of 11
    )
    errors = _check(tmp_path / "kepco.csv", body)
    found = {(e.line, e.column, e.code) for e in errors}
    assert found == {
        (3, "household_id", "bad_household_id"), (4, "household_id", "unknown_household"),
        (5, "indicator_code", "unknown_code"), (6, "indicator_code", "wrong_agency_code"),
        (7, "reference_date", "bad_date"), (8, "reference_date", "future_date"),
        (9, "months", "missing_value"), (10, "months", "bad_months"), (12, "", "duplicate_row"),
    }
    assert all(e.message and not e.message.isascii() for e in errors)  # Korean for the data officer


def test_a_retired_code_and_a_bad_amount_are_refused(tmp_path):
    errors = _check(tmp_path / "water_2026-11.csv", "1,Q01,2026-10-01,,\n")
    assert [(e.line, e.code) for e in errors] == [(2, "code_not_in_force")]
    errors = _check(tmp_path / "credit.csv", "1,C01,2026-10-01,,12.5만\n")
    assert [(e.line, e.code) for e in errors] == [(2, "bad_amount")]


def test_a_wrong_header_or_an_unknown_agency_rejects_the_whole_file(tmp_path):
    path = tmp_path / "kepco.csv"
    path.write_text("household,code,date\n1,E02,2026-10-01\n", encoding="utf-8")
    [error] = validate_source_file(path, load_catalogue(), as_of=AS_OF)
    assert (error.line, error.code) == (1, "bad_header")
    assert "household_id" in error.message
    other = tmp_path / "unknown.csv"
    other.write_text(HEADER, encoding="utf-8")
    assert [e.code for e in validate_source_file(other, load_catalogue(), as_of=AS_OF)] == ["unknown_agency"]


def test_parquet_rows_are_numbered_from_one(tmp_path):
    path = tmp_path / "nhis.parquet"
    pq.write_table(pa.table({
        "household_id": pa.array([1, 7], pa.int64()), "indicator_code": ["H01", "H01"],
        "reference_date": pa.array([dt.date(2026, 10, 1)] * 2, pa.date32()),
        "months": pa.array([5, 5], pa.int32()), "amount": pa.nulls(2, pa.int64()),
    }), path)
    errors = validate_source_file(path, load_catalogue(), pa.array([1, 2], pa.int64()), as_of=AS_OF)
    assert [(e.line, e.code) for e in errors] == [(2, "unknown_household")]
