"""Every primitive as a row: how to call it on glassgrad and on PyTorch, and the shapes to try.

A row's ``fn`` takes glassgrad Tensors; ``torch_fn`` (when the call differs) takes torch tensors.
``domain`` says how inputs are drawn: "any" (normal), "positive" (for log, sqrt, pow bases),
"nonzero" (away from 0, for divisors and kinks), "distinct" (no ties, for max/min), "unit" (in
(0.05, 0.95), for probabilities), "grid" (multiples of 1/8, exact in float32, with ``eps`` 2⁻⁶).
A row covers the registered op functions its name starts with (``sum_dim`` covers ``sum``) or
those listed in ``exports``; ``grad=False`` rows (integer outputs) check values only.
Every registered op must be covered by a row: tests/autograd/test_registry.py checks it.
"""

from dataclasses import dataclass, field

import numpy as np

import autograd as ag


@dataclass
class Case:
    name: str
    fn: object
    shapes: list
    torch_fn: object = None
    domain: str = "any"
    second_order: bool = True
    extra: dict = field(default_factory=dict)
    exports: tuple = ()
    grad: bool = True
    eps: float = 1e-6

    @property
    def id(self):
        return self.name

    def covers(self, export_name):
        """Whether this row exercises the registered op function ``export_name``."""
        return export_name in self.exports or self.name == export_name or self.name.startswith(export_name + "_")


UNARY_SHAPES = [(), (3,), (2, 3), (0,), (2, 0, 3)]
BROADCAST_PAIRS = [((2, 3), (2, 3)), ((3, 1), (1, 4)), ((4,), (2, 3, 4)), ((), (2, 3)), ((2, 3), ()), ((0, 3), (3,))]


def _unary(name, fn, torch_fn=None, domain="any", second_order=True):
    return Case(name, fn, [(s,) for s in UNARY_SHAPES], torch_fn, domain, second_order)


def _binary(name, fn, torch_fn=None, domain="any"):
    return Case(name, fn, list(BROADCAST_PAIRS), torch_fn, domain)


def _logic(name, fn):
    """A value-only row of a logical or bitwise op on the ints or bools ``fn`` makes of its inputs."""
    return Case(name, fn, list(BROADCAST_PAIRS), grad=False)


def _lib(x):
    return ag if isinstance(x, ag.Tensor) else __import__("torch")


def _ints(x):
    """⌊4x⌋ as int64 in x's library (negative values too)."""
    return (x * 4.0).floor().to(_lib(x).int64)


def _pair_sum(pair):
    """Both outputs of a (a, b) tuple op in one differentiable value."""
    a, b = pair
    return a * 2.0 + b


def _bools(x):
    return x > 0.3


def _F():
    import torch.nn.functional as F

    return F


