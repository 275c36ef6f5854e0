import datetime as dt

import polars as pl

from dolbom.discovery.engine import generate_sources, load_catalogue, synthetic_households

AS_OF = dt.date(2026, 11, 1)


def test_sources_are_streamed_in_chunks_for_every_agency_with_a_hidden_truth(tmp_path):
    manifest = generate_sources(12_000, seed=5, out_dir=tmp_path, as_of=AS_OF, chunk_rows=5_000)
    households = pl.read_parquet(manifest.households_path)
    truth = pl.read_parquet(manifest.truth_path)
    assert households.height == truth.height == 12_000 and households["household_id"].is_unique().all()
    active = load_catalogue().active(AS_OF)
    assert set(manifest.source_paths) == {i.agency for i in active}
    records = pl.concat([pl.read_parquet(p) for p in manifest.source_paths.values()])
    assert set(records["indicator_code"].unique()) <= {i.code for i in active}
    assert records["household_id"].is_in(households["household_id"].implode()).all()
    assert 0.01 < truth["needs_support"].mean() < 0.10
    # The latent model makes households in need carry more indicators.
    per = truth.join(records.group_by("household_id").len(), on="household_id", how="left").fill_null(0)
    means = per.group_by("needs_support").agg(pl.col("len").mean()).sort("needs_support")["len"].to_list()
    assert means[1] > 2 * means[0]


def test_the_same_seed_gives_the_same_files_and_csv_works(tmp_path):
    a = generate_sources(3_000, seed=9, out_dir=tmp_path / "a", as_of=AS_OF)
    b = generate_sources(3_000, seed=9, out_dir=tmp_path / "b", as_of=AS_OF, fmt="csv")
    assert pl.read_parquet(a.truth_path).equals(pl.read_parquet(b.truth_path))
    kepco_a = pl.read_parquet(a.source_paths["KEPCO"])
    kepco_b = pl.read_csv(b.source_paths["KEPCO"], try_parse_dates=True).cast(kepco_a.schema)
    assert kepco_a.equals(kepco_b)


def test_households_can_be_given_and_keep_their_ids(tmp_path):
    given = synthetic_households(2_000, seed=1, start_id=500_001)
    manifest = generate_sources(given, seed=2, out_dir=tmp_path, as_of=AS_OF)
    assert pl.read_parquet(manifest.truth_path)["household_id"].min() == 500_001
