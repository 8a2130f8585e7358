"""Artifact downloads (EXE-08, ED-11): streamed from the artifact store, always an attachment."""

from __future__ import annotations

from urllib.parse import quote

from skriptoteket.application.runs import ArtifactFile
from starlette.responses import StreamingResponse


def content_disposition(filename: str) -> str:
    """``attachment; filename="…"``, plus RFC 5987's ``filename*`` when the name is not plain
    ASCII (``översikt.txt``); the plain form then holds an ASCII stand-in for old clients."""
    plain = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    header = f'attachment; filename="{plain}"'
    if plain != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def artifact_response(found: ArtifactFile) -> StreamingResponse:
    """The artifact's bytes as they come from the store, never the whole file in memory."""
    return StreamingResponse(
        found.stream.chunks,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": content_disposition(found.filename),
            "Content-Length": str(found.stream.size),
        },
    )
