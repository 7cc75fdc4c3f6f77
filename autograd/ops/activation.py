"""Activations φ(z) and their VJPs δ = g ⊙ φ'(z): tanh, sigmoid, silu, relu, leaky_relu, gelu, elu, selu,
softplus, hardtanh, relu6, hardsigmoid, hardswish, softsign, logsigmoid, mish, celu, glu, softmin,
hardshrink, softshrink, tanhshrink, threshold, rrelu."""

from __future__ import annotations

import math

import numpy as np

from ..creation import default_generator
from ..extend import Op, apply, dual, elementwise, export, wrap
from ..special import normal_cdf_array, sigmoid_array, sigmoid_float

TITLE = "activations"  # the family's name in the README op table


@elementwise(lambda g, ctx, out, x: g * (1.0 - out * out), saves_out=True, rule="δ = g ⊙ (1 − a²)", scalar=math.tanh)
def tanh(a):
    """tanh(z)."""
    return np.tanh(a)


@elementwise(
    lambda g, ctx, out, x: g * (out * (1.0 - out)),
    saves_out=True,
    rule="δ = g ⊙ a(1 − a)",
    scalar=sigmoid_float,
)
def sigmoid(a):
    """σ(z) = 1 / (1 + e^(−z)), never overflowing and accurate to the last bit for z ≪ 0."""
    return sigmoid_array(a)


def _silu_vjp(g, ctx, out, x):
    s = dual.sigmoid(x)
    return g * (s * (1.0 + x * (1.0 - s)))


# NOTE: a primitive rather than x·σ(x) so that a layer keeps one node per activation (as sigmoid).
@elementwise(_silu_vjp, saves=(0,), rule="δ = g ⊙ σ(z)(1 + z(1 − σ(z)))", scalar=lambda v: v * sigmoid_float(v))
def silu(a):
    """z·σ(z) (the swish)."""
    return a * sigmoid_array(a)


# NOTE: the derivative at 0 is taken as 0, as PyTorch does. The VJP multiplies by the mask
# (8× faster than np.where); unlike PyTorch's select, an inf in g at a masked entry gives NaN.
@elementwise(
    lambda g, ctx, out, x: g * (dual.raw(out) > 0),
    saves_out=True,
    rule="δ = g ⊙ [z > 0]",
    scalar=lambda v: v if v > 0 else 0.0,
)
def relu(a):
    """max(0, z)."""
    return np.maximum(a, 0)


@export
def leaky_relu(x, negative_slope=0.01):
    """max(z, αz) for slope α = negative_slope."""
    data = np.where(x.array > 0, x.array, x.array * negative_slope)
    return apply(LEAKY_RELU, data, (x,), negative_slope)


def _leaky_slope(x, slope):
    """1 where z > 0, else α, in z's dtype (a constant of the VJP)."""
    z = dual.raw(x)
    positive = (z > 0).astype(z.dtype) if hasattr(z, "dtype") else float(z > 0)
    return positive * (1.0 - slope) + slope


LEAKY_RELU = Op(
    "leaky_relu",
    (lambda g, slope, out, x: g * _leaky_slope(x, slope),),
    saves=(0,),
    keeps_shape=True,
    describe=lambda slope: f"slope={slope:g}",
    rule="δ = g ⊙ (1 if z > 0 else α)",
)


_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


@export
def gelu(x, approximate="none"):
    """z·Φ(z) (``approximate="none"``) or its tanh approximation (``"tanh"``).

    NOTE: computed in float64 and rounded once, with Φ from erfc in the lower tail and
    ½(1 + tanh u) as σ(2u): the textbook forms lose every digit for z ≪ 0 (float32 gelu(−5)
    came out 4% off).
    """
    z = x.array
    dtype = z.dtype if z.dtype.kind == "f" else np.float64
    z64 = z.astype(np.float64)
    if approximate == "none":
        data = z64 * normal_cdf_array(z64)
        return apply(GELU, data.astype(dtype), (x,))
    if approximate == "tanh":
        data = z64 * sigmoid_array(2.0 * _SQRT_2_OVER_PI * (z64 + _GELU_C * z64 * z64 * z64))
        return apply(GELU_TANH, data.astype(dtype), (x,))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def _gelu_vjp(g, ctx, out, x):
    if isinstance(x, np.ndarray):  # first order: in float64, Φ accurate in the tail
        z = x.astype(np.float64)
        local = normal_cdf_array(z) + z * (_INV_SQRT_2PI * np.exp(-0.5 * z * z))
        return g * local.astype(x.dtype)
    cdf = 0.5 * (1.0 + dual.erf(x * _INV_SQRT2))
    pdf = _INV_SQRT_2PI * dual.exp(-0.5 * (x * x))
    return g * (cdf + x * pdf)


