"""Who a role in a scope is: cluster leader of cluster 3, principal of a school, a commune's office..."""
