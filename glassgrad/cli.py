"""The ``glassgrad`` command: ``demo``, ``train``, ``graph`` and ``eval``.

``glassgrad demo`` is the README's main job: an MLP on the digits that scikit-learn ships (He
init, Adam, cosine schedule with warmup, dropout, BatchNorm), writing ``runs/demo/`` with the
model, its history, its curves and the graph of one training step.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

import numpy as np

import autograd as ag
import optim
from nn import (
    ELU,
    GELU,
    SELU,
    BatchNorm1d,
    CrossEntropyLoss,
    Dropout,
    LeakyReLU,
    Linear,
    Maxout,
    ReLU,
    Sequential,
    Tanh,
    init,
    load,
)
from optim import lr_scheduler as S

from .data import DataLoader, Standardize, TensorDataset, datasets, stratified_split
from .train import Checkpoint, GradientFlow, TrainingDiverged, evaluate, fit

__all__ = ["build_mlp", "make_optimizer", "make_schedule", "run_training", "draw_graph", "parser", "main"]

DATASETS = {
    "digits": lambda seed: datasets.digits(),
    "rings": lambda seed: datasets.rings(1000, seed=seed),
    "moons": lambda seed: datasets.moons(1000, seed=seed),
    "spirals": lambda seed: datasets.spirals(900, seed=seed),
    "xor": lambda seed: datasets.xor(),
}
ACTIVATIONS = {
    "relu": ReLU,
    "gelu": GELU,
    "elu": ELU,
    "selu": SELU,
    "tanh": Tanh,
    "leaky_relu": LeakyReLU,
    "maxout": None,
}
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
SCHEDULES = ("none", "step", "exp", "cosine", "onecycle", "plateau")
# The init gain that keeps activations' variance steady through each nonlinearity.
_INIT = {
    "relu": "relu",
    "leaky_relu": "leaky_relu",
    "gelu": "relu",
    "elu": "relu",
    "selu": "selu",
    "tanh": "tanh",
    "maxout": "relu",
}


def build_mlp(n_in, hidden, n_out, act="relu", dropout=0.0, batchnorm=False):
    """Linear → [BatchNorm] → φ → [Dropout] per hidden layer, then a Linear to the logits.

    Weights get He (Kaiming) initialization for the activation; biases start at 0.
    """
    layers = []
    for h in hidden:
        if act == "maxout":
            layers.append(Maxout(n_in, h, pieces=2))
        else:
            layers.append(Linear(n_in, h, bias=not batchnorm))
            if batchnorm:
                layers.append(BatchNorm1d(h))
            layers.append(ACTIVATIONS[act]())
        if dropout > 0:
            layers.append(Dropout(dropout))
        n_in = h
    layers.append(Linear(n_in, n_out))
    model = Sequential(*layers)
    gain_for = _INIT[act]
    for module in model.modules():
        weight = getattr(module, "weight", None)
        if isinstance(module, (Linear, Maxout)):
            if gain_for == "tanh":
                init.xavier_normal_(weight, gain=init.calculate_gain("tanh"))
            else:
                init.kaiming_normal_(weight, mode="fan_in", nonlinearity=gain_for)
            if getattr(module, "bias", None) is not None:
                init.zeros_(module.bias)
    return model


def make_optimizer(name, params, lr, weight_decay):
    """The optimizer called ``name`` (one of ``OPTIMIZERS``) over ``params``."""
    if name == "sgd":
        return optim.SGD(params, lr=lr, weight_decay=weight_decay)
    if name == "momentum":
        return optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    if name == "nesterov":
        return optim.SGD(params, lr=lr, momentum=0.9, nesterov=True, weight_decay=weight_decay)
    if name == "adagrad":
        return optim.Adagrad(params, lr=lr, weight_decay=weight_decay)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")


def make_schedule(name, optimizer, epochs, warmup, steps_per_epoch):
    """(scheduler or list of schedulers, step unit) for a schedule name, with ``warmup`` epochs of linear warmup.

    "plateau" is ``ReduceLROnPlateau`` on the validation loss; after a warmup it comes as a second
    scheduler (``SequentialLR`` cannot hold it: its step needs the metric), which ``fit`` steps too.
    """
    if name == "none":
        main, unit = None, "epoch"
    elif name == "step":
        main, unit = S.StepLR(optimizer, step_size=max(1, (epochs - warmup) // 3), gamma=0.1), "epoch"
    elif name == "exp":
        main, unit = S.ExponentialLR(optimizer, gamma=0.9), "epoch"
    elif name == "cosine":
        main, unit = S.CosineAnnealingLR(optimizer, T_max=max(1, epochs - warmup)), "epoch"
    elif name == "onecycle":
        lr = optimizer.param_groups[0]["lr"]
        return S.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps_per_epoch), "batch"
    elif name == "plateau":
        main, unit = None, "epoch"
    else:
        raise ValueError(f"unknown schedule {name!r}; choose from {', '.join(SCHEDULES)}")
    warm = S.LinearLR(optimizer, start_factor=0.1, end_factor=1.0, total_iters=warmup) if warmup > 0 else None
    if name == "plateau":
        plateau = S.ReduceLROnPlateau(optimizer, mode="min", patience=2, factor=0.3)
        return ([plateau] if warm is None else [warm, plateau]), "epoch"
    if warm is None:
        return main, unit
    if main is None:
        return warm, "epoch"
    return S.SequentialLR(optimizer, [warm, main], milestones=[warmup]), unit


def _prepare_out(out, overwrite):
    if os.path.exists(out) and os.listdir(out):
        if not overwrite:
            raise FileExistsError(
                f"{out} already exists and is not empty; pass --overwrite to replace it (or choose another --out)"
            )
        shutil.rmtree(out)
    os.makedirs(out, exist_ok=True)


def _split(config):
    ds = DATASETS[config["data"]](config["seed"])
    if config["data"] == "xor":
        return ds, ds
    train, test = stratified_split(ds, [0.8, 0.2], seed=config["seed"])
    return train, test


def _standardized(train, test):
    Xtr, ytr = train.tensors
    Xte, yte = test.tensors
    scaler = Standardize().fit(Xtr)
    return TensorDataset(scaler.transform(Xtr), ytr), TensorDataset(scaler.transform(Xte), yte), scaler


def run_training(config, progress=True):
    """Train as ``config`` says and write the run folder; returns (model, history, test accuracy)."""
    ag.manual_seed(config["seed"])
    out = config["out"]
    _prepare_out(out, config.get("overwrite", False))
    train, test = _split(config)
    train, test, scaler = _standardized(train, test)
    n_in = train.tensors[0].shape[1]
    n_classes = int(max(train.tensors[1].data.max(), test.tensors[1].data.max())) + 1
    model = build_mlp(n_in, config["hidden"], n_classes, config["act"], config["dropout"], config["batchnorm"])
    optimizer = make_optimizer(config["opt"], model.parameters(), config["lr"], config["weight_decay"])
    train_loader = DataLoader(train, batch_size=config["batch_size"], shuffle=True, seed=config["seed"])
    test_loader = DataLoader(test, batch_size=1024)
    scheduler, unit = make_schedule(
        config["schedule"], optimizer, config["epochs"], config["warmup"], len(train_loader)
    )
    model_path = os.path.join(out, "model.safetensors")
    meta = {
        "glassgrad.config": json.dumps(_public(config)),
        "glassgrad.scaler": json.dumps({k: v.tolist() for k, v in scaler.state_dict().items()}),
    }
    # model.safetensors keeps the best epoch (by test accuracy); a NaN later leaves it intact.
    flow = GradientFlow(per="epoch")  # gradient_flow.png: each layer's ‖∂L/∂W‖ and activations per epoch
    callbacks = [Checkpoint(model_path, monitor="val_accuracy", metadata=meta), flow]
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(_public(config), f, indent=2)
    history = fit(
        model,
        CrossEntropyLoss(),
        optimizer,
        train_loader,
        test_loader,
        epochs=config["epochs"],
        scheduler=scheduler,
        scheduler_step=unit,
        callbacks=callbacks,
        progress=progress,
        monitor="val_loss",
    )
    history.save(os.path.join(out, "history.json"))
    if flow.steps:
        flow.plot(os.path.join(out, "gradient_flow.png"))
    if not history.interrupted and os.path.exists(model_path):
        model.load_state_dict(load(model_path))
    accuracy = evaluate(model, CrossEntropyLoss(), test_loader)["accuracy"]
    return model, history, accuracy, (train, test)


def _public(config):
    return {k: v for k, v in config.items() if k not in ("overwrite",)}


def draw_graph(model, x, y, path, collapse_modules=True):
    """Draw the forward/backward graph of one training step of ``model`` on (x, y) to ``path``."""
    from autograd import viz

    model.train()
    with viz.watch():
        loss = CrossEntropyLoss()(model(x), y)
        loss.backward()
    graph = viz.draw(loss, params=dict(model.named_parameters()), collapse_modules=collapse_modules)
    fmt = os.path.splitext(path)[1].lstrip(".") or "svg"
    return viz.render(graph, path, format=fmt)


def _config_from_args(args, **overrides):
    config = {
        "data": args.data,
        "hidden": [int(h) for h in str(args.hidden).split(",") if h],
        "act": args.act,
        "dropout": args.dropout,
        "batchnorm": args.batchnorm,
        "opt": args.opt,
        "lr": args.lr,
        "weight_decay": args.weight_decay,
        "schedule": args.schedule,
        "warmup": args.warmup,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "out": args.out,
        "overwrite": args.overwrite,
    }
    config.update(overrides)
    return config


def _add_model_args(p, defaults):
    p.add_argument("--data", choices=sorted(DATASETS), default=defaults["data"], help="dataset (all offline)")
    p.add_argument("--hidden", default=defaults["hidden"], help="hidden sizes, comma-separated (e.g. 128,64)")
    p.add_argument("--act", choices=sorted(ACTIVATIONS), default=defaults["act"], help="hidden activation")
    p.add_argument("--dropout", type=float, default=defaults["dropout"], help="drop probability p (0 = off)")
    p.add_argument(
        "--batchnorm",
        action=argparse.BooleanOptionalAction,
        default=defaults["batchnorm"],
        help="BatchNorm after each hidden Linear",
    )
    p.add_argument("--opt", choices=OPTIMIZERS, default=defaults["opt"], help="optimizer")
    p.add_argument("--lr", type=float, default=defaults["lr"], help="learning rate η")
    p.add_argument("--weight-decay", type=float, default=defaults["weight_decay"], help="L2 weight decay λ")
    p.add_argument("--schedule", choices=SCHEDULES, default=defaults["schedule"], help="learning-rate schedule")
    p.add_argument("--warmup", type=int, default=defaults["warmup"], help="epochs of linear warmup")
    p.add_argument("--epochs", type=int, default=defaults["epochs"])
    p.add_argument("--batch-size", type=int, default=defaults["batch_size"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=defaults["out"], help="run folder")
    p.add_argument("--overwrite", action="store_true", help="replace an existing run folder")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


DEMO = {
    "data": "digits",
    "hidden": "128,64",
    "act": "relu",
    "dropout": 0.1,
    "batchnorm": True,
    "opt": "adam",
    "lr": 3e-3,
    "weight_decay": 1e-4,
    "schedule": "cosine",
    "warmup": 2,
    "epochs": 30,
    "batch_size": 64,
    "out": os.path.join("runs", "demo"),
}
TRAIN = dict(DEMO, out=os.path.join("runs", "train"), batchnorm=False, dropout=0.0, warmup=0)


def parser():
    """The ``glassgrad`` command's argument parser (subcommands demo, train, graph, eval)."""
    p = argparse.ArgumentParser(
        prog="glassgrad", description="Train and look at small networks on the glassgrad engine."
    )
    sub = p.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="train an MLP on digits and draw its graph (runs/demo/)")
    _add_model_args(demo, DEMO)
    train = sub.add_parser("train", help="train an MLP with the options below")
    _add_model_args(train, TRAIN)
    graph = sub.add_parser("graph", help="draw the forward/backward graph of one training step")
    _add_model_args(graph, dict(TRAIN, out="graph.svg"))
    graph.add_argument("--expand", action="store_true", help="draw every op instead of one node per module")
    ev = sub.add_parser("eval", help="evaluate a checkpoint written by train/demo on its test split")
    ev.add_argument("checkpoint")
    return p


