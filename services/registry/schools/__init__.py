"""Schools, and the core-principal regions whose "locomotive" schools lead the others."""
