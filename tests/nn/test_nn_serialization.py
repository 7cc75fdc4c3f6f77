"""nn.save / nn.load: safetensors round trip (bit-exact), atomic writes, corrupt files."""

import os

import numpy as np
import pytest

import autograd as ag
import nn
import nn.serialization


def _trained_model():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.PReLU(), nn.Linear(8, 3))
    for _ in range(3):
        model(ag.randn(16, 4))  # moves the running statistics and num_batches_tracked
    return model


def test_round_trip_is_bit_exact(tmp_path):
    model = _trained_model()
    path = tmp_path / "model.safetensors"
    nn.save(model, path)
    loaded = nn.load(path)
    state = model.state_dict()
    assert set(loaded) == set(state)
    for key, value in state.items():
        assert isinstance(loaded[key], np.ndarray)
        assert loaded[key].dtype == value.dtype and loaded[key].shape == value.shape, key
        assert loaded[key].tobytes() == value.array.tobytes(), key
    assert loaded["1.num_batches_tracked"].dtype == np.int64 and int(loaded["1.num_batches_tracked"]) == 3

    fresh = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.PReLU(), nn.Linear(8, 3))
    fresh.load_state_dict(loaded)
    x = ag.randn(5, 4)
    np.testing.assert_array_equal(fresh.eval()(x).array, model.eval()(x).array)
    for (k, a), (_, b) in zip(fresh.state_dict().items(), state.items()):
        assert a.array.tobytes() == b.array.tobytes(), k


def test_save_accepts_a_state_dict_of_tensors_arrays_and_numbers(tmp_path):
    path = tmp_path / "state.safetensors"
    nn.save({"w": ag.randn(2, 3), "a": np.arange(4, dtype=np.int32), "step": 7, "lr": 0.5, "flag": True}, path)
    loaded = nn.load(path)
    assert loaded["w"].dtype == np.float32 and loaded["a"].dtype == np.int32
    assert int(loaded["step"]) == 7 and float(loaded["lr"]) == 0.5 and bool(loaded["flag"])
    with pytest.raises(TypeError, match="'bad'"):
        nn.save({"bad": "text"}, path)
    with pytest.raises(TypeError, match="Module or a dict"):
        nn.save([1, 2], path)


def test_saving_replaces_atomically_and_a_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    nn.save({"x": np.zeros(3, dtype=np.float32)}, path)
    before = path.read_bytes()

    def crash(arrays, filename, metadata=None):
        with open(filename, "wb") as f:
            f.write(b"half a file")
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(nn.serialization, "save_file", crash)
    with pytest.raises(KeyboardInterrupt):
        nn.save({"x": np.ones(3, dtype=np.float32)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]  # no temporary file left behind
    monkeypatch.undo()
    nn.save({"x": np.ones(3, dtype=np.float32)}, path)
    np.testing.assert_array_equal(nn.load(path)["x"], np.ones(3))
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]


def test_truncated_file_raises_a_clear_error(tmp_path):
    path = tmp_path / "model.safetensors"
    nn.save(_trained_model(), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 10])
    with pytest.raises(nn.CheckpointError, match="model.safetensors is not a readable safetensors checkpoint"):
        nn.load(path)
    path.write_bytes(data[:5])
    with pytest.raises(nn.CheckpointError, match=str(path)):
        nn.load(path)


def test_corrupted_tensor_bytes_are_caught_by_the_checksum(tmp_path):
    path = tmp_path / "model.safetensors"
    nn.save(_trained_model(), path)
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF  # inside the tensor data: the safetensors header is still valid
    path.write_bytes(bytes(data))
    with pytest.raises(nn.CheckpointError, match="is corrupted"):
        nn.load(path)


def test_not_a_checkpoint_and_missing_file(tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(b"\x80\x04\x95pickled torch file")
    with pytest.raises(nn.CheckpointError, match="model.pt"):
        nn.load(path)
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        nn.load(tmp_path / "absent.safetensors")
