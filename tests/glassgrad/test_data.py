"""Datasets, loaders, splits and transforms (issue: train for real)."""

import gzip
import struct

import numpy as np
import pytest

import autograd as ag
from glassgrad import data
from glassgrad.data import datasets, transforms


def _ds(n=10):
    return data.TensorDataset(ag.tensor(np.arange(n * 2, dtype=np.float32).reshape(n, 2)), ag.tensor(np.arange(n) % 3))


def test_tensor_dataset_and_shape_mismatch():
    ds = _ds()
    x, y = ds[3]
    assert x.tolist() == [6.0, 7.0] and y.item() == 0
    with pytest.raises(ValueError, match=r"same first dimension.*\(3, 2\), \(4,\)"):
        data.TensorDataset(ag.zeros(3, 2), ag.zeros(4))


def test_loader_batches_cover_everything_and_reshuffle_each_epoch():
    loader = data.DataLoader(_ds(10), batch_size=4, shuffle=True, seed=0)
    assert len(loader) == 3
    epoch1 = np.concatenate([y.array for _, y in loader])
    epoch2 = np.concatenate([x.array[:, 0] for x, _ in loader])
    assert sorted(epoch2.tolist()) == list(range(0, 20, 2))
    order1 = [x.array[:, 0].tolist() for x, _ in data.DataLoader(_ds(10), batch_size=4, shuffle=True, seed=0)]
    order2 = [x.array[:, 0].tolist() for x, _ in data.DataLoader(_ds(10), batch_size=4, shuffle=True, seed=0)]
    assert order1 == order2, "same seed, same order"
    loader = data.DataLoader(_ds(10), batch_size=4, shuffle=True, seed=0)
    a = [x.array[:, 0].tolist() for x, _ in loader]
    b = [x.array[:, 0].tolist() for x, _ in loader]
    assert a != b, "a new order every epoch"
    assert len(epoch1) == 10
    assert [len(x) for x, _ in data.DataLoader(_ds(10), batch_size=4, drop_last=True)] == [4, 4]
    with pytest.raises(ValueError, match="batch_size"):
        data.DataLoader(_ds(), batch_size=0)


def test_loader_state_dict_resumes_order():
    loader = data.DataLoader(_ds(10), batch_size=3, shuffle=True, seed=1)
    list(loader)
    state = loader.state_dict()
    nxt = [x.array.tolist() for x, _ in loader]
    other = data.DataLoader(_ds(10), batch_size=3, shuffle=True, seed=99)
    other.load_state_dict(state)
    assert [x.array.tolist() for x, _ in other] == nxt


def test_random_split_and_fractions():
    a, b = data.random_split(_ds(10), [7, 3], seed=0)
    assert len(a) == 7 and len(b) == 3
    assert set(a.indices.tolist()).isdisjoint(b.indices.tolist())
    parts = data.random_split(_ds(10), [0.5, 0.3, 0.2], seed=0)
    assert [len(p) for p in parts] == [5, 3, 2]
    with pytest.raises(ValueError, match="sum to the dataset size 10"):
        data.random_split(_ds(10), [5, 4])


def test_stratified_split_keeps_class_proportions():
    ds = datasets.digits()
    train, test = data.stratified_split(ds, [0.8, 0.2], seed=0)
    assert len(train) + len(test) == 1797
    y = ds.tensors[1].array
    whole = np.bincount(y) / len(y)
    part = np.bincount(y[test.indices], minlength=10) / len(test)
    assert np.max(np.abs(whole - part)) < 0.01
    xb, yb = next(iter(data.DataLoader(test, batch_size=5)))
    assert xb.shape == (5, 64) and yb.dtype == np.int64


def test_generated_datasets_shapes_and_balance():
    for ds in (datasets.rings(200), datasets.moons(200), datasets.spirals(300, classes=3)):
        X, y = ds.tensors
        assert X.dtype == np.float32 and y.dtype == np.int64
        counts = np.bincount(y.array)
        assert counts.min() == counts.max()
    X, y = datasets.xor().tensors
    assert y.tolist() == [0, 1, 1, 0]
    assert datasets.digits(images=True).tensors[0].shape == (1797, 1, 8, 8)
    np.testing.assert_array_equal(
        datasets.rings(50, seed=3).tensors[0].array, datasets.rings(50, seed=3).tensors[0].array
    )


def _write_idx(path, array, compress=False):
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(np.uint8).tobytes()
    opener = gzip.open if compress else open
    with opener(path, "wb") as f:
        f.write(payload)


