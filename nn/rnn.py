"""Recurrent layers: RNN, LSTM and GRU (multi-layer, bidirectional) and their one-step cells.

Gate order, parameter names (``weight_ih_l0``, ``bias_hh_l1_reverse``, ...) and init are
PyTorch's, so a PyTorch ``state_dict`` loads with ``strict=True`` and gives the same numbers.
Composed from linear, the fused LSTM/GRU step primitives (``autograd.lstm_cell``, ``autograd.gru_cell``),\nstack and cat: the gradient through time comes from the engine.
"""

from __future__ import annotations

import math

import numpy as np

import autograd as ag
from autograd import ShapeError
from autograd.device import check_device

from . import functional as F
from . import init
from .layers import parameter_dtype
from .module import Module, Parameter

__all__ = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def rnn_step(mode, gi, h, c, w_hh, b_hh):
    """One time step from the input part gi = W_ih x + b_ih: returns (h', c') (c' is None unless LSTM).

    LSTM and GRU steps are the fused primitives ``autograd.lstm_cell`` / ``autograd.gru_cell``.
    """
    gh = F.linear(h, w_hh, b_hh)
    if mode == "LSTM":
        return ag.lstm_cell(gi + gh, c)
    if mode == "GRU":
        return ag.gru_cell(gi, gh, h), None
    z = gi + gh
    return (F.tanh(z) if mode == "RNN_TANH" else F.relu(z)), None


def mode_of(name, nonlinearity):
    """The internal mode for a layer name and an RNN's nonlinearity."""
    if name != "RNN":
        return name
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"


def uniform_init(module, hidden_size):
    """Every parameter ~ U(−1/√H, 1/√H) (PyTorch's init for recurrent layers)."""
    bound = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for weight in module.parameters():
        init.uniform_(weight, -bound, bound, generator=module.generator)


def _describe(value):
    """A value's type, and its length for a tuple or list (for error messages)."""
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    if isinstance(value, ag.Tensor):
        return f"a Tensor of shape {tuple(value.shape)}"
    return f"a {type(value).__name__}"


def check_hidden(where, hx, expected):
    """A ShapeError unless the hidden state hx has the expected shape."""
    if tuple(hx.shape) != tuple(expected):
        raise ShapeError(f"{where}: expected hidden state of shape {tuple(expected)}, got {tuple(hx.shape)}")


