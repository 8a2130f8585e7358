"""Logging infrastructure shared by every host (serve, demo, the CLI): the context a log line
inherits (``log_context``), how a record becomes a line (``log_format``) and the one set-up
the hosts call (``log_setup``). Standard library ``logging`` only (RUN-35, ERR-08, NFR-10)."""