CASES = [
    _unary("neg", lambda x: -x),
    _unary("exp", lambda x: x.exp()),
    _unary("log", lambda x: x.log(), domain="positive"),
    _unary("sqrt", lambda x: x.sqrt(), domain="positive"),
    _unary("abs", lambda x: x.abs(), domain="nonzero"),
    _unary("sin", lambda x: x.sin()),
    _unary("cos", lambda x: x.cos()),
    _unary("erf", lambda x: x.erf()),
    _unary("atan", lambda x: x.atan()),
    _unary("tanh", lambda x: x.tanh()),
    _unary("sigmoid", lambda x: x.sigmoid()),
    _unary("silu", lambda x: ag.silu(x), lambda x: _F().silu(x)),
    _unary("relu", lambda x: x.relu(), domain="nonzero"),
    _unary("leaky_relu", lambda x: ag.leaky_relu(x, 0.1), lambda x: _F().leaky_relu(x, 0.1), domain="nonzero"),
    _unary("gelu", lambda x: ag.gelu(x), lambda x: _F().gelu(x)),
    _unary("gelu_tanh", lambda x: ag.gelu(x, approximate="tanh"), lambda x: _F().gelu(x, approximate="tanh")),
    _unary("elu", lambda x: ag.elu(x, 0.7), lambda x: _F().elu(x, 0.7), domain="nonzero"),
    _unary("selu", lambda x: ag.selu(x), lambda x: _F().selu(x), domain="nonzero"),
    _unary("softplus", lambda x: ag.softplus(x, 2.0, 3.0), lambda x: _F().softplus(x, 2.0, 3.0), domain="nonzero"),
    _unary("clamp", lambda x: x.clamp(-0.5, 0.7), domain="nonzero"),
    _unary("hardtanh", lambda x: ag.hardtanh(x, -0.5, 0.8), lambda x: _F().hardtanh(x, -0.5, 0.8), "nonzero"),
    _unary("relu6", lambda x: ag.relu6(x * 4.0), lambda x: _F().relu6(x * 4.0), "nonzero"),
    _unary("hardsigmoid", lambda x: ag.hardsigmoid(x * 2.0), lambda x: _F().hardsigmoid(x * 2.0)),
    _unary("hardswish", lambda x: ag.hardswish(x * 2.0), lambda x: _F().hardswish(x * 2.0)),
    _unary("softsign", lambda x: ag.softsign(x), lambda x: _F().softsign(x), "nonzero"),
    _unary("logsigmoid", lambda x: ag.logsigmoid(x), lambda x: _F().logsigmoid(x)),
    _unary("mish", lambda x: ag.mish(x), lambda x: _F().mish(x)),
    _unary("celu", lambda x: ag.celu(x, 0.7), lambda x: _F().celu(x, 0.7), "nonzero"),
    _unary("hardshrink", lambda x: ag.hardshrink(x, 0.4), lambda x: _F().hardshrink(x, 0.4)),
    _unary("softshrink", lambda x: ag.softshrink(x, 0.4), lambda x: _F().softshrink(x, 0.4)),
    _unary("tanhshrink", lambda x: ag.tanhshrink(x), lambda x: _F().tanhshrink(x)),
    _unary("threshold", lambda x: ag.threshold(x, 0.2, -1.5), lambda x: _F().threshold(x, 0.2, -1.5)),
    _unary("rrelu", lambda x: ag.rrelu(x, 0.1, 0.3), lambda x: _F().rrelu(x, 0.1, 0.3), domain="nonzero"),
    Case("glu", lambda x: ag.glu(x), [((2, 4),), ((3, 2, 6),)], lambda x: _F().glu(x)),
    Case("glu_dim0", lambda x: ag.glu(x, 0), [((4, 3),)], lambda x: _F().glu(x, 0)),
    Case("softmin", lambda x: ag.softmin(x, 1), [((2, 5),), ((3, 4, 2),)], lambda x: _F().softmin(x, 1)),
    _unary("clamp_lower", lambda x: x.clamp(min=0.2), domain="nonzero"),
    _unary("clamp_min", lambda x: x.clamp_min(0.2), domain="nonzero"),
    _unary("clamp_max", lambda x: ag.clamp_max(x, -0.3), lambda x: __import__("torch").clamp_max(x, -0.3), "nonzero"),
    _unary("tan", lambda x: x.tan(), domain="unit"),
    _unary("asin", lambda x: x.asin(), domain="unit"),
    _unary("acos", lambda x: x.acos(), domain="unit"),
    _unary("sinh", lambda x: x.sinh()),
    _unary("cosh", lambda x: x.cosh()),
    _unary("asinh", lambda x: x.asinh()),
    _unary("acosh", lambda x: (x + 1.0).acosh(), domain="positive"),
    _unary("atanh", lambda x: x.atanh(), domain="unit"),
    _unary("log2", lambda x: x.log2(), domain="positive"),
    _unary("log10", lambda x: x.log10(), domain="positive"),
    _unary("log1p", lambda x: x.log1p(), domain="positive"),
    _unary("expm1", lambda x: x.expm1()),
    _unary("exp2", lambda x: x.exp2()),
    _unary("rsqrt", lambda x: x.rsqrt(), domain="positive"),
    _unary("reciprocal", lambda x: x.reciprocal(), domain="nonzero"),
    _unary("square", lambda x: x.square()),
    _unary("sign", lambda x: x.sign(), domain="nonzero"),
    _unary("floor", lambda x: (x * 3.0).floor()),
    _unary("ceil", lambda x: (x * 3.0).ceil()),
    _unary("round", lambda x: (x * 3.0).round()),
    _unary("trunc", lambda x: (x * 3.0).trunc()),
    _unary("frac", lambda x: (x * 3.0).frac()),
    _unary("sinc", lambda x: x.sinc()),
    _unary("deg2rad", lambda x: x.deg2rad()),
    _unary("rad2deg", lambda x: x.rad2deg()),
    _unary("nan_to_num", lambda x: (x.log() * 1.0).nan_to_num(1.5, 2.0, -3.0), domain="nonzero"),
    Case(
        "nan_to_num_inf",
        lambda x: _special(x).nan_to_num(),
        [((2, 3),)],
    ),
    _unary("pow_2", lambda x: x**2),
    _unary("pow_3", lambda x: x**3),
    _unary("pow_0", lambda x: x**0),
    _unary("pow_half", lambda x: x**0.5, domain="positive"),
    _unary("pow_neg", lambda x: x**-1.5, domain="positive"),
    _unary("rpow", lambda x: 2.0**x),
    _unary("mul_number", lambda x: x * 2.5),
    _unary("rsub_number", lambda x: 3.0 - x),
    _unary("div_number", lambda x: x / 4.0),
    _unary("rdiv_number", lambda x: 1.0 / x, domain="nonzero"),
    _unary("clone", lambda x: x.clone()),
    _binary("add", lambda x, y: x + y),
    _binary("sub", lambda x, y: x - y),
    _binary("mul", lambda x, y: x * y),
    _binary("div", lambda x, y: x / y, domain="nonzero"),
    _binary("pow", lambda x, y: x**y, domain="positive"),
    _binary("atan2", lambda x, y: ag.atan2(x, y), lambda x, y: __import__("torch").atan2(x, y)),
    _binary("hypot", lambda x, y: x.hypot(y)),
    _binary("logaddexp", lambda x, y: x.logaddexp(y)),
    _binary("xlogy", lambda x, y: x.xlogy(y), domain="positive"),
    _binary("fmod", lambda x, y: x.fmod(y), domain="nonzero"),
    _binary("remainder", lambda x, y: x % y, domain="nonzero"),
    _unary("remainder_number", lambda x: x.remainder(-0.7), domain="nonzero"),
    _unary(
        "remainder_rnumber",  # PyTorch has no derivative for remainder(number, x): a 0-d tensor stands in
        lambda x: 2.5 % x,
        lambda x: __import__("torch").tensor(2.5, dtype=x.dtype) % x,
        domain="nonzero",
    ),
    _unary("fmod_number", lambda x: ag.fmod(x, 0.6), lambda x: __import__("torch").fmod(x, 0.6), "nonzero"),
    _unary("atan2_rnumber", lambda x: ag.atan2(1.5, x), lambda x: __import__("torch").atan2(x.new_tensor(1.5), x)),
    Case("lerp", lambda x, y, w: x.lerp(y, w), [((2, 3), (2, 3), (2, 3)), ((3, 1), (1, 4), (4,))]),
    Case("lerp_number", lambda x, y: x.lerp(y, 0.3), list(BROADCAST_PAIRS)),
    Case("floor_divide", lambda x, y: x // y, list(BROADCAST_PAIRS), domain="nonzero", grad=False),
    Case("floor_divide_number", lambda x: x.floor_divide(0.3), [((2, 3),)], domain="nonzero", grad=False),
    Case("floor_divide_rnumber", lambda x: 2.0 // x, [((2, 3),)], domain="nonzero", grad=False),
    Case("eq", lambda x, y: x.round() == y.round(), list(BROADCAST_PAIRS), grad=False),
    Case("ne", lambda x, y: x.round().ne(y.round()), list(BROADCAST_PAIRS), grad=False),
    Case("lt", lambda x, y: x < y, list(BROADCAST_PAIRS), grad=False),
    Case("lt_number", lambda x: 0.2 < x, [((2, 3),)], grad=False),
    Case("le", lambda x, y: x.le(y), list(BROADCAST_PAIRS), grad=False),
    Case("gt", lambda x, y: x.gt(y), list(BROADCAST_PAIRS), grad=False),
    Case("ge", lambda x, y: x >= y, list(BROADCAST_PAIRS), grad=False),
    Case("ge_int", lambda x, y: _ints(x) >= _ints(y), list(BROADCAST_PAIRS), grad=False),
    _logic("logical_and", lambda x, y: _bools(x).logical_and(_bools(y))),
    _logic("logical_and_float", lambda x, y: x.logical_and(y)),
    _logic("logical_or", lambda x, y: _bools(x).logical_or(_bools(y))),
    _logic("logical_xor", lambda x, y: _ints(x).logical_xor(_bools(y))),
    _logic("logical_not", lambda x, y: _ints(x).logical_not()),
    _logic("bitwise_and", lambda x, y: _ints(x) & _ints(y)),
    _logic("bitwise_and_bool", lambda x, y: _bools(x).bitwise_and(_bools(y))),
    _logic("bitwise_and_number", lambda x, y: 6 & _ints(y)),
    _logic("bitwise_or", lambda x, y: _ints(x) | _ints(y)),
    _logic("bitwise_or_bool", lambda x, y: True | _bools(y)),
    _logic("bitwise_xor", lambda x, y: _ints(x).bitwise_xor(_ints(y))),
    _logic("bitwise_xor_bool", lambda x, y: _bools(x) ^ _bools(y)),
    _logic("bitwise_not", lambda x, y: ~_ints(x)),
    _logic("bitwise_not_bool", lambda x, y: _bools(x).bitwise_not()),
    Case("isnan", lambda x: _special(x).isnan(), [((2, 3),)], lambda x: _special(x).isnan(), grad=False),
    Case("isinf", lambda x: _special(x).isinf(), [((2, 3),)], lambda x: _special(x).isinf(), grad=False),
    Case("isfinite", lambda x: _special(x).isfinite(), [((2, 3),)], lambda x: _special(x).isfinite(), grad=False),
    _binary(
        "maximum", lambda x, y: ag.maximum(x, y), lambda x, y: __import__("torch").maximum(x, y), domain="distinct"
    ),
    _binary(
        "minimum", lambda x, y: ag.minimum(x, y), lambda x, y: __import__("torch").minimum(x, y), domain="distinct"
    ),
    Case(
        "where",
        lambda x, y: ag.where(ag.tensor(np.arange(12).reshape(3, 4) % 3 == 0), x, y),
        [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (3, 4))],
        lambda x, y: __import__("torch").where(__import__("torch").tensor(np.arange(12).reshape(3, 4) % 3 == 0), x, y),
    ),
    Case(
        "matmul",
        lambda x, y: x @ y,
        [
            ((3,), (3,)),
            ((2, 3), (3,)),
            ((3,), (3, 4)),
            ((2, 3), (3, 4)),
            ((5, 2, 3), (3, 4)),
            ((5, 2, 3), (5, 3, 4)),
            ((1, 2, 3), (4, 3, 2)),
            ((3,), (2, 3, 4)),
            ((2, 2, 3), (3,)),
            ((0, 3), (3, 2)),
            ((2, 0), (0, 3)),
        ],
    ),
    Case(
        "linear",
        lambda x, w, b: ag.linear(x, w, b),
        [((4, 3), (2, 3), (2,)), ((5, 4, 3), (2, 3), (2,)), ((3,), (2, 3), (2,)), ((0, 3), (2, 3), (2,))],
        lambda x, w, b: _F().linear(x, w, b),
    ),
    Case("linear_no_bias", lambda x, w: ag.linear(x, w), [((4, 3), (2, 3))], lambda x, w: _F().linear(x, w)),
    # reductions
    Case("sum_all", lambda x: x.sum(), [((2, 3, 4),), ((),), ((0, 3),)]),
    Case("sum_dim", lambda x: x.sum(dim=1), [((2, 3, 4),), ((0, 3),)]),
    Case("sum_dims_keep", lambda x: x.sum(dim=(0, 2), keepdim=True), [((2, 3, 4),)]),
    Case("sum_neg_dim", lambda x: x.sum(dim=-1), [((2, 3, 4),), ((3,),)]),
    Case("mean_all", lambda x: x.mean(), [((2, 3, 4),), ((),)]),
    Case("mean_dim", lambda x: x.mean(dim=(1, 2)), [((2, 3, 4),)]),
    Case("mean_keep", lambda x: x.mean(dim=0, keepdim=True), [((2, 3),)]),
    Case("var_all", lambda x: x.var(), [((2, 3, 4),)]),
    Case("var_dim", lambda x: x.var(dim=1), [((2, 3, 4),)]),
    Case(
        "var_biased",
        lambda x: x.var(dim=0, unbiased=False, keepdim=True),
        [((4, 3),)],
        lambda x: x.var(dim=0, correction=0, keepdim=True),
    ),
    Case("std_dim", lambda x: x.std(dim=-1), [((3, 5),)]),
    Case("std_all", lambda x: x.std(), [((3, 5),)]),
    Case("amax", lambda x: x.amax(dim=1), [((2, 3, 4),)], domain="distinct"),
    Case("amin_keep", lambda x: x.amin(dim=(0, 2), keepdim=True), [((2, 3, 4),)], domain="distinct"),
    Case("max_all", lambda x: x.max(), [((2, 3),), ((),)], domain="distinct"),
    Case("min_all", lambda x: x.min(), [((2, 3),)], domain="distinct"),
    Case("max_dim_values", lambda x: x.max(dim=1).values, [((2, 3, 4),)], domain="distinct"),
    Case("min_dim_keep", lambda x: x.min(dim=0, keepdim=True).values, [((3, 4),)], domain="distinct"),
    Case("logsumexp", lambda x: x.logsumexp(dim=1), [((2, 3, 4),)]),
    Case("logsumexp_1d", lambda x: x.logsumexp(dim=0), [((3,),)]),
    Case("logsumexp_all", lambda x: ag.logsumexp(x, dim=(0, 1)), [((2, 3),)], lambda x: x.logsumexp(dim=(0, 1))),
    Case("softmax", lambda x: x.softmax(dim=-1), [((2, 5),), ((2, 3, 4),), ((4,),)]),
    Case("softmax_dim0", lambda x: x.softmax(dim=0), [((3, 4),)]),
    Case("log_softmax", lambda x: x.log_softmax(dim=-1), [((2, 5),), ((2, 3, 4),)]),
    Case("log_softmax_dim1", lambda x: x.log_softmax(dim=1), [((2, 3, 4),)]),
    Case("prod_all", lambda x: x.prod(), [((2, 3),), ((),), ((0, 3),)], domain="nonzero"),
    Case("prod_dim", lambda x: x.prod(dim=1), [((2, 3, 4),), ((0, 3),)], domain="nonzero"),
    Case("prod_keep", lambda x: ag.prod(x, 0, keepdim=True), [((3, 2),)], lambda x: x.prod(0, keepdim=True)),
    Case("cumsum", lambda x: x.cumsum(dim=1), [((2, 3, 4),), ((0, 3),)]),
    Case("cumsum_0d", lambda x: ag.cumsum(x, 0), [((),), ((4,),)], lambda x: x.cumsum(0)),
    Case("cumprod", lambda x: x.cumprod(dim=-1), [((2, 3, 4),), ((),), ((2, 0),)]),
    Case("cumprod_dim0", lambda x: ag.cumprod(x, 0), [((3, 2),)], lambda x: x.cumprod(0)),
    Case("logcumsumexp", lambda x: x.logcumsumexp(dim=1), [((2, 3, 4),), ((3, 0),)]),
    Case(
        "logcumsumexp_0d",
        lambda x: ag.logcumsumexp(x * 30.0, 0),
        [((),), ((5,),)],
        lambda x: (x * 30.0).logcumsumexp(0),
    ),
    Case("all", lambda x: (x > -0.5).all(), [((2, 3),), ((),), ((0,),)], grad=False),
    Case(
        "all_dim",
        lambda x: ag.all(x > -0.5, 1, keepdim=True),
        [((3, 4),)],
        lambda x: (x > -0.5).all(1, True),
        grad=False,
    ),
    Case("any", lambda x: (x > 0.5).any(), [((2, 3),), ((),), ((0,),)], grad=False),
    Case("any_dim", lambda x: (x > 0.5).any(dim=0), [((3, 4),), ((0, 2),)], grad=False),
    Case("count_nonzero", lambda x: _bools(x).count_nonzero(), [((3, 4),), ((),)], grad=False),
    Case("count_nonzero_dim", lambda x: (x * 4.0).floor().count_nonzero(dim=1), [((3, 4),)], grad=False),
    Case("sort", lambda x: x.sort().values, [((2, 5),), ((),), ((3, 0),)], domain="distinct"),
    Case("sort_desc", lambda x: x.sort(0, descending=True).values, [((4, 3),)], domain="distinct"),
    Case(
        "sort_indices",
        lambda x: ag.sort(x, dim=1, stable=True).indices,
        [((3, 4),)],
        lambda x: x.sort(dim=1, stable=True).indices,
        domain="distinct",
        grad=False,
    ),
    Case("argsort", lambda x: x.argsort(dim=0), [((4, 3),), ((),)], domain="distinct", grad=False),
    Case("argsort_desc", lambda x: x.argsort(descending=True), [((2, 5),)], domain="distinct", grad=False),
    Case("topk", lambda x: x.topk(2).values, [((3, 5),), ((4,),)], domain="distinct"),
    Case(
        "topk_smallest",
        lambda x: ag.topk(x, 3, dim=0, largest=False).values,
        [((4, 2),)],
        lambda x: x.topk(3, dim=0, largest=False).values,
        domain="distinct",
    ),
    Case("topk_indices", lambda x: x.topk(2, dim=1).indices, [((3, 4),)], domain="distinct", grad=False),
    Case("median_all", lambda x: x.median(), [((2, 3),), ((4,),), ((),)], domain="distinct"),
    Case("median_dim", lambda x: x.median(dim=1).values, [((3, 4),), ((2, 5),)], domain="distinct"),
    Case("median_keep", lambda x: x.median(0, keepdim=True).values, [((4, 3),)], domain="distinct"),
    Case("median_indices", lambda x: x.median(dim=1).indices, [((3, 4),)], domain="distinct", grad=False),
    Case("cummax", lambda x: x.cummax(dim=1).values, [((3, 4),), ((0, 2),)], domain="distinct"),
    Case("cummax_indices", lambda x: x.cummax(0).indices, [((4, 3),)], domain="distinct", grad=False),
    Case("cummin", lambda x: x.cummin(dim=0).values, [((4, 3),), ((),)], domain="distinct"),
    Case(
        "cummin_indices",
        lambda x: ag.cummin(x, 1).indices,
        [((3, 4),)],
        lambda x: x.cummin(1).indices,
        domain="distinct",
        grad=False,
    ),
    Case("norm", lambda x: x.norm(), [((2, 3),), ((),), ((0, 3),)]),
    Case(
        "norm_dim", lambda x: ag.norm(x, 2, dim=1, keepdim=True), [((3, 4),)], lambda x: x.norm(2, dim=1, keepdim=True)
    ),
    Case("norm_p1", lambda x: x.norm(1, dim=0), [((3, 4),)], domain="nonzero"),
    Case("norm_p3", lambda x: x.norm(3.0, dim=(0, 1)), [((3, 4),), ((2, 2, 2),)], domain="nonzero"),
    Case("norm_inf", lambda x: x.norm(float("inf"), dim=1), [((3, 4),)], domain="distinct"),
    Case("norm_neg_inf", lambda x: x.norm(float("-inf")), [((3, 4),)], domain="distinct"),
    Case("norm_p0", lambda x: (x * 4.0).floor().norm(0, dim=1), [((3, 4),)], grad=False),
    Case(
        "var_mean",
        lambda x: _pair_sum(ag.var_mean(x, 1)),
        [((3, 4),)],
        lambda x: _pair_sum(__import__("torch").var_mean(x, 1)),
    ),
    Case(
        "var_mean_all",
        lambda x: _pair_sum(x.var_mean(correction=0)),
        [((2, 3),)],
        lambda x: _pair_sum(__import__("torch").var_mean(x, correction=0)),
    ),
    Case(
        "std_mean",
        lambda x: _pair_sum(ag.std_mean(x, 0, keepdim=True)),
        [((4, 3),)],
        lambda x: _pair_sum(__import__("torch").std_mean(x, 0, keepdim=True)),
    ),
    # shape
    Case("reshape", lambda x: x.reshape(3, -1), [((2, 3, 2),)]),
    Case("view", lambda x: x.view(-1), [((2, 3),), ((),)]),
    Case("flatten", lambda x: x.flatten(1), [((2, 3, 4),)]),
    Case("transpose", lambda x: x.transpose(0, 2), [((2, 3, 4),)]),
    Case("permute", lambda x: x.permute(2, 0, 1), [((2, 3, 4),)]),
    Case("T", lambda x: x.T, [((2, 3),)]),
    Case("mT", lambda x: x.mT, [((4, 2, 3),)]),
    Case("squeeze", lambda x: x.squeeze(), [((2, 1, 3, 1),)]),
    Case("squeeze_dim", lambda x: x.squeeze(1), [((2, 1, 3),)]),
    Case("unsqueeze", lambda x: x.unsqueeze(-1), [((2, 3),), ((),)]),
    Case("expand", lambda x: x.expand(4, -1, 3), [((2, 1),)]),
    Case("broadcast_to", lambda x: x.broadcast_to((2, 3, 4)), [((3, 1),), ((),)]),
    Case("sum_to", lambda x: ag.sum_to(x, (3, 1)), [((2, 3, 4),)], lambda x: x.sum_to_size(3, 1)),
    Case("sum_to_size", lambda x: x.sum_to_size(1, 4), [((3, 4),)]),
    Case("cast", lambda x: (x.float() * 3.0).to(x.dtype), [((2, 3),)], domain="grid", eps=2**-6),
    Case("flip", lambda x: x.flip(0, -1), [((2, 3, 4),), ((0, 3),)]),
    Case("flip_fn", lambda x: ag.flip(x, [-1]), [((2, 3),)], lambda x: __import__("torch").flip(x, [-1])),
    Case("roll", lambda x: x.roll(1, 1), [((2, 3),), ((2, 0),)]),
    Case("roll_dims", lambda x: x.roll((2, -1), (0, 1)), [((3, 4),)]),
    Case("roll_flat", lambda x: x.roll(5), [((2, 3),)]),
    Case("tril", lambda x: x.tril(), [((3, 4),), ((2, 3, 3),)]),
    Case("tril_offset", lambda x: x.tril(-1), [((4, 3),)]),
    Case("triu", lambda x: x.triu(1), [((3, 4),), ((2, 3, 3),)]),
    Case("repeat", lambda x: x.repeat(2, 1, 3), [((2, 3),), ((),)]),
    Case("repeat_interleave", lambda x: x.repeat_interleave(2, dim=1), [((2, 3),)]),
    Case("repeat_interleave_flat", lambda x: x.repeat_interleave(3), [((2, 2),)]),
    Case(
        "repeat_interleave_counts",
        lambda x: x.repeat_interleave(_lib(x).tensor([1, 0, 3]), dim=0),
        [((3, 2),)],
    ),
    Case("tile", lambda x: x.tile((2,)), [((2, 3),)]),
    Case("tile_lead", lambda x: x.tile((2, 1, 2)), [((2, 3),)]),
    Case("split", lambda x: _lib(x).cat(x.split(2, dim=1)[::-1], 1), [((2, 5),)]),
    Case("split_sections", lambda x: _lib(x).cat(x.split([1, 3], 0)[::-1], 0), [((4, 2),)]),
    Case("chunk", lambda x: _lib(x).cat(x.chunk(3, -1)[::-1], -1), [((2, 7),), ((2, 2),)]),
    Case("unbind", lambda x: _lib(x).stack(x.unbind(1)[::-1], 0), [((2, 3, 2),)]),
    Case("narrow", lambda x: x.narrow(1, 1, 2), [((2, 4),)]),
    Case("narrow_neg", lambda x: x.narrow(0, -2, 2), [((3, 2),)]),
    Case("movedim", lambda x: x.movedim(0, -1), [((2, 3, 4),)]),
    Case("movedim_many", lambda x: x.movedim((0, 1), (3, 0)), [((2, 3, 4, 1),)]),
    Case("moveaxis", lambda x: x.moveaxis(1, 0), [((2, 3),)], exports=()),
    Case("swapaxes", lambda x: x.swapaxes(0, 2), [((2, 3, 4),)]),
    Case("swapdims", lambda x: x.swapdims(-1, 0), [((2, 3),)]),
    Case("unflatten", lambda x: x.unflatten(1, (2, -1)), [((3, 6),)]),
    Case("contiguous", lambda x: x.mT.contiguous(), [((2, 3),)]),
    Case("contiguous_already", lambda x: x.contiguous(), [((2, 3),)]),
    Case("argmax", lambda x: x.argmax(dim=1), [((3, 4),)], domain="distinct", grad=False),
    Case("argmin", lambda x: ag.argmin(x), [((3, 4),)], lambda x: x.argmin(), domain="distinct", grad=False),
    # indexing
    Case("index_int", lambda x: x[1], [((3, 4),)]),
    Case("index_slice", lambda x: x[:, 1:3], [((3, 4),)]),
    Case("index_step", lambda x: x[::2, ::-1], [((5, 4),)], lambda x: x[::2].flip(1)),
    Case("index_none_ellipsis", lambda x: x[..., None, 1], [((2, 3, 4),)]),
    Case(
        "index_array_repeats",
        lambda x: x[[0, 2, 0, 0]],
        [((3, 4),)],
        lambda x: x[__import__("torch").tensor([0, 2, 0, 0])],
    ),
    Case(
        "index_mask",
        lambda x: x[ag.tensor(np.array([True, False, True]))],
        [((3, 2),)],
        lambda x: x[__import__("torch").tensor([True, False, True])],
    ),
    Case(
        "index_mixed",
        lambda x: x[ag.tensor(np.array([1, 0, 1])), 1:],
        [((2, 4),)],
        lambda x: x[__import__("torch").tensor([1, 0, 1]), 1:],
    ),
    # PyTorch selects along an int's dim first: for x of shape (2, 4, 3), x[1, :, [0, 2, 2]] has shape
    # (4, 3), where NumPy moves the index's dim to the front, (3, 4); the torch comparison tells them apart.
    Case("index_int_then_array", lambda x: x[1, :, [0, 2, 2]], [((2, 4, 3),)]),
    Case("index_int_array_adjacent", lambda x: x[:, 1, [0, 2, 2]], [((2, 4, 3),)]),
    Case("index_nested_tuple", lambda x: x[(0, 1, 1),], [((2, 3),)]),
    Case(
        "setitem_int_then_array",
        lambda x, v: _setitem_key(x, (1, slice(None), [0, 2]), v),
        [((2, 4, 3), (4, 2)), ((2, 4, 3), (2,))],
        exports=("index_put_",),
    ),
    Case(
        "setitem",
        lambda x, v: _setitem(x, v),
        [((3, 4), (4,)), ((3, 4), ())],
        lambda x, v: _setitem(x, v),
        exports=("index_put_",),
    ),
    Case(
        "take_along_dim",
        lambda x: ag.take_along_dim(x, np.array([[0, 2, 2], [1, 1, 0]]), 1),
        [((2, 3),)],
        lambda x: __import__("torch").take_along_dim(x, __import__("torch").tensor([[0, 2, 2], [1, 1, 0]]), 1),
    ),
    Case(
        "gather",
        lambda x: x.gather(1, _lib(x).tensor([[0, 2, 2], [1, 1, 0]])),
        [((2, 3),), ((3, 4),)],
    ),
    Case(
        "gather_dim0",
        lambda x: ag.gather(x, 0, np.array([[1], [0], [1]])),
        [((2, 3),)],
        lambda x: x.gather(0, __import__("torch").tensor([[1], [0], [1]])),
    ),
    Case(
        "scatter",
        lambda x, s: x.scatter(1, _lib(x).tensor([[2, 0], [1, 3]]), s),
        [((2, 4), (2, 2)), ((3, 4), (2, 2))],
    ),
    Case("scatter_value", lambda x: x.scatter(0, _lib(x).tensor([[1, 0, 1]]), value=2.5), [((2, 3),)]),
    Case(
        "scatter_add",
        lambda x, s: x.scatter_add(0, _lib(x).tensor([[1, 0, 1], [1, 1, 0]]), s),
        [((2, 3), (2, 3)), ((3, 3), (2, 3))],
    ),
    Case("index_select", lambda x: x.index_select(1, _lib(x).tensor([3, 0, 0])), [((2, 4),)]),
    Case("index_select_dim0", lambda x: x.index_select(0, _lib(x).tensor([1, 1])), [((3, 2),)]),
    Case("masked_fill", lambda x: x.masked_fill(x > 0.2, -1.5), [((2, 3),), ((),)]),
    Case(
        "masked_fill_tensor",
        lambda x, v: x.masked_fill(_lib(x).tensor(np.array([True, False, True])), v),
        [((2, 3), ())],
    ),
    Case("masked_select", lambda x: x.masked_select(x > 0.0), [((2, 3),)]),
    Case(
        "masked_select_broadcast",
        lambda x: x.masked_select(_lib(x).tensor(np.array([[True], [False]]))),
        [((2, 3),), ((3,),)],
    ),
    Case("nonzero", lambda x: (x > 0.2).nonzero(), [((3, 4),), ((),)], grad=False),
    Case("nonzero_tuple", lambda x: (x > 0.2).nonzero(as_tuple=True)[1], [((3, 4),)], grad=False),
    # joining
    Case(
        "cat",
        lambda x, y: ag.cat([x, y], dim=1),
        [((2, 3), (2, 1)), ((2, 0), (2, 2))],
        lambda x, y: __import__("torch").cat([x, y], dim=1),
    ),
    Case(
        "cat_three",
        lambda x, y, z: ag.cat([x, y, z]),
        [((1, 2), (3, 2), (2, 2))],
        lambda x, y, z: __import__("torch").cat([x, y, z]),
    ),
    Case(
        "stack",
        lambda x, y: ag.stack([x, y], dim=1),
        [((2, 3), (2, 3))],
        lambda x, y: __import__("torch").stack([x, y], dim=1),
    ),
    Case("pad", lambda x: ag.pad(x, (1, 2, 0, 1)), [((2, 3),)], lambda x: _F().pad(x, (1, 2, 0, 1))),
    Case("pad_crop", lambda x: ag.pad(x, (-1, 2)), [((2, 4),)], lambda x: _F().pad(x, (-1, 2))),
    Case(
        "pad_reflect",
        lambda x: ag.pad(x, (2, 1, 1, 2), mode="reflect"),
        [((1, 2, 3, 4),), ((1, 4, 3),)],
        lambda x: _F().pad(x, (2, 1, 1, 2), mode="reflect"),
    ),
    Case(
        "pad_replicate",
        lambda x: ag.pad(x, (3, 0, -1, 2), mode="replicate"),
        [((1, 1, 3, 4),), ((2, 3, 2),)],
        lambda x: _F().pad(x, (3, 0, -1, 2), mode="replicate"),
    ),
    Case(
        "pad_circular",
        lambda x: ag.pad(x, (2, -1, 1, 1, 0, 1), mode="circular"),
        [((1, 2, 2, 3, 4),)],
        lambda x: _F().pad(x, (2, -1, 1, 1, 0, 1), mode="circular"),
    ),
    Case(
        "pad_circular_small",
        lambda x: ag.pad(x, (3, 1), mode="circular"),
        [((2, 1, 3),)],
        lambda x: _F().pad(x, (3, 1), mode="circular"),
    ),
    # matrix products built on matmul (diag, diagonal, trace, ..., einsum)
    Case("diag", lambda x: x.diag(), [((3,),), ((3, 4),)]),
    Case("diag_offset", lambda x: x.diag(-1), [((3,),), ((4, 3),)]),
    Case("diagonal", lambda x: x.diagonal(), [((3, 4),), ((2, 3, 3),)]),
    Case("diagonal_dims", lambda x: x.diagonal(1, -1, 0), [((3, 2, 4),)]),
    Case("trace", lambda x: x.trace(), [((3, 4),), ((2, 2),)]),
    Case("outer", lambda x, y: x.outer(y), [((3,), (2,)), ((0,), (2,))]),
    Case("dot", lambda x, y: x.dot(y), [((3,), (3,)), ((0,), (0,))]),
    Case("mm", lambda x, y: x.mm(y), [((2, 3), (3, 4))]),
    Case("bmm", lambda x, y: x.bmm(y), [((2, 2, 3), (2, 3, 4))]),
    Case(
        "tensordot",
        lambda x, y: _lib(x).tensordot(x, y, dims=2),
        [((2, 3, 4), (3, 4, 2)), ((2, 3), (2, 3))],
        exports=("tensordot",),
    ),
    Case(
        "tensordot_lists",
        lambda x, y: _lib(x).tensordot(x, y, dims=([0, 2], [2, 0])),
        [((2, 3, 4), (4, 2, 2))],
    ),
    Case("tensordot_zero", lambda x, y: _lib(x).tensordot(x, y, dims=0), [((2,), (3,))]),
    Case("einsum", lambda x, y: _lib(x).einsum("ij,jk->ik", x, y), [((2, 3), (3, 4))]),
    Case("einsum_batch_ellipsis", lambda x, y: _lib(x).einsum("...ij,...jk", x, y), [((2, 2, 3), (3, 2))]),
    Case("einsum_diagonal", lambda x: _lib(x).einsum("ii->i", x), [((3, 3),)]),
    Case("einsum_trace_broadcast", lambda x, y: _lib(x).einsum("iij,k->jk", x, y), [((2, 2, 3), (2,))]),
    Case("einsum_sum", lambda x: _lib(x).einsum("ijk->kj", x), [((2, 3, 4),)]),
    Case(
        "einsum_three",
        lambda x, y, z: _lib(x).einsum("ij,jk,kl->il", x, y, z),
        [((2, 3), (3, 4), (4, 2))],
    ),
    # convolution and pooling
    Case(
        "conv2d",
        lambda x, w, b: ag.conv2d(x, w, b),
        [((2, 3, 5, 5), (4, 3, 3, 3), (4,)), ((1, 1, 3, 3), (1, 1, 3, 3), (1,))],
        lambda x, w, b: _F().conv2d(x, w, b),
    ),
    Case(
        "conv2d_stride_pad",
        lambda x, w: ag.conv2d(x, w, stride=2, padding=1),
        [((2, 2, 5, 6), (3, 2, 3, 2))],
        lambda x, w: _F().conv2d(x, w, stride=2, padding=1),
    ),
    Case(
        "conv2d_dilation",
        lambda x, w: ag.conv2d(x, w, padding=(2, 1), dilation=(2, 1)),
        [((1, 2, 6, 5), (2, 2, 3, 3))],
        lambda x, w: _F().conv2d(x, w, padding=(2, 1), dilation=(2, 1)),
    ),
    Case(
        "conv2d_groups",
        lambda x, w, b: ag.conv2d(x, w, b, groups=2, stride=(1, 2)),
        [((2, 4, 4, 5), (6, 2, 2, 3), (6,))],
        lambda x, w, b: _F().conv2d(x, w, b, groups=2, stride=(1, 2)),
    ),
    Case(
        "conv2d_depthwise",
        lambda x, w: ag.conv2d(x, w, groups=3, padding=1),
        [((1, 3, 4, 4), (3, 1, 3, 3))],
        lambda x, w: _F().conv2d(x, w, groups=3, padding=1),
    ),
    Case(
        "conv1d",
        lambda x, w, b: ag.conv1d(x, w, b, stride=2, padding=1),
        [((2, 3, 7), (4, 3, 3), (4,))],
        lambda x, w, b: _F().conv1d(x, w, b, stride=2, padding=1),
    ),
    Case(
        "conv1d_dilation_groups",
        lambda x, w: ag.conv1d(x, w, dilation=2, groups=2),
        [((1, 4, 8), (2, 2, 3))],
        lambda x, w: _F().conv1d(x, w, dilation=2, groups=2),
    ),
    Case(
        "conv_transpose2d",
        lambda x, w, b: ag.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
        [((2, 3, 3, 4), (3, 2, 3, 3), (2,))],
        lambda x, w, b: _F().conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
    ),
    Case(
        "conv_transpose2d_groups_dilation",
        lambda x, w: ag.conv_transpose2d(x, w, stride=(1, 2), groups=2, dilation=(2, 1)),
        [((1, 4, 3, 3), (4, 1, 2, 2))],
        lambda x, w: _F().conv_transpose2d(x, w, stride=(1, 2), groups=2, dilation=(2, 1)),
    ),
    Case(
        "conv_transpose2d_small",
        lambda x, w: ag.conv_transpose2d(x, w, stride=2),
        [((1, 2, 2, 3), (2, 1, 2, 2))],
        lambda x, w: _F().conv_transpose2d(x, w, stride=2),
    ),
    Case(
        "conv_transpose2d_output_padding_past_stride",
        lambda x, w: ag.conv_transpose2d(x, w, padding=1, output_padding=1, dilation=2),
        [((1, 1, 2, 3), (1, 2, 2, 2))],
        lambda x, w: _F().conv_transpose2d(x, w, padding=1, output_padding=1, dilation=2),
    ),
    Case(
        "conv_transpose1d",
        lambda x, w, b: ag.conv_transpose1d(x, w, b, stride=3, padding=1, output_padding=2),
        [((2, 2, 5), (2, 3, 3), (3,)), ((1, 2, 4), (2, 2, 2), (2,))],
        lambda x, w, b: _F().conv_transpose1d(x, w, b, stride=3, padding=1, output_padding=2),
    ),
    Case(
        "unfold",
        lambda x: ag.unfold(x, (2, 3), dilation=(2, 1), padding=1, stride=(2, 1)),
        [((2, 3, 5, 6),), ((2, 4, 3),)],
        lambda x: _F().unfold(x, (2, 3), dilation=(2, 1), padding=1, stride=(2, 1)),
    ),
    Case("unfold_small", lambda x: ag.unfold(x, 2), [((1, 1, 3, 4),)], lambda x: _F().unfold(x, 2)),
    Case(
        "fold",
        lambda x: ag.fold(x, (5, 6), (2, 3), dilation=(2, 1), padding=1, stride=(2, 1)),
        [((2, 18, 18),), ((6, 18),)],
        lambda x: _F().fold(x, (5, 6), (2, 3), dilation=(2, 1), padding=1, stride=(2, 1)),
    ),
    Case("fold_small", lambda x: ag.fold(x, (3, 4), 2), [((1, 4, 6),)], lambda x: _F().fold(x, (3, 4), 2)),
    Case(
        "max_pool2d",
        lambda x: ag.max_pool2d(x, 2),
        [((2, 3, 4, 6),)],
        lambda x: _F().max_pool2d(x, 2),
        domain="distinct",
    ),
    Case(
        "max_pool2d_overlap_pad",
        lambda x: ag.max_pool2d(x, 3, stride=2, padding=1),
        [((1, 2, 5, 5),)],
        lambda x: _F().max_pool2d(x, 3, stride=2, padding=1),
        domain="distinct",
    ),
    Case(
        "max_pool2d_dilation",
        lambda x: ag.max_pool2d(x, 2, stride=1, dilation=2),
        [((1, 1, 5, 5),)],
        lambda x: _F().max_pool2d(x, 2, stride=1, dilation=2),
        domain="distinct",
    ),
    Case(
        "max_pool2d_ceil_mode",
        lambda x: ag.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
        [((1, 2, 6, 5),), ((1, 1, 4, 4),)],
        lambda x: _F().max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
        domain="distinct",
    ),
    Case(
        "max_pool2d_int",
        lambda x: ag.max_pool2d(_ints(x), 2, ceil_mode=True),
        [((2, 2, 5, 5),)],
        lambda x: _F().max_pool2d(_ints(x), 2, ceil_mode=True),
        grad=False,
    ),
    Case(
        "max_pool1d_ceil_mode",
        lambda x: ag.max_pool1d(x, 2, stride=2, ceil_mode=True),
        [((2, 3, 7),)],
        lambda x: _F().max_pool1d(x, 2, stride=2, ceil_mode=True),
        domain="distinct",
    ),
    Case("avg_pool2d", lambda x: ag.avg_pool2d(x, 2), [((2, 3, 4, 6),)], lambda x: _F().avg_pool2d(x, 2)),
    Case(
        "avg_pool2d_pad",
        lambda x: ag.avg_pool2d(x, 3, stride=2, padding=1),
        [((1, 2, 5, 5),)],
        lambda x: _F().avg_pool2d(x, 3, stride=2, padding=1),
    ),
    Case(
        "avg_pool2d_no_pad_count",
        lambda x: ag.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
        [((1, 2, 5, 5),)],
        lambda x: _F().avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
    ),
    Case(
        "avg_pool2d_ceil_mode",
        lambda x: ag.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        [((1, 2, 6, 5),), ((1, 1, 4, 4),)],
        lambda x: _F().avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    ),
    Case(
        "avg_pool2d_ceil_mode_divisor",
        lambda x: ag.avg_pool2d(x, 2, ceil_mode=True, divisor_override=3),
        [((2, 1, 5, 3),)],
        lambda x: _F().avg_pool2d(x, 2, ceil_mode=True, divisor_override=3),
    ),
    Case(
        "avg_pool1d_ceil_mode",
        lambda x: ag.avg_pool1d(x, 3, 2, 1, ceil_mode=True),
        [((2, 3, 6),)],
        lambda x: _F().avg_pool1d(x, 3, 2, 1, ceil_mode=True),
    ),
    Case(
        "adaptive_avg_pool2d",
        lambda x: ag.adaptive_avg_pool2d(x, 1),
        [((2, 3, 4, 5),)],
        lambda x: _F().adaptive_avg_pool2d(x, 1),
    ),
    Case(
        "adaptive_avg_pool2d_2",
        lambda x: ag.adaptive_avg_pool2d(x, 2),
        [((1, 2, 4, 6),)],
        lambda x: _F().adaptive_avg_pool2d(x, 2),
    ),
    Case(
        "max_pool1d",
        lambda x: ag.max_pool1d(x, 3, stride=2, padding=1),
        [((2, 3, 7),)],
        lambda x: _F().max_pool1d(x, 3, stride=2, padding=1),
        domain="distinct",
    ),
    Case("avg_pool1d", lambda x: ag.avg_pool1d(x, 2), [((2, 3, 6),)], lambda x: _F().avg_pool1d(x, 2)),
    # interpolation
    Case(
        "interpolate_nearest",
        lambda x: ag.interpolate(x, size=(5, 3)),
        [((2, 2, 3, 4),)],
        lambda x: _F().interpolate(x, size=(5, 3)),
    ),
    Case(
        "interpolate_nearest_scale",
        lambda x: ag.interpolate(x, scale_factor=1.5, mode="nearest-exact"),
        [((1, 2, 4),), ((1, 1, 2, 3),)],
        lambda x: _F().interpolate(x, scale_factor=1.5, mode="nearest-exact"),
    ),
    Case(
        "interpolate_bilinear",
        lambda x: ag.interpolate(x, size=(5, 7), mode="bilinear"),
        [((2, 2, 3, 4),), ((1, 1, 2, 3),)],
        lambda x: _F().interpolate(x, size=(5, 7), mode="bilinear"),
    ),
    Case(
        "interpolate_bilinear_align_corners",
        lambda x: ag.interpolate(x, scale_factor=(0.7, 2.0), mode="bilinear", align_corners=True),
        [((1, 2, 4, 3),)],
        lambda x: _F().interpolate(x, scale_factor=(0.7, 2.0), mode="bilinear", align_corners=True),
    ),
    Case(
        "interpolate_linear",
        lambda x: ag.interpolate(x, scale_factor=2.5, mode="linear"),
        [((2, 3, 4),)],
        lambda x: _F().interpolate(x, scale_factor=2.5, mode="linear"),
    ),
    Case(
        "interpolate_trilinear",
        lambda x: ag.interpolate(x, size=(3, 2, 4), mode="trilinear", align_corners=True),
        [((1, 1, 2, 3, 2),)],
        lambda x: _F().interpolate(x, size=(3, 2, 4), mode="trilinear", align_corners=True),
    ),
    # distances
    Case("normalize", lambda x: ag.normalize(x), [((3, 4),), ((2, 3, 2),)], lambda x: _F().normalize(x)),
    Case(
        "normalize_p1_dim0", lambda x: ag.normalize(x, p=1, dim=0), [((3, 4),)], lambda x: _F().normalize(x, p=1, dim=0)
    ),
    Case(
        "cosine_similarity",
        lambda x, y: ag.cosine_similarity(x, y),
        [((3, 4), (3, 4)), ((2, 3, 1), (1, 3, 2))],
        lambda x, y: _F().cosine_similarity(x, y),
    ),
    Case(
        "pairwise_distance",
        lambda x, y: ag.pairwise_distance(x, y),
        [((3, 4), (3, 4)), ((2, 3), (3,))],
        lambda x, y: _F().pairwise_distance(x, y),
    ),
    Case(
        "pairwise_distance_p3",
        lambda x, y: ag.pairwise_distance(x, y, p=3.0, keepdim=True),
        [((4, 2), (4, 2))],
        lambda x, y: _F().pairwise_distance(x, y, p=3.0, keepdim=True),
    ),
    # normalization
    Case(
        "batch_norm_train",
        lambda x, w, b: ag.batch_norm(x, None, None, w, b, training=True),
        [((4, 3), (3,), (3,)), ((2, 2, 3, 2), (2,), (2,))],
        lambda x, w, b: _F().batch_norm(x, None, None, w, b, training=True),
    ),
    Case(
        "batch_norm_no_affine",
        lambda x: ag.batch_norm(x, None, None, training=True),
        [((5, 2),)],
        lambda x: _F().batch_norm(x, None, None, training=True),
    ),
    Case(
        "batch_norm_weight_only",
        lambda x, w: ag.batch_norm(x, None, None, w, training=True),
        [((3, 2, 2), (2,))],
        lambda x, w: _F().batch_norm(x, None, None, w, training=True),
    ),
    Case("layer_norm_no_affine", lambda x: ag.layer_norm(x, (4,)), [((3, 4),)], lambda x: _F().layer_norm(x, (4,))),
    Case(
        "layer_norm",
        lambda x, w, b: ag.layer_norm(x, (3,), w, b),
        [((4, 3), (3,), (3,)), ((2, 1, 3), (3,), (3,))],
        lambda x, w, b: _F().layer_norm(x, (3,), w, b),
    ),
    Case(
        "layer_norm_weight_only",
        lambda x, w: ag.layer_norm(x, (2, 3), w),
        [((2, 2, 3), (2, 3))],
        lambda x, w: _F().layer_norm(x, (2, 3), w),
    ),
    # recurrent cells
    Case(
        "lstm_cell",
        lambda z, c: _pair_sum(ag.lstm_cell(z, c)),
        [((2, 8), (2, 2)), ((12,), (3,)), ((2, 1, 8), (2, 1, 2))],
        lambda z, c: _pair_sum(_torch_lstm_cell(z, c)),
    ),
    Case(
        "lstm_layer",
        lambda gi, h, c, w: _lib(gi).tanh(
            ag.lstm_layer(gi, h, c, w) if isinstance(gi, ag.Tensor) else _torch_lstm_layer(gi, h, c, w)
        ),
        [((3, 2, 8), (2, 2), (2, 2), (8, 2)), ((1, 1, 4), (1, 1), (1, 1), (4, 1))],
    ),
    Case(
        "gru_cell",
        lambda gi, gh, h: ag.gru_cell(gi, gh, h),
        [((2, 6), (2, 6), (2, 2)), ((9,), (9,), (3,))],
        lambda gi, gh, h: _torch_gru_cell(gi, gh, h),
    ),
    # losses
    Case(
        "cross_entropy",
        lambda z: ag.cross_entropy(z, _LABELS),
        [((4, 3),)],
        lambda z: _F().cross_entropy(z, _torch_labels()),
    ),
    Case(
        "cross_entropy_smooth_weight",
        lambda z: ag.cross_entropy(z, _LABELS, weight=_W, label_smoothing=0.2),
        [((4, 3),)],
        lambda z: _F().cross_entropy(z, _torch_labels(), weight=_torch_w(), label_smoothing=0.2),
    ),
    Case(
        "cross_entropy_probs",
        lambda z, t: ag.cross_entropy(z, t.softmax(1), reduction="sum"),
        [((4, 3), (4, 3))],
        lambda z, t: _F().cross_entropy(z, t.softmax(1), reduction="sum"),
    ),
    Case(
        "cross_entropy_none_3d",
        lambda z: ag.cross_entropy(z, _LABELS_2D, reduction="none"),
        [((2, 3, 2),)],
        lambda z: _F().cross_entropy(z, __import__("torch").tensor(_LABELS_2D), reduction="none"),
    ),
    Case(
        "nll_loss",
        lambda z: ag.nll_loss(z, _LABELS, weight=_W),
        [((4, 3),)],
        lambda z: _F().nll_loss(z, _torch_labels(), weight=_torch_w()),
    ),
    Case("mse_loss", lambda x, y: ag.mse_loss(x, y), [((3, 4), (3, 4))], lambda x, y: _F().mse_loss(x, y)),
    Case(
        "l1_loss",
        lambda x: ag.l1_loss(x, ag.zeros(3, 4, dtype=np.float64), reduction="sum"),
        [((3, 4),)],
        lambda x: _F().l1_loss(x, __import__("torch").zeros(3, 4, dtype=x.dtype), reduction="sum"),
        domain="nonzero",
    ),
    Case(
        "huber_loss",
        lambda x: ag.huber_loss(x, ag.zeros(3, 4, dtype=np.float64), delta=0.5),
        [((3, 4),)],
        lambda x: _F().huber_loss(x, __import__("torch").zeros(3, 4, dtype=x.dtype), delta=0.5),
        domain="nonzero",
    ),
    Case(
        "kl_div",
        lambda x, y: ag.kl_div(x.log_softmax(1), y.softmax(1), reduction="batchmean"),
        [((3, 4), (3, 4))],
        lambda x, y: _F().kl_div(x.log_softmax(1), y.softmax(1), reduction="batchmean"),
    ),
    Case(
        "kl_div_log_target",
        lambda x, y: ag.kl_div(x, y.log_softmax(1), reduction="sum", log_target=True),
        [((3, 4), (3, 4))],
        lambda x, y: _F().kl_div(x, y.log_softmax(1), reduction="sum", log_target=True),
    ),
    Case(
        "smooth_l1_loss",
        lambda x, y: ag.smooth_l1_loss(x, y, beta=0.5),
        [((3, 4), (3, 4))],
        lambda x, y: _F().smooth_l1_loss(x, y, beta=0.5),
    ),
    Case(
        "soft_margin_loss",
        lambda x: ag.soft_margin_loss(x * 3.0, _SIGNS, reduction="sum"),
        [((3, 4),)],
        lambda x: _F().soft_margin_loss(x * 3.0, __import__("torch").tensor(_SIGNS), reduction="sum"),
    ),
    Case(
        "margin_ranking_loss",
        lambda x, y: ag.margin_ranking_loss(x, y, _SIGNS[0], margin=0.3, reduction="none"),
        [((4,), (4,))],
        lambda x, y: _F().margin_ranking_loss(
            x, y, __import__("torch").tensor(_SIGNS[0]), margin=0.3, reduction="none"
        ),
    ),
    Case(
        "cosine_embedding_loss",
        lambda x, y: ag.cosine_embedding_loss(x, y, _SIGNS[:, 0], margin=-0.5),
        [((3, 4), (3, 4))],
        lambda x, y: _F().cosine_embedding_loss(x, y, __import__("torch").tensor(_SIGNS[:, 0]), margin=-0.5),
    ),
    Case(
        "poisson_nll_loss",
        lambda x, t: ag.poisson_nll_loss(x - 1.0, t * 2.0, full=True),
        [((3, 4), (3, 4))],
        lambda x, t: _F().poisson_nll_loss(x - 1.0, t * 2.0, full=True),
        domain="positive",
    ),
    Case(
        "poisson_nll_loss_rate",
        lambda x, t: ag.poisson_nll_loss(x, t, log_input=False, reduction="sum"),
        [((3, 4), (3, 4))],
        lambda x, t: _F().poisson_nll_loss(x, t, log_input=False, reduction="sum"),
        domain="positive",
    ),
    Case(
        "binary_cross_entropy",
        lambda p, t: ag.binary_cross_entropy(p, t),
        [((3, 4), (3, 4))],
        lambda p, t: _F().binary_cross_entropy(p, t),
        domain="unit",
    ),
    Case(
        "binary_cross_entropy_with_logits",
        lambda z, t: ag.binary_cross_entropy_with_logits(z, t.sigmoid()),
        [((3, 4), (3, 4))],
        lambda z, t: _F().binary_cross_entropy_with_logits(z, t.sigmoid()),
    ),
    Case(
        "binary_cross_entropy_with_logits_pos_weight",
        lambda z, t: ag.binary_cross_entropy_with_logits(z, t.sigmoid(), pos_weight=_W4, reduction="none"),
        [((3, 4), (3, 4))],
        lambda z, t: _F().binary_cross_entropy_with_logits(
            z, t.sigmoid(), pos_weight=__import__("torch").tensor(_W4), reduction="none"
        ),
    ),
    # small enough for the second-order check as well
    Case(
        "conv2d_small_groups_stride",
        lambda x, w, b: ag.conv2d(x, w, b, stride=(2, 1), padding=1, groups=2),
        [((1, 2, 3, 4), (2, 1, 2, 2), (2,))],
        lambda x, w, b: _F().conv2d(x, w, b, stride=(2, 1), padding=1, groups=2),
    ),
    Case(
        "conv2d_small_no_bias",
        lambda x, w: ag.conv2d(x, w, padding=1),
        [((1, 1, 3, 3), (2, 1, 2, 2))],
        lambda x, w: _F().conv2d(x, w, padding=1),
    ),
    Case(
        "max_pool2d_small",
        lambda x: ag.max_pool2d(x, 2, stride=1),
        [((1, 1, 3, 4),)],
        lambda x: _F().max_pool2d(x, 2, stride=1),
        domain="distinct",
    ),
    Case(
        "avg_pool2d_small",
        lambda x: ag.avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False),
        [((1, 1, 3, 4),)],
        lambda x: _F().avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False),
    ),
]


