"""Conv and pooling layers: gradcheck, PyTorch parity (values, gradients, init, state_dict), errors
(a small CNN learning the digits is in tests/glassgrad/test_train.py)."""

import numpy as np
import pytest

import autograd as ag
import nn


def _cnn():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Dropout(0.1),
        nn.Linear(16, 10),
    )


@pytest.mark.parametrize(
    "layer, shape",
    [
        (lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 2, 5, 5)),
        (lambda: nn.Conv2d(4, 4, (2, 3), groups=2, dilation=(1, 2), bias=False), (1, 4, 4, 6)),
        (lambda: nn.Conv1d(3, 2, 3, padding="same"), (2, 3, 6)),
        (lambda: nn.MaxPool2d(2), (1, 2, 4, 4)),
        (lambda: nn.AvgPool2d(3, stride=2, padding=1), (1, 2, 5, 5)),
        (lambda: nn.MaxPool1d(2), (2, 2, 6)),
        (lambda: nn.AvgPool1d(3, stride=1), (2, 2, 5)),
        (lambda: nn.AdaptiveAvgPool2d(1), (2, 3, 4, 4)),
    ],
)
def test_gradcheck_layers(layer, shape):
    ag.manual_seed(0)
    m = layer().double()
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.permutation(np.prod(shape)).reshape(shape) * 0.1 + rng.random(shape) * 0.01, requires_grad=True)
    params = list(m.parameters())
    assert ag.gradcheck(lambda x, *ps: m(x), [x, *params], atol=1e-6, rtol=1e-5)


def test_errors_name_the_shapes():
    with pytest.raises(ag.ShapeError, match=r"has 3 channels, expected 1"):
        nn.Conv2d(1, 4, 3)(ag.zeros(2, 3, 8, 8))
    with pytest.raises(ag.ShapeError, match=r"4-D input \(N, C, H, W\), got shape \(3, 8, 8\)"):
        nn.Conv2d(3, 4, 3)(ag.zeros(3, 8, 8))
    with pytest.raises(ag.ShapeError, match=r"kernel size"):
        nn.Conv2d(1, 1, 5)(ag.zeros(1, 1, 3, 3))
    with pytest.raises(ValueError, match="groups=2 must divide"):
        nn.Conv2d(3, 4, 3, groups=2)


def test_repr_and_state_dict_layout():
    m = _cnn()
    assert "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))" in repr(m)
    sd = m.state_dict()
    assert sd["0.weight"].shape == (8, 1, 3, 3) and sd["0.bias"].shape == (8,)
    assert "1.running_mean" in sd


def test_matches_pytorch():
    torch = pytest.importorskip("torch")
    ag.manual_seed(0)
    ours = _cnn().double()
    twin = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1),
        torch.nn.BatchNorm2d(8),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(16, 10),
    ).double()
    twin.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in ours.state_dict().items()}, strict=True)
    ours.eval()
    twin.eval()
    rng = np.random.default_rng(1)
    a = rng.standard_normal((4, 1, 8, 8))
    x = ag.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    out, tout = ours(x), twin(tx)
    np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-6, atol=1e-9)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-6, atol=1e-9)
    for (name, p), tp in zip(ours.named_parameters(), twin.parameters()):
        np.testing.assert_allclose(p.grad.array, tp.grad.numpy(), rtol=1e-6, atol=1e-9, err_msg=name)


def test_default_init_bounds_match_pytorch():
    ag.manual_seed(0)
    conv = nn.Conv2d(16, 32, 3)
    bound = 1.0 / np.sqrt(16 * 9)  # kaiming_uniform with a=√5 gives U(−1/√fan_in, 1/√fan_in)
    assert np.abs(conv.weight.array).max() <= bound and np.abs(conv.weight.array).max() > 0.9 * bound
    assert np.abs(conv.bias.array).max() <= bound
