"""The web layer: thin routes over domain services, server-rendered pages enhanced by HTMX."""