def test_load_idx_raw_gz_and_errors(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    _write_idx(tmp_path / "x.idx", images)
    _write_idx(tmp_path / "x.idx.gz", images, compress=True)
    np.testing.assert_array_equal(datasets.load_idx(str(tmp_path / "x.idx")), images)
    np.testing.assert_array_equal(datasets.load_idx(str(tmp_path / "x.idx.gz")), images)
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(ValueError, match="not an IDX file"):
        datasets.load_idx(str(tmp_path / "bad"))
    raw = (tmp_path / "x.idx").read_bytes()
    (tmp_path / "short.idx").write_bytes(raw[:-3])
    with pytest.raises(ValueError, match="header says shape"):
        datasets.load_idx(str(tmp_path / "short.idx"))
    with pytest.raises(FileNotFoundError, match="not downloaded"):
        datasets.load_idx(str(tmp_path / "missing.idx"))


def test_standardize_per_feature_and_per_channel():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((100, 3)) * [1.0, 5.0, 0.1] + [0.0, 3.0, -2.0]
    s = transforms.Standardize().fit(x[:80])
    z = s.transform(x[:80])
    np.testing.assert_allclose(z.mean(0), 0, atol=1e-7)
    np.testing.assert_allclose(z.std(0), 1, atol=1e-6)
    imgs = rng.standard_normal((20, 3, 4, 4)) * np.array([1.0, 2.0, 3.0])[:, None, None]
    t = transforms.Standardize().fit(imgs)
    assert t.mean.shape == (3, 1, 1)
    np.testing.assert_allclose(t.transform(imgs).std(axis=(0, 2, 3)), 1, atol=1e-6)
    with pytest.raises(ValueError, match="3 features/channels"):
        s.transform(rng.standard_normal((5, 4)))


def test_augmentations_on_image_batches():
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((6, 2, 5, 5)).astype(np.float32))
    y = ag.tensor(np.arange(6) % 3)
    fx, fy = transforms.RandomHorizontalFlip(p=1.0, seed=0)((x, y))
    np.testing.assert_array_equal(fx.array, x.array[..., ::-1])
    assert fy is y
    cx, _ = transforms.RandomCrop(5, padding=2, seed=0)((x, y))
    assert cx.shape == x.shape
    # every crop is a shifted window of the zero-padded image
    padded = np.pad(x.array, ((0, 0), (0, 0), (2, 2), (2, 2)))
    for i in range(6):
        assert any(np.array_equal(cx.array[i], padded[i, :, r : r + 5, c : c + 5]) for r in range(5) for c in range(5))
    ox, _ = transforms.Cutout(2, seed=0)((x, y))
    zeroed = (ox.array == 0).all(axis=1).sum(axis=(1, 2))
    assert np.all((zeroed >= 1) & (zeroed <= 4))
    mx, soft = transforms.Mixup(alpha=0.4, num_classes=3, seed=0)((x, y))
    assert soft.shape == (6, 3)
    np.testing.assert_allclose(soft.array.sum(1), 1, rtol=1e-6)
    assert mx.dtype == np.float32
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        transforms.Cutout(2)((ag.zeros(3, 4), y))


def test_standardize_keeps_constant_features_finite():
    train = np.array([[0.0, 1.0], [0.0, 3.0]])
    s = transforms.Standardize().fit(train)
    out = s.transform(np.array([[5.0, 2.0]]))
    np.testing.assert_allclose(out, [[5.0, 0.0]], atol=1e-6)  # the constant feature is only centred


def test_dataloader_takes_pytorchs_options():
    import autograd as ag
    from glassgrad.data import DataLoader, TensorDataset

    ds = TensorDataset(ag.arange(10), ag.arange(10) * 2)
    loader = DataLoader(ds, batch_size=4, shuffle=True, num_workers=2, pin_memory=True, persistent_workers=False)
    batches = list(loader)
    assert sorted(np.concatenate([b[0].numpy() for b in batches]).tolist()) == list(range(10))
    order = [np.concatenate([b[0].numpy() for b in DataLoader(ds, 4, True, generator=ag.Generator().manual_seed(3))])]
    again = [np.concatenate([b[0].numpy() for b in DataLoader(ds, 4, True, generator=ag.Generator().manual_seed(3))])]
    np.testing.assert_array_equal(order[0], again[0])
    summed = list(DataLoader(ds, batch_size=5, collate_fn=lambda samples: sum(int(x) for x, _ in samples)))
    assert summed == [10, 35]
    with pytest.raises(TypeError, match="sampler"):
        DataLoader(ds, sampler=[0, 1])
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(ds, num_workers=-1)
