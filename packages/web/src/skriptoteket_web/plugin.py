"""The web host's own plugin (routes are contributed through ``skriptoteket_register_web_routes``)."""
