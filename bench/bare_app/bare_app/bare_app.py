"""A bare Reflex app: one state, one var, one event. bench/ws_load.py runs its backend as
the app's is run (workers, state manager) and sends it the same number of events from the
same number of tabs: the floor of any Reflex event on this machine, in the same run."""

import reflex as rx


class EchoState(rx.State):
    name: str = ""

    @rx.event
    def set_name(self, value: str) -> None:
        self.name = value


def index() -> rx.Component:
    return rx.text(EchoState.name)


app = rx.App()
app.add_page(index)
