"""The training loop, callbacks, recipe helpers and search (seeded; no timing assertions)."""

import math
import os

import numpy as np
import pytest

import autograd as ag
import nn
import optim
from glassgrad import data, train
from glassgrad.data import datasets


def _mlp(n_in, hidden, n_out, act=nn.ReLU):
    layers = []
    for h in hidden:
        layers += [nn.Linear(n_in, h), act()]
        n_in = h
    layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers)


def _train(ds, hidden, epochs, lr, seed=0, batch_size=32, act=nn.ReLU, test_fraction=0.2):
    ag.manual_seed(seed)
    train_set, test_set = data.stratified_split(ds, [1 - test_fraction, test_fraction], seed=seed)
    model = _mlp(ds.tensors[0].shape[1], hidden, int(ds.tensors[1].array.max()) + 1, act)
    opt = optim.Adam(model.parameters(), lr=lr)
    loader = data.DataLoader(train_set, batch_size=batch_size, shuffle=True, seed=seed)
    history = train.fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        loader,
        data.DataLoader(test_set, batch_size=512),
        epochs=epochs,
        progress=False,
    )
    return model, history


def test_digits_reaches_97_percent():
    _, history = _train(datasets.digits(), [128], epochs=25, lr=1e-3, batch_size=64)
    assert history.last["val_accuracy"] >= 0.97


def test_rings_reaches_99_percent():
    _, history = _train(datasets.rings(1000, noise=0.1), [32, 32], epochs=30, lr=1e-2)
    assert history.last["val_accuracy"] >= 0.99


def test_moons_reaches_97_percent():
    _, history = _train(datasets.moons(1000, noise=0.1), [32, 32], epochs=30, lr=1e-2)
    assert history.last["val_accuracy"] >= 0.97


def test_xor_is_learned_exactly():
    ag.manual_seed(0)
    X, y = datasets.xor().tensors
    model = _mlp(2, [8], 2, nn.Tanh)
    opt = optim.Adam(model.parameters(), lr=0.05)
    losses = train.overfit_batch(model, nn.CrossEntropyLoss(), opt, X, y, steps=300)
    assert losses[-1] < 0.01
    assert train.accuracy(model(X), y) == 1.0


def test_same_seed_gives_bit_identical_histories():
    runs = [_train(datasets.moons(300), [16], epochs=3, lr=1e-2, seed=5)[1] for _ in range(2)]
    strip = [[{k: v for k, v in e.items() if k != "time"} for e in h.epochs] for h in runs]
    assert strip[0] == strip[1]


def test_history_columns_plot_and_json(tmp_path):
    _, history = _train(datasets.moons(200), [8], epochs=2, lr=1e-2)
    assert len(history["val_loss"]) == 2 and all(isinstance(v, float) for v in history["train_accuracy"])
    history.save(str(tmp_path / "h.json"))
    again = train.History.load(str(tmp_path / "h.json"))
    assert again.epochs == history.epochs
    fig = history.plot(str(tmp_path / "curves.png"), ylabels={"loss": "cross-entropy (nats)"})
    assert (tmp_path / "curves.png").stat().st_size > 1000
    loss_ax, acc_ax = fig.axes[:2]  # every panel titled, its y-axis with a unit
    assert loss_ax.get_title() and loss_ax.get_ylabel() == "cross-entropy (nats)"
    assert acc_ax.get_ylabel() == "accuracy (fraction correct)" and acc_ax.get_xlabel() == "epoch"


def test_history_best_is_the_first_best_epoch():
    h = train.History()
    for epoch, (loss, acc) in enumerate([(0.5, 0.7), (0.3, 0.9), (0.3, 0.9), (0.4, None)], start=1):
        h.append({"epoch": epoch, "val_loss": loss, "val_accuracy": acc})
    assert h.best("val_loss")["epoch"] == 2 and h.best("val_accuracy")["epoch"] == 2
    assert h.best("val_loss", mode="max")["epoch"] == 1
    with pytest.raises(KeyError, match="val_f1"):
        h.best("val_f1")


