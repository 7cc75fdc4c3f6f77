"""Batching sequences of different lengths for the recurrent layers."""

from __future__ import annotations

import autograd as ag

__all__ = ["pad_sequence"]


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors (L_i, *) into (L_max, N, *) ((N, L_max, *) with batch_first), padding with padding_value."""
    if not sequences:
        raise ValueError("pad_sequence: got an empty list of sequences")
    if padding_side not in ("right", "left"):
        raise ValueError(f"pad_sequence: padding_side must be 'right' or 'left', got {padding_side!r}")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        extra = longest - s.shape[0]
        widths = (0, 0) * (s.ndim - 1) + ((0, extra) if padding_side == "right" else (extra, 0))
        padded.append(ag.pad(s, widths, value=padding_value) if extra else s)
    return ag.stack(padded, dim=0 if batch_first else 1)
