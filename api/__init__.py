"""The HTTP edge: FastAPI app, routers, schemas, auth, error mapping and pages."""
