"""An httpx transport that sends requests with aiohttp, for high-volume link checking.

httpx's own connection pool (httpcore) spends time per request proportional to the number
of pooled connections: on loopback it managed ~820 requests/s with 4 connections but ~260/s
with 64, and a link check needs many connections because a few slow hosts must not stall
the rest. aiohttp's pool does ~4,000/s at 64 connections on the same machine. Keeping the
httpx API means callers, tests and error handling stay the same whichever engine runs.

The PyPI package httpx-aiohttp does the same job but maps a refused connection to
httpx.ConnectTimeout and a dropped connection to a timeout too, which would misreport the
exact failure classes the inspection counts; hence this small transport.
"""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import AsyncIterator

import aiohttp
import httpx
from yarl import URL


class _AiohttpStream(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aiohttp.ClientPayloadError, aiohttp.ClientOSError) as exc:
            raise httpx.ReadError(str(exc)) from exc
        except (aiohttp.ServerTimeoutError, TimeoutError) as exc:
            raise httpx.ReadTimeout(str(exc)) from exc

    async def aclose(self) -> None:
        # release() gives a fully read connection back to the pool and closes a partly
        # read one, which is what a 4 KB sniff of a large page needs.
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over aiohttp; TLS verification off (certificates are tls.py's job)."""

    def __init__(self, *, max_connections: int, trust_env: bool = True) -> None:
        self._max_connections = max_connections
        # aiohttp's own trust_env looks proxies and .netrc up in a worker thread on every
        # request, which queues behind the default executor and cut throughput threefold;
        # the environment's proxies are read once here instead.
        self._proxies = urllib.request.getproxies_environment() if trust_env else {}
        self._session: aiohttp.ClientSession | None = None

    def _proxy_for(self, url: httpx.URL) -> str | None:
        proxy = self._proxies.get(url.scheme) or self._proxies.get("all")
        if not proxy or urllib.request.proxy_bypass_environment(url.host, self._proxies):
            return None
        return proxy

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections,
                limit_per_host=0,  # per-host politeness is enforced by the caller
                ssl=False,
                ttl_dns_cache=300,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                trust_env=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,  # httpx decodes Content-Encoding itself
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept"),
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        body = await request.aread() or None
        try:
            response = await self._get_session().request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=list(request.headers.multi_items()),
                data=body,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    sock_connect=timeouts.get("connect"),
                    sock_read=timeouts.get("read"),
                ),
                server_hostname=request.extensions.get("sni_hostname"),
                proxy=self._proxy_for(request.url),
            )
        except aiohttp.ClientConnectorError as exc:
            # aiohttp chains the OSError (gaierror, ConnectionRefusedError, SSLError), so
            # classify_exception can still tell DNS, refused and TLS apart.
            raise httpx.ConnectError(str(exc), request=request) from exc
        except aiohttp.ServerDisconnectedError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        except (aiohttp.ConnectionTimeoutError, aiohttp.ServerTimeoutError, TimeoutError) as exc:
            raise httpx.TimeoutException(str(exc), request=request) from exc
        except (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError) as exc:
            raise httpx.UnsupportedProtocol(str(exc), request=request) from exc
        except aiohttp.ClientOSError as exc:
            raise httpx.ReadError(str(exc), request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        return httpx.Response(
            status_code=response.status,
            headers=list(response.raw_headers),
            stream=_AiohttpStream(response),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
            # Let aiohttp's transports finish closing before the loop ends.
            await asyncio.sleep(0)
