"""SQL implementations of the repository ports, one module per concept."""
