"""autograd.Function: custom ops with PyTorch's interface (forward/backward on a ctx, apply)."""

import math

import numpy as np
import pytest

import autograd as ag
import nn


def t64(a, requires_grad=True):
    return ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


class LegendrePolynomial3(ag.Function):
    """P3(x) = ½(5x³ − 3x), ∂L/∂x = g ⊙ 1.5(5x² − 1)."""

    @staticmethod
    def forward(ctx, input):
        """P3 of each entry."""
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        """g · P3'(x)."""
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


class SinCos(ag.Function):
    """(s·sin x, s·cos x), saving both outputs."""

    calls = 0

    @staticmethod
    def forward(ctx, x, scale):
        """Two outputs from one input and a number."""
        ctx.scale = scale
        s, c = x.sin() * scale, x.cos() * scale
        ctx.save_for_backward(s, c)
        return s, c

    @staticmethod
    def backward(ctx, grad_s, grad_c):
        """d(s sin x) = c dx, d(s cos x) = −s dx."""
        SinCos.calls += 1
        s, c = ctx.saved_tensors
        return grad_s * c - grad_c * s, None


class Exp(ag.Function):
    """eˣ, whose backward reads the saved output."""

    @staticmethod
    def forward(ctx, x):
        """eˣ."""
        out = x.exp()
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        """g ⊙ eˣ."""
        (out,) = ctx.saved_tensors
        return g * out


def torch_p3(torch):
    """The same Function written for PyTorch (the tutorial's own code), to compare with."""

    class TorchP3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    return TorchP3


def test_legendre_forward_backward_and_name_match_torch():
    torch = pytest.importorskip("torch")

    TorchP3 = torch_p3(torch)

    a = np.linspace(-1.5, 1.5, 7)
    x = t64(a)
    tx = torch.tensor(a, requires_grad=True)
    y, ty = LegendrePolynomial3.apply(x), TorchP3.apply(tx)
    np.testing.assert_allclose(y.array, ty.detach().numpy())
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy())
    assert y.grad_fn.name() == "LegendrePolynomial3Backward"
    assert repr(y).endswith("grad_fn=<LegendrePolynomial3Backward>)")


