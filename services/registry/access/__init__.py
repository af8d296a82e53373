"""Access: who may change what (the rules), and the communes a caller may see (the base of every scope)."""
