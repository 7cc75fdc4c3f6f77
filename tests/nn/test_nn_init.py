"""nn.init: gains, fans for linear and conv shapes, and the statistics of each initializer."""

import math

import numpy as np
import pytest

import autograd as ag
import nn
from nn import init


def test_calculate_gain():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == pytest.approx(0.75)
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")


def test_fans_for_linear_and_conv_shapes():
    assert init.calculate_fan_in_and_fan_out(ag.zeros(3, 5)) == (5, 3)  # Linear: (out, in)
    assert init.calculate_fan_in_and_fan_out(ag.zeros(16, 8, 3, 3)) == (72, 144)  # Conv2d: (out, in, kh, kw)
    assert init.calculate_fan_in_and_fan_out(ag.zeros(4, 2, 5)) == (10, 20)  # Conv1d
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.calculate_fan_in_and_fan_out(ag.zeros(3))


def _std_tol(n):
    return 5 / math.sqrt(2 * n)  # relative standard error of a sample std, times 5


@pytest.mark.parametrize(
    "fill, shape, std",
    [
        (lambda t: init.xavier_uniform_(t), (300, 200), math.sqrt(2 / 500)),
        (lambda t: init.xavier_normal_(t, gain=2.0), (300, 200), 2 * math.sqrt(2 / 500)),
        (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), (300, 200), math.sqrt(2 / 200)),
        (lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"), (300, 200), math.sqrt(2 / 300)),
        (lambda t: init.kaiming_normal_(t, nonlinearity="tanh"), (300, 200), (5 / 3) / math.sqrt(200)),
        (lambda t: init.kaiming_normal_(t, nonlinearity="selu"), (300, 200), 0.75 / math.sqrt(200)),
        (lambda t: init.kaiming_normal_(t, nonlinearity="linear"), (300, 200), 1 / math.sqrt(200)),
        (lambda t: init.kaiming_uniform_(t, a=0.1), (300, 200), math.sqrt(2 / 1.01) / math.sqrt(200)),
        (lambda t: init.kaiming_normal_(t, nonlinearity="relu"), (64, 16, 3, 3), math.sqrt(2 / 144)),
        (lambda t: init.normal_(t, 1.0, 0.5), (300, 200), 0.5),
        (lambda t: init.uniform_(t, -2.0, 2.0), (300, 200), 4 / math.sqrt(12)),
    ],
)
def test_initializer_statistics(fill, shape, std):
    ag.manual_seed(0)
    t = ag.zeros(*shape)
    assert fill(t) is t
    assert t.dtype == np.float32
    data = t.array.astype(np.float64)
    assert abs(data.std() / std - 1) < _std_tol(data.size)


def test_uniform_bounds_and_constants():
    ag.manual_seed(0)
    t = init.kaiming_uniform_(ag.zeros(50, 40), nonlinearity="relu")
    bound = math.sqrt(3) * math.sqrt(2 / 40)
    assert np.abs(t.array).max() <= bound and np.abs(t.array).max() > 0.95 * bound
    assert np.all(init.constant_(ag.zeros(3), 0.5).array == 0.5)
    assert np.all(init.ones_(ag.zeros(3)).array == 1) and np.all(init.zeros_(ag.ones(3)).array == 0)


@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (3, 2, 2)])
def test_orthogonal(shape):
    ag.manual_seed(1)
    t = init.orthogonal_(ag.zeros(*shape), gain=2.0)
    m = t.array.reshape(shape[0], -1).astype(np.float64)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, 4 * np.eye(min(m.shape)), atol=1e-5)


def test_initializers_follow_the_seed_or_generator_and_leave_the_graph_alone():
    p = nn.Parameter(ag.zeros(3, 4))
    ag.manual_seed(3)
    a = init.xavier_uniform_(p).array.copy()
    ag.manual_seed(3)
    b = init.xavier_uniform_(ag.zeros(3, 4)).array
    np.testing.assert_array_equal(a, b)
    c = init.normal_(ag.zeros(5), generator=np.random.default_rng(2)).array
    np.testing.assert_array_equal(c, np.random.default_rng(2).normal(0, 1, 5).astype(np.float32))
    assert p.is_leaf and p.requires_grad and p._version > 0  # filled in place, as under no_grad
    with pytest.raises(ValueError, match="mode must be"):
        init.kaiming_normal_(ag.zeros(2, 2), mode="fan_avg")
