"""A supervisor's own sign-in at another employee's desk (in-place approval, cash confirm,
till co-sign) that was refused: their e-mail or password, their account, their profile.

It is an ``AuthError`` (the platform's or the hub's refusal, its reason kept), but of that
one short session: the desk's own session is untouched, so it is never worded as "your
session has expired" and never a reason to ask the signed-in employee for their password."""

from __future__ import annotations

from teller_app.platform.errors import AuthError


class SupervisorSignInRefused(AuthError):
    """The short session's sign-in was refused; ``reason`` as the refusal's."""

    @classmethod
    def from_refusal(cls, refusal: AuthError) -> SupervisorSignInRefused:
        made = cls(refusal.message, status_code=refusal.status_code, method=refusal.method,
                   path=refusal.path, reason=refusal.reason)
        made.source, made.not_sent = refusal.source, refusal.not_sent
        return made


__all__ = ["SupervisorSignInRefused"]
