"""The gradient-flow callback: one norm per layer per step, and its plot."""

import numpy as np

import autograd as ag
import nn
import optim
from glassgrad.train import fit
from glassgrad.train.gradflow import GradientFlow


def test_gradient_flow_records_each_layer_and_plots(tmp_path):
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    rng = np.random.default_rng(0)
    batches = [
        (ag.tensor(rng.normal(size=(8, 3)).astype(np.float32)), ag.tensor(rng.integers(0, 2, 8))) for _ in range(3)
    ]
    flow = GradientFlow()
    opt = optim.SGD(model.parameters(), lr=0.1)
    fit(model, nn.CrossEntropyLoss(), opt, batches, epochs=2, callbacks=[flow], progress=False)
    layers, m = flow.matrix()
    assert layers == ["0", "2"] and m.shape == (2, 6) and np.all(m > 0)
    flow.plot(tmp_path / "flow.png")
    assert (tmp_path / "flow.png").stat().st_size > 1000
