"""``skriptoteket serve``: the web app under uvicorn, contributed to the CLI through the
``skriptoteket_register_cli_commands`` hook (the web package never imports the CLI package).

Execution is on and runs a crashed process left behind are finished at start-up (DESIGN §5).
Settings come from the CLI's root context when there is one, else from ``SKRIPTOTEKET_*``.
Logs: the core's one set-up with the server's defaults (JSON lines from INFO up); uvicorn is
told to configure nothing, so its own lines (start-up, access) go through the same handler.
"""

from __future__ import annotations

import click
import uvicorn
from skriptoteket.observability.log_setup import configure_logging
from skriptoteket.settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _settings(ctx: click.Context) -> Settings:
    found = getattr(ctx.find_root().obj, "settings", None)
    return found if isinstance(found, Settings) else Settings.from_env()


@click.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Start the web app (Swedish pages, runs executed in this process)."""
    from skriptoteket_web.app import create_app

    settings = _settings(ctx)
    configure_logging(settings, server=True)
    app = create_app(settings, execution=True, recover_interrupted_runs=True, freeze_heap=True)
    click.echo(f"Skriptoteket: http://{host}:{port}  (Ctrl+C stops)")
    uvicorn.run(app, host=host, port=port, log_config=None, log_level=None, proxy_headers=False)
