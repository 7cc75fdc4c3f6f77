"""scaled_dot_product_attention, MultiheadAttention and the Transformer encoder against PyTorch
with copied weights (float64, 1e-6): outputs, attention weights, input and parameter gradients,
for every mask and option; gradcheck; PyTorch init; bad input."""

import numpy as np
import pytest
from nn_testutil import compare_twins, load_from_torch

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")

E, H, L, S, N = 8, 2, 4, 5, 3


def _rng(seed=0):
    return np.random.default_rng(seed)


class _SDPA:
    """A parameter-free stand-in module so compare_twins can run the functional form."""

    def __init__(self, fn, **kwargs):
        self.fn, self.kwargs = fn, kwargs

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs, **self.kwargs)

    def double(self):
        return self

    def state_dict(self):
        return {}

    def load_state_dict(self, state, strict=True):
        return None

    def named_parameters(self):
        return iter(())


def _sdpa_pair(**kwargs):
    return _SDPA(F.scaled_dot_product_attention, **kwargs), _SDPA(
        torch.nn.functional.scaled_dot_product_attention, **kwargs
    )


def _bool_mask(shape, seed):
    mask = _rng(seed).random(shape) > 0.4
    mask[..., 0] = True  # no row fully masked
    return mask


@pytest.mark.parametrize(
    "mask",
    [None, "bool", "float", "broadcast"],
)
@pytest.mark.parametrize("scale", [None, 0.3])
def test_sdpa_matches_torch(mask, scale):
    rng = _rng(1)
    q, k, v = rng.standard_normal((2, 3, L, 6)), rng.standard_normal((2, 3, S, 6)), rng.standard_normal((2, 3, S, 7))
    masks = {
        None: None,
        "bool": _bool_mask((2, 3, L, S), 2),
        "float": rng.standard_normal((L, S)),
        "broadcast": _bool_mask((3, 1, S), 3),
    }
    ours, theirs = _sdpa_pair(scale=scale)
    compare_twins(ours, theirs, q, k, v, attn_mask=masks[mask])


def test_sdpa_is_causal_matches_torch():
    rng = _rng(4)
    q, k, v = (rng.standard_normal((2, L, 6)) for _ in range(3))
    ours, theirs = _sdpa_pair(is_causal=True)
    compare_twins(ours, theirs, q, k, v)


def test_sdpa_gradcheck_first_and_second_order():
    rng = _rng(5)
    q, k, v = (ag.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True) for _ in range(3))
    mask = _bool_mask((3, 3), 6)
    fn = lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # noqa: E731
    assert ag.gradcheck(fn, (q, k, v))
    assert ag.gradgradcheck(fn, (q, k, v))


def test_sdpa_bad_input_names_the_shapes():
    q, k, v = ag.zeros(2, L, 6), ag.zeros(2, S, 6), ag.zeros(2, S, 7)
    with pytest.raises(ag.ShapeError, match=r"attn_mask of shape \(3, 5\) does not broadcast.*\(2, 4, 5\)"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=np.ones((3, 5), bool))
    with pytest.raises(ag.ShapeError, match=r"\(2, 4, 6\).*\(2, 5, 5\)"):
        F.scaled_dot_product_attention(q, ag.zeros(2, S, 5), v)


def _mha_pair(**kwargs):
    torch.manual_seed(0)
    return nn.MultiheadAttention(E, H, **kwargs), torch.nn.MultiheadAttention(E, H, **kwargs)


def _qkv(batch_first, seed=7, self_attention=False):
    rng = _rng(seed)
    q_shape, k_shape = ((N, L, E), (N, S, E)) if batch_first else ((L, N, E), (S, N, E))
    if self_attention:
        x = rng.standard_normal(q_shape)
        return x, x.copy(), x.copy()
    return rng.standard_normal(q_shape), rng.standard_normal(k_shape), rng.standard_normal(k_shape)


MHA_OPTIONS = [
    {},
    dict(key_padding_mask="bool"),
    dict(key_padding_mask="float"),
    dict(attn_mask="bool2d"),
    dict(attn_mask="float2d"),
    dict(attn_mask="bool3d", key_padding_mask="bool"),
    dict(need_weights=False),
    dict(average_attn_weights=False),
]


