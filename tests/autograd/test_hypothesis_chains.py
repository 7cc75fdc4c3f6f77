"""Random chains of ops, composed by hypothesis, still pass gradcheck."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag

UNARY = [
    ("tanh", lambda x: x.tanh()),
    ("sigmoid", lambda x: x.sigmoid()),
    ("scale", lambda x: x * 0.7 - 0.2),
    ("square", lambda x: x * x),
    ("softplus", lambda x: ag.softplus(x)),
    ("exp_small", lambda x: (x * 0.3).exp()),
    ("gelu", lambda x: ag.gelu(x)),
    ("softmax_last", lambda x: x.softmax(dim=-1)),
    ("log_softmax_last", lambda x: x.log_softmax(dim=-1)),
    ("transpose", lambda x: x.mT if x.ndim >= 2 else x),
    ("flip_reshape", lambda x: x.reshape(-1).reshape(x.shape)),
    ("mean_keep", lambda x: x.mean(dim=-1, keepdim=True) + x),
    ("self_matmul", lambda x: x @ x.mT if x.ndim >= 2 else x * x.sum()),
    ("sum_keep_bcast", lambda x: x * x.sum(dim=0, keepdim=True)),
    ("index", lambda x: x[..., ::2] if x.shape[-1] > 1 else x),
]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    shape=st.sampled_from([(3,), (2, 3), (2, 2, 3), (1, 4)]),
    ops=st.lists(st.sampled_from(range(len(UNARY))), min_size=1, max_size=5),
    seed=st.integers(0, 10_000),
)
def test_random_chains_pass_gradcheck(shape, ops, seed):
    rng = np.random.default_rng(seed)
    x = ag.tensor(rng.standard_normal(shape), requires_grad=True)

    def chain(v):
        for k in ops:
            v = UNARY[k][1](v)
        return v

    assert ag.gradcheck(chain, [x], eps=1e-6, atol=1e-6, rtol=1e-5)
