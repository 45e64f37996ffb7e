"""mkdocs hooks: the site's front page is README.md, and the plots the pages show
are published from bench/results/, so neither is copied into docs/ (where two
copies would drift apart)."""
from __future__ import annotations

import re
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[1]
# README links docs pages as docs/NAME.md; on the site they sit beside the front page
_DOCS_LINK = re.compile(r"\]\(docs/")


def on_files(files, config):
    for image in sorted((ROOT / "bench" / "results").glob("*.png")):
        files.append(File(f"bench/results/{image.name}", src_dir=str(ROOT), dest_dir=config["site_dir"],
                          use_directory_urls=config["use_directory_urls"]))
    return files


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != "index.md":
        return markdown
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return _DOCS_LINK.sub("](", readme)


# The docstrings name other objects with Sphinx roles (:class:`Model`, :meth:`train`,
# :class:`~fastemb.history.EpochRecord`), which read well in help() but reach the
# API page as literal text; on the page they become plain code: the name, or with
# "~" its last part, as Sphinx shows it.
_ROLE = re.compile(r":(?:class|meth|func|attr|mod|exc|data|obj):<code>(~?)([^<]*)</code>")


def _plain_name(match):
    tilde, name = match.groups()
    return f"<code>{name.rsplit('.', 1)[-1] if tilde else name}</code>"


def on_page_content(html, page, config, files):
    return _ROLE.sub(_plain_name, html)
