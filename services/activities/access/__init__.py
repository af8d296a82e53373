"""Who may manage, read or register for which activity (DESIGN §4): the rules, and the caller's scope."""
