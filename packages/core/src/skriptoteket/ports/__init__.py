"""The ports: ``typing.Protocol``s for everything the core needs from the outside world.

Adapters implement them; the application layer depends only on them.
"""

from skriptoteket.ports.execution import (
    ARTIFACT_CHUNK_BYTES,
    ArtifactStore,
    ArtifactStream,
    QueueStats,
    RunJob,
    Runner,
    RunnerOutcome,
    RunObserver,
    RunQueue,
)
from skriptoteket.ports.repositories import (
    ApiTokenRepository,
    AuditLogRepository,
    NominationRepository,
    SessionRepository,
    SuggestionRepository,
    TaxonomyRepository,
    ToolRepository,
    ToolRunRepository,
    ToolVersionRepository,
    UnitOfWork,
    UnitOfWorkFactory,
    UserRepository,
)
from skriptoteket.ports.system import Clock, IdGenerator, PasswordHasher, TokenGenerator

__all__ = [
    "ARTIFACT_CHUNK_BYTES",
    "ApiTokenRepository",
    "ArtifactStore",
    "ArtifactStream",
    "AuditLogRepository",
    "Clock",
    "IdGenerator",
    "NominationRepository",
    "PasswordHasher",
    "QueueStats",
    "RunJob",
    "RunObserver",
    "RunQueue",
    "Runner",
    "RunnerOutcome",
    "SessionRepository",
    "SuggestionRepository",
    "TaxonomyRepository",
    "TokenGenerator",
    "ToolRepository",
    "ToolRunRepository",
    "ToolVersionRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UserRepository",
]
