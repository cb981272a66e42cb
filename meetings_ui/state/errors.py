"""What a person sees when an event handler fails.

A refusal (ForbiddenError: logged out, not an admin, not yours) carries a message
written for them, so it is shown as it is (in English: this handler does not know the
state, so handlers that can say it in the reader's words catch it themselves). Anything
else is a bug: logged with its traceback by Reflex's default handler, which shows a
generic message.
"""

from reflex.app import default_backend_exception_handler
from reflex.event import EventSpec
from reflex_components_sonner.toast import toast

from meetings_ui.services.guard import ForbiddenError


def show_event_error(exception: Exception) -> EventSpec:
    if isinstance(exception, ForbiddenError):
        return toast(str(exception), level="error", id="refused", position="top-center")
    return default_backend_exception_handler(exception)
