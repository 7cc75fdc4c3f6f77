"""The gradient-flow callback: one norm per layer and activation mean/std per step or epoch, and its plot."""

import numpy as np
import pytest

import autograd as ag
import nn
import optim
from glassgrad.train import fit
from glassgrad.train.gradflow import GradientFlow


def run(flow, epochs=2, lr=0.1):
    """Train a small Linear-Tanh-Linear classifier for ``epochs`` epochs of 3 batches with ``flow``."""
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    rng = np.random.default_rng(0)
    batches = [
        (ag.tensor(rng.normal(size=(8, 3)).astype(np.float32)), ag.tensor(rng.integers(0, 2, 8))) for _ in range(3)
    ]
    opt = optim.SGD(model.parameters(), lr=lr)
    fit(model, nn.CrossEntropyLoss(), opt, batches, batches[:1], epochs=epochs, callbacks=[flow], progress=False)
    return model, batches


def test_gradient_flow_records_each_layer_and_plots(tmp_path):
    flow = GradientFlow()
    run(flow)
    layers, m = flow.matrix()
    assert layers == ["0", "2"] and m.shape == (2, 6) and np.all(m > 0)
    fig = flow.plot(tmp_path / "flow.png")
    assert (tmp_path / "flow.png").stat().st_size > 1000
    heat, lines, acts = fig.axes[:3]
    assert all(ax.get_title() and ax.get_xlabel() == "step" and ax.get_ylabel() for ax in (heat, lines, acts))
    assert list(heat.images[0].get_extent()[:2]) == [0.5, 6.5]  # columns centred on the recorded steps 1..6
    assert any(ax.get_ylabel() == "log10 ‖∂L/∂W‖" for ax in fig.axes[3:])  # the heat map's colour bar
    assert lines.get_legend().get_title().get_text() == "layer"


def test_activation_mean_and_std_of_every_layer_from_forward_hooks():
    flow = GradientFlow()
    model, batches = run(flow, epochs=1, lr=0.0)  # lr 0: the weights stay those of every forward
    names, mean, std = flow.activation_stats()
    assert names == ["0", "1", "2"] and mean.shape == std.shape == (3, 3)
    assert np.all(np.abs(mean[1]) < 1) and np.all(std > 0)  # tanh outputs lie in (−1, 1)
    # the last column is the last training batch's forward (validation runs in eval mode, unrecorded)
    with ag.no_grad():
        a1 = model[1](model[0](batches[-1][0])).array
    np.testing.assert_allclose([mean[1, -1], std[1, -1]], [a1.mean(), a1.std()], rtol=1e-5)
    assert all(not m._forward_hooks for m in model.modules())  # hooks taken off after training


def test_per_epoch_is_the_mean_over_the_epochs_steps():
    by_step, by_epoch = GradientFlow(), GradientFlow(per="epoch")
    run(by_step)
    run(by_epoch)
    assert by_epoch.steps == [1, 2]
    _, m_step = by_step.matrix()
    _, m_epoch = by_epoch.matrix()
    np.testing.assert_allclose(m_epoch, m_step.reshape(2, 2, 3).mean(axis=2))
    with pytest.raises(ValueError, match="per must be one of"):
        GradientFlow(per="batch")


def test_every_and_no_activations():
    flow = GradientFlow(every=2, activations=False)
    run(flow)
    assert flow.steps == [1, 3, 5] and flow.activation_stats()[0] == []


def test_forward_hook_sees_and_may_replace_the_output():
    layer = nn.Linear(2, 2)
    seen = []
    handle = layer.register_forward_hook(lambda m, args, out: seen.append((m, args[0].shape)))
    x = ag.ones(3, 2)
    layer(x)
    assert seen == [(layer, (3, 2))]
    handle.remove()
    handle.remove()  # a second remove does nothing
    layer(x)
    assert len(seen) == 1
    layer.register_forward_hook(lambda m, args, out: out * 0.0)
    assert np.all(layer(x).array == 0)


def test_a_diverged_run_takes_the_forward_hooks_off():
    from glassgrad.train import TrainingDiverged

    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    good = (ag.tensor(np.ones((8, 3), np.float32)), ag.tensor(np.zeros(8, np.int64)))
    bad = (ag.tensor(np.full((8, 3), np.nan, np.float32)), good[1])
    flow = GradientFlow()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TrainingDiverged):
        fit(model, nn.CrossEntropyLoss(), opt, [good, bad], [good], epochs=1, callbacks=[flow], progress=False)
    # PyTorch's attribute: each module's registered forward hooks
    assert all(not m._forward_hooks for m in model.modules())  # noqa: SLF001
    assert flow.matrix()[1].shape[1] == 1  # the step before the NaN is kept
