"""Between WSGI and the handlers: requests in, JSON or raw responses out."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.wrappers import Request, Response

from .messages import ApiRequest, ApiResponse


@dataclass
class RawResponse(ApiResponse):
    """A response whose bytes are given as they are: a fault rule's invalid JSON or HTML,
    or a page the sandbox serves (the device flow's verification page)."""

    raw: bytes = b""
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        return self.raw


def to_api_request(request: Request) -> ApiRequest:
    return ApiRequest(
        method=request.method,
        path=request.path,
        args=request.args.copy(),
        body=request.get_data(cache=True),
        content_type=request.content_type or "",
        headers={key.lower(): value for key, value in request.headers.items()},
    )


def to_wsgi_response(response: ApiResponse) -> Response:
    if isinstance(response, RawResponse):
        wsgi = Response(response.raw, status=response.status, content_type=response.content_type)
        for name, value in response.headers.items():
            wsgi.headers[name] = value  # a rule's headers win, Content-Type included
        return wsgi
    if response.body is None:
        empty = Response(status=response.status, headers=response.headers)
        del empty.headers["Content-Type"]  # no body, no media type
        return empty
    return Response(
        response.encoded(),
        status=response.status,
        headers=response.headers,
        content_type="application/json",
    )
