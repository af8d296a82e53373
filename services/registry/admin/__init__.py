"""Operations on the whole registry: republish every state, load labelled sample data."""
