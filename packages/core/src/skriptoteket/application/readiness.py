"""Readiness for operations (``/ready``): the database answers a cheap read and, in a process
that runs tools, the selected runner can run one now (its engine answers, its image is there).
A load balancer then sends no traffic to a process that would only fail runs."""

from __future__ import annotations

import logging

import attrs

from skriptoteket.application.context import UseCase
from skriptoteket.domain.errors import DomainError

log = logging.getLogger("skriptoteket.readiness")

OK = "ok"
UNAVAILABLE = "unavailable"


@attrs.frozen
class Readiness:
    """Each check's verdict (``ok`` or ``unavailable``); ``runner`` is None in a process that
    does not run tools. ``detail`` says why, for operators and logs (never shown to teachers)."""

    database: str
    runner: str | None
    detail: str = ""

    @property
    def ready(self) -> bool:
        return self.database == OK and self.runner in (None, OK)


class CheckReadiness(UseCase):
    async def __call__(self) -> Readiness:
        database, detail = OK, ""
        try:
            async with self.deps.uow(readonly=True) as uow:
                await uow.taxonomy.list_professions()
        except Exception as error:  # any failure means "not ready", never a 500
            log.warning("readiness: the database does not answer: %s", error)
            database, detail = UNAVAILABLE, "database"
        runner: str | None = None
        if self.deps.execution is not None and self.deps.execution.runs_here:
            runner = OK
            try:
                await self.deps.execution.runner.check()
            except DomainError as error:
                log.warning("readiness: the runner cannot run: %s", error.message)
                runner, detail = UNAVAILABLE, detail or error.message
            except Exception as error:
                log.warning("readiness: the runner check failed: %s", error)
                runner, detail = UNAVAILABLE, detail or "runner"
        return Readiness(database=database, runner=runner, detail=detail)


__all__ = ["CheckReadiness", "Readiness"]
