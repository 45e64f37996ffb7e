"""Plain Python + numpy reference of the training kernel: every kernel is checked against it.

It follows the same algorithm with the same random draws (splitmix64, the same
bits used for the same decisions), one vector operation at a time and in
float32, so a kernel's matrices must match it to rounding.
"""
import numpy as np

from fastemb.kernel_constants import CBOW, MAX_Z, SKIPGRAM_BATCHED, SKIPGRAM_CLASSIC  # noqa: F401 (tests use them)

MASK64 = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed: int):
        self.state = seed & MASK64

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)


def unit_float(r: int) -> np.float32:
    return np.float32(r & 0xFFFFFF) * np.float32(1.0 / 16777216.0)


def below(r: int, n: int) -> int:
    return ((r >> 32) * n) >> 32


def output_step(h, out, grad_h, lr, sign, logistic):
    """One logistic-loss step against one output row; returns the loss."""
    z = np.float32(-sign * np.dot(h, out))
    if z <= -MAX_Z:
        return 0.0
    if z < MAX_Z:
        i = int((z + np.float32(MAX_Z)) * np.float32((logistic.shape[1] - 1) / (2 * MAX_Z)))
        g, loss = np.float32(lr * sign * logistic[0, i]), float(logistic[1, i])
    else:
        g, loss = np.float32(lr * sign), float(z)
    grad_h += g * out
    out += g * h  # in place: `out` is a row view of w_out
    return loss


def gradient(h, out, lr, sign, logistic):
    """(step g, loss) of one example; see output_step."""
    z = np.float32(-sign * np.dot(h, out))
    if z <= -MAX_Z:
        return np.float32(0.0), 0.0
    if z < MAX_Z:
        i = int((z + np.float32(MAX_Z)) * np.float32((logistic.shape[1] - 1) / (2 * MAX_Z)))
        return np.float32(lr * sign * logistic[0, i]), float(logistic[1, i])
    return np.float32(lr * sign), float(z)


def sentences(ids, keep_prob, max_sentence_length, rng):
    """The chunk's sentences as the kernels read them: (position of the first word,
    the words kept by word2vec.c's subsampling, drawn from ``rng``); a sentence
    longer than ``max_sentence_length`` is cut there."""
    n, pos = len(ids), 0
    while pos < n:
        start, sentence = pos, []
        while pos < n and len(sentence) < max_sentence_length:
            word = int(ids[pos])
            pos += 1
            if word < 0:
                break
            if unit_float(rng.next()) < keep_prob[word]:
                sentence.append(word)
        yield start, sentence


def train_chunk(method, w_in, w_out, ids, keep_prob, noise_prob, noise_alias, logistic,
                max_sentence_length, window, negative, lr_first, lr_last, seed, paths=None):
    """What the kernels' train_chunk does, written for clarity. Updates w_in, w_out in place.
    ``paths``: for hierarchical softmax, per word a list of (w_out row, sign) from the root."""
    rng = SplitMix64(seed)
    n = len(ids)
    loss, examples, kept_total = 0.0, 0, 0

    def targets_for(centre):
        """[(w_out row, label sign)]: the centre's path, then the centre and its noise words."""
        found = list(paths[centre]) if paths is not None else []
        if negative == 0:
            return found
        found.append((centre, 1.0))
        for _ in range(negative):
            r = rng.next()
            column = below(r, len(noise_prob))
            target = column if unit_float(r) < noise_prob[column] else int(noise_alias[column])
            if target != centre:
                found.append((target, -1.0))
        return found

    for start, sentence in sentences(ids, keep_prob, max_sentence_length, rng):
        kept_total += len(sentence)
        lr = np.float32(lr_first + (lr_last - lr_first) * np.float32(start / n))
        ahead = method != SKIPGRAM_CLASSIC  # targets drawn one centre ahead (the kernels prefetch them)
        upcoming = targets_for(sentence[0]) if ahead and sentence else None
        for c, centre in enumerate(sentence):
            span = window - below(rng.next(), window)
            if ahead:
                current = upcoming
                if c + 1 < len(sentence):
                    upcoming = targets_for(sentence[c + 1])
            contexts = [sentence[j] for j in range(max(0, c - span), min(len(sentence), c + span + 1)) if j != c]
            if not contexts:
                continue
            if method == CBOW:
                mean = np.mean(w_in[contexts], axis=0, dtype=np.float32)
                grad = np.zeros_like(mean)
                for first in range(0, len(current), 4):  # four targets scored from the same weights
                    group = current[first:first + 4]
                    steps = []
                    for target, sign in group:
                        g, example_loss = gradient(mean, w_out[target], lr, sign, logistic)
                        steps.append(g)
                        loss += example_loss
                        grad += g * w_out[target]
                    for (target, _), g in zip(group, steps):
                        w_out[target] += g * mean
                for context in contexts:
                    w_in[context] += grad
                examples += 1
            elif method == SKIPGRAM_CLASSIC:
                for context in contexts:
                    h = w_in[context]
                    grad = np.zeros_like(h)
                    for target, sign in targets_for(centre):
                        loss += output_step(h, w_out[target], grad, lr, sign, logistic)
                    h += grad
                    examples += 1
            else:  # batched: every (context, target) example scored from the same weights
                targets = [target for target, _ in current]
                steps = np.zeros((len(contexts), len(targets)), np.float32)
                for b, context in enumerate(contexts):
                    for t, (target, sign) in enumerate(current):
                        steps[b, t], example_loss = gradient(w_in[context], w_out[target], lr, sign, logistic)
                        loss += example_loss
                grad_in = steps @ w_out[targets]
                grad_out = steps.T @ w_in[contexts]
                np.add.at(w_in, contexts, grad_in)
                np.add.at(w_out, targets, grad_out)
                examples += len(contexts)
    return loss, examples, kept_total
