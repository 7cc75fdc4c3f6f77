"""Training: the loop (``fit``, ``evaluate``), its callbacks, the ``History`` it returns, metrics,
and the course's recipe helpers (``check_initial_loss``, ``overfit_batch``, ``lr_range_test``).

``GradientFlow`` records each layer's gradient norm and activation mean/std and plots them.
Schedules are ``optim.lr_scheduler`` objects passed to ``fit(scheduler=...)``;
``ReduceLROnPlateau`` among them is stepped with the monitored metric.
"""

from .callback import Callback, Checkpoint, EarlyStopping, GradientClipping
from .gradflow import GradientFlow, plot_gradient_flow
from .history import History
from .loop import Terminated, Trainer, TrainingDiverged, evaluate, fit, step_schedulers, train_epoch
from .metric import METRICS, accuracy, get_metric, monitor_mode
from .recipe import check_initial_loss, lr_range_test, overfit_batch

__all__ = [
    "fit",
    "evaluate",
    "train_epoch",
    "step_schedulers",
    "Trainer",
    "TrainingDiverged",
    "Terminated",
    "History",
    "Callback",
    "EarlyStopping",
    "Checkpoint",
    "GradientClipping",
    "GradientFlow",
    "plot_gradient_flow",
    "accuracy",
    "METRICS",
    "get_metric",
    "monitor_mode",
    "check_initial_loss",
    "overfit_batch",
    "lr_range_test",
]
