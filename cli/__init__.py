"""The operator's command line, ``edu-clusters`` (see ``cli.main``).

It sits above the services: it seeds the registry and builds every service's app for the event contract,
so it is a package of its own, and ``shared`` (below the services) imports none of it."""

from cli.main import main

__all__ = ["main"]
