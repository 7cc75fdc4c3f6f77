"""The shipped names, the character tokenizer and the sequence datasets (issue 16, data)."""

import hashlib
import importlib.resources
import re

import numpy as np
import pytest

import autograd as ag
import nn
from glassgrad import data

NAMES_SHA256 = "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"


@pytest.fixture(scope="module")
def names():
    return data.load_names()


@pytest.fixture(scope="module")
def tok(names):
    return data.CharTokenizer.from_texts(names)


def test_names_file_is_the_checked_copy(names):
    raw = importlib.resources.files("glassgrad.data").joinpath("names.txt").read_bytes()  # as a package resource
    assert hashlib.sha256(raw).hexdigest() == NAMES_SHA256
    assert len(names) == 32033 and all(re.fullmatch(r"[a-z]+", w) for w in names)
    assert names[:5] == ["emma", "olivia", "ava", "isabella", "sophia"] and names[-1] == "zzyzx"
    assert min(map(len, names)) == 2 and max(map(len, names)) == 15
    assert importlib.resources.files("glassgrad.data").joinpath("README.md").is_file()  # source and licence


def test_load_names_from_another_file(tmp_path):
    path = tmp_path / "w.txt"
    path.write_text("anna\n\nbob\n")
    assert data.load_names(path) == ["anna", "bob"]


def test_split_words_is_deterministic_disjoint_and_complete(names):
    a = data.split_words(names, (0.8, 0.1, 0.1), seed=0)
    b = data.split_words(names, (0.8, 0.1, 0.1), seed=0)
    c = data.split_words(names, (0.8, 0.1, 0.1), seed=1)
    assert a == b and a != c
    assert [len(p) for p in a] == [25626, 3204, 3203]
    assert sorted(a[0] + a[1] + a[2]) == sorted(names)  # every word once (duplicates kept as duplicates)
    with pytest.raises(ValueError, match="sum to 1"):
        data.split_words(names, (0.5, 0.2))


def test_tokenizer_vocabulary_and_round_trip(names, tok):
    assert tok.vocab_size == len(tok) == 27 and tok.itos[0] == "." and tok.special_id == 0
    assert "".join(tok.itos[1:]) == "abcdefghijklmnopqrstuvwxyz"
    for w in names[::997]:
        assert tok.decode(tok.encode(w)) == w
    ids = tok.encode("emma", bos=True, eos=True)
    assert ids == [0, 5, 13, 13, 1, 0]
    assert tok.decode(np.array(ids)) == ".emma." and tok.decode(ag.tensor(ids[1:]), stop=True) == "emma"
    with pytest.raises(ValueError, match=r"character 'Z' in 'Zoe' is not in the vocabulary"):
        tok.encode("Zoe")
    with pytest.raises(ValueError, match="id 27 is out of range for a vocabulary of 27"):
        tok.decode([27])


def test_next_char_dataset_pairs_and_shapes(tok):
    ds = data.NextCharDataset(["emma", "al"], tok, block_size=3)
    X, Y = ds.tensors
    assert X.shape == (8, 3) and Y.shape == (8,) and X.dtype == np.int64 and Y.dtype == np.int64
    contexts = ["".join(tok.itos[i] for i in row) for row in X.numpy()]
    assert contexts == ["...", "..e", ".em", "emm", "mma", "...", "..a", ".al"]
    assert tok.decode(Y.numpy()) == "emma.al."
    x, y = next(iter(data.DataLoader(ds, batch_size=5)))
    assert x.shape == (5, 3) and y.shape == (5,)
    with pytest.raises(ValueError, match="block_size"):
        data.NextCharDataset(["a"], tok, 0)


def test_next_char_dataset_counts_every_character(names, tok):
    words = names[:500]
    ds = data.NextCharDataset(words, tok, block_size=4)
    assert len(ds) == sum(len(w) + 1 for w in words)


def test_sequence_dataset_items_and_padded_batches(tok):
    words = ["emma", "al", "olivia"]
    ds = data.SequenceDataset(words, tok)
    x, y = ds[1]
    assert x.numpy().tolist() == [0, 1, 12] and y.numpy().tolist() == [1, 12, 0]
    xb, yb, lengths = next(iter(data.DataLoader(ds, batch_size=3)))
    assert xb.shape == (3, 7) and yb.shape == (3, 7) and lengths.numpy().tolist() == [5, 3, 7]
    assert xb.numpy()[1].tolist() == [0, 1, 12, 0, 0, 0, 0]
    assert yb.numpy()[1].tolist() == [1, 12, 0, -100, -100, -100, -100]
    for k, w in enumerate(words):  # inputs start with '.', targets end with it; padding never leaks in
        n = int(lengths.numpy()[k])
        assert tok.decode(xb.numpy()[k, :n]) == "." + w and tok.decode(yb.numpy()[k, :n]) == w + "."
    part = data.Subset(ds, [2, 0])
    xs, ys, ls = part.take([0, 1])
    assert ls.numpy().tolist() == [7, 5] and xs.shape == (2, 7)


def test_padding_is_ignored_by_the_loss(tok):
    # The mean cross-entropy of a padded batch equals the mean over the real positions only.
    ds = data.SequenceDataset(["emma", "al"], tok)
    xb, yb, lengths = ds.take([0, 1])
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((2, 5, 27))
    loss = nn.CrossEntropyLoss()(ag.tensor(logits.reshape(-1, 27)), yb.reshape(-1)).item()
    real = [(k, t) for k in range(2) for t in range(int(lengths.numpy()[k]))]
    log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = -np.mean([log_p[k, t, yb.numpy()[k, t]] for k, t in real])
    assert np.isclose(loss, expected, rtol=1e-12)


def test_collate_sequences_pads_given_values():
    xb, yb, lengths = data.collate_sequences([([1, 2], [2, 3]), ([4], [5])], padding_value=9, target_padding=-1)
    assert xb.numpy().tolist() == [[1, 2], [4, 9]] and yb.numpy().tolist() == [[2, 3], [5, -1]]
    assert lengths.numpy().tolist() == [2, 1]


def test_the_names_ship_in_the_package():
    # A non-editable install copies only what package-data lists: the names and their README.
    tomllib = pytest.importorskip("tomllib")
    root = importlib.resources.files("glassgrad").joinpath("..")
    config = tomllib.loads(root.joinpath("pyproject.toml").read_text())
    assert {"names.txt", "README.md"} <= set(config["tool"]["setuptools"]["package-data"]["glassgrad.data"])