def _masks(options):
    rng = _rng(8)
    kpm_bool = np.zeros((N, S), bool)
    kpm_bool[0, -2:] = True
    made = {
        "bool": kpm_bool,
        "float": rng.standard_normal((N, S)),
        "bool2d": ~_bool_mask((L, S), 9),
        "float2d": rng.standard_normal((L, S)),
        "bool3d": ~_bool_mask((N * H, L, S), 10),
    }
    return {k: made[v] if isinstance(v, str) else v for k, v in options.items()}


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("options", MHA_OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "default")
def test_multihead_attention_matches_torch(batch_first, options):
    ours, theirs = _mha_pair(batch_first=batch_first)
    outs = compare_twins(ours, theirs, *_qkv(batch_first), **_masks(options))
    assert len(outs) == (1 if options.get("need_weights") is False else 2)


def test_multihead_attention_without_bias_matches_torch():
    ours, theirs = _mha_pair(bias=False)
    compare_twins(ours, theirs, *_qkv(False))


def test_multihead_attention_unbatched_matches_torch():
    ours, theirs = _mha_pair()
    q, k, v = (a[:, 0] for a in _qkv(False))
    kpm = np.array([False, False, False, True, False])
    for weights in (True, False):
        outs = compare_twins(ours, theirs, q, k, v, key_padding_mask=kpm, average_attn_weights=weights)
    assert outs[1].shape == (H, L, S)


def test_multihead_attention_causal_hint_matches_torch():
    ours, theirs = _mha_pair(batch_first=True)
    causal = np.triu(np.ones((L, L), bool), 1)
    compare_twins(ours, theirs, *_qkv(True, self_attention=True), attn_mask=causal, is_causal=True, need_weights=False)


def test_multihead_attention_keys_and_init_are_pytorchs():
    ours, theirs = _mha_pair()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert not ours.in_proj_bias.array.any() and not ours.out_proj.bias.array.any()
    bound = np.sqrt(6 / (E + 3 * E))  # xavier_uniform_ of a (3E, E) weight
    assert np.abs(ours.in_proj_weight.array).max() <= bound
    assert np.abs(ours.in_proj_weight.array).max() > 0.9 * bound


def test_multihead_attention_gradcheck():
    mha = nn.MultiheadAttention(4, 2, dtype=np.float64)
    params = list(mha.parameters())
    x = ag.tensor(_rng(11).standard_normal((3, 1, 4)), requires_grad=True)
    assert ag.gradcheck(lambda x, *ps: mha(x, x, x)[0], (x, *params))


def test_multihead_attention_bad_input():
    with pytest.raises(ValueError, match=r"embed_dim \(6\) must be divisible by num_heads \(4\)"):
        nn.MultiheadAttention(6, 4)
    mha = nn.MultiheadAttention(E, H)
    q = ag.zeros(L, N, E)
    with pytest.raises(ag.ShapeError, match=r"E = 8.*\(4, 3, 8\), \(5, 3, 7\)"):
        mha(q, ag.zeros(S, N, 7), ag.zeros(S, N, 7))
    with pytest.raises(ag.ShapeError, match=r"attn_mask must be of shape \(4, 4\) or \(6, 4, 4\), got \(3, 3\)"):
        mha(q, q, q, attn_mask=np.zeros((3, 3), bool))
    with pytest.raises(ag.ShapeError, match=r"key_padding_mask must be of shape \(N, S\) = \(3, 4\), got \(4, 3\)"):
        mha(q, q, q, key_padding_mask=np.zeros((4, 3), bool))
    with pytest.raises(ag.ShapeError, match="different batch sizes"):
        mha(q, ag.zeros(S, 2, E), ag.zeros(S, 2, E))


ENCODER_OPTIONS = [
    dict(),
    dict(norm_first=True),
    dict(activation="gelu"),
    dict(activation="gelu", norm_first=True, batch_first=True),
]


def _encoder_layer_pair(**kwargs):
    torch.manual_seed(0)
    return (
        nn.TransformerEncoderLayer(E, H, dim_feedforward=16, dropout=0.0, **kwargs),
        torch.nn.TransformerEncoderLayer(E, H, dim_feedforward=16, dropout=0.0, **kwargs),
    )


