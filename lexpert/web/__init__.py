"""The web service (FastAPI): upload API and the expert review UI."""