class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU: parameters per layer and direction, and the loop."""

    def __init__(
        self,
        mode,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        dtype=None,
        generator=None,
        device=None,
    ):
        check_device(device)  # the CPU is the only device
        super().__init__()
        if input_size <= 0 or hidden_size <= 0 or num_layers < 1:
            raise ValueError(
                f"{type(self).__name__}: input_size, hidden_size and num_layers must be positive, got "
                f"{input_size}, {hidden_size}, {num_layers}"
            )
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"{type(self).__name__}: dropout must be in [0, 1], got {dropout}")
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional = bidirectional
        self.generator = generator
        dt = parameter_dtype(dtype)
        gate_size = GATES[mode] * hidden_size
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in self.suffixes(layer):
                setattr(self, f"weight_ih{suffix}", Parameter(np.empty((gate_size, layer_input), dtype=dt)))
                setattr(self, f"weight_hh{suffix}", Parameter(np.empty((gate_size, hidden_size), dtype=dt)))
                if bias:
                    setattr(self, f"bias_ih{suffix}", Parameter(np.empty((gate_size,), dtype=dt)))
                    setattr(self, f"bias_hh{suffix}", Parameter(np.empty((gate_size,), dtype=dt)))
        self.reset_parameters()

    @property
    def num_directions(self):
        """2 if bidirectional, else 1."""
        return 2 if self.bidirectional else 1

    def suffixes(self, layer):
        """The parameter-name suffixes of one layer: ``_l0`` and, if bidirectional, ``_l0_reverse``."""
        return [f"_l{layer}"] + ([f"_l{layer}_reverse"] if self.bidirectional else [])

    def reset_parameters(self):
        """Every weight and bias ~ U(−1/√H, 1/√H) (PyTorch's init)."""
        uniform_init(self, self.hidden_size)

    def layer_weights(self, suffix):
        """(W_ih, W_hh, b_ih, b_hh) of one layer and direction (biases None without bias)."""
        w_ih, w_hh = getattr(self, "weight_ih" + suffix), getattr(self, "weight_hh" + suffix)
        if not self.bias:
            return w_ih, w_hh, None, None
        return w_ih, w_hh, getattr(self, "bias_ih" + suffix), getattr(self, "bias_hh" + suffix)

    def check_input(self, input):
        """Raise a ShapeError naming the shapes unless input is (L, H_in) or (L, N, H_in)/(N, L, H_in)."""
        name = type(self).__name__
        if input.ndim not in (2, 3):
            raise ShapeError(
                f"{name}: expected a 2-D (L, H_in) or 3-D input "
                f"({'(N, L, H_in)' if self.batch_first else '(L, N, H_in)'}), got shape {tuple(input.shape)}"
            )
        if input.shape[-1] != self.input_size:
            raise ShapeError(
                f"{name}(input_size={self.input_size}): input of shape {tuple(input.shape)} has "
                f"{input.shape[-1]} features in the last dim, expected {self.input_size}"
            )

    def initial_state(self, hx, batch, dtype, unbatched):
        """The (h_0, c_0) per layer·direction, from hx (checked) or zeros; each (D·num_layers, N, H)."""
        shape = (self.num_layers * self.num_directions, batch, self.hidden_size)
        given = shape[:1] + shape[2:] if unbatched else shape
        where = type(self).__name__
        if hx is None:
            zeros = ag.zeros(*shape, dtype=dtype)
            return zeros, (zeros if self.mode == "LSTM" else None)
        if self.mode == "LSTM":
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"{where}: hx must be a tuple (h_0, c_0), got {_describe(hx)}")
            h0, c0 = hx
            check_hidden(where + " (h_0)", h0, given)
            check_hidden(where + " (c_0)", c0, given)
            return (h0.unsqueeze(1), c0.unsqueeze(1)) if unbatched else (h0, c0)
        check_hidden(where, hx, given)
        return (hx.unsqueeze(1) if unbatched else hx), None

    def run_direction(self, gi, h, c, w_hh, b_hh, reverse):
        """Step through time (forwards or backwards): the outputs in time order, and the last (h, c).

        An LSTM layer (b_hh folded into gi) is one node, ``autograd.lstm_layer``: the backward
        through time then runs as one loop (see autograd/ops/recurrent.py)."""
        if self.mode == "LSTM" and b_hh is None and gi.shape[0]:
            steps = gi.shape[0]
            packed = ag.lstm_layer(gi.flip(0) if reverse else gi, h, c, w_hh)  # [h_1 … h_T | c_T]
            hs = packed[:steps]
            return (hs.flip(0) if reverse else hs), packed[steps - 1], packed[steps]
        steps = range(gi.shape[0] - 1, -1, -1) if reverse else range(gi.shape[0])
        outputs = [None] * gi.shape[0]
        for t in steps:
            h, c = rnn_step(self.mode, gi[t], h, c, w_hh, b_hh)
            outputs[t] = h
        return ag.stack(outputs, dim=0), h, c

    def forward(self, input, hx=None):
        self.check_input(input)
        unbatched = input.ndim == 2
        x = input.unsqueeze(1) if unbatched else (input.transpose(0, 1) if self.batch_first else input)
        h0, c0 = self.initial_state(hx, x.shape[1], x.dtype, unbatched)
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout and self.training:
                x = F.dropout(x, self.dropout, True, self.generator)
            outputs = []
            for d, suffix in enumerate(self.suffixes(layer)):
                k = layer * self.num_directions + d
                w_ih, w_hh, b_ih, b_hh = self.layer_weights(suffix)
                if b_hh is not None and self.mode != "GRU":
                    # b_ih + b_hh once for the sequence, not b_hh at every step (GRU's r ⊙ b_hn needs it apart)
                    b_ih, b_hh = b_ih + b_hh, None
                gi = F.linear(x, w_ih, b_ih)  # every time step's input part at once
                out, h, c = self.run_direction(gi, h0[k], None if c0 is None else c0[k], w_hh, b_hh, d == 1)
                outputs.append(out)
                h_n.append(h)
                c_n.append(c)
            x = outputs[0] if len(outputs) == 1 else ag.cat(outputs, dim=-1)
        return self.pack_result(x, h_n, c_n, unbatched)

    def pack_result(self, output, h_n, c_n, unbatched):
        """(output, h_n) or (output, (h_n, c_n)) in the caller's layout."""
        h = ag.stack(h_n, dim=0)
        c = ag.stack(c_n, dim=0) if self.mode == "LSTM" else None
        if unbatched:
            output, h = output.squeeze(1), h.squeeze(1)
            c = None if c is None else c.squeeze(1)
        elif self.batch_first:
            output = output.transpose(0, 1)
        return (output, (h, c)) if self.mode == "LSTM" else (output, h)

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        for name, default in (("bias", True), ("batch_first", False), ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text


class RNN(RNNBase):
    """h_t = φ(W_ih x_t + b_ih + W_hh h_(t−1) + b_hh), φ = tanh or relu (``nonlinearity``)."""

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        nonlinearity="tanh",
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        dtype=None,
        generator=None,
        device=None,
    ):
        check_device(device)  # the CPU is the only device
        mode = mode_of("RNN", nonlinearity)
        super().__init__(
            mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype, generator
        )
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Gates i, f, g, o (PyTorch's order) = σ, σ, tanh, σ of W_ih x_t + b_ih + W_hh h_(t−1) + b_hh;
    c_t = f ⊙ c_(t−1) + i ⊙ g, h_t = o ⊙ tanh(c_t). ``forward`` returns (output, (h_n, c_n))."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, dtype=None, generator=None, device=None):  # fmt: skip
        check_device(device)  # the CPU is the only device
        super().__init__(
            "LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype, generator
        )


class GRU(RNNBase):
    """r, z = σ(W_i{r,z} x + b_i{r,z} + W_h{r,z} h + b_h{r,z}), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
    h_t = (1 − z) ⊙ n + z ⊙ h_(t−1) (PyTorch's order r, z, n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, dtype=None, generator=None, device=None):  # fmt: skip
        check_device(device)  # the CPU is the only device
        super().__init__(
            "GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype, generator
        )


class RNNCellBase(Module):
    """One time step of a recurrent layer: parameters ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``."""

    def __init__(self, mode, input_size, hidden_size, bias=True, dtype=None, generator=None, device=None):
        check_device(device)  # the CPU is the only device
        super().__init__()
        if input_size <= 0 or hidden_size <= 0:
            raise ValueError(
                f"{type(self).__name__}: input_size and hidden_size must be positive, got {input_size}, {hidden_size}"
            )
        self.mode, self.input_size, self.hidden_size, self.bias = mode, input_size, hidden_size, bias
        self.generator = generator
        dt = parameter_dtype(dtype)
        gate_size = GATES[mode] * hidden_size
        self.weight_ih = Parameter(np.empty((gate_size, input_size), dtype=dt))
        self.weight_hh = Parameter(np.empty((gate_size, hidden_size), dtype=dt))
        if bias:
            self.bias_ih = Parameter(np.empty((gate_size,), dtype=dt))
            self.bias_hh = Parameter(np.empty((gate_size,), dtype=dt))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias ~ U(−1/√H, 1/√H) (PyTorch's init)."""
        uniform_init(self, self.hidden_size)

    def step(self, input, hx):
        """(h', c') from the checked input and state (c' None unless LSTM)."""
        name = type(self).__name__
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise ShapeError(
                f"{name}(input_size={self.input_size}): expected input of shape (N, {self.input_size}) or "
                f"({self.input_size},), got {tuple(input.shape)}"
            )
        unbatched = input.ndim == 1
        x = input.unsqueeze(0) if unbatched else input
        shape = (x.shape[0], self.hidden_size)
        expected = shape[1:] if unbatched else shape
        if hx is None:
            zeros = ag.zeros(*expected, dtype=x.dtype)
            hx = (zeros, zeros) if self.mode == "LSTM" else zeros
        states = self.check_state_type(hx)
        for state in states:
            check_hidden(name, state, expected)
        if unbatched:
            states = [s.unsqueeze(0) for s in states]
        gi = F.linear(x, self.weight_ih, self.bias_ih)
        h, c = rnn_step(self.mode, gi, states[0], states[1] if self.mode == "LSTM" else None, self.weight_hh,
                        self.bias_hh)  # fmt: skip
        if unbatched:
            h, c = h.squeeze(0), (None if c is None else c.squeeze(0))
        return h, c

    def check_state_type(self, hx):
        """The states in hx as a list: LSTMCell's (h, c) tuple, or the one Tensor of RNNCell and GRUCell."""
        name = type(self).__name__
        if self.mode == "LSTM":
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"{name}: hx must be a tuple (h, c), got {_describe(hx)}")
            return list(hx)
        if not isinstance(hx, ag.Tensor):
            raise TypeError(f"{name}: hx must be a Tensor h of shape (N, hidden_size), got {_describe(hx)}")
        return [hx]

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RNNCell(RNNCellBase):
    """h' = φ(W_ih x + b_ih + W_hh h + b_hh), φ = tanh or relu."""

    def __init__(
        self, input_size, hidden_size, bias=True, nonlinearity="tanh", dtype=None, generator=None, device=None
    ):
        check_device(device)  # the CPU is the only device
        super().__init__(mode_of("RNN", nonlinearity), input_size, hidden_size, bias, dtype, generator)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        return self.step(input, hx)[0]


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o): returns (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, dtype=None, generator=None, device=None):
        check_device(device)  # the CPU is the only device
        super().__init__("LSTM", input_size, hidden_size, bias, dtype, generator)

    def forward(self, input, hx=None):
        return self.step(input, hx)


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n): returns h'."""

    def __init__(self, input_size, hidden_size, bias=True, dtype=None, generator=None, device=None):
        check_device(device)  # the CPU is the only device
        super().__init__("GRU", input_size, hidden_size, bias, dtype, generator)

    def forward(self, input, hx=None):
        return self.step(input, hx)[0]
