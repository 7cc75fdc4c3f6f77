"""Losses as modules (PyTorch's names and arguments) and the L1/L2 penalty helpers.

Every loss takes ``reduction``: "mean" (default), "sum", or "none" (one value per sample).
"""

from __future__ import annotations

from autograd import Tensor

from . import functional as F
from .module import Module

__all__ = [
    "CrossEntropyLoss",
    "NLLLoss",
    "MSELoss",
    "L1Loss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "HuberLoss",
    "HingeEmbeddingLoss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "TripletMarginLoss",
    "GaussianNLLLoss",
    "SmoothL1Loss",
    "KLDivLoss",
    "SoftMarginLoss",
    "MarginRankingLoss",
    "CosineEmbeddingLoss",
    "PoissonNLLLoss",
    "l1_penalty",
    "l2_penalty",
]


class _Loss(Module):
    """The base of the loss modules: keeps a checked ``reduction``."""

    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"{type(self).__name__}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self):
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


def _buffer(value):
    """Class weights are buffers (saved in state_dict, as in PyTorch)."""
    if value is None or isinstance(value, Tensor):
        return value
    return Tensor(value)


class CrossEntropyLoss(_Loss):
    """L = −(1/N) Σₙ Σ_c t_nc log softmax(z_n)_c, from logits z: LogSoftmax and NLLLoss fused.

    Targets are class indices (N,) or probabilities (N, C). ∂L/∂z = (softmax(z) − t)/N, computed
    in one step and finite even for logits of ±1e4. ``label_smoothing`` ε uses t = (1 − ε)·t + ε/C;
    ``ignore_index`` targets add nothing (and the mean skips them); ``weight`` rescales classes.
    """

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing)


class NLLLoss(_Loss):
    """L = −(1/N) Σₙ w_yₙ · a[n, yₙ] for log-probabilities a (after LogSoftmax)."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class MSELoss(_Loss):
    """L = (1/N) Σ (a − y)²; δ = 2(a − y)/N."""

    def forward(self, input, target):
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """L = (1/N) Σ |a − y|."""

    def forward(self, input, target):
        return F.l1_loss(input, target, self.reduction)


class BCELoss(_Loss):
    """L = −(1/N) Σ [y log a + (1 − y) log(1 − a)] for probabilities a (after Sigmoid); logs clamped at −100."""

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """BCELoss(σ(z), y) computed from logits z without forming σ(z): stable for large |z|; δ = (σ(z) − y)/N."""

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.register_buffer("pos_weight", _buffer(pos_weight))

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction, self.pos_weight)


class HuberLoss(_Loss):
    """ℓ = ½d² if |d| < δ else δ(|d| − ½δ), d = a − y."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, self.reduction, self.delta)


class HingeEmbeddingLoss(_Loss):
    """ℓ = x where y = 1, max(0, margin − x) where y = −1: x a distance, y says similar (1) or not (−1)."""

    def __init__(self, margin=1.0, reduction="mean"):
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, self.margin, self.reduction)


class MultiLabelSoftMarginLoss(_Loss):
    """ℓₙ = −(1/C) Σ_c w_c [y_c log σ(x_c) + (1 − y_c) log σ(−x_c)]: one-vs-all logistic loss over 0/1 targets."""

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, self.weight, self.reduction)


class MultiMarginLoss(_Loss):
    """ℓₙ = (1/C) Σ_{i ≠ yₙ} w_yₙ · max(0, margin − x[yₙ] + x[i])^p (the multi-class hinge, p = 1 or 2)."""

    def __init__(self, p=1, margin=1.0, weight=None, reduction="mean"):
        super().__init__(reduction)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: only p = 1 and p = 2 are supported, got {p}")
        self.p = p
        self.margin = margin
        self.register_buffer("weight", _buffer(weight))

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, self.p, self.margin, self.weight, self.reduction)


class TripletMarginLoss(_Loss):
    """ℓ = max(d(a, p) − d(a, n) + margin, 0) with d(x, y) = ‖x − y + ε‖_p (Schroff et al. 2015's triplet loss)."""

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction="mean"):
        super().__init__(reduction)
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(
            anchor, positive, negative, self.margin, self.p, self.eps, self.swap, self.reduction
        )


