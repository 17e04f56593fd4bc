"""TEMPORARY scaffold — replaced by the auth work (sign-in, sign-up, sign-out, OIDC)."""
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def _todo(request):
    return PlainTextResponse("todo", status_code=501)

routes = [Route("/login", _todo, name="login", methods=["GET", "POST"]),
          Route("/logout", _todo, name="logout", methods=["POST"]),
          Route("/signup", _todo, name="signup", methods=["GET", "POST"])]
