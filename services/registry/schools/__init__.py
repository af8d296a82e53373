"""Schools: each in a commune (and so in that commune's cluster), some in a core-principal region."""
