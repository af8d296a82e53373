"""Operations on the whole registry: seed the province's reference data, load labelled sample data,
republish every state."""
