# Makes forms/ importable as nonasn_desktop.forms (see pyproject.toml) so that
# importlib.resources finds the policy files the same way in every kind of install.
