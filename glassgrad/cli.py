"""The ``glassgrad`` command: ``demo``, ``train``, ``graph``, ``eval`` and ``search``.

``glassgrad demo`` is the README's main job: an MLP on the digits that scikit-learn ships (He
init, Adam, cosine schedule with warmup, dropout, BatchNorm), writing ``runs/demo/`` with the
model, its history, its curves and the graph of one training step.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
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

from . import search_command
from .data import DataLoader, Standardize, TensorDataset, datasets, stratified_split
from .train import Checkpoint, GradientFlow, TrainingDiverged, evaluate, fit

__all__ = [
    "build_mlp",
    "make_optimizer",
    "make_schedule",
    "run_training",
    "draw_graph",
    "check_out",
    "check_args",
    "hidden_sizes",
    "parser",
    "main",
]

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


# The files a run folder may hold: what glassgrad writes there (and nothing else is ever deleted).
MARKER = ".glassgrad"
RUN_FILES = (
    MARKER,
    "config.json",
    "model.safetensors",
    "model.last.safetensors",
    "history.json",
    "curves.png",
    "gradient_flow.png",
    "graph.svg",
)


def _is_run_file(name):
    # atomic_write writes ".<name>.<pid>.<random>.tmp" beside its target and renames it; a kill can leave one.
    return name in RUN_FILES or any(name.startswith(f".{f}.") and name.endswith(".tmp") for f in RUN_FILES)


def check_out(out, overwrite):
    """Why ``out`` cannot be a run folder (a message), or None; it never touches the disk.

    A folder glassgrad made holds a ``.glassgrad`` marker; a non-empty folder without it, or one
    holding files glassgrad did not write, is refused even with ``overwrite``. A folder holding a
    model needs ``overwrite``; one left by a run that crashed before its first model does not.
    """
    if os.path.exists(out) and not os.path.isdir(out):
        return f"--out {out} is a file, not a folder"
    if not os.path.exists(out):
        parent = _nearest_existing(os.path.dirname(os.path.abspath(out)))
        if not os.path.isdir(parent):
            return f"--out {out}: {parent} is a file, not a folder"
        return None if os.access(parent, os.W_OK) else f"--out {out}: cannot write in {parent}"
    names = os.listdir(out)
    if not names:
        return None
    if MARKER not in names:
        return f"{out} is not empty and was not made by glassgrad (it has no .glassgrad marker); choose another --out or empty it yourself"
    foreign = sorted(n for n in names if not _is_run_file(n) or not os.path.isfile(os.path.join(out, n)))
    if foreign:
        return f"{out} holds files glassgrad did not write ({', '.join(foreign)}); move them or choose another --out"
    if "model.safetensors" in names and not overwrite:
        return f"{out} already holds a trained run; pass --overwrite to replace it (or choose another --out)"
    return None


def _nearest_existing(path):
    while not os.path.exists(path):
        path = os.path.dirname(path)
    return path


def _prepare_out(out, overwrite):
    problem = check_out(out, overwrite)
    if problem is not None:
        raise FileExistsError(problem)
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        os.remove(os.path.join(out, name))  # check_out allowed only glassgrad's own files here
    with open(os.path.join(out, MARKER), "w") as f:
        f.write("This folder was made by `glassgrad train`; --overwrite may replace it.\n")


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


def run_training(config, progress=True, verbose=None, callbacks=()):
    """Train as ``config`` says and write the run folder; returns (model, history, test accuracy, (train, test)).

    ``verbose`` prints one line per epoch (default: with the progress bar); ``callbacks`` are added
    to the ``fit`` callbacks (``glassgrad search`` adds its pruning one).
    """
    ag.manual_seed(config["seed"])
    out = config["out"]
    _prepare_out(out, config.get("overwrite", False))
    train, test = _split(config)
    train, test, scaler = _standardized(train, test)
    n_in = train.tensors[0].shape[1]
    n_classes = int(max(train.tensors[1].array.max(), test.tensors[1].array.max())) + 1
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
    callbacks = [Checkpoint(model_path, monitor="val_accuracy", metadata=meta), flow, *callbacks]
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(_public(config), f, indent=2)
    try:
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
            verbose=verbose,
            monitor="val_loss",
        )
    except TrainingDiverged as e:
        if e.history is not None:  # keep the epochs that finished
            e.history.save(os.path.join(out, "history.json"))
        raise
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
        "hidden": list(args.hidden),
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


def _number(kind, test, wanted):
    """An argparse ``type`` that parses ``kind`` and refuses values failing ``test`` (``wanted`` says why)."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {'an integer' if kind is int else 'a number'}")
        if not test(value):
            raise argparse.ArgumentTypeError(f"{text!r} must be {wanted}")
        return value

    return parse