def _tutorial_fit(lib, P3, steps):
    """PyTorch's tutorial: y = a + b·P3(c + d·x) fitted to sin(x) by gradient descent (float64)."""
    x = lib.linspace(-math.pi, math.pi, 2000, dtype=lib.float64)
    y = x.sin()
    params = [lib.full((), v, dtype=lib.float64, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3)]
    losses = []
    for _ in range(steps):
        a, b, c, d = params
        loss = (a + b * P3(c + d * x) - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= 5e-6 * p.grad
                p.grad = None
    return losses, [p.item() for p in params]


def test_legendre_tutorial_fit_matches_torch():
    torch = pytest.importorskip("torch")

    TorchP3 = torch_p3(torch)

    losses, params = _tutorial_fit(ag, LegendrePolynomial3.apply, 20)
    t_losses, t_params = _tutorial_fit(torch, TorchP3.apply, 20)
    np.testing.assert_allclose(losses, t_losses, rtol=1e-10)
    np.testing.assert_allclose(params, t_params, rtol=1e-10, atol=1e-12)  # a, c stay ~0 by symmetry
    assert losses[-1] < losses[0]


def test_gradcheck_and_gradgradcheck_of_functions():
    x = t64(np.linspace(-1.2, 1.3, 5))
    assert ag.gradcheck(LegendrePolynomial3.apply, (x,))
    assert ag.gradgradcheck(LegendrePolynomial3.apply, (x,))
    assert ag.gradcheck(lambda v: SinCos.apply(v, 2.0), (x,))
    assert ag.gradgradcheck(lambda v: SinCos.apply(v, 2.0), (x,))
    assert ag.gradgradcheck(Exp.apply, (x,))


def test_create_graph_through_a_function():
    x = t64([0.3, -0.7, 1.1])
    (g,) = ag.grad(LegendrePolynomial3.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.array, 1.5 * (5 * x.array**2 - 1))
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(gg.data, 15 * x.array)
    # a saved output is in the graph too: (eˣ)'' = eˣ
    (g,) = ag.grad(Exp.apply(x).sum(), x, create_graph=True)
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(gg.data, np.exp(x.array))


def test_several_outputs():
    a = np.array([0.2, -0.5, 1.0])
    x = t64(a)
    s, c = SinCos.apply(x, 2.0)
    np.testing.assert_allclose(s.array, 2 * np.sin(a))
    np.testing.assert_allclose(c.array, 2 * np.cos(a))
    assert s.grad_fn.name() == c.grad_fn.name() == "SinCosBackward"
    SinCos.calls = 0
    (3 * s + c).sum().backward()
    np.testing.assert_allclose(x.grad.array, 6 * np.cos(a) - 2 * np.sin(a))
    assert SinCos.calls == 2  # one call per output that receives a gradient (see the NOTE)
    # one output used, the other dropped: the gradient, and the second derivative, still hold
    x = t64(a)
    s, _ = SinCos.apply(x, 1.0)
    del _
    SinCos.calls = 0
    (g,) = ag.grad(s.sum(), x, create_graph=True)
    assert SinCos.calls == 1
    np.testing.assert_allclose(g.array, np.cos(a))
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(gg.data, -np.sin(a))


def test_one_gradient_object_sent_to_two_outputs():
    x = t64([0.4, 0.9])
    s, c = SinCos.apply(x, 1.0)
    (s + c).sum().backward()  # add passes the same g to both nodes
    np.testing.assert_allclose(x.grad.array, np.cos(x.array) - np.sin(x.array))


def test_retain_graph_backward_twice_accumulates():
    x = t64([0.5, -0.25])
    y = LegendrePolynomial3.apply(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.array, 2 * 1.5 * (5 * x.array**2 - 1))
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


class Scale(ag.Function):
    """x·w·k with a number k and a label; records what forward was told."""

    seen = None

    @staticmethod
    def forward(ctx, x, w, k, label):
        """x·w·k."""
        Scale.seen = ctx.needs_input_grad
        ctx.k = k
        ctx.save_for_backward(x, w)
        return x * w * k

    @staticmethod
    def backward(ctx, g):
        """Only the gradients asked for."""
        x, w = ctx.saved_tensors
        gx = g * w * ctx.k if ctx.needs_input_grad[0] else None
        gw = g * x * ctx.k if ctx.needs_input_grad[1] else None
        return gx, gw, None, None


def test_non_tensor_arguments_and_needs_input_grad():
    x, w = t64([1.0, 2.0]), t64([3.0, -1.0], requires_grad=False)
    y = Scale.apply(x, w, 2.0, "name")
    assert Scale.seen == (True, False, False, False)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, 2.0 * w.array)
    assert w.grad is None
    w.requires_grad_(True)
    Scale.apply(x, w, 0.5, None).sum().backward()
    assert Scale.seen == (True, True, False, False)
    np.testing.assert_allclose(w.grad.array, 0.5 * x.array)
    with ag.no_grad():
        out = Scale.apply(x, w, 2.0, "name")
    assert out.grad_fn is None and not out.requires_grad
    assert Scale.seen == (True, True, False, False)  # as in PyTorch: requires_grad, whatever the mode


class MaxAndWhere(ag.Function):
    """The max, and a float mask of where it is (not differentiable)."""

    received = None

    @staticmethod
    def forward(ctx, x):
        """(max, mask)."""
        m = x.max()
        mask = (x == m).float()
        ctx.mark_non_differentiable(mask)
        ctx.save_for_backward(mask)
        return m, mask

    @staticmethod
    def backward(ctx, g, g_mask):
        """The gradient goes to the max."""
        MaxAndWhere.received = g_mask
        (mask,) = ctx.saved_tensors
        return g * mask


def test_mark_non_differentiable():
    x = t64([1.0, 3.0, 2.0])
    m, mask = MaxAndWhere.apply(x)
    assert m.requires_grad and m.grad_fn is not None
    assert not mask.requires_grad and mask.grad_fn is None
    m.backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(MaxAndWhere.received.array, [0.0, 0.0, 0.0])  # zeros, as in PyTorch


class SortWithIndices(ag.Function):
    """Sorted values and their (integer) indices; a ctx attribute of the user's own, ``saved``."""

    @staticmethod
    def forward(ctx, x):
        """(values, indices)."""
        order = np.argsort(x.array, kind="stable")
        ctx.saved = order  # the user's attribute, not glassgrad's
        return ag.tensor(x.array[order]), ag.tensor(order)

    @staticmethod
    def backward(ctx, g, g_indices):
        """Scatter g back to where each value came from."""
        assert g_indices is not None and not g_indices.array.any()
        out = np.zeros_like(g.array)
        out[ctx.saved] = g.array
        return ag.tensor(out)


