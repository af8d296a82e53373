"""Sending: the delivery worker's pass over the queue, and what a claimed row becomes (its message)."""