_SPECIAL = np.array([[np.inf, -np.inf, np.nan], [1.0, -2.0, 0.5]])
_LABELS = np.array([0, 2, 1, 2])
_LABELS_2D = np.array([[0, 2], [1, 1]])
_W = np.array([0.2, 1.0, 3.0])
_W4 = np.array([0.5, 1.0, 2.0, 3.0])
_SIGNS = np.array([[1.0, -1.0, -1.0, 1.0], [-1.0, 1.0, -1.0, -1.0], [1.0, 1.0, -1.0, 1.0]])


def _torch_labels():
    return __import__("torch").tensor(_LABELS)


def _torch_w():
    return __import__("torch").tensor(_W)


def _torch_lstm_cell(z, c):
    """PyTorch's LSTM step on the gates' pre-activations (i, f, g, o), as its composite."""
    i, f, g, o = z.chunk(4, -1)
    c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c_new.tanh(), c_new


def _torch_lstm_layer(gi, h, c, w):
    """PyTorch's LSTM layer as its step composite: [h_1 … h_T | c_T]."""
    hs = []
    for t in range(gi.shape[0]):
        h, c = _torch_lstm_cell(gi[t] + h @ w.t(), c)
        hs.append(h)
    return _lib(gi).cat([_lib(gi).stack(hs, 0), c.unsqueeze(0)], 0)


