"""The fused recurrent steps (autograd/ops/recurrent.py) beyond their op-table rows: bad shapes are
named, and float32 steps match PyTorch's own fused cells."""

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def test_bad_shapes_are_named():
    with pytest.raises(ag.ShapeError, match=r"lstm_cell: gates of shape \(2, 12\).*4·H = 16.*\(2, 4\)"):
        ag.lstm_cell(ag.zeros(2, 12), ag.zeros(2, 4))
    with pytest.raises(ag.ShapeError, match=r"lstm_cell: gates of shape \(3, 16\).*state of shape \(2, 4\)"):
        ag.lstm_cell(ag.zeros(3, 16), ag.zeros(2, 4))
    with pytest.raises(ag.ShapeError, match=r"gru_cell: gates of shape \(2, 9\).*3·H = 12.*\(2, 4\)"):
        ag.gru_cell(ag.zeros(2, 12), ag.zeros(2, 9), ag.zeros(2, 4))
    with pytest.raises(TypeError, match="gates are float32 but the state is float64"):
        ag.lstm_cell(ag.zeros(2, 16), ag.zeros(2, 4, dtype=np.float64))


def test_float32_steps_match_torch_fused_cells():
    """LSTMCell and GRUCell in torch run _thnn_fused_lstm_cell / _thnn_fused_gru_cell on CPU."""
    rng = np.random.default_rng(0)
    x, h, c = (rng.standard_normal(s).astype(np.float32) for s in ((5, 3), (5, 4), (5, 4)))
    torch.manual_seed(0)
    for cell in (torch.nn.LSTMCell(3, 4), torch.nn.GRUCell(3, 4)):
        w_ih, w_hh, b_ih, b_hh = (ag.tensor(p.detach().numpy(), requires_grad=True) for p in cell.parameters())
        xs = [ag.tensor(a, requires_grad=True) for a in (x, h, c)]
        gi = ag.linear(xs[0], w_ih, b_ih)
        gh = ag.linear(xs[1], w_hh, b_hh)
        tx, th, tc = (torch.tensor(a, requires_grad=True) for a in (x, h, c))
        if isinstance(cell, torch.nn.LSTMCell):
            ours = ag.lstm_cell(gi + gh, xs[2])
            theirs = cell(tx, (th, tc))
            (ours[0] * 2.0 + ours[1]).sum().backward()
            (theirs[0] * 2.0 + theirs[1]).sum().backward()
        else:
            ours, theirs = (ag.gru_cell(gi, gh, xs[1]),), (cell(tx, th),)
            (ours[0] * ours[0]).sum().backward()
            (theirs[0] * theirs[0]).sum().backward()
        for a, b in zip(ours, theirs):
            assert a.dtype == np.float32
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
        for ours_t, theirs_t in zip(xs[: 3 if isinstance(cell, torch.nn.LSTMCell) else 2], (tx, th, tc)):
            assert ours_t.grad.dtype == np.float32
            np.testing.assert_allclose(ours_t.grad.numpy(), theirs_t.grad.numpy(), rtol=1e-5, atol=1e-6)
        for ours_p, theirs_p in zip((w_ih, w_hh, b_ih, b_hh), cell.parameters()):
            np.testing.assert_allclose(ours_p.grad.numpy(), theirs_p.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_lstm_layer_is_the_step_composite_and_one_node():
    rng = np.random.default_rng(0)
    steps, batch, hidden = 5, 3, 4
    gi = ag.tensor(rng.standard_normal((steps, batch, 4 * hidden)), requires_grad=True)
    h0, c0 = (ag.tensor(rng.standard_normal((batch, hidden)), requires_grad=True) for _ in range(2))
    w = ag.tensor(rng.standard_normal((4 * hidden, hidden)) * 0.5, requires_grad=True)
    packed = ag.lstm_layer(gi, h0, c0, w)
    assert packed.grad_fn.name() == "LstmLayerBackward0" and packed.shape == (steps + 1, batch, hidden)
    h, c, hs = h0, c0, []
    for t in range(steps):
        h, c = ag.lstm_cell(gi[t] + h @ w.t(), c)
        hs.append(h)
    reference = ag.cat([ag.stack(hs, 0), c.unsqueeze(0)], 0)
    np.testing.assert_array_equal(packed.numpy(), reference.numpy())
    weights = ag.tensor(rng.standard_normal(packed.shape))
    got = ag.grad((packed * weights).sum(), [gi, h0, c0, w])
    want = ag.grad((reference * weights).sum(), [gi, h0, c0, w])
    for a, b in zip(got, want):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-13)


def test_nn_lstm_runs_one_layer_node_per_direction():
    import nn

    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    out, _ = lstm(ag.randn(6, 2, 3))
    names, stack = [], [out.grad_fn]
    seen = set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen or isinstance(node, ag.AccumulateGrad):
            continue
        seen.add(id(node))
        names.append(node.name())
        stack.extend(n for n, _ in node.next_functions)
    assert names.count("LstmLayerBackward0") == 4


def test_lstm_layer_refuses_bad_shapes():
    h = ag.zeros(2, 4)
    with pytest.raises(ag.ShapeError, match=r"lstm_layer: expected gates \(T, N, 4H\) with T ≥ 1"):
        ag.lstm_layer(ag.zeros(5, 2, 15), h, h, ag.zeros(16, 4))
    with pytest.raises(ag.ShapeError, match="T ≥ 1"):
        ag.lstm_layer(ag.zeros(0, 2, 16), h, h, ag.zeros(16, 4))
    with pytest.raises(TypeError, match="one dtype"):
        ag.lstm_layer(ag.zeros(5, 2, 16), h, h, ag.zeros(16, 4, dtype=ag.float64))
