"""What every command shares: consoles, error handling, common options."""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from sendconsult.cli.advice import error_text
from sendconsult.errors import SendconsultError
from sendconsult.project import ColumnChoices

# Results go to stdout; diagnostics (warnings, errors, progress) go to stderr.
out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # one message, one line

EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

F = TypeVar("F", bound=Callable[..., Any])


def debug_enabled() -> bool:
    """--debug (or SENDCONSULT_DEBUG=1) shows tracebacks instead of one-line messages."""
    return os.environ.get("SENDCONSULT_DEBUG", "") not in ("", "0")


def guarded(func: F) -> F:
    """Turn core errors into one line on stderr and an exit code; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except SendconsultError as exc:
            if debug_enabled():
                raise
            err.print(f"[bold red]Error:[/] {escape(error_text(exc))}")
            raise typer.Exit(EXIT_USER_ERROR) from None
        except KeyboardInterrupt:
            err.print("[bold red]Interrupted:[/] nothing was written.")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except MemoryError:
            err.print(
                "[bold red]Error:[/] the computer ran out of memory; close other programs or "
                "split the export into smaller files and try again."
            )
            raise typer.Exit(EXIT_USER_ERROR) from None
        except Exception as exc:  # noqa: BLE001 - the last line of defence for officers
            if debug_enabled():
                raise
            known = _file_problem(exc)
            if known:
                err.print(f"[bold red]Error:[/] {escape(known)}")
                raise typer.Exit(EXIT_USER_ERROR) from None
            err.print(
                f"[bold red]Error:[/] an unexpected problem stopped the run ({type(exc).__name__}: "
                f"{escape(str(exc))}); run again with --debug and send the output to the "
                "sendconsult maintainers."
            )
            raise typer.Exit(EXIT_USER_ERROR) from None

    return wrapper  # type: ignore[return-value]


def _file_problem(exc: BaseException) -> str | None:
    """One sentence for a file-system failure an officer can fix (read-only folder or drive, full
    disk, over-long name) that no command turned into a message itself; None for others."""
    import errno

    from sendconsult.writing import write_failure

    fixable = (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENAMETOOLONG)
    if not isinstance(exc, OSError) or exc.errno not in fixable or not exc.filename:
        return None
    said = write_failure(Path(os.fsdecode(exc.filename)), exc).removesuffix(".")
    return f"{said} with --out (or --cache-dir)."


def escape(text: str) -> str:
    """Keep rich from reading square brackets in user text as markup."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def usage_error(message: str) -> NoReturn:
    """A mistyped command: one line and exit code 2 (a BadParameter raised inside a guarded
    command would be reported as an unexpected problem)."""
    err.print(f"[bold red]Error:[/] {escape(message)}")
    raise typer.Exit(EXIT_USAGE)


def score_text(value: float | None) -> str:
    """A precision, recall, F1 or kappa as printed: two decimals, or n/a when undefined."""
    return "n/a" if value is None else f"{value:.2f}"


def warn(message: str) -> None:
    err.print(f"[yellow]Warning:[/] {escape(message)}")


def command_line() -> str:
    """The command as the officer typed it, for the Method sheet."""
    program = Path(sys.argv[0]).name if sys.argv else "sendconsult"
    if program in ("__main__.py", ""):  # python -m sendconsult
        program = "sendconsult"
    args = [program, *sys.argv[1:]]
    return " ".join(_quote(a) for a in args)


def _quote(arg: str) -> str:
    return f'"{arg}"' if (" " in arg or not arg) else arg


# Shared options, defined once.
ExportArg = Annotated[
    Path,
    typer.Argument(
        help="The consultation export: CSV or Excel (.xlsx) as downloaded from the survey tool.",
        show_default=False,
    ),
]
SheetOpt = Annotated[
    str | None, typer.Option("--sheet", help="Excel sheet to read (default: the first sheet).")
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Project config file (sendconsult.toml or .yaml). Default: one beside the export.",
    ),
]
IdColumnOpt = Annotated[
    str | None, typer.Option("--id-column", help="Column holding the response ID.")
]
GroupColumnOpt = Annotated[
    str | None,
    typer.Option("--group-column", help="Column saying who is responding (respondent group)."),
]
TextColumnOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--text-column",
        help="A free-text question column to analyse; repeat for several. Default: detected.",
    ),
]
PersonalColumnOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--personal-column",
        help="A column holding personal details (names, contacts, organisations): never "
        "analysed or shown; repeat for several. Adds to those detected.",
    ),
]
NotPersonalColumnOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--not-personal-column",
        help="A column detected as personal that is not: its role is then detected as usual.",
    ),
]
OtherLanguagesOpt = Annotated[
    bool | None,
    typer.Option(
        "--include-other-languages/--exclude-other-languages",
        help="Count answers in languages other than the dictionary's in the percentages "
        "(default: config include_other_languages, else excluded and counted apart).",
        show_default=False,
    ),
]


_COLUMN_PARAMETERS = (
    ("id_column", IdColumnOpt, None),
    ("group_column", GroupColumnOpt, None),
    ("text_column", TextColumnOpt, None),
    ("personal_column", PersonalColumnOpt, None),
    ("not_personal_column", NotPersonalColumnOpt, None),
    ("include_other_languages", OtherLanguagesOpt, None),
)


def column_options(func: F) -> F:
    """Give a command the column options (defined once, above) as one `columns` argument.

    The options are added to the command's signature, before --debug, so Typer shows them in
    every command's --help; the command receives them as `columns: ColumnChoices`.
    """
    signature = inspect.signature(func, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "columns"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
        for name, kind, default in _COLUMN_PARAMETERS
    ]
    at = next((i for i, p in enumerate(own) if p.name == "debug"), len(own))
    own = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY) if i >= at else p
        for i, p in enumerate(own)
    ]
    parameters = own[:at] + added + own[at:]
    positional = [p for p in parameters if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    keyword = [p for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {name: kwargs.pop(name, None) for name, _, _ in _COLUMN_PARAMETERS}
        columns = ColumnChoices(
            id_column=given["id_column"],
            group_column=given["group_column"],
            text_column=tuple(given["text_column"] or ()),
            personal_column=tuple(given["personal_column"] or ()),
            not_personal_column=tuple(given["not_personal_column"] or ()),
            include_other_languages=given["include_other_languages"],
        )
        return func(*args, columns=columns, **kwargs)

    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=positional + keyword
    )
    return wrapper  # type: ignore[return-value]


ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="An installed spaCy pipeline (e.g. en_core_web_sm) or its folder. Default: built-in English.",
    ),
]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        min=1,
        help="Processes to parse answers on (default: one per CPU; 1 for the smallest footprint).",
    ),
]
DebugOpt = Annotated[
    bool, typer.Option("--debug", help="Show the full technical traceback when something fails.")
]


def set_debug(debug: bool) -> None:
    if debug:
        os.environ["SENDCONSULT_DEBUG"] = "1"


ThemesOpt = Annotated[
    Path | None,
    typer.Option(
        "--themes",
        help="Theme dictionary (YAML, or a two-column CSV/XLSX). Default: the shipped SEND dictionary.",
    ),
]


def show_warnings(warnings: list[str]) -> None:
    """What reading an export noticed, one line each on stderr."""
    for message in warnings:
        warn(message)
