"""docs/cli.md's flag tables and docs/python.md's settings table are what
docs/gen_cli.py renders from the parser and fastemb/config.py: a flag or setting
added, renamed, re-ranged or re-documented fails here until the pages are
regenerated (python docs/gen_cli.py)."""
import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _gen_cli():
    spec = importlib.util.spec_from_file_location("gen_cli", DOCS / "gen_cli.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_tables_match_the_code():
    gen_cli = _gen_cli()
    for path, generated in gen_cli.pages().items():
        page = path.read_text(encoding="utf-8")
        assert gen_cli.render(page, generated) == page, \
            f"docs/{path.name} is out of date: run python docs/gen_cli.py and commit it"


def test_every_subcommand_and_flag_is_on_the_page():
    from fastemb.cli import build_parser

    gen_cli = _gen_cli()
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name, parser in gen_cli._subcommands(build_parser()).items():
        assert f"<!-- cli:{name} -->" in page
        for action in parser._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert f"`{flag}`" in page, (name, flag)
