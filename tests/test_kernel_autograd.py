"""Each kernel step against the mathematics: -lr x the gradient of the loss, the
loss written from its definition and differentiated by PyTorch autograd.

tests/reference.py replays the kernels' loops, so agreeing with it shows the
backends agree. Here the expectation shares with the kernels only what defines
the method: which vector is input and which output, the objective (negative
sampling; hierarchical softmax on the Huffman codes), and at which parameters
each gradient is taken (a window's start for CBOW and batched skip-gram, pair
after pair for classic skip-gram).

Random draws are fixed, not replayed: window 1 (the span is drawn in
1..window, so 1 leaves no choice), keep probability 1 (no subsampling), and a
one-column alias table that always yields NOISE. One noise draw per example
but for batched skip-gram: a word drawn twice for one input would make the
order of its two updates matter, which the objective does not fix; batched
skip-gram alone applies them together.

Tolerance: the kernels read sigmoid from a table of midpoint values, off by at
most 0.25 (sigmoid's steepest slope) x half a step, a step being 12/1024 at
the trainer's 1024 steps; we allow a whole step (float32 index arithmetic may
pick the neighbouring cell at an edge). Every coordinate is allowed that
error x lr x the sum of |that coordinate| of the vectors it was stepped along,
x1.5 for earlier steps' errors feeding later scores, plus float32 rounding;
the loss a step of softplus error (slope below 1) per decision. The same
checks also run with a 2^18-step table, which leaves float32 rounding alone.
"""
from dataclasses import dataclass

import numpy as np
import pytest

from fastemb.huffman import huffman_paths
from fastemb.sampling import MAX_Z, logistic_table
from fastemb.kernel_call import METHODS, SUBWORD_METHODS, work_shape
from fastemb.kernel_constants import IN_PLACE_MIN_DIM

torch = pytest.importorskip("torch")

LR = 0.25  # large enough that one step changes later scores visibly: sequential vs batched differ
DIM = 6
WINDOW = 1
COUNTS = np.array([9, 7, 5, 3, 2, 1])  # Huffman paths of 2 to 4 decisions
VOCAB = len(COUNTS)
NOISE = 3  # also in the corpus: as a centre it predicts no noise word (word2vec.c drops the draw)
IDS = np.array([0, 1, 2, 3, -1, 4, 1], np.int32)  # word 5 never occurs: its rows must stay put
PAIR_IDS = np.array([0, 1, -1, 3, 4, -1, 1, 2], np.int32)  # sentences of two: one context per centre
TABLE_STEPS = {"table-1024": 1024, "table-2^18": 2 ** 18}
FLOAT32_SLACK = 2e-6  # rounding of a few float32 dot products and steps on values of order 1

# subword inputs: own row first, then bucket rows (VOCAB..); word 1 hits bucket 8 twice, bucket 10 is unused
WORD_ROWS = [[0, 6, 7], [1, 7, 8, 8], [2], [3, 9, 6], [4, 6], [5]]
BUCKETS = 5


def sigmoid_table_error(steps):
    return 0.25 * 2 * MAX_Z / steps


def softplus_table_error(steps):
    return 1.0 * 2 * MAX_Z / steps  # softplus' slope is below 1


# --- the objective ----------------------------------------------------------------------------

def decisions(word, negative, hs):
    """(output row, label) of each logistic decision that predicts `word`: the loss
    of predicting it from h is the sum over them of -log sigmoid(label * h.out).

    Hierarchical softmax: one per inner node on the word's Huffman path, label
    +1 where the code is 0 (word2vec.c's label 1 - code); the nodes' rows
    follow the words' rows when negative sampling has them. Negative sampling:
    the word itself +1 and each of the `negative` noise draws -1, unless the
    noise word is the word (with negative 0 and no tree, the subword kernels'
    case, the word alone)."""
    out = []
    if hs:
        paths = huffman_paths(COUNTS)
        nodes = paths.nodes[paths.offsets[word]:paths.offsets[word + 1]]
        first = VOCAB if negative else 0
        out += [(first + int(node), 1.0 if code == "0" else -1.0) for node, code in zip(nodes, paths.codes(word))]
    if negative or not hs:
        out.append((word, 1.0))
        if NOISE != word:
            out += [(NOISE, -1.0)] * negative
    return out


def example_loss(h, w_out, targets):
    """Sum over the decisions of -log sigmoid(label * h.out) = softplus(-label * h.out)."""
    loss = 0.0
    for row, label in targets:
        score = h @ w_out[row]
        assert abs(score.item()) < 0.9 * MAX_Z  # inside the table, where the kernels use it
        loss = loss + torch.nn.functional.softplus(-label * score)
    return loss