GELU = Op("gelu", (_gelu_vjp,), saves=(0,), keeps_shape=True, rule="δ = g ⊙ (Φ(z) + z·φ(z))")


def _gelu_tanh_vjp(g, ctx, out, x):
    # z·σ(2u) with u = √(2/π)(z + 0.044715z³): δ = g ⊙ (s + 2z·s(1 − s)·u'), s = σ(2u)
    u_prime = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_C * (x * x))
    s = dual.sigmoid(2.0 * _SQRT_2_OVER_PI * (x + _GELU_C * (x * x * x)))
    return g * (s + 2.0 * x * s * (1.0 - s) * u_prime)


GELU_TANH = Op(
    "gelu_tanh",
    (_gelu_tanh_vjp,),
    saves=(0,),
    keeps_shape=True,
    rule="δ = g ⊙ d/dz[z·σ(2√(2/π)(z + 0.044715z³))]",
)


@export
def elu(x, alpha=1.0):
    """z if z > 0 else α(eᶻ − 1)."""
    z = x.array
    data = np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))
    return apply(ELU, data, (x,), alpha)


ELU = Op(
    "elu",
    # α·eᶻ from z itself: from the output (a + α) it rounds to 0 where eᶻ is tiny (z ≪ 0)
    (
        lambda g, alpha, out, x: dual.where(
            dual.raw(x) > 0, g, g * (alpha * dual.exp(dual.where(dual.raw(x) > 0, 0.0, x)))
        ),
    ),
    saves=(0,),
    keeps_shape=True,
    describe=lambda alpha: f"alpha={alpha:g}",
    rule="δ = g ⊙ (1 if z > 0 else α·eᶻ)",
)

# The published SELU constants (Klambauer et al., 2017), as PyTorch uses them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


@export
def selu(x):
    """λ·elu(z, α) with the self-normalizing constants λ ≈ 1.0507, α ≈ 1.6733."""
    z = x.array
    data = SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0)))
    return apply(SELU, data.astype(z.dtype, copy=False), (x,))


SELU = Op(
    "selu",
    (
        lambda g, ctx, out, x: dual.where(
            dual.raw(x) > 0,
            g * SELU_SCALE,
            g * (SELU_SCALE * SELU_ALPHA * dual.exp(dual.where(dual.raw(x) > 0, 0.0, x))),
        ),
    ),
    saves=(0,),
    keeps_shape=True,
    rule="δ = g ⊙ (λ if z > 0 else λα·eᶻ)",
)


@export
def softplus(x, beta=1.0, threshold=20.0):
    """log(1 + e^(βz))/β, and z itself where βz > threshold (PyTorch's convention)."""
    z = x.array
    bz = beta * z
    data = np.where(bz > threshold, z, np.logaddexp(0, bz) / beta)
    return apply(SOFTPLUS, data.astype(z.dtype, copy=False), (x,), (beta, threshold))


def _softplus_vjp(g, ctx, out, x):
    beta, threshold = ctx
    linear = dual.raw(x) * beta > threshold
    return dual.where(linear, g, g * dual.sigmoid(x * beta))


SOFTPLUS = Op(
    "softplus",
    (_softplus_vjp,),
    saves=(0,),
    keeps_shape=True,
    describe=lambda ctx: f"beta={ctx[0]:g}, threshold={ctx[1]:g}",
    rule="δ = g ⊙ σ(βz)",
)


@export
def hardtanh(x, min_val=-1.0, max_val=1.0):
    """z clipped to [min_val, max_val]; the gradient passes strictly inside (PyTorch's rule)."""
    if max_val < min_val:
        raise ValueError(f"hardtanh: max_val ({max_val}) cannot be less than min_val ({min_val})")
    data = np.clip(x.array, min_val, max_val)
    return apply(HARDTANH, data.astype(x.array.dtype, copy=False), (x,), (min_val, max_val))


