from __future__ import annotations

import sqlalchemy as sa
from starlette.testclient import TestClient

from meetings_ui.api.app import build_api


def test_health_reports_the_database_and_schema(app_database: str) -> None:
    response = TestClient(build_api()).get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["schema_revision"] not in ("", "none")


def test_health_is_503_when_the_schema_is_missing(app_database: str) -> None:
    with sa.create_engine(app_database).begin() as connection:
        revision = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        connection.execute(sa.text("DROP TABLE alembic_version"))
    try:
        response = TestClient(build_api()).get("/health")
        assert response.status_code == 503
        assert response.json()["status"] == "error"
    finally:
        with sa.create_engine(app_database).begin() as connection:
            connection.execute(
                sa.text(
                    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
                )
            )
            connection.execute(sa.text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})