@dataclass
class Expected:
    """Parameters after SGD steps taken from the definition, in float64, the loss
    summed over the steps, and per element how far the table's error may move it
    (in units of lr x the table's sigmoid error)."""

    w_in: torch.Tensor
    w_out: torch.Tensor
    loss: float = 0.0
    decisions: int = 0

    def __post_init__(self):
        self.reach_in = torch.zeros_like(self.w_in)
        self.reach_out = torch.zeros_like(self.w_out)

    def step(self, examples):
        """One SGD step on the summed loss of `examples`, all read at the current parameters.

        An example is (parts, decisions); its input h = sum of weight * w_in[row]
        over parts. Output rows move by -lr x their gradient. Each part of an
        input moves by the input's whole step, -lr dL/dh (word2vec.c's CBOW,
        fastText's subwords): for a single word that is its gradient, for a
        mean of n rows (each once) n times each row's gradient."""
        w_out = self.w_out.clone().requires_grad_()
        inputs = [sum(weight * self.w_in[row] for row, weight in parts).requires_grad_() for parts, _ in examples]
        loss = sum(example_loss(h, w_out, targets) for h, (_, targets) in zip(inputs, examples))
        loss.backward()
        self._allow_table_error(examples, inputs)
        self.w_out = self.w_out - LR * w_out.grad
        for h, (parts, _) in zip(inputs, examples):
            for row, _ in parts:
                self.w_in[row] -= LR * h.grad
        self.loss += loss.item()

    def _allow_table_error(self, examples, inputs):
        # a decision's step is lr * sigmoid * (the other vector): an error in sigmoid moves
        # each coordinate by at most lr * error * |that coordinate of the other vector|
        for h, (parts, targets) in zip(inputs, examples):
            for row, _ in targets:
                self.reach_out[row] += h.detach().abs()
                for part, _ in parts:
                    self.reach_in[part] += self.w_out[row].abs()
                self.decisions += 1


# --- the methods as sequences of steps ----------------------------------------------------------

def windows(ids):
    """(centre, its context words) at each position: window 1, the neighbours within the sentence."""
    sentence = []
    for word in ids.tolist() + [-1]:
        if word >= 0:
            sentence.append(word)
            continue
        for c, centre in enumerate(sentence):
            context = [sentence[j] for j in (c - 1, c + 1) if 0 <= j < len(sentence)]
            if context:
                yield centre, context
        sentence = []


def word_input(word):
    return [(word, 1.0)]


def subword_input(word):
    """fastText's input vector: the mean of the word's own row and its n-grams' bucket rows."""
    return [(row, 1.0 / len(WORD_ROWS[word])) for row in WORD_ROWS[word]]


def expect_skipgram_classic(expected, ids, negative, hs):
    """word2vec.c: a step per (context, centre) pair, the context word predicting the centre."""
    for centre, context in windows(ids):
        for word in context:
            expected.step([(word_input(word), decisions(centre, negative, hs))])


def expect_skipgram_batched(expected, ids, negative, hs):
    """A step per window, on the summed loss of its pairs, which share the centre's decisions."""
    for centre, context in windows(ids):
        expected.step([(word_input(word), decisions(centre, negative, hs)) for word in context])


def expect_cbow(expected, ids, negative, hs):
    """A step per window: the mean of the context vectors predicts the centre."""
    for centre, context in windows(ids):
        expected.step([([(word, 1.0 / len(context)) for word in context], decisions(centre, negative, hs))])


def expect_subword_skipgram(expected, ids, negative):
    """fastText's orientation: the centre's input predicts each context word; a step
    per window (fastText takes one per context word)."""
    for centre, context in windows(ids):
        expected.step([(subword_input(centre), decisions(word, negative, False)) for word in context])


def expect_subword_cbow(expected, ids, negative):
    """A step per window: the mean over the context words of their inputs predicts the centre.
    (fastText's CBOW averages all the context words' rows at once instead: not
    the same h when words have different numbers of rows, as here.)"""
    for centre, context in windows(ids):
        parts = [(row, weight / len(context)) for word in context for row, weight in subword_input(word)]
        expected.step([(parts, decisions(centre, negative, False))])


# --- running the kernels ------------------------------------------------------------------------

def start_weights(in_rows, out_rows, seed=0, dim=DIM):
    """Output rows non-zero too, so that every product in the gradient shows; scores
    of the same spread at any dim (few beyond the logistic tables' MAX_Z)."""
    rng = np.random.default_rng(seed)
    spread = 0.5 * np.sqrt(DIM / dim)
    return (rng.normal(0, spread, (in_rows, dim)).astype(np.float32),
            rng.normal(0, spread, (out_rows, dim)).astype(np.float32))