def _torch_gru_cell(gi, gh, h):
    """PyTorch's GRU step on W_ih x + b_ih and W_hh h + b_hh (r, z, n), as its composite."""
    ir, iz, in_ = gi.chunk(3, -1)
    hr, hz, hn = gh.chunk(3, -1)
    r, z = (ir + hr).sigmoid(), (iz + hz).sigmoid()
    n = (in_ + r * hn).tanh()
    return (1 - z) * n + z * h


def _special(x):
    """x + [[inf, −inf, NaN], [1, −2, 0.5]] in x's library and dtype."""
    return x + _lib(x).tensor(_SPECIAL, dtype=x.dtype)


def _setitem(x, v):
    y = x * 1.0
    y[1] = v
    return y * 2.0


def _setitem_key(x, key, v):
    y = x * 1.0
    y[key] = v
    return y * 2.0


def make_inputs(case, shapes, rng, dtype=np.float64):
    """Random float64 arrays for a case, drawn from its domain."""
    arrays = []
    for shape in shapes:
        a = rng.standard_normal(shape)
        if case.domain == "positive":
            a = np.abs(a) + 0.5
        elif case.domain == "nonzero":
            a = np.where(np.abs(a) < 0.1, np.sign(a + 1e-12) * 0.1 + a, a)
        elif case.domain == "unit":
            a = 0.05 + 0.9 * rng.random(shape)
        elif case.domain == "grid":
            a = np.round(a * 8) / 8
        elif case.domain == "distinct":
            a = rng.permutation(np.arange(a.size, dtype=np.float64)).reshape(shape) * 0.37 + 0.1 * rng.random(shape)
        arrays.append(a.astype(dtype))
    if case.domain == "distinct" and len(arrays) == 2:
        arrays[1] = arrays[1] + 0.05  # no elementwise ties between x and y either
    return arrays


