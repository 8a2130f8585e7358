"""``GET /api/v1/runs/{run_id}/events``: a run's status as server-sent events (issue 10).

The first event is the run's current status, then one event per status change, each named
``status`` with the JSON ``{"id", "status", "queue_position"}``; the stream closes after the final
status (succeeded, failed, cancelled, timed_out), when the client goes away, or after the
watch's lifetime (the longest run timeout plus a margin), whichever comes first. Comments
(``: ping``) keep idle connections open. The changes come from whichever process commits them
(``WatchRun``; PostgreSQL LISTEN/NOTIFY across processes).
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator

from skriptoteket.application.runs import RunView
from sse_starlette import EventSourceResponse, ServerSentEvent

from skriptoteket_web.api.framework import Call

PING_SECONDS = 15
EVENT_NAME = "status"


def status_event(view: RunView) -> ServerSentEvent:
    data = {
        "id": str(view.run.id),
        "status": view.run.status.value,
        "queue_position": view.queue_position,
    }
    return ServerSentEvent(data=json.dumps(data), event=EVENT_NAME)


async def _events(
    first: RunView, views: AsyncGenerator[RunView, None]
) -> AsyncIterator[ServerSentEvent]:
    try:
        yield status_event(first)
        async for view in views:
            yield status_event(view)
    finally:
        await views.aclose()


async def run_events(call: Call) -> EventSourceResponse:
    views = call.core.watch_run(call.actor, run_id=call.uuid("run_id", "ToolRun"))
    try:
        first = await anext(views)
    except BaseException:
        await views.aclose()
        raise
    return EventSourceResponse(
        _events(first, views),
        ping=PING_SECONDS,
        headers={"Cache-Control": "no-store"},
    )
