"""The registry replica incidents are routed by: the tables, and the consumer group that keeps them."""
