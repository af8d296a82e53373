"""``python -m shared.cli`` is ``edu-clusters``."""

from shared.cli.main import main

main()
