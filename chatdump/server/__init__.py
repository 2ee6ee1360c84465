"""The token endpoint and widget server (FastAPI): ``create_app`` in ``app``, routes in ``api``."""
