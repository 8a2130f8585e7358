"""Turn every failure into one clear line on stderr and exit code 1 — never a stack trace."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import NoReturn

import click
from skriptoteket.domain.errors import DomainError
from skriptoteket.plugins.facade import PluginError

DEBUG_ENV = "SKRIPTOTEKET_DEBUG"


def fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def run_guarded(command: Callable[[], object]) -> NoReturn:
    """Run the click command in non-standalone mode and map every outcome to an exit code."""
    try:
        result = command()
    except click.exceptions.Abort:
        fail("aborted")
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.UsageError as error:
        where = error.ctx.command_path if error.ctx else "skriptoteket"
        fail(f"{error.format_message()} (see: {where} --help)")
    except click.ClickException as error:
        fail(error.format_message())
    except DomainError as error:
        fail(error.message)
    except PluginError as error:
        fail(str(error))
    except KeyboardInterrupt:
        fail("interrupted")
    except Exception as error:
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc()
        first_line = (str(error).strip().splitlines() or [""])[0]
        fail(f"unexpected {type(error).__name__}: {first_line} (set {DEBUG_ENV}=1 for details)")
    sys.exit(result if isinstance(result, int) else 0)
