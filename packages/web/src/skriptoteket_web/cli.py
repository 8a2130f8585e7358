"""``skriptoteket serve``: the web app under uvicorn, contributed to the CLI through the
``skriptoteket_register_cli_commands`` hook (the web package never imports the CLI package).

Execution is on and runs a crashed process left behind are finished at start-up (DESIGN §5).
Settings come from the CLI's root context when there is one, else from ``SKRIPTOTEKET_*``.
Logs: the core's one set-up with the server's defaults (JSON lines from INFO up); uvicorn is
told to configure nothing, so its own lines (start-up, access) go through the same handler.

``--workers N`` (issue 10): N web processes on one port, uvicorn's own worker processes. Each
child builds its app with ``worker_app``: the settings reach it through the environment it
inherits (``Settings.to_env``), and it starts up on its own (its core, start-up recovery of dead
owners' runs only, ``freeze_heap``). More than one process needs a run queue every process
shares (``RunQueueBackend.shared``) and a database every process can write (not SQLite);
otherwise ``serve`` refuses with exit code 2. Metrics: prometheus_client's multiprocess mode, in
a fresh directory under the data dir (``metrics.prepare_multiprocess_dir``).
"""

from __future__ import annotations

import os
from typing import Any

import click
import pluggy
import uvicorn
from skriptoteket.observability.log_setup import configure_logging
from skriptoteket.plugins.facade import Plugins
from skriptoteket.settings import Settings, url_scheme
from starlette.applications import Starlette

from skriptoteket_web.http_protocol import NoDelayH11Protocol
from skriptoteket_web.web_settings import WebSettings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
SINGLE_WRITER_SCHEMES = frozenset({"sqlite", "memory"})


def _settings(ctx: click.Context) -> Settings:
    found = getattr(ctx.find_root().obj, "settings", None)
    return found if isinstance(found, Settings) else Settings.from_env()


def _plugin_manager(ctx: click.Context) -> pluggy.PluginManager:
    found = getattr(ctx.find_root().obj, "pm", None)
    if isinstance(found, pluggy.PluginManager):
        return found
    from skriptoteket_web.app import make_web_plugin_manager

    return make_web_plugin_manager()


def workers_refusal(settings: Settings, plugins: Plugins, workers: int) -> str | None:
    """Why ``workers`` web processes cannot serve this configuration, or None."""
    if workers <= 1:
        return None
    queue = plugins.select_run_queue(settings)
    if not queue.shared:
        return (
            f"--workers {workers} needs a run queue that every process shares, but the run "
            f"queue {queue.name!r} keeps runs in one process's memory (a run started through "
            "one process would be invisible to, and lost with, that process). Set a shared "
            "run queue such as SKRIPTOTEKET_RUN_QUEUE=procrastinate on PostgreSQL, or use "
            "--workers 1."
        )
    scheme = url_scheme(settings.database_url)
    if scheme in SINGLE_WRITER_SCHEMES:
        return (
            f"--workers {workers} needs a database that every process can write, but "
            f"{scheme} has one writer at a time (or lives in one process). Use PostgreSQL "
            "(SKRIPTOTEKET_DATABASE_URL=postgresql://…), or --workers 1."
        )
    return None


def proxy_options(web: WebSettings | None = None) -> dict[str, Any]:
    """uvicorn believes ``X-Forwarded-For``/``-Proto`` only from ``SKRIPTOTEKET_TRUSTED_PROXIES``
    (none by default: the socket peer is the client)."""
    trusted = (web or WebSettings.from_env()).trusted_proxies
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def server_app(settings: Settings) -> Starlette:
    """The app one ``serve`` process runs: it executes runs (when its queue does) and recovers
    what a crashed process left behind."""
    from skriptoteket_web.app import create_app

    return create_app(settings, execution=True, recover_interrupted_runs=True, freeze_heap=True)


def worker_app() -> Starlette:
    """The app of one ``serve --workers N`` child: settings from the inherited environment."""
    settings = Settings.from_env()
    configure_logging(settings, server=True)
    return server_app(settings)


@click.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Web processes on the port (more than 1 needs a shared run queue and PostgreSQL).",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """Start the web app (Swedish pages). Runs execute in this process, or in `skriptoteket
    worker` processes when the run queue is shared (SKRIPTOTEKET_RUN_QUEUE=procrastinate)."""
    settings = _settings(ctx)
    refusal = workers_refusal(settings, Plugins(_plugin_manager(ctx)), workers)
    if refusal is not None:
        click.echo(f"Error: {refusal}", err=True)
        ctx.exit(2)
    configure_logging(settings, server=True)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "http": NoDelayH11Protocol,
        "log_config": None,  # uvicorn's lines go through the core's logging set-up
        "log_level": None,
        **proxy_options(),
    }
    if workers == 1:
        app = server_app(settings)
        click.echo(f"Skriptoteket: http://{host}:{port}  (Ctrl+C stops)")
        uvicorn.run(app, **options)
        return
    from skriptoteket_web.metrics import prepare_multiprocess_dir

    os.environ.update(settings.to_env())  # the children build the same settings from it
    prepare_multiprocess_dir(settings.data_dir)
    click.echo(f"Skriptoteket: http://{host}:{port}  ({workers} processes; Ctrl+C stops)")
    uvicorn.run(f"{__name__}:{worker_app.__name__}", factory=True, workers=workers, **options)
