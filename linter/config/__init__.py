"""The configuration file: ``.iaclint.yaml`` or ``[tool.iaclint]`` in ``pyproject.toml``."""