def fixed_draws():
    """Keep every word; the alias table's one column is never accepted, so every draw is its alias, NOISE."""
    return np.ones(VOCAB, np.float32), np.zeros(1, np.float32), np.array([NOISE], np.int32)


def huffman_csr(negative, hs):
    """The paths as the trainer passes them: inner nodes' rows after the words' rows."""
    if not hs:
        return np.zeros(VOCAB + 1, np.int64), np.empty(0, np.int32), np.empty(0, np.float32)
    paths = huffman_paths(COUNTS)
    return paths.offsets, paths.nodes + np.int32(VOCAB if negative else 0), paths.signs


def run_word_kernel(kernel, method, w_in, w_out, ids, negative, hs, steps):
    offsets, rows, signs = huffman_csr(negative, hs)
    n_targets = int(np.diff(offsets).max()) + (1 + negative if negative else 0)
    keep, accept, alias = fixed_draws()
    loss, _, _ = kernel(METHODS[method], w_in, w_out, ids, keep, accept, alias, offsets, rows, signs,
                        logistic_table(steps), np.empty(len(ids), np.int32), np.empty(2 * n_targets, np.int32),
                        np.empty(2 * n_targets, np.float32),
                        np.empty(work_shape(WINDOW, n_targets, w_in.shape[1]), np.float32), WINDOW, negative, LR, LR,
                        np.uint64(7))
    return loss


def run_subword_kernel(kernel, model, w_in, w_out, ids, negative, steps):
    offsets = np.cumsum([0] + [len(rows) for rows in WORD_ROWS]).astype(np.int64)
    rows = np.concatenate(WORD_ROWS).astype(np.int32)
    n_targets = 2 * WINDOW * (1 + negative)
    keep, accept, alias = fixed_draws()
    loss, _, _ = kernel(SUBWORD_METHODS[model], w_in, w_out, offsets, rows, ids, keep, accept, alias,
                        logistic_table(steps), np.empty(len(ids), np.int32), np.empty(n_targets, np.int32),
                        np.empty(n_targets, np.float32), np.empty((2, DIM), np.float32), WINDOW, negative,
                        LR, LR, np.uint64(7))
    return loss


def as64(matrix):
    return torch.from_numpy(matrix.astype(np.float64))


def assert_kernel_took(expected, w_in, w_out, before, loss, steps):
    """The kernel's matrices and loss against the expectation, within the table's error."""
    for name, got, want, reach, start in (("w_in", w_in, expected.w_in, expected.reach_in, before[0]),
                                          ("w_out", w_out, expected.w_out, expected.reach_out, before[1])):
        # x1.5: an earlier step's table error shifts later scores, a second-order effect
        allowed = 1.5 * LR * sigmoid_table_error(steps) * reach.numpy() + FLOAT32_SLACK
        off = np.abs(got - want.numpy())
        worst = np.unravel_index(np.argmax(off - allowed), off.shape)
        assert np.all(off <= allowed), f"{name}{list(worst)}: off by {off[worst]:.3g}, allowed {allowed[worst]:.3g}"
        untouched = reach.numpy().sum(axis=1) == 0
        np.testing.assert_array_equal(got[untouched], start[untouched], err_msg=f"{name}: a row no step touches")
    assert loss == pytest.approx(expected.loss, abs=expected.decisions * softplus_table_error(steps) + 1e-5)


# --- the tests ----------------------------------------------------------------------------------

WORD_METHODS = {"skipgram-classic": (("skipgram", "classic"), expect_skipgram_classic),
                "skipgram-batched": (("skipgram", "batched"), expect_skipgram_batched),
                "cbow": (("cbow", "batched"), expect_cbow)}
OUTPUTS = {"negative": (1, False), "hs": (0, True), "hs+negative": (1, True)}  # (negative, hs)


@pytest.mark.parametrize("steps", TABLE_STEPS.values(), ids=TABLE_STEPS.keys())
@pytest.mark.parametrize("output", OUTPUTS.values(), ids=OUTPUTS.keys())
@pytest.mark.parametrize("method", WORD_METHODS)
def test_train_chunk_steps_down_the_gradient(kernel, method, output, steps):
    """Two sentences, '0 1 2 3' and '4 1': every row the method touches moves by
    -lr x the gradient (pair by pair, or window by window), the rest not at all,
    and the loss returned is the loss differentiated."""
    negative, hs = output
    code, expect = WORD_METHODS[method]
    w_in, w_out = start_weights(VOCAB, (VOCAB if negative else 0) + (VOCAB - 1 if hs else 0))
    before = w_in.copy(), w_out.copy()
    expected = Expected(as64(w_in), as64(w_out))
    expect(expected, IDS, negative, hs)
    loss = run_word_kernel(kernel, code, w_in, w_out, IDS, negative, hs, steps)
    assert_kernel_took(expected, w_in, w_out, before, loss, steps)