def test_integer_outputs_are_not_differentiable_and_ctx_attributes_are_the_users():
    x = t64([3.0, 1.0, 2.0])
    values, indices = SortWithIndices.apply(x)
    assert indices.grad_fn is None and not indices.requires_grad and values.grad_fn is not None
    (values * ag.tensor([1.0, 10.0, 100.0], dtype=np.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [100.0, 1.0, 10.0])


def test_mark_dirty_is_refused_with_a_message():
    class AddOne(ag.Function):
        """x += 1 in place."""

        @staticmethod
        def forward(ctx, x):
            """In place."""
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            """g."""
            return g

    with pytest.raises(NotImplementedError, match="in-place forwards"):
        AddOne.apply(t64([1.0]))


def test_setup_context_style():
    class Cube(ag.Function):
        """x³, PyTorch 2's style: forward without ctx, then setup_context."""

        @staticmethod
        def forward(x):
            """x³."""
            return x**3

        @staticmethod
        def setup_context(ctx, inputs, output):
            """Save x."""
            (x,) = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, g):
            """3x² g."""
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

    x = t64([0.5, -2.0])
    Cube.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.array, 3 * x.array**2)
    assert ag.gradgradcheck(Cube.apply, (x,))


def test_saved_tensor_modified_in_place_raises():
    x = t64([0.5, 1.5])
    y = LegendrePolynomial3.apply(x)
    with ag.no_grad():
        x.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation.*expected version 0"):
        y.sum().backward()


def test_wrong_gradients_are_refused():
    class TooFew(ag.Function):
        """Forgets the second gradient."""

        @staticmethod
        def forward(ctx, x, y):
            """x + y."""
            return x + y

        @staticmethod
        def backward(ctx, g):
            """Only one."""
            return g

    class BadShape(ag.Function):
        """Returns a gradient of the wrong shape."""

        @staticmethod
        def forward(ctx, x):
            """x."""
            return x * 1.0

        @staticmethod
        def backward(ctx, g):
            """Wrong."""
            return g[:1]

    x = t64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        TooFew.apply(x, x).sum().backward()
    with pytest.raises(RuntimeError, match="invalid gradient at index 0"):
        BadShape.apply(x).sum().backward()


def test_none_gradient_is_zero_and_returned_input_is_not_changed():
    class Identity(ag.Function):
        """Returns its input as it is."""

        @staticmethod
        def forward(ctx, x, y):
            """x (y unused)."""
            return x

        @staticmethod
        def backward(ctx, g):
            """g for x, None for y."""
            return g, None

    x, y = t64([1.0, 2.0]), t64([3.0, 4.0])
    out = Identity.apply(x, y)
    assert x.grad_fn is None and out.grad_fn is not None and out is not x
    (out * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0])
    np.testing.assert_array_equal(y.grad.array, [0.0, 0.0])


def test_backward_returning_a_saved_array_leaves_it_unchanged():
    class Linear(ag.Function):
        """x·w summed; backward hands out the saved w itself."""

        @staticmethod
        def forward(ctx, x, w):
            """Σ x·w."""
            ctx.w = w
            return (x * w).sum()

        @staticmethod
        def backward(ctx, g):
            """w (for a unit g)."""
            return ctx.w, None

    x, w = t64([1.0, 2.0]), t64([3.0, 4.0], requires_grad=False)
    (Linear.apply(x, w) + Linear.apply(x, w)).backward()
    np.testing.assert_array_equal(x.grad.array, [6.0, 8.0])
    np.testing.assert_array_equal(w.array, [3.0, 4.0])


class P3Layer(nn.Module):
    """y = a + b·P3(c + d·x), the tutorial's model as a Module."""

    def __init__(self):
        super().__init__()
        self.abcd = nn.Parameter(ag.tensor([0.0, -1.0, 0.0, 0.3], dtype=np.float64))

    def forward(self, x):
        """The model on x."""
        a, b, c, d = self.abcd[0], self.abcd[1], self.abcd[2], self.abcd[3]
        return a + b * LegendrePolynomial3.apply(c + d * x)


def test_function_inside_a_module_trains():
    model = P3Layer()
    x = ag.linspace(-math.pi, math.pi, 200, dtype=np.float64)
    y = x.sin()
    losses = []
    for _ in range(5):
        model.zero_grad()
        loss = (model(x) - y).pow(2).sum()
        loss.backward()
        losses.append(loss.item())
        with ag.no_grad():
            model.abcd -= 5e-5 * model.abcd.grad
    assert losses[-1] < losses[0]
    assert ag.gradcheck(lambda p: _with_params(model, p, x), (t64(model.abcd.array.copy()),))


