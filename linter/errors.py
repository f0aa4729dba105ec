"""Errors about the tool's own configuration (user content never raises: it becomes findings)."""

from __future__ import annotations


class ConfigError(Exception):
    """Broken tool configuration (rule file, config file, flag): exit code 2.

    ``file`` is the offending file ("" for a flag), ``where`` a JSON path such as
    ``$.match.terraform.where.all[1]`` ("" when not applicable).
    """

    def __init__(self, message: str, file: str = "", where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.where = where

    def __reduce__(self) -> tuple[type[ConfigError], tuple[str, str, str]]:
        # raised in a scan worker process, it reaches the parent whole (file and where too)
        return type(self), (self.message, self.file, self.where)

    def __str__(self) -> str:
        location = self.file
        if self.where:
            location = f"{location} at {self.where}" if location else self.where
        return f"{location}: {self.message}" if location else self.message
