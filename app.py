"""ASGI entry point: `uvicorn app:app`."""

from civic.web.app import create_app

app = create_app()
