"""The service's background loops, one module each; app.py adds them with ``runtime.add_job``."""
