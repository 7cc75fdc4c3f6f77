"""A PyTorch program's imports, with ``torch`` read as ``glassgrad``: ``import glassgrad as torch``,
``import glassgrad.nn as nn``, ``torch.nn.functional``, ``torch.optim``, ``torch.utils.data``."""

import subprocess
import sys

import numpy as np

import autograd
import glassgrad as torch
import nn
import optim

PROGRAM = """
import glassgrad as torch
import glassgrad.nn as nn
import glassgrad.nn.functional as F
from glassgrad.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
x = torch.randn(64, 3)
y = (x.sum(1, keepdim=True) > 0).float()
model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.5)
loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
for epoch in range(30):
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(xb), yb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
with torch.no_grad():
    acc = ((model(x) > 0).float() == y).float().mean().item()
print(acc)
"""


def test_the_engine_names_are_glassgrads():
    for name in autograd.__all__:
        assert getattr(torch, name) is getattr(autograd, name), name
    assert torch.nn is nn and torch.optim is optim and torch.utils.data is torch.data
    assert torch.save is nn.save and torch.load is nn.load
    assert torch.float is np.float32 and torch.double is np.float64 and torch.long is np.int64
    assert torch.int is np.int32 and torch.bool is np.bool_


def test_imports_by_submodule_name_give_the_one_module():
    import glassgrad.nn.functional as F
    import glassgrad.optim.lr_scheduler as sched
    from glassgrad.autograd import viz
    from glassgrad.utils.data import DataLoader

    import autograd.viz
    import nn.functional
    import optim.lr_scheduler

    assert F is nn.functional and sched is optim.lr_scheduler and viz is autograd.viz
    assert DataLoader is torch.data.DataLoader
    assert F.__spec__.name == "nn.functional"  # the module keeps its own spec


def test_a_pytorch_program_runs_with_only_the_import_changed():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) > 0.9


def test_parameter_vector_round_trip():
    from nn.utils import parameters_to_vector, vector_to_parameters

    layer = nn.Linear(3, 2)
    vec = parameters_to_vector(layer.parameters())
    assert vec.shape == (8,)
    vector_to_parameters(vec * 2.0, layer.parameters())
    np.testing.assert_allclose(parameters_to_vector(layer.parameters()).numpy(), vec.numpy() * 2.0)


def test_the_device_line_of_a_pytorch_program_picks_the_cpu():
    device = "cuda" if torch.cuda.is_available() else "cpu"
    assert device == "cpu" and torch.cuda.device_count() == 0 and not torch.backends.mps.is_available()
    torch.backends.cudnn.deterministic = True  # settable, as in PyTorch, with nothing behind it
    torch.use_deterministic_algorithms(True)
    torch.cuda.manual_seed_all(0)
    x = torch.ones(2, requires_grad=True, device=device)
    with torch.inference_mode():
        assert not (x * 2).requires_grad
    with torch.inference_mode(False):
        assert (x * 2).requires_grad

    @torch.inference_mode()
    def predict(a):
        return a * 3

    assert not predict(x).requires_grad and (x * 3).requires_grad


def test_a_tiny_gpt_written_for_pytorch_trains_samples_and_reloads():
    import runpy

    program = runpy.run_path(str(__import__("pathlib").Path(__file__).parent / "programs" / "tiny_gpt.py"))
    losses = program["LOSSES"]
    assert len(losses) == 3 and losses[-1] < 0.6 * losses[0], losses  # ln(vocab) ≈ 2.9 falls to < 1.8
    assert len(program["SAMPLE"]) == 31 and program["RELOADED_SAME"]
