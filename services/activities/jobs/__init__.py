"""The activities service's background loops, one module each; app.py adds them to the runtime."""
