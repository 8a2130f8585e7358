"""The repository contract suite every database backend runs (DESIGN §8).

Subclass ``RepositoryContract`` in a test module and provide a ``uow_factory`` fixture that
yields a ``UnitOfWorkFactory`` over a fresh, migrated and seeded store::

    class TestSqliteRepositories(RepositoryContract):
        @pytest.fixture
        async def uow_factory(self, tmp_path): ...
"""

from skriptoteket.testing.contract.catalog import CatalogContract
from skriptoteket.testing.contract.identity import IdentityContract
from skriptoteket.testing.contract.login_failures import LoginFailureContract
from skriptoteket.testing.contract.scripting import ScriptingContract
from skriptoteket.testing.contract.unit_of_work import UnitOfWorkContract


class RepositoryContract(
    IdentityContract,
    CatalogContract,
    ScriptingContract,
    UnitOfWorkContract,
    LoginFailureContract,
):
    """All repository contract tests."""
