"""``Skriptoteket``: every use case, wired to one set of dependencies. Hosts and embedding
developers call these; they never reach past them to the repositories."""

import attrs

from skriptoteket.application import (
    audit,
    catalog,
    execution,
    identity,
    login_throttle,
    nominations,
    passwords,
    preferences,
    readiness,
    run_watch,
    runnable,
    runs,
    suggestions,
    tool_import,
    tools,
    versions,
)
from skriptoteket.application.context import Deps


@attrs.frozen
class Skriptoteket:
    deps: Deps
    # identity
    create_user: identity.CreateLocalUser = attrs.field(init=False)
    bootstrap_superuser: identity.BootstrapSuperuser = attrs.field(init=False)
    find_active_user: identity.FindActiveUser = attrs.field(init=False)
    list_users: identity.ListUsers = attrs.field(init=False)
    change_user_role: identity.ChangeUserRole = attrs.field(init=False)
    deactivate_user: identity.DeactivateUser = attrs.field(init=False)
    reactivate_user: identity.ReactivateUser = attrs.field(init=False)
    change_own_password: passwords.ChangeOwnPassword = attrs.field(init=False)
    set_user_password: passwords.SetUserPassword = attrs.field(init=False)
    set_preferred_language: preferences.SetPreferredLanguage = attrs.field(init=False)
    login: identity.Login = attrs.field(init=False)
    resolve_session: identity.ResolveSession = attrs.field(init=False)
    logout: identity.Logout = attrs.field(init=False)
    create_api_token: identity.CreateApiToken = attrs.field(init=False)
    list_api_tokens: identity.ListApiTokens = attrs.field(init=False)
    revoke_api_token: identity.RevokeApiToken = attrs.field(init=False)
    authenticate_api_token: identity.AuthenticateApiToken = attrs.field(init=False)
    login_retry_after: login_throttle.LoginRetryAfter = attrs.field(init=False)
    record_login_failure: login_throttle.RecordLoginFailure = attrs.field(init=False)
    clear_login_failures: login_throttle.ClearLoginFailures = attrs.field(init=False)
    # nominations
    nominate_admin: nominations.NominateAdmin = attrs.field(init=False)
    list_nominations: nominations.ListNominations = attrs.field(init=False)
    decide_nomination: nominations.DecideNomination = attrs.field(init=False)
    # catalog
    list_professions: catalog.ListProfessions = attrs.field(init=False)
    list_categories: catalog.ListCategories = attrs.field(init=False)
    list_categories_for_profession: catalog.ListCategoriesForProfession = attrs.field(init=False)
    list_tools_by_tags: catalog.ListToolsByTags = attrs.field(init=False)
    get_catalog_overview: catalog.GetCatalogOverview = attrs.field(init=False)
    search_catalog: catalog.SearchCatalog = attrs.field(init=False)
    # suggestions
    submit_suggestion: suggestions.SubmitSuggestion = attrs.field(init=False)
    list_suggestions: suggestions.ListSuggestions = attrs.field(init=False)
    get_suggestion_for_review: suggestions.GetSuggestionForReview = attrs.field(init=False)
    decide_suggestion: suggestions.DecideSuggestion = attrs.field(init=False)
    # tools
    create_tool: tools.CreateTool = attrs.field(init=False)
    update_tool: tools.UpdateTool = attrs.field(init=False)
    set_tool_published: tools.SetToolPublished = attrs.field(init=False)
    get_tool: tools.GetTool = attrs.field(init=False)
    list_all_tools: tools.ListAllTools = attrs.field(init=False)
    list_my_tools: tools.ListMyTools = attrs.field(init=False)
    list_maintainers: tools.ListMaintainers = attrs.field(init=False)
    assign_maintainer: tools.AssignMaintainer = attrs.field(init=False)
    remove_maintainer: tools.RemoveMaintainer = attrs.field(init=False)
    import_tool: tool_import.ImportTool = attrs.field(init=False)
    get_runnable_tool: runnable.GetRunnableTool = attrs.field(init=False)
    list_tool_names: runnable.ListToolNames = attrs.field(init=False)
    # versions
    create_draft_version: versions.CreateDraftVersion = attrs.field(init=False)
    save_draft_version: versions.SaveDraftVersion = attrs.field(init=False)
    submit_for_review: versions.SubmitForReview = attrs.field(init=False)
    publish_version: versions.PublishVersion = attrs.field(init=False)
    request_changes: versions.RequestChanges = attrs.field(init=False)
    rollback_version: versions.RollbackVersion = attrs.field(init=False)
    list_versions: versions.ListVersions = attrs.field(init=False)
    get_version: versions.GetVersion = attrs.field(init=False)
    # runs and audit
    get_run: runs.GetRun = attrs.field(init=False)
    watch_run: run_watch.WatchRun = attrs.field(init=False)
    list_my_runs: runs.ListMyRuns = attrs.field(init=False)
    cancel_run: runs.CancelRun = attrs.field(init=False)
    fail_interrupted_runs: runs.FailInterruptedRuns = attrs.field(init=False)
    fail_lost_run: runs.FailLostRun = attrs.field(init=False)
    work_runs: runs.WorkRuns = attrs.field(init=False)
    queue_stats: runs.GetQueueStats = attrs.field(init=False)
    open_artifact: runs.OpenArtifact = attrs.field(init=False)
    prune_artifacts: runs.PruneArtifacts = attrs.field(init=False)
    check_readiness: readiness.CheckReadiness = attrs.field(init=False)
    # execution
    start_sandbox_run: execution.StartSandboxRun = attrs.field(init=False)
    start_production_run: execution.StartProductionRun = attrs.field(init=False)
    execute_run: execution.ExecuteRun = attrs.field(init=False)
    list_audit_log: audit.ListAuditLog = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        for field in attrs.fields(type(self)):
            if field.name != "deps":
                assert isinstance(field.type, type)
                object.__setattr__(self, field.name, field.type(self.deps))
