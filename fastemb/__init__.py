"""fastemb: fast word2vec-style word embeddings.

    import fastemb
    wv = fastemb.train("corpus.txt", dim=100, epochs=5)
    wv.most_similar("king")
    wv.save("vectors.txt")
    kv = wv.to_gensim(); wv = fastemb.from_gensim(kv)   # gensim's KeyedVectors, both ways

    model = fastemb.Model(dim=100).train("corpus.txt", checkpoint="run.npz")
    model.save_model("model.npz"); model = fastemb.load_model("model.npz")
    model.train_more("more.txt", epochs=2)
"""
from .config import Settings
from .errors import CorpusError, FastembError, ModelFormatError, TrainingDiverged, VectorsFormatError
from .history import EpochRecord
from .keyed import from_gensim
from .checkpoint import resume
from .model import Model, load_model, train
from .phrases import phrases
from .vectors import SubwordVectors, WordVectors, load

__version__ = "0.1.0"
__all__ = [
    "train", "load", "phrases", "Model", "WordVectors", "SubwordVectors", "Settings", "load_model", "resume",
    "EpochRecord", "from_gensim",
    "FastembError", "CorpusError", "TrainingDiverged", "VectorsFormatError", "ModelFormatError", "__version__",
]
