"""Render every `fastemb` subcommand's arguments as a Markdown table, from the
argparse definitions themselves (fastemb.cli.build_parser), into docs/cli.md;
and the settings' defaults and ranges, from fastemb.config, into docs/python.md.

    python docs/gen_cli.py           # rewrite the tables in both pages
    python docs/gen_cli.py --check   # exit 1 if a page is out of date

In docs/cli.md each table sits between `<!-- cli:NAME -->` and `<!-- /cli:NAME -->`,
in docs/python.md between `<!-- cli:settings -->` and `<!-- /cli:settings -->`;
the text around the markers is written by hand and left alone.
tests/test_docs_cli.py fails when a page differs from what this renders, so the
tables cannot drift from the code.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Collection, Dict

DOCS = Path(__file__).resolve().parent
CLI_PAGE = DOCS / "cli.md"
PYTHON_PAGE = DOCS / "python.md"
_BLOCK = re.compile(r"(<!-- cli:(?P<name>[a-z]+) -->\n).*?(<!-- /cli:(?P=name) -->)", re.S)


def _subcommands(parser: argparse.ArgumentParser) -> Dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse has no public accessor for subparsers
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _cell(text: str) -> str:
    """Help text as one table cell: a pipe would end the cell, a < start an HTML tag."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def _argument(action: argparse.Action) -> str:
    if not action.option_strings:
        name = action.metavar if action.metavar is not None else action.dest
        names = " ".join(name) if isinstance(name, tuple) else name
        many = "..." if action.nargs in ("+", "*") else ""
        return f"`{names.upper() if action.metavar is None else names}{many}`"
    flags = ", ".join(f"`{flag}`" for flag in action.option_strings)
    if action.nargs == 0:
        return flags
    if action.metavar is None and action.choices is not None:
        metavar = "{" + ",".join(map(str, action.choices)) + "}"  # as --help shows them
    else:
        metavar = action.metavar or action.dest.upper()
    many = "..." if action.nargs in ("+", "*") else ""
    return f"{flags} `{metavar}{many}`"


def _meaning(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    # the formatter expands %(default)s and friends exactly as --help shows them
    text = parser._get_formatter()._expand_help(action) if action.help else ""
    if action.required and action.option_strings:
        text += " (required)"
    return _cell(text)


def table(parser: argparse.ArgumentParser, keywords: Collection[str] = ()) -> str:
    """One subcommand's arguments, in the order --help lists them, as Markdown;
    with ``keywords`` (the settings that are also Python keywords), a column
    naming each flag's keyword."""
    actions = [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]
    if keywords:
        rows = ["| argument | Python keyword | meaning |", "|---|---|---|"]
        for action in actions:
            keyword = f"`{action.dest}=`" if action.dest in keywords else ""
            rows.append(f"| {_argument(action)} | {keyword} | {_meaning(parser, action)} |")
    else:
        rows = ["| argument | meaning |", "|---|---|"]
        rows += [f"| {_argument(action)} | {_meaning(parser, action)} |" for action in actions]
    return "\n".join(rows) + "\n"


def tables() -> Dict[str, str]:
    from fastemb.cli import SETTING_NAMES, build_parser

    return {name: table(sub, SETTING_NAMES if name == "train" else ())
            for name, sub in _subcommands(build_parser()).items()}


def _number(value) -> str:
    """A default or a bound as a reader takes it in: 10,000, 2^62, 2^63 − 1, 1e-12, 'auto'."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, float):
        return f"{value:g}"
    for power in range(30, 64):
        if value == 2 ** power:
            return f"2^{power}"
        if value == 2 ** power - 1:
            return f"2^{power} − 1"
    return f"{value:,}"


def settings_table() -> str:
    """Every setting of fastemb.Settings: default, valid values, meaning."""
    from dataclasses import fields

    from fastemb import config

    choices = {"model": config.MODELS, "backend": config.BACKENDS, "kernel": config.KERNELS,
               "unicode_errors": config.UNICODE_ERRORS, "hs": (False, True)}
    # the defaults that are None stand for a rule, which make_settings applies
    rules = {"alpha": " skip-gram, ".join(f"{v:g}" for v in config.DEFAULT_ALPHA.values()) + " CBOW",
             "min_alpha": f"alpha × {config.MIN_ALPHA_FRACTION:g}", "threads": "all cores",
             "max_vocab": "no limit", "cache_dir": "the system's temporary directory"}
    meanings = {"model": "skip-gram or CBOW", "hs": "hierarchical softmax", "backend": "which compiled kernel runs",
                "kernel": "skip-gram updates: per window (batched) or per word pair (classic)",
                "cache_dir": "an existing directory for the encoded corpus",
                "unicode_errors": "invalid UTF-8 in the corpus: an error, or replaced with U+FFFD, or dropped"}
    rows = ["| setting | default | valid values | meaning |", "|---|---|---|---|"]
    for field in fields(config.Settings):
        name = field.name
        default = rules.get(name) or f"`{_number(field.default)}`"
        if name in config._RANGES:
            _, low, high, unit = config._RANGES[name]
            valid, meaning = f"{_number(low)} to {_number(high)}", unit
        else:
            valid, meaning = ", ".join(f"`{c!r}`" for c in choices.get(name, ())) or "", meanings.get(name, "")
        rows.append(f"| `{name}` | {_cell(default)} | {valid} | {_cell(meaning)} |")
    return "\n".join(rows) + "\n"


def render(page: str, generated: Dict[str, str] = None) -> str:
    """The page with every marked block replaced by its generated table."""
    generated = tables() if generated is None else generated
    present = set(m.group("name") for m in _BLOCK.finditer(page))
    missing = sorted(set(generated) - present)
    if missing:
        raise SystemExit(f"no <!-- cli:NAME --> block for {', '.join(missing)}")
    return _BLOCK.sub(lambda m: m.group(1) + generated[m.group("name")] + m.group(3), page)


def pages() -> Dict[Path, Dict[str, str]]:
    """Each generated page and the tables that go into it."""
    return {CLI_PAGE: tables(), PYTHON_PAGE: {"settings": settings_table()}}


def main(argv=None) -> int:
    check = "--check" in (argv if argv is not None else sys.argv[1:])
    stale = []
    for path, generated in pages().items():
        page = path.read_text(encoding="utf-8")
        new = render(page, generated)
        if new == page:
            continue
        stale.append(path)
        if not check:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {path}")
    if check and stale:
        print(f"out of date: {', '.join(map(str, stale))}: run python docs/gen_cli.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
