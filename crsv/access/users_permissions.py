"""What an administrator may do to one account she sees: which buttons and forms the user page
shows. The services decide again (crsv.accounts.access_rules, crsv.accounts.sessions)."""

from __future__ import annotations

from dataclasses import dataclass

from crsv.accounts.models import User
from crsv.accounts.roles import Capability


@dataclass(frozen=True)
class UserActions:
    edit_access: bool  # roles, offices and end dates, deactivate or reactivate
    end_credentials: bool  # end a session, all sessions and tokens, revoke a token
    reset_two_factor: bool
    unlock: bool

    @property
    def any(self) -> bool:
        return self.edit_access or self.end_credentials or self.reset_two_factor or self.unlock


def user_actions(*, actor: User, target: User) -> UserActions:
    """A superuser is shown, never changed here (managed on the server only); one's own roles,
    offices, active flag and second factor are another administrator's to change, while one's
    own sessions and tokens may be ended (a session left open elsewhere)."""
    manages = actor.can(Capability.MANAGE_USERS) and not target.is_superuser
    own = actor.pk == target.pk
    return UserActions(
        edit_access=manages and not own,
        end_credentials=manages,
        reset_two_factor=manages and not own,
        unlock=manages,
    )
