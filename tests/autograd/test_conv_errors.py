"""Convolution and pooling reject bad input with errors that name the shapes."""

import numpy as np
import pytest

import autograd as ag


def test_channel_mismatch_names_both_shapes():
    with pytest.raises(ag.ShapeError, match=r"\(2, 3, 8, 8\) has 3 channels.*\(4, 2, 3, 3\).*expects 2"):
        ag.conv2d(ag.zeros(2, 3, 8, 8), ag.zeros(4, 2, 3, 3))


def test_kernel_larger_than_padded_input():
    with pytest.raises(ag.ShapeError, match=r"kernel size \(5×5.*padded input \(4×4\)"):
        ag.conv2d(ag.zeros(1, 1, 4, 4), ag.zeros(1, 1, 5, 5))


def test_non_4d_input():
    with pytest.raises(ag.ShapeError, match=r"4-D input \(N, C, H, W\), got shape \(3, 8, 8\)"):
        ag.conv2d(ag.zeros(3, 8, 8), ag.zeros(1, 3, 3, 3))
    with pytest.raises(ag.ShapeError, match=r"3-D input"):
        ag.conv1d(ag.zeros(3, 8), ag.zeros(1, 3, 3))
    with pytest.raises(ag.ShapeError, match=r"4-D input"):
        ag.max_pool2d(ag.zeros(3, 8), 2)


def test_groups_must_divide_channels():
    with pytest.raises(ag.ShapeError, match="groups=2 must divide"):
        ag.conv2d(ag.zeros(1, 3, 4, 4), ag.zeros(2, 1, 3, 3), groups=2)


def test_pool_padding_limit():
    with pytest.raises(ValueError, match="at most half the kernel"):
        ag.max_pool2d(ag.zeros(1, 1, 4, 4), 2, padding=2)


def test_padding_same_matches_input_size():
    x = ag.randn(1, 2, 5, 7)
    assert ag.conv2d(x, ag.randn(3, 2, 3, 5), padding="same").shape == (1, 3, 5, 7)
    assert ag.conv1d(ag.randn(1, 2, 9), ag.randn(3, 2, 3), padding="valid").shape == (1, 3, 7)


def test_float32_conv_stays_float32():
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    w = ag.tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), requires_grad=True)
    y = ag.max_pool2d(ag.conv2d(x, w, padding=1), 2)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32
