"""RNN, LSTM, GRU and their cells against torch.nn with copied weights (float64, 1e-6): outputs,
hidden states, input, state and parameter gradients, for every option; gradcheck; bad input; a
small training run."""

import numpy as np
import pytest
from nn_testutil import compare_twins, load_from_torch

import autograd as ag
import nn
import optim
from nn.utils.rnn import pad_sequence

torch = pytest.importorskip("torch")

OPTIONS = [
    {},
    dict(num_layers=2),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True),
    dict(batch_first=True),
    dict(bias=False),
    dict(num_layers=3, bidirectional=True, batch_first=True),
]
LAYERS = ["RNN", "LSTM", "GRU"]


def _rng(seed=0):
    return np.random.default_rng(seed)


def _pair(name, **kwargs):
    torch.manual_seed(0)
    return getattr(nn, name)(3, 4, **kwargs), getattr(torch.nn, name)(3, 4, **kwargs)


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "default")
def test_layer_matches_torch(name, options):
    ours, theirs = _pair(name, **options)
    shape = (2, 5, 3) if options.get("batch_first") else (5, 2, 3)
    compare_twins(ours, theirs, _rng().standard_normal(shape))


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("options", [{}, dict(num_layers=2, bidirectional=True)], ids=["default", "deep-bi"])
def test_layer_with_initial_state_matches_torch(name, options):
    ours, theirs = _pair(name, **options)
    d = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    rng = _rng(1)
    hx = rng.standard_normal((d, 2, 4))
    if name == "LSTM":
        hx = (hx, rng.standard_normal((d, 2, 4)))
    compare_twins(ours, theirs, rng.standard_normal((5, 2, 3)), hx)


@pytest.mark.parametrize("name", LAYERS)
def test_unbatched_input_matches_torch(name):
    ours, theirs = _pair(name, num_layers=2, bidirectional=True)
    rng = _rng(2)
    hx = rng.standard_normal((4, 4))
    if name == "LSTM":
        hx = (hx, rng.standard_normal((4, 4)))
    outs = compare_twins(ours, theirs, rng.standard_normal((5, 3)), hx)
    assert outs[0].shape == (5, 8)


def test_relu_rnn_matches_torch():
    ours, theirs = _pair("RNN", nonlinearity="relu", num_layers=2)
    compare_twins(ours, theirs, _rng(3).standard_normal((4, 2, 3)))


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cell_matches_torch(name, batched):
    ours, theirs = _pair(name)
    rng = _rng(4)
    shape = (2,) if batched else ()
    x = rng.standard_normal(shape + (3,))
    hx = rng.standard_normal(shape + (4,))
    if name == "LSTMCell":
        hx = (hx, rng.standard_normal(shape + (4,)))
    compare_twins(ours, theirs, x, hx)
    compare_twins(ours, theirs, x)


def test_eval_mode_dropout_between_layers_is_off():
    ours, theirs = _pair("LSTM", num_layers=2, dropout=0.5)
    ours.eval()
    theirs.eval()
    compare_twins(ours, theirs, _rng(5).standard_normal((4, 2, 3)))


def test_dropout_between_layers_trains_and_changes_outputs():
    ours = nn.GRU(3, 4, num_layers=2, dropout=0.5, dtype=np.float64, generator=np.random.default_rng(0))
    x = ag.tensor(_rng(6).standard_normal((4, 2, 3)))
    assert not np.allclose(ours(x)[0].array, ours(x)[0].array)
    ours.eval()
    np.testing.assert_array_equal(ours(x)[0].array, ours(x)[0].array)


def test_parameter_names_shapes_and_init_are_pytorchs():
    ours, theirs = _pair("LSTM", num_layers=2, bidirectional=True)
    ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
    assert list(ours_sd) == list(theirs_sd)
    assert all(tuple(ours_sd[k].shape) == tuple(theirs_sd[k].shape) for k in ours_sd)
    bound = 1 / np.sqrt(4)
    assert all(np.abs(p.array).max() <= bound for p in ours.parameters())
    assert max(np.abs(p.array).max() for p in ours.parameters()) > 0.9 * bound


@pytest.mark.parametrize("name", LAYERS)
def test_pytorch_state_dict_loads_strictly_and_gives_the_same_outputs(name):
    ours, theirs = _pair(name, num_layers=2, bidirectional=True, batch_first=True)
    theirs.double()
    ours.double()
    load_from_torch(ours, theirs)
    x = _rng(7).standard_normal((2, 5, 3))
    got = ours(ag.tensor(x))
    want = theirs(torch.tensor(x))
    np.testing.assert_allclose(got[0].array, want[0].detach().numpy(), atol=1e-12)


@pytest.mark.parametrize("name", LAYERS)
def test_gradcheck_small_layer(name):
    layer = getattr(nn, name)(2, 3, bidirectional=True, dtype=np.float64)
    params = list(layer.parameters())
    x = ag.tensor(_rng(8).standard_normal((3, 1, 2)), requires_grad=True)
    assert ag.gradcheck(lambda x, *ps: layer(x)[0], (x, *params))


def test_gradgradcheck_small_lstm():
    layer = nn.LSTM(2, 2, dtype=np.float64)
    x = ag.tensor(_rng(9).standard_normal((2, 1, 2)), requires_grad=True)
    assert ag.gradgradcheck(lambda x: layer(x)[0], (x,))


