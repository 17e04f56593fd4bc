"""TEMPORARY scaffold — replaced by the notifications work (inbox)."""
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def _todo(request):
    return PlainTextResponse("todo", status_code=501)

routes = [Route("/", _todo, name="index")]
