"""Pure ASGI middleware, outermost first: correlation id (ERR-08), security headers, language,
error pages (ERR-03/04), session resolution (ID-16) and CSRF (ID-20, AMB-13)."""
