"""Who hears of an event: the rules' roles resolved to people, with the duty desk standing in for a role of
the incident's chain that resolves to nobody; and the coverage report that asks it of every commune."""
