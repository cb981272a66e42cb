"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from meetings_ui import routes

_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_SLOT = {
    "type": "object",
    "required": ["start", "end"],
    "properties": {
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
    },
}
_BOOKING = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": ["confirmed", "requested", "cancelled"]},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "timezone": {"type": "string"},
        "name": {"type": "string"},
        "email": {"type": "string"},
        "answers": {"type": "object", "additionalProperties": {"type": "string"}},
        "cancel_url": {"type": "string", "format": "uri"},
        "reschedule_url": {"type": "string", "format": "uri"},
        "ics_url": {"type": "string", "format": "uri"},
    },
}
_LINK_INPUT = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 200},
        "slug": {
            "type": "string",
            "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
            "minLength": 3,
            "maxLength": 60,
        },
        "link_type": {"type": "string", "enum": ["one_on_one", "group", "round_robin"]},
        "host_ids": {"type": "array", "items": {"type": "integer"}},
        "settings": {
            "type": "object",
            "description": (
                "time_zone, durations, slot_interval, weekly {mon..sun: [[HH:MM, HH:MM]]}, "
                "overrides {YYYY-MM-DD: windows}, buffer_before, buffer_after, minimum_notice, "
                "rolling_days, date_range, daily_cap, questions, confirmation_message, reminders"
            ),
        },
    },
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _response(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, **(_json(schema) if schema else {})}


def _problem(description: str) -> dict[str, Any]:
    return _response(description, {"$ref": "#/components/schemas/Error"})


def openapi_document() -> dict[str, Any]:
    slug = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
    secured = [{"apiKey": []}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Meetings API", "version": "1.0.0"},
        "components": {
            "schemas": {
                "Error": _ERROR,
                "Slot": _SLOT,
                "Booking": _BOOKING,
                "LinkInput": _LINK_INPUT,
            },
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            f"{routes.API_PREFIX}/public/links/{{slug}}": {
                "get": {
                    "summary": "A link's name, host, durations, questions and mode",
                    "parameters": [slug],
                    "responses": {"200": _response("The link"), "404": _problem("Unknown slug")},
                }
            },
            f"{routes.API_PREFIX}/public/links/{{slug}}/slots": {
                "get": {
                    "summary": "Free slots between two dates (at most 62 days), in a time zone",
                    "parameters": [
                        slug,
                        {
                            "name": "start",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "format": "date"},
                        },
                        {
                            "name": "end",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "format": "date"},
                        },
                        {
                            "name": "timezone",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {"name": "duration", "in": "query", "schema": {"type": "integer"}},
                    ],
                    "responses": {
                        "200": _response(
                            "Slots",
                            {
                                "type": "object",
                                "properties": {
                                    "timezone": {"type": "string"},
                                    "slots": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Slot"},
                                    },
                                },
                            },
                        ),
                        "400": _problem("Bad time zone, range or duration"),
                        "404": _problem("Unknown slug"),
                    },
                }
            },
            f"{routes.API_PREFIX}/public/links/{{slug}}/bookings": {
                "post": {
                    "summary": "Book a slot (connected mode) or request one (offline mode)",
                    "parameters": [slug],
                    "requestBody": {
                        "required": True,
                        **_json(
                            {
                                "type": "object",
                                "required": ["start", "timezone", "name", "email"],
                                "properties": {
                                    "start": {"type": "string", "format": "date-time"},
                                    "timezone": {"type": "string"},
                                    "name": {"type": "string"},
                                    "email": {"type": "string", "format": "email"},
                                    "answers": {
                                        "type": "object",
                                        "additionalProperties": {"type": "string"},
                                    },
                                    "duration": {"type": "integer"},
                                    "idempotency_key": {
                                        "type": "string",
                                        "minLength": 8,
                                        "maxLength": 200,
                                    },
                                },
                            }
                        ),
                    },
                    "responses": {
                        "201": _response(
                            "Booked or requested", {"$ref": "#/components/schemas/Booking"}
                        ),
                        "200": _response(
                            "The same request again: the same booking",
                            {"$ref": "#/components/schemas/Booking"},
                        ),
                        "404": _problem("Unknown slug"),
                        "409": _problem(
                            "slot_unavailable: taken meanwhile; fresh slots of that day included"
                        ),
                        "422": _problem("Invalid input"),
                    },
                }
            },
            f"{routes.API_PREFIX}/links": {
                "get": {
                    "summary": "Your links",
                    "security": secured,
                    "responses": {"200": _response("Links"), "401": _problem("No valid key")},
                },
                "post": {
                    "summary": "Create a link",
                    "security": secured,
                    "requestBody": {
                        "required": True,
                        **_json({"$ref": "#/components/schemas/LinkInput"}),
                    },
                    "responses": {
                        "201": _response("Created"),
                        "401": _problem("No valid key"),
                        "422": _problem("Invalid"),
                    },
                },
            },
            f"{routes.API_PREFIX}/links/{{link_id}}": {
                "parameters": [
                    {
                        "name": "link_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "get": {
                    "summary": "One of your links",
                    "security": secured,
                    "responses": {"200": _response("Link"), "404": _problem("Not yours or none")},
                },
                "patch": {
                    "summary": "Change one of your links",
                    "security": secured,
                    "requestBody": {
                        "required": True,
                        **_json({"$ref": "#/components/schemas/LinkInput"}),
                    },
                    "responses": {
                        "200": _response("Changed"),
                        "404": _problem("Not yours or none"),
                        "422": _problem("Invalid"),
                    },
                },
                "delete": {
                    "summary": "Delete one of your links",
                    "security": secured,
                    "responses": {
                        "204": _response("Deleted"),
                        "404": _problem("Not yours or none"),
                    },
                },
            },
            f"{routes.API_PREFIX}/bookings": {
                "get": {
                    "summary": "Bookings on your links",
                    "security": secured,
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {
                                "type": "string",
                                "enum": ["confirmed", "requested", "cancelled"],
                            },
                        }
                    ],
                    "responses": {"200": _response("Bookings"), "401": _problem("No valid key")},
                }
            },
            f"{routes.API_PREFIX}/bookings/{{booking_id}}/cancel": {
                "post": {
                    "summary": "Cancel a booking on one of your links",
                    "security": secured,
                    "parameters": [
                        {
                            "name": "booking_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": _response("Cancelled", {"$ref": "#/components/schemas/Booking"}),
                        "404": _problem("Not yours or none"),
                    },
                }
            },
        },
    }
