"""Embedding, F.embedding, F.one_hot and SiLU against PyTorch (float64, 1e-6)."""

import numpy as np
import pytest
from nn_testutil import compare_twins

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")

IDX = np.array([[0, 2, 4], [4, 1, 2]])


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_matches_torch(padding_idx):
    torch.manual_seed(0)
    ours, theirs = nn.Embedding(5, 3, padding_idx=padding_idx), torch.nn.Embedding(5, 3, padding_idx=padding_idx)
    compare_twins(ours, theirs, IDX)  # repeated indices add; the padding row gets no gradient
    if padding_idx is not None:
        assert not ours.weight.grad.array[padding_idx].any()


def test_embedding_init_is_standard_normal_with_a_zero_padding_row():
    emb = nn.Embedding(2000, 8, padding_idx=3, generator=np.random.default_rng(0))
    assert not emb.weight.array[3].any()
    assert abs(emb.weight.array.std() - 1) < 0.02 and abs(emb.weight.array.mean()) < 0.02


def test_embedding_out_of_range_names_the_value_and_the_size():
    emb = nn.Embedding(5, 3)
    with pytest.raises(IndexError, match=r"index 7 is out of range for size 5"):
        emb(np.array([1, 7]))
    with pytest.raises(IndexError, match=r"index -1 is out of range for size 5"):
        emb(ag.tensor(np.array([-1, 0])))
    with pytest.raises(TypeError, match="integers"):
        emb(np.array([0.5]))
    with pytest.raises(ValueError, match="padding_idx 5 must be within num_embeddings 5"):
        nn.Embedding(5, 3, padding_idx=5)


def test_functional_embedding_gradcheck():
    w = ag.tensor(np.random.default_rng(0).standard_normal((4, 2)), requires_grad=True)
    assert ag.gradcheck(lambda w: F.embedding(np.array([[1, 1], [3, 0]]), w), (w,))


def test_one_hot_matches_torch():
    for classes in (-1, 7):
        got = F.one_hot(ag.tensor(IDX), classes)
        want = torch.nn.functional.one_hot(torch.tensor(IDX), classes)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got.array, want.numpy())
    with pytest.raises(IndexError, match="index 4 is out of range for size 3"):
        F.one_hot(IDX, 3)


def test_silu_module_matches_torch():
    x = np.random.default_rng(1).standard_normal((3, 4)) * 4
    compare_twins(nn.SiLU(), torch.nn.SiLU(), x)