def _with_params(model, p, x):
    a, b, c, d = p[0], p[1], p[2], p[3]
    return a + b * LegendrePolynomial3.apply(c + d * x[:5])


def _pairs(torch, arrays):
    return tuple(ag.tensor(a) for a in arrays), tuple(torch.tensor(a) for a in arrays)


def test_jvp_matches_torch():
    torch = pytest.importorskip("torch")
    from torch.autograd import functional as TF

    rng = np.random.default_rng(0)
    xs, txs = _pairs(torch, [rng.standard_normal(3), rng.standard_normal((2, 3))])
    vs, tvs = _pairs(torch, [rng.standard_normal(3), rng.standard_normal((2, 3))])

    def f(x, y):
        return (x * y).exp(), (y * y).sum(1)

    (outs, jv), (touts, tjv) = ag.functional.jvp(f, xs, vs), TF.jvp(f, txs, tvs)
    assert isinstance(outs, tuple) and isinstance(jv, tuple) and len(jv) == 2
    for a, b in zip(outs + jv, touts + tjv):
        np.testing.assert_allclose(a.array, b.numpy(), rtol=1e-10)
        assert not a.requires_grad
    out, j = ag.functional.jvp(lambda x: x.tanh(), xs[0], vs[0])
    tout, tj = TF.jvp(lambda x: x.tanh(), txs[0], tvs[0])
    np.testing.assert_allclose(j.array, tj.numpy(), rtol=1e-10)
    out, j = ag.functional.jvp(lambda x: x * 3.0, ag.tensor([2.0]))  # v=None for a one-element input
    np.testing.assert_allclose(j.array, [3.0])
    out, j = ag.functional.jvp(LegendrePolynomial3.apply, xs[0], vs[0])
    np.testing.assert_allclose(j.array, 1.5 * (5 * xs[0].array ** 2 - 1) * vs[0].array)
    with pytest.raises(RuntimeError, match="single element"):
        ag.functional.jvp(lambda x: x, xs[0])


def test_vhp_matches_torch():
    torch = pytest.importorskip("torch")
    from torch.autograd import functional as TF

    rng = np.random.default_rng(1)
    xs, txs = _pairs(torch, [rng.standard_normal(3), rng.standard_normal((2, 3))])
    vs, tvs = _pairs(torch, [rng.standard_normal(3), rng.standard_normal((2, 3))])

    def f(x, y):
        return (x.sin() * y * y).sum()

    (out, vh), (tout, tvh) = ag.functional.vhp(f, xs, vs), TF.vhp(f, txs, tvs)
    np.testing.assert_allclose(out.array, tout.numpy())
    for a, b in zip(vh, tvh):
        np.testing.assert_allclose(a.array, b.numpy(), rtol=1e-10)
    out, vh = ag.functional.vhp(lambda x: (x**3).sum(), xs[0], vs[0])
    tout, tvh = TF.vhp(lambda x: (x**3).sum(), txs[0], tvs[0])
    np.testing.assert_allclose(vh.array, tvh.numpy(), rtol=1e-10)
    out, vh = ag.functional.vhp(lambda x: (x**3).sum(), xs[0], vs[0], create_graph=True)
    assert vh.requires_grad  # differentiable, as PyTorch's with create_graph=True
    with pytest.raises(RuntimeError, match="single element"):
        ag.functional.vhp(lambda x: x, xs[0], vs[0])


def test_anomaly_mode_names_the_function_and_hooks_see_its_gradient():
    class BadGrad(ag.Function):
        """A backward that returns NaN."""

        @staticmethod
        def forward(ctx, x):
            """x·1."""
            return x * 1.0

        @staticmethod
        def backward(ctx, g):
            """NaN."""
            return g * float("nan")

    x = t64([1.0, 2.0])
    with ag.detect_anomaly():
        y = BadGrad.apply(x)
        with pytest.raises(ag.AnomalyError, match="BadGradBackward"):
            y.sum().backward()
    seen = []
    y = LegendrePolynomial3.apply(x)
    y.register_hook(lambda g: seen.append(g.array.copy()))
    (2 * y).sum().backward()
    np.testing.assert_array_equal(seen[0], [2.0, 2.0])
