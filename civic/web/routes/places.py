"""TEMPORARY scaffold — replaced by the register work (staff pages, link requests)."""
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def _todo(request):
    return PlainTextResponse("todo", status_code=501)

routes = [Route("/", _todo, name="index"), Route("/link", _todo, name="link_request")]