class GaussianNLLLoss(_Loss):
    """ℓ = ½(log σ² + (x − y)²/σ²) (+ ½ log 2π if ``full``), σ² = max(var, ε): x a predicted mean, var its variance."""

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(reduction)
        self.full = full
        self.eps = eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)


def _legacy_reduction(size_average, reduce, reduction):
    """PyTorch's deprecated ``size_average``/``reduce`` flags, when given, decide the reduction (as in PyTorch)."""
    if size_average is None and reduce is None:
        return reduction
    return "none" if reduce is False else ("sum" if size_average is False else "mean")


class _LegacyLoss(_Loss):
    """A loss that also takes PyTorch's deprecated ``size_average``/``reduce`` flags."""

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__(_legacy_reduction(size_average, reduce, reduction))


class SmoothL1Loss(_LegacyLoss):
    """ℓ = ½d²/β if |d| < β else |d| − ½β, d = a − y."""

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class KLDivLoss(Module):
    """ℓ = y·(log y − a) for log-probabilities a; reduction="batchmean" gives the KL divergence per sample.

    NOTE: the default reduction="mean" averages over every element, as in PyTorch (not the KL divergence).
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__()
        reduction = _legacy_reduction(size_average, reduce, reduction)
        if reduction not in ("mean", "batchmean", "sum", "none"):
            raise ValueError(f"KLDivLoss: reduction must be 'mean', 'batchmean', 'sum' or 'none', got {reduction!r}")
        self.reduction = reduction
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class SoftMarginLoss(_LegacyLoss):
    """ℓ = log(1 + e^(−y·a)) for labels y = ±1."""

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MarginRankingLoss(_LegacyLoss):
    """ℓ = max(0, −y·(a₁ − a₂) + margin)."""

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class CosineEmbeddingLoss(_LegacyLoss):
    """ℓ = 1 − cos(a₁, a₂) where y = 1, max(0, cos(a₁, a₂) − margin) where y = −1."""

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class PoissonNLLLoss(_LegacyLoss):
    """ℓ = e^a − y·a for log-rates a (log_input=True), else a − y·log(a + eps); ``full`` adds Stirling's term."""

    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(
            log_input, target, log_input=self.log_input, full=self.full, eps=self.eps, reduction=self.reduction
        )


# --- regularization ---------------------------------------------------------------------------------
def _penalty_terms(params, exclude_bias, name):
    if isinstance(params, Module):
        params = params.named_parameters()
    items = list(params)
    if exclude_bias:
        if not all(isinstance(item, tuple) and len(item) == 2 for item in items):
            raise TypeError(
                f"{name}(exclude_bias=True) recognises biases by name: pass the model or "
                f"model.named_parameters(), not bare tensors"
            )
        return [p for n, p in items if n.rsplit(".", 1)[-1] != "bias"]
    return [item[1] if isinstance(item, tuple) else item for item in items]


def _check_tensors(tensors, name):
    for p in tensors:
        if not isinstance(p, Tensor):
            raise TypeError(f"{name}: expected Tensors (parameters), got {type(p).__name__}")
    if not tensors:
        raise ValueError(f"{name}: no parameters given (an empty iterator? parameters() can be used only once)")


def l1_penalty(params, exclude_bias=False):
    """‖θ‖₁ = Σ|θ| over ``params`` (a Module, named_parameters(), or tensors); add λ·this to the loss.

    Its gradient is sign(θ) (course eq. 11); it drives weights to exactly 0 (sparsity).
    Elastic net is λ₁·l1_penalty + λ₂·l2_penalty.
    """
    tensors = _penalty_terms(params, exclude_bias, "l1_penalty")
    _check_tensors(tensors, "l1_penalty")
    total = None
    for p in tensors:
        term = p.abs().sum()
        total = term if total is None else total + term
    return total


def l2_penalty(params, exclude_bias=False):
    """‖θ‖₂² = Σθ² over ``params``; add λ·this to the loss (gradient 2λθ, course eq. 10: weight decay).

    NOTE: no factor ½; use λ/2 for the ½λ‖W‖² form.
    """
    tensors = _penalty_terms(params, exclude_bias, "l2_penalty")
    _check_tensors(tensors, "l2_penalty")
    total = None
    for p in tensors:
        term = (p * p).sum()
        total = term if total is None else total + term
    return total
