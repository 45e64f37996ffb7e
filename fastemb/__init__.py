"""fastemb: fast word2vec-style word embeddings.

    import fastemb
    wv = fastemb.train("corpus.txt", dim=100, epochs=5)
    wv.most_similar("king")
    wv.save("vectors.txt")
"""
from .config import Settings
from .errors import CorpusError, FastembError, TrainingDiverged, VectorsFormatError
from .model import Model, train
from .phrases import phrases
from .vectors import WordVectors, load

__version__ = "0.1.0"
__all__ = [
    "train", "load", "phrases", "Model", "WordVectors", "Settings",
    "FastembError", "CorpusError", "TrainingDiverged", "VectorsFormatError", "__version__",
]