def _hardtanh_vjp(g, ctx, out, x):
    lo, hi = ctx
    z = dual.raw(x)
    return g * ((z > lo) & (z < hi))


HARDTANH = Op(
    "hardtanh",
    (_hardtanh_vjp,),
    saves=(0,),
    keeps_shape=True,
    describe=lambda ctx: f"min_val={ctx[0]:g}, max_val={ctx[1]:g}",
    rule="δ = g ⊙ [min < z < max]",
)


@export
def relu6(x):
    """min(max(0, z), 6): ``hardtanh(z, 0, 6)``, so the gradient at 0 and 6 is 0 (as PyTorch)."""
    return hardtanh(x, 0.0, 6.0)


@export
def hardsigmoid(x):
    """relu6(z + 3)/6: 0 below −3, 1 above 3, linear between."""
    return hardtanh(x + 3.0, 0.0, 6.0) / 6.0


def _hardswish_vjp(g, ctx, out, x):
    # PyTorch's rule: 0 for z ≤ −3, 1 for z ≥ 3, z/3 + ½ between
    z = dual.raw(x)
    return dual.where(z <= -3.0, 0.0, dual.where(z >= 3.0, g, g * (x / 3.0 + 0.5)))


@elementwise(
    _hardswish_vjp,
    saves=(0,),
    rule="δ = g ⊙ (0 if z ≤ −3, 1 if z ≥ 3, else z/3 + ½)",
    scalar=lambda v: v * min(max(v + 3.0, 0.0), 6.0) / 6.0,
)
def hardswish(a):
    """z·relu6(z + 3)/6 (MobileNetV3)."""
    return a * np.clip(a + 3.0, 0.0, 6.0) / 6.0


@export
def softsign(x):
    """z / (1 + |z|) (a composite: its gradient comes from / and abs)."""
    return x / (1.0 + x.abs())


def _scalar_logsigmoid(v):
    return -(max(-v, 0.0) + math.log1p(math.exp(-math.fabs(v))))


@elementwise(
    lambda g, ctx, out, x: g * dual.sigmoid(-x),
    saves=(0,),
    rule="δ = g ⊙ σ(−z)",
    scalar=_scalar_logsigmoid,
)
def logsigmoid(a):
    """log σ(z) = −softplus(−z), computed as −(max(−z, 0) + log1p(e^(−|z|))): exact for z ≪ 0 and z ≫ 0."""
    return -(np.maximum(-a, 0.0) + np.log1p(np.exp(-np.abs(a))))


def _mish_vjp(g, ctx, out, x):
    # mish'(z) = t + z·σ(z)(1 − t²) with t = tanh(softplus(z))
    if isinstance(x, np.ndarray):  # first order: in float64, like the forward
        z = x.astype(np.float64)
        t = np.tanh(np.logaddexp(0.0, z))
        return g * (t + z * sigmoid_array(z) * (1.0 - t * t)).astype(x.dtype)
    t = dual.tanh(softplus(x))
    return g * (t + x * dual.sigmoid(x) * (1.0 - t * t))


@elementwise(_mish_vjp, saves=(0,), rule="δ = g ⊙ (t + z·σ(z)(1 − t²)), t = tanh(softplus(z))")
def mish(a):
    """z·tanh(softplus(z)), in float64 and rounded once (e^z would go subnormal in float32 first)."""
    z = a.astype(np.float64)
    return (z * np.tanh(np.logaddexp(0.0, z))).astype(a.dtype if a.dtype.kind == "f" else np.float64)


@export
def celu(x, alpha=1.0):
    """z if z > 0 else α(e^(z/α) − 1)."""
    if alpha == 0:
        raise ValueError("celu: alpha cannot be 0")
    z = x.array
    data = np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0) / alpha))
    return apply(CELU, data.astype(z.dtype, copy=False), (x,), alpha)


CELU = Op(
    "celu",
    (
        lambda g, alpha, out, x: dual.where(
            dual.raw(x) > 0, g, g * dual.exp(dual.where(dual.raw(x) > 0, 0.0, x) / alpha)
        ),
    ),
    saves=(0,),
    keeps_shape=True,
    describe=lambda alpha: f"alpha={alpha:g}",
    rule="δ = g ⊙ (1 if z > 0 else e^(z/α))",
)


