"""Each benchmark runs once at tiny sizes, so the suite cannot rot. No timing is asserted."""

import pytest

import bench.__main__ as bench_main

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out


def test_every_benchmark_runs_quick(capsys):
    results = bench_main.main(["--quick"])
    assert set(results["results"]) == set(bench_main.SUITES)
    for suite in results["results"].values():
        assert suite, "a benchmark produced no result"
        for name, r in suite.items():
            if "median_s" in r:  # a timing; memory results carry RSS figures instead
                assert all(v > 0 for v in r["median_s"].values()), name
            else:
                assert r, name
    assert "blas" in results["machine"] or "numpy" in results["machine"]