@pytest.mark.parametrize("method", WORD_METHODS)
def test_train_chunk_steps_down_the_gradient_with_wide_rows(kernel, method):
    """Rows of 301 columns, as published vectors have (and not a multiple of any
    vector width): the vectorised loops' bodies and tails, which DIM's 6 columns
    leave to the tails alone, each take every column's step, once; batched
    skip-gram runs its in-place kernel (kernel_constants.IN_PLACE_MIN_DIM)."""
    negative, hs = OUTPUTS["hs+negative"]
    code, expect = WORD_METHODS[method]
    assert 301 >= IN_PLACE_MIN_DIM
    w_in, w_out = start_weights(VOCAB, VOCAB + VOCAB - 1, dim=301)
    before = w_in.copy(), w_out.copy()
    expected = Expected(as64(w_in), as64(w_out))
    expect(expected, IDS, negative, hs)
    loss = run_word_kernel(kernel, code, w_in, w_out, IDS, negative, hs, 2 ** 18)
    assert_kernel_took(expected, w_in, w_out, before, loss, 2 ** 18)


@pytest.mark.parametrize("hs", [False, True], ids=["negative-3", "hs+negative-3"])
def test_batched_skipgram_sums_repeated_noise_draws(kernel, hs):
    """Negative sampling's sum over k noise draws, all of one word here: the
    window's step is still the gradient at its start, that word's decision
    counted three times (the other kernels would apply the three in turn)."""
    w_in, w_out = start_weights(VOCAB, VOCAB + (VOCAB - 1 if hs else 0))
    before = w_in.copy(), w_out.copy()
    expected = Expected(as64(w_in), as64(w_out))
    expect_skipgram_batched(expected, IDS, 3, hs)
    loss = run_word_kernel(kernel, ("skipgram", "batched"), w_in, w_out, IDS, 3, hs, 2 ** 18)
    assert_kernel_took(expected, w_in, w_out, before, loss, 2 ** 18)


SUBWORD_CASES = {"skipgram": ("skipgram", 1, PAIR_IDS, expect_subword_skipgram),
                 "skipgram-no-noise": ("skipgram", 0, IDS, expect_subword_skipgram),
                 "cbow": ("cbow", 1, IDS, expect_subword_cbow)}


@pytest.mark.parametrize("steps", TABLE_STEPS.values(), ids=TABLE_STEPS.keys())
@pytest.mark.parametrize("case", SUBWORD_CASES)
def test_train_chunk_subword_steps_down_the_gradient(subword_kernel, case, steps):
    """Words of 1 to 4 rows (one bucket twice in a word, buckets shared between
    words). Skip-gram with noise on sentences of two words, so that no window
    draws the noise word twice."""
    model, negative, ids, expect = SUBWORD_CASES[case]
    w_in, w_out = start_weights(VOCAB + BUCKETS, VOCAB)
    before = w_in.copy(), w_out.copy()
    expected = Expected(as64(w_in), as64(w_out))
    expect(expected, ids, negative)
    loss = run_subword_kernel(subword_kernel, model, w_in, w_out, ids, negative, steps)
    assert_kernel_took(expected, w_in, w_out, before, loss, steps)


def test_window_step_and_pair_steps_are_told_apart():
    """The batched and classic checks above could not pass for the wrong kernel:
    on their case, one step per window and one per pair land further apart than
    the 1024-step table's error allows."""
    w_in, w_out = start_weights(VOCAB, VOCAB)
    window, pairs = Expected(as64(w_in), as64(w_out)), Expected(as64(w_in), as64(w_out))
    expect_skipgram_batched(window, IDS, 1, False)
    expect_skipgram_classic(pairs, IDS, 1, False)
    allowed = 1.5 * LR * sigmoid_table_error(1024) * window.reach_in + FLOAT32_SLACK
    assert ((window.w_in - pairs.w_in).abs() > allowed).any()


def test_huffman_decisions_are_a_distribution():
    """The hierarchical-softmax loss is -log of a probability: for any input, the
    products over each word's decisions of sigmoid(label * h.node) sum to 1."""
    rng = np.random.default_rng(5)
    h, nodes = as64(rng.normal(0, 0.5, DIM)), as64(rng.normal(0, 0.5, (VOCAB - 1, DIM)))
    total = sum(torch.exp(-example_loss(h, nodes, decisions(word, 0, True))) for word in range(VOCAB))
    assert total.item() == pytest.approx(1.0, abs=1e-12)
