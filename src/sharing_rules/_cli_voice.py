"""The ``dialogue`` commands (kit, ingest, report) and ``register``, attached to the main CLI."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import click

from ._dialogue import DialogueError, ingest, load_questions, load_record, load_records
from ._errors import SharingRulesError
from ._exit import fail
from ._kit import kit_html, kit_plan, plan_yaml, response_csv
from ._load import load_proposal
from ._register import build_register, load_decisions, register_csv, register_html, register_json
from ._render import neutralise, render_html

__all__ = ["dialogue", "register"]


def _echo(text: str, *, err: bool = False) -> None:
    """click.echo with control characters spelt out, as everywhere in the command line: a
    file name, a proposal's text or a sheet's cell never reaches the terminal raw."""
    click.echo(neutralise(text), err=err)


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")


@click.group()
def dialogue() -> None:
    """Dialogue with residents: kits for sessions, and records of what they said."""


@dialogue.command()
@click.argument("proposal", metavar="PROPOSAL")
@click.option(
    "--output", "-o", required=True, type=click.Path(file_okay=False), help="Folder to write to."
)
@click.option(
    "--questions",
    type=click.Path(dir_okay=False),
    help="A questions file to use instead of the shipped one (see docs/public-voice.md).",
)
@click.option("--sheets", default=12, show_default=True, help="Printable response sheets.")
def kit(proposal: str, output: str, questions: str | None, sheets: int) -> None:
    """Write a dialogue kit for PROPOSAL: kit.html (case card, questions and response
    sheets, printable on A4), responses.csv (the response sheet to fill in) and plan.yaml
    (the dialogue record to complete)."""
    try:
        loaded = load_proposal(proposal)
        asked = load_questions(questions)
    except SharingRulesError as err:
        fail(err)
    folder = Path(output)
    _write(folder / "kit.html", kit_html(loaded, asked, sheets))
    _write(folder / "responses.csv", response_csv(asked))
    _write(folder / "plan.yaml", plan_yaml(kit_plan(loaded, asked)))
    _echo(f"Wrote kit.html, responses.csv and plan.yaml in {folder}.")


@dialogue.command("ingest")
@click.argument("sheets", nargs=-1, required=True, metavar="SHEET.csv...")
@click.option("--plan", required=True, type=click.Path(dir_okay=False), help="The plan.")
@click.option(
    "--output", "-o", required=True, type=click.Path(dir_okay=False), help="The record to write."
)
@click.option(
    "--keep-going",
    is_flag=True,
    help="Leave bad rows out (each is still reported) and count them in the record, "
    "instead of exiting 2.",
)
def ingest_command(sheets: Sequence[str], plan: str, output: str, keep_going: bool) -> None:
    """Read the response SHEETs (CSV) of the sessions into a dialogue record.

    Every bad row is reported with its file and line. With any bad row the command exits 2
    and writes nothing, unless --keep-going is given.
    """
    try:
        record, bad = ingest(load_record(plan), sheets, keep_going)
    except DialogueError as err:
        fail(err)
    for problem in bad:
        _echo(f"warning: left out: {problem}", err=True)
    _write(Path(output), record.to_json())
    people = sum(s.participants or 0 for s in record.sessions)
    _echo(
        f"Wrote {output}: {len(record.sessions)} sessions, {people} participants, "
        f"{record.dropped_rows} rows left out."
    )


@dialogue.command("report")
@click.argument("proposal", metavar="PROPOSAL")
@click.option(
    "--records", required=True, multiple=True, help="A dialogue record or folder (repeatable)."
)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False))
def report(proposal: str, records: Sequence[str], output: str) -> None:
    """Write the HTML report of PROPOSAL's assessment with what residents said."""
    from ._assess import assess

    try:
        verdict = assess(proposal, dialogue=list(records))
        title = load_proposal(proposal).title
    except SharingRulesError as err:
        fail(err)
    _write(Path(output), render_html(verdict, title=title, source=proposal))
    _echo(f"Wrote {output}.")


@click.command("register")
@click.argument("proposals", nargs=-1, required=True, metavar="PROPOSAL...")
@click.option(
    "--decisions",
    required=True,
    multiple=True,
    metavar="PATH",
    help="Decision records written by `sharing-rules decide` (a file or a folder; "
    "repeatable). The provisional mapping of proposal id to decision and date is still "
    "read, with a warning: it is deprecated.",
)
@click.option("--dialogue", "records", multiple=True, help="Dialogue records (repeatable).")
@click.option(
    "--output", "-o", required=True, type=click.Path(file_okay=False), help="Folder to write to."
)
@click.option("--title", default="Register of data sharing", show_default=True)
def register(
    proposals: Sequence[str],
    decisions: Sequence[str],
    records: Sequence[str],
    output: str,
    title: str,
) -> None:
    """Build the public register of PROPOSALs: register.html, register.csv, register.json.

    Proposals with public: false are left out, and no officer's name is published: only
    organisations, with their sector and role.
    """
    try:
        loaded = [load_proposal(p) for p in proposals]
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always", DeprecationWarning)
            decided = load_decisions(*decisions)
        for warning in warned:
            _echo(f"warning: {warning.message}", err=True)
        entries = build_register(loaded, decided, load_records(list(records)) if records else ())
    except SharingRulesError as err:
        fail(err)
    folder = Path(output)
    _write(folder / "register.html", register_html(entries, title))
    _write(folder / "register.csv", register_csv(entries))
    _write(folder / "register.json", register_json(entries))
    left_out = len(loaded) - len(entries)
    _echo(
        f"Wrote register.html, register.csv and register.json in {folder}: "
        f"{len(entries)} entries, {left_out} left out as not public."
    )
