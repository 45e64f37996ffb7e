"""fastemb's benchmark against word2vec.c, gensim and fastText: `python -m bench`.

One concept per module: runners (how each trainer is called and timed),
measure (a child process's wall time, peak memory and timed output), workers
(code run inside the gensim / fastText child), corpora (prefixes and line
copies), quality (scores by fastemb's evaluators), machine (versions and
hardware), report (summaries and Markdown), plots (PNG), run (the command).
See bench/README.md.
"""
