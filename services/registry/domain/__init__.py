"""The registry's rules, free of I/O: versions, published states, history, search, access and imports."""
