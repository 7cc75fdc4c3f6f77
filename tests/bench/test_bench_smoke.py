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


def test_the_numpy_lstm_baseline_computes_the_same_gradients():
    """The hand-written BPTT the LSTM row is compared with is a real LSTM: glassgrad's numbers."""
    import numpy as np

    import autograd as ag
    import nn
    from bench.seq import numpy_lstm

    model = nn.LSTM(3, 5, generator=np.random.default_rng(0))
    for p in model.parameters():
        p.data = p.array.astype(np.float64)
    x = ag.tensor(np.random.default_rng(1).standard_normal((4, 2, 3)), requires_grad=True)
    out, _ = model(x)
    out.sum().backward()
    weights = {k: np.asarray(v) for k, v in model.state_dict().items()}
    expected, grads = numpy_lstm(weights, x.numpy())
    np.testing.assert_allclose(expected, out.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grads["input"], x.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, p in model.named_parameters():
        np.testing.assert_allclose(grads[name], p.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)
