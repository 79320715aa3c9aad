"""ASGI entry point for multi-worker uvicorn: ``uvicorn lexpert.web.asgi:app``."""
from .app import create_app

app = create_app()
