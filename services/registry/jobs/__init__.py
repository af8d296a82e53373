"""The registry's background loops, one module each."""