@export
def glu(x, dim=-1):
    """a ⊙ σ(b), where a and b are the two halves of ``x`` along ``dim`` (a composite)."""
    if x.ndim == 0:
        raise ValueError("glu: needs a tensor of at least one dimension")
    d = dim % x.ndim
    n = x.shape[d]
    if n % 2:
        raise ValueError(f"glu: the size of dim {dim} must be even, got {n}")
    head = (slice(None),) * d
    return x[head + (slice(0, n // 2),)] * x[head + (slice(n // 2, n),)].sigmoid()


@export
def softmin(x, dim=-1):
    """softmax(−z) along ``dim`` (NOTE: PyTorch guesses ``dim`` when none is given; we take the last)."""
    return (-x).softmax(dim if dim is not None else -1)


def _outside_vjp(g, ctx, out, x):
    """δ = g where |z| > λ (the shrink functions' rule: 0 in the dead zone and at its edges)."""
    return g * (abs(dual.raw(x)) > ctx)


def _check_lambd(name, lambd):
    if lambd < 0:
        raise ValueError(f"{name}: lambd must be greater or equal to 0, but found to be {lambd}")


@export
def hardshrink(x, lambd=0.5):
    """z where |z| > λ, else 0."""
    _check_lambd("hardshrink", lambd)
    z = x.array
    return apply(HARDSHRINK, np.where(np.abs(z) > lambd, z, 0).astype(z.dtype, copy=False), (x,), lambd)


HARDSHRINK = Op(
    "hardshrink",
    (_outside_vjp,),
    saves=(0,),
    keeps_shape=True,
    describe=lambda lambd: f"lambd={lambd:g}",
    rule="δ = g ⊙ [|z| > λ]",
)


@export
def softshrink(x, lambd=0.5):
    """z − λ where z > λ, z + λ where z < −λ, else 0 (the proximal map of λ|z|)."""
    _check_lambd("softshrink", lambd)
    z = x.array
    data = np.where(z > lambd, z - lambd, np.where(z < -lambd, z + lambd, 0))
    return apply(SOFTSHRINK, data.astype(z.dtype, copy=False), (x,), lambd)


SOFTSHRINK = Op(
    "softshrink",
    (_outside_vjp,),
    saves=(0,),
    keeps_shape=True,
    describe=lambda lambd: f"lambd={lambd:g}",
    rule="δ = g ⊙ [|z| > λ]",
)


# NOTE: a primitive rather than z − tanh(z) so that a layer keeps one node per activation (as silu);
# the forward is PyTorch's z − tanh(z) (same rounding).
@elementwise(
    lambda g, ctx, out, x: g * (dual.tanh(x) * dual.tanh(x)),
    saves=(0,),
    rule="δ = g ⊙ tanh²(z)",
    scalar=lambda v: v - math.tanh(v),
)
def tanhshrink(a):
    """z − tanh(z)."""
    return a - np.tanh(a)


@export
def threshold(x, threshold, value):
    """z where z > threshold, else ``value``."""
    z = x.array
    data = np.where(z > threshold, z, value).astype(z.dtype if z.dtype.kind == "f" else np.float64, copy=False)
    return apply(THRESHOLD, data, (x,), (threshold, value))


THRESHOLD = Op(
    "threshold",
    (lambda g, ctx, out, x: g * (dual.raw(x) > ctx[0]),),
    saves=(0,),
    keeps_shape=True,
    describe=lambda ctx: f"threshold={ctx[0]:g}, value={ctx[1]:g}",
    rule="δ = g ⊙ [z > threshold]",
)


@export
def rrelu(x, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False, generator=None):
    """Randomized leaky ReLU: z if z ≥ 0 else a·z, a ~ U(lower, upper) per element when training,
    a = (lower + upper)/2 otherwise (Xu et al. 2015). ``generator`` (NumPy) replaces the seeded one."""
    if not 0 <= lower <= upper:
        raise ValueError(f"rrelu: expected 0 <= lower <= upper, got lower={lower}, upper={upper}")
    if not training:
        return leaky_relu(x, (lower + upper) / 2.0)
    rng = generator if generator is not None else default_generator()
    z = x.array
    slopes = np.where(z >= 0, 1.0, rng.uniform(lower, upper, z.shape)).astype(z.dtype, copy=False)
    # a composite: z·a with a constant a, so δ = g ⊙ a (PyTorch's rule, the same noise)
    return x * wrap(slopes)
