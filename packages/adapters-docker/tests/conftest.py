"""Docker fixtures: skip (or fail under ``SKRIPTOTEKET_TEST_REQUIRE=docker``) without an engine;
build the runner image once when it is missing or out of date."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from skriptoteket.domain.errors import DomainError
from skriptoteket.domain.runs import InputValue, RunContext
from skriptoteket.ports.execution import RunJob, RunLimits, RunnerOutcome
from skriptoteket.settings import Settings
from skriptoteket.testing.services import service_missing
from skriptoteket_docker.containers import INSTANCE, Engine

# A branch that changes the in-container files can test with its own image tag instead of
# rebuilding the shared one: SKRIPTOTEKET_TEST_RUNNER_IMAGE=skriptoteket-runner:my-branch.
TEST_IMAGE = os.environ.get("SKRIPTOTEKET_TEST_RUNNER_IMAGE", "") or Settings().runner_image
TEST_SETTINGS: dict[str, Any] = {
    "runner_image": TEST_IMAGE,
    "runner_pool_size": 1,
    "runner_memory_limit": "256m",
    "runner_cpu_limit": 1.0,
    "runner_pids_limit": 64,
    "runner_work_area_limit": "16m",
}
# Equal to the pool's spec above, so these jobs get a warm container.
POOL_LIMITS = RunLimits(
    timeout_seconds=20.0,
    memory_bytes=256 * 1024 * 1024,
    cpu_count=1.0,
    max_processes=64,
    work_area_bytes=16 * 1024 * 1024,
    max_stdout_bytes=10_000,
    max_stderr_bytes=10_000,
)


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    try:
        found = Engine.connect()
    except DomainError as error:
        service_missing("docker", error.message)
    from skriptoteket_docker.image import build_image, image_is_current

    image = TEST_IMAGE
    if not image_is_current(found, image):
        try:
            build_image(Settings(runner_image=image), engine=found, progress=lambda _line: None)
        except Exception as error:
            service_missing("docker", f"the runner image could not be built: {error}")
    yield found
    found.close()


def ours(engine: Engine) -> list[Any]:
    return [c for c in engine.managed() if c.labels.get(INSTANCE) == engine.instance]


def docker_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": tmp_path / "data", **TEST_SETTINGS, **overrides}
    return Settings(**values)


@pytest.fixture(name="docker_settings")
def docker_settings_fixture() -> Callable[..., Settings]:
    return docker_settings


@pytest.fixture
async def runner(engine: Engine, tmp_path: Path) -> AsyncIterator[Any]:
    from skriptoteket_docker.runner import DockerRunner

    created = DockerRunner(docker_settings(tmp_path))
    await created.started()
    assert created.pool is not None
    created.pool.wait_filled()
    yield created
    await created.close()
    leftovers = ours(engine)
    assert not leftovers, (
        f"managed containers left behind: {[(c.id[:12], c.status, c.labels) for c in leftovers]}"
    )


def _make_job(
    workspace: Path,
    source: str,
    *,
    contract: int = 1,
    files: Mapping[str, bytes] | None = None,
    inputs: Mapping[str, InputValue | list[str]] | None = None,
    limits: RunLimits = POOL_LIMITS,
    entrypoint: str = "run_tool",
) -> RunJob:
    files = {"input.txt": b"hej\n"} if files is None else files
    (workspace / "input").mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (workspace / "input" / name).write_bytes(data)
    return RunJob(
        run_id=uuid.uuid4(),
        tool_id=uuid.uuid4(),
        version_id=uuid.uuid4(),
        context=RunContext.SANDBOX,
        source_code=source,
        entrypoint=entrypoint,
        contract_version=contract,
        workspace=workspace,
        input_names=tuple(files),
        inputs=dict(inputs or {}),
        limits=limits,
    )


MakeJob = Callable[..., RunJob]


@pytest.fixture
def make_job() -> MakeJob:
    return _make_job


@pytest.fixture
def pool_limits() -> RunLimits:
    return POOL_LIMITS


def result_of(outcome: RunnerOutcome) -> dict[str, Any]:
    assert outcome.result_json is not None, outcome.stderr
    data = json.loads(outcome.result_json)
    assert isinstance(data, dict)
    return data
