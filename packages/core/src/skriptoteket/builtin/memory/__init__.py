"""In-memory repositories with real transactions: each unit of work works on a copy of the
state and swaps it in on commit, so the contract suite holds for memory as for SQL."""
