"""Sequence models learn small synthetic tasks: the recurrent layers carry a value through time,
attention looks back to the token before (which needs the causal mask's positions)."""

import numpy as np

import autograd as ag
import nn
import optim


def _fit(params, step, n):
    opt = optim.Adam(params, lr=0.02)
    losses = []
    for _ in range(n):
        loss = step()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_gru_and_rnn_remember_the_first_input():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (64, 6, 1))
    y = x[:, 0]  # recall the first entry after five more
    for kind in ("GRU", "RNN"):
        model_rng = np.random.default_rng(1)
        rnn = getattr(nn, kind)(1, 12, batch_first=True, dtype=np.float64, generator=model_rng)
        head = nn.Linear(12, 1, dtype=np.float64, generator=model_rng)

        def step():
            out, _ = rnn(ag.tensor(x))
            return nn.functional.mse_loss(head(out[:, -1]), ag.tensor(y))

        losses = _fit(list(rnn.parameters()) + list(head.parameters()), step, 200)
        assert losses[-1] < 0.05 * losses[0], (kind, losses[0], losses[-1])


def test_a_causal_transformer_learns_to_copy_the_previous_token():
    ag.manual_seed(0)
    vocab, length, d = 6, 8, 16
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, vocab, (64, length))
    targets = np.concatenate([np.zeros((64, 1), np.int64), tokens[:, :-1]], axis=1)  # the token before
    embed = nn.Embedding(vocab, d)
    position = nn.Embedding(length, d)
    layer = nn.TransformerEncoderLayer(d, 2, dim_feedforward=32, dropout=0.0, batch_first=True)
    head = nn.Linear(d, vocab)
    mask = np.triu(np.full((length, length), -np.inf), 1)  # position t sees 0..t

    def logits():
        h = embed(ag.tensor(tokens)) + position(ag.arange(length))
        return head(layer(h, src_mask=ag.tensor(mask, dtype=np.float32)))

    def step():
        return nn.functional.cross_entropy(logits().reshape(-1, vocab), ag.tensor(targets.reshape(-1)))

    params = [p for m in (embed, position, layer, head) for p in m.parameters()]
    losses = _fit(params, step, 150)
    accuracy = (logits().numpy().argmax(-1) == targets).mean()
    assert losses[-1] < 0.2 * losses[0] and accuracy > 0.9, (losses[0], losses[-1], accuracy)
