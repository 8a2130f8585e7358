"""The web host's own plugin.

Routes are contributed through ``skriptoteket_register_web_routes``.
"""