def test_early_stopping_restores_the_best_weights():
    ag.manual_seed(0)
    ds = datasets.moons(200)
    train_set, val_set = data.random_split(ds, [150, 50], seed=0)
    model = _mlp(2, [16], 2)
    # a huge learning rate makes validation loss bounce; early stopping must keep the best epoch
    opt = optim.SGD(model.parameters(), lr=3.0)
    stopper = train.EarlyStopping(monitor="val_loss", patience=2)
    snapshots = {}

    class Snap(train.Callback):
        def on_epoch_end(self, trainer, record):
            snapshots[record["epoch"]] = {
                k: np.array(v.array if hasattr(v, "data") else v) for k, v in trainer.model.state_dict().items()
            }

    history = train.fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        data.DataLoader(train_set, 32, shuffle=True, seed=0),
        data.DataLoader(val_set, 64),
        epochs=30,
        callbacks=[Snap(), stopper],
        progress=False,
    )
    best = history.best("val_loss")
    assert stopper.best_epoch == best["epoch"]
    final = {k: np.array(v.array if hasattr(v, "data") else v) for k, v in model.state_dict().items()}
    for k in final:
        np.testing.assert_array_equal(final[k], snapshots[best["epoch"]][k])
    if len(history) < 30:
        assert history.stopped_early


def test_checkpoint_keeps_best_and_resumes(tmp_path):
    ag.manual_seed(0)
    ds = datasets.moons(200)
    train_set, val_set = data.random_split(ds, [150, 50], seed=0)
    model = _mlp(2, [16], 2)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    path = str(tmp_path / "best.safetensors")
    ckpt = train.Checkpoint(path, monitor="val_accuracy")
    h = train.fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        data.DataLoader(train_set, 32, shuffle=True, seed=0),
        data.DataLoader(val_set, 64),
        epochs=5,
        callbacks=[ckpt],
        progress=False,
    )
    assert os.path.exists(path) and ckpt.best == max(h["val_accuracy"])
    fresh = _mlp(2, [16], 2)
    fresh.load_state_dict(nn.load(path))
    assert train.evaluate(fresh, nn.CrossEntropyLoss(), data.DataLoader(val_set, 64))["accuracy"] == ckpt.best
    # resume: keep training the restored model
    opt2 = optim.Adam(fresh.parameters(), lr=1e-2)
    h2 = train.fit(
        fresh,
        nn.CrossEntropyLoss(),
        opt2,
        data.DataLoader(train_set, 32, shuffle=True, seed=1),
        data.DataLoader(val_set, 64),
        epochs=2,
        progress=False,
    )
    assert len(h2) == 2 and h2.last["val_accuracy"] >= 0.8


def test_corrupt_checkpoint_raises_clear_error(tmp_path):
    model = _mlp(2, [4], 2)
    path = tmp_path / "m.safetensors"
    nn.save(model, str(path))
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(Exception, match=str(path.name)):
        model.load_state_dict(nn.load(str(path)))


def test_nan_loss_stops_with_epoch_batch_and_hint(tmp_path):
    ag.manual_seed(0)
    ds = datasets.moons(100)
    model = _mlp(2, [8], 2)
    path = str(tmp_path / "best.safetensors")
    ckpt = train.Checkpoint(path, monitor="train_loss")
    opt = optim.SGD(model.parameters(), lr=1e-2)
    train.fit(model, nn.CrossEntropyLoss(), opt, data.DataLoader(ds, 50), epochs=1, callbacks=[ckpt], progress=False)
    with open(path, "rb") as f:
        saved = f.read()
    with ag.no_grad():
        model[0].weight.array[0, 0] = np.nan
    with pytest.raises(train.TrainingDiverged, match=r"epoch 1, batch 0.*[Ll]ower the learning rate"):
        train.fit(
            model, nn.CrossEntropyLoss(), opt, data.DataLoader(ds, 50), epochs=1, callbacks=[ckpt], progress=False
        )
    with open(path, "rb") as f:
        assert f.read() == saved, "the best checkpoint must stay intact"


