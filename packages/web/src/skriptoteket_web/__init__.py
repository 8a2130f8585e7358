"""Skriptoteket web app (Starlette). The pages and API arrive with the web issue."""
