"""The incidents service: see its issue in the tracker; not built yet."""
