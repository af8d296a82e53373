"""``python -m cli`` is ``edu-clusters``."""

from cli.main import main

main()