@pytest.mark.parametrize(
    ("name", "shape", "hx", "match"),
    [
        ("RNN", (5,), None, r"2-D \(L, H_in\) or 3-D.*\(5,\)"),
        ("GRU", (5, 2, 7), None, r"input_size=3.*\(5, 2, 7\).*7 features.*expected 3"),
        ("RNN", (5, 2, 3), (2, 2, 4), r"expected hidden state of shape \(1, 2, 4\), got \(2, 2, 4\)"),
        (
            "LSTM",
            (5, 2, 3),
            ((1, 2, 4), (1, 3, 4)),
            r"c_0.*expected hidden state of shape \(1, 2, 4\), got \(1, 3, 4\)",
        ),
        ("GRU", (5, 3), (1, 2, 4), r"expected hidden state of shape \(1, 4\), got \(1, 2, 4\)"),
    ],
)
def test_bad_input_names_the_shapes(name, shape, hx, match):
    layer = getattr(nn, name)(3, 4)
    if hx is not None:
        hx = tuple(ag.zeros(*s) for s in hx) if isinstance(hx[0], tuple) else ag.zeros(*hx)
    with pytest.raises(ag.ShapeError, match=match):
        layer(ag.zeros(*shape), hx)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(TypeError, match=r"tuple \(h_0, c_0\)"):
        nn.LSTM(3, 4)(ag.zeros(5, 2, 3), ag.zeros(1, 2, 4))
    with pytest.raises(ag.ShapeError, match=r"LSTMCell\(input_size=3\).*\(2, 5\)"):
        nn.LSTMCell(3, 4)(ag.zeros(2, 5))


def test_pad_sequence_matches_torch():
    rng = _rng(10)
    seqs = [rng.standard_normal((n, 2)) for n in (3, 1, 2)]
    for batch_first in (False, True):
        for side in ("right", "left"):
            got = pad_sequence([ag.tensor(s) for s in seqs], batch_first, -1.0, side)
            want = torch.nn.utils.rnn.pad_sequence(
                [torch.tensor(s) for s in seqs], batch_first=batch_first, padding_value=-1.0, padding_side=side
            )
            np.testing.assert_array_equal(got.array, want.numpy())


def test_lstm_learns_to_sum_a_short_sequence():
    rng = np.random.default_rng(0)
    model_rng = np.random.default_rng(1)
    lstm = nn.LSTM(1, 8, batch_first=True, dtype=np.float64, generator=model_rng)
    head = nn.Linear(8, 1, dtype=np.float64, generator=model_rng)
    opt = optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=0.02)
    x = rng.uniform(-1, 1, (64, 5, 1))
    y = x.sum(axis=1)
    losses = []
    for _ in range(150):
        out, _ = lstm(ag.tensor(x))
        loss = nn.functional.mse_loss(head(out[:, -1]), ag.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.02 * losses[0]


def test_gradgradcheck_small_gru():
    layer = nn.GRU(2, 2, dtype=np.float64)
    x = ag.tensor(_rng(11).standard_normal((2, 1, 2)), requires_grad=True)
    assert ag.gradgradcheck(lambda x: layer(x)[0], (x,))


def test_checkpoint_round_trip(tmp_path):
    layer = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    nn.save(layer, tmp_path / "lstm.safetensors")
    other = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    other.load_state_dict(nn.load(tmp_path / "lstm.safetensors"), strict=True)
    x = ag.randn(5, 2, 3)
    np.testing.assert_array_equal(layer(x)[0].array, other(x)[0].array)


@pytest.mark.parametrize(
    "name,hx,error,match",
    [
        ("LSTMCell", (2, 4), TypeError, r"LSTMCell: hx must be a tuple \(h, c\), got a Tensor of shape \(2, 4\)"),
        ("LSTMCell", ((2, 4),) * 3, TypeError, r"LSTMCell: hx must be a tuple \(h, c\), got a tuple of 3"),
        (
            "LSTMCell",
            ((2, 4), (2, 5)),
            ag.ShapeError,
            r"LSTMCell: expected hidden state of shape \(2, 4\), got \(2, 5\)",
        ),
        (
            "GRUCell",
            ((2, 4),),
            TypeError,
            r"GRUCell: hx must be a Tensor h of shape \(N, hidden_size\), got a tuple of 1",
        ),
        ("RNNCell", (3, 4), ag.ShapeError, r"RNNCell: expected hidden state of shape \(2, 4\), got \(3, 4\)"),
    ],
)
def test_cells_refuse_a_bad_state(name, hx, error, match):
    cell = getattr(nn, name)(3, 4)
    state = tuple(ag.zeros(*s) for s in hx) if isinstance(hx[0], tuple) else ag.zeros(*hx)
    with pytest.raises(error, match=match):
        cell(ag.zeros(2, 3), state)


def test_stacked_bidirectional_state_shape_is_named():
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    with pytest.raises(
        ag.ShapeError, match=r"LSTM \(h_0\): expected hidden state of shape \(4, 2, 4\), got \(2, 2, 4\)"
    ):
        lstm(ag.zeros(2, 5, 3), (ag.zeros(2, 2, 4), ag.zeros(4, 2, 4)))
    with pytest.raises(ag.ShapeError, match=r"GRU: expected hidden state of shape \(1, 2, 4\), got \(1, 5, 4\)"):
        nn.GRU(3, 4, batch_first=True)(ag.zeros(2, 5, 3), ag.zeros(1, 5, 4))
