"""GroupNorm, InstanceNorm1d/2d/3d, RMSNorm and LocalResponseNorm against torch.nn (float64, copied
random weights): values, input and parameter gradients, running statistics, state_dict keys; the
functional forms under gradcheck and gradgradcheck; bad shapes named in the errors."""

import numpy as np
import pytest
from nn_testutil import compare_twins, t64

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
tnn = torch.nn


def _random_params(theirs, seed=1):
    """Give the torch twin's parameters random values (compare_twins copies them into ours)."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, tuple(p.shape)) * rng.choice([-1, 1], tuple(p.shape))))
    return theirs


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape) * 1.5 + 0.3


TWINS = [
    ("group-4d", lambda: nn.GroupNorm(2, 6), lambda: tnn.GroupNorm(2, 6), (3, 6, 4, 5)),
    ("group-3d-eps", lambda: nn.GroupNorm(3, 6, eps=0.1), lambda: tnn.GroupNorm(3, 6, eps=0.1), (2, 6, 5)),
    ("group-2d-one", lambda: nn.GroupNorm(1, 4), lambda: tnn.GroupNorm(1, 4), (3, 4)),
    ("group-noaffine", lambda: nn.GroupNorm(2, 4, affine=False), lambda: tnn.GroupNorm(2, 4, affine=False), (2, 4, 3)),
    ("group-nobias", lambda: nn.GroupNorm(2, 4, bias=False), lambda: tnn.GroupNorm(2, 4, bias=False), (2, 4, 3)),
    ("instance1d", lambda: nn.InstanceNorm1d(3), lambda: tnn.InstanceNorm1d(3), (2, 3, 5)),
    ("instance1d-unbatched", lambda: nn.InstanceNorm1d(3), lambda: tnn.InstanceNorm1d(3), (3, 5)),
    (
        "instance2d-affine",
        lambda: nn.InstanceNorm2d(3, affine=True, eps=1e-3),
        lambda: tnn.InstanceNorm2d(3, affine=True, eps=1e-3),
        (2, 3, 4, 4),
    ),
    (
        "instance3d",
        lambda: nn.InstanceNorm3d(2, affine=True),
        lambda: tnn.InstanceNorm3d(2, affine=True),
        (2, 2, 3, 2, 3),
    ),
    ("rms", lambda: nn.RMSNorm(5), lambda: tnn.RMSNorm(5), (3, 5)),
    ("rms-2d-eps", lambda: nn.RMSNorm([3, 4], eps=1e-2), lambda: tnn.RMSNorm([3, 4], eps=1e-2), (2, 3, 4)),
    (
        "rms-noaffine",
        lambda: nn.RMSNorm(4, elementwise_affine=False),
        lambda: tnn.RMSNorm(4, elementwise_affine=False),
        (4,),
    ),
    ("lrn-3d", lambda: nn.LocalResponseNorm(3), lambda: tnn.LocalResponseNorm(3), (2, 5, 4)),
    (
        "lrn-4d-even",
        lambda: nn.LocalResponseNorm(2, alpha=0.1, beta=0.6, k=2.0),
        lambda: tnn.LocalResponseNorm(2, alpha=0.1, beta=0.6, k=2.0),
        (2, 4, 3, 3),
    ),
    ("lrn-wide", lambda: nn.LocalResponseNorm(7, alpha=0.5), lambda: tnn.LocalResponseNorm(7, alpha=0.5), (1, 3, 4)),
]


@pytest.mark.parametrize("make, make_torch, shape", [t[1:] for t in TWINS], ids=[t[0] for t in TWINS])
def test_matches_torch(make, make_torch, shape):
    ours, theirs = make(), _random_params(make_torch())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    compare_twins(ours, theirs, _x(*shape), tol=1e-10)


def test_rms_norm_default_eps_is_the_dtype_eps():
    x = np.full((2, 3), 1e-5)  # mean(x²) = 1e-10: ε matters, and it differs between float32 and float64
    for dt, tdt in ((np.float32, torch.float32), (np.float64, torch.float64)):
        ours = F.rms_norm(ag.tensor(x, dtype=dt), [3]).numpy()
        theirs = torch.nn.functional.rms_norm(torch.tensor(x, dtype=tdt), [3]).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-5)


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("affine", [False, True])
def test_instance_norm_running_stats(affine, momentum):
    """track_running_stats=True: train mode moves the buffers as PyTorch does, eval mode uses them."""
    ours = nn.InstanceNorm2d(3, affine=affine, track_running_stats=True, momentum=momentum).double()
    theirs = _random_params(tnn.InstanceNorm2d(3, affine=affine, track_running_stats=True, momentum=momentum).double())
    ours.load_state_dict({k: ag.tensor(v.numpy().copy()) for k, v in theirs.state_dict().items()})
    for step in range(3):
        x = _x(2, 3, 4, 5, seed=step)
        np.testing.assert_allclose(ours(ag.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), atol=1e-10)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), atol=1e-12, err_msg=key)
    ours.eval()
    theirs.eval()
    compare_twins(ours, theirs, _x(2, 3, 4, 5, seed=9), tol=1e-10)


def test_instance_norm_functional_updates_given_buffers():
    rm, rv = ag.zeros(3, dtype=np.float64), ag.ones(3, dtype=np.float64)
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    x = _x(4, 3, 6)
    F.instance_norm(ag.tensor(x), rm, rv, momentum=0.3)
    torch.nn.functional.instance_norm(torch.tensor(x), trm, trv, momentum=0.3)
    np.testing.assert_allclose(rm.numpy(), trm.numpy(), atol=1e-12)
    np.testing.assert_allclose(rv.numpy(), trv.numpy(), atol=1e-12)


FUNCTIONAL = [
    ("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b), (2, 4, 3), (4,)),
    ("instance_norm", lambda x, w, b: F.instance_norm(x, weight=w, bias=b, eps=1e-3), (2, 3, 4), (3,)),
    ("rms_norm", lambda x, w, b: F.rms_norm(x, [3], w, 1e-3) + b, (2, 3), (3,)),
    (
        "local_response_norm",
        lambda x, w, b: F.local_response_norm(x * w.reshape(1, 3, 1), 2, 0.5) + b.reshape(1, 3, 1),
        (2, 3, 2),
        (3,),
    ),
]


@pytest.mark.parametrize("fn, shape, pshape", [f[1:] for f in FUNCTIONAL], ids=[f[0] for f in FUNCTIONAL])
def test_functional_gradcheck(fn, shape, pshape):
    x, w, b = t64(*shape, seed=0), t64(*pshape, seed=1), t64(*pshape, seed=2)
    assert ag.gradcheck(fn, (x, w, b))
    assert ag.gradgradcheck(fn, (x, w, b))


def test_bad_inputs_name_the_shapes():
    with pytest.raises(ValueError, match=r"divisible by num_groups.*\(2, 6, 4\).*num_groups=4"):
        F.group_norm(ag.randn(2, 6, 4), 4)
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(4, 6)
    with pytest.raises(ag.ShapeError, match=r"num_channels=6.*\(2, 4, 3\)"):
        nn.GroupNorm(2, 6)(ag.randn(2, 4, 3))
    with pytest.raises(ag.ShapeError, match=r"InstanceNorm2d.*\(2, 3\)"):
        nn.InstanceNorm2d(3)(ag.randn(2, 3))
    with pytest.raises(ag.ShapeError, match=r"channels, expected 4"):
        nn.InstanceNorm1d(4, affine=True)(ag.randn(2, 3, 5))
    with pytest.raises(ValueError, match=r"more than 1 spatial element.*\(2, 3, 1\)"):
        nn.InstanceNorm1d(3)(ag.randn(2, 3, 1))
    with pytest.raises(ag.ShapeError, match=r"normalized_shape=\[4\].*\(2, 3\)"):
        nn.RMSNorm(4)(ag.randn(2, 3))
    with pytest.raises(ag.ShapeError, match=r"local_response_norm.*\(2, 3\)"):
        nn.LocalResponseNorm(2)(ag.randn(2, 3))
