"""The classifiers of the transfer bench, each started from one of four embedding layers.

Classifiers: the mean of the gloss's word vectors (padding masked) then a
linear layer, in Keras 3 (on PyTorch) and in PyTorch; and, in PyTorch, a
1-D convolution (128 filters of width 3, ReLU) max-pooled over the gloss then
a linear layer. Embeddings:

- ``random``: the framework's own initialisation (Keras: uniform in
  [-0.05, 0.05]; PyTorch: normal(0, 1)), trained with the classifier;
- ``frozen``: fastemb's vectors, fixed (``wv.keras_embedding(index)`` /
  ``wv.torch_embedding(index)``); words without a vector get zeros;
- ``fine-tuned``: the same, trained with the classifier;
- ``subword``: fastemb's subword vectors, fixed; words the corpus never had
  get vectors from their character n-grams.

Every run: Adam, batches of 32, shuffled each epoch, max(3 epochs, 200
steps), no early stopping (there is no validation set at 5 glosses per class).
"""

import math
import os
from typing import Dict, Sequence

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported: no TensorFlow

EMBEDDINGS = ("random", "frozen", "fine-tuned", "subword")
CLASSIFIERS = ("keras-mean", "torch-mean", "torch-conv")
MAX_TOKENS = 40  # longer glosses are cut (99% have 33 words or fewer)
BATCH, MIN_STEPS, MIN_EPOCHS = 32, 200, 3
LEARNING_RATE = {"mean": 1e-2, "conv": 3e-3}
CONV_FILTERS, CONV_WIDTH = 128, 3


def pad(token_lists: Sequence[Sequence[str]], index: Dict[str, int]) -> np.ndarray:
    """(n, MAX_TOKENS) int64 ids, 0-padded at the end; every token has an id (the index covers all glosses)."""
    ids = np.zeros((len(token_lists), MAX_TOKENS), dtype=np.int64)
    for row, tokens in enumerate(token_lists):
        kept = [index[token] for token in tokens[:MAX_TOKENS]]
        ids[row, :len(kept)] = kept
    return ids


def epochs_for(n_examples: int) -> int:
    return max(MIN_EPOCHS, math.ceil(MIN_STEPS / math.ceil(n_examples / BATCH)))


def predict(classifier: str, embedding: str, vectors: Dict, index: Dict[str, int], train, test,
            n_classes: int, seed: int) -> np.ndarray:
    """Train ``classifier`` from ``embedding`` on ``train`` = (ids, labels); predicted labels of ``test`` ids."""
    framework, _, kind = classifier.partition("-")
    if framework == "keras":
        return _keras_predict(kind, embedding, vectors, index, train, test, n_classes, seed)
    return _torch_predict(kind, embedding, vectors, index, train, test, n_classes, seed)


# --- PyTorch -----------------------------------------------------------------------------------

def _torch_embedding(embedding: str, vectors: Dict, index: Dict[str, int]):
    import torch

    if embedding == "random":
        return torch.nn.Embedding(len(index) + 1, vectors["plain"].dim, padding_idx=0)
    wv = vectors["subword" if embedding == "subword" else "plain"]
    return wv.torch_embedding(index, freeze=embedding != "fine-tuned")


def _torch_model(kind: str, embedding, n_classes: int):
    import torch

    class MeanClassifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding, self.out = embedding, torch.nn.Linear(embedding.embedding_dim, n_classes)

        def forward(self, ids):
            mask = (ids != 0).unsqueeze(-1).float()
            total = (self.embedding(ids) * mask).sum(dim=1)
            return self.out(total / mask.sum(dim=1).clamp(min=1))

    class ConvClassifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = embedding
            self.conv = torch.nn.Conv1d(embedding.embedding_dim, CONV_FILTERS, CONV_WIDTH, padding=CONV_WIDTH // 2)
            self.out = torch.nn.Linear(CONV_FILTERS, n_classes)

        def forward(self, ids):
            features = torch.relu(self.conv(self.embedding(ids).transpose(1, 2)))  # (batch, filters, positions)
            features = features.masked_fill((ids == 0).unsqueeze(1), float("-inf")).amax(dim=2)
            return self.out(features)

    return MeanClassifier() if kind == "mean" else ConvClassifier()


def _torch_predict(kind, embedding, vectors, index, train, test, n_classes, seed):
    import torch

    torch.manual_seed(seed)
    model = _torch_model(kind, _torch_embedding(embedding, vectors, index), n_classes)
    optimiser = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=LEARNING_RATE[kind])
    ids, labels = torch.as_tensor(train[0]), torch.as_tensor(train[1])
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs_for(len(ids))):
        for batch in torch.randperm(len(ids), generator=generator).split(BATCH):
            optimiser.zero_grad()
            torch.nn.functional.cross_entropy(model(ids[batch]), labels[batch]).backward()
            optimiser.step()
    model.eval()
    with torch.no_grad():
        return torch.cat([model(part).argmax(dim=1) for part in torch.as_tensor(test).split(512)]).numpy()


# --- Keras -------------------------------------------------------------------------------------

def _keras_predict(kind, embedding, vectors, index, train, test, n_classes, seed):
    import keras

    keras.utils.set_random_seed(seed)
    if embedding == "random":
        layer = keras.layers.Embedding(len(index) + 1, vectors["plain"].dim, mask_zero=True)
    else:
        wv = vectors["subword" if embedding == "subword" else "plain"]
        layer = wv.keras_embedding(index, trainable=embedding == "fine-tuned")
    model = keras.Sequential([keras.Input((MAX_TOKENS,), dtype="int32"), layer,
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(n_classes)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE[kind]),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(train[0], train[1], batch_size=BATCH, epochs=epochs_for(len(train[0])), shuffle=True, verbose=0)
    return np.argmax(model.predict(test, batch_size=512, verbose=0), axis=1)
