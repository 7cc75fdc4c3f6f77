"""Checkpoints in the safetensors format: no pickle (loading runs no code), readable by PyTorch.

``save`` writes a temporary file in the target's directory and renames it over the target, so a
crash mid-write leaves any existing checkpoint intact. A SHA-256 of the tensors is stored in the
file's metadata and checked by ``load``, which catches corruption the format itself cannot see
(flipped bytes inside tensor data).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Mapping

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save_file

from autograd import Tensor

from .module import Module

__all__ = ["save", "load", "CheckpointError", "atomic_write"]

_CHECKSUM_KEY = "glassgrad.sha256"


class CheckpointError(ValueError):
    """A checkpoint file is truncated, corrupted, or not a safetensors file."""


def _array(key, value):
    if isinstance(value, Tensor):
        arr = value.array
    elif isinstance(value, np.ndarray):
        arr = value
    elif hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        arr = value.detach().cpu().numpy()
    elif isinstance(value, (bool, int, float, np.generic)):
        arr = np.asarray(value)
    else:
        raise TypeError(
            f"nn.save: the value for '{key}' is a {type(value).__name__}; expected a Tensor, ndarray or number"
        )
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"nn.save: the value for '{key}' has dtype {arr.dtype}; only numeric and bool arrays can be saved"
        )
    # NOTE: not np.ascontiguousarray, which turns a 0-d array (num_batches_tracked) into shape (1,)
    return arr if arr.flags.c_contiguous else arr.copy(order="C")


def _checksum(arrays):
    h = hashlib.sha256()
    for key in sorted(arrays):
        arr = arrays[key]
        h.update(f"{key}\0{arr.dtype.str}\0{arr.shape}\0".encode())
        h.update(np.ascontiguousarray(arr).reshape(-1).view(np.uint8))
    return h.hexdigest()


def _tmp_name(path):
    """A temporary file beside ``path``, named after it and this process: ``.model.safetensors.<pid>.<random>.tmp``."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.{os.getpid()}.", suffix=".tmp")
    os.close(fd)
    return tmp


def _remove_stale_tmp_files(path):
    """Delete the temporary files a killed process left beside ``path`` (its pid no longer runs)."""
    directory = os.path.dirname(os.path.abspath(path))
    prefix = f".{os.path.basename(path)}."
    with contextlib.suppress(OSError):
        for name in os.listdir(directory):
            if not (name.startswith(prefix) and name.endswith(".tmp")):
                continue
            pid = name[len(prefix) :].split(".", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid)):
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(directory, name))


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


def atomic_write(path, write):
    """Write ``path`` all or nothing: ``write(tmp)`` fills a temporary file beside it, then a rename.

    A failure (an exception, a full disk) removes the temporary file and leaves any file at
    ``path`` as it was; leftovers of processes that were killed mid-write are removed first.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    _remove_stale_tmp_files(path)
    tmp = _tmp_name(path)
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
        os.chmod(tmp, mode)  # mkstemp makes the file private (0600); give it a normal file's mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    with contextlib.suppress(OSError, AttributeError):  # make the rename itself durable (POSIX)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def save(obj, path, metadata=None):
    """Save a Module's ``state_dict()`` (or a dict of name → Tensor/ndarray/number) to ``path``.

    ``metadata`` is an optional dict of strings stored in the file's header.
    """
    state = obj.state_dict() if isinstance(obj, Module) else obj
    if not isinstance(state, Mapping):
        raise TypeError(f"nn.save: expected a Module or a dict of name -> tensor, got {type(obj).__name__}")
    arrays = {}
    for key, value in state.items():
        if not isinstance(key, str):
            raise TypeError(f"nn.save: keys must be strings, got {key!r}")
        arrays[key] = _array(key, value)
    # "pt": the keys, shapes and layouts are PyTorch's, so PyTorch tools accept the file as theirs.
    meta = {"format": "pt"}
    for k, v in (metadata or {}).items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError(f"nn.save: metadata must map strings to strings, got {k!r}: {v!r}")
        meta[k] = v
    meta[_CHECKSUM_KEY] = _checksum(arrays)

    atomic_write(path, lambda tmp: save_file(arrays, tmp, metadata=meta))


def load(path):
    """Read a safetensors checkpoint as a dict of name → NumPy array (writable, not memory-mapped).

    Pass it to ``module.load_state_dict``. Raises ``CheckpointError`` (naming the path) for a
    truncated or corrupted file and ``FileNotFoundError`` if there is none.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"nn.load: no checkpoint at {path}")
    try:
        with safe_open(path, framework="np") as f:
            meta = f.metadata() or {}
            arrays = {key: f.get_tensor(key) for key in f.keys()}
    except (SafetensorError, ValueError, OSError) as e:
        raise CheckpointError(
            f"nn.load: {path} is not a readable safetensors checkpoint (truncated, corrupted, or another "
            f"format such as a pickled torch .pt file): {e}"
        ) from e
    expected = meta.get(_CHECKSUM_KEY)
    if expected is not None and _checksum(arrays) != expected:
        raise CheckpointError(
            f"nn.load: {path} is corrupted: its tensor data does not match the checksum written when it was "
            f"saved. Re-save it or use another copy"
        )
    return arrays