def _train_command(args):
    config = _config_from_args(args)
    try:
        model, history, accuracy, (train, test) = run_training(config, progress=not args.no_progress)
    except FileExistsError as e:
        print(f"glassgrad: {e}", file=sys.stderr)
        return 1
    except TrainingDiverged as e:
        print(f"glassgrad: {e}", file=sys.stderr)
        return 1
    out = config["out"]
    if history.interrupted:
        print(f"interrupted: history and the last weights are in {out}/", file=sys.stderr)
        return 130
    history.plot(os.path.join(out, "curves.png"))
    x, y = train.take(np.arange(min(64, len(train))))
    draw_graph(model, x, y, os.path.join(out, "graph.svg"))
    print(f"test accuracy: {accuracy:.4f}")
    print(f"wrote {out}/: model.safetensors, history.json, curves.png, gradient_flow.png, graph.svg")
    return 0


def _graph_command(args):
    config = _config_from_args(args)
    ag.manual_seed(config["seed"])
    train, _ = _split(config)
    X, y = train.tensors
    n_classes = int(y.data.max()) + 1
    model = build_mlp(X.shape[1], config["hidden"], n_classes, config["act"], config["dropout"], config["batchnorm"])
    idx = np.arange(min(16, len(train)))
    draw_graph(model, ag.tensor(X.data[idx]), ag.tensor(y.data[idx]), args.out, collapse_modules=not args.expand)
    print(f"wrote {args.out}")
    return 0


