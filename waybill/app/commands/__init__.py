"""The command line of each sub-command: ``register(subparsers)`` adds its parsers, using argparse only.

What a command does lives in ``waybill.app.handlers``; ``deferred("module:function")`` names it, and the
module is imported only when that command runs, so ``waybill --help`` loads no database, PDF or image library.
"""

from __future__ import annotations

import argparse
import importlib

__all__ = ["Deferred", "deferred"]


class Deferred:
    """A handler (``args -> int``) named ``"package.module:function"``, imported on the first call."""

    def __init__(self, target: str) -> None:
        module, _, function = target.partition(":")
        if not module or not function:
            raise ValueError(f"handler {target!r} is not 'module:function'")
        self.target = target

    def __call__(self, args: argparse.Namespace) -> int:
        module, _, function = self.target.partition(":")
        handler = getattr(importlib.import_module(module), function)
        return int(handler(args) or 0)

    def __repr__(self) -> str:
        return f"deferred({self.target!r})"


def deferred(target: str) -> Deferred:
    return Deferred(target)
