"""Use cases: one class per action. Each takes the acting ``User`` first, checks the domain's
policy inside its own unit of work, and either commits everything or nothing."""
