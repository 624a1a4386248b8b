"""Who a request made with a token acts as: the token's municipality, nothing else.

`TokenPrincipal` answers the questions `accounts.scoping.scope_filter` asks of a user, so
that every API view starts from `Model.objects.for_user(request.user)` like the pages do:
the token's municipality (and the municipalities merged into it), never a school board and
never everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.models import ApiToken


@dataclass(frozen=True)
class TokenPrincipal:
    token: ApiToken

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_functional_admin = False
    is_staff = False
    is_superuser = False
    school_board_id = None
    pk = None

    @property
    def municipality_id(self) -> int:
        return self.token.municipality_id

    @property
    def municipality(self):
        return self.token.municipality

    def __str__(self) -> str:
        return f"API-token {self.token.name}"
