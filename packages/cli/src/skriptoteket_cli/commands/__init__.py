"""The built-in ``skriptoteket`` commands, one module per command group."""