def test_keyboard_interrupt_returns_history_and_saves_last(tmp_path):
    ag.manual_seed(0)
    ds = datasets.moons(100)
    model = _mlp(2, [8], 2)
    opt = optim.SGD(model.parameters(), lr=1e-2)
    path = str(tmp_path / "m.safetensors")

    class Interrupt(train.Callback):
        def on_epoch_end(self, trainer, record):
            if record["epoch"] == 2:
                raise KeyboardInterrupt

    h = train.fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        data.DataLoader(ds, 50),
        epochs=5,
        callbacks=[train.Checkpoint(path, monitor="train_loss"), Interrupt()],
        progress=False,
    )
    assert h.interrupted and len(h) == 2
    assert os.path.exists(str(tmp_path / "m.last.safetensors"))


def test_schedulers_and_clipping_in_fit():
    ag.manual_seed(0)
    ds = datasets.moons(100)
    model = _mlp(2, [8], 2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    sched = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    h = train.fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        data.DataLoader(ds, 50),
        epochs=3,
        scheduler=sched,
        callbacks=[train.GradientClipping(0.5)],
        progress=False,
    )
    assert h["lr"] == [0.1, 0.05, 0.025]


def _plateau_run(ds, epochs=4, **fit_kwargs):
    """fit with an optimizer over a parameter the loss ignores: the loss is the same every epoch."""
    model = _mlp(2, [8], 2)
    idle = nn.Parameter(ag.zeros(1))
    opt = optim.SGD([idle], lr=0.1)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    loader = data.DataLoader(ds, 50)
    return train.fit(
        model, nn.CrossEntropyLoss(), opt, loader, epochs=epochs, scheduler=plateau, progress=False, **fit_kwargs
    )


def test_fit_steps_reduce_lr_on_plateau_with_the_monitored_metric():
    ds = datasets.moons(100)
    # Epoch 1 sets the best; every later epoch is a plateau (patience 0): η halves after each.
    h = _plateau_run(ds)
    assert h["lr"] == [0.1, 0.1, 0.05, 0.025]
    assert _plateau_run(ds, monitor="train_loss")["lr"] == [0.1, 0.1, 0.05, 0.025]
    # Per-batch schedules step per batch, the plateau still once per epoch (it needs the metric).
    assert _plateau_run(ds, scheduler_step="batch")["lr"] == [0.1, 0.1, 0.05, 0.025]
    with pytest.raises(KeyError, match="val_loss"):
        _plateau_run(ds, monitor="val_loss")


def test_recipe_initial_loss_and_lr_range(tmp_path):
    ag.manual_seed(0)
    ds = datasets.digits()
    X, y = ds.tensors
    model = _mlp(64, [32], 10)
    with ag.no_grad():
        model[2].weight.array *= 0.01  # small last layer: near-uniform softmax
    loss, expected = train.check_initial_loss(model, nn.CrossEntropyLoss(), X[:200], y[:200], 10)
    assert expected == pytest.approx(math.log(10)) and abs(loss - expected) < 0.1
    results = train.lr_range_test(
        lambda: _mlp(64, [32], 10),
        nn.CrossEntropyLoss(),
        lambda p, lr: optim.SGD(p, lr=lr),
        data.DataLoader(ds, 64, shuffle=True, seed=0),
        lrs=[1e-1, 1e-3, 1e-5],
        steps=40,
        plot_path=str(tmp_path / "lr.png"),
    )
    assert results[1e-1] < results[1e-5]
    assert (tmp_path / "lr.png").exists()


def test_small_cnn_learns_digits_images():
    ag.manual_seed(0)
    ds = datasets.digits(images=True)
    train_set, test_set = data.stratified_split(ds, [0.8, 0.2], seed=0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(32 * 2 * 2, 10),
    )
    opt = optim.Adam(model.parameters(), lr=3e-3)
    history = train.fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        data.DataLoader(train_set, 64, shuffle=True, seed=0),
        data.DataLoader(test_set, 512),
        epochs=10,
        progress=False,
    )
    assert history.last["val_accuracy"] >= 0.98
