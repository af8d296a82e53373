"""Each person's preferences: channels, language, quiet hours and a daily digest."""
