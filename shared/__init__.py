"""Code every edu-clusters service needs and that knows nothing of any one service."""