positive_int = _number(int, lambda v: v >= 1, "at least 1")
non_negative_int = _number(int, lambda v: v >= 0, "0 or more")
positive_float = _number(float, lambda v: 0 < v < float("inf"), "a positive number")
non_negative_float = _number(float, lambda v: 0 <= v < float("inf"), "0 or more")
probability = _number(float, lambda v: 0 <= v < 1, "in [0, 1)")


def hidden_sizes(text):
    """Parse ``--hidden``: positive layer sizes, comma-separated ("128,64")."""
    parts = [part.strip() for part in str(text).split(",")]
    if not all(part.isdigit() and int(part) >= 1 for part in parts):
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of layer sizes such as 128,64")
    return [int(part) for part in parts]


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: what is wrong and where to read more."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


HELP = argparse.ArgumentDefaultsHelpFormatter


def _add_net_args(p, defaults):
    p.add_argument("--data", choices=sorted(DATASETS), default=defaults["data"], help="dataset (all offline)")
    p.add_argument(
        "--hidden",
        type=hidden_sizes,
        metavar="SIZES",
        default=defaults["hidden"],
        help="hidden layer sizes, comma-separated",
    )
    p.add_argument("--act", choices=sorted(ACTIVATIONS), default=defaults["act"], help="hidden activation")
    p.add_argument(
        "--dropout", type=probability, metavar="P", default=defaults["dropout"], help="drop probability p (0 = off)"
    )
    p.add_argument(
        "--batchnorm",
        action=argparse.BooleanOptionalAction,
        default=defaults["batchnorm"],
        help="BatchNorm after each hidden Linear",
    )
    p.add_argument(
        "--seed", type=non_negative_int, metavar="N", default=0, help="seed of the init, the split and the shuffling"
    )


def _add_model_args(p, defaults):
    _add_net_args(p, defaults)
    p.add_argument("--opt", choices=OPTIMIZERS, default=defaults["opt"], help="optimizer")
    p.add_argument("--lr", type=positive_float, metavar="LR", default=defaults["lr"], help="learning rate η")
    p.add_argument(
        "--weight-decay",
        type=non_negative_float,
        metavar="WD",
        default=defaults["weight_decay"],
        help="L2 weight decay λ",
    )
    p.add_argument("--schedule", choices=SCHEDULES, default=defaults["schedule"], help="learning-rate schedule")
    p.add_argument(
        "--warmup", type=non_negative_int, metavar="E", default=defaults["warmup"], help="epochs of linear warmup"
    )
    p.add_argument(
        "--epochs", type=positive_int, metavar="E", default=defaults["epochs"], help="passes over the training set"
    )
    p.add_argument(
        "--batch-size", type=positive_int, metavar="B", default=defaults["batch_size"], help="examples per update"
    )
    p.add_argument(
        "--out", metavar="DIR", default=defaults["out"], help="run folder for the model, history, curves and graph"
    )
    p.add_argument("--overwrite", action="store_true", help="replace a run folder glassgrad wrote before")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (one line per epoch is still printed)")


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
GRAPH_FORMATS = ("svg", "png", "pdf")


