"""Domain errors of the workflow. Each says why a transition was refused."""

from __future__ import annotations


class TransitionError(Exception):
    """Base class: the transition did not happen and nothing was written."""

    code = "transition_error"

    def __init__(self, message: str, *, transition: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.transition = transition


class TransitionConflict(TransitionError):
    """The application is not (or no longer) in a state this transition starts from.

    This is also what the loser of a race gets: the winner changed the state first.
    """

    code = "conflict"


class TransitionForbidden(TransitionError):
    """The acting user may not perform this transition on this application."""

    code = "forbidden"


class TransitionGuardFailed(TransitionError):
    """The transition applies but its conditions are not met; ``errors`` names each field."""

    code = "guard_failed"

    def __init__(self, errors: dict[str, list[str]], *, transition: str = "") -> None:
        summary = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
        super().__init__(summary, transition=transition)
        self.errors = errors
