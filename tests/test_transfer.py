"""Pretrained vectors carry meaning to words a classifier never saw labelled.

A planted corpus: each class has member words that share that class's context
words (and nothing else), so skip-gram gives members of one class similar
vectors. The labelled task: examples are a few member words of one class; the
training examples use half of each class's members, the held-out examples only
the other half. A mean-of-embeddings + linear classifier starting from the
fastemb vectors (frozen) must classify the held-out examples; one starting from
the framework's own random initialisation (trained) cannot do much better than
chance on them, since its rows for those words never received a gradient. The
same in Keras 3 (on PyTorch) and in PyTorch; each skips without its framework.
"""

import numpy as np
import pytest

import fastemb

CLASSES, MEMBERS, CONTEXTS = 4, 10, 8  # members 0..4 of each class are seen in training, 5..9 only held out
SEEN = MEMBERS // 2
WORDS_PER_EXAMPLE, TRAIN_PER_CLASS, HELD_OUT_PER_CLASS = 3, 8, 50
STEPS, LEARNING_RATE = 60, 0.1  # full-batch Adam steps: the training examples are fitted long before the end


def member(c: int, j: int) -> str:
    return f"class{c}member{j}"


def write_planted_corpus(path, sentences: int = 3000, seed: int = 0) -> None:
    """Sentences of one member word among four context words of its class, and two shared filler words."""
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(sentences):
        c = rng.integers(CLASSES)
        words = [member(c, rng.integers(MEMBERS))]
        words += [f"class{c}context{k}" for k in rng.integers(CONTEXTS, size=4)]
        words += [f"filler{k}" for k in rng.integers(5, size=2)]
        lines.append(" ".join(rng.permutation(words)))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def labelled(members, per_class: int, rng) -> tuple:
    """(ids, labels): ``per_class`` examples per class of WORDS_PER_EXAMPLE member ids, from ``members``."""
    ids, labels = [], []
    for c in range(CLASSES):
        for _ in range(per_class):
            ids.append([WORD_INDEX[member(c, j)] for j in rng.choice(members, WORDS_PER_EXAMPLE)])
            labels.append(c)
    return np.array(ids), np.array(labels)


# the classifier's ids, as a Tokenizer fitted on all the (unlabelled) text numbers them: from 1
WORD_INDEX = {member(c, j): 1 + c * MEMBERS + j for c in range(CLASSES) for j in range(MEMBERS)}


@pytest.fixture(scope="module")
def one_torch_thread():
    """One thread: these tiny models gain nothing from more, and spinning threads crawl on a busy machine."""
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def planted_vectors(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("planted") / "corpus.txt"
    write_planted_corpus(corpus)
    return fastemb.train(str(corpus), dim=16, epochs=5, window=5, min_count=1, threads=1, seed=1,
                         progress=False)


def splits(seed: int):
    rng = np.random.default_rng(seed)
    return (labelled(np.arange(SEEN), TRAIN_PER_CLASS, rng),
            labelled(np.arange(SEEN, MEMBERS), HELD_OUT_PER_CLASS, rng))


def test_the_planted_vectors_group_each_class(planted_vectors):
    """The premise: a held-out member's nearest seen member is of its own class."""
    for c in range(CLASSES):
        for j in range(SEEN, MEMBERS):
            seen = [member(k, i) for k in range(CLASSES) for i in range(SEEN)]
            similarities = [planted_vectors.similarity(member(c, j), word) for word in seen]
            assert seen[int(np.argmax(similarities))].startswith(f"class{c}member")


# --- PyTorch -----------------------------------------------------------------------------------

def torch_accuracy(torch, embedding, train, held_out, seed: int) -> float:
    """Train embedding -> mean -> linear with Adam on ``train``; accuracy on ``held_out``."""
    torch.manual_seed(seed)
    model = torch.nn.Sequential(embedding, mean_over_words(torch), torch.nn.Linear(embedding.embedding_dim, CLASSES))
    optimiser = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=LEARNING_RATE)
    ids, labels = (torch.as_tensor(a) for a in train)
    for _ in range(STEPS):
        optimiser.zero_grad()
        torch.nn.functional.cross_entropy(model(ids), labels).backward()
        optimiser.step()
    with torch.no_grad():
        predicted = model(torch.as_tensor(held_out[0])).argmax(dim=1).numpy()
    return float(np.mean(predicted == held_out[1]))


def mean_over_words(torch):
    """A module averaging (batch, words, dim) over the words (the examples have no padding)."""
    class Mean(torch.nn.Module):
        def forward(self, x):
            return x.mean(dim=1)

    return Mean()


@pytest.mark.parametrize("seed", [0, 1])
def test_pretrained_beats_random_init_on_unseen_words_in_torch(planted_vectors, one_torch_thread, seed):
    torch = one_torch_thread
    train, held_out = splits(seed)
    torch.manual_seed(seed)
    random_init = torch.nn.Embedding(len(WORD_INDEX) + 1, planted_vectors.dim, padding_idx=0)
    scratch = torch_accuracy(torch, random_init, train, held_out, seed)
    pretrained = torch_accuracy(torch, planted_vectors.torch_embedding(WORD_INDEX), train, held_out, seed)
    assert torch_accuracy(torch, planted_vectors.torch_embedding(WORD_INDEX), train, train, seed) == 1.0
    assert pretrained >= 0.9 and scratch <= 0.6 and pretrained - scratch >= 0.4, (pretrained, scratch)


# --- Keras -------------------------------------------------------------------------------------

def keras_accuracy(keras, embedding, train, held_out, seed: int) -> float:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((WORDS_PER_EXAMPLE,), dtype="int32"), embedding,
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(CLASSES)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    for _ in range(STEPS):
        model.train_on_batch(train[0], train[1])
    predicted = np.argmax(model.predict(held_out[0], verbose=0), axis=1)
    return float(np.mean(predicted == held_out[1]))


@pytest.mark.parametrize("seed", [0, 1])
def test_pretrained_beats_random_init_on_unseen_words_in_keras(planted_vectors, keras, one_torch_thread, seed):
    train, held_out = splits(seed)
    keras.utils.set_random_seed(seed)
    random_init = keras.layers.Embedding(len(WORD_INDEX) + 1, planted_vectors.dim, mask_zero=True)  # Keras's default
    scratch = keras_accuracy(keras, random_init, train, held_out, seed)
    pretrained = keras_accuracy(keras, planted_vectors.keras_embedding(WORD_INDEX), train, held_out, seed)
    assert pretrained >= 0.9 and scratch <= 0.6 and pretrained - scratch >= 0.4, (pretrained, scratch)