def parser():
    """The ``glassgrad`` command's argument parser (subcommands demo, train, graph, eval, search)."""
    p = _Parser(prog="glassgrad", description="Train and look at small networks on the glassgrad engine.")
    sub = p.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="train the README's MLP on digits and draw its graph (runs/demo/)",
        description="The README's main job: an MLP on scikit-learn's 8x8 digits with He init, Adam, a cosine "
        "schedule with warmup, dropout and BatchNorm. Every option below can change it.",
        formatter_class=HELP,
    )
    _add_model_args(demo, DEMO)
    train = sub.add_parser(
        "train",
        help="train an MLP with the options below (runs/train/)",
        description="Train an MLP and write its run folder: model.safetensors (the best epoch), history.json, "
        "curves.png, graph.svg and config.json. Defaults: a plain MLP (no dropout, no BatchNorm, no warmup).",
        formatter_class=HELP,
    )
    _add_model_args(train, TRAIN)
    graph = sub.add_parser(
        "graph",
        help="draw the forward/backward graph of one training step",
        description="Draw the forward/backward graph of one training step of an untrained MLP on 16 examples.",
        formatter_class=HELP,
    )
    _add_net_args(graph, TRAIN)
    graph.add_argument(
        "--out", metavar="FILE", default="graph.svg", help="the drawing to write: a .svg, .png or .pdf file"
    )
    graph.add_argument("--expand", action="store_true", help="draw every op instead of one node per module")
    ev = sub.add_parser(
        "eval",
        help="evaluate a checkpoint written by train/demo on its test split",
        description="Rebuild the model a checkpoint's config describes, load its weights and evaluate it.",
        formatter_class=HELP,
    )
    ev.add_argument("checkpoint", help="a model.safetensors written by glassgrad train or demo")
    search = sub.add_parser(
        "search",
        help="search hyperparameters with Optuna (resumable; several workers)",
        description="Search hyperparameters with Optuna: trials of the train command's network, a study "
        "that resumes, workers on this machine (--jobs) or on several (--storage URL).",
        formatter_class=HELP,
    )
    _add_model_args(search, dict(TRAIN, out=os.path.join("runs", "search"), epochs=5))
    search_command.add_search_args(search)
    return p


# The extra packages each command needs (import name, pip name), checked before anything runs.
def _missing_packages(args):
    needed = []
    if getattr(args, "data", None) == "digits":
        needed.append(("sklearn", "scikit-learn"))
    if args.command in ("demo", "train"):
        needed.append(("matplotlib", "matplotlib"))
        if not args.no_progress:
            needed.append(("tqdm", "tqdm"))
    return [pip for module, pip in needed if importlib.util.find_spec(module) is None]


def check_args(args):
    """What is wrong with parsed arguments beyond their types (a one-line message), or None."""
    if args.command in ("demo", "train"):
        return check_out(args.out, args.overwrite)
    if args.command == "graph":
        fmt = os.path.splitext(args.out)[1].lstrip(".")
        folder = os.path.dirname(os.path.abspath(args.out))
        if os.path.isdir(args.out):
            return f"--out {args.out} is a folder; give a file name such as graph.svg"
        if fmt not in GRAPH_FORMATS:
            return f"--out {args.out}: the file name must end in .svg, .png or .pdf"
        if not os.path.isdir(folder):
            return f"--out {args.out}: the folder {folder} does not exist"
    if args.command == "eval" and not os.path.isfile(args.checkpoint):
        return f"{args.checkpoint}: no such file"
    return None


def _train_command(args):
    config = _config_from_args(args)
    try:
        model, history, accuracy, (train, test) = run_training(config, progress=not args.no_progress, verbose=True)
    except TrainingDiverged as e:
        print(f"glassgrad: {_one_line(e)} The finished epochs are in {config['out']}/history.json.", file=sys.stderr)
        return 1
    out = config["out"]
    if history.interrupted:
        print(f"interrupted ({history.signal}): history and the last weights are in {out}/", file=sys.stderr)
        return 143 if history.signal == "SIGTERM" else 130
    history.plot(os.path.join(out, "curves.png"))
    x, y = train.take(np.arange(min(64, len(train))))
    draw_graph(model, x, y, os.path.join(out, "graph.svg"))
    names = ("model.safetensors", "history.json", "curves.png", "gradient_flow.png", "graph.svg", "config.json")
    written = [name for name in names if os.path.exists(os.path.join(out, name))]
    print(f"test accuracy: {accuracy:.4f}")
    print(f"wrote {out}/: {', '.join(written)}")
    return 0