@pytest.mark.parametrize(
    "options", ENCODER_OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "default"
)
def test_transformer_encoder_layer_matches_torch(options):
    ours, theirs = _encoder_layer_pair(**options)
    x = _qkv(options.get("batch_first", False), self_attention=True)[0]
    kpm = np.zeros((N, L), bool)
    kpm[1, -1] = True
    compare_twins(ours, theirs, x)
    compare_twins(ours, theirs, x, src_key_padding_mask=kpm)


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder_matches_torch_with_a_causal_mask(norm_first):
    ours_layer, theirs_layer = _encoder_layer_pair(norm_first=norm_first)
    ours = nn.TransformerEncoder(ours_layer, 2, norm=nn.LayerNorm(E))
    theirs = torch.nn.TransformerEncoder(theirs_layer, 2, norm=torch.nn.LayerNorm(E), enable_nested_tensor=False)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    causal = torch.nn.Transformer.generate_square_subsequent_mask(L, dtype=torch.float64).numpy()
    x = _qkv(False, self_attention=True)[0]
    compare_twins(ours, theirs, x, mask=causal, is_causal=True)


def test_transformer_encoder_layers_are_independent_copies():
    layer = nn.TransformerEncoderLayer(E, H, dim_feedforward=16)
    encoder = nn.TransformerEncoder(layer, 2)
    assert encoder.layers[0].linear1.weight is not encoder.layers[1].linear1.weight
    assert encoder.layers[0].linear1.weight is not layer.linear1.weight
    assert "layers.1.self_attn.in_proj_weight" in encoder.state_dict()


def test_transformer_state_dict_from_pytorch_loads_strictly():
    torch.manual_seed(0)
    theirs = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(E, H, 16, batch_first=True), 2, enable_nested_tensor=False
    ).double()
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, 16, batch_first=True, dtype=np.float64), 2)
    load_from_torch(ours, theirs)
    ours.eval()
    theirs.eval()
    x = _rng(12).standard_normal((N, L, E))
    np.testing.assert_allclose(ours(ag.tensor(x)).array, theirs(torch.tensor(x)).detach().numpy(), atol=1e-10)


def test_transformer_encoder_layer_refuses_an_unknown_activation():
    with pytest.raises(ValueError, match="activation must be 'relu' or 'gelu'"):
        nn.TransformerEncoderLayer(E, H, activation="tanh")


def test_float32_stays_float32():
    x = ag.randn(L, N, E)
    causal = np.triu(np.ones((L, L), bool), 1)
    out, weights = nn.MultiheadAttention(E, H)(x, x, x, attn_mask=causal)
    assert out.dtype == weights.dtype == np.float32
    assert F.scaled_dot_product_attention(x, x, x, is_causal=True).dtype == np.float32
    assert nn.TransformerEncoderLayer(E, H, 16)(x).dtype == np.float32


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder_layer_gradcheck(norm_first):
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, activation="gelu", norm_first=norm_first, dtype=np.float64)
    x = ag.tensor(_rng(13).standard_normal((3, 1, 4)), requires_grad=True)
    assert ag.gradcheck(lambda x, *ps: layer(x), (x, *layer.parameters()))


def test_more_bad_input_names_the_shapes():
    with pytest.raises(ag.ShapeError, match=r"batch dims of query \(2, 4, 6\), key \(3, 5, 6\).*do not broadcast"):
        F.scaled_dot_product_attention(ag.zeros(2, L, 6), ag.zeros(3, S, 6), ag.zeros(3, S, 6))
    with pytest.raises(ag.ShapeError, match=r"attn_mask must be of shape \(4, 4\) or \(6, 4, 4\), got \(3, 4, 4\)"):
        nn.MultiheadAttention(E, H)(*[ag.zeros(L, N, E)] * 3, attn_mask=np.zeros((3, L, L), bool))
    with pytest.raises(ag.ShapeError, match=r"E = 8.*got \(1, 4, 3, 8\)"):
        nn.MultiheadAttention(E, H)(*[ag.zeros(1, L, N, E)] * 3)
    with pytest.raises(ValueError, match=r"embed_dim \(7\) must be divisible by num_heads \(2\)"):
        nn.TransformerEncoderLayer(7, 2)
    layer = nn.TransformerEncoderLayer(E, H, 16, batch_first=True)
    with pytest.raises(
        ag.ShapeError, match=r"d_model=8\): src must be \(N, S, E\) or \(S, E\) with E = 8, got shape \(3, 4, 6\)"
    ):
        layer(ag.zeros(N, L, 6))
    with pytest.raises(ag.ShapeError, match=r"attn_mask must be of shape \(4, 4\)"):
        layer(ag.zeros(N, L, E), src_mask=np.zeros((3, 3), bool))
