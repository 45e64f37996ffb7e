"""Plain numpy reference of train_chunk_subword: input vectors are means of rows.

Same random draws as the kernels (reference.SplitMix64, the same bits for the
same decisions), one vector operation at a time in float32.
"""
import numpy as np

from reference import SplitMix64, below, gradient, sentences, unit_float

from fastemb.kernel_constants import SUBWORD_CBOW, SUBWORD_SKIPGRAM  # noqa: F401 (tests use both)


def train_chunk_subword(method, w_in, w_out, offsets, rows, ids, keep_prob, noise_prob, noise_alias, logistic,
                        max_sentence_length, window, negative, lr_first, lr_last, seed):
    """What the kernels' train_chunk_subword does, written for clarity. Updates w_in, w_out in place."""
    rng = SplitMix64(seed)
    n = len(ids)
    loss, examples, kept_total = 0.0, 0, 0

    def rows_of(word):
        return rows[offsets[word]:offsets[word + 1]]

    def composed(word):
        return np.mean(w_in[rows_of(word)], axis=0, dtype=np.float32)

    def draw_noise():
        r = rng.next()
        column = below(r, len(noise_prob))
        return column if unit_float(r) < noise_prob[column] else int(noise_alias[column])

    def predict(h, word, grad):
        """h predicts word (+1) and `negative` noise words (-1); returns the loss."""
        total = 0.0
        targets = [(word, 1.0)]
        for _ in range(negative):
            noise = draw_noise()
            if noise != word:
                targets.append((noise, -1.0))
        for target, sign in targets:
            g, example_loss = gradient(h, w_out[target], lr, sign, logistic)
            total += example_loss
            grad += g * w_out[target]
            w_out[target] += g * h
        return total

    for start, sentence in sentences(ids, keep_prob, max_sentence_length, rng):
        kept_total += len(sentence)
        lr = np.float32(lr_first + (lr_last - lr_first) * np.float32(start / n))
        for c, centre in enumerate(sentence):
            span = window - below(rng.next(), window)
            contexts = [sentence[j] for j in range(max(0, c - span), min(len(sentence), c + span + 1)) if j != c]
            if not contexts:
                continue
            if method == SUBWORD_SKIPGRAM:  # the centre's composed vector predicts each context word
                h = composed(centre)
                grad = np.zeros_like(h)
                for context in contexts:
                    loss += predict(h, context, grad)
                for row in rows_of(centre):  # a repeated bucket gets the step once per occurrence
                    w_in[row] += grad
                examples += len(contexts)
            else:  # CBOW: the mean of the contexts' composed vectors predicts the centre
                h = np.mean([composed(context) for context in contexts], axis=0, dtype=np.float32)
                grad = np.zeros_like(h)
                loss += predict(h, centre, grad)
                for context in contexts:
                    for row in rows_of(context):
                        w_in[row] += grad
                examples += 1
    return loss, examples, kept_total
