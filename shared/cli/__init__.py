"""The operator's command line, ``edu-clusters`` (see ``shared.cli.main``)."""

from shared.cli.main import main

__all__ = ["main"]
