"""Pictures of word vectors: chosen words in 2-D (PCA), pairs as arrows.

The projection is plain numpy (an SVD of the centred unit vectors); only the
drawing needs matplotlib, from the optional ``plot`` extra. No pyplot: the
Figure is drawn on its own canvas, so the caller's matplotlib state is left
alone.
"""
from __future__ import annotations

from typing import Iterable, List, Optional, Sequence, Tuple

import numpy as np

from . import outputs

ARROW_COLOUR = "tab:red"
POINT_COLOUR = "tab:blue"
# where a label may sit, in points from its word's dot: right above, right below, left above, left below
LABEL_OFFSETS = [(5, 4), (5, -14), (-5, 4), (-5, -14)]


def pca_2d(vectors: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Coordinates of the rows of ``vectors`` on their first two principal axes,
    and the fraction of the variance each axis holds.

    Signs are fixed so that each axis's largest coordinate (by absolute value) is
    positive, so the same words always give the same picture.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or len(vectors) < 2:
        raise ValueError(f"PCA needs at least 2 vectors, got an array of shape {vectors.shape}")
    centred = vectors - vectors.mean(axis=0)
    left, singular, _ = np.linalg.svd(centred, full_matrices=False)
    axes = min(2, len(singular))
    coordinates = np.zeros((len(vectors), 2))
    coordinates[:, :axes] = left[:, :axes] * singular[:axes]
    for axis in range(2):
        largest = coordinates[np.argmax(np.abs(coordinates[:, axis])), axis]
        if largest < 0:
            coordinates[:, axis] *= -1
    variance = singular ** 2
    explained = np.zeros(2)
    explained[:axes] = variance[:axes] / variance.sum() if variance.sum() > 0 else 0.0
    return coordinates, explained


def words_to_plot(words: Iterable[str], pairs: Iterable[Tuple[str, str]]) -> List[str]:
    """The words in order of first mention, ``words`` then the members of ``pairs``."""
    ordered: List[str] = []
    for word in list(words) + [member for pair in pairs for member in pair]:
        if word not in ordered:
            ordered.append(word)
    return ordered


def project(wv, words: Sequence[str]) -> Tuple[np.ndarray, np.ndarray]:
    """:func:`pca_2d` of the unit vectors of ``words`` (KeyError naming an unknown word)."""
    return pca_2d(wv.unit_vectors[[wv.index(word) for word in words]])


def plot_words(wv, words: Iterable[str], path: Optional[outputs.PathLike] = None,
               pairs: Iterable[Tuple[str, str]] = (), title: Optional[str] = None):
    """Draw ``words`` and ``pairs`` (each an arrow from first to second); save to ``path`` if given."""
    pairs = [tuple(pair) for pair in pairs]
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError(f"pairs: {pair!r} is not a pair of two words")
    ordered = words_to_plot(words, pairs)
    if len(ordered) < 2:
        raise ValueError("a plot needs at least 2 different words")
    coordinates, explained = project(wv, ordered)
    if path is not None:
        path = outputs.check_writable(path)
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError('plotting needs matplotlib: pip install "fastemb[plot]" (or pip install matplotlib)',
                          name="matplotlib") from None

    figure = Figure(figsize=(7, 6), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    where = {word: coordinates[i] for i, word in enumerate(ordered)}
    for first, second in pairs:
        start, end = where[first], where[second]
        axes.annotate("", xy=end, xytext=start,
                      arrowprops=dict(arrowstyle="-|>", color=ARROW_COLOUR, lw=1.5, alpha=0.8,
                                      shrinkA=4, shrinkB=4))
    axes.scatter(coordinates[:, 0], coordinates[:, 1], s=25, color=POINT_COLOUR, zorder=3)
    labels = [axes.annotate(word, (x, y), xytext=LABEL_OFFSETS[0], textcoords="offset points", fontsize=11,
                            zorder=4) for word, (x, y) in where.items()]
    axes.margins(0.12)
    axes.set_xlabel(f"first principal axis ({explained[0]:.0%} of the variance)")
    axes.set_ylabel(f"second principal axis ({explained[1]:.0%})")
    axes.set_title(title or f"{len(ordered)} words, PCA of their unit vectors"
                   + (f"; arrows: {len(pairs)} pairs" if pairs else ""))
    axes.grid(alpha=0.3)
    _separate_labels(figure, labels)
    if path is not None:
        figure.savefig(path)
    return figure


def _separate_labels(figure, labels) -> None:
    """Move each label to the first of LABEL_OFFSETS where it overlaps no label placed before it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)  # lays the figure out, so that label extents are final
    placed = []
    for label in labels:
        for dx, dy in LABEL_OFFSETS:
            label.set_horizontalalignment("left" if dx > 0 else "right")
            label.xyann = (dx, dy)
            box = label.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed):
                break
        else:
            label.set_horizontalalignment("left")
            label.xyann = LABEL_OFFSETS[0]
            box = label.get_window_extent(renderer)
        placed.append(box)
