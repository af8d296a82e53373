"""Activities: professional activities, contests, delegations, the support program and personnel proposals."""
