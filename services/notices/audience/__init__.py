"""Who a notice is for: the audience as chosen, checked against the sender's scope, and resolved."""