def second_order_params():
    """The (case, shapes, id) triples small enough for the second-order check."""
    return [(c, s, i) for c, s, i in params() if c.grad and c.second_order and all(np.prod(sh) <= 24 for sh in s)]


def params():
    """(case, shapes) pairs for pytest.mark.parametrize, with readable ids."""
    out = []
    for case in CASES:
        for shapes in case.shapes:
            out.append((case, shapes, f"{case.name}-{'x'.join(str(s) for s in shapes)}"))
    return out


# PyTorch's everyday composites (issue 15): each is checked like a primitive.
CASES += [
    Case("addcmul", lambda x, a, b: x.addcmul(a, b, value=0.5), [((2, 3), (2, 3), (3,)), ((), (2,), (2,))]),
    Case("addcdiv", lambda x, a, b: x.addcdiv(a, b, value=-2.0), [((2, 3), (2, 3), (2, 3))], domain="nonzero"),
    _unary("erfc", lambda x: x.erfc()),
    Case("erfc_tail", lambda x: (x * 4.0 + 6.0).erfc(), [((3,),)]),
    _unary("logit", lambda x: (x * 0.4 + 0.5).logit(), domain="unit"),
    Case("logit_eps", lambda x: x.logit(eps=0.2), [((2, 3),)], domain="unit"),
    _binary("fmax", lambda x, y: x.fmax(y), domain="distinct"),
    Case("fmax_nan", lambda x, y: _nan_first(x).fmax(y), [((2, 3), (2, 3))], domain="distinct"),
    _binary("fmin", lambda x, y: x.fmin(y), domain="distinct"),
    Case("fmin_nan", lambda x, y: x.fmin(_nan_first(y)), [((2, 3), (2, 3))], domain="distinct"),
    Case("t", lambda x: x.t(), [((2, 3),), ((3,),), ((),)]),
    Case("fliplr", lambda x: x.fliplr(), [((2, 3),), ((2, 3, 2),)]),
    Case("flipud", lambda x: x.flipud(), [((2, 3),), ((4,),)]),
    Case("rot90", lambda x: x.rot90(), [((2, 3),)]),
    Case(
        "rot90_k", lambda x: x.rot90(3, (2, 0)) + x.rot90(2, [0, 1]).rot90(-2, [0, 1]).rot90(5, (2, 0)), [((2, 3, 4),)]
    ),
    Case(
        "broadcast_tensors",
        lambda x, y: _pair_sum(_lib(x).broadcast_tensors(x, y)),
        [((3, 1), (1, 4)), ((2,), ())],
    ),
    Case(
        "meshgrid",
        lambda x, y: _pair_sum(_lib(x).meshgrid(x, y, indexing="ij")),
        [((3,), (4,)), ((2,), ())],
    ),
    Case("meshgrid_xy", lambda x, y: _pair_sum(_lib(x).meshgrid(x, y, indexing="xy")), [((3,), (4,))]),
    Case("tensor_split", lambda x: _lib(x).cat(x.tensor_split(3, dim=1)[::-1], 1), [((2, 7),), ((2, 2),)]),
    Case("tensor_split_indices", lambda x: _lib(x).cat(x.tensor_split([1, 4, -1])[::-1], 0), [((6, 2),)]),
    Case("diff", lambda x: x.diff(), [((2, 5),), ((3,),)]),
    Case("diff_n_dim", lambda x, p: x.diff(n=2, dim=0, prepend=p), [((4, 3), (1, 3))]),
    Case("hstack", lambda x, y: _lib(x).hstack([x, y]), [((2, 3), (2, 1)), ((3,), (2,))]),
    Case("vstack", lambda x, y: _lib(x).vstack([x, y]), [((2, 3), (1, 3)), ((3,), (3,))]),
    Case("dstack", lambda x, y: _lib(x).dstack([x, y]), [((2, 3), (2, 3)), ((3,), (3,))]),
    Case("column_stack", lambda x, y: _lib(x).column_stack([x, y]), [((3,), (3, 2))]),
    Case("select", lambda x: x.select(1, -1), [((2, 3, 4),)]),
    Case("take", lambda x: _lib(x).take(x, _lib(x).tensor([[0, 5], [5, 2]])), [((2, 3),)]),
    Case("index_add", lambda x, s: x.index_add(1, _lib(x).tensor([2, 0, 2]), s, alpha=1.5), [((2, 3), (2, 3))]),
    Case("index_copy", lambda x, s: x.index_copy(0, _lib(x).tensor([2, 0]), s), [((3, 2), (2, 2))]),
    Case("index_fill", lambda x: x.index_fill(1, _lib(x).tensor([0, 2]), -1.0), [((2, 3),)]),
    Case("argwhere", lambda x: _lib(x).argwhere(x > 0), [((2, 3),)], grad=False),
    Case(
        "addmm", lambda x, a, b: x.addmm(a, b, beta=0.5, alpha=2.0), [((2, 4), (2, 3), (3, 4)), ((4,), (2, 3), (3, 4))]
    ),
    Case("addmm_beta0", lambda x, a, b: _lib(x).addmm(x, a, b, beta=0), [((2, 4), (2, 3), (3, 4))]),
    Case("baddbmm", lambda x, a, b: x.baddbmm(a, b, alpha=-1.0), [((2, 2, 4), (2, 2, 3), (2, 3, 4))]),
    Case("addmv", lambda x, a, v: x.addmv(a, v, beta=2.0), [((2,), (2, 3), (3,))]),
    Case("mv", lambda a, v: a.mv(v), [((2, 3), (3,))]),
    Case("inner", lambda x, y: x.inner(y), [((3,), (3,)), ((2, 3), (4, 3)), ((), (2,))]),
    Case("cross", lambda x, y: _lib(x).cross(x, y, dim=1), [((4, 3), (4, 3)), ((2, 3, 2), (1, 3, 1))]),
    Case("kron", lambda x, y: x.kron(y), [((2, 3), (3, 2)), ((2,), (2, 1, 3))]),
    Case("isclose", lambda x, y: x.isclose(x + y * 1e-6), [((2, 3), (2, 3))], grad=False),
    Case("allclose", lambda x, y: _lib(x).tensor(x.allclose(x + y * 1e-9)), [((2, 3), (2, 3))], grad=False),
    Case("equal", lambda x, y: _lib(x).tensor([x.equal(x), x.equal(y)]), [((2, 3), (2, 3))], grad=False),
    Case("signbit", lambda x: x.signbit(), [((2, 3),)], grad=False),
    Case("heaviside", lambda x, y: x.round().heaviside(y), [((2, 3), (3,))], grad=False),
    Case("nansum", lambda x: _nan_first(x).nansum(dim=1), [((2, 3),), ((3, 1),)]),
    Case("nanmean", lambda x: _nan_first(x).nanmean(), [((2, 3),)]),
    Case("dist", lambda x, y: x.dist(y), [((2, 3), (3,))], domain="nonzero"),
    Case("dist_p", lambda x, y: _lib(x).dist(x, y, p=3), [((2, 3), (2, 3))], domain="nonzero"),
    Case("kthvalue", lambda x: x.kthvalue(2, dim=1).values, [((3, 4),)], domain="distinct"),
    Case("kthvalue_keep", lambda x: x.kthvalue(1, 0, keepdim=True).values, [((3, 2),)], domain="distinct"),
    Case("msort", lambda x: x.msort(), [((3, 2),)], domain="distinct"),
    Case("quantile", lambda x: x.quantile(0.3, dim=1), [((2, 5),)], domain="distinct"),
    Case(
        "quantile_many",
        lambda x: x.quantile(_lib(x).tensor([0.0, 0.25, 1.0], dtype=x.dtype), dim=0, keepdim=True),
        [((5, 2),)],
        domain="distinct",
    ),
    Case("quantile_all", lambda x: x.quantile(0.6, interpolation="midpoint"), [((2, 3),)], domain="distinct"),
    Case("aminmax", lambda x: _pair_sum(_lib(x).aminmax(x, dim=1)), [((3, 4),)], domain="distinct"),
    Case("unique", lambda x: _lib(x).unique(x.round(), return_counts=True)[1], [((3, 4),)], grad=False),
]


