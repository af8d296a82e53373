"""Bearer-token authentication and data scoping shared by every service (DESIGN §4)."""

from shared.auth.dependencies import CurrentPrincipal, current_principal, require_roles, token_codec
from shared.auth.principal import ALL_CLUSTERS_GRANT, Principal
from shared.auth.roles import CLUSTER_ROLES, DEPARTMENT_ROLES, Role
from shared.auth.tokens import DEFAULT_LEEWAY, InvalidToken, TokenCodec

__all__ = [
    "ALL_CLUSTERS_GRANT",
    "CLUSTER_ROLES",
    "DEFAULT_LEEWAY",
    "DEPARTMENT_ROLES",
    "CurrentPrincipal",
    "InvalidToken",
    "Principal",
    "Role",
    "TokenCodec",
    "current_principal",
    "require_roles",
    "token_codec",
]