def _eval_command(args):
    from safetensors import safe_open

    path = args.checkpoint
    try:
        with safe_open(path, framework="numpy") as f:
            meta = f.metadata() or {}
    except Exception as e:
        print(f"glassgrad: cannot read {path}: {e}", file=sys.stderr)
        return 1
    if "glassgrad.config" not in meta:
        print(
            f"glassgrad: {path} has no training config (it was not written by `glassgrad train/demo`)", file=sys.stderr
        )
        return 1
    config = json.loads(meta["glassgrad.config"])
    scaler = Standardize()
    scaler.load_state_dict(
        {k: np.asarray(v, dtype=np.float32) for k, v in json.loads(meta["glassgrad.scaler"]).items()}
    )
    _, test = _split(config)
    X, y = test.tensors
    n_classes = int(DATASETS[config["data"]](config["seed"]).tensors[1].data.max()) + 1
    model = build_mlp(X.shape[1], config["hidden"], n_classes, config["act"], config["dropout"], config["batchnorm"])
    model.load_state_dict(load(path))
    result = evaluate(model, CrossEntropyLoss(), DataLoader(TensorDataset(scaler.transform(X), y), 1024))
    print(f"test loss: {result['loss']:.4f}  test accuracy: {result['accuracy']:.4f}")
    return 0


def main(argv=None):
    """Run the ``glassgrad`` command; returns its exit code."""
    args = parser().parse_args(argv)
    if args.command == "demo":
        return _train_command(args)
    if args.command == "train":
        return _train_command(args)
    if args.command == "graph":
        return _graph_command(args)
    return _eval_command(args)


if __name__ == "__main__":
    sys.exit(main())