def _graph_command(args):
    ag.manual_seed(args.seed)
    train, _ = _split({"data": args.data, "seed": args.seed})
    X, y = train.tensors
    n_classes = int(y.array.max()) + 1
    model = build_mlp(X.shape[1], args.hidden, n_classes, args.act, args.dropout, args.batchnorm)
    idx = np.arange(min(16, len(train)))
    draw_graph(model, ag.tensor(X.array[idx]), ag.tensor(y.array[idx]), args.out, collapse_modules=not args.expand)
    print(f"wrote {args.out}")
    return 0


def _one_line(error, limit=300):
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _read_checkpoint(path):
    """(config, scaler, state_dict) of a checkpoint written by train/demo; raises ValueError saying what is wrong."""
    from safetensors import safe_open

    try:
        with safe_open(path, framework="numpy") as f:
            meta = f.metadata() or {}
        state = load(path)
    except Exception as e:  # safetensors raises its own types for a damaged header
        raise ValueError(f"cannot read {path}: {_one_line(e)}") from e
    if "glassgrad.config" not in meta or "glassgrad.scaler" not in meta:
        raise ValueError(f"{path} has no training config (it was not written by `glassgrad train/demo`)")
    try:
        config = json.loads(meta["glassgrad.config"])
        scaler = Standardize()
        scaler.load_state_dict(
            {k: np.asarray(v, dtype=np.float32) for k, v in json.loads(meta["glassgrad.scaler"]).items()}
        )
        absent = [k for k in ("data", "hidden", "act", "dropout", "batchnorm", "seed") if k not in config]
        if absent or config["data"] not in DATASETS:
            raise KeyError(", ".join(absent) or f"unknown data {config['data']!r}")
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{path}: its training config is damaged ({e})") from e
    return config, scaler, state


def _eval_command(args):
    path = args.checkpoint
    config, scaler, state = _read_checkpoint(path)
    _, test = _split(config)
    X, y = test.tensors
    n_classes = int(DATASETS[config["data"]](config["seed"]).tensors[1].array.max()) + 1
    model = build_mlp(X.shape[1], config["hidden"], n_classes, config["act"], config["dropout"], config["batchnorm"])
    try:
        model.load_state_dict(state)
    except (ValueError, KeyError, RuntimeError) as e:
        raise ValueError(f"{path} does not fit the model its config describes: {_one_line(e)}") from e
    result = evaluate(model, CrossEntropyLoss(), DataLoader(TensorDataset(scaler.transform(X), y), 1024))
    print(f"test loss: {result['loss']:.4f}  test accuracy: {result['accuracy']:.4f}")
    return 0


def _search_command(args):
    return search_command.run_search(args, _config_from_args(args), run_training)


COMMANDS = {
    "demo": _train_command,
    "train": _train_command,
    "graph": _graph_command,
    "eval": _eval_command,
    "search": _search_command,
}


def main(argv=None):
    """Run the ``glassgrad`` command; returns its exit code (2 for a usage error, as argparse)."""
    args = parser().parse_args(argv)
    prog = f"glassgrad {args.command}"
    problem = check_args(args)
    if problem is not None:
        print(f"{prog}: error: {problem}", file=sys.stderr)
        return 2
    missing = _missing_packages(args)
    if missing:
        print(
            f"{prog}: needs {', '.join(missing)} (the 'train' extra): pip install -e '.[train]' in the checkout, "
            f"or pip install {' '.join(missing)}" + (" (or pass --no-progress)" if missing == ["tqdm"] else ""),
            file=sys.stderr,
        )
        return 1
    from autograd.viz import GraphvizNotFoundError

    try:
        return COMMANDS[args.command](args)
    except ValueError as e:  # a checkpoint eval cannot use
        if args.command != "eval":
            raise
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    except (ImportError, GraphvizNotFoundError) as e:  # an extra or Graphviz missing: the message says how to get it
        print(f"{prog}: {_one_line(e)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