def _nan_first(x):
    """x with its first entry NaN (differentiably: the other entries keep their gradient)."""
    mask = np.zeros(x.shape, dtype=bool)
    mask.flat[0] = True
    return x.masked_fill(_lib(x).tensor(mask), float("nan"))


def _pair_sum(ts):
    """Two outputs joined into one checked value: the first plus twice the second."""
    return ts[0] + 2.0 * ts[1]


def _well_conditioned(x):
    """x + 3·I: random matrices made comfortably invertible (the checks need a safe distance from singular)."""
    return x + 3.0 * _lib(x).eye(x.shape[-1], dtype=x.dtype)


CASES += [
    Case("inverse", lambda x: _well_conditioned(x).inverse(), [((3, 3),), ((2, 3, 3),), ((1, 1),)]),
    Case("inverse_linalg", lambda x: _lib(x).linalg.inv(_well_conditioned(x)), [((2, 2),)], exports=("inverse",)),
    Case("det", lambda x: _well_conditioned(x).det(), [((3, 3),), ((2, 3, 3),)]),
    Case("slogdet", lambda x: _lib(x).linalg.slogdet(_well_conditioned(x))[1], [((3, 3),), ((2, 2, 2),)]),
    Case("slogdet_negative", lambda x: _lib(x).linalg.slogdet(-_well_conditioned(x)).logabsdet, [((3, 3),)]),
    Case(
        "solve",
        lambda a, b: _lib(a).linalg.solve(_well_conditioned(a), b),
        [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 2))],
    ),
]
