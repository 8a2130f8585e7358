"""The repository contract suite, split by concept; ``RepositoryContract`` combines them."""
