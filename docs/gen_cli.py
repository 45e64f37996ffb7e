"""Render every `fastemb` subcommand's arguments as a Markdown table, from the
argparse definitions themselves (fastemb.cli.build_parser), into docs/cli.md.

    python docs/gen_cli.py           # rewrite the tables in docs/cli.md
    python docs/gen_cli.py --check   # exit 1 if docs/cli.md is out of date

In docs/cli.md each table sits between `<!-- cli:NAME -->` and `<!-- /cli:NAME -->`;
the text around the markers is written by hand and left alone.
tests/test_docs_cli.py fails when the file differs from what this renders, so the
tables cannot drift from the parser.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Collection, Dict

CLI_PAGE = Path(__file__).resolve().parent / "cli.md"
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


def render(page: str) -> str:
    """The page with every marked block replaced by its generated table."""
    generated = tables()
    missing = sorted(set(generated) - set(m.group("name") for m in _BLOCK.finditer(page)))
    if missing:
        raise SystemExit(f"{CLI_PAGE}: no <!-- cli:NAME --> block for {', '.join(missing)}")
    return _BLOCK.sub(lambda m: m.group(1) + generated[m.group("name")] + m.group(3), page)


def main(argv=None) -> int:
    check = "--check" in (argv if argv is not None else sys.argv[1:])
    page = CLI_PAGE.read_text(encoding="utf-8")
    new = render(page)
    if new == page:
        return 0
    if check:
        print(f"{CLI_PAGE} is out of date: run python docs/gen_cli.py", file=sys.stderr)
        return 1
    CLI_PAGE.write_text(new, encoding="utf-8")
    print(f"rewrote {CLI_PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
